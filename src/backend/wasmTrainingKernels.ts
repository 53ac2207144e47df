/**
 * What latentkit changes in tfjs 4.22's wasm backend, and why. Installed by `./kernels.ts`.
 *
 * Missing: the wasm backend registers no `Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput` or `UnsortedSegmentSum`, so no convolution layer (Conv2D,
 * Conv2DTranspose, SeparableConv2D, DepthwiseConv2D) and no gather (Embedding) can be trained on it. They
 * are added, composed from the backend's own XNNPACK-backed kernels (Conv2D, DepthwiseConv2dNative,
 * BatchMatMul) and data-movement kernels (Transpose, PadV2, Slice, Reverse, Sum); every intermediate is
 * freed.
 *
 * Wrong: kernels the backend has that give wrong results are replaced.
 * - `MaxPoolGrad` passes no gradient from a pooling window without a positive value (its running maximum
 *   starts at FLT_MIN): MaxPooling2D after tanh, BatchNormalization, LeakyReLU or no activation. It also
 *   misreads a dy larger than the pooled size, and breaks ties differently from the cpu kernel (which takes the first maximum).
 * - `Conv2D`, `FusedConv2D`, `DepthwiseConv2dNative`, `FusedDepthwiseConv2D` whenever tfjs's output size is
 *   not the one XNNPACK derives from the padding: 'same' with a stride larger than the kernel (TensorFlow's
 *   padding is negative, clamped to 0) shifts the windows; a numeric pad with a non-square kernel or stride,
 *   or `dimRoundingMode` 'ceil'/'round', gives wrong values or writes past the output buffer, corrupting the
 *   wasm heap ("memory access out of bounds" in a later, unrelated kernel).
 * - `ClipByValue` turns NaN into the lower bound (cpu keeps NaN), and returns x unchanged when min = max: a
 *   diverged model's cross-entropy (which clips its probabilities) was a finite loss. `Relu` returned 0 for
 *   the NaN activations of a NaN batch inside a training step.
 * - `ResizeNearestNeighborGrad` ignores `halfPixelCenters`, and returns zeros with `alignCorners` when an
 *   input side is 1.
 *
 * Slow: kernels that run as scalar loops or behind large transposes, and dominated a conv autoencoder's
 * training step, are replaced:
 * - `Conv2DBackpropInput` (Conv2D input gradient, Conv2DTranspose forward pass): sub-pixel decomposition
 *   into one XNNPACK convolution per row phase.
 * - `BatchMatMul` and `_FusedMatMul` in float32 (every Dense layer, forward and gradients): latentkit's SIMD
 *   product, reading the operands in place; XNNPACK packed every new right operand first (every product in
 *   training), and transposed products fell back to a scalar loop.
 * - `ResizeNearestNeighborGrad` for integer factors (UpSampling2D gradient): box sums on the calling thread.
 * - `Sum` and `Mean` over leading axes of >= 4,096 elements (bias gradients, BatchNormalization): XNNPACK
 *   average pooling.
 * - `Tanh` (GAN activations): a SIMD loop instead of the scalar tanhf per value.
 * - `FusedBatchNorm` (BatchNormalization): a SIMD loop with tfjs's float32/float64 arithmetic, bit for bit its
 *   values, instead of its scalar loop.
 * - `Add`, `Sub`, `Multiply`, `RealDiv`, `SquaredDifference`, `Square`, `Neg`: SIMD loops on the calling
 *   thread instead of XNNPACK operators on tfjs's thread pool; `Sigmoid` and `PadV2` likewise.
 * - `Slice`, `SplitV`, `Unpack`, `Tile`, `Concat` (crops, the batch-norm gradient's tiled scale, phase
 *   concatenations and their gradients): copies of contiguous runs inside the heap; `Identity` shares its
 *   input's data instead of copying it.
 *
 * Every replacement bounds its work by the sizes tfjs computes (`computeConv2DInfo`, `computePool2DInfo`)
 * and hands the cases its fast path does not cover back to the backend's own kernel. Each is checked
 * against the cpu backend and the stock wasm kernel by the differential suite in `test/backend/`.
 * @module
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import type { AddedKernel, ReplacedKernel } from './kernels.js';
import { conv2DBackpropFilter } from './wasm/convKernels.js';
import { conv2DBackpropInput } from './wasm/convInputGrad.js';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './wasm/depthwiseKernels.js';
import { concat, identity, padV2, slice, splitV, tile, unpack } from './wasm/movementKernels.js';
import { reverse, transpose } from './wasm/gatherKernels.js';
import { batchMatMul as directBatchMatMul, fusedMatMul } from './wasm/matMulKernels.js';
import { batchMatMul, maxPoolGrad, mean, resizeNearestNeighborGrad, sum, tfjsSizedConvolution, unsortedSegmentSum } from './wasm/otherKernels.js';
import { add, castToBool, clipByValue, multiply, neg, realDiv, relu, sigmoid, square, squaredDifference, sub, tanh } from './wasm/elementwiseKernels.js';
import { fusedBatchNorm } from './wasm/batchNormKernels.js';
import { kernelOptions, WASM } from './wasm/util.js';
import { wasmLeakyRelu } from './leakyRelu.js';

/** Kernels tfjs-backend-wasm 4.22 lacks. */
export const WASM_ADDED: readonly AddedKernel[] = [
  { kernelName: 'Conv2DBackpropFilter', backendName: WASM, kernelFunc: conv2DBackpropFilter, why: 'missing: weight gradient of Conv2D and Conv2DTranspose' },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropFilter',
    backendName: WASM,
    kernelFunc: depthwiseConv2dNativeBackpropFilter,
    why: 'missing: weight gradient of DepthwiseConv2D and SeparableConv2D',
  },
  {
    kernelName: 'DepthwiseConv2dNativeBackpropInput',
    backendName: WASM,
    kernelFunc: depthwiseConv2dNativeBackpropInput,
    why: 'missing: input gradient of DepthwiseConv2D and SeparableConv2D',
  },
  { kernelName: 'UnsortedSegmentSum', backendName: WASM, kernelFunc: unsortedSegmentSum, why: 'missing: gradient of gather (Embedding)' },
];

const sizeFix =
  'wrong: padding "same" with a stride larger than the kernel shifts the windows; a numeric pad with a non-square kernel or stride, ' +
  'or dimRoundingMode ceil/round, gives wrong values or writes past the output buffer (heap corruption)';

/** Kernels tfjs-backend-wasm 4.22 has but gets wrong or runs slowly. */
export const WASM_REPLACED: readonly ReplacedKernel[] = [
  {
    kernelName: 'MaxPoolGrad',
    backendName: WASM,
    create: maxPoolGrad,
    why: 'wrong: no gradient from windows without a positive value; a dy larger than implied misread; ties broken unlike cpu',
  },
  ...['Conv2D', 'FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2D'].map((kernelName) => ({
    kernelName,
    backendName: WASM,
    create: (original: KernelFunc) => tfjsSizedConvolution(original, kernelName.includes('Depthwise')),
    why: sizeFix,
  })),
  {
    kernelName: 'ResizeNearestNeighborGrad',
    backendName: WASM,
    create: resizeNearestNeighborGrad,
    why: 'wrong: ignores halfPixelCenters, zeros with alignCorners and an input side of 1; slow: scalar loop (UpSampling2D gradient)',
    enabled: () => kernelOptions.fastResizeNearestNeighborGrad,
  },
  {
    kernelName: 'Conv2DBackpropInput',
    backendName: WASM,
    create: conv2DBackpropInput,
    why: 'slow: scalar loop (Conv2D input gradient, Conv2DTranspose)',
    enabled: () => kernelOptions.fastConv2DBackpropInput,
  },
  {
    kernelName: 'BatchMatMul',
    backendName: WASM,
    // The SIMD product (switch directMatMul, read per call); otherwise XNNPACK in the cheaper orientation.
    create: (original: KernelFunc) => directBatchMatMul(batchMatMul(original)),
    why: 'slow: packs every new right operand (every training product), and a scalar loop with transposeA/transposeB (Dense gradients)',
    enabled: () => kernelOptions.fastBatchMatMul,
  },
  {
    kernelName: '_FusedMatMul',
    backendName: WASM,
    create: fusedMatMul,
    why: 'slow: packs every new right operand (Dense forward pass in training)',
  },
  {
    kernelName: 'Sum',
    backendName: WASM,
    create: sum,
    why: 'slow: transposes before reducing leading axes (bias gradients)',
    enabled: () => kernelOptions.fastLeadingReductions,
  },
  {
    kernelName: 'Mean',
    backendName: WASM,
    create: mean,
    why: 'slow: transposes before reducing leading axes (BatchNormalization)',
    enabled: () => kernelOptions.fastLeadingReductions,
  },
  {
    kernelName: 'Slice',
    backendName: WASM,
    create: slice,
    why: 'slow: reads the whole input out of wasm memory, then copies one innermost row at a time (crops in convolution gradients)',
    enabled: () => kernelOptions.fastSlice,
  },
  ...(['SplitV', 'Unpack'] as const).map((kernelName) => ({
    kernelName,
    backendName: WASM,
    create: kernelName === 'SplitV' ? splitV : unpack,
    why: `slow: calls the slow Slice once per piece (${kernelName === 'SplitV' ? 'the gradient of Concat' : 'the gradient of tf.stack'})`,
    enabled: () => kernelOptions.fastSlice,
  })),
  {
    kernelName: 'Tile',
    backendName: WASM,
    create: tile,
    why: 'slow: a scalar loop over every output element (the batch-norm gradient tiles its scale to the input)',
    enabled: () => kernelOptions.fastTile,
  },
  {
    kernelName: 'Concat',
    backendName: WASM,
    create: concat,
    why: 'slow: one temporary array per copied row',
    enabled: () => kernelOptions.fastConcat,
  },
  {
    kernelName: 'Identity',
    backendName: WASM,
    create: identity,
    why: 'slow: copies its input (tf.clone, gradient bookkeeping; the cpu backend shares the data)',
    enabled: () => kernelOptions.sharedIdentity,
  },
  {
    kernelName: 'Transpose',
    backendName: WASM,
    create: transpose,
    why: 'slow: ~5 ns an element (convolution gradients and phase kernels transpose dozens of tensors per step)',
  },
  {
    kernelName: 'Relu',
    backendName: WASM,
    create: relu,
    why: 'wrong: returned 0 for NaN inside a training step (a NaN batch reached the loss as zeros)',
  },
  {
    kernelName: 'ClipByValue',
    backendName: WASM,
    create: clipByValue,
    why: 'wrong: turns NaN into the lower bound (a diverged cross-entropy loss looked finite)',
  },
  {
    kernelName: 'Cast',
    backendName: WASM,
    create: castToBool,
    why: 'wrong: a cast to bool keeps the low byte of the integer part (0.5 -> false, 256 -> false, -4.3 -> 252)',
  },
  {
    kernelName: 'LeakyRelu',
    backendName: WASM,
    create: wasmLeakyRelu,
    why: 'slow: a scalar loop (~3 ns a value; a DCGAN discriminator\'s activations)',
    enabled: () => kernelOptions.fusedLeakyReluGrad,
  },
  {
    kernelName: 'Tanh',
    backendName: WASM,
    create: tanh,
    why: 'slow: the scalar tanhf for every value (GAN activations)',
  },
  {
    kernelName: 'FusedBatchNorm',
    backendName: WASM,
    create: fusedBatchNorm,
    why: 'slow: a scalar loop (~4-5 ns a value; a DCGAN generator\'s BatchNormalization)',
  },
  ...(
    [
      ['Add', add],
      ['Sub', sub],
      ['Multiply', multiply],
      ['RealDiv', realDiv],
      ['SquaredDifference', squaredDifference],
      ['Square', square],
      ['Neg', neg],
      ['PadV2', padV2],
      ['Sigmoid', sigmoid],
    ] as const
  ).map(([kernelName, create]) => ({
    kernelName,
    backendName: WASM,
    create,
    why: "slow on threads: an XNNPACK operator handed to tfjs's thread pool (~0.3 ms a call on two threads)",
  })),
  {
    kernelName: 'Reverse',
    backendName: WASM,
    create: reverse,
    why: 'wrong: garbage for bool and heap corruption above rank 4; slow: ~50 ns an element (the swapped filter gradient reverses its taps)',
  },
];
