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
import { initWasmInNode, threadModules } from './wasmNodeThreads.js';
import { nodeFactory, startProductHelpers } from './wasm/matMulThreads.js';
import { withWorkerSafeGlue } from './wasmWorkerGlue.js';

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
 * The file names of tfjs-backend-wasm 4.22's three binaries: plain, SIMD, and threaded SIMD.
 * @category Backends
 */
export const WASM_BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;

/**
 * Where each wasm binary is served, by file name: what a bundler that renames assets gives back (Vite's
 * `import url from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url'`).
 * @category Backends
 */
export type WasmFileMap = Record<(typeof WASM_BINARIES)[number], string>;

/**
 * Options for {@link useBackend}.
 * @category Backends
 */
export interface UseBackendOptions {
  /**
   * wasm only: the number of threads to compute on. In Node, more than 1 starts tfjs's threaded SIMD build
   * (which tfjs itself leaves off in Node, tfjs issue 3830) with at most as many threads as the machine has
   * cores. In a browser, threads need the threaded build, which loads only in a cross-origin-isolated page
   * (served with `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`);
   * tfjs then grants at most `navigator.hardwareConcurrency / 2` (clamped to [1, 8]). Like `wasmPaths`, it
   * applies when the wasm backend first starts in a process (or page) and cannot change afterwards; the
   * returned {@link BackendInfo.threads} says what was obtained. Default: 1 in Node, tfjs's own choice (the
   * cap above) in a browser.
   */
  threads?: number;
  /**
   * wasm only: where the `.wasm` binaries are served: a folder URL ending in `/` that holds all three, or
   * one URL per binary ({@link WasmFileMap}). Default in Node: the `dist/` folder of the installed
   * `@tensorflow/tfjs-backend-wasm` package (no network). Default in the browser: tfjs's own default
   * (next to the script that loaded it), which bundlers do not provide: pass it.
   */
  wasmPaths?: string | WasmFileMap;
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

/** The values of the options (USE_BACKEND_OPTIONS has checked the keys), and which backend they suit. */
function checkOptions(name: BackendName, options: UseBackendOptions): void {
  const { threads, wasmPaths, kernelReplacements } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    throw new ConfigError('threads', threads, 'a positive integer');
  }
  if (kernelReplacements !== undefined && typeof kernelReplacements !== 'boolean') {
    throw new ConfigError('kernelReplacements', kernelReplacements, 'true or false');
  }
  if (wasmPaths !== undefined) {
    const isMap =
      typeof wasmPaths === 'object' &&
      wasmPaths !== null &&
      Object.keys(wasmPaths).length === WASM_BINARIES.length &&
      WASM_BINARIES.every((file) => typeof (wasmPaths as Record<string, unknown>)[file] === 'string');
    // tfjs appends the file name to the folder as it is: '/wasm' would fetch '/wasmtfjs-backend-wasm.wasm'.
    if (!(typeof wasmPaths === 'string' && wasmPaths.endsWith('/')) && !isMap) {
      throw new ConfigError('wasmPaths', wasmPaths, `a folder URL ending in '/', or one URL for each of ${WASM_BINARIES.join(', ')}`);
    }
  }
  if (name !== 'wasm' && (threads !== undefined || wasmPaths !== undefined)) {
    const key = threads !== undefined ? 'threads' : 'wasmPaths';
    throw new ConfigError(key, options[key], `no ${key} for backend "${name}": it applies to "wasm" only`);
  }
}

/** The settings the wasm backend was started with, and how the start went. One start per page or process. */
interface WasmStart {
  paths: string | WasmFileMap | undefined;
  threads: number | undefined;
  started: Promise<boolean>;
}
let wasmStart: WasmStart | undefined;

/** Whether the settings given now (undefined: not given) agree with those of `start`. */
function agrees(start: WasmStart, paths: WasmStart['paths'] | undefined, threads: number | undefined): boolean {
  return (paths === undefined || JSON.stringify(paths) === JSON.stringify(start.paths)) && (threads === undefined || threads === start.threads);
}

/**
 * Activates `name`; when its initialisation fails, the backend that was active before is active again
 * (tfjs alone leaves `tf.getBackend()` naming the backend that failed). Returns whether it worked.
 */
async function activate(name: string): Promise<boolean> {
  const engine = tf.engine();
  const previous = engine.backendName;
  if (await tf.setBackend(name)) return true;
  if (previous && previous !== name && engine.registry[previous] !== undefined) {
    await tf.setBackend(previous);
  } else {
    // Nothing usable was active before: go back to "no backend chosen yet", as before the call.
    (engine as { backendName: string | null }).backendName = null;
  }
  return false;
}

/**
 * Starts the wasm backend exactly once (one fetch of one binary, one worker pool), however many calls
 * arrive and in whatever order. `tf.findBackend` is never used here: on a registered but uninitialised
 * backend it starts an initialisation of its own.
 */
async function startWasm(wasm: typeof import('@tensorflow/tfjs-backend-wasm'), options: UseBackendOptions): Promise<boolean> {
  const { wasmPaths, threads } = options;
  if (wasmStart === undefined && tf.engine().registry['wasm'] !== undefined) {
    // Someone else (tf.setBackend, tf.ready) started it: settings given now could no longer apply.
    if (wasmPaths !== undefined || threads !== undefined) {
      const key = threads !== undefined ? 'threads' : 'wasmPaths';
      throw new ConfigError(key, options[key], 'to be given before the wasm backend starts: it was already started outside latentkit (tf.setBackend or tf.ready)');
    }
    return false;
  }
  const previous = wasmStart;
  if (previous !== undefined) {
    const ok = await previous.started;
    if (ok) {
      // Later calls may repeat the settings or leave them out, not change them.
      if (!agrees(previous, wasmPaths, threads)) {
        const key = threads !== undefined && threads !== previous.threads ? 'threads' : 'wasmPaths';
        const was = key === 'threads' ? previous.threads : previous.paths;
        throw new ConfigError(
          key,
          options[key],
          `the value the wasm backend started with (${JSON.stringify(was) ?? 'the default'}): it cannot change without reloading the page or restarting the process`,
        );
      }
      return false;
    }
    if (!agrees(previous, wasmPaths, threads)) {
      throw new BackendError(
        `latentkit: the wasm backend already failed to start from wasmPaths = ${JSON.stringify(previous.paths)}, and ` +
          'tfjs-backend-wasm keeps the settings of its first start: reload the page (or restart the process) to try others.',
      );
    }
    // The same settings again (say, after a network error): one more attempt with them.
  }
  // Recorded before the first await, so that a concurrent call waits for this start instead of making another.
  const attempt: WasmStart = { paths: previous?.paths ?? wasmPaths, threads: previous ? previous.threads : threads, started: Promise.resolve(false) };
  attempt.started = (async () => {
    if (previous === undefined) {
      attempt.paths = wasmPaths ?? (isNode() ? await wasmDistDir() : undefined);
      try {
        if (attempt.paths !== undefined) wasm.setWasmPaths(attempt.paths);
      } catch (cause) {
        // tfjs refuses new paths once a start of its own (tf.setBackend('wasm') outside latentkit) has failed.
        throw new BackendError(`latentkit: wasmPaths could not be set (${(cause as Error).message}): reload the page (or restart the process) and call useBackend('wasm', { wasmPaths }) first.`);
      }
      if (threads !== undefined) wasm.setThreadsCount(threads);
    }
    // Node: the threaded build when asked for (src/backend/wasmNodeThreads.ts), and no emscripten crash handlers.
    return isNode() ? initWasmInNode(wasm, threads, () => activate('wasm')) : withWorkerSafeGlue(() => activate('wasm'));
  })();
  wasmStart = attempt;
  if (!(await attempt.started)) {
    const paths = attempt.paths;
    throw new BackendError(
      `latentkit: backend "wasm" failed to initialise from wasmPaths = ${JSON.stringify(paths) ?? "tfjs's default"}: expected ` +
        `${typeof paths === 'object' ? 'URLs' : 'a folder'} serving ${WASM_BINARIES.join(', ')} (the console shows the fetch that failed). ` +
        `tf.getBackend() is back to ${JSON.stringify(tf.getBackend() ?? null)}.`,
    );
  }
  return true;
}

async function setUpWasm(options: UseBackendOptions): Promise<BackendInfo> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (cause) {
    throw new BackendError(
      `latentkit: backend "wasm" could not be loaded (${(cause as Error).message}). ` +
        'It is a dependency of latentkit: reinstall with `npm install @tensorflow/tfjs-backend-wasm@4.22.0`.',
    );
  }
  const startedHere = await startWasm(wasm, options);
  if (!(await tf.setBackend('wasm'))) throw new BackendError('latentkit: backend "wasm" started but could not be activated.');
  await tf.ready();
  const addedKernels = setUpKernels('wasm', options.kernelReplacements);
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  const threads = wasm.getThreadsCount();
  // latentkit's own product on every thread (src/backend/wasm/matMulThreads.ts); tfjs's pool serves XNNPACK.
  if (threads > 1) {
    const factory = isNode() ? nodeFactory((await threadModules()).workerThreads.Worker) : undefined;
    await startProductHelpers(tf.backend(), threads, factory);
  }
  if (startedHere && options.threads !== undefined && threads < options.threads && !isNode()) warnFewerThreads(options.threads, threads);
  return { name: 'wasm', simd, threads, addedKernels, tfjsVersion: tf.version_core };
}

function warnFewerThreads(asked: number, granted: number): void {
  const g = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const why =
    g.crossOriginIsolated === true
      ? `tfjs grants at most navigator.hardwareConcurrency / 2 (hardwareConcurrency is ${g.navigator?.hardwareConcurrency})`
      : 'this page is not cross-origin isolated (serve it with Cross-Origin-Opener-Policy: same-origin and ' +
        'Cross-Origin-Embedder-Policy: require-corp), so the single-threaded build runs';
  console.warn(`latentkit: useBackend('wasm', { threads: ${asked} }) runs on ${granted}: ${why}.`);
}

async function setUpWebgl(): Promise<BackendInfo> {
  if (isNode()) {
    throw new BackendError(
      'latentkit: backend "webgl" needs a browser with WebGL; in Node use "wasm", "cpu" or "tensorflow".',
    );
  }
  // latentkit never imports the webgl backend itself, so that bundles which do not use it do not carry
  // it (about 330 KB minified): the application imports it, which registers it.
  if (tf.findBackendFactory('webgl') === null) {
    throw new BackendError(
      'latentkit: backend "webgl" is not registered: import it in your application first ' +
        "(`import '@tensorflow/tfjs-backend-webgl';`, or `await import('@tensorflow/tfjs-backend-webgl')` to load it " +
        'only when chosen). It is an optional peer: `npm install @tensorflow/tfjs-backend-webgl@4.22.0`.',
    );
  }
  if (!(await activate('webgl'))) {
    throw new BackendError(
      'latentkit: backend "webgl" failed to initialise: this browser offers no usable WebGL context. ' +
        `tf.getBackend() is back to ${JSON.stringify(tf.getBackend() ?? null)}.`,
    );
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
  if (!(await activate('tensorflow'))) {
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
 */
export async function useBackend(name: BackendName, options: UseBackendOptions = {}): Promise<BackendInfo> {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError('backend', name, `one of ${BACKEND_NAMES.map((n) => `"${n}"`).join(', ')}`);
  }
  USE_BACKEND_OPTIONS.check(options);
  checkOptions(name, options);
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
  }
}

/** The name of the active tfjs backend. */
export function currentBackend(): string {
  return tf.getBackend();
}
