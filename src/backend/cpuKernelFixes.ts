/**
 * Corrections to tfjs 4.22's cpu backend that training needs.
 *
 * - `ResizeNearestNeighborGrad` (the gradient of UpSampling2D and of nearest-neighbour resizing) offsets
 *   `dy` by the images' batch stride instead of its own, so every example after the first gets a wrong
 *   gradient (measured: max error 6.7 on a [3, 4, 5, 2] -> [3, 8, 10, 2] upsampling, against 5e-7 on wasm);
 *   it ignores `halfPixelCenters`; with `alignCorners` and an input side of 1 it divides by zero and never
 *   returns. The replacement is the exact adjoint of the cpu forward kernel: each output pixel's gradient
 *   goes back to the source pixel the forward pass read, with the same index rules.
 * Installed by `./kernels.ts`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { ReplacedKernel } from './kernels.js';

interface HostBackend {
  readSync(dataId: object): ArrayLike<number>;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfo;
}

/** The source index the nearest-neighbour forward pass reads for output index `i` (tfjs's rules). */
export function nearestSourceIndex(i: number, inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): number {
  const effectiveIn = alignCorners && outSize > 1 ? inSize - 1 : inSize;
  const effectiveOut = alignCorners && outSize > 1 ? outSize - 1 : outSize;
  const ratio = effectiveIn / effectiveOut;
  const frac = halfPixelCenters ? ratio * (i + 0.5) : ratio * i;
  const nearest = Math.min(inSize - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
  return halfPixelCenters ? Math.max(0, nearest) : nearest;
}

/**
 * The exact adjoint of the `ResizeNearestNeighbor` forward kernel, on host arrays: each `dy` value is added
 * to the source pixel the forward pass read for it. Shared by the cpu correction and the wasm kernel for
 * the resizes its fast path does not cover (the wasm backend's own is wrong with `halfPixelCenters`).
 */
export function resizeNearestNeighborGradValues(
  dyValues: ArrayLike<number>,
  imagesShape: readonly number[],
  dyShape: readonly number[],
  alignCorners: boolean,
  halfPixelCenters: boolean,
): Float32Array {
  const [batch, inH, inW, channels] = imagesShape as [number, number, number, number];
  const [, outH, outW] = dyShape as [number, number, number, number];
  const dx = new Float32Array(batch * inH * inW * channels);
  const rows = Array.from({ length: outH }, (_, r) => nearestSourceIndex(r, inH, outH, alignCorners, halfPixelCenters));
  const cols = Array.from({ length: outW }, (_, c) => nearestSourceIndex(c, inW, outW, alignCorners, halfPixelCenters));
  let k = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outH; r++) {
      const rowBase = (b * inH + rows[r]!) * inW;
      for (let c = 0; c < outW; c++) {
        const base = (rowBase + cols[c]!) * channels;
        for (let d = 0; d < channels; d++) dx[base + d] += dyValues[k++]!;
      }
    }
  }
  return dx;
}

/**
 * The corrected cpu `ResizeNearestNeighborGrad`. Shapes that no resize produces (dy and images disagreeing
 * in batch or channels) go to `original`.
 */
export function resizeNearestNeighborGradCpu(original: KernelFunc): KernelFunc {
  return (args) => {
    const cpu = args.backend as unknown as HostBackend;
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as unknown as { alignCorners: boolean; halfPixelCenters: boolean };
    if (images.shape.length !== 4 || dy.shape.length !== 4 || dy.shape[0] !== images.shape[0] || dy.shape[3] !== images.shape[3]) {
      return original(args);
    }
    const dx = resizeNearestNeighborGradValues(cpu.readSync(dy.dataId), images.shape, dy.shape, alignCorners, halfPixelCenters);
    return cpu.makeTensorInfo(images.shape, 'float32', dx);
  };
}

/** Kernels of tfjs-backend-cpu 4.22 that latentkit replaces. */
export const CPU_REPLACED: readonly ReplacedKernel[] = [
  {
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: 'cpu',
    create: resizeNearestNeighborGradCpu,
    why: 'wrong for batch > 1 (UpSampling2D gradient), ignores halfPixelCenters, loops forever with alignCorners and an input side of 1',
  },
];
