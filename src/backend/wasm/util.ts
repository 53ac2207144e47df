/**
 * Helpers for kernels composed from other wasm kernels. Internal.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, DataType, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` these kernels use. */
export interface WasmBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
  readSync(dataId: DataId): ArrayLike<number>;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

export const WASM = 'wasm';

/** Padding amounts of a 2-D convolution, as tfjs computes them (`backend_util.computeConv2DInfo`). */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export type Shape4 = [number, number, number, number];
export type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/** The padding attribute of tfjs convolution kernels. */
export type PadAttr = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];

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
  /** Replace the wasm backend's Conv2DBackpropInput (a scalar C++ loop) by the sub-pixel decomposition. */
  fastConv2DBackpropInput: true,
  /** Route transposed BatchMatMul (Dense gradients) through XNNPACK instead of the scalar fallback. */
  fastBatchMatMul: true,
  /** Sum and Mean over leading axes (bias gradients, BatchNormalization) without the wasm kernels' transpose. */
  fastLeadingReductions: true,
  /** Integer-factor ResizeNearestNeighborGrad (UpSampling2D gradient) as a depthwise box-sum convolution. */
  fastResizeNearestNeighborGrad: true,
};
