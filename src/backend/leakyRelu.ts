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
import { util } from '@tensorflow/tfjs-core';
import type { GradConfig, KernelFunc, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { SIMD_ACTIVATIONS_PLAIN, SIMD_ACTIVATIONS_SHARED } from './wasm/simdActivations.bytes.js';
import { onHeapPerBackend } from './wasm/simdUpdates.js';
import { byteOffset } from './wasm/movementKernels.js';
import type { Heap } from './wasm/movementKernels.js';
import { kernelOptions } from './wasm/util.js';

/** The kernel's name (not tfjs's: it exists only where latentkit registers it). */
export const LEAKY_RELU_GRAD = 'LatentkitLeakyReluGrad';

interface Loops {
  leaky(x: number, y: number, n: number, alpha: number): void;
  leakyGrad(x: number, dy: number, g: number, n: number, alpha: number): void;
}

const activationLoops = onHeapPerBackend<Loops>(SIMD_ACTIVATIONS_SHARED, SIMD_ACTIVATIONS_PLAIN);

const f = Math.fround;

/** `x > 0 ? dy : dy * alpha` over arrays (the cpu kernel; the wasm one where its module cannot run). */
export function leakyGradLoop(x: ArrayLike<number>, dy: ArrayLike<number>, out: Float32Array, alpha: number): void {
  const a = f(alpha);
  for (let i = 0; i < out.length; i++) out[i] = x[i]! > 0 ? dy[i]! : dy[i]! * a;
}

function cpuValues(backend: unknown, t: TensorInfo): Float32Array {
  return (backend as { data: { get(id: object): { values: Float32Array } } }).data.get(t.dataId).values;
}

const cpuGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const out = new Float32Array(util.sizeFromShape(x.shape));
  leakyGradLoop(cpuValues(backend, x), cpuValues(backend, dy), out, (attrs as unknown as { alpha: number }).alpha);
  return (backend as unknown as { makeTensorInfo(shape: number[], dtype: string, values: Float32Array): TensorInfo }).makeTensorInfo([...x.shape], 'float32', out);
};

const wasmGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { alpha } = attrs as unknown as { alpha: number };
  const h = backend as Heap;
  const n = util.sizeFromShape(x.shape);
  const out = h.makeOutput([...x.shape], 'float32');
  if (n === 0) return out;
  const loops = activationLoops(backend);
  if (loops) loops.leakyGrad(byteOffset(h, x), byteOffset(h, dy), byteOffset(h, out), n, alpha);
  else {
    // Views after the allocation (the heap may have grown).
    const buffer = h.wasm.HEAPU8.buffer as ArrayBuffer;
    const view = (t: TensorInfo) => new Float32Array(buffer, byteOffset(h, t), n);
    leakyGradLoop(view(x), view(dy), view(out), alpha);
  }
  return out;
};

/** The kernels latentkit adds (`./kernels.ts`). */
export const LEAKY_RELU_GRAD_KERNELS = (['wasm', 'cpu'] as const).map((backendName) => ({
  kernelName: LEAKY_RELU_GRAD,
  backendName,
  kernelFunc: backendName === 'wasm' ? wasmGrad : cpuGrad,
  why: 'fused: the LeakyReLU gradient in one pass (tfjs: Greater, Multiply and Select)',
}));

/** wasm `LeakyRelu` of float32 as the SIMD loop (tfjs's: a scalar loop); other dtypes go to tfjs's kernel. */
export function wasmLeakyRelu(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const loops = x.dtype === 'float32' ? activationLoops(args.backend) : undefined;
    if (!loops) return original(args);
    const h = args.backend as Heap;
    const out = h.makeOutput([...x.shape], 'float32');
    const n = util.sizeFromShape(x.shape);
    if (n > 0) loops.leaky(byteOffset(h, x), byteOffset(h, out), n, (args.attrs as unknown as { alpha: number }).alpha);
    return out;
  };
}

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
