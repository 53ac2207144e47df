/**
 * Choosing and initialising a TensorFlow.js backend. latentkit never picks one behind the consumer's back:
 * until {@link useBackend} is called, tfjs uses whatever backend is already active (the cpu backend, which
 * latentkit registers as a fallback, when nothing else is).
 *
 * | name         | where                   | how                                                                   |
 * | ------------ | ----------------------- | --------------------------------------------------------------------- |
 * | `wasm`       | Node and browser        | bundled; SIMD; threads in Node and cross-origin-isolated pages        |
 * | `cpu`        | Node and browser        | bundled; plain JavaScript, slowest                                    |
 * | `webgl`      | browser                 | optional peer `@tensorflow/tfjs-backend-webgl`                        |
 * | `tensorflow` | Node                    | optional peer `@tensorflow/tfjs-node` (native libtensorflow)          |
 *
 * @example
 * ```ts
 * import { useBackend } from 'latentkit';
 * const info = await useBackend('wasm');
 * console.log(info); // { name: 'wasm', simd: true, threads: 1, ... }
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isNode, nodeModules } from '../core/environment.js';
import { BackendError, ConfigError } from '../core/errors.js';
import { silenceNodeBanner } from './banner.js';
import { setUpKernels } from './kernels.js';
import { USE_BACKEND_OPTIONS } from './options.js';
import { initWasmInNode, wasmInitialised } from './wasmNodeThreads.js';

/**
 * The backends latentkit knows how to set up.
 * @category Backends
 */
export const BACKEND_NAMES = ['wasm', 'cpu', 'webgl', 'tensorflow'] as const;

/**
 * A backend name accepted by {@link useBackend}.
 * @category Backends
 */
export type BackendName = (typeof BACKEND_NAMES)[number];

/**
 * Options for {@link useBackend}.
 * @category Backends
 */
export interface UseBackendOptions {
  /**
   * wasm only: the number of threads to compute on. In Node, more than 1 starts tfjs's threaded SIMD build
   * (which tfjs itself leaves off in Node, tfjs issue 3830) with at most as many threads as the machine has
   * cores; in the browser, threads need a cross-origin-isolated page. The count is fixed when wasm is first
   * initialised in a process (or page); the returned {@link BackendInfo.threads} says what was obtained.
   * Default: the backend's own choice (1 in Node).
   */
  threads?: number;
  /**
   * wasm only: where the `.wasm` binaries are. Default in Node: the `dist/` folder of the installed
   * `@tensorflow/tfjs-backend-wasm` package (no network). Default in the browser: tfjs's own default.
   */
  wasmPaths?: string;
  /**
   * Whether latentkit replaces tfjs kernels that are wrong or slow (wasm: `MaxPoolGrad`, 'same' convolutions
   * with a stride larger than the kernel, `Conv2DBackpropInput`, `BatchMatMul`, ...; cpu: the UpSampling2D
   * gradient). `false` restores tfjs's own kernels, on every backend, for the rest of the process (see
   * `setKernelReplacements`). The kernels tfjs lacks (wasm convolution gradients, `UnsortedSegmentSum`) are
   * registered either way. Default: the process's current choice, `true` unless switched off.
   */
  kernelReplacements?: boolean;
}

/**
 * What {@link useBackend} set up.
 * @category Backends
 */
export interface BackendInfo {
  /** The active tfjs backend name. */
  name: BackendName;
  /** wasm: whether the SIMD build is in use. `undefined` for other backends. */
  simd?: boolean;
  /** Threads the backend computes on (1 for cpu and for wasm without thread support). */
  threads: number;
  /** Kernels latentkit registered or corrected for this backend by this call (wasm training kernels, cpu fixes). */
  addedKernels: string[];
  /** The tfjs-core version in use. */
  tfjsVersion: string;
}

async function wasmDistDir(): Promise<string> {
  // Node's module loader comes through latentkit's platform module, so that browser bundles never see it.
  const { createRequire } = await nodeModules('useBackend', 'finds the wasm binaries in node_modules', 'pass wasmPaths');
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return pkg.slice(0, pkg.length - 'package.json'.length) + 'dist/';
}

async function setUpWasm(options: UseBackendOptions): Promise<BackendInfo> {
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new ConfigError('threads', options.threads, 'a positive integer');
  }
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (cause) {
    throw new BackendError(
      `latentkit: backend "wasm" could not be loaded (${(cause as Error).message}). ` +
        'It is a dependency of latentkit: reinstall with `npm install @tensorflow/tfjs-backend-wasm@4.22.0`.',
    );
  }
  const paths = options.wasmPaths ?? (isNode() ? await wasmDistDir() : undefined);
  // Not tf.findBackend('wasm'): it would start initialising wasm before the paths and threads are set.
  if (paths !== undefined && !wasmInitialised()) wasm.setWasmPaths(paths);
  if (options.threads !== undefined) wasm.setThreadsCount(options.threads);
  // ---- Node hook (src/backend/wasmNodeThreads.ts): threads in Node, and no emscripten crash handlers. ----
  const ok = isNode() ? await initWasmInNode(wasm, options.threads) : await tf.setBackend('wasm');
  // ---- end of the Node hook ----
  if (!ok) {
    throw new BackendError(
      `latentkit: backend "wasm" failed to initialise from wasmPaths = ${JSON.stringify(paths)}: ` +
        'expected the folder holding tfjs-backend-wasm*.wasm.',
    );
  }
  await tf.ready();
  const addedKernels = setUpKernels('wasm', options.kernelReplacements);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  return {
    name: 'wasm',
    simd,
    threads: wasm.getThreadsCount(),
    addedKernels,
    tfjsVersion: tf.version_core,
  };
}

async function setUpWebgl(): Promise<BackendInfo> {
  if (isNode()) {
    throw new BackendError(
      'latentkit: backend "webgl" needs a browser with WebGL; in Node use "wasm", "cpu" or "tensorflow".',
    );
  }
  try {
    await import('@tensorflow/tfjs-backend-webgl');
  } catch {
    throw new BackendError(
      'latentkit: backend "webgl" needs the optional peer @tensorflow/tfjs-backend-webgl: ' +
        'run `npm install @tensorflow/tfjs-backend-webgl@4.22.0`.',
    );
  }
  if (!(await tf.setBackend('webgl'))) {
    throw new BackendError('latentkit: backend "webgl" failed to initialise: this browser offers no usable WebGL context.');
  }
  await tf.ready();
  return { name: 'webgl', threads: 1, addedKernels: [], tfjsVersion: tf.version_core };
}

async function setUpTensorflow(): Promise<BackendInfo> {
  if (!isNode()) throw new BackendError('latentkit: backend "tensorflow" (tfjs-node) exists only in Node.');
  try {
    const name = '@tensorflow/tfjs-node';
    // A variable specifier keeps bundlers from resolving the optional peer at build time.
    await import(/* @vite-ignore */ name);
  } catch (cause) {
    throw new BackendError(
      'latentkit: backend "tensorflow" needs the optional peer @tensorflow/tfjs-node, which is not installed ' +
        `(${(cause as Error).message.split('\n')[0]}). Install it with \`npm install @tensorflow/tfjs-node@4.22.0\` ` +
        '(its install step downloads libtensorflow, so it needs network access), or use "wasm".',
    );
  }
  if (!(await tf.setBackend('tensorflow'))) {
    throw new BackendError('latentkit: backend "tensorflow" failed to initialise: check the tfjs-node installation.');
  }
  await tf.ready();
  return { name: 'tensorflow', threads: 0, addedKernels: [], tfjsVersion: tf.version_core };
}

/**
 * Sets up and activates a tfjs backend.
 *
 * @param name - `'wasm' | 'cpu' | 'webgl' | 'tensorflow'`.
 * @param options - see {@link UseBackendOptions}.
 * @returns what was set up: name, SIMD, threads, the kernels latentkit added.
 * @throws BackendError when the backend's package is missing or it fails to start; ConfigError for an
 *   unknown name.
 * @example
 * ```ts
 * await useBackend('wasm');            // Node or browser
 * await useBackend('cpu');             // always available
 * ```
 * @category Backends
 */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<BackendInfo> {
  USE_BACKEND_OPTIONS.check(options);
  switch (name) {
    case 'wasm':
      return setUpWasm(options);
    case 'cpu': {
      await tf.setBackend('cpu');
      await tf.ready();
      silenceNodeBanner();
      const addedKernels = setUpKernels('cpu', options.kernelReplacements);
      return { name: 'cpu', threads: 1, addedKernels, tfjsVersion: tf.version_core };
    }
    case 'webgl':
      return setUpWebgl();
    case 'tensorflow':
      return setUpTensorflow();
    default:
      throw new ConfigError('backend', name, `one of ${BACKEND_NAMES.map((n) => `"${n}"`).join(', ')}`);
  }
}

/**
 * The name of the active tfjs backend.
 * @category Backends
 */
export function currentBackend(): string {
  return tf.getBackend();
}
