/**
 * Where latentkit runs: detected once, in one place.
 * @module
 */

/** True in Node.js (and runtimes that present themselves as Node, such as vitest workers). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions === 'object' && !!process.versions.node;
}

/** True where a DOM-like `window` or a worker global exists: a browser page or a web worker. */
export function isBrowser(): boolean {
  const g = globalThis as Record<string, unknown>;
  return typeof g['window'] === 'object' || typeof g['WorkerGlobalScope'] === 'function';
}
