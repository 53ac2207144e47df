/**
 * Where latentkit runs, detected in one place, and the one door to Node's built-ins.
 *
 * Node-only features (saving to folders, writing pictures and reports, reading the data packages and
 * CSV files, the terminal progress bar, finding the wasm binaries) reach Node through
 * {@link nodeModules}, which loads them on first use from `#platform`: a module that package.json's
 * `imports` field resolves to `dist/platform/node.js` under Node's `node` condition and to
 * `dist/platform/browser.js` (which holds nothing) everywhere else. So one import of `latentkit` works in
 * Node, and a browser bundle made by any bundler references no Node built-in; there the Node-only
 * functions throw a {@link LatentkitError} that says what to use instead.
 *
 * @example
 * ```ts
 * const { fs, path } = await nodeModules('saveImageGrid', 'writes files', 'in a browser use the returned bytes instead');
 * ```
 * @module
 */
import { loadNodeModules } from '#platform';
import { LatentkitError } from './errors.js';

/** True in Node.js (and runtimes that present themselves as Node, such as vitest workers). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;
}

/** True where a DOM-like `window` or a worker global exists: a browser page or a web worker. */
export function isBrowser(): boolean {
  const g = globalThis as Record<string, unknown>;
  return typeof g['window'] === 'object' || typeof g['WorkerGlobalScope'] === 'function';
}

/** The Node built-ins and Node-only packages latentkit uses, as `#platform` loads them. */
export interface NodeModules {
  fs: typeof import('node:fs/promises');
  /** The synchronous file system (the wasm thread set-up writes its worker script before tfjs starts). */
  fsSync: typeof import('node:fs');
  os: typeof import('node:os');
  path: typeof import('node:path');
  createRequire: typeof import('node:module').createRequire;
  /** Helper threads of the wasm matrix product (`backend/wasm/matMulThreads.ts`). */
  workerThreads: typeof import('node:worker_threads');
  /** cli-progress (its terminal code needs Node's `events` and `readline`). */
  cliProgress: () => Promise<typeof import('cli-progress')>;
}

let loaded: Promise<NodeModules> | undefined;

/** True when the Node-only features are available (Node, with latentkit resolved under its `node` condition). */
export function hasNodeModules(): boolean {
  return loadNodeModules !== undefined && isNode();
}

/**
 * Node's built-ins, loaded once on first use.
 *
 * @param caller - the public function asking (`save`, `loadMnist`), for the message.
 * @param does - what it does that needs Node (`reads and writes folders`).
 * @param instead - what to do in a browser (`in a browser use 'indexeddb://name' instead`).
 * @throws LatentkitError outside Node: `latentkit: <caller> <does> and needs Node.js; <instead>.`
 */
export function nodeModules(caller: string, does: string, instead: string): Promise<NodeModules> {
  if (loadNodeModules === undefined || !isNode()) {
    return Promise.reject(new LatentkitError(`latentkit: ${caller} ${does} and needs Node.js; ${instead}.`));
  }
  loaded ??= loadNodeModules();
  return loaded;
}
