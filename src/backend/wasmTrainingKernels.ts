/**
 * Training kernels that tfjs 4.22's wasm backend lacks. (Placeholder: filled in by the wasm kernels work.)
 * @module
 */

/** Registers the missing training kernels on the wasm backend; returns the names registered. Idempotent. */
export function registerWasmTrainingKernels(): string[] {
  return [];
}
