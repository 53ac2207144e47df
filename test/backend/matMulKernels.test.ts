/**
 * latentkit's wasm SIMD product (`src/backend/wasm/simdMatMul.wat`, `matMulKernels.ts`): the embedded bytes
 * are the assembled source; float32 BatchMatMul and _FusedMatMul go through it, bit for bit XNNPACK's results
 * for untransposed products (the same sums in the same order), and bit for bit the untransposed product of
 * explicitly transposed operands otherwise; NaN and -0 as tfjs's cpu kernels; no tensor left behind. The
 * generated cases against tfjs's cpu kernels are in the differential suite (differentialOther).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { SIMD_MATMUL_PLAIN, SIMD_MATMUL_SHARED } from '../../src/backend/wasm/simdMatMul.bytes.js';
import { matMulLoop } from '../../src/backend/wasm/matMulKernels.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { bothWays, itIsTheAssembledSource, onWasm } from '../helpers/wasmKernels.js';

/** A deterministic float32 tensor with values in [-1, 1]. */
function values(shape: number[], phase: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.7311 + phase) * Math.cos(i * 0.1234 + phase);
  return tf.tensor(v, shape);
}

/** Indices where two arrays differ as float32 bit patterns (NaN = NaN, -0 != +0). */
function bitDiff(a: Float32Array, b: Float32Array): number[] {
  const ia = new Int32Array(a.buffer, a.byteOffset, a.length);
  const ib = new Int32Array(b.buffer, b.byteOffset, b.length);
  const out: number[] = [];
  for (let i = 0; i < Math.max(ia.length, ib.length); i++) if (ia[i] !== ib[i]) out.push(i);
  return out;
}

describe('the embedded SIMD product', () => {
  itIsTheAssembledSource('simdMatMul', SIMD_MATMUL_SHARED, SIMD_MATMUL_PLAIN, ['matmul']);
});

describe('BatchMatMul and _FusedMatMul on wasm through the SIMD product', () => {
  onWasm();

  it('is instantiated on the wasm backend', () => {
    expect(matMulLoop(tf.backend())).toBeDefined();
  });

  // Every kind of block: 4 x 8, rows past a 4-row block, a 4-column block, single columns; model sizes.
  const sizes: Array<[number, number, number]> = [
    [1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 9, 13], [7, 3, 1], [9, 17, 20], [13, 2, 31], [64, 784, 256], [128, 512, 20], [32, 32, 1],
    [200, 9, 150], // panels of 128 columns, also when C is written transposed (Aᵀ·Bᵀ)
  ];

  it.each(sizes)('%i x %i x %i untransposed: bit for bit XNNPACK, plain and fused (bias, relu)', (m, k, n) => {
    const a = values([m, k], 0.1);
    const b = values([k, n], 0.7);
    const bias = values([n], 1.3);
    for (const run of [
      () => tf.matMul(a, b),
      () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias }),
      () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, bias, activation: 'relu' }),
      () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, activation: 'relu' }),
    ]) {
      const [ours, xnnpack] = bothWays('directMatMul', run);
      expect(ours.length).toBe(m * n);
      expect(bitDiff(ours, xnnpack)).toEqual([]);
    }
    tf.dispose([a, b, bias]);
  });

  it.each(sizes)('%i x %i x %i with transposes: bit for bit the product of the explicitly transposed operands', (m, k, n) => {
    for (const [ta, tb] of [[true, false], [false, true], [true, true]] as const) {
      const a = values(ta ? [k, m] : [m, k], 0.2);
      const b = values(tb ? [n, k] : [k, n], 0.9);
      const at = ta ? tf.transpose(a) : a;
      const bt = tb ? tf.transpose(b) : b;
      const got = tf.matMul(a, b, ta, tb);
      const want = tf.matMul(at, bt);
      expect(got.shape).toEqual([m, n]);
      expect(bitDiff(got.dataSync() as Float32Array, want.dataSync() as Float32Array)).toEqual([]);
      const bias = values([n], 0.4);
      const fused = tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias, activation: 'relu' });
      const fusedWant = tf.fused.matMul({ a: at as tf.Tensor2D, b: bt as tf.Tensor2D, bias, activation: 'relu' });
      expect(bitDiff(fused.dataSync() as Float32Array, fusedWant.dataSync() as Float32Array)).toEqual([]);
      tf.dispose([a, b, at, bt, got, want, bias, fused, fusedWant]);
    }
  });

  it('a long k reduced in chunks (accumulated in C) is bit for bit one call over k: plain, bias, relu, Aᵀ, every block kind', () => {
    const saved = kernelOptions.productKChunk;
    expect(saved).toBeGreaterThan(0);
    // k over twice the chunk and not a multiple of it; n = 13: a 4x8 block, a 4-column block, a single column;
    // m = 6: rows past a block. B holds a NaN (column 1 is NaN in every row), a -0 and an infinity.
    for (const [m, k, n, ta] of [[6, 2 * saved + 77, 13, false], [6, 3 * saved + 5, 13, true], [64, 4 * saved, 256, false]] as const) {
      const a = values(ta ? [k, m] : [m, k], 0.15);
      const special = values([k, n], 0.25).dataSync() as Float32Array;
      special[3 * n + 1] = NaN;
      special[5 * n + 2] = -0;
      special[(k - 1) * n + 4] = Infinity;
      const b = tf.tensor(special, [k, n]);
      const bias = values([n], 0.35);
      for (const run of [
        () => tf.matMul(a, b, ta, false),
        () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, bias }),
        () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, bias, activation: 'relu' }),
        () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, activation: 'relu' }),
      ]) {
        const chunked = run();
        kernelOptions.productKChunk = 0;
        try {
          const whole = run();
          // NaN stays NaN, not its bits: V8's f32x4.max (the store's floor) may return a NaN of the other sign.
          const [x, y] = [chunked.dataSync() as Float32Array, whole.dataSync() as Float32Array];
          expect(bitDiff(x, y).filter((i) => !(Number.isNaN(x[i]!) && Number.isNaN(y[i]!)))).toEqual([]);
          expect(x.filter(Number.isNaN).length).toBe(m);
          tf.dispose(whole);
        } finally {
          kernelOptions.productKChunk = saved;
        }
        tf.dispose(chunked);
      }
      tf.dispose([a, b, bias]);
    }
  });

  it('batched products pair the batches as tfjs does (equal batches, or one operand unbatched)', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[3, 5, 9], [3, 9, 10], false, false],
      [[2, 2, 6, 4], [2, 2, 5, 6], true, true],
      [[4, 7, 3], [7, 12], true, false],
      [[6, 5], [2, 3, 9, 5], false, true],
    ];
    const results: Float32Array[] = [];
    for (const [sa, sb, ta, tb] of cases) {
      const a = values(sa, 0.3);
      const b = values(sb, 0.8);
      const c = tf.matMul(a, b, ta, tb);
      results.push(c.dataSync() as Float32Array);
      tf.dispose([a, b, c]);
    }
    await tf.setBackend('cpu');
    try {
      cases.forEach(([sa, sb, ta, tb], i) => {
        const a = values(sa, 0.3);
        const b = values(sb, 0.8);
        const want = tf.matMul(a, b, ta, tb).dataSync();
        expect(results[i]!.length).toBe(want.length);
        results[i]!.forEach((v, j) => expect(Math.abs(v - want[j]!)).toBeLessThan(1e-5));
        tf.dispose([a, b]);
      });
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('NaN and Infinity propagate and relu(-0) is +0, as on cpu (XNNPACK\'s fused relu turns NaN into 0)', () => {
    const a = tf.tensor2d([[NaN, 1], [0, 0], [-0, 1], [Infinity, 1]]);
    const b = tf.tensor2d([[1, 1, 1, 1, 1, 1, 1, 1, 1], [-0, 1, -1, 0, 0, 0, 0, 0, 0]]);
    const bias = tf.tensor1d([-0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const relu = tf.fused.matMul({ a, b, bias, activation: 'relu' });
    const r = relu.dataSync();
    expect(Array.from(r.slice(0, 9)).every(Number.isNaN)).toBe(true);
    expect(Object.is(r[9], 0)).toBe(true); // relu(-0 + -0·...): +0
    expect(Array.from(r.slice(18, 21))).toEqual([0, 1, 0]);
    expect(Array.from(r.slice(27))).toEqual(new Array(9).fill(Infinity));
    const plain = tf.matMul(a, b).dataSync();
    expect(Array.from(plain.slice(0, 9)).every(Number.isNaN)).toBe(true);
    expect(plain[19]).toBe(1);
    expect(plain[20]).toBe(-1);
    tf.dispose([a, b, bias, relu]);
  });

  it('other fused activations equal the activation applied to the fused linear product, bit for bit', () => {
    const a = values([6, 11], 0.5) as tf.Tensor2D;
    const b = values([11, 13], 0.6) as tf.Tensor2D;
    const bias = values([13], 0.2);
    const alpha = values([13], 0.9);
    const linear = tf.fused.matMul({ a, b, bias });
    const pairs: Array<[tf.Tensor, tf.Tensor]> = [
      [tf.fused.matMul({ a, b, bias, activation: 'elu' }), tf.elu(linear)],
      [tf.fused.matMul({ a, b, bias, activation: 'sigmoid' }), tf.sigmoid(linear)],
      [tf.fused.matMul({ a, b, bias, activation: 'relu6' }), tf.relu6(linear)],
      [tf.fused.matMul({ a, b, bias, activation: 'leakyrelu', leakyreluAlpha: 0.3 }), tf.leakyRelu(linear, 0.3)],
      [tf.fused.matMul({ a, b, bias, activation: 'prelu', preluActivationWeights: alpha }), tf.prelu(linear, alpha)],
    ];
    for (const [got, want] of pairs) expect(bitDiff(got.dataSync() as Float32Array, want.dataSync() as Float32Array)).toEqual([]);
    tf.dispose([a, b, bias, alpha, linear, ...pairs.flat()]);
  });

  it('a bias of one value is added to every column (tfjs\'s own kernel reads n values)', () => {
    const a = values([5, 3], 0.1) as tf.Tensor2D;
    const b = values([3, 10], 0.2) as tf.Tensor2D;
    const half = tf.tensor1d([0.5]);
    const got = tf.fused.matMul({ a, b, bias: half });
    const want = tf.add(tf.matMul(a, b), 0.5);
    const g = got.dataSync();
    want.dataSync().forEach((v, i) => expect(Math.abs(v - g[i]!)).toBeLessThan(1e-6));
    tf.dispose([a, b, half, got, want]);
  });

  it('leaves no tensor or wasm data behind, on success and when tfjs refuses the shapes', () => {
    const a = values([9, 6], 0.1) as tf.Tensor2D;
    const b = values([10, 6], 0.2) as tf.Tensor2D;
    const bias = values([10], 0.3);
    const one = tf.tensor1d([1]);
    const run = () => {
      tf.dispose([
        tf.matMul(a, b, false, true),
        tf.matMul(a, a, true, false),
        tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'elu' }),
        tf.fused.matMul({ a, b, transposeB: true, bias: one, activation: 'relu' }),
      ]);
      expect(() => tf.matMul(a, b)).toThrow(/inner shapes/);
    };
    run();
    const backend = tf.backend() as unknown as { numDataIds(): number };
    const before = { tensors: tf.memory().numTensors, ids: backend.numDataIds() };
    run();
    run();
    expect({ tensors: tf.memory().numTensors, ids: backend.numDataIds() }).toEqual(before);
    tf.dispose([a, b, bias, one]);
  });

  it('with directMatMul off the products go to XNNPACK and still agree', () => {
    const a = values([12, 30], 0.1);
    const b = values([20, 30], 0.2);
    const [ours, xnnpack] = bothWays('directMatMul', () => tf.matMul(a, b, false, true));
    ours.forEach((v, i) => expect(Math.abs(v - xnnpack[i]!)).toBeLessThan(1e-5));
    tf.dispose([a, b]);
  });
});
