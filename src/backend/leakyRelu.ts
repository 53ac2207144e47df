/**
 * LeakyReLU for training: its gradient as one kernel, and on wasm its forward pass as a SIMD loop
 * (`./wasm/simdActivations.wat`). A DCGAN's discriminator spent 13% of a two-thread step in LeakyReLU: tfjs's
 * wasm kernel is a scalar loop (~3 ns a value), and tfjs-core's gradient `where(x > 0, dy, dy * alpha)` is
 * three passes (Greater, Multiply, Select) with a bool tensor between them.
 *
 * - `LatentkitLeakyReluGrad` (inputs x, dy; attribute alpha): `x > 0 ? dy : dy * alpha`, registered for wasm
 *   (the SIMD loop) and cpu (a JavaScript loop); the values are tfjs's composition's, bit for bit (one float32
 *   product per value, or none).
 * - The gradient of `LeakyRelu` (replaced on every backend, `./gradientFixes.ts`) runs that kernel where it is
 *   registered, else tfjs's composition. The kernel has a gradient of its own (zero for x, itself for dy), so
 *   a second-order gradient through LeakyReLU works, which tfjs's composition cannot do (Greater has none).
 * - wasm `LeakyRelu` (float32): `x < 0 ? alpha * x : x` as tfjs's C++ loop, 4 values at a time.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { buffers, type BackendKind } from './fusedUpdates.js';
import { SIMD_ACTIVATIONS_PLAIN, SIMD_ACTIVATIONS_SHARED } from './wasm/simdActivations.bytes.js';
import { heapUnary } from './wasm/elementwiseKernels.js';
import { onHeapPerBackend } from './wasm/simdUpdates.js';
import { kernelOptions } from './wasm/util.js';

/** The kernel's name (not tfjs's: it exists only where latentkit registers it). */
export const LEAKY_RELU_GRAD = 'LatentkitLeakyReluGrad';

interface Loops {
  leaky(x: number, y: number, n: number, alpha: number): void;
  leakyGrad(x: number, dy: number, g: number, n: number, alpha: number): void;
}

const activationLoops = onHeapPerBackend<Loops>(SIMD_ACTIVATIONS_SHARED, SIMD_ACTIVATIONS_PLAIN);

/** `x > 0 ? dy : dy * alpha` over arrays (the cpu kernel; the wasm one where its module cannot run). */
export function leakyGradLoop(x: ArrayLike<number>, dy: ArrayLike<number>, out: Float32Array, alpha: number): void {
  const a = Math.fround(alpha);
  for (let i = 0; i < out.length; i++) out[i] = x[i]! > 0 ? dy[i]! : dy[i]! * a;
}

function gradKernel(kind: BackendKind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const { alpha } = attrs as unknown as { alpha: number };
    const buf = buffers(kind, backend, [x, dy], x, 1, LEAKY_RELU_GRAD);
    const [xs, dys] = buf.inputs as [Float32Array, Float32Array];
    const loops = kind === 'wasm' ? activationLoops(backend) : undefined;
    if (loops && buf.offsets) loops.leakyGrad(buf.offsets[0]!, buf.offsets[1]!, buf.offsets[2]!, xs.length, alpha);
    else leakyGradLoop(xs, dys, buf.outputs[0]!, alpha);
    return buf.result[0]!;
  };
}

/** The kernels latentkit adds (`./kernels.ts`). */
export const LEAKY_RELU_GRAD_KERNELS = (['wasm', 'cpu'] as const).map((backendName) => ({
  kernelName: LEAKY_RELU_GRAD,
  backendName,
  kernelFunc: gradKernel(backendName),
  why: 'fused: the LeakyReLU gradient in one pass (tfjs: Greater, Multiply and Select)',
}));

/** wasm `LeakyRelu` of float32 as the SIMD loop (tfjs's: a scalar loop); other dtypes go to tfjs's kernel. */
export const wasmLeakyRelu = (original: KernelFunc): KernelFunc =>
  heapUnary(original, () => true, (l, x, y, n, attrs) => l.leaky(x, y, n, (attrs as unknown as { alpha: number }).alpha), activationLoops);

/** tfjs-core's LeakyRelu gradient, with the fused kernel where it applies. */
export const leakyReluGrad: GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved as [Tensor];
    const g = dy as Tensor;
    const { alpha } = attrs as unknown as { alpha: number };
    return { x: () => leakyReluBackward(x, g, alpha) };
  },
};

/**
 * The LeakyReLU gradient `x > 0 ? dy : dy * alpha`: the fused kernel where it is registered (and its switch
 * on), else tfjs-core's composition; the same values either way.
 */
export function leakyReluBackward(x: Tensor, dy: Tensor, alpha: number): Tensor {
  const fused = kernelOptions.fusedLeakyReluGrad && x.dtype === 'float32' && dy.dtype === 'float32' && tf.getKernel(LEAKY_RELU_GRAD, tf.getBackend()) !== undefined;
  if (fused) return leakyGrad(x, dy, alpha);
  return tf.where(tf.greater(x, 0), dy, tf.mul(dy, alpha));
}

const leakyGrad = (x: Tensor, dy: Tensor, alpha: number): Tensor =>
  tf.engine().runKernel(LEAKY_RELU_GRAD, { x, dy }, { alpha } as unknown as NamedAttrMap) as Tensor;

/**
 * The gradient of {@link LEAKY_RELU_GRAD} (registered with the kernel): the mask does not vary with x (zero
 * almost everywhere), and the result is linear in dy with the same mask.
 */
export const leakyReluGradGradient: GradConfig = {
  kernelName: LEAKY_RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (d: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x] = saved as [Tensor];
    const { alpha } = attrs as unknown as { alpha: number };
    return { x: () => tf.zerosLike(x), dy: () => leakyGrad(x, d as Tensor, alpha) };
  },
};
