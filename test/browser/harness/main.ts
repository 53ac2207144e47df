/// <reference types="vite/client" />
/**
 * The page the browser test drives (test/browser/browser.test.ts) and the browser benchmark measures
 * (bench/browser.ts). It imports latentkit by name, as an application would, and exposes
 * `window.latentkitHarness`: each entry starts a backend, trains latentkit's models, and returns plain JSON.
 *
 * Query: `?backend=webgl|wasm|cpu` and, for wasm, `threads=N`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  BackendError,
  load,
  loadCsv,
  save,
  undercompleteAE,
  useBackend,
  type BackendInfo,
  type BackendName,
  type SavableHandle,
  type WasmFileMap,
} from 'latentkit';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { MODEL_CASES, type ModelCase } from './cases.js';
import type { ClassifierChecks } from './classifierCase.js';

const WASM_PATHS: WasmFileMap = {
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
};

/** What one model did on one backend. */
export interface ModelReport {
  /** Training loss of every step, in order (the GAN: the discriminator's loss). */
  losses: number[];
  /** tf.memory() before the data and the model existed, and after both were disposed. */
  memoryBefore: tf.MemoryInfo;
  memoryAfter: tf.MemoryInfo;
  /** Saved to IndexedDB and loaded back: the largest difference of the probe outputs, and of the weights. */
  roundTrip: { url: string; outputDiff: number; weightDiff: number; kindSaved: string; kindLoaded: string };
  /** The classifier's further checks (evaluate, predictClasses, inference determinism, a transfer head). */
  checks?: ClassifierChecks;
  ms: number;
}

/** What a page reports for one backend. */
export interface SuiteReport {
  info: BackendInfo;
  getBackend: string;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  models: Record<string, ModelReport>;
  csv: { shape: number[]; features: number[]; labels: number[]; labelNames: string[] | undefined };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function flatWeights(handle: SavableHandle, c: ModelCase): Float32Array {
  const parts = c.weights(handle).map((t) => t.dataSync() as Float32Array);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function start(backend: BackendName, threads?: number): Promise<BackendInfo> {
  // The application, not latentkit, imports the webgl backend: pages that never choose it never load it.
  if (backend === 'webgl') await import('@tensorflow/tfjs-backend-webgl');
  if (backend !== 'wasm') return useBackend(backend);
  const options = { wasmPaths: WASM_PATHS, ...(threads === undefined ? {} : { threads }) };
  // Two calls at once, as two parts of an application might make: one start, one fetch of the binary.
  const [info] = await Promise.all([useBackend('wasm', options), useBackend('wasm', options)]);
  return info;
}

async function runModel(backend: string, c: ModelCase): Promise<ModelReport> {
  const t0 = performance.now();
  const memoryBefore = tf.memory();
  const x = c.data();
  const handle = c.build();
  const losses: number[] = [];
  await c.fit(handle, x, (logs) => losses.push(logs[c.lossKey]!));
  const checks = await c.checks?.(handle, x);

  const url = `indexeddb://latentkit-harness-${backend}-${c.name}`;
  await save(handle, url);
  const again = await load(url);
  const probeA = c.probe(handle, x);
  const probeB = c.probe(again, x);
  const roundTrip = {
    url,
    kindSaved: handle.kind,
    kindLoaded: again.kind,
    outputDiff: maxAbsDiff(probeA.dataSync(), probeB.dataSync()),
    weightDiff: maxAbsDiff(flatWeights(handle, c), flatWeights(again, c)),
  };
  tf.dispose([probeA, probeB, x]);
  handle.dispose();
  again.dispose();
  for (const part of c.parts) await tf.io.removeModel(part === '' ? url : `${url}/${part}`);
  return { losses, memoryBefore, memoryAfter: tf.memory(), roundTrip, ...(checks ? { checks } : {}), ms: performance.now() - t0 };
}

/** Trains every model (or those named in `only`, when tuning one) on `backend`. */
async function suite(backend: BackendName, threads?: number, only?: string[]): Promise<SuiteReport> {
  const info = await start(backend, threads);
  const models: Record<string, ModelReport> = {};
  for (const c of MODEL_CASES) if (!only || only.includes(c.name)) models[c.name] = await runModel(backend, c);
  const table = await loadCsv('a,b,kind\n1,2.5,"cat"\n-3,"4e1",dog\n', { labelColumn: 'kind' });
  const csv = {
    shape: table.features.shape,
    features: Array.from(table.features.dataSync()),
    labels: Array.from(table.labels!.dataSync()),
    labelNames: table.labelNames,
  };
  tf.dispose([table.features, table.labels!]);
  return {
    info,
    getBackend: tf.getBackend(),
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    hardwareConcurrency: navigator.hardwareConcurrency,
    models,
    csv,
  };
}

/** A wasm start from a folder that does not exist, after cpu was active; then webgl, never imported. */
async function failedStarts(): Promise<Record<string, unknown>> {
  await useBackend('cpu');
  const wasm = await useBackend('wasm', { wasmPaths: '/missing/' }).catch((e: unknown) => e);
  const afterWasm = tf.getBackend();
  const webgl = await useBackend('webgl').catch((e: unknown) => e);
  return {
    wasm: { isBackendError: wasm instanceof BackendError, message: (wasm as Error).message },
    afterWasm,
    webgl: { isBackendError: webgl instanceof BackendError, message: (webgl as Error).message },
    afterWebgl: tf.getBackend(),
  };
}

/**
 * Training speed of the dense AE 784-256-32-256-784 (batch 64, uniform random inputs), in examples/s over
 * `batches` steps after two warm-up steps.
 */
async function speed(backend: BackendName, batches: number, threads?: number): Promise<{ info: BackendInfo; examplesPerSecond: number }> {
  const info = await start(backend, threads);
  const batchSize = 64;
  const x = tf.randomUniform([batchSize * (batches + 2), 784], 0, 1, 'float32', 1);
  const ae = undercompleteAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32, seed: 1 });
  let t0 = 0;
  await ae.fit(x, {
    epochs: 1,
    batchSize,
    shuffle: false,
    verbose: 0,
    callbacks: {
      // Losses are read every step (the loop logs them), so each step's work is done when its callback runs.
      onBatchEnd: (batch) => {
        if (batch === 1) t0 = performance.now();
      },
    },
  });
  const examplesPerSecond = (batches * batchSize) / ((performance.now() - t0) / 1000);
  ae.dispose();
  x.dispose();
  return { info, examplesPerSecond };
}

declare global {
  interface Window {
    latentkitHarness: {
      suite: typeof suite;
      failedStarts: typeof failedStarts;
      speed: typeof speed;
    };
  }
}

window.latentkitHarness = { suite, failedStarts, speed };
document.getElementById('status')!.textContent = 'ready';
