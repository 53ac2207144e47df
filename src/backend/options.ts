/**
 * The options checker's fields of {@link UseBackendOptions}: unknown keys are errors. The values of
 * `threads` and `wasmPaths` are checked where they are used (`useBackend.ts`).
 * @module
 */
import { is, optionsSchema } from '../core/options.js';
import type { UseBackendOptions, WasmFileMap } from './useBackend.js';

/** The schema of `useBackend`'s options. */
export const USE_BACKEND_OPTIONS = optionsSchema<UseBackendOptions>()('useBackend', {
  threads: is.any<number>(),
  wasmPaths: is.any<string | WasmFileMap>(),
  kernelReplacements: is.boolean(),
});
