/**
 * The Node side of latentkit's platform split (see `core/environment.ts`): package.json's `imports`
 * field maps `#platform` here under Node's `node` condition. It imports nothing from latentkit but types,
 * so that its bundle shares no state with the library's.
 * @module
 */
import type { NodeModules } from '../core/environment.js';

/** Loads Node's built-ins (once per call; `nodeModules` memoises). */
export const loadNodeModules: (() => Promise<NodeModules>) | undefined = async () => {
  const [fs, fsSync, os, path, module, workerThreads] = await Promise.all([
    import('node:fs/promises'),
    import('node:fs'),
    import('node:os'),
    import('node:path'),
    import('node:module'),
    import('node:worker_threads'),
  ]);
  return { fs, fsSync, os, path, createRequire: module.createRequire, workerThreads, cliProgress: () => import('cli-progress') };
};
