/**
 * latentkit's FusedBatchNorm on wasm (`src/backend/wasm/batchNormKernels.ts`, `simdBatchNorm.wat`): the
 * embedded bytes are the assembled source; its values are tfjs's wasm kernel's bit for bit (switch
 * `simdBatchNorm` off; NaN where it gives NaN) over tails, C = 1, parameters of size 1 or cycling over other sizes, scale and offset
 * absent, NaN, infinities, signed zeros, subnormal and huge variances; both equal a float32/float64 model of
 * tfjs's C++ arithmetic; the cases it does not take go to tfjs's kernel; nothing leaks and the heap does not
 * grow. The generated cases are in the differential suite (differentialElementwise).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients, which useBackend then replaces where latentkit does
import { describe, expect, it } from 'vitest';
import { batchNormLoops, MAX_TABLE, tableChannels } from '../../src/backend/wasm/batchNormKernels.js';
import { SIMD_BATCH_NORM_PLAIN, SIMD_BATCH_NORM_SHARED } from '../../src/backend/wasm/simdBatchNorm.bytes.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { bothWays, itIsTheAssembledSource, onWasm } from '../helpers/wasmKernels.js';
import { batchNormModel } from './differential/elementwiseCases.js';

describe('the embedded batch-norm loops', () => {
  itIsTheAssembledSource('simdBatchNorm', SIMD_BATCH_NORM_SHARED, SIMD_BATCH_NORM_PLAIN, ['gradTerms', 'moments', 'normalize', 'prepare', 'trainGrad']);
});

describe('tableChannels', () => {
  it('is the least common multiple of 4 and the present sizes, or undefined past MAX_TABLE or for a size 0', () => {
    expect(tableChannels([32, 32, 32, 32])).toBe(32);
    expect(tableChannels([3136, 3136, undefined, undefined])).toBe(3136);
    expect(tableChannels([1, 1, 1, 1])).toBe(4);
    expect(tableChannels([6, 1, 3, undefined])).toBe(12);
    expect(tableChannels([5, 5, 5, 5])).toBe(20);
    expect(tableChannels([0, 1, 1, 1])).toBeUndefined();
    expect(tableChannels([MAX_TABLE, 1, 1, 1])).toBe(MAX_TABLE);
    expect(tableChannels([MAX_TABLE / 2 + 1, 1, 1, 1])).toBeUndefined();
  });
});

/** Deterministic values with every special among them at the given positions. */
function values(n: number, seed: number, specials: readonly number[] = []): Float32Array {
  const v = new Float32Array(n);
  let h = seed;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    v[i] = (h / 2 ** 32 - 0.5) * 6;
  }
  specials.forEach((s, i) => {
    if (i * 5 < n) v[i * 5] = s;
  });
  return v;
}

const X_SPECIALS = [NaN, Infinity, -Infinity, -0, 0, 1e-45, -3e38, 3e38, 1e-40];
const MEAN_SPECIALS = [0, -0, NaN, 1e-45, Infinity, 2];
/** Variances: 0 (nf = sqrt(eps)), subnormal, huge (sqrt of ~3e38), infinite, negative (NaN), NaN. */
const VARIANCE_SPECIALS = [0, 1e-40, 3.4e38, Infinity, -1, NaN, 1e-45];
const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
/** The bits of every value, NaN as 'NaN' (any sign and payload). */
const same = (a: ArrayLike<number>) => Array.from(a, (v) => (Number.isNaN(v) ? 'NaN' : bits([v])[0]));

interface Case {
  x: number[];
  sizes: { mean: number; variance: number; scale?: number; offset?: number };
  eps: number;
}

function tensors(c: Case, seed: number) {
  const n = c.x.reduce((a, b) => a * b, 1);
  const param = (size: number | undefined, s: number, specials: readonly number[], lo = 0) =>
    size === undefined ? undefined : tf.tensor1d(values(size, s, specials).map((v) => (lo > 0 ? lo + Math.abs(v) : v)));
  return {
    x: tf.tensor(values(n, seed, X_SPECIALS), c.x),
    mean: param(c.sizes.mean, seed + 1, MEAN_SPECIALS)!,
    variance: param(c.sizes.variance, seed + 2, VARIANCE_SPECIALS, 1e-3)!,
    scale: param(c.sizes.scale, seed + 3, [NaN, -0, 0, Infinity, -2]),
    offset: param(c.sizes.offset, seed + 4, [-0, NaN, -Infinity, 1e-45, 0]),
  };
}

/** The kernel through the engine (any parameter sizes: `tf.batchNorm` checks ranks). */
const fusedBatchNorm = (t: ReturnType<typeof tensors>, eps: number) =>
  tf.engine().runKernel(
    'FusedBatchNorm',
    { x: t.x, mean: t.mean, variance: t.variance, ...(t.scale ? { scale: t.scale } : {}), ...(t.offset ? { offset: t.offset } : {}) },
    { varianceEpsilon: eps },
  ) as tf.Tensor;

describe('FusedBatchNorm on wasm', () => {
  onWasm();

  it('the loops are instantiated on the wasm backend', () => {
    expect(batchNormLoops(tf.backend())).toBeDefined();
  });

  const cases: Case[] = [];
  for (const x of [[64, 32], [5, 7], [3, 3, 5], [2, 4, 4, 12], [9, 1], [1], [7], [2, 3, 3, 6], [4, 130]]) {
    const c = x[x.length - 1]!;
    for (const eps of [1e-3, 1e-5, 0]) {
      cases.push({ x, sizes: { mean: c, variance: c, scale: c, offset: c }, eps });
      cases.push({ x, sizes: { mean: c, variance: c }, eps }); // scale and offset absent
      cases.push({ x, sizes: { mean: 1, variance: 1, scale: 1, offset: 1 }, eps });
      cases.push({ x, sizes: { mean: c, variance: 1, offset: c }, eps });
      cases.push({ x, sizes: { mean: 1, variance: c, scale: c }, eps });
    }
  }
  // Parameters cycling over sizes that are not x's last axis (tfjs's indices cycle over each size).
  cases.push({ x: [6, 6], sizes: { mean: 3, variance: 2, scale: 6, offset: 4 }, eps: 1e-3 });
  cases.push({ x: [5, 11], sizes: { mean: 5, variance: 11, scale: 7, offset: 1 }, eps: 1e-3 });

  it("gives tfjs's wasm kernel's values bit for bit, and a float32/float64 model of its C++: tails, C = 1, sizes 1, absent scale and offset, specials", () => {
    cases.forEach((c, k) => {
      const t = tensors(c, 17 + k);
      const [ours, tfjs] = bothWays('simdBatchNorm', () => fusedBatchNorm(t, c.eps));
      const what = `x [${c.x}] sizes ${JSON.stringify(c.sizes)} eps ${c.eps}`;
      // NaN where tfjs's is NaN; not its bits: where two NaNs meet, which one comes out of tfjs's own kernel
      // changes from call to call as V8 recompiles it (seen after 5 calls on the same input).
      expect(same(ours), what).toEqual(same(tfjs));
      const model = batchNormModel(
        t.x.dataSync(),
        t.mean.dataSync(),
        t.variance.dataSync(),
        t.scale?.dataSync(),
        t.offset?.dataSync(),
        c.eps,
      );
      expect(same(ours), what).toEqual(same(model));
      tf.dispose(Object.values(t).filter((v): v is tf.Tensor => v !== undefined));
    });
  });

  it('the specials reach the outputs: NaN, infinities, -0 (and +0 for -0 without an offset), subnormal results', () => {
    const x = tf.tensor1d([NaN, Infinity, -0, 2, 1, 1e-36, 3, 5]);
    const mean = tf.tensor1d([0, 0, 0, 2, 1, 0, 1, 1]);
    const variance = tf.tensor1d([1, 1, 1, 1, -2, 1e8, Infinity, 0]);
    const offset = tf.tensor1d([0, 0, -0, -0, 0, 0, 0, 0]);
    const withOffset = Array.from(tf.tidy(() => tf.engine().runKernel('FusedBatchNorm', { x, mean, variance, offset }, { varianceEpsilon: 0 }) as tf.Tensor).dataSync());
    const without = Array.from(tf.tidy(() => tf.engine().runKernel('FusedBatchNorm', { x, mean, variance }, { varianceEpsilon: 0 }) as tf.Tensor).dataSync());
    expect(withOffset[0]).toBeNaN();
    expect(withOffset[1]).toBe(Infinity);
    expect(Object.is(withOffset[2], -0)).toBe(true); // -0 + -0
    expect(Object.is(withOffset[3], 0)).toBe(true); // -0 + (2 - 2) / 1
    expect(withOffset[4]).toBeNaN(); // sqrt of a negative variance
    const f = Math.fround;
    const subnormal = f(f(1e-36) / f(Math.sqrt(f(1e8))));
    expect(subnormal).toBeGreaterThan(0);
    expect(subnormal).toBeLessThan(1.1754944e-38);
    expect(withOffset[5]).toBe(subnormal); // a subnormal result
    expect(withOffset[6]).toBe(0); // 2 / Infinity
    expect(withOffset[7]).toBe(Infinity); // 4 / 0
    expect(Object.is(without[2], 0)).toBe(true); // 0 + -0: tfjs's default offset turns -0 into +0
    tf.dispose([x, mean, variance, offset]);
  });

  it("hands to tfjs's kernel what it does not take (a table past MAX_TABLE channels, an empty x), with its values", () => {
    const big = 65521; // prime: lcm(4, 65521) > MAX_TABLE
    const t = tensors({ x: [2, big], sizes: { mean: big, variance: 1 }, eps: 1e-3 }, 5);
    const [ours, tfjs] = bothWays('simdBatchNorm', () => fusedBatchNorm(t, 1e-3));
    expect(same(ours)).toEqual(same(tfjs));
    tf.dispose([t.x, t.mean, t.variance]);
    const e = tensors({ x: [0, 4], sizes: { mean: 4, variance: 4 }, eps: 1e-3 }, 5);
    const y = fusedBatchNorm(e, 1e-3);
    expect(y.shape).toEqual([0, 4]);
    tf.dispose([y, e.x, e.mean, e.variance]);
  });

  it("tf.batchNorm (BatchNormalization's op) takes it: rank 2 and rank 4, the same values as tfjs's kernel", () => {
    for (const shape of [[64, 3136], [8, 14, 14, 32]]) {
      const c = shape[shape.length - 1]!;
      const x = tf.tensor(values(shape.reduce((a, b) => a * b, 1), 3), shape);
      const [mean, variance, scale, offset] = [tf.tensor1d(values(c, 4)), tf.tensor1d(values(c, 5).map((v) => Math.abs(v))), tf.tensor1d(values(c, 6)), tf.tensor1d(values(c, 7))];
      const [ours, tfjs] = bothWays('simdBatchNorm', () => tf.batchNorm(x, mean, variance, offset, scale, 1e-3));
      expect(Buffer.from(ours.buffer).equals(Buffer.from(tfjs.buffer))).toBe(true);
      tf.dispose([x, mean, variance, scale, offset]);
    }
  });

  it('leaves no tensor behind and does not grow the wasm heap', () => {
    expect(kernelOptions.simdBatchNorm).toBe(true);
    const t = tensors({ x: [64, 14, 14, 32], sizes: { mean: 32, variance: 32, scale: 32, offset: 32 }, eps: 1e-3 }, 9);
    const heap = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm;
    fusedBatchNorm(t, 1e-3).dispose();
    const before = { tensors: tf.memory().numTensors, heap: heap.HEAPU8.length };
    for (let i = 0; i < 50; i++) fusedBatchNorm(t, 1e-3).dispose();
    expect({ tensors: tf.memory().numTensors, heap: heap.HEAPU8.length }).toEqual(before);
    tf.dispose([t.x, t.mean, t.variance, t.scale!, t.offset!]);
  });
});

describe("FusedBatchNorm's gradient (LatentkitBatchNormGradTerms on wasm)", () => {
  onWasm();

  /**
   * All five gradients of tf.batchNorm (BatchNormalization in training needs each), flattened in one tensor.
   * (Without a scale tfjs-core cannot differentiate it: it saves the missing input for the gradient and fails.)
   */
  const allGrads = (x: tf.Tensor, dy: tf.Tensor, p: tf.Tensor[], eps: number) => () =>
    tf.tidy(() => {
      const f = (xx: tf.Tensor, m: tf.Tensor, v: tf.Tensor, o: tf.Tensor, s: tf.Tensor) => tf.batchNorm(xx, m, v, o, s, eps);
      const gs = tf.grads(f as (...t: tf.Tensor[]) => tf.Tensor)([x, ...p], dy);
      return tf.concat(gs.map((t) => tf.reshape(t, [-1])));
    });

  it("gives tfjs-core's gradients bit for bit (NaN where they are NaN): ranks 2 and 4, C a multiple of 4 or not, eps 0, specials", () => {
    const before = tf.memory().numTensors;
    for (const [shape, eps] of [[[64, 32], 1e-3], [[2, 5, 5, 8], 1e-5], [[3, 4, 4, 12], 0], [[6, 3], 1e-3], [[2, 3, 3, 5], 1e-3], [[7, 4], 1e-3]] as Array<[number[], number]>) {
      const c = shape[shape.length - 1]!;
      const n = shape.reduce((a, b) => a * b, 1);
      const x = tf.tensor(values(n, 3, X_SPECIALS), shape);
      const dy = tf.tensor(values(n, 4, [1, NaN, -0, Infinity]), shape);
      const p = [tf.tensor1d(values(c, 5, MEAN_SPECIALS)), tf.tensor1d(values(c, 6, VARIANCE_SPECIALS).map((v) => 1e-3 + Math.abs(v))), tf.tensor1d(values(c, 7)), tf.tensor1d(values(c, 8, [NaN, -0, 2]))];
      const [ours, tfjs] = bothWays('fusedBatchNormGrad', allGrads(x, dy, p, eps));
      expect(same(ours), `x [${shape}]`).toEqual(same(tfjs));
      tf.dispose([x, dy, ...p]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('takes the fused kernel where it applies, and keeps tfjs-core\'s form for a second-order gradient', async () => {
    const x = tf.tensor(values(2 * 3 * 3 * 8, 11), [2, 3, 3, 8]);
    const p = [tf.tensor1d(values(8, 12)), tf.tensor1d(values(8, 13).map((v) => 0.5 + Math.abs(v))), tf.tensor1d(values(8, 14)), tf.tensor1d(values(8, 15))];
    const f = (xx: tf.Tensor) => tf.sum(tf.square(tf.batchNorm(xx, p[0]!, p[1]!, p[2]!, p[3]!, 1e-3)));
    const kernels = async (run: () => tf.TensorContainer) => (await tf.profile(() => run() as tf.Tensor)).kernels.map((k) => k.name);
    const first = await kernels(() => tf.grad(f)(x));
    expect(first).toContain('LatentkitBatchNormGradTerms');
    expect(first).not.toContain('Tile');
    // A gradient of the gradient: the terms kernel has no gradient, so tfjs-core's composition is taped.
    const second = tf.tidy(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.grad(f)(xx)))(x));
    const saved = kernelOptions.fusedBatchNormGrad;
    kernelOptions.fusedBatchNormGrad = false;
    const second0 = tf.tidy(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.grad(f)(xx)))(x));
    kernelOptions.fusedBatchNormGrad = saved;
    expect(same(second.dataSync())).toEqual(same(second0.dataSync()));
    tf.dispose([x, ...p, second, second0]);
  });
});
