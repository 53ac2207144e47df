export { useBackend, currentBackend, BACKEND_NAMES } from './useBackend.js';
export type { BackendName, BackendInfo, UseBackendOptions } from './useBackend.js';
export { ensureTrainingKernels, setKernelReplacements, latentkitKernels } from './kernels.js';
export type { KernelChange } from './kernels.js';
export { isNode, isBrowser } from './environment.js';
