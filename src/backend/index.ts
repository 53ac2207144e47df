export { useBackend, currentBackend, BACKEND_NAMES, WASM_BINARIES } from './useBackend.js';
export type { BackendName, BackendInfo, UseBackendOptions, WasmFileMap } from './useBackend.js';
export { registerWasmTrainingKernels } from './wasmTrainingKernels.js';
export { isNode, isBrowser } from './environment.js';
export { registerCpuKernelFixes } from './cpuKernelFixes.js';
