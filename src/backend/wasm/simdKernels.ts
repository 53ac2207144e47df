/**
 * The wasm SIMD loops of two training kernels (`./simdKernels.wat`): the depthwise filter gradient with
 * channel multiplier 1 and the max-pool gradient, 4 channels per instruction, instantiated once per wasm
 * backend on tfjs-backend-wasm's own memory (they read and write the tensors' buffers in place). The kernels
 * use them when the channel count is a multiple of 4 and run their JavaScript loops otherwise, or where the
 * module cannot be instantiated. Internal.
 * @module
 */
import { SIMD_KERNELS_PLAIN, SIMD_KERNELS_SHARED } from './simdKernels.bytes.js';
import { onHeapPerBackend } from './simdUpdates.js';

/** The loops, on byte offsets into the heap; sizes in elements. */
export interface SimdKernels {
  depthwiseFilterGrad(...args: number[]): void;
  maxPoolGrad(...args: number[]): void;
  allFinite(p: number, n: number): number;
  filterGradF4(...args: number[]): void;
  col2im(...args: number[]): void;
}

/** The SIMD kernels for this wasm backend (instantiated on first use), or undefined where they cannot run. */
export const simdKernels = onHeapPerBackend<SimdKernels>(SIMD_KERNELS_SHARED, SIMD_KERNELS_PLAIN);
