/**
 * latentkit's elementwise wasm SIMD loops (`src/backend/wasm/simdElementwise.wat`): the embedded bytes are the
 * assembled source; Tanh within 2 ulp of the correctly rounded tanh; Relu and ClipByValue as tfjs's cpu
 * kernels compute them, NaN and -0 included (tfjs's wasm kernels turn NaN into 0 or the lower bound). The
 * generated cases against tfjs's cpu kernels are in the differential suite (differentialOther).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { elementwiseLoops } from '../../src/backend/wasm/elementwiseKernels.js';
import { SIMD_ELEMENTWISE_PLAIN, SIMD_ELEMENTWISE_SHARED } from '../../src/backend/wasm/simdElementwise.bytes.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { itIsTheAssembledSource, onWasm } from '../helpers/wasmKernels.js';

describe('the embedded elementwise loops', () => {
  itIsTheAssembledSource('simdElementwise', SIMD_ELEMENTWISE_SHARED, SIMD_ELEMENTWISE_PLAIN, ['clip', 'relu', 'tanh']);
});

describe('Tanh, Relu and ClipByValue on wasm', () => {
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
});
