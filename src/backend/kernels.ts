/**
 * latentkit's changes to TensorFlow.js's kernel registry, in one place. tfjs keeps one registry per process,
 * keyed by kernel and backend name, so these changes apply to everything the process runs, not only to
 * latentkit's models.
 *
 * - Added kernels (tfjs lacks them on that backend, so nothing else provides them) are registered when
 *   latentkit is imported. Registration is by backend name: the wasm backend need not be loaded or
 *   initialised yet. Convolutional models then train on wasm however wasm was chosen: `useBackend('wasm')`
 *   or tfjs's own `setWasmPaths(...)` + `tf.setBackend('wasm')`.
 * - Replacements (tfjs's kernel is wrong or slow) wrap tfjs's own kernel, which they call for every case
 *   their own path does not cover, and keep its setup. They are installed by `useBackend(name)` and, at the
 *   latest, by {@link ensureTrainingKernels}, which latentkit's training loop calls at the start of each run.
 * - Opt out with {@link setKernelReplacements}`(false)` or `useBackend(name, { kernelReplacements: false })`:
 *   tfjs's own kernels come back and stay; the added kernels remain.
 *
 * The lists with the reason for each change: `./wasmTrainingKernels.ts` (wasm), `./cpuKernelFixes.ts` (cpu).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
 * import { convAE, latentkitKernels, setKernelReplacements } from 'latentkit';
 *
 * setWasmPaths('/path/to/@tensorflow/tfjs-backend-wasm/dist/');
 * await tf.setBackend('wasm');
 * setKernelReplacements(false);   // optional: keep tfjs's own kernels, only add the missing ones
 * await convAE({ inputShape: [28, 28, 1] }).fit(images, { epochs: 1 }); // trains: the gradients exist
 * console.table(latentkitKernels());
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { CPU_REPLACED } from './cpuKernelFixes.js';
import { FUSED_UPDATE_KERNELS } from './fusedUpdates.js';
import { GRADIENTS_REPLACED } from './gradientFixes.js';
import { LEAKY_RELU_GRAD_KERNELS, leakyReluGradGradient } from './leakyRelu.js';
import { kernelOptions } from './wasm/util.js';
import { BATCH_NORM_GRAD_KERNELS } from './wasm/batchNormKernels.js';
import { WASM_ADDED, WASM_REPLACED } from './wasmTrainingKernels.js';

/** A kernel that tfjs lacks on a backend, added by latentkit. */
export interface AddedKernel {
  kernelName: string;
  backendName: string;
  kernelFunc: KernelFunc;
  /** What tfjs lacks without it. */
  why: string;
}

/** A tfjs kernel that latentkit replaces by a function of the original (which it calls for the cases it hands back). */
export interface ReplacedKernel {
  kernelName: string;
  backendName: string;
  create: (original: KernelFunc) => KernelFunc;
  /** The tfjs bug or slowness it fixes. */
  why: string;
  /** A switch for benchmarks (`./wasm/util.ts` `kernelOptions`); installed only while it returns true. */
  enabled?: () => boolean;
}

/**
 * One change latentkit makes to tfjs's kernels, as reported by {@link latentkitKernels}.
 * @category Backends
 */
export interface KernelChange {
  /** The tfjs kernel name, e.g. `'Conv2DBackpropFilter'`. */
  kernel: string;
  /** The backend name, `'wasm'` or `'cpu'`. */
  backend: string;
  /** `'added'`: tfjs lacks it; `'replaced'`: tfjs's is wrong or slow. */
  change: 'added' | 'replaced';
  /** Whether latentkit's kernel is the one registered now. */
  active: boolean;
  /** The tfjs bug, gap or slowness it addresses. */
  why: string;
}

const ADDED: readonly AddedKernel[] = [...WASM_ADDED, ...FUSED_UPDATE_KERNELS, ...LEAKY_RELU_GRAD_KERNELS, ...BATCH_NORM_GRAD_KERNELS];
const REPLACED: readonly ReplacedKernel[] = [...WASM_REPLACED, ...CPU_REPLACED];

/** The registry entries replaced by latentkit, by `backend/kernel`: the original and latentkit's function. */
const installed = new Map<string, { original: KernelConfig; replacement: KernelFunc }>();
/** Every kernel function latentkit registered, so that a second installation never wraps the first. */
const ours = new WeakSet<KernelFunc>();
let replacementsWanted = true;

const key = (kernelName: string, backendName: string): string => `${backendName}/${kernelName}`;

function registerAddedKernels(): string[] {
  const added: string[] = [];
  for (const { kernelName, backendName, kernelFunc } of ADDED) {
    if (tf.getKernel(kernelName, backendName) !== undefined) continue;
    ours.add(kernelFunc);
    tf.registerKernel({ kernelName, backendName, kernelFunc });
    added.push(kernelName);
  }
  // The added kernels' own gradient (a second-order gradient through LeakyReLU); no tfjs gradient has this name.
  if (tf.getGradient(leakyReluGradGradient.kernelName) === undefined) tf.registerGradient(leakyReluGradGradient);
  return added;
}

function installReplacements(backendName: string): string[] {
  const done: string[] = [];
  for (const { kernelName, backendName: target, create, enabled } of REPLACED) {
    if (target !== backendName || (enabled !== undefined && !enabled())) continue;
    const current = tf.getKernel(kernelName, backendName);
    if (current === undefined || ours.has(current.kernelFunc)) continue; // backend not loaded, or done
    const replacement = create(current.kernelFunc);
    ours.add(replacement);
    tf.unregisterKernel(kernelName, backendName);
    // The original's setup and dispose functions stay: they initialise the original, which is still called.
    tf.registerKernel({ ...current, kernelFunc: replacement });
    installed.set(key(kernelName, backendName), { original: current, replacement });
    done.push(kernelName);
  }
  return done;
}

/** tfjs's gradient configs latentkit replaced, by kernel name, and latentkit's config that replaced each. */
const gradientsInstalled = new Map<string, { original: tf.GradConfig; replacement: tf.GradConfig }>();

/**
 * Registers latentkit's gradient functions (`./gradientFixes.ts`) where tfjs's are registered (tfjs-layers
 * registers tfjs's when it is imported, so this runs again at every training start, after any import).
 */
function installGradients(): string[] {
  const done: string[] = [];
  for (const { config, enabled } of GRADIENTS_REPLACED) {
    if (!enabled()) continue;
    const current = tf.getGradient(config.kernelName);
    if (current === undefined || current === config) continue;
    gradientsInstalled.set(config.kernelName, { original: current, replacement: config });
    tf.registerGradient(config);
    done.push(`${config.kernelName} (gradient)`);
  }
  return done;
}

function restoreGradients(): string[] {
  const restored: string[] = [];
  for (const [name, { original, replacement }] of gradientsInstalled) {
    gradientsInstalled.delete(name);
    if (tf.getGradient(name) !== replacement) continue;
    tf.registerGradient(original);
    restored.push(`${name} (gradient)`);
  }
  return restored;
}

function restoreOriginals(): string[] {
  restoreGradients(); // not listed: the return value names kernels
  const restored: string[] = [];
  for (const [k, { original, replacement }] of installed) {
    installed.delete(k);
    // Only where latentkit's function is still the registered one: never undo what someone registered since.
    if (tf.getKernel(original.kernelName, original.backendName)?.kernelFunc !== replacement) continue;
    tf.unregisterKernel(original.kernelName, original.backendName);
    tf.registerKernel(original);
    restored.push(original.kernelName);
  }
  return restored;
}

/**
 * Makes sure latentkit's kernels are in place for `backendName` (default: the active backend): the added
 * kernels (registered at import; again if something removed them) and, unless switched off with
 * {@link setKernelReplacements}, the replacements for that backend. Idempotent and cheap (a few map
 * look-ups once done): latentkit's training loop calls it at the start of every run, `useBackend` after
 * setting a backend up. Call it yourself before training a model of your own with tfjs directly on a
 * backend chosen with `tf.setBackend`, to get the corrected kernels there too.
 *
 * @returns the kernel names registered or replaced by this call (`[]` when everything was in place).
 * @example
 * ```ts
 * await tf.setBackend('wasm');
 * ensureTrainingKernels(); // ['MaxPoolGrad', 'Conv2D', ...] the first time, [] after
 * ```
 * @category Backends
 */
export function ensureTrainingKernels(backendName: string | null = tf.getBackend()): string[] {
  const changed = registerAddedKernels();
  if (replacementsWanted && backendName) {
    changed.push(...installReplacements(backendName));
    installGradients(); // not listed: the return value names kernels
  }
  return changed;
}

/**
 * Switches latentkit's replacements of tfjs kernels on or off for the whole process. `false` restores
 * tfjs's own kernels now, on every backend, and keeps them (neither `useBackend` nor training installs the
 * replacements again); the kernels tfjs lacks stay registered. `true` (the default state) installs the
 * replacements for the active backend now and lets `useBackend` and training install them for others.
 * `useBackend(name, { kernelReplacements })` calls this.
 *
 * @returns the kernel names restored (`false`) or replaced (`true`) by this call.
 * @example
 * ```ts
 * setKernelReplacements(false); // tfjs's own MaxPoolGrad, Conv2DBackpropInput, ... from now on
 * ```
 * @category Backends
 */
export function setKernelReplacements(enabled: boolean): string[] {
  replacementsWanted = enabled;
  return enabled ? ensureTrainingKernels() : restoreOriginals();
}

/**
 * `useBackend`'s kernel step for `backendName`, just set up: applies its `kernelReplacements` option (when
 * given) as {@link setKernelReplacements} does, then {@link ensureTrainingKernels}.
 *
 * @returns the kernel names registered or replaced for `backendName` by this call.
 */
export function setUpKernels(backendName: string, kernelReplacements: boolean | undefined): string[] {
  if (kernelReplacements !== undefined) {
    replacementsWanted = kernelReplacements;
    if (!kernelReplacements) restoreOriginals();
  }
  return ensureTrainingKernels(backendName);
}

/**
 * Every change latentkit makes to tfjs's kernels, with whether it is in effect now and why it exists.
 *
 * @example
 * ```ts
 * console.table(latentkitKernels()); // kernel, backend, change, active, why
 * ```
 * @category Backends
 */
export function latentkitKernels(): KernelChange[] {
  const active = (kernel: string, backend: string) => {
    const fn = tf.getKernel(kernel, backend)?.kernelFunc;
    return fn !== undefined && ours.has(fn);
  };
  return [
    ...ADDED.map((k) => ({ kernel: k.kernelName, backend: k.backendName, change: 'added' as const, active: active(k.kernelName, k.backendName), why: k.why })),
    ...REPLACED.map((k) => ({ kernel: k.kernelName, backend: k.backendName, change: 'replaced' as const, active: active(k.kernelName, k.backendName), why: k.why })),
  ];
}

registerAddedKernels();
