/**
 * Generated cases for the wasm elementwise kernels latentkit replaces to keep them off tfjs's thread pool: Add,
 * Sub, Multiply, RealDiv, SquaredDifference (ranks 0-4, the same shape, a scalar, a bias over rows, one value
 * per row, a row against a column, and broadcasts of more than two runs of axes, which go to tfjs's kernel;
 * int32 too, also tfjs's), Square, Neg, Sigmoid and Cast (to bool: latentkit's; other casts: tfjs's); NaN, -0 and infinities among the values, tails after the
 * 4-wide loop. The arithmetic ones are exact (tolerance 0: one IEEE float32 operation per value, as the cpu
 * kernels compute them) but SquaredDifference (two roundings, as XNNPACK) and Sigmoid, within a few ulp.
 * FusedBatchNorm (replaced for speed) is exact against a model of tfjs's wasm arithmetic (`batchNormModel`).
 */
import { randomTensor } from './harness.js';
import type { HostTensor, KernelCase, Outcome, Rng } from './harness.js';
import type { KernelSpec } from './spec.js';

/** Puts NaN, -0 and infinities among a float32 tensor's values (tagged). */
function specials(rng: Rng, t: HostTensor, tags: string[]): HostTensor {
  if (t.dtype !== 'float32' || t.values.length === 0) return t;
  if (rng.chance(0.3)) {
    tags.push('NaN, -0, infinities');
    for (let i = 0; i < t.values.length; i++) if (rng.chance(0.2)) t.values[i] = rng.pick([NaN, -0, 0, Infinity, -Infinity]);
  }
  return t;
}

/** Two shapes that broadcast in one of the ways training uses (or one the loop does not take). */
function shapes(rng: Rng, tags: string[]): [number[], number[]] {
  const m = rng.int(1, 9);
  const n = rng.weighted([[rng.int(1, 9), 60], [rng.int(10, 300), 40]] as const);
  const kind = rng.weighted([['same shape', 30], ['scalar', 15], ['bias over rows', 20], ['one value per row', 15], ['row against column', 10], ['three runs of axes', 10]] as const);
  tags.push(kind);
  if (n % 4 !== 0) tags.push('a tail after the 4-wide loop');
  let pair: [number[], number[]];
  switch (kind) {
    case 'same shape': {
      const s = rng.weighted([[[], 5], [[n], 25], [[m, n], 40], [[2, m, n], 20], [[2, 2, m, n], 10]] as const);
      pair = [[...s], [...s]];
      break;
    }
    case 'scalar':
      pair = [[m, n], rng.pick([[], [1], [1, 1]])];
      break;
    case 'bias over rows':
      pair = [[rng.int(1, 3), m, n], [n]];
      break;
    case 'one value per row':
      pair = [[m, n], [m, 1]];
      break;
    case 'row against column':
      pair = [[m, 1], [1, n]];
      break;
    default:
      pair = [[2, 1, n], [1, m + 1, 1]];
  }
  return rng.chance(0.5) ? pair : [pair[1], pair[0]];
}

/** `int32`: int32 cases too (tfjs's `div` casts to float32 before RealDiv; its wasm kernel throws for int32). */
const binaryCase = (int32: boolean) => (rng: Rng): KernelCase => {
  const tags: string[] = [];
  const [sa, sb] = shapes(rng, tags);
  const dtype = int32 && rng.chance(0.1) ? 'int32' : 'float32';
  tags.push(dtype);
  const a = specials(rng, randomTensor(rng, sa, dtype, -3, 3), tags);
  const b = specials(rng, randomTensor(rng, sb, dtype, -3, 3), tags);
  return { inputs: { a, b }, attrs: {}, tags };
};

function unaryCase(lo: number, hi: number) {
  return (rng: Rng): KernelCase => {
    const tags: string[] = [];
    const shape = rng.weighted([[[], 5], [[rng.int(1, 300)], 40], [[rng.int(1, 9), rng.int(1, 40)], 55]] as const);
    const x = specials(rng, randomTensor(rng, [...shape], 'float32', lo, hi), tags);
    if (x.values.length % 4 !== 0) tags.push('a tail after the 4-wide loop');
    return { inputs: { x }, attrs: {}, tags };
  };
}

/**
 * Cast between float32, int32 and bool. To bool: values with fractions, beyond a byte, negative, NaN and -0
 * (latentkit's kernel); the other casts are tfjs's own (no NaN there: tfjs's float-to-int conversion of NaN is
 * undefined in C++).
 */
function castCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const from = rng.weighted([['float32', 60], ['int32', 30], ['bool', 10]] as const);
  const dtype = rng.weighted([['bool', 60], ['float32', 20], ['int32', 20]] as const);
  tags.push(`${from} to ${dtype}`);
  if (dtype === 'bool') tags.push('to bool');
  const shape = rng.weighted([[[], 5], [[rng.int(1, 40)], 50], [[rng.int(1, 6), rng.int(1, 9)], 45]] as const);
  const x = randomTensor(rng, [...shape], from, from === 'int32' ? -300 : -3, from === 'int32' ? 300 : 3);
  if (from !== 'bool') {
    for (let i = 0; i < x.values.length; i++) {
      if (rng.chance(0.2)) x.values[i] = rng.pick(from === 'float32' && dtype === 'bool' ? [0, -0, 0.5, -0.25, 256, 300.5, NaN] : [0, 1, 256, -1]);
    }
  }
  return { inputs: { x }, attrs: { dtype }, tags };
}

/**
 * tfjs's wasm FusedBatchNorm, operation for operation (`FusedBatchNorm.cc`): nf = sqrtf(variance + eps) in
 * float32, then `offset + (x - mean) * scale / nf` with the difference and product in float32 and the
 * quotient and sum in float64, rounded to float32 once; each parameter indexed cycling over its own size; a
 * missing scale 1, a missing offset 0. (JavaScript's double operations on float32 operands, rounded to
 * float32, are float32's operations: a double holds the exact result to more than twice float32's precision.)
 */
export function batchNormModel(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  variance: ArrayLike<number>,
  scale: ArrayLike<number> | undefined,
  offset: ArrayLike<number> | undefined,
  varianceEpsilon: number,
): Float32Array {
  const f = Math.fround;
  const eps = f(varianceEpsilon);
  const nf = Array.from(variance, (v) => f(Math.sqrt(f(v + eps))));
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const s = scale ? scale[i % scale.length]! : 1;
    const o = offset ? offset[i % offset.length]! : 0;
    out[i] = o + f(f(x[i]! - mean[i % mean.length]!) * s) / nf[i % nf.length]!;
  }
  return out;
}

/**
 * FusedBatchNorm: x of rank 1-4 whose last axis C is the parameters' size (or 1, or another size they cycle
 * over), scale and offset present or not, NaN / infinities / -0 among x and the parameters, variances that
 * are 0, subnormal, huge, infinite or negative, epsilons 1e-3, 1e-5 and 0.
 */
function batchNormCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const c = rng.weighted([[1, 15], [rng.pick([2, 3, 5, 6, 7]), 30], [rng.pick([4, 8, 12, 32]), 40], [rng.int(9, 70), 15]] as const);
  const lead = rng.weighted([[[], 10], [[rng.int(1, 9)], 50], [[rng.int(1, 3), rng.int(1, 5)], 25], [[rng.int(1, 2), rng.int(1, 3), rng.int(1, 4)], 15]] as const);
  const shape = [...lead, c];
  if (shape.reduce((a, b) => a * b, 1) % 4 !== 0) tags.push('a tail after the 4-wide loop');
  if (c % 4 !== 0) tags.push('C not a multiple of 4');
  const size = (): number => {
    const kind = rng.weighted([['C', 70], ['1', 20], ['other', 10]] as const);
    if (kind !== 'C') tags.push(kind === '1' ? 'a parameter of size 1' : 'a parameter cycling over another size');
    return kind === 'C' ? c : kind === '1' ? 1 : rng.int(2, 9);
  };
  const param = (lo: number, hi: number) => {
    const n = size();
    return rng.chance(0.3) && n === c ? randomTensor(rng, [...shape.slice(0, -1).map(() => 1), n], 'float32', lo, hi) : randomTensor(rng, [n], 'float32', lo, hi);
  };
  const x = specials(rng, randomTensor(rng, shape, 'float32', -3, 3), tags);
  const mean = specials(rng, param(-1, 1), tags);
  const variance = param(0, 3);
  if (rng.chance(0.3)) {
    tags.push('special variances');
    for (let i = 0; i < variance.values.length; i++) if (rng.chance(0.3)) variance.values[i] = rng.pick([0, 1e-40, 1e-45, 3.4e38, Infinity, -1, NaN]);
  }
  const inputs: Record<string, HostTensor> = { x, mean, variance };
  if (rng.chance(0.7)) inputs['scale'] = specials(rng, param(-2, 2), tags);
  else tags.push('no scale');
  if (rng.chance(0.7)) inputs['offset'] = specials(rng, param(-1, 1), tags);
  else tags.push('no offset');
  return { inputs, attrs: { varianceEpsilon: rng.pick([1e-3, 1e-5, 0]) }, tags };
}

function batchNormReference(c: KernelCase): Outcome {
  const { x, mean, variance, scale, offset } = c.inputs as Record<string, HostTensor | undefined>;
  const values = batchNormModel(x!.values, mean!.values, variance!.values, scale?.values, offset?.values, c.attrs['varianceEpsilon'] as number);
  return { shape: [...x!.shape], dtype: 'float32', values: Float64Array.from(values) };
}

const BINARY_COVER = { 'same shape': 60, scalar: 30, 'bias over rows': 40, 'one value per row': 30, 'row against column': 15, 'three runs of axes': 15, int32: 10, 'NaN, -0, infinities': 50, 'a tail after the 4-wide loop': 100 };

export function elementwiseSpecs(): KernelSpec[] {
  return [
    ...['Add', 'Sub', 'Multiply'].map((kernel): KernelSpec => ({ kernel, backend: 'wasm', generate: binaryCase(true), tol: 0, mustCover: BINARY_COVER })),
    { kernel: 'RealDiv', backend: 'wasm', generate: binaryCase(false), tol: 0, mustCover: { ...BINARY_COVER, int32: 0 } },
    // (a - b) rounded to float32, then squared, as XNNPACK (tfjs's wasm kernel): within an ulp of the cpu
    // kernel, which squares the difference in double precision and rounds once.
    { kernel: 'SquaredDifference', backend: 'wasm', generate: binaryCase(true), tol: 1e-6, mustCover: BINARY_COVER },
    { kernel: 'Square', backend: 'wasm', generate: unaryCase(-3, 3), tol: 0, mustCover: { 'NaN, -0, infinities': 50, 'a tail after the 4-wide loop': 100 } },
    { kernel: 'Neg', backend: 'wasm', generate: unaryCase(-3, 3), tol: 0, mustCover: { 'NaN, -0, infinities': 50, 'a tail after the 4-wide loop': 100 } },
    {
      kernel: 'Cast',
      backend: 'wasm',
      generate: castCase,
      tol: 0,
      // tfjs's own: a cast to bool keeps the low byte of the integer part.
      stockWrong: (c) => c.tags.includes('to bool') && !c.tags.includes('bool to bool'),
      mustCover: { 'float32 to bool': 80, 'int32 to bool': 30, 'float32 to int32': 10, 'int32 to float32': 5, 'bool to float32': 2 },
    },
    // Over [-100, 100]: both tails, where one side's formula would cancel.
    { kernel: 'Sigmoid', backend: 'wasm', generate: unaryCase(-100, 100), tol: 1e-6, mustCover: { 'NaN, -0, infinities': 50, 'a tail after the 4-wide loop': 100 } },
    // Exact against the model of tfjs's wasm arithmetic (tfjs's cpu kernel computes in float64 throughout):
    // latentkit's loop and tfjs's own wasm kernel both agree with it, value for value.
    {
      kernel: 'FusedBatchNorm',
      backend: 'wasm',
      generate: batchNormCase,
      reference: batchNormReference,
      tol: 0,
      mustCover: {
        'a tail after the 4-wide loop': 100, 'C not a multiple of 4': 80, 'a parameter of size 1': 60, 'a parameter cycling over another size': 30,
        'no scale': 50, 'no offset': 50, 'special variances': 50, 'NaN, -0, infinities': 80,
      },
    },
  ];
}
