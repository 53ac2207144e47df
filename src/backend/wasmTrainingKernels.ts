/**
 * Training kernels for tfjs 4.22's wasm backend.
 *
 * Missing: the wasm backend registers no `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput` or `UnsortedSegmentSum`, so no convolution layer (Conv2D,
 * Conv2DTranspose, SeparableConv2D, DepthwiseConv2D) and no gather (Embedding) can be trained on it. They
 * are added here, composed from the backend's own XNNPACK-backed kernels (Conv2D, DepthwiseConv2dNative,
 * BatchMatMul) and data-movement kernels (Transpose, PadV2, Slice, Reverse, Sum); every intermediate is
 * freed. The decompositions are described in `./wasm/convKernels.ts`.
 *
 * Wrong: two kernels the backend has give wrong results, and are replaced.
 * - `MaxPoolGrad` passes no gradient from a pooling window whose values are all negative (its running
 *   maximum starts at FLT_MIN): MaxPooling2D after tanh, BatchNormalization, LeakyReLU or no activation.
 * - `Conv2D`, `FusedConv2D`, `DepthwiseConv2dNative`, `FusedDepthwiseConv2D` with padding 'same' and a
 *   stride larger than the kernel (where TensorFlow's padding is negative, clamped to 0) shift the windows.
 *
 * Slow: kernels that run as scalar loops or behind large transposes, and dominated a conv autoencoder's
 * training step, are replaced (each hands the cases it does not cover back to the original):
 * - `Conv2DBackpropInput` (Conv2D input gradient, Conv2DTranspose forward pass): sub-pixel decomposition
 *   into one XNNPACK convolution per row phase.
 * - `BatchMatMul` with transposeA/transposeB (Dense gradients): explicit transpose, then XNNPACK.
 * - `ResizeNearestNeighborGrad` (UpSampling2D gradient): a depthwise box-sum convolution for integer
 *   factors; the exact adjoint loop of `../cpuKernelFixes.ts` otherwise (the backend's own kernel is wrong
 *   with `halfPixelCenters`).
 * - `Sum` and `Mean` over leading axes (bias gradients, BatchNormalization): XNNPACK average pooling.
 *
 * Checked by training tiny tfjs-layers models on wasm (`tf.variableGrads` of an MSE plus binary
 * cross-entropy loss on `model.apply(x, { training: true })`, compared with cpu): Dense, Conv1D, Conv2D
 * (stride 1/2/[2,1], same/valid/explicit, odd sizes), Conv2DTranspose (stride 1/2), SeparableConv2D,
 * DepthwiseConv2D, MaxPooling2D, AveragePooling2D, GlobalAverage/MaxPooling2D, UpSampling2D,
 * BatchNormalization, Dropout, Flatten, Reshape, Cropping2D, ZeroPadding2D, Embedding (gather),
 * activations sigmoid/tanh/relu/leakyRelu/elu/selu/softplus/softmax/PReLU, the loss pieces log, clipByValue,
 * exp, mean, sum, squaredDifference, and randomNormal sampling with exp (VAE). Nothing else was missing.
 * (The cpu backend's own `ResizeNearestNeighborGrad` is wrong for batch > 1: `useBackend('cpu')` corrects it.)
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import {
  conv2DBackpropFilter,
  conv2DBackpropInput,
  depthwiseConv2dNativeBackpropFilter,
  depthwiseConv2dNativeBackpropInput,
  setOriginalConv2DBackpropInput,
} from './wasm/convKernels.js';
import {
  batchMatMul,
  maxPoolGrad,
  mean,
  resizeNearestNeighborGrad,
  sameAsValidWhereNegative,
  setOriginalBatchMatMul,
  setOriginalMean,
  setOriginalSum,
  sum,
  unsortedSegmentSum,
} from './wasm/otherKernels.js';
import { kernelOptions, WASM } from './wasm/util.js';

/** Kernels tfjs-backend-wasm 4.22 lacks. */
const MISSING: ReadonlyArray<{ kernelName: string; kernelFunc: KernelFunc }> = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseConv2dNativeBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseConv2dNativeBackpropInput },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
];

/**
 * Kernels tfjs-backend-wasm 4.22 has but gets wrong or runs slowly. `create` receives the backend's own
 * kernel function, which the replacement calls for the cases it does not handle.
 */
const REPLACED: ReadonlyArray<{ kernelName: string; create: (original: KernelFunc) => KernelFunc; enabled: () => boolean }> = [
  // Wrong results.
  { kernelName: 'MaxPoolGrad', create: () => maxPoolGrad, enabled: () => true },
  ...['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'].map((kernelName) => ({
    kernelName,
    create: sameAsValidWhereNegative,
    enabled: () => true,
  })),
  // Slow.
  {
    kernelName: 'Conv2DBackpropInput',
    create: (original: KernelFunc) => (setOriginalConv2DBackpropInput(original), conv2DBackpropInput),
    enabled: () => kernelOptions.fastConv2DBackpropInput,
  },
  {
    kernelName: 'BatchMatMul',
    create: (original: KernelFunc) => (setOriginalBatchMatMul(original), batchMatMul),
    enabled: () => kernelOptions.fastBatchMatMul,
  },
  {
    kernelName: 'ResizeNearestNeighborGrad',
    create: () => resizeNearestNeighborGrad,
    enabled: () => kernelOptions.fastResizeNearestNeighborGrad,
  },
  {
    kernelName: 'Sum',
    create: (original: KernelFunc) => (setOriginalSum(original), sum),
    enabled: () => kernelOptions.fastLeadingReductions,
  },
  {
    kernelName: 'Mean',
    create: (original: KernelFunc) => (setOriginalMean(original), mean),
    enabled: () => kernelOptions.fastLeadingReductions,
  },
];

/** The kernel functions this module registered (so that a second call leaves them in place). */
const registered = new WeakSet<KernelFunc>();

/**
 * Registers, for the wasm backend, the training kernels tfjs 4.22 lacks (`Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter`, `DepthwiseConv2dNativeBackpropInput`, `UnsortedSegmentSum`),
 * corrects `MaxPoolGrad` and the forward convolutions' 'same' padding, and swaps in faster
 * `Conv2DBackpropInput`, `BatchMatMul`, `ResizeNearestNeighborGrad`, `Sum` and `Mean` kernels. Called by
 * `useBackend('wasm')` after the backend is set; idempotent: only what is not yet in place is registered.
 *
 * @returns the names of the kernels registered or replaced by this call (`[]` when already done).
 */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const { kernelName, kernelFunc } of MISSING) {
    if (tf.getKernel(kernelName, WASM) !== undefined) continue;
    registered.add(kernelFunc);
    tf.registerKernel({ kernelName, backendName: WASM, kernelFunc });
    added.push(kernelName);
  }
  for (const { kernelName, create, enabled } of REPLACED) {
    const current = tf.getKernel(kernelName, WASM);
    if (current === undefined || registered.has(current.kernelFunc) || !enabled()) continue;
    const kernelFunc = create(current.kernelFunc);
    registered.add(kernelFunc);
    tf.unregisterKernel(kernelName, WASM);
    // The original setup/dispose functions stay: they initialise the original kernel, which is still called.
    tf.registerKernel({
      kernelName,
      backendName: WASM,
      kernelFunc,
      ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
      ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
    });
    added.push(kernelName);
  }
  return added;
}
