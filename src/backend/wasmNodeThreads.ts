/**
 * Threads for tfjs's wasm backend in Node, and a quiet wasm glue.
 *
 * tfjs-backend-wasm 4.22 turns multithreading off whenever it runs in Node (tfjs issue 3830): its pthread
 * workers start from a `blob:` URL, which `worker_threads` refuses. The threaded SIMD build itself runs in
 * Node once five things are handled around the backend's initialisation, which is what
 * {@link prepareNodeThreads} does (and undoes) for {@link useBackend}:
 *
 * 1. the `WASM_HAS_MULTITHREAD_SUPPORT` flag, which returns false whenever `IS_NODE`, is set to true;
 * 2. the pthread worker script is written to a real file (in a per-process temporary folder, removed as
 *    soon as the workers have loaded it) and tfjs's `URL.createObjectURL` call for the worker's Blob
 *    returns that path;
 * 3. inside each worker, emscripten's `importScripts` reads the main glue with `fs.readFileSync`: the
 *    worker file is prefixed with a `URL.createObjectURL` that hands it the untranspiled glue shipped in
 *    `wasm-out/` (the Blob tfjs posts holds a transpiled copy that calls bundle-only helpers);
 * 4. the C++ side caps threads at `emscripten_num_logical_cores() / 2` (`os.cpus().length / 2` in Node, so
 *    1 on a 2-core machine): during initialisation only, `os.cpus()` reports at least twice the threads asked;
 * 5. after initialisation the pthread workers are `unref()`ed, or XNNPACK's pool threads, which live
 *    forever, would keep the process from exiting.
 *
 * Separately, {@link removeEmscriptenProcessHandlers}: emscripten's Node glue (threaded or not) installs
 * `uncaughtException` and `unhandledRejection` handlers that rethrow, so any uncaught error in a program
 * that uses wasm printed the whole minified glue (~39 KB) and exited with code 7. latentkit removes those
 * handlers after initialisation: an uncaught error then prints the user's error and exits with code 1, as
 * Node does.
 *
 * @example
 * ```ts
 * import { useBackend } from 'latentkit';
 * const info = await useBackend('wasm', { threads: 2 }); // in Node too
 * console.log(info.threads); // 2 on a machine with 2 or more cores
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { nodeModules, type NodeModules } from '../core/environment.js';

/** Node's modules for the thread set-up (here, and the product's helper threads in `useBackend`). */
export const threadModules = (): Promise<NodeModules> => nodeModules('useBackend', 'starts wasm threads in Node', 'in a browser threads need a cross-origin-isolated page');
const node = threadModules;

/** What {@link prepareNodeThreads} changed, to be undone by {@link NodeThreadsSetup.finish}. */
export interface NodeThreadsSetup {
  /** Restores `URL.createObjectURL` and `os.cpus`, removes the worker file, and unrefs the pthread workers. */
  finish(): void;
  /** Undoes everything after a failed initialisation, including the multithread flag. */
  abandon(): void;
}

/** The emscripten module object that tfjs keeps on its wasm backend (only what is used here). */
interface EmscriptenModule {
  PThread?: { runningWorkers?: Array<{ unref?: () => void }>; unusedWorkers?: Array<{ unref?: () => void }> };
}

type NodeRequire = (id: string) => unknown;

/** The folder of the installed tfjs-backend-wasm package (with a trailing slash). */
function packageDir(require: { resolve(id: string): string }): string {
  const pkg = require.resolve('@tensorflow/tfjs-backend-wasm/package.json');
  return pkg.slice(0, pkg.length - 'package.json'.length);
}

/**
 * Writes the pthread worker script: tfjs's worker source, re-escaped as tfjs does before making its Blob,
 * behind a two-line prefix that makes the worker load the untranspiled glue. The file lives in a folder of
 * its own under the OS temporary folder; `remove()` deletes it (the workers have read it once the backend
 * is initialised), and a process exit before that removes it too.
 */
async function writeWorkerFile(require: NodeRequire & { resolve(id: string): string }): Promise<{ file: string; remove(): void }> {
  const { fsSync: fs, os, path } = await node();
  const dir = packageDir(require);
  const glue = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as {
    wasmWorkerContents: string;
  };
  if (typeof wasmWorkerContents !== 'string' || !fs.existsSync(glue)) {
    throw new Error(`the threaded wasm build is incomplete in ${dir}wasm-out/`);
  }
  const prefix =
    `URL.createObjectURL = function () { return ${JSON.stringify(glue)}; };\n` +
    'URL.revokeObjectURL = function () {};\n';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `latentkit-wasm-${process.pid}-`));
  const file = path.join(tmp, 'tfjs-backend-wasm-threaded-simd.worker.cjs');
  const remove = () => {
    process.removeListener('exit', remove);
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {
      // Best effort: the folder is in the OS temporary folder either way.
    }
  };
  process.once('exit', remove);
  fs.writeFileSync(file, prefix + wasmWorkerContents.replace(/\n/g, '\\n'));
  return { file, remove };
}

/**
 * Prepares the next wasm initialisation in this Node process to start `threads` threads on the threaded
 * SIMD build. Call before `tf.setBackend('wasm')`, and `finish()` (or `abandon()` on failure) right after.
 */
export async function prepareNodeThreads(threads: number): Promise<NodeThreadsSetup> {
  const { createRequire } = await node();
  const require = createRequire(import.meta.url) as NodeRequire & { resolve(id: string): string };
  const coresNeeded = 2 * threads;
  const { file, remove } = await writeWorkerFile(require);
  // The object tfjs's CommonJS bundle gets from require('os').
  const os = require('node:os') as { cpus: () => unknown[] };
  const realCpus = os.cpus;
  const cpus = realCpus.call(os);
  if (cpus.length < coresNeeded) {
    os.cpus = () => {
      const list = realCpus.call(os);
      while (list.length < coresNeeded) list.push(list[0] ?? {});
      return list;
    };
  }
  const realCreateObjectURL = URL.createObjectURL;
  URL.createObjectURL = (blob: Blob) =>
    // tfjs makes a Blob for the worker (application/javascript) and one for the main glue (text/javascript):
    // only the worker needs a file path on this side.
    blob instanceof Blob && blob.type === 'application/javascript' ? file : realCreateObjectURL.call(URL, blob);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);

  const restore = () => {
    os.cpus = realCpus;
    URL.createObjectURL = realCreateObjectURL;
    // Every pool worker has loaded the script by now (the module waits for them before it is ready).
    remove();
  };
  return {
    finish() {
      restore();
      const registry = (tf.engine() as unknown as { registry: Record<string, { wasm?: EmscriptenModule } | undefined> }).registry;
      const module = registry['wasm']?.wasm;
      const pthread = module?.PThread;
      for (const w of [...(pthread?.runningWorkers ?? []), ...(pthread?.unusedWorkers ?? [])]) w.unref?.();
    },
    abandon() {
      restore();
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    },
  };
}

type Listener = (...args: unknown[]) => void;
const PROCESS_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Emscripten's two Node handlers, recognised by their source: `function (ex) { if (!(ex instanceof
 * ExitStatus)) { throw ex; } }` and `function (reason) { throw reason; }` (the threaded and the plain glue
 * install the same two).
 */
function isEmscriptenHandler(event: (typeof PROCESS_EVENTS)[number], listener: Listener): boolean {
  const src = Function.prototype.toString.call(listener).replace(/\s+/g, '');
  return event === 'uncaughtException'
    ? /^function\(\w+\)\{if\(!\(\w+instanceofExitStatus\)\)\{throw\w+;?\}\}$/.test(src)
    : /^function\((\w+)\)\{throw\1;?\}$/.test(src);
}

/**
 * Removes the `uncaughtException` / `unhandledRejection` handlers that emscripten's wasm glue installs in
 * Node (each initialisation of a wasm module adds one of each). Other listeners are left alone. Returns how
 * many were removed.
 */
export function removeEmscriptenProcessHandlers(): number {
  if (typeof process === 'undefined' || typeof process.listeners !== 'function') return 0;
  let removed = 0;
  // Typed loosely: @types/node's overloads of listeners/removeListener do not accept the union of names.
  const emitter = process as unknown as { listeners(e: string): Listener[]; removeListener(e: string, l: Listener): unknown };
  for (const event of PROCESS_EVENTS) {
    for (const listener of emitter.listeners(event)) {
      if (isEmscriptenHandler(event, listener)) {
        emitter.removeListener(event, listener);
        removed++;
      }
    }
  }
  return removed;
}

/**
 * Whether the wasm backend has been initialised in this process. Unlike `tf.findBackend('wasm')`, which
 * starts initialising a registered backend when it is not yet (with whatever settings are current), this
 * only looks.
 */
export function wasmInitialised(): boolean {
  const registry = (tf.engine() as unknown as { registry: Record<string, unknown> }).registry;
  return registry['wasm'] !== undefined;
}

/**
 * Initialises (or re-activates) the wasm backend in Node: with `threads > 1` on a fresh backend, on the
 * threaded SIMD build with that many threads (at most the machine's cores), falling back to the
 * single-threaded build if the threaded one fails to start; then removes emscripten's process handlers.
 * The thread count of a wasm backend is fixed when it is first initialised in a process.
 *
 * @returns whether `tf.setBackend('wasm')` succeeded.
 */
export async function initWasmInNode(
  wasm: { setThreadsCount(n: number): void },
  threads: number | undefined,
  activate: () => Promise<boolean> = () => tf.setBackend('wasm'),
): Promise<boolean> {
  let ok: boolean;
  if (threads !== undefined && threads > 1 && !wasmInitialised()) {
    const { os } = await node();
    const wanted = Math.min(threads, os.availableParallelism?.() ?? os.cpus().length);
    wasm.setThreadsCount(wanted);
    const setup = wanted > 1 ? await prepareNodeThreads(wanted) : undefined;
    ok = await activate();
    if (ok) setup?.finish();
    else if (setup) {
      setup.abandon();
      wasm.setThreadsCount(1);
      ok = await activate();
    }
  } else {
    ok = await activate();
  }
  removeEmscriptenProcessHandlers();
  return ok;
}
