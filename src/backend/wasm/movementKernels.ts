/**
 * Data-movement kernels of the wasm backend that cost far more than the bytes they move, replaced by copies
 * of contiguous runs inside the wasm heap (`copyWithin` on a view of the whole heap: no temporary array, no
 * read out of wasm memory). Internal: registered by `../kernels.ts`.
 *
 * - `Slice` reads the whole input out of wasm memory (`readSync`, a copy), then copies one innermost row at
 *   a time through a new `subarray` each: a crop of [64,30,30,1] to [64,28,28,1] (50k floats, the DCGAN
 *   generator's Conv2DBackpropInput) took 13.7 ms. Here trailing axes taken whole are merged into the run.
 * - `Tile` is a scalar C++ loop over every output element: tiling a [1,1,1,32] scale to [64,14,14,32]
 *   (tfjs-core's batch-norm gradient) took 50 ms. Here the input's runs are copied once and the blocks
 *   doubled with `copyWithin`.
 * - `SplitV` (Concat's gradient) and `Unpack` (Pack's) call that Slice once per piece.
 * - `Concat` copies each input's rows through a new `subarray` each.
 * - `PadV2` (Slice's gradient) is an XNNPACK operator that hands every call to tfjs's thread pool (on a
 *   threaded backend from `kernelOptions.pooledElements` output values it would stay tfjs's: by default never).
 * - `Identity` copies its input (the cpu backend shares the data with a new reference, as wasm's own
 *   `Reshape` does): tfjs calls it dozens of times per training step (gradient bookkeeping, `tf.clone`).
 *   Tensors are immutable and every kernel writes only its own outputs, so sharing is safe.
 *
 * Every replacement moves bits (integers through Int32Array views, so that no int32 value is read as a
 * float NaN), and hands strings and other cases to the backend's own kernel.
 * @module
 */
import { backend_util, slice_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { onCallingThread } from './util.js';
import type { WasmBackend } from './util.js';

/** The parts of tfjs-backend-wasm's `BackendWasm` these kernels (and `./gatherKernels.ts`) use beyond `WasmBackend`. */
export interface Heap extends WasmBackend {
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  incRef(dataId: object): void;
  wasm: { HEAPU8: Uint8Array };
}

/** Below this many elements a run is copied by a loop (a `copyWithin` call costs more). */
const SHORT_RUN = 16;

/**
 * A view of the whole heap in the dtype's element size (4-byte dtypes as int32: bits move exactly), or
 * undefined for dtypes without one (string, complex64); and the element offset of each tensor.
 */
export function heapOf(b: Heap, dtype: string): Int32Array | Uint8Array | undefined {
  const buffer = b.wasm.HEAPU8.buffer;
  if (dtype === 'float32' || dtype === 'int32') return new Int32Array(buffer);
  if (dtype === 'bool') return new Uint8Array(buffer);
  return undefined;
}
/** Where `t`'s data starts in the heap, in bytes. */
export const byteOffset = (b: Pick<Heap, 'dataIdMap'>, t: TensorInfo) => b.dataIdMap.get(t.dataId).memoryOffset;
export const elementOffset = (b: Heap, t: TensorInfo, bytes: number) => byteOffset(b, t) / bytes;

/** Row-major element strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s: number[] = new Array(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1]! * shape[i + 1]!;
  return s;
}

/** Copies `n` elements within `heap`, from `src` to `dst` (non-overlapping). */
function copyRun(heap: Int32Array | Uint8Array, dst: number, src: number, n: number): void {
  if (n < SHORT_RUN) for (let i = 0; i < n; i++) heap[dst + i] = heap[src + i]!;
  else heap.copyWithin(dst, src, src + n);
}

/**
 * Copies a box of the tensor at `src` (of `shape`; sizes `size`, starting at `begin` on each axis) into the
 * contiguous block at `dst`, as runs as long as the trailing axes taken whole allow; `into`: the other way,
 * the contiguous block at `dst` into the box.
 */
function copyBox(heap: Int32Array | Uint8Array, src: number, shape: readonly number[], begin: readonly number[], size: readonly number[], dst: number, into = false): void {
  const move = into ? (box: number, flat: number, n: number) => copyRun(heap, box, flat, n) : (box: number, flat: number, n: number) => copyRun(heap, flat, box, n);
  const rank = shape.length;
  // Merge trailing axes that are taken whole into one run.
  let last = rank - 1;
  let run = 1;
  while (last > 0 && begin[last] === 0 && size[last] === shape[last]) run *= shape[last--]!;
  run *= size[last]!;
  const strides = stridesOf(shape);
  let base = src;
  for (let i = 0; i < rank; i++) base += begin[i]! * strides[i]!;
  if (last === 0) {
    move(base, dst, run);
    return;
  }
  // An odometer over the axes before `last`.
  const index = new Array(last).fill(0);
  let from = base;
  for (;;) {
    move(from, dst, run);
    dst += run;
    let a = last - 1;
    for (; a >= 0; a--) {
      if (++index[a] < size[a]!) {
        from += strides[a]!;
        break;
      }
      from -= (size[a]! - 1) * strides[a]!;
      index[a] = 0;
    }
    if (a < 0) return;
  }
}

/** A box of `x` as a new tensor (undefined for dtypes without a heap view: strings). */
function sliceBox(b: Heap, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo | undefined {
  if (heapOf(b, x.dtype) === undefined || x.shape.length === 0) return undefined;
  const out = b.makeOutput([...size], x.dtype);
  if (util.sizeFromShape(size as number[]) === 0) return out;
  // The heap view is taken after the allocation, which may grow (and detach) the heap.
  const heap = heapOf(b, x.dtype)!;
  const bytes = heap.BYTES_PER_ELEMENT;
  copyBox(heap, elementOffset(b, x, bytes), x.shape, begin, size, elementOffset(b, out, bytes));
  return out;
}

/** Slice: see the module comment. */
export function slice(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [begin_, size_] = slice_util.parseSliceParams(x as never, begin, size);
    return sliceBox(args.backend as Heap, x, begin_, size_) ?? original(args);
  };
}

/**
 * SplitV (the gradient of Concat) and Unpack (of Pack, `tf.stack`): tfjs's wasm kernels call its own slow
 * Slice directly, once per piece, each reading the whole input out of wasm memory.
 */
export function splitV(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    if (heapOf(args.backend as Heap, x.dtype) === undefined || x.shape.length === 0) return original(args);
    const a = util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = backend_util.prepareSplitSize(x as never, numOrSizeSplits, a);
    const begin = x.shape.map(() => 0);
    return sizes.map((n) => {
      const size = [...x.shape];
      size[a] = n;
      const piece = sliceBox(args.backend as Heap, x, begin, size)!;
      begin[a]! += n;
      return piece;
    });
  };
}

export function unpack(original: KernelFunc): KernelFunc {
  return (args) => {
    const { value } = args.inputs as { value: TensorInfo };
    const rank = value.shape.length;
    if (heapOf(args.backend as Heap, value.dtype) === undefined || rank === 0) return original(args);
    let { axis } = args.attrs as unknown as { axis: number };
    if (axis < 0) axis += rank;
    const outShape = value.shape.filter((_, i) => i !== axis);
    const size = [...value.shape];
    size[axis] = 1;
    return Array.from({ length: value.shape[axis]! }, (_, i) => {
      const begin = value.shape.map((_, j) => (j === axis ? i : 0));
      const piece = sliceBox(args.backend as Heap, value, begin, size)!;
      return { ...piece, shape: outShape };
    });
  };
}

/** Tile: see the module comment. */
export function tile(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as Heap;
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as unknown as { reps: number[] };
    const rank = x.shape.length;
    if (heapOf(b, x.dtype) === undefined || rank === 0 || reps.length !== rank) return original(args);
    const outShape = x.shape.map((d, i) => d * reps[i]!);
    const out = b.makeOutput(outShape, x.dtype);
    if (util.sizeFromShape(outShape) === 0) return out;
    const heap = heapOf(b, x.dtype)!;
    const bytes = heap.BYTES_PER_ELEMENT;
    const xStrides = stridesOf(x.shape);
    const oStrides = stridesOf(outShape);
    // Fills the output block of axes axis.. at dst from the input block at src: the input's entries along
    // `axis` first, then that block repeated reps[axis] times by doubling copies.
    const fill = (axis: number, src: number, dst: number): void => {
      const n = x.shape[axis]!;
      let block: number;
      if (axis === rank - 1) {
        copyRun(heap, dst, src, n);
        block = n;
      } else {
        for (let i = 0; i < n; i++) fill(axis + 1, src + i * xStrides[axis]!, dst + i * oStrides[axis]!);
        block = n * oStrides[axis]!;
      }
      const total = block * reps[axis]!;
      for (let done = block; done < total; done *= 2) copyRun(heap, dst + done, dst, Math.min(done, total - done));
    };
    fill(0, elementOffset(b, x, bytes), elementOffset(b, out, bytes));
    return out;
  };
}

/** Concat: see the module comment. */
export function concat(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as Heap;
    const inputs = args.inputs as unknown as TensorInfo[];
    const dtype = inputs[0]?.dtype;
    if (dtype === undefined || heapOf(b, dtype) === undefined || inputs.some((t) => t.dtype !== dtype)) return original(args);
    const axis = util.parseAxisParam((args.attrs as unknown as { axis: number }).axis, inputs[0]!.shape)[0]!;
    const rank = inputs[0]!.shape.length;
    if (inputs.some((t) => t.shape.length !== rank || t.shape.some((d, i) => i !== axis && d !== inputs[0]!.shape[i]))) return original(args);
    const parts = inputs.filter((t) => util.sizeFromShape(t.shape) > 0);
    if (parts.length < 2) return original(args);
    const outShape = [...inputs[0]!.shape];
    outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis]!, 0);
    const out = b.makeOutput(outShape, dtype);
    const heap = heapOf(b, dtype)!;
    const bytes = heap.BYTES_PER_ELEMENT;
    const rows = util.sizeFromShape(outShape.slice(0, axis));
    const outRow = util.sizeFromShape(outShape.slice(axis));
    let column = elementOffset(b, out, bytes);
    for (const t of parts) {
      const inner = util.sizeFromShape(t.shape.slice(axis));
      const src = elementOffset(b, t, bytes);
      for (let r = 0; r < rows; r++) copyRun(heap, column + r * outRow, src + r * inner, inner);
      column += inner;
    }
    return out;
  };
}

/**
 * PadV2 (the gradient of Slice, so of every crop and split): the output filled with the constant, then the
 * input copied into its box. tfjs's kernel is an XNNPACK operator handed to its thread pool.
 */
export function padV2(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as Heap;
    const { x } = args.inputs as { x: TensorInfo };
    const { paddings, constantValue } = args.attrs as unknown as { paddings: Array<[number, number]>; constantValue: number };
    const rank = x.shape.length;
    if (heapOf(b, x.dtype) === undefined || rank === 0 || paddings.length !== rank || paddings.some(([p, q]) => !(p >= 0 && q >= 0))) return original(args);
    const outShape = x.shape.map((d, i) => paddings[i]![0] + d + paddings[i]![1]);
    const total = util.sizeFromShape(outShape);
    if (!onCallingThread(b, total)) return original(args);
    const out = b.makeOutput(outShape, x.dtype);
    if (total === 0) return out;
    const buffer = b.wasm.HEAPU8.buffer;
    const start = byteOffset(b, out);
    if (x.dtype === 'float32') new Float32Array(buffer, start, total).fill(constantValue);
    else if (x.dtype === 'int32') new Int32Array(buffer, start, total).fill(constantValue);
    else new Uint8Array(buffer, start, total).fill(constantValue ? 1 : 0);
    if (util.sizeFromShape(x.shape) === 0) return out;
    const heap = heapOf(b, x.dtype)!;
    const bytes = heap.BYTES_PER_ELEMENT;
    copyBox(heap, start / bytes, outShape, paddings.map(([p]) => p), x.shape, elementOffset(b, x, bytes), true);
    return out;
  };
}

/** Identity: a new reference to the input's data (see the module comment). */
export function identity(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as Heap;
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original(args);
    b.incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
  };
}
