/**
 * latentkit's elementwise wasm SIMD loops (`src/backend/wasm/simdElementwise.wat`): the embedded bytes are the
 * assembled source; Tanh within 2 ulp of the correctly rounded tanh, Sigmoid within 2.5; Relu and ClipByValue
 * as tfjs's cpu kernels compute them, NaN and -0 included (tfjs's wasm kernels turn NaN into 0 or the lower
 * bound); the binary operations bit for bit tfjs's XNNPACK kernels, broadcasts as rows of the loop. The
 * generated cases against tfjs's cpu kernels are in the differential suite (differentialOther).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { elementwiseLoops, rowForm } from '../../src/backend/wasm/elementwiseKernels.js';
import { SIMD_ELEMENTWISE_PLAIN, SIMD_ELEMENTWISE_SHARED } from '../../src/backend/wasm/simdElementwise.bytes.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { bothWays, itIsTheAssembledSource, onWasm } from '../helpers/wasmKernels.js';

describe('the embedded elementwise loops', () => {
  itIsTheAssembledSource('simdElementwise', SIMD_ELEMENTWISE_SHARED, SIMD_ELEMENTWISE_PLAIN, ['binary', 'clip', 'relu', 'sigmoid', 'tanh']);
});

describe('the elementwise kernels on wasm', () => {
  onWasm();

  it('the loops are instantiated on the wasm backend', () => {
    expect(elementwiseLoops(tf.backend())).toBeDefined();
  });

  /** Distance in float32 steps (ulp) between two finite floats. */
  function ulps(a: number, b: number): number {
    const f = new Float32Array([a, b]);
    const i = new Int32Array(f.buffer);
    const ord = (v: number) => (v < 0 ? -(v & 0x7fffffff) : v);
    return Math.abs(ord(i[0]!) - ord(i[1]!));
  }

  it('Tanh: within 2 ulp of the correctly rounded tanh over [-12, 12] and random bit patterns; signs, zeros, infinities, NaN, tails', () => {
    const n = 1 << 18;
    const v = new Float32Array(n + 4096 + 8);
    for (let i = 0; i < n; i++) v[i] = (i / n - 0.5) * 24;
    const bits = new Uint32Array(v.buffer, 4 * n, 4096);
    let h = 12345;
    for (let i = 0; i < 4096; i++) bits[i] = h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    v.set([0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-40, 0.5493], n + 4096);
    const x = tf.tensor1d(v);
    const saved = kernelOptions.simdTanh;
    try {
      kernelOptions.simdTanh = true;
      const got = tf.tanh(x).dataSync();
      let worst = 0;
      v.forEach((xi, i) => {
        const want = Math.fround(Math.tanh(xi));
        if (Number.isNaN(want)) expect(got[i]).toBeNaN();
        else worst = Math.max(worst, ulps(got[i]!, want));
      });
      expect(worst).toBeLessThanOrEqual(2);
      expect(worst).toBeGreaterThan(0); // not tfjs's own: a different approximation
      const specials = Array.from(got.slice(n + 4096));
      expect(Object.is(specials[0], 0) && Object.is(specials[1], -0)).toBe(true);
      expect(specials.slice(2, 4)).toEqual([1, -1]);
      expect(specials[4]).toBeNaN();
      // Tails of 1-7 values after the 4-wide loop: the same values as inside a long tensor.
      for (let len = 1; len <= 7; len++) {
        const part = tf.tensor1d(v.slice(1000, 1000 + len));
        expect(Array.from(tf.tanh(part).dataSync())).toEqual(Array.from(got.slice(1000, 1000 + len)));
        part.dispose();
      }
      // Switched off, tfjs's own kernel runs: another approximation, as close.
      kernelOptions.simdTanh = false;
      const tfjs = tf.tanh(x).dataSync();
      expect(tfjs.some((t, i) => !Number.isNaN(t) && t !== got[i])).toBe(true);
      let apart = 0;
      for (let i = 0; i < n; i++) apart = Math.max(apart, ulps(tfjs[i]!, got[i]!));
      expect(apart).toBeLessThanOrEqual(4);
    } finally {
      kernelOptions.simdTanh = saved;
    }
    x.dispose();
  });

  it('Tanh keeps the shape and leaves no tensor behind; an empty tensor works', () => {
    const x = tf.tensor2d([[-3, 0.5], [2, 9]]);
    const empty = tf.zeros([0, 3]);
    tf.tanh(x).dispose();
    const before = tf.memory().numTensors;
    const y = tf.tanh(x);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.dataSync()).map((t) => Math.round(t * 1e6) / 1e6)).toEqual([-0.995055, 0.462117, 0.964028, 1]);
    const ye = tf.tanh(empty);
    expect(ye.shape).toEqual([0, 3]);
    tf.dispose([y, ye]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, empty]);
  });

  it('Relu and ClipByValue keep NaN and compute -0 and the bounds as the cpu kernels, at every position of 1-9 values', async () => {
    const special = [NaN, -0, 0, -1.5, 2.5, Infinity, -Infinity, 0.25, 1];
    const got: number[][] = [];
    for (let len = 1; len <= 9; len++) {
      const x = tf.tensor1d(special.slice(0, len).reverse());
      const r = tf.relu(x);
      const c = tf.clipByValue(x, 0, 1);
      got.push([...r.dataSync(), ...c.dataSync()]);
      tf.dispose([x, r, c]);
    }
    await tf.setBackend('cpu');
    try {
      for (let len = 1; len <= 9; len++) {
        const x = tf.tensor1d(special.slice(0, len).reverse());
        const want = [...tf.relu(x).dataSync(), ...tf.clipByValue(x, 0, 1).dataSync()];
        expect(got[len - 1]!.map(String)).toEqual(want.map(String));
        expect(got[len - 1]!.map((v) => Object.is(v, -0))).toEqual(want.map((v) => Object.is(v, -0)));
        tf.dispose(x);
      }
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('Sigmoid: within 2.5 ulp of the correctly rounded sigmoid over [-87.3, 40] and both tails; NaN, zeros, infinities', () => {
    const n = 1 << 17;
    const v = new Float32Array(n + 8);
    for (let i = 0; i < n; i++) v[i] = -87.3 + (i / n) * 127.3;
    v.set([0, -0, Infinity, -Infinity, NaN, -90, 90, 1e-30], n);
    const x = tf.tensor1d(v);
    const [ours, xnnpack] = bothWays('simdSigmoid', () => tf.sigmoid(x));
    let worst = 0;
    let theirs = 0;
    for (let i = 0; i < n; i++) {
      const want = Math.fround(1 / (1 + Math.exp(-v[i]!)));
      worst = Math.max(worst, ulps(ours[i]!, want));
      theirs = Math.max(theirs, ulps(xnnpack[i]!, want));
    }
    expect(worst).toBeLessThanOrEqual(2.5);
    expect(theirs).toBeGreaterThan(0); // tfjs's own (XNNPACK's): another approximation
    const s = Array.from(ours.slice(n));
    expect(s.slice(0, 4)).toEqual([0.5, 0.5, 1, 0]);
    expect(s[4]).toBeNaN();
    expect(s.slice(5)).toEqual([0, 1, 0.5]); // 0 where the sigmoid is subnormal (below -87.34), as XNNPACK's
    x.dispose();
  });

  it('rowForm: a broadcast as rows of the loop, or undefined where more than two runs of axes are needed', () => {
    expect(rowForm([64, 784], [784])).toEqual({ shape: [64, 784], m: 64, n: 784, sa: 4 * 784, sb: 0, mode: 0 });
    expect(rowForm([784], [64, 784])).toEqual({ shape: [64, 784], m: 64, n: 784, sa: 0, sb: 4 * 784, mode: 0 });
    expect(rowForm([5, 7], [5, 7])).toEqual({ shape: [5, 7], m: 1, n: 35, sa: 0, sb: 0, mode: 0 });
    expect(rowForm([5, 7], [])).toEqual({ shape: [5, 7], m: 1, n: 35, sa: 0, sb: 0, mode: 1 });
    expect(rowForm([1, 1], [3, 4])).toEqual({ shape: [3, 4], m: 1, n: 12, sa: 0, sb: 0, mode: 2 });
    expect(rowForm([64, 1], [64, 13])).toEqual({ shape: [64, 13], m: 64, n: 13, sa: 4, sb: 4 * 13, mode: 2 });
    expect(rowForm([3, 1], [1, 4])).toEqual({ shape: [3, 4], m: 3, n: 4, sa: 4, sb: 0, mode: 2 });
    expect(rowForm([6, 4, 5], [6, 1, 1])).toEqual({ shape: [6, 4, 5], m: 6, n: 20, sa: 80, sb: 4, mode: 1 });
    expect(rowForm([2, 3, 4, 5], [3, 1, 1])).toBeUndefined();
    expect(rowForm([2, 1, 3], [1, 4, 1])).toBeUndefined();
    expect(rowForm([2, 3], [4])).toBeUndefined(); // tfjs's kernel reports it
    expect(rowForm([], [])).toEqual({ shape: [], m: 1, n: 1, sa: 0, sb: 0, mode: 0 });
  });

  it("Add, Sub, Multiply, RealDiv, SquaredDifference, Square, Neg: bit for bit tfjs's XNNPACK kernels on every broadcast the loop takes, tails included; none left behind", () => {
    const pairs: Array<[number[], number[]]> = [[[9, 37], [9, 37]], [[64, 130], [130]], [[7], [5, 7]], [[6, 1], [6, 11]], [[3, 1], [1, 10]], [[4, 5], []], [[6, 4, 5], [6, 1, 1]], [[1], [1]]];
    const special = [NaN, -0, 0, Infinity, -Infinity, 1e-40, -3e38];
    const make = (shape: number[], phase: number) => {
      const size = shape.reduce((a, b) => a * b, 1);
      return tf.tensor(Float32Array.from({ length: size }, (_, i) => (i % 11 === 3 ? special[(i + phase) % special.length]! : Math.sin(i * 0.37 + phase) * 3)), shape);
    };
    const before = tf.memory().numTensors;
    for (const [sa, sb] of pairs) {
      const a = make(sa, 1);
      const b = make(sb, 2);
      for (const op of [tf.add, tf.sub, tf.mul, tf.div, tf.squaredDifference] as Array<(x: tf.Tensor, y: tf.Tensor) => tf.Tensor>) {
        const [ours, xnnpack] = bothWays('heapBinary', () => op(a, b));
        expect(Buffer.from(ours.buffer).equals(Buffer.from(xnnpack.buffer)), `${op.name} ${sa} ${sb}`).toBe(true);
      }
      for (const op of [tf.square, tf.neg] as Array<(x: tf.Tensor) => tf.Tensor>) {
        const [ours, xnnpack] = bothWays('heapBinary', () => op(a));
        expect(Buffer.from(ours.buffer).equals(Buffer.from(xnnpack.buffer))).toBe(true);
      }
      tf.dispose([a, b]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
