/**
 * The gradient of ReLU as one kernel, `LatentkitReluGrad` (inputs `dy`, `x`), on wasm (a SIMD loop of
 * `./wasm/simdKernels.wat`) and cpu (a JavaScript loop). tfjs's gradient is `dy * cast(step(x))`: three
 * kernels and two temporary tensors the size of the layer's output for every ReLU in every training step
 * (on 2 wasm threads each of them also wakes XNNPACK's pool). The kernel computes the same products: step
 * is 1 above 0, 0 at or below it, and NaN where x is (the wasm Step passes x's NaN through, cpu's a NaN),
 * so the results are bit for bit tfjs's on each backend. Elsewhere (webgl), for int32 inputs, or with
 * `kernelOptions.fusedReluGrad` off, the gradient is tfjs's own. Its own gradient (for second-order
 * gradients, WGAN-GP's penalty through ReLU layers) is the same kernel for `dy` and zeros for `x`, as tfjs's.
 * Internal: registered by `./kernels.ts`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataType, GradConfig, KernelFunc, Tensor, TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernels } from './wasm/simdKernels.js';
import { kernelOptions } from './wasm/util.js';

export const RELU_GRAD = 'LatentkitReluGrad';

interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
}
interface CpuBackend {
  data: { get(dataId: object): { values?: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array): TensorInfo;
}

/** out[i] = dy[i] * step(x[i]), with `nanStep` the step of a NaN (x's own value on wasm, a NaN on cpu). */
function loop(dy: ArrayLike<number>, x: ArrayLike<number>, out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const xi = x[i]!;
    out[i] = dy[i]! * (xi !== xi ? xi : xi > 0 ? 1 : 0);
  }
}

function checked(inputs: Record<string, TensorInfo | undefined>): { dy: TensorInfo; x: TensorInfo } {
  const { dy, x } = inputs;
  if (!dy || !x || dy.dtype !== 'float32' || x.dtype !== 'float32' || dy.shape.join() !== x.shape.join()) {
    throw new Error(`latentkit: ${RELU_GRAD} takes float32 dy and x of one shape; got dy ${dy?.dtype} [${dy?.shape}], x ${x?.dtype} [${x?.shape}].`);
  }
  return { dy, x };
}

const wasmKernel: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = checked(inputs as Record<string, TensorInfo>);
  const b = backend as WasmBackend;
  const out = b.makeOutput([...x.shape], 'float32');
  const n = tf.util.sizeFromShape(x.shape);
  if (n === 0) return out;
  const simd = simdKernels(b);
  // Offsets and views are taken after the allocation (which may grow the heap and detach older views).
  if (simd) simd.reluGrad(b.dataIdMap.get(dy.dataId).memoryOffset, b.dataIdMap.get(x.dataId).memoryOffset, b.dataIdMap.get(out.dataId).memoryOffset, n);
  else loop(b.typedArrayFromHeap(dy), b.typedArrayFromHeap(x), b.typedArrayFromHeap(out) as Float32Array);
  return out;
};

const cpuKernel: KernelFunc = ({ inputs, backend }) => {
  const { dy, x } = checked(inputs as Record<string, TensorInfo>);
  const b = backend as CpuBackend;
  const out = new Float32Array(tf.util.sizeFromShape(x.shape));
  loop(b.data.get(dy.dataId).values!, b.data.get(x.dataId).values!, out);
  return b.makeTensorInfo([...x.shape], 'float32', out);
};

/** The kernel on wasm and cpu, for `./kernels.ts` to register. */
export const RELU_GRAD_KERNELS = [
  { kernelName: RELU_GRAD, backendName: 'wasm', kernelFunc: wasmKernel, why: "fused: ReLU's gradient in one pass (tfjs: Step, Cast and Multiply)" },
  { kernelName: RELU_GRAD, backendName: 'cpu', kernelFunc: cpuKernel, why: "fused: ReLU's gradient in one loop (tfjs: Step, Cast and Multiply)" },
] as const;

/** dy * step(x): the fused kernel where it exists for the active backend, else tfjs's ops. */
function reluGradOf(dy: Tensor, x: Tensor): Tensor {
  if (kernelOptions.fusedReluGrad && dy.dtype === 'float32' && x.dtype === 'float32' && tf.getKernel(RELU_GRAD, tf.getBackend()) !== undefined) {
    return tf.engine().runKernel(RELU_GRAD, { dy, x }) as Tensor;
  }
  return tf.mul(dy, tf.cast(tf.step(x), 'float32'));
}

/** Replaces tfjs's Relu gradient (installed with the kernel replacements, `./gradientFixes.ts`). */
export const reluGradConfig: GradConfig = {
  kernelName: 'Relu',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved as [Tensor];
    return { x: () => reluGradOf(dy as Tensor, x) };
  },
};

/** The fused kernel's own gradient: linear in dy (the same kernel), constant in x (step's gradient is 0). */
export const reluGradGradConfig: GradConfig = {
  kernelName: RELU_GRAD,
  inputsToSave: ['x'],
  gradFunc: (ddy: Tensor | Tensor[], saved: Tensor[]) => {
    const [x] = saved as [Tensor];
    return { dy: () => reluGradOf(ddy as Tensor, x), x: () => tf.zerosLike(x) };
  },
};
