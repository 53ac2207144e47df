/**
 * BatchMatMul and _FusedMatMul of the wasm backend for float32, as latentkit's own SIMD product
 * (`./simdMatMul.wat`), reading both operands where they are stored in the heap. Internal: registered by
 * `../kernels.ts`.
 *
 * Why: tfjs hands a product to XNNPACK, which first packs the right operand (transposed by tfjs, then
 * re-laid out by XNNPACK, serially) and caches the packing under the tensor's id. In training every right
 * operand is new (the weights after each update, a gradient, an activation), so every product packs: 15.6
 * GFLOP/s for a dense AE layer (64x784x256) against 31.2 with a cached packing, and transposed products fell
 * back to a scalar loop. The SIMD product needs no packing: 4 rows x 8 columns accumulated in registers,
 * B's row segment loaded as two vectors; ~45 GFLOP/s on one core at those sizes (`bench/matmul.ts`).
 *
 * Every output is `bias + Σ_p a·b` summed from p = 0 in order, rounded at every step, as XNNPACK sums, so the
 * outputs are its outputs bit for bit (`test/backend/matMulKernels.test.ts`). Transposed operands are read
 * in place through strides, except Bᵀ with A untransposed: the smaller of A and B is transposed first (for
 * A, the product is computed as Cᵀ = B·Aᵀ and stored transposed). Batched products broadcast their batch
 * axes as tfjs does, one product per output batch.
 *
 * Handed to tfjs's kernels (through the orientation wrapper of `batchMatMulByXnnpack` for BatchMatMul):
 * non-float32 operands, inner sizes that disagree (tfjs's error), an empty product, a bias that is not one
 * value per output column, or a backend where the module cannot be instantiated; all of it when
 * `kernelOptions.directMatMul` is off.
 * @module
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { onHeapPerBackend } from './simdUpdates.js';
import { SIMD_MATMUL_PLAIN, SIMD_MATMUL_SHARED } from './simdMatMul.bytes.js';
import { constant, free, kernelOptions, run, threadsOf, transpose2d, view } from './util.js';
import type { WasmBackend } from './util.js';
import { byteOffset } from './movementKernels.js';
import { parallelProduct, productThreads } from './matMulThreads.js';
import type { Heap } from './movementKernels.js';

interface Loop {
  matmul(a: number, sar: number, sak: number, b: number, sbk: number, c: number, scr: number, scc: number, m: number, k: number, n: number, bias: number, flags: number): void;
}

/** The SIMD product for this wasm backend (instantiated on first use), or undefined where it cannot run. */
export const matMulLoop = onHeapPerBackend<Loop>(SIMD_MATMUL_SHARED, SIMD_MATMUL_PLAIN);

/**
 * On more than one thread without latentkit's helper threads (a backend not started by `useBackend`), XNNPACK
 * divides a product among them while the SIMD product runs on the calling thread: from this many output rows
 * XNNPACK is the faster despite its packing (`bench/matmul.ts`, 2 threads, a new B each call: 128x784x512 39
 * against 30 GFLOP/s, 64x784x256 24 against 29; `bench/ab.ts directMatMul --threads 2`: dense VAE at batch 128
 * 0.97x, dense AE at batch 64 1.14x). BatchMatMul only: tfjs's _FusedMatMul is wrong with transposes and
 * turns NaN into 0 under relu.
 */
const POOLED_ROWS = 128;

/** True when latentkit's helper threads share this backend's products (`./matMulThreads.ts`). */
function helped(backend: unknown): boolean {
  return kernelOptions.threadedMatMul && productThreads(backend).threads > 1;
}

const BIAS = 1;
/**
 * Columns per call of the loop: a panel of B (k x 128 floats: 400 KB at k = 784) stays in the core's L2
 * while all row blocks pass over it; 128x784x512 ran at 39 GFLOP/s in one call, 44 in panels of 128.
 */
const PANEL = 128;
const RELU = 2;
const ACCUMULATE = 4;

/**
 * Steps of k per call of the loop. A long reduction read in one call (a filter gradient's k = N*oh*ow, the
 * patches read down their columns) streams the whole of A's row block and B's panel from memory for every
 * block of outputs; in chunks of `kernelOptions.productKChunk` steps both stay in the core's caches while
 * every block passes over them, each later chunk adding to the sums in C (the loop's accumulate flag: the
 * same sums in the same order, bit for bit one call; a NaN may change sign). Only with C's columns adjacent (the loop's accumulate
 * reads them as vectors), and only for k over twice the chunk.
 */
function kChunkOf(k: number, scc: number): number {
  const chunk = kernelOptions.productKChunk;
  return scc === 4 && chunk > 0 && k > 2 * chunk ? chunk : k;
}

/** The sizes of C [m, n] = op(A)·op(B) over the last two axes; kB is B's inner size (k when they agree). */
function productShape(a: TensorInfo, bm: TensorInfo, transposeA: boolean, transposeB: boolean): { m: number; k: number; n: number; kB: number } {
  const [ar, ac] = a.shape.slice(-2) as [number, number];
  const [br, bc] = bm.shape.slice(-2) as [number, number];
  return { m: transposeA ? ac : ar, k: transposeA ? ar : ac, n: transposeB ? br : bc, kB: transposeB ? bc : br };
}

/** One product's operands as the SIMD loop reads them, per batch. */
interface Plan {
  a: TensorInfo;
  /** Byte strides of A' (rows, inner steps) and B' (inner steps); B' columns are adjacent. */
  sar: number;
  sak: number;
  b: TensorInfo;
  sbk: number;
  /** Computed as Cᵀ = B'·A' with C's columns the loop's rows. */
  swapped: boolean;
  /** Elements per batch of each operand as stored. */
  sizeA: number;
  sizeB: number;
  /** Tensors made here (transposes), freed after the product. */
  temps: TensorInfo[];
}

/**
 * The product C [m, n] = op(A)·op(B) of the last two axes, as loop operands (`batchA`, `batchB`: each
 * operand's batch count). `allowSwap`: Aᵀ may be made instead of Bᵀ (then C is written transposed; not with a
 * bias, which is per column of C).
 */
function plan(b: WasmBackend, a: TensorInfo, bm: TensorInfo, transposeA: boolean, transposeB: boolean, allowSwap: boolean, shape: { m: number; k: number; n: number }, batchA: number, batchB: number): Plan {
  const { m, k, n } = shape;
  const temps: TensorInfo[] = [];
  const flat = (t: TensorInfo, batch: number, r: number, c: number): TensorInfo => {
    if (batch === 1) return transpose2d(b, t, r, c);
    return run(b, 'Transpose', { x: view(t, [batch, r, c]) }, { perm: [0, 2, 1] });
  };
  if (!transposeB) {
    // B [k, n] as stored; A [m, k] (row stride k) or Aᵀ stored [k, m] (row stride 1).
    return { a, sar: transposeA ? 4 : 4 * k, sak: transposeA ? 4 * m : 4, b: bm, sbk: 4 * n, swapped: false, sizeA: m * k, sizeB: k * n, temps };
  }
  if (transposeA && allowSwap) {
    // Cᵀ = B·A: B stored [n, k] gives the loop's rows, A stored [k, m] its columns.
    return { a: bm, sar: 4 * k, sak: 4, b: a, sbk: 4 * m, swapped: true, sizeA: n * k, sizeB: k * m, temps };
  }
  if (allowSwap && m < n) {
    // Cᵀ = B·Aᵀ: Aᵀ [k, m] made (m·k elements moved instead of k·n).
    const at = flat(a, batchA, m, k);
    temps.push(at);
    return { a: bm, sar: 4 * k, sak: 4, b: at, sbk: 4 * m, swapped: true, sizeA: n * k, sizeB: k * m, temps };
  }
  const bt = flat(bm, batchB, n, k);
  temps.push(bt);
  return { a, sar: transposeA ? 4 : 4 * k, sak: transposeA ? 4 * m : 4, b: bt, sbk: 4 * n, swapped: false, sizeA: m * k, sizeB: k * n, temps };
}

/**
 * C = act(op(A)·op(B) + bias) by the SIMD loop, or undefined when this product goes to tfjs (see the module
 * notes). `bias` holds n values; `flags` as in `./simdMatMul.wat`.
 */
function product(backend: unknown, a: TensorInfo, bm: TensorInfo, transposeA: boolean, transposeB: boolean, bias: TensorInfo | undefined, relu: boolean): TensorInfo | undefined {
  if (!kernelOptions.directMatMul || a.dtype !== 'float32' || bm.dtype !== 'float32' || a.shape.length < 2 || bm.shape.length < 2) return undefined;
  const loop = matMulLoop(backend);
  if (!loop) return undefined;
  const shape = productShape(a, bm, transposeA, transposeB);
  const { m, k, n } = shape;
  if (k !== shape.kB || m === 0 || n === 0 || k === 0) return undefined;
  if (bias && (bias.dtype !== 'float32' || bias.shape.length !== 1 || bias.shape[0] !== n)) return undefined;
  // Batch axes: the same on both operands, or one operand unbatched (tfjs's kernels pair batch i of the
  // output with batch i modulo each operand's batch count, which is broadcasting only in these cases).
  const batchA = a.shape.slice(0, -2);
  const batchB = bm.shape.slice(0, -2);
  const sizeA = util.sizeFromShape(batchA);
  const sizeB = util.sizeFromShape(batchB);
  if (sizeA !== 1 && sizeB !== 1 && !util.arraysEqual(batchA, batchB)) return undefined;
  const outBatch = backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const b = backend as Heap;
  const p = plan(b, a, bm, transposeA, transposeB, bias === undefined, shape, sizeA, sizeB);
  try {
    const out = b.makeOutput([...outBatch, m, n], 'float32');
    // Offsets after every allocation (the heap may have grown; offsets stay valid).
    const [pa, pb, pc] = [byteOffset(b, p.a), byteOffset(b, p.b), byteOffset(b, out)];
    const pbias = bias ? byteOffset(b, bias) : 0;
    const flags = (bias ? BIAS : 0) | (relu ? RELU : 0);
    const [loopA, loopB] = p.swapped ? [sizeB, sizeA] : [sizeA, sizeB];
    // The loop's rows and columns, and C's byte strides along them.
    const [rows, cols, scr, scc] = p.swapped ? [n, m, 4, 4 * n] : [m, n, 4 * n, 4];
    const batches = Math.max(sizeA, sizeB);
    const aStep = loopA === 1 ? 0 : 4 * p.sizeA;
    const bStep = loopB === 1 ? 0 : 4 * p.sizeB;
    const kChunk = kChunkOf(k, scc);
    const job = { a: pa, aStep, sar: p.sar, sak: p.sak, b: pb, bStep, sbk: p.sbk, c: pc, cStep: 4 * m * n, scr, scc, rows, k, cols, bias: pbias, flags, batches, kChunk };
    if (parallelProduct(backend, loop.matmul, job)) return out;
    for (let i = 0; i < batches; i++) {
      const c = pc + 4 * m * n * i;
      const a0 = pa + aStep * i;
      const b0 = pb + bStep * i;
      // Column panels of B small enough to stay in the core's cache while every row block passes over them,
      // and a long k in chunks (accumulated in C: the same sums, see `kChunkOf`).
      for (let j = 0; j < cols; j += PANEL) {
        for (let kc = 0; kc < k; kc += kChunk) {
          const chunkFlags = (kc === 0 ? flags & BIAS : ACCUMULATE) | (kc + kChunk >= k ? flags & RELU : 0);
          loop.matmul(a0 + kc * p.sak, p.sar, p.sak, b0 + 4 * j + kc * p.sbk, p.sbk, c + j * scc, scr, scc, rows, Math.min(kChunk, k - kc), Math.min(PANEL, cols - j), pbias + 4 * j, chunkFlags);
        }
      }
    }
    return out;
  } finally {
    free(b, ...p.temps);
  }
}

/**
 * BatchMatMul: the SIMD product; otherwise `fallback` (XNNPACK through the orientation wrapper, or tfjs's
 * kernel).
 */
export function batchMatMul(fallback: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.shape.length >= 2 && b.shape.length >= 2 && productShape(a, b, transposeA, transposeB).m >= POOLED_ROWS && threadsOf(args.backend) > 1 && !helped(args.backend)) return fallback(args);
    return product(args.backend, a, b, transposeA, transposeB, undefined, false) ?? fallback(args);
  };
}

/** The activations applied by a kernel of their own after the product (linear and relu run in the loop). */
const ACTIVATION_KERNEL: Record<string, string> = { elu: 'Elu', relu6: 'Relu6', sigmoid: 'Sigmoid', leakyrelu: 'LeakyRelu', prelu: 'Prelu' };

/**
 * _FusedMatMul (tfjs-layers' Dense forward): act(op(A)·op(B) + bias) with the bias added first in the loop's
 * accumulators, as XNNPACK does; relu in the loop, other activations by their wasm kernel on the result.
 */
export function fusedMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, TensorInfo | undefined>;
    const attrs = args.attrs as unknown as { transposeA: boolean; transposeB: boolean; activation?: string; leakyreluAlpha?: number };
    const activation = attrs.activation ?? 'linear';
    const after = ACTIVATION_KERNEL[activation];
    if (activation !== 'linear' && activation !== 'relu' && after === undefined) return original(args);
    if (activation === 'prelu' && !preluActivationWeights) return original(args);
    const backend = args.backend as WasmBackend;
    // tfjs takes a rank-1 bias (its kernels throw otherwise); one value is added to every column (tfjs's wasm
    // kernel reads it as n values: past the end of the bias).
    if (bias && (bias.shape.length !== 1 || bias.dtype !== 'float32')) return original(args);
    const { n } = productShape(a!, b!, attrs.transposeA, attrs.transposeB);
    const spread = bias && bias.shape[0] === 1 && n !== 1 ? constant(backend, [n], backend.typedArrayFromHeap(bias)[0]!) : undefined;
    let c: TensorInfo | undefined;
    try {
      c = product(backend, a!, b!, attrs.transposeA, attrs.transposeB, spread ?? bias, activation === 'relu');
    } finally {
      if (spread) free(backend, spread);
    }
    if (!c) return original(args);
    if (after === undefined) return c;
    try {
      const extra: NamedAttrMap = activation === 'leakyrelu' ? { alpha: attrs.leakyreluAlpha ?? 0.2 } : {};
      const inputs = activation === 'prelu' ? { x: c, alpha: preluActivationWeights! } : { x: c };
      return run(backend, after, inputs, extra);
    } finally {
      free(backend, c);
    }
  };
}
