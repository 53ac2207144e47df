/**
 * Elementwise float32 kernels of the wasm backend as latentkit's SIMD loops (`./simdElementwise.wat`), reading
 * and writing the heap in place. Internal: registered by `../kernels.ts`.
 *
 * - `Tanh` (GAN activations): tfjs's kernel calls the scalar tanhf for every value (~9 ns each, 16% of a dense
 *   GAN's step); the loop computes 4 at a time, within 2 ulp of the correctly rounded tanh (as tanhf is).
 * - `ClipByValue`: tfjs's kernel (an XNNPACK clamp) turns NaN into the lower bound (and returns x unchanged
 *   when min = max), so on wasm a diverged model's cross-entropy, which clips its probabilities, was a finite
 *   loss; `Relu`: tfjs's returned 0 for the NaN activations of a NaN batch inside a training step (though not
 *   on the differential suite's cases). The loops compute what tfjs's cpu kernels do (`Math.max(0, x)`;
 *   `x < lo ? lo : x > hi ? hi : x`), so a NaN batch gives a NaN loss on wasm as on cpu.
 * - `Sigmoid` (the usual output of an autoencoder and a discriminator), within 2.2 ulp of the correctly
 *   rounded sigmoid, and `Add`, `Sub`, `Multiply`, `RealDiv`, `SquaredDifference`, `Square`, `Neg` in
 *   float32: tfjs's are XNNPACK operators run on its thread pool, which on two threads costs ~0.3 ms a call
 *   instead of ~0.1 (waking the pool's worker, which then spins on the core latentkit's product helpers
 *   need). The loops run on the calling thread (on a threaded backend, for outputs under
 *   `kernelOptions.pooledElements` values: by default all). The binary ones compute each value with
 *   XNNPACK's float32 operations (`(a - b) * (a - b)`, `x * x`), bit for bit its results, for operands of the
 *   same shape or broadcast along whole leading or trailing axes (a bias, a scalar, one value per row); other
 *   broadcasts go to tfjs's kernels (switch `heapBinary`).
 * - `Cast` to bool (from float32 or int32): tfjs's keeps the low byte of the integer part; here `x !== 0`.
 *
 * Other dtypes, or a backend where the module cannot be instantiated, go to tfjs's kernels.
 * @module
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import { SIMD_ELEMENTWISE_PLAIN, SIMD_ELEMENTWISE_SHARED } from './simdElementwise.bytes.js';
import { onHeapPerBackend } from './simdUpdates.js';
import { byteOffset } from './movementKernels.js';
import type { Heap } from './movementKernels.js';
import { kernelOptions, onCallingThread } from './util.js';

/** The loops, on byte offsets into the heap; n in values. */
interface Loops {
  tanh(x: number, y: number, n: number): void;
  sigmoid(x: number, y: number, n: number): void;
  relu(x: number, y: number, n: number): void;
  clip(x: number, y: number, n: number, lo: number, hi: number): void;
  binary(op: number, a: number, b: number, c: number, m: number, n: number, sa: number, sb: number, mode: number): void;
}

/** The elementwise loops for this wasm backend, or undefined where they cannot run. */
export const elementwiseLoops = onHeapPerBackend<Loops>(SIMD_ELEMENTWISE_SHARED, SIMD_ELEMENTWISE_PLAIN);

/**
 * A float32 kernel of one input `x` as a loop over the heap (`loop(x, y, n)` on byte offsets) where `enabled(n,
 * backend)` for its n values and `loopsOf` (a module's loops, default this module's) can run, else `original`.
 */
export function heapUnary<L = Loops>(
  original: KernelFunc,
  enabled: (n: number, backend: unknown) => boolean,
  loop: (l: L, x: number, y: number, n: number, attrs: NamedAttrMap) => void,
  loopsOf: (backend: unknown) => L | undefined = elementwiseLoops as unknown as (backend: unknown) => L | undefined,
): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const n = util.sizeFromShape(x.shape);
    const loops = x.dtype === 'float32' && enabled(n, args.backend) ? loopsOf(args.backend) : undefined;
    if (!loops) return original(args);
    const b = args.backend as Heap;
    const out = b.makeOutput([...x.shape], 'float32');
    if (n > 0) loop(loops, byteOffset(b, x), byteOffset(b, out), n, args.attrs ?? {});
    return out;
  };
}

/** Tanh, 4 values at a time (switch `simdTanh`). */
export const tanh = (original: KernelFunc): KernelFunc => heapUnary(original, () => kernelOptions.simdTanh, (l, x, y, n) => l.tanh(x, y, n));

/** Sigmoid, 4 values at a time on the calling thread (switch `simdSigmoid`). */
export const sigmoid = (original: KernelFunc): KernelFunc =>
  heapUnary(original, (n, b) => kernelOptions.simdSigmoid && onCallingThread(b, n), (l, x, y, n) => l.sigmoid(x, y, n));

/** Relu keeping NaN, as the cpu kernel. */
export const relu = (original: KernelFunc): KernelFunc => heapUnary(original, () => true, (l, x, y, n) => l.relu(x, y, n));

/** ClipByValue keeping NaN, as the cpu kernel. */
export const clipByValue = (original: KernelFunc): KernelFunc =>
  heapUnary(original, () => true, (l, x, y, n, attrs) => {
    const { clipValueMin, clipValueMax } = attrs as unknown as { clipValueMin: number; clipValueMax: number };
    l.clip(x, y, n, clipValueMin, clipValueMax);
  });

/** A broadcast binary operation as the loop's rows: m rows of n values (see `binary` in the .wat). */
export interface RowForm {
  shape: number[];
  m: number;
  n: number;
  /** Byte strides between rows of a and of b (0: the same values for every row). */
  sa: number;
  sb: number;
  /** 0: both vary along a row; 1: b is one value per row; 2: a is. */
  mode: 0 | 1 | 2;
}

/**
 * The output shape and row form of `a op b` under broadcasting, or undefined when the shapes do not
 * broadcast or need more than two runs of axes (say a [2, 1, 3] with b [1, 4, 1]).
 */
export function rowForm(aShape: readonly number[], bShape: readonly number[]): RowForm | undefined {
  let shape: number[];
  try {
    shape = backend_util.assertAndGetBroadcastShape([...aShape], [...bShape]);
  } catch {
    return undefined; // tfjs's kernel reports it
  }
  const r = shape.length;
  const size = (s: readonly number[], i: number) => s[i - (r - s.length)] ?? 1;
  // Runs of axes by which operands vary along them: 1 a only, 2 b only, 3 both (axes of size 1 skipped).
  const runs: Array<{ kind: number; size: number }> = [];
  for (let i = 0; i < r; i++) {
    if (shape[i] === 1) continue;
    const kind = (size(aShape, i) > 1 ? 1 : 0) | (size(bShape, i) > 1 ? 2 : 0);
    const last = runs[runs.length - 1];
    if (last && last.kind === kind) last.size *= shape[i]!;
    else runs.push({ kind, size: shape[i]! });
  }
  if (runs.length > 2) return undefined;
  const inner = runs[runs.length - 1] ?? { kind: 3, size: 1 };
  const outer = runs.length === 2 ? runs[0]! : { kind: 0, size: 1 }; // one row: its strides are never used
  const mode = inner.kind === 3 ? 0 : inner.kind === 1 ? 1 : 2;
  const rowOf = (bit: number) => (outer.kind & bit ? 4 * (inner.kind & bit ? inner.size : 1) : 0);
  return { shape, m: outer.size, n: inner.size, sa: rowOf(1), sb: rowOf(2), mode };
}

/** The loop's operation codes. */
const OP = { add: 0, sub: 1, mul: 2, div: 3, squaredDifference: 4, neg: 5 } as const;

/** A float32 binary kernel (inputs `a`, `b`) as the loop, or `original` (switch `heapBinary`). */
function heapBinary(op: number, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const loops = a.dtype === 'float32' && b.dtype === 'float32' ? elementwiseLoops(args.backend) : undefined;
    const form = loops && rowForm(a.shape, b.shape);
    if (!loops || !form || !binaryHere(form.m * form.n, args.backend)) return original(args);
    const h = args.backend as Heap;
    const out = h.makeOutput(form.shape, 'float32');
    if (form.m * form.n > 0) loops.binary(op, byteOffset(h, a), byteOffset(h, b), byteOffset(h, out), form.m, form.n, form.sa, form.sb, form.mode);
    return out;
  };
}

export const add = (original: KernelFunc): KernelFunc => heapBinary(OP.add, original);
export const sub = (original: KernelFunc): KernelFunc => heapBinary(OP.sub, original);
export const multiply = (original: KernelFunc): KernelFunc => heapBinary(OP.mul, original);
export const realDiv = (original: KernelFunc): KernelFunc => heapBinary(OP.div, original);
export const squaredDifference = (original: KernelFunc): KernelFunc => heapBinary(OP.squaredDifference, original);

/** Where the binary loop takes n output values: switch `heapBinary`, and see POOLED_ELEMENTS. */
const binaryHere = (n: number, backend: unknown) => kernelOptions.heapBinary && onCallingThread(backend, n);

/** Square as x * x, Neg as -x. */
export const square = (original: KernelFunc): KernelFunc => heapUnary(original, binaryHere, (l, x, y, n) => l.binary(OP.mul, x, x, y, 1, n, 0, 0, 0));
export const neg = (original: KernelFunc): KernelFunc => heapUnary(original, binaryHere, (l, x, y, n) => l.binary(OP.neg, x, x, y, 1, n, 0, 0, 0));

/**
 * Cast to bool from float32 or int32: `x !== 0` (NaN is true), as the cpu kernel. tfjs's wasm kernel keeps the
 * low byte of the integer part (0.5 -> false, 256 -> false, -4.3 -> 252, which later bool kernels and casts
 * read as 252). Other casts go to tfjs's kernel.
 */
export function castToBool(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { dtype } = args.attrs as unknown as { dtype: string };
    if (dtype !== 'bool' || (x.dtype !== 'float32' && x.dtype !== 'int32')) return original(args);
    const h = args.backend as Heap;
    const out = h.makeOutput([...x.shape], 'bool');
    const n = util.sizeFromShape(x.shape);
    if (n === 0) return out;
    // Views after the allocation (the heap may have grown).
    const buffer = h.wasm.HEAPU8.buffer;
    const from = x.dtype === 'float32' ? new Float32Array(buffer, byteOffset(h, x), n) : new Int32Array(buffer, byteOffset(h, x), n);
    const to = new Uint8Array(buffer, byteOffset(h, out), n);
    for (let i = 0; i < n; i++) to[i] = from[i] !== 0 ? 1 : 0;
    return out;
  };
}
