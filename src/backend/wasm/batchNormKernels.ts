/**
 * `FusedBatchNorm` of the wasm backend as latentkit's SIMD loop (`./simdBatchNorm.wat`), reading and writing
 * the heap in place. Internal: registered by `../wasmTrainingKernels.ts` (switch `simdBatchNorm`). Also the
 * batch-norm kernels latentkit adds (`BATCH_NORM_GRAD_KERNELS`: the gradient's terms, and the moments and
 * gradient of batch normalization in training), described where they are defined below.
 *
 * tfjs's kernel (`FusedBatchNorm.cc`) is a scalar loop, 0.8-1.8 ms a call on a DCGAN generator's activations
 * ([64, 3136], [64, 14, 14, 32]). It computes, per value, `offset + (x - mean) * scale / nf` with
 * `nf = sqrt(variance + eps)` taken in float32 (`std::sqrt` of a float) and kept as a double: the difference
 * and the product are float32 operations, the quotient and the sum float64 (the float operands widened),
 * and the result is rounded to float32 once. The loop performs the same IEEE operations in the same order,
 * 4 values at a time (`f32x4.sub`, `f32x4.mul`, `f64x2.promote_low_f32x4`, `f64x2.div`, `f64x2.add`,
 * `f32x4.demote_f64x2_zero`; operands in the order of tfjs's compiled kernel), so **its values are tfjs's
 * bit for bit** (infinities, signed zeros, subnormals included: wasm has no flush to zero and rounds to
 * nearest, as the C++ compiled to wasm), and NaN where tfjs's is NaN. (Not the NaN's sign: where two NaNs meet
 * tfjs's own kernel returns either, depending on how V8 compiled it at the time.) A missing scale is 1 and a
 * missing offset 0, tfjs's defaults, with the same multiplication and addition.
 *
 * Parameters are read as tfjs reads them: each (mean, variance, scale, offset) by its own index cycling over
 * its size, whatever x's shape. The loop reads them from a table of p channels, p the least common multiple
 * of 4 and the sizes (C for the usual [C] or [1, 1, 1, C] parameters with C a multiple of 4, 4C at most for
 * other C), made per call from the parameters (nf computed once per channel, as tfjs does). Other dtypes,
 * a parameter of size 0, a table of more than `MAX_TABLE` channels, an empty x, or a backend where the
 * module cannot be instantiated go to tfjs's kernel.
 * @module
 */
import { util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { AddedKernel } from '../kernels.js';
import { SIMD_BATCH_NORM_PLAIN, SIMD_BATCH_NORM_SHARED } from './simdBatchNorm.bytes.js';
import { onHeapPerBackend } from './simdUpdates.js';
import { byteOffset } from './movementKernels.js';
import type { Heap } from './movementKernels.js';
import { free, kernelOptions, WASM } from './util.js';

interface Loops {
  moments(x: number, rows: number, c: number, mean: number, variance: number, acc: number): void;
  trainGrad(x: number, dy: number, mean: number, variance: number, scale: number, eps: number, rows: number, c: number, dx: number, dscale: number, doffset: number, acc: number): void;
  gradTerms(x: number, dy: number, mean: number, r: number, h: number, scale: number, dx: number, mt: number, vt: number, st: number, n: number, c: number): void;
  prepare(mean: number, meanSize: number, variance: number, varianceSize: number, scale: number, scaleSize: number, offset: number, offsetSize: number, eps: number, table: number, p: number): void;
  normalize(x: number, y: number, n: number, table: number, p: number): void;
}

/** The batch-norm loops for this wasm backend, or undefined where they cannot run. */
export const batchNormLoops = onHeapPerBackend<Loops>(SIMD_BATCH_NORM_SHARED, SIMD_BATCH_NORM_PLAIN);

/** The most channels of the parameter table (24 bytes each). */
export const MAX_TABLE = 1 << 16;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;

/**
 * The table's channel count for parameters of these sizes (0: absent), or undefined where the loop does not
 * take them (a present parameter of size 0, or more than `MAX_TABLE` channels).
 */
export function tableChannels(sizes: ReadonlyArray<number | undefined>): number | undefined {
  let p = 4;
  for (const s of sizes) {
    if (s === undefined) continue;
    if (s === 0) return undefined;
    p = lcm(p, s);
    if (p > MAX_TABLE) return undefined;
  }
  return p;
}

interface Inputs {
  x: TensorInfo;
  mean: TensorInfo;
  variance: TensorInfo;
  offset?: TensorInfo | null;
  scale?: TensorInfo | null;
}

/** FusedBatchNorm in float32 as the SIMD loop (switch `simdBatchNorm`, read per call), else `original`. */
export function fusedBatchNorm(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, mean, variance, offset, scale } = args.inputs as unknown as Inputs;
    const { varianceEpsilon } = args.attrs as unknown as { varianceEpsilon: number };
    if (!kernelOptions.simdBatchNorm) return original(args);
    const present = [x, mean, variance, offset, scale].filter((t): t is TensorInfo => t != null);
    if (present.some((t) => t.dtype !== 'float32')) return original(args);
    const n = util.sizeFromShape(x.shape);
    const size = (t: TensorInfo | null | undefined) => (t == null ? undefined : util.sizeFromShape(t.shape));
    const p = n > 0 ? tableChannels([size(mean), size(variance), size(scale), size(offset)]) : undefined;
    const loops = p !== undefined ? batchNormLoops(args.backend) : undefined;
    if (!loops || p === undefined) return original(args);
    const b = args.backend as Heap;
    const out = b.makeOutput([...x.shape], 'float32');
    const table = b.makeOutput([6 * p], 'float32');
    const at = (t: TensorInfo | null | undefined) => (t == null ? 0 : byteOffset(b, t));
    loops.prepare(at(mean), size(mean)!, at(variance), size(variance)!, at(scale), size(scale) ?? 0, at(offset), size(offset) ?? 0, varianceEpsilon, at(table), p);
    loops.normalize(at(x), at(out), n, at(table), p);
    free(b, table);
    return out;
  };
}

/**
 * The kernel of the four full-size terms of tfjs-core's FusedBatchNorm gradient (`../gradientFixes.ts`):
 * inputs x, dy (float32, the same shape, last axis C, C a multiple of 4) and mean, r = rsqrt(variance + eps),
 * h = r * r * r * -0.5, scale (float32, C values each); outputs, in x's shape, `(dy * r) * scale` (x's
 * gradient), `(r * -1) * (dy * scale)`, `(h * (x - mean)) * (dy * scale)` and `dy * ((x - mean) * r)` (the
 * terms tfjs sums for mean, variance and scale), each with tfjs's float32 operations in its order, so bit for
 * bit tfjs's tensors (NaN where they are NaN). One pass instead of ten kernels and a Tile.
 */
export const BATCH_NORM_GRAD_TERMS = 'LatentkitBatchNormGradTerms';

interface Shaped {
  shape: readonly number[];
  dtype: string;
}

/** Whether the terms kernel takes x and dy with these per-channel tensors (see {@link BATCH_NORM_GRAD_TERMS}). */
export function gradTermsTake(x: Shaped, dy: Shaped, perChannel: readonly Shaped[]): boolean {
  const c = x.shape[x.shape.length - 1] ?? 0;
  return (
    x.shape.length > 0 && c > 0 && c % 4 === 0 && x.dtype === 'float32' && dy.dtype === 'float32' &&
    dy.shape.length === x.shape.length && dy.shape.every((d, i) => d === x.shape[i]) &&
    perChannel.every((t) => t.dtype === 'float32' && util.sizeFromShape([...t.shape]) === c)
  );
}

const gradTerms: KernelFunc = ({ inputs, backend }) => {
  const { x, dy, mean, r, h, scale } = inputs as unknown as Record<'x' | 'dy' | 'mean' | 'r' | 'h' | 'scale', TensorInfo>;
  const loops = batchNormLoops(backend);
  if (!loops || !gradTermsTake(x, dy, [mean, r, h, scale])) {
    throw new Error(`latentkit: ${BATCH_NORM_GRAD_TERMS}: expects float32 x and dy of one shape whose last axis is a multiple of 4, and mean, r, h, scale of that many values, on a wasm backend with SIMD.`);
  }
  const b = backend as Heap;
  const outs = [0, 1, 2, 3].map(() => b.makeOutput([...x.shape], 'float32'));
  const n = util.sizeFromShape(x.shape);
  const [dx, mt, vt, st] = outs.map((t) => byteOffset(b, t)) as [number, number, number, number];
  if (n > 0) loops.gradTerms(byteOffset(b, x), byteOffset(b, dy), byteOffset(b, mean), byteOffset(b, r), byteOffset(b, h), byteOffset(b, scale), dx, mt, vt, st, n, x.shape[x.shape.length - 1]!);
  return outs;
};

/**
 * Batch normalization in training, over x's last axis (`../../models/nets/batchNorm.ts`): x's per-channel
 * mean and biased variance (`LatentkitBatchNormMoments`: inputs x; outputs mean, variance of C values), and
 * the gradients of `offset + scale * (x - mean) / sqrt(variance + eps)` with mean and variance x's own moments
 * (`LatentkitBatchNormTrainingGrad`: inputs x, dy, mean, variance, scale; attribute varianceEpsilon; outputs
 * dx, dscale, doffset): two passes each, per-channel sums in float64 (`./simdBatchNorm.wat`), where tfjs
 * composes `moments` and the FusedBatchNorm gradient of ~25 kernels. Float32 x and dy of one shape whose last
 * axis C is a multiple of 4, C-value parameters.
 */
export const BATCH_NORM_MOMENTS = 'LatentkitBatchNormMoments';
export const BATCH_NORM_TRAINING_GRAD = 'LatentkitBatchNormTrainingGrad';

/** x as [rows, C] (C its last axis): C and the rows (0 where C is 0). */
function rowsOf(x: TensorInfo): [number, number] {
  const c = x.shape[x.shape.length - 1] ?? 0;
  return [c, c > 0 ? util.sizeFromShape(x.shape) / c : 0];
}

const moments: KernelFunc = ({ inputs, backend }) => {
  const { x } = inputs as unknown as { x: TensorInfo };
  const loops = batchNormLoops(backend);
  const [c, rows] = rowsOf(x);
  if (!loops || !gradTermsTake(x, x, []) || rows < 1) {
    throw new Error(`latentkit: ${BATCH_NORM_MOMENTS}: expects a float32 x with at least one row whose last axis is a multiple of 4, on a wasm backend with SIMD; got ${x.dtype} [${x.shape.join(', ')}].`);
  }
  const b = backend as Heap;
  const [mean, variance] = [b.makeOutput([c], 'float32'), b.makeOutput([c], 'float32')];
  const acc = b.makeOutput([2 * c], 'float32');
  loops.moments(byteOffset(b, x), rows, c, byteOffset(b, mean), byteOffset(b, variance), byteOffset(b, acc));
  free(b, acc);
  return [mean, variance];
};

const trainingGrad: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy, mean, variance, scale } = inputs as unknown as Record<'x' | 'dy' | 'mean' | 'variance' | 'scale', TensorInfo>;
  const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
  const loops = batchNormLoops(backend);
  const [c, rows] = rowsOf(x);
  if (!loops || !gradTermsTake(x, dy, [mean, variance, scale]) || rows < 1) {
    throw new Error(`latentkit: ${BATCH_NORM_TRAINING_GRAD}: expects float32 x and dy of one shape with at least one row whose last axis is a multiple of 4, and mean, variance, scale of that many values, on a wasm backend with SIMD.`);
  }
  const b = backend as Heap;
  const outs = [b.makeOutput([...x.shape], 'float32'), b.makeOutput([c], 'float32'), b.makeOutput([c], 'float32')];
  const acc = b.makeOutput([8 * c], 'float32');
  const [dx, dscale, doffset] = outs.map((t) => byteOffset(b, t)) as [number, number, number];
  loops.trainGrad(byteOffset(b, x), byteOffset(b, dy), byteOffset(b, mean), byteOffset(b, variance), byteOffset(b, scale), varianceEpsilon, rows, c, dx, dscale, doffset, byteOffset(b, acc));
  free(b, acc);
  return outs;
};

/** The kernels latentkit adds (`../kernels.ts`). */
export const BATCH_NORM_GRAD_KERNELS: readonly AddedKernel[] = [
  {
    kernelName: BATCH_NORM_MOMENTS,
    backendName: WASM,
    kernelFunc: moments,
    why: 'fused: batch normalization\'s per-channel mean and variance in training in two passes (tfjs-core\'s moments: Cast, two Means, Sub, Square)',
  },
  {
    kernelName: BATCH_NORM_TRAINING_GRAD,
    backendName: WASM,
    kernelFunc: trainingGrad,
    why: 'fused: batch normalization\'s gradient in training, through its own moments, in two passes (tfjs-core: ~25 kernels)',
  },
  {
    kernelName: BATCH_NORM_GRAD_TERMS,
    backendName: WASM,
    kernelFunc: gradTerms,
    why: "fused: the full-size terms of the batch-norm gradient in one pass (tfjs-core: ten elementwise kernels and a Tile)",
  },
];
