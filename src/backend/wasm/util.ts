/**
 * Helpers for kernels composed from other wasm kernels. Internal.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { backend_util, DataId, DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` these kernels use. */
export interface WasmBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
  readSync(dataId: DataId): ArrayLike<number>;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export const WASM = 'wasm';

/** The threads of tfjs's wasm backend (1 for the single-threaded build). */
export function threadsOf(backend: unknown): number {
  const tfjs = (backend as { wasm?: { tfjs?: { getThreadsCount?: () => number } } }).wasm?.tfjs;
  return tfjs?.getThreadsCount?.() ?? 1;
}

/**
 * From this many output values an elementwise kernel that tfjs runs as an XNNPACK operator stays tfjs's on a
 * threaded backend (`kernelOptions.pooledElements`): none. Alone, tfjs's pool pays from about 131,072 values
 * (a conv AE's [32, 28, 28, 32] activations: its division against waking its worker, ~0.2 ms); inside a
 * training step it did not: its worker competes for the core with latentkit's product helper, and a bias add
 * of [32, 13, 13, 32] took 0.9 ms there against 0.2 on the calling thread (`bench/ab.ts
 * pooledElements=131072`: conv VAE, conv AE, DCGAN, ACGAN 1.01-1.06x with every such kernel on the calling
 * thread; bench/NOTES.md).
 */
export const POOLED_ELEMENTS = Number.POSITIVE_INFINITY;

/** True when an elementwise kernel of `n` output values should run on the calling thread (see POOLED_ELEMENTS). */
export function onCallingThread(backend: unknown, n: number): boolean {
  return n < kernelOptions.pooledElements || threadsOf(backend) === 1;
}

/** Padding amounts of a 2-D convolution, as tfjs computes them (`backend_util.computeConv2DInfo`). */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export type Shape4 = [number, number, number, number];
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** Explicit padding of an NHWC tensor, [[0, 0], [top, bottom], [left, right], [0, 0]]. */
export type ExplicitPads = [[number, number], [number, number], [number, number], [number, number]];

/** The padding attribute of tfjs convolution kernels. */
export type PadAttr = 'same' | 'valid' | number | ExplicitPads;

/**
 * Runs the wasm kernel `name` on TensorInfos and returns its output. The caller owns the output and frees it
 * with {@link free} (or returns it).
 */
export function run(b: WasmBackend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = tf.getKernel(name, WASM);
  if (config === undefined) throw new Error(`latentkit: the wasm backend has no "${name}" kernel.`);
  return config.kernelFunc({ inputs, backend: b, attrs }) as TensorInfo;
}

/**
 * A reshaped view of `t` sharing its data. No kernel call and no reference taken: free the tensor the view
 * was made from, never the view (both carry the same dataId, so freeing either frees the data once).
 */
export function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

/** Releases kernel outputs (one reference each). */
export function free(b: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) b.disposeData(t.dataId);
}

/** A new float32 tensor with the given values. */
export function constant(b: WasmBackend, shape: number[], values: ArrayLike<number> | number): TensorInfo {
  const out = b.makeOutput(shape, 'float32');
  const dst = b.typedArrayFromHeap(out);
  if (typeof values === 'number') dst.fill(values);
  else dst.set(values);
  return out;
}

/**
 * Pads (positive amounts, with zeros) and crops (negative amounts) each axis of `t`: `amounts[i]` is
 * `[before, after]`. Returns `t` itself when nothing changes, otherwise a new tensor the caller frees.
 */
export function padOrCrop(b: WasmBackend, t: TensorInfo, amounts: Array<[number, number]>): TensorInfo {
  let cur = t;
  if (amounts.some(([a, z]) => a < 0 || z < 0)) {
    const begin = amounts.map(([a]) => Math.max(0, -a));
    const size = amounts.map(([a, z], i) => t.shape[i]! - Math.max(0, -a) - Math.max(0, -z));
    cur = run(b, 'Slice', { x: cur }, { begin, size });
  }
  if (amounts.some(([a, z]) => a > 0 || z > 0)) {
    const paddings = amounts.map(([a, z]) => [Math.max(0, a), Math.max(0, z)]);
    const padded = run(b, 'PadV2', { x: cur }, { paddings, constantValue: 0 });
    if (cur !== t) free(b, cur);
    cur = padded;
  }
  return cur;
}

/**
 * `t` cut to `shape` (its leading block: indices 0 .. shape[i] - 1 on every axis), the part tfjs's own kernels
 * read when an input such as dy is larger than the sizes `backend_util.computeConv2DInfo` implies (they index
 * it with its own strides and bound their loops by the computed sizes). Returns `t` itself when it already
 * has that shape, a new tensor the caller frees when it is larger, and `undefined` when it is smaller on some
 * axis or has another rank (no kernel defines what to read then).
 */
export function leadingBlock(b: WasmBackend, t: TensorInfo, shape: readonly number[]): TensorInfo | undefined {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d < shape[i]!)) return undefined;
  if (t.shape.every((d, i) => d === shape[i])) return t;
  return run(b, 'Slice', { x: t }, { begin: shape.map(() => 0), size: [...shape] });
}

/**
 * The block of `dy` that tfjs's kernels read: they bound their loops by the output size `computeConv2DInfo`
 * gives (`shape`) and accept a larger dy (the ops check only its channels). A smaller dy has no defined
 * meaning (tfjs's cpu kernels read past its end): the kernels that add what tfjs lacks reject it.
 */
export function dyBlockOrThrow(b: WasmBackend, dy: TensorInfo, shape: Shape4, kernel: string): TensorInfo {
  const block = leadingBlock(b, dy, shape);
  if (block === undefined) {
    throw new Error(
      `latentkit: ${kernel}: dy has shape [${dy.shape.join(', ')}]; expected [${shape.join(', ')}] (or larger on ` +
        'every axis), the output size that the input shape, filter, strides and padding imply.',
    );
  }
  return block;
}

/**
 * The input and explicit padding with which XNNPACK's convolution produces exactly the output size tfjs
 * computed in `info` (NHWC `x`): top and left padding as tfjs's, bottom and right whatever makes the sizes
 * agree. Where that would be negative, the end of `x` (never read) is cropped; where every window lies in
 * the padding, `x` is replaced by zeros of the size the windows span. XNNPACK derives its output size from
 * the input and the padding, tfjs by its own rules, and they differ for 'same' with a stride larger than
 * the kernel, for a numeric pad with a non-square kernel or stride (tfjs uses the height's kernel and stride
 * for the width too), and for `dimRoundingMode` 'ceil' or 'round'.
 *
 * @returns `input` (`x` itself or a new tensor the caller frees) and `pad`.
 */
export function exactConvInput(b: WasmBackend, x: TensorInfo, info: backend_util.Conv2DInfo): { input: TensorInfo; pad: ExplicitPads | 'valid' } {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight, outWidth } = info;
  const needH = (outHeight - 1) * info.strideHeight + info.effectiveFilterHeight;
  const needW = (outWidth - 1) * info.strideWidth + info.effectiveFilterWidth;
  const { top, left } = info.padInfo;
  const bottom = needH - h - top;
  const right = needW - w - left;
  if (top >= needH || left >= needW) return { input: constant(b, [n, needH, needW, c], 0), pad: 'valid' };
  const input = bottom < 0 || right < 0 ? run(b, 'Slice', { x }, { begin: [0, 0, 0, 0], size: [n, h + Math.min(0, bottom), w + Math.min(0, right), c] }) : x;
  const pad: ExplicitPads = [
    [0, 0],
    [top, Math.max(0, bottom)],
    [left, Math.max(0, right)],
    [0, 0],
  ];
  return { input, pad: pad.flat().every((v) => v === 0) ? 'valid' : pad };
}

/**
 * Whether the wasm backend's own convolution kernels, given `info` from tfjs, make XNNPACK compute an output
 * of tfjs's size with tfjs's padding. Where they do not, the output buffer and XNNPACK disagree: wrong values,
 * or writes past the end of the buffer that corrupt the wasm heap.
 */
export function xnnpackAgrees(info: backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  const total = (size: number, out: number, s: number, k: number) => (out - 1) * s + k - size;
  if (p.type === 'SAME') {
    // XNNPACK's TensorFlow-'same' mode; right where tfjs's total padding is not negative.
    return total(info.inHeight, info.outHeight, info.strideHeight, info.effectiveFilterHeight) >= 0 &&
      total(info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth) >= 0;
  }
  const natural = (size: number, a: number, b: number, k: number, s: number) => (size + a + b < k ? 0 : Math.floor((size + a + b - k) / s) + 1);
  return (
    natural(info.inHeight, p.top, p.bottom, info.effectiveFilterHeight, info.strideHeight) === info.outHeight &&
    natural(info.inWidth, p.left, p.right, info.effectiveFilterWidth, info.strideWidth) === info.outWidth
  );
}

/**
 * Row phases of a stride-s convolution (UpsampledConv2D's, the sub-pixel transposed convolution's) are one
 * convolution when it has at most this many output channels: XNNPACK takes about as long for 2, 4 or 8
 * output channels, and creates an operator (packing the new filter) per call.
 */
export const JOIN_PHASES_MAX_CHANNELS = 8;

/** 2-D transpose of a matrix `t` viewed as [rows, cols]. */
export function transpose2d(b: WasmBackend, t: TensorInfo, rows: number, cols: number): TensorInfo {
  return run(b, 'Transpose', { x: view(t, [rows, cols]) }, { perm: [1, 0] });
}

/**
 * Switches for benchmarking the alternative decompositions (bench/wasmConv.ts). Not part of the public API;
 * the defaults are the fastest measured.
 */
export const kernelOptions = {
  /**
   * Conv2DBackpropFilter via the dilated convolution: `'explicit'` passes the padding to XNNPACK's
   * convolution, `'pad'` pads with PadV2 first and runs a 'valid' convolution.
   */
  filterGradPadding: 'explicit' as 'explicit' | 'pad',
  /** Conv2DBackpropFilter: use im2col (one-hot convolution) + matmul when kh*kw*C is at most this. */
  im2colMaxPatch: 16,
  /**
   * Conv2DBackpropFilter, stride 1: swap the roles of x and dy (x becomes the filter) when
   * F * swapRatio <= C (few output channels, e.g. a last layer with 1 channel). Infinity disables it.
   */
  swapRatio: 4,
  /**
   * Conv2DBackpropFilter of a strided convolution as gathered patches times dy (`gatheredFilterGrad` of
   * `./convKernels.ts`) rather than a dilated convolution, and small patches (`im2colFilterGrad`) gathered
   * rather than convolved with a one-hot filter. Read per call.
   */
  gatheredFilterGrad: true,
  /** Conv2DBackpropFilter, stride 1, 4 output channels, C a multiple of 8: the SIMD loop (`directFilterGradF4`). */
  directFilterGradF4: true,
  /** Replace the wasm backend's Conv2DBackpropInput (a scalar C++ loop) by the sub-pixel decomposition. */
  fastConv2DBackpropInput: true,
  /**
   * In that decomposition, with sh*sw*C at most 8 (an output stage), all row phases as one convolution and a
   * transpose instead of a convolution per phase and a concatenation (`./convInputGrad.ts`). Read per call.
   */
  joinInputGradPhases: true,
  /**
   * Conv2DBackpropInput of a strided convolution (output stages as `col2imOutputStages` says) as a product and a
   * SIMD col2im rather than sub-pixel phases (`col2imInputGrad` of `./convInputGrad.ts`; the same products
   * summed in another order). Read per call.
   */
  col2imInputGrad: true,
  /** Route transposed BatchMatMul (Dense gradients) through XNNPACK instead of the scalar fallback. */
  fastBatchMatMul: true,
  /**
   * float32 BatchMatMul and _FusedMatMul as latentkit's SIMD product (`./matMulKernels.ts`), reading the
   * operands in place instead of XNNPACK packing the right operand on every call. Read per call.
   */
  directMatMul: true,
  /**
   * On a threaded wasm backend started by `useBackend`, the SIMD product divided among latentkit's helper
   * threads and the calling thread (`./matMulThreads.ts`). Read per call.
   */
  threadedMatMul: true,
  /**
   * At most this many microseconds a product helper spins for the next product before it sleeps (it spins
   * twice the last gap between products, and not at all when that gap is longer). Read per product.
   */
  productSpinMicroseconds: 1000,
  /** From this many output values an elementwise kernel stays tfjs's pooled one on a threaded backend (see {@link POOLED_ELEMENTS}). Read per call. */
  pooledElements: POOLED_ELEMENTS,
  /**
   * latentkit's SIMD product reduces a k longer than twice this in chunks of this many steps (`kChunkOf` of
   * `./matMulKernels.ts`; the same sums). 0: one call over all of k. Read per product.
   */
  productKChunk: 256,
  /** ... computing Cᵀ = op(B)ᵀ·op(A)ᵀ instead when that moves less data (`batchMatMul` in `./otherKernels.ts`). */
  matMulOrientation: true,
  /** Sum and Mean over leading axes (bias gradients, BatchNormalization) without the wasm kernels' transpose. */
  fastLeadingReductions: true,
  /** Integer-factor ResizeNearestNeighborGrad (UpSampling2D gradient) as box sums on the calling thread. */
  fastResizeNearestNeighborGrad: true,
  /** latentkit's optimizers update each variable with one fused kernel (wasm, cpu) instead of tfjs's ops. */
  fusedOptimizers: true,
  /** Slice, Tile and Concat as copies of contiguous runs inside the heap (`./movementKernels.ts`). */
  fastSlice: true,
  fastTile: true,
  fastConcat: true,
  /** Identity shares its input's data (a new reference) instead of copying it. */
  sharedIdentity: true,
  /**
   * Read when a model is built, not by a kernel: an upsampling decoder's UpSampling2D + Conv2D stages are one
   * UpsampledConv2D layer (`src/layers/upsampledConv.ts`). Off, the builders make the two layers as before.
   */
  upsampledConv: true,
  /**
   * Read when an UpsampledConv2D is built: when filters * factor² is at most 8 (an output stage of few
   * channels), all row phases are one convolution (zero taps where a phase reads no row) and one transpose
   * instead of a convolution per phase and a concatenation (`src/layers/upsampledConv.ts`).
   */
  upsampledConvJoinPhases: true,
  /** On wasm, the fused updates run as wasm SIMD loops (`./simdUpdates.wat`) rather than JavaScript loops. */
  simdOptimizerLoops: true,
  /**
   * Installed with the replacements, on every backend: tfjs's Mean gradient without its array of ones made in
   * JavaScript (`../gradientFixes.ts`; BatchNormalization, GlobalAveragePooling). Read when installed.
   */
  fastMeanGrad: true,
  /** Conv2DBackpropFilter of a 1x1, stride-1, unpadded convolution (pointwise) as one matmul xᵀ·dy. Read per call. */
  pointwiseFilterGrad: true,
  /**
   * DepthwiseConv2dNativeBackpropFilter as one pass over x and dy in the heap (`./depthwiseKernels.ts`)
   * rather than a depthwise convolution whose filter is dy (as many taps as output pixels). Read per call.
   */
  directDepthwiseFilterGrad: true,
  /**
   * The wasm SIMD loops of `./simdKernels.wat` for the direct depthwise filter gradient (channel multiplier 1)
   * and MaxPoolGrad when the channel count is a multiple of 4; off, their JavaScript loops run. Read per call.
   */
  simdKernels: true,
  /**
   * Sigmoid of float32 tensors as the SIMD loop of `./simdElementwise.wat` on the calling thread rather than
   * tfjs's XNNPACK operator on its thread pool (another approximation: results move by a few ulp). Read per call.
   */
  simdSigmoid: true,
  /** Tanh of float32 tensors as the SIMD loop of `./simdElementwise.wat` rather than tfjs's scalar tanhf. Read per call. */
  simdTanh: true,
  /**
   * Add, Sub, Multiply, RealDiv, SquaredDifference, Square and Neg in float32 as SIMD loops on the calling
   * thread (`./elementwiseKernels.ts`) instead of XNNPACK operators on tfjs's thread pool. Read per call.
   */
  heapBinary: true,
  /** Transpose and Reverse as one strided copy in the heap (`./gatherKernels.ts`). Read per call. */
  gatherKernels: true,
  /**
   * Of those copies, the ones whose innermost axis is strided while an outer one is contiguous in the input
   * (a convolution's filter gradient moving the batch axis last) as 4 x 4 tiles transposed in registers
   * (`transpose4`), rather than one strided load per value. The same bits. Read per call.
   */
  tiledTranspose: true,
  /**
   * `col2imInputGrad` for output stages too (C not a multiple of 4, or sh * sw * C at most 8: a generator's or
   * decoder's last transposed convolution to 1-3 channels), one channel a step, instead of the joined phases.
   * Read per call.
   */
  col2imOutputStages: true,
  /** Training steps check the loss and gradients in place (`../finite.ts`) rather than with tfjs ops. */
  directFiniteCheck: true,
  /**
   * On every backend, not a kernel: a model that is a chain of Dense and activation layers is applied inside
   * training steps as one operation with a hand-written gradient rather than under tfjs's tape
   * (`src/models/nets/denseChain.ts`; same values and gradients). Read per call.
   */
  denseChain: true,
  /**
   * On every backend, not a kernel: a model whose input is data (no gradient wanted for it) and whose
   * Conv2D / Dense layers read it has those products applied without the input gradient tfjs-core's fused
   * products would compute anyway (`src/models/nets/pruned.ts`; same values and gradients). Read per call.
   */
  constantInputProducts: true,
  /**
   * On every backend, not a kernel: a model whose weights are constants of the step (the discriminator in
   * the generator's step) has its Conv2D / Dense products applied without their weight gradients
   * (`src/models/nets/pruned.ts`, the dense chain; same values and gradients). Read per call.
   */
  constantWeightProducts: true,
  /**
   * On every backend, not a kernel: the binary cross-entropy with logits (`src/losses/likelihood.ts`) has the
   * closed-form gradient `sigmoid(l) - t` instead of the tape's through each of its operations. Read per call.
   */
  bceGradient: true,
  /**
   * The LeakyReLU gradient as one kernel (`../leakyRelu.ts`, wasm and cpu) and wasm's LeakyRelu as a SIMD loop;
   * off, tfjs's. The gradient is read per call, the wasm kernel when replacements are installed.
   */
  fusedLeakyReluGrad: true,
  /**
   * FusedBatchNorm of float32 tensors as the SIMD loop of `./simdBatchNorm.wat` (`./batchNormKernels.ts`;
   * tfjs's arithmetic, bit for bit) rather than tfjs's scalar C++ loop. Read per call.
   */
  simdBatchNorm: true,
  /**
   * tfjs-core's FusedBatchNorm gradient with its ten full-size elementwise kernels and Tile as one SIMD pass
   * (`LatentkitBatchNormGradTerms`, wasm; same values bit for bit), where that kernel is registered and no
   * higher-order gradient is being taped (`../gradientFixes.ts`). Read when installed and per call.
   */
  fusedBatchNormGrad: true,
  /**
   * BatchNormalization layers in training, in models that training steps apply layer by layer
   * (`../../models/nets/batchNorm.ts`): x's moments and the layer's gradient through them as two SIMD passes
   * each (`LatentkitBatchNormMoments`, `LatentkitBatchNormTrainingGrad`, wasm) instead of tfjs-core's `moments`
   * and FusedBatchNorm gradient (~30 kernels). **Not bit for bit** (sums in float64, the gradient in closed
   * form): within ~1e-6 relative of tfjs's. Read per call.
   */
  fusedBatchNormTraining: true,
};
