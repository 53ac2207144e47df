/**
 * `Transpose` and `Reverse` of the wasm backend as one strided copy inside the heap (`gather4` of
 * `./simdGather.wat`): the output, read in order, is a strided walk over the input, with negative strides
 * for reversed axes. Axes that stay adjacent merge, so most training transposes are 2-D to 4-D walks whose
 * innermost runs, when contiguous in the input, move by `memory.copy`. Internal: registered by `../kernels.ts`.
 *
 * - tfjs-backend-wasm's `Reverse` computes every element's index on its own: 1.17 ms for a [128, 2, 3, 32]
 *   tensor (48 ns an element; this copy takes a few microseconds), which made the swapped filter gradient
 *   (`./convKernels.ts`) too slow to use wherever it packs less than the dilated form.
 * - its `Transpose` takes ~5 ns an element; training steps run dozens (convolution gradients, phase
 *   kernels), all of them 4-byte tensors.
 *
 * Both move bits (4-byte elements as int32, bool as bytes), so results are the original kernels' bit for bit;
 * strings and complex numbers go to tfjs's kernels. Any rank runs. tfjs's own Reverse writes out of bounds
 * (heap corruption) for bool tensors and above rank 4.
 * @module
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { SIMD_GATHER_PLAIN, SIMD_GATHER_SHARED } from './simdGather.bytes.js';
import { onHeapPerBackend } from './simdUpdates.js';
import { elementOffset, heapOf, stridesOf } from './movementKernels.js';
import type { Heap } from './movementKernels.js';
import { kernelOptions } from './util.js';

/** The copy loops of `./simdGather.wat`, on byte offsets into the heap. */
interface GatherLoops {
  gather4(...args: number[]): void;
  transpose4(...args: number[]): void;
}

/** The loops for this wasm backend (instantiated on first use), or undefined where they cannot run. */
export const gatherLoops = onHeapPerBackend<GatherLoops>(SIMD_GATHER_SHARED, SIMD_GATHER_PLAIN);

/**
 * The walk `shape` / `strides` with size-1 axes dropped and adjacent axes merged where the outer one steps
 * over exactly the inner one's extent, padded in front with size-1 axes to at least 4.
 */
function merged(shape: readonly number[], strides: readonly number[]): { n: number[]; s: number[] } {
  const n: number[] = [];
  const s: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = n.length - 1;
    if (last >= 0 && s[last] === strides[i]! * shape[i]!) {
      n[last]! *= shape[i]!;
      s[last] = strides[i]!;
    } else {
      n.push(shape[i]!);
      s.push(strides[i]!);
    }
  }
  while (n.length < 4) {
    n.unshift(1);
    s.unshift(0);
  }
  return { n, s };
}

/** The outer axis contiguous in the source that `transpose4` tiles with the innermost, if the walk takes tiles. */
function tiledAxis(n: readonly number[], s: readonly number[]): number | undefined {
  if (n.length !== 4) return undefined;
  const a = [0, 1, 2].find((k) => s[k] === 1);
  return a !== undefined && s[3] !== 1 && n[a]! % 4 === 0 && n[3]! % 4 === 0 ? a : undefined;
}

/** Whether a 4-byte x permuted by `perm` takes the 4 x 4 tiles (for tests' coverage). */
export function transposeTakesTiles(shape: readonly number[], perm: readonly number[]): boolean {
  const xs = stridesOf(shape);
  const { n, s } = merged(perm.map((p) => shape[p]!), perm.map((p) => xs[p]!));
  return util.sizeFromShape([...shape]) > 0 && tiledAxis(n, s) !== undefined;
}

/**
 * The 4-D walk `n` / `s` (element strides) as `transpose4`'s 4 x 4 tiles, from byte offsets `src` to `dst`,
 * if its innermost axis is strided and an outer one contiguous in the source, both multiples of 4 long
 * (switch `tiledTranspose`): whether it did.
 */
function tiled(n: readonly number[], s: readonly number[], simd: GatherLoops, dst: number, src: number): boolean {
  const a = tiledAxis(n, s);
  if (!kernelOptions.tiledTranspose || a === undefined) return false;
  // Bytes between consecutive indices of each axis in the output (the walk's order) and in the source.
  const d = [n[1]! * n[2]! * n[3]! * 4, n[2]! * n[3]! * 4, n[3]! * 4];
  const [o0, o1] = [0, 1, 2].filter((k) => k !== a) as [number, number];
  simd.transpose4(dst, src, n[a]!, d[a]!, n[o0]!, 4 * s[o0]!, d[o0]!, n[o1]!, 4 * s[o1]!, d[o1]!, n[3]!, 4 * s[3]!);
  return true;
}

/**
 * A new tensor of `shape` whose element at index i is x's element at `offset + Σ i_k * strides_k` (element
 * strides and offset into x, negative strides allowed), or undefined for dtypes without a heap view (string,
 * complex64): the caller then uses tfjs's kernel. 4-byte elements move by the SIMD module's 4-D copy (once
 * per index of the outer axes when more than 4 remain after merging); bool, or a backend where the module
 * cannot run, by a JavaScript loop over the same walk.
 */
export function gather(backend: unknown, x: TensorInfo, shape: readonly number[], strides: readonly number[], offset = 0): TensorInfo | undefined {
  const b = backend as Heap;
  if (!kernelOptions.gatherKernels || heapOf(b, x.dtype) === undefined) return undefined;
  const out = b.makeOutput([...shape], x.dtype);
  if (util.sizeFromShape([...shape]) === 0) return out;
  const { n, s } = merged(shape, strides);
  // Views and offsets are taken after the allocation (it may grow, and detach, the heap).
  const heap = heapOf(b, x.dtype)!;
  const bytes = heap.BYTES_PER_ELEMENT;
  const simd = bytes === 4 ? gatherLoops(backend) : undefined;
  let src = elementOffset(b, x, bytes) + offset;
  let dst = elementOffset(b, out, bytes);
  if (simd && n.length === 4 && tiled(n, s, simd, 4 * dst, 4 * src)) return out;
  // 4 innermost axes per block (the SIMD copy) or 1 (the JavaScript loop); an odometer over the others.
  const inner = simd ? 4 : 1;
  const outer = n.length - inner;
  const [n0, n1, n2, n3] = n.slice(-4) as [number, number, number, number];
  const [s0, s1, s2, s3] = s.slice(-4).map((v) => 4 * v) as [number, number, number, number];
  const last = n[n.length - 1]!;
  const step = s[s.length - 1]!;
  const block = simd ? n0 * n1 * n2 * n3 : last;
  const index: number[] = new Array(outer).fill(0);
  for (;;) {
    if (simd) simd.gather4(4 * dst, 4 * src, n0, n1, n2, n3, s0, s1, s2, s3);
    else for (let i = 0, p = src; i < last; i++, p += step) heap[dst + i] = heap[p]!;
    dst += block;
    let a = outer - 1;
    for (; a >= 0; a--) {
      src += s[a]!;
      if (++index[a]! < n[a]!) break;
      src -= s[a]! * n[a]!;
      index[a] = 0;
    }
    if (a < 0) return out;
  }
}

/** x with its axes permuted (`out.shape[i] = x.shape[perm[i]]`), as {@link gather}. */
export function permute(backend: unknown, x: TensorInfo, perm: readonly number[]): TensorInfo | undefined {
  const xs = stridesOf(x.shape);
  return gather(backend, x, perm.map((p) => x.shape[p]!), perm.map((p) => xs[p]!));
}

/** Transpose: see the module comment. */
export function transpose(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (x.shape.length === 0 || perm.length !== x.shape.length) return original(args);
    return permute(args.backend, x, perm) ?? original(args);
  };
}

/** Reverse: see the module comment. */
export function reverse(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const rank = x.shape.length;
    if (rank === 0) return original(args);
    const { dims } = args.attrs as unknown as { dims: number | number[] };
    const axes = util.parseAxisParam(dims, x.shape);
    const xs = stridesOf(x.shape);
    let offset = 0;
    const strides = xs.map((st, i) => {
      if (!axes.includes(i)) return st;
      offset += (x.shape[i]! - 1) * st;
      return -st;
    });
    return gather(args.backend, x, x.shape, strides, offset) ?? original(args);
  };
}
