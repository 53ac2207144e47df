/// <reference types="vite/client" />
/**
 * latentkit's browser demo (`npm run demo:browser`): pick a backend, train a convolutional denoising
 * autoencoder on digits with a live loss curve, reconstructions and a walk through its code space; on the
 * second tab, a VAE's 2-d manifold and GAN samples; every model saves to and loads from IndexedDB.
 *
 * Query parameters (used by the browser test): `backend=wasm|webgl|cpu`, `epochs`, `train`, `vaeEpochs`,
 * `ganEpochs` fill the forms; `digits=N` keeps the first N digits of the asset (the last 200 of them are
 * held out); `autorun=dae,saveload,vae,gan` runs those steps in order, then sets `<body data-state="done">`.
 * @module
 */
import { useBackend, type BackendInfo, type BackendName, type WasmFileMap } from 'latentkit';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { fetchDigits } from './digits.js';
import { DenoisingPanel } from './denoising.js';
import { GenerativePanel } from './generative.js';

const WASM_PATHS: WasmFileMap = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);

async function chooseBackend(name: BackendName): Promise<BackendInfo> {
  $('backend-info').textContent = `starting ${name}...`;
  // The webgl backend is imported only when chosen, so pages that never use it never load it.
  if (name === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  const info = await useBackend(name, name === 'wasm' ? { wasmPaths: WASM_PATHS } : {});
  const parts: string[] = [info.name];
  if (info.name === 'wasm') parts.push(info.simd ? 'SIMD' : 'no SIMD', `${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  parts.push(crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated');
  $('backend-info').textContent = parts.join(' · ');
  document.body.dataset['backend'] = info.name;
  return info;
}

function setBusy(busy: boolean): void {
  document.body.dataset['state'] = busy ? 'busy' : 'idle';
  document.querySelectorAll<HTMLButtonElement>('button.action').forEach((button) => {
    if (busy) button.dataset['wasDisabled'] = String(button.disabled);
    button.disabled = busy || button.dataset['wasDisabled'] === 'true';
  });
}

function showTab(which: 'dae' | 'gen'): void {
  for (const tab of ['dae', 'gen'] as const) {
    $(`tab-${tab}`).setAttribute('aria-selected', String(tab === which));
    $(`panel-${tab}`).hidden = tab !== which;
  }
  // Charts drawn while their tab was hidden had no width to fit: draw them again.
  window.dispatchEvent(new Event('resize'));
}

function fillForm(): void {
  const fields: Record<string, string> = { epochs: 'dae-epochs', train: 'dae-train', vaeEpochs: 'vae-epochs', ganEpochs: 'gan-epochs' };
  for (const [param, id] of Object.entries(fields)) {
    const value = params.get(param);
    if (value !== null) $<HTMLInputElement>(id).value = value;
  }
}

async function main(): Promise<void> {
  const backend = (params.get('backend') ?? 'wasm') as BackendName;
  $<HTMLSelectElement>('backend').value = backend;
  fillForm();
  await chooseBackend(backend);
  $('use-backend').addEventListener('click', () => {
    setBusy(true);
    chooseBackend($<HTMLSelectElement>('backend').value as BackendName)
      .catch((e: Error) => ($('backend-info').textContent = `error: ${e.message}`))
      .finally(() => setBusy(false));
  });
  $('tab-dae').addEventListener('click', () => showTab('dae'));
  $('tab-gen').addEventListener('click', () => showTab('gen'));

  const digits = await fetchDigits(Number(params.get('digits') ?? Infinity));
  // The panels live as long as the page: their buttons hold them.
  new DenoisingPanel(digits, setBusy);
  new GenerativePanel(digits, setBusy);
  setBusy(false);

  const steps = (params.get('autorun') ?? '').split(',').filter(Boolean);
  for (const step of steps) {
    if (step === 'dae') $('dae-train-button').click();
    else if (step === 'saveload') {
      $('dae-save').click();
      await idle();
      $('dae-load').click();
    } else if (step === 'vae') $('vae-train-button').click();
    else if (step === 'gan') $('gan-train-button').click();
    await idle();
  }
  if (steps.length > 0) document.body.dataset['state'] = 'done';
}

/** Resolves once the current task has finished (the page is idle again). */
function idle(): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void => (document.body.dataset['state'] === 'idle' ? resolve() : void setTimeout(check, 50));
    setTimeout(check, 0);
  });
}

main().catch((e: Error) => {
  document.body.dataset['state'] = 'error';
  $('backend-info').textContent = `error: ${e.message}`;
  throw e;
});
