/**
 * Elementwise float32 kernels of the wasm backend as latentkit's SIMD loops (`./simdElementwise.wat`), reading
 * and writing the heap in place. Internal: registered by `../kernels.ts`.
 *
 * - `Tanh` (GAN activations): tfjs's kernel calls the scalar tanhf for every value (~9 ns each, 16% of a dense
 *   GAN's step); the loop computes 4 at a time, within 2 ulp of the correctly rounded tanh (as tanhf is).
 * - `ClipByValue`: tfjs's kernel (an XNNPACK clamp) turns NaN into the lower bound (and returns x unchanged
 *   when min = max), so on wasm a diverged model's cross-entropy, which clips its probabilities, was a finite
 *   loss; `Relu`: tfjs's returned 0 for the NaN activations of a NaN batch inside a training step (though not
 *   on the differential suite's cases). The loops compute what tfjs's cpu kernels do (`Math.max(0, x)`;
 *   `x < lo ? lo : x > hi ? hi : x`), so a NaN batch gives a NaN loss on wasm as on cpu.
 *
 * Other dtypes, or a backend where the module cannot be instantiated, go to tfjs's kernels.
 * @module
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { SIMD_ELEMENTWISE_PLAIN, SIMD_ELEMENTWISE_SHARED } from './simdElementwise.bytes.js';
import { onHeapPerBackend } from './simdUpdates.js';
import { byteOffset } from './movementKernels.js';
import type { Heap } from './movementKernels.js';
import { kernelOptions } from './util.js';

/** The loops, on byte offsets into the heap; n in values. */
interface Loops {
  tanh(x: number, y: number, n: number): void;
  relu(x: number, y: number, n: number): void;
  clip(x: number, y: number, n: number, lo: number, hi: number): void;
}

/** The elementwise loops for this wasm backend, or undefined where they cannot run. */
export const elementwiseLoops = onHeapPerBackend<Loops>(SIMD_ELEMENTWISE_SHARED, SIMD_ELEMENTWISE_PLAIN);

/** A float32 kernel of one input `x` as a loop over the heap (`loop(x, y, n)` on byte offsets), else `original`. */
function heapUnary(original: KernelFunc, enabled: () => boolean, loop: (l: Loops, x: number, y: number, n: number, attrs: NamedAttrMap) => void): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const loops = enabled() && x.dtype === 'float32' ? elementwiseLoops(args.backend) : undefined;
    if (!loops) return original(args);
    const b = args.backend as Heap;
    const out = b.makeOutput([...x.shape], 'float32');
    const n = util.sizeFromShape(x.shape);
    if (n > 0) loop(loops, byteOffset(b, x), byteOffset(b, out), n, args.attrs ?? {});
    return out;
  };
}

/** Tanh, 4 values at a time (switch `simdTanh`). */
export const tanh = (original: KernelFunc): KernelFunc => heapUnary(original, () => kernelOptions.simdTanh, (l, x, y, n) => l.tanh(x, y, n));

/** Relu keeping NaN, as the cpu kernel. */
export const relu = (original: KernelFunc): KernelFunc => heapUnary(original, () => true, (l, x, y, n) => l.relu(x, y, n));

/** ClipByValue keeping NaN, as the cpu kernel. */
export const clipByValue = (original: KernelFunc): KernelFunc =>
  heapUnary(original, () => true, (l, x, y, n, attrs) => {
    const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
    l.clip(x, y, n, clipValueMin, clipValueMax);
  });
