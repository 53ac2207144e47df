/**
 * Makes tfjs-backend-wasm's threaded build survive minifying bundlers in the browser.
 *
 * tfjs-backend-wasm 4.22 starts each pthread worker from a Blob holding the source text of its threaded
 * glue (`factory.toString()`). That function reads `_scriptDir`, a variable of the scope around it, which a
 * worker does not have; tfjs guards the read with `typeof _scriptDir !== "undefined"`. Minifiers that see
 * the declaration (Vite's, terser's `typeofs`) rewrite the guard as `e !== void 0`, and every worker then
 * dies with `ReferenceError: e is not defined` (the family of tfjs issues 4107, 4253, 4539): a
 * cross-origin-isolated page of a production build never gets its threads. While the backend starts, the
 * worker's copy of the glue is given a declaration of that variable, whatever the minifier named it.
 *
 * @example
 * ```ts
 * const ok = await withWorkerSafeGlue(() => tf.setBackend('wasm'));
 * ```
 * @module
 */

const GLUE_START = 'var WasmBackendModuleThreadedSimd = ';
/** `urlOrBlob: Module.mainScriptUrlOrBlob || _scriptDir`, minified or not: captures the script-dir variable. */
const SCRIPT_DIR_READ = /["']?urlOrBlob["']?\s*:\s*[\w$]+(?:\.mainScriptUrlOrBlob|\[["']mainScriptUrlOrBlob["']\])\s*\|\|\s*([\w$]+)/;

/** The Blob parts with a declaration of the glue's script-dir variable in front, when they are the glue. */
export function declareGlueScope(parts: readonly BlobPart[] | undefined): BlobPart[] | undefined {
  const first = parts?.[0];
  if (typeof first !== 'string' || !first.startsWith(GLUE_START)) return parts as BlobPart[] | undefined;
  const read = SCRIPT_DIR_READ.exec(first);
  return read ? [`var ${read[1]};`, ...parts!] : (parts as BlobPart[]);
}

/**
 * Runs `start` (the wasm backend's initialisation) with `Blob` replaced by a subclass that applies
 * {@link declareGlueScope}; `Blob` is restored when `start` settles. Outside browsers it just runs `start`.
 */
export async function withWorkerSafeGlue<T>(start: () => Promise<T>): Promise<T> {
  const scope = globalThis as { Blob?: typeof Blob };
  const Original = scope.Blob;
  if (Original === undefined) return start();
  class GlueBlob extends Original {
    constructor(parts?: BlobPart[], options?: BlobPropertyBag) {
      super(declareGlueScope(parts), options);
    }
  }
  scope.Blob = GlueBlob;
  try {
    return await start();
  } finally {
    scope.Blob = Original;
  }
}
