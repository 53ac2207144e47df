/**
 * Generated cases for the other kernels latentkit adds or replaces: MaxPoolGrad (all-negative windows,
 * ties, dy larger than implied), BatchMatMul (transposes, batch broadcasting, int32, latentkit's SIMD blocks),
 * _FusedMatMul (biases, activations, transposes), Relu and ClipByValue (NaN, -0, infinities), Sum and Mean (axes,
 * keepDims, dtypes, the fast path over >= 4,096 elements on leading axes), ResizeNearestNeighborGrad on wasm
 * and cpu (batches, alignCorners, halfPixelCenters, integer and other factors) and UnsortedSegmentSum.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { randomTensor, runKernel, tensorFrom } from './harness.js';
import type { DType, HostTensor, KernelCase, Outcome, Rng } from './harness.js';
import type { KernelSpec } from './spec.js';

type Shape4 = [number, number, number, number];

function maxPoolGradCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const n = rng.weighted([[1, 40], [2, 40], [3, 20]] as const);
  // Channel counts that are multiples of 4 take latentkit's SIMD loop.
  const [h, w, c] = [rng.int(1, 9), rng.int(1, 9), rng.pick([1, 2, 3, 5, 4, 8, 12])];
  if (c % 4 === 0) tags.push('C a multiple of 4');
  const fh = rng.int(1, 3);
  const fw = rng.chance(0.7) ? fh : rng.int(1, 3);
  const sh = rng.int(1, 3);
  const sw = rng.chance(0.7) ? sh : rng.int(1, 3);
  const kind = rng.weighted([['same', 40], ['valid', 35], ['number', 15], ['explicit', 10]] as const);
  // Pads smaller than the window, so that every window holds at least one input value.
  const p = () => rng.int(0, Math.min(fh, fw) - 1);
  const pad = kind === 'number' ? p() : kind === 'explicit' ? [[0, 0], [p(), p()], [p(), p()], [0, 0]] : kind;
  const dimRoundingMode = kind === 'number' && rng.chance(0.3) ? rng.pick(['floor', 'round', 'ceil'] as const) : undefined;
  let info: backend_util.Conv2DInfo;
  try {
    info = backend_util.computePool2DInfo([n, h, w, c], [fh, fw], [sh, sw], 1, pad as 'same', dimRoundingMode);
  } catch {
    return maxPoolGradCase(rng);
  }
  if (info.outHeight < 1 || info.outWidth < 1) return maxPoolGradCase(rng);
  tags.push(`pad ${typeof pad === 'object' ? 'explicit' : typeof pad === 'number' ? 'number' : pad}`);
  if (n > 1) tags.push('batch > 1');
  const values = rng.weighted([['uniform', 45], ['all negative', 30], ['ties', 15], ['negative ties', 10]] as const);
  tags.push(values);
  const shape = [n, h, w, c];
  const input =
    values === 'uniform'
      ? randomTensor(rng, shape)
      : values === 'all negative'
        ? randomTensor(rng, shape, 'float32', -10, -0.1)
        : tensorFrom(shape, () => (values === 'ties' ? rng.int(-2, 1) : rng.int(-3, -1)));
  if (!everyWindowHasPositive(input, info)) tags.push('a window without a positive value');
  let [eh, ew] = [0, 0];
  if (rng.chance(0.2)) {
    [eh, ew] = [rng.int(0, 2), rng.int(1, 2)];
    tags.push('dy larger than implied');
  }
  const dy = randomTensor(rng, [n, info.outHeight + eh, info.outWidth + ew, c]);
  // 'output' (the forward result) is an input of the kernel; no kernel here reads it.
  const output = randomTensor(rng, [n, info.outHeight, info.outWidth, c]);
  return {
    inputs: { dy, input, output },
    attrs: { filterSize: [fh, fw], strides: [sh, sw], pad, ...(dimRoundingMode ? { dimRoundingMode } : {}) },
    tags,
  };
}

/**
 * Whether every pooling window holds a value above FLT_MIN: tfjs-backend-wasm's MaxPoolGrad starts each
 * window's running maximum at FLT_MIN and passes no gradient from the others.
 */
function everyWindowHasPositive(input: HostTensor, info: backend_util.Conv2DInfo): boolean {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  for (let b = 0; b < batchSize; b++)
    for (let y = 0; y < outHeight; y++)
      for (let x = 0; x < outWidth; x++)
        for (let k = 0; k < c; k++) {
          let best = -Infinity;
          for (let i = 0; i < info.effectiveFilterHeight; i++)
            for (let j = 0; j < info.effectiveFilterWidth; j++) {
              const [iy, ix] = [y * info.strideHeight - info.padInfo.top + i, x * info.strideWidth - info.padInfo.left + j];
              if (iy >= 0 && iy < inHeight && ix >= 0 && ix < inWidth) best = Math.max(best, input.values[((b * inHeight + iy) * inWidth + ix) * c + k]!);
            }
          if (!(best > 1.1754943508222875e-38)) return false;
        }
  return true;
}

/** m, k, n: small, or (float32) sizes that fill latentkit's 4 x 8 SIMD blocks with every kind of remainder. */
function productSizes(rng: Rng, tags: string[]): [number, number, number] {
  if (rng.chance(0.5)) return [rng.int(1, 9), rng.int(1, 9), rng.int(1, 9)];
  const [m, k, n] = [rng.int(1, 14), rng.int(1, 40), rng.int(8, 23)];
  tags.push('8-column blocks');
  if (m % 4 !== 0) tags.push('rows past a 4-row block');
  if (n % 8 >= 4) tags.push('a 4-column block');
  if (n % 4 !== 0) tags.push('single columns');
  return [m, k, n];
}

function batchMatMulCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const [m, k, n] = productSizes(rng, tags);
  const batches = rng.weighted([[[1, 1], 50], [[2, 2], 15], [[3, 1], 10], [[1, 3], 10], [[3, 3], 15]] as const);
  const transposeA = rng.chance(0.5);
  const transposeB = rng.chance(0.5);
  const dtype: DType = rng.chance(0.15) ? 'int32' : 'float32';
  tags.push(`transposeA ${transposeA}`, `transposeB ${transposeB}`, dtype, batches[0] * batches[1] > 1 ? 'batched' : 'unbatched');
  // latentkit's SIMD product computes Cᵀ = B·Aᵀ (C written transposed) for Aᵀ·Bᵀ, and for A·Bᵀ when A is
  // the smaller operand to transpose (m < n).
  if (dtype === 'float32' && transposeB && (transposeA || m < n)) tags.push('computed as its transpose');
  const lo = dtype === 'int32' ? -5 : -1;
  const hi = dtype === 'int32' ? 5 : 1;
  const a = randomTensor(rng, [batches[0], ...(transposeA ? [k, m] : [m, k])], dtype, lo, hi);
  const b = randomTensor(rng, [batches[1], ...(transposeB ? [n, k] : [k, n])], dtype, lo, hi);
  return { inputs: { a, b }, attrs: { transposeA, transposeB }, tags };
}

/** ClipByValue: bounds around, inside or outside the values; NaN, -0 and infinities among them. */
function clipCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const shape = Array.from({ length: rng.int(1, 3) }, () => rng.int(1, 7));
  const x = randomTensor(rng, shape, 'float32', -2, 2);
  const values = x.values as Float32Array;
  if (rng.chance(0.4)) {
    tags.push('NaN');
    for (let i = 0; i < values.length; i++) if (rng.chance(0.3)) values[i] = NaN;
  }
  if (rng.chance(0.3)) {
    tags.push('-0, infinities');
    values[rng.int(0, values.length - 1)] = -0;
    values[rng.int(0, values.length - 1)] = rng.pick([Infinity, -Infinity]);
  }
  const lo = rng.pick([-1, 0, -Infinity, 0.25]);
  const hi = lo + rng.pick([0, 0.5, 1, Infinity]);
  if (hi === lo || Number.isNaN(hi)) tags.push('min equals max');
  if (values.length % 4 !== 0) tags.push('a tail after the 4-wide loop');
  return { inputs: { x }, attrs: { clipValueMin: lo, clipValueMax: hi }, tags };
}

const ACTIVATIONS = ['linear', 'relu', 'elu', 'sigmoid', 'leakyrelu', 'relu6', 'prelu'] as const;

/**
 * _FusedMatMul (tfjs-layers' Dense forward): act(op(A)·op(B) + bias); biases of n values (latentkit's
 * SIMD product), of another broadcastable shape or none, and every activation tfjs fuses.
 */
function fusedMatMulCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const [m, k, n] = productSizes(rng, tags);
  const transposeA = rng.chance(0.25);
  const transposeB = rng.chance(0.25);
  const activation = rng.pick(ACTIVATIONS);
  tags.push(`transposeA ${transposeA}`, `transposeB ${transposeB}`, activation);
  const a = randomTensor(rng, [1, ...(transposeA ? [k, m] : [m, k])]);
  const b = randomTensor(rng, [1, ...(transposeB ? [n, k] : [k, n])]);
  const inputs: KernelCase['inputs'] = { a, b };
  const biasShape = rng.weighted([[[n], 60], [[1, n], 10], [[m, n], 10], [[1], 5], [null, 15]] as const);
  if (biasShape) inputs['bias'] = randomTensor(rng, [...biasShape]);
  tags.push(biasShape === null ? 'no bias' : biasShape.length === 1 && biasShape[0] === n ? 'bias [n]' : `bias [${biasShape.length === 2 && biasShape[0] === m ? 'm, n' : biasShape.join(', ')}]`);
  if (activation === 'prelu') inputs['preluActivationWeights'] = randomTensor(rng, [n], 'float32', 0, 0.5);
  return { inputs, attrs: { transposeA, transposeB, activation, leakyreluAlpha: 0.1 + 0.2 * rng.float() }, tags };
}

function reductionCase(mean: boolean) {
  return (rng: Rng): KernelCase => {
    const tags: string[] = [];
    const big = rng.chance(0.4);
    let shape: number[];
    let axis: number | number[];
    if (big) {
      // >= 4,096 elements, reduced over leading axes: latentkit's average-pooling path.
      const k = rng.int(1, 3);
      const inner = Array.from({ length: rng.int(1, 2) }, () => rng.int(2, 9));
      const innerSize = inner.reduce((p, q) => p * q, 1);
      const outerSize = Math.ceil(4096 / innerSize) + rng.int(0, 300);
      const outer = k === 1 ? [outerSize] : k === 2 ? [Math.ceil(outerSize / 16), 16] : [Math.ceil(outerSize / 32), 4, 8];
      shape = [...outer, ...inner];
      const axes = outer.map((_, i) => i);
      axis = rng.chance(0.3) ? axes.map((a) => a - shape.length) : rng.chance(0.2) ? [...axes].reverse() : axes;
      if (k === 1 && rng.chance(0.3)) axis = 0;
      tags.push('>= 4096 elements, leading axes');
    } else {
      shape = Array.from({ length: rng.int(1, 4) }, () => rng.int(1, 6));
      const all = shape.map((_, i) => i);
      const chosen = all.filter(() => rng.chance(0.5));
      axis = chosen.length === 1 && rng.chance(0.5) ? chosen[0]! : chosen.length === 0 ? all : chosen;
      if (rng.chance(0.2)) axis = (Array.isArray(axis) ? axis : [axis]).map((a) => a - shape.length);
      tags.push('small');
    }
    const keepDims = rng.chance(0.5);
    const dtype: DType = rng.chance(0.2) ? 'int32' : 'float32';
    tags.push(dtype, `keepDims ${keepDims}`);
    return { inputs: { x: randomTensor(rng, shape, dtype, dtype === 'int32' ? -9 : -1, dtype === 'int32' ? 9 : 1) }, attrs: { axis, keepDims }, tags };
  };
}

function resizeGradCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const b = rng.weighted([[1, 35], [2, 40], [3, 25]] as const);
  const [h, w, c] = [rng.int(1, 6), rng.int(1, 6), rng.int(1, 3)];
  const integer = rng.chance(0.5);
  const [yh, yw] = integer ? [h * rng.int(1, 4), w * rng.int(1, 4)] : [rng.int(1, 12), rng.int(1, 12)];
  const mode = rng.weighted([['plain', 40], ['alignCorners', 25], ['halfPixelCenters', 35]] as const);
  tags.push(mode, integer ? 'integer factors' : 'any sizes');
  if (b > 1) tags.push('batch > 1');
  // tfjs's kernels divide by (input side - 1) there: cpu's loops forever, wasm's returns zeros.
  if (mode === 'alignCorners' && ((h === 1 && yh > 1) || (w === 1 && yw > 1))) tags.push('alignCorners, input side 1');
  return {
    inputs: { images: randomTensor(rng, [b, h, w, c]), dy: randomTensor(rng, [b, yh, yw, c]) },
    attrs: { alignCorners: mode === 'alignCorners', halfPixelCenters: mode === 'halfPixelCenters', size: [yh, yw] },
    tags,
  };
}

/**
 * The adjoint of tfjs's own forward ResizeNearestNeighbor (cpu): the forward kernel resizes an image whose
 * values are their own flat indices, which says where every output pixel was read from; each dy value goes
 * back there. Independent of both gradient kernels under test.
 */
function resizeGradByForward(forward: KernelFunc) {
  return (c: KernelCase): Outcome => {
    const images = c.inputs['images']!;
    const dy = c.inputs['dy']!;
    const [b, h, w, ch] = images.shape as Shape4;
    const index = Float32Array.from({ length: b * h * w * ch }, (_, i) => i);
    const attrs = { ...c.attrs, size: [dy.shape[1], dy.shape[2]] };
    const src = runKernel('cpu', forward, { inputs: { images: { shape: images.shape, dtype: 'float32', values: index } }, attrs, tags: [] });
    if ('error' in src) return src;
    const dx = new Float64Array(index.length);
    src.values.forEach((from, i) => (dx[from] += dy.values[i]!));
    return { shape: images.shape, dtype: 'float32', values: dx };
  };
}

function unsortedSegmentSumCase(rng: Rng): KernelCase {
  const tags: string[] = [];
  const n = rng.int(1, 10);
  const inner = Array.from({ length: rng.int(0, 2) }, () => rng.int(1, 4));
  const numSegments = rng.int(1, 6);
  const dtype: DType = rng.chance(0.2) ? 'int32' : 'float32';
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) ids[i] = rng.chance(0.1) ? rng.pick([-1, numSegments, numSegments + 2]) : rng.int(0, numSegments - 1);
  if (ids.some((s) => s < 0 || s >= numSegments)) tags.push('ids out of range');
  tags.push(dtype, `x rank ${1 + inner.length}`);
  const segmentIds: HostTensor = { shape: [n], dtype: 'int32', values: ids };
  return { inputs: { x: randomTensor(rng, [n, ...inner], dtype, dtype === 'int32' ? -9 : -1, dtype === 'int32' ? 9 : 1), segmentIds }, attrs: { numSegments }, tags };
}

/** tfjs's cpu UnsortedSegmentSum returns float32 for int32 x (it multiplies by a float mask); compare values. */
function asFloat(fn: KernelFunc) {
  return (c: KernelCase): Outcome => {
    const out = runKernel('cpu', fn, c);
    return 'error' in out ? out : { ...out, dtype: 'any' };
  };
}

/** Specs; `forwardResize` is tfjs's cpu ResizeNearestNeighbor, the reference's source of truth. */
export function otherSpecs(forwardResize: KernelFunc): KernelSpec[] {
  return [
    {
      kernel: 'MaxPoolGrad',
      backend: 'wasm',
      generate: maxPoolGradCase,
      // tfjs's own: no gradient from windows without a positive value, dy read as if of the implied size, and
      // ties broken differently from the cpu kernel (which takes the first maximum).
      stockWrong: (c) => ['a window without a positive value', 'dy larger than implied', 'ties', 'negative ties'].some((t) => c.tags.includes(t)),
      mustCover: { 'all negative': 50, ties: 20, 'dy larger than implied': 30, 'batch > 1': 100, 'a window without a positive value': 100, 'C a multiple of 4': 80 },
    },
    {
      kernel: 'BatchMatMul',
      backend: 'wasm',
      generate: batchMatMulCase,
      // tfjs's wasm BatchMatMul refuses int32: latentkit's must throw the same (the runner takes tfjs's error as the reference).
      mustCover: {
        'transposeA true': 100, 'transposeB true': 100, int32: 20, batched: 50, 'computed as its transpose': 30,
        '8-column blocks': 100, 'rows past a 4-row block': 50, 'a 4-column block': 40, 'single columns': 60,
      },
    },
    {
      kernel: 'Relu',
      backend: 'wasm',
      generate: (rng) => {
        const c = clipCase(rng);
        return { inputs: c.inputs, attrs: {}, tags: c.tags };
      },
      // tfjs's own agrees on these cases; inside a training step (denseBehaviour.test.ts, a NaN batch) it
      // returned 0 for NaN, which latentkit's loop never does.
      mustCover: { NaN: 80, '-0, infinities': 60, 'a tail after the 4-wide loop': 100 },
    },
    {
      kernel: 'ClipByValue',
      backend: 'wasm',
      generate: clipCase,
      // tfjs's own: NaN becomes the lower bound, and with min = max it returns x unchanged.
      stockWrong: (c) => c.tags.includes('NaN') || c.tags.includes('min equals max'),
      mustCover: { NaN: 80, '-0, infinities': 60, 'a tail after the 4-wide loop': 100 },
    },
    {
      kernel: '_FusedMatMul',
      backend: 'wasm',
      generate: fusedMatMulCase,
      // tfjs's own: wrong in most cases with a transposed operand (which results depend on the calls before) and
      // with a bias of one value (read as n values).
      stockWrong: (c) => c.tags.includes('transposeA true') || c.tags.includes('transposeB true') || c.tags.includes('bias [1]'),
      mustCover: { 'transposeA true': 40, 'transposeB true': 40, 'bias [n]': 100, 'no bias': 20, 'bias [m, n]': 15, relu: 20, prelu: 20, '8-column blocks': 100, 'single columns': 60 },
    },
    {
      kernel: 'Sum',
      backend: 'wasm',
      generate: reductionCase(false),
      mustCover: { '>= 4096 elements, leading axes': 80, 'keepDims true': 100, int32: 20 },
    },
    {
      kernel: 'Mean',
      backend: 'wasm',
      generate: reductionCase(true),
      mustCover: { '>= 4096 elements, leading axes': 80, 'keepDims true': 100, int32: 20 },
    },
    {
      kernel: 'ResizeNearestNeighborGrad',
      backend: 'wasm',
      generate: resizeGradCase,
      reference: resizeGradByForward(forwardResize),
      stockWrong: (c) => c.tags.includes('halfPixelCenters') || c.tags.includes('alignCorners, input side 1'),
      mustCover: { halfPixelCenters: 60, alignCorners: 40, 'batch > 1': 100, 'integer factors': 100, 'alignCorners, input side 1': 5 },
    },
    {
      kernel: 'ResizeNearestNeighborGrad',
      backend: 'cpu',
      generate: resizeGradCase,
      reference: resizeGradByForward(forwardResize),
      stockWrong: (c) => c.tags.includes('batch > 1') || c.tags.includes('halfPixelCenters') || c.tags.includes('alignCorners, input side 1'),
      stockUnsafe: (c) => c.tags.includes('alignCorners, input side 1'),
      mustCover: { halfPixelCenters: 60, alignCorners: 40, 'batch > 1': 100, 'alignCorners, input side 1': 5 },
    },
    {
      kernel: 'UnsortedSegmentSum',
      backend: 'wasm',
      generate: unsortedSegmentSumCase,
      reference: (c, cpuStock) => asFloat(cpuStock)(c),
      mustCover: { 'ids out of range': 30, int32: 30 },
    },
  ];
}
