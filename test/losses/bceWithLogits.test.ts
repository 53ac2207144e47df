/**
 * The binary cross-entropy with logits and its closed-form gradient (`src/losses/likelihood.ts`): the value
 * is the tape form's bit for bit, the gradients `sigmoid(l) - t` and `-l` agree with the tape's through every
 * operation (and are exact where that one is not), on cpu and on wasm, with no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { bceWithLogits } from '../../src/advanced.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { onBackend } from '../helpers/wasmKernels.js';

/** Value and gradients of sum(w * bce(l, t)) with the closed form on or off. */
function valueAndGrads(l: tf.Tensor, t: tf.Tensor | number, closedForm: boolean): { value: Float32Array; dl: Float32Array; dt?: Float32Array } {
  const saved = kernelOptions.bceGradient;
  kernelOptions.bceGradient = closedForm;
  try {
    return tf.tidy(() => {
      const w = tf.reshape(tf.linspace(0.5, 2, l.size), l.shape);
      if (typeof t === 'number') {
        const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => tf.sum(tf.mul(w, bceWithLogits(x, t))))(l);
        return { value: value.dataSync() as Float32Array, dl: grad.dataSync() as Float32Array };
      }
      const { value, grads } = tf.valueAndGrads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(w, bceWithLogits(x, y))))([l, t]);
      return { value: value.dataSync() as Float32Array, dl: grads[0]!.dataSync() as Float32Array, dt: grads[1]!.dataSync() as Float32Array };
    });
  } finally {
    kernelOptions.bceGradient = saved;
  }
}

function closeTo(a: Float32Array, b: Float32Array, tol: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!), `at ${i}: ${a[i]} vs ${b[i]}`).toBeLessThanOrEqual(tol * (1 + Math.abs(b[i]!)));
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`bceWithLogits on ${backend}`, () => {
    onBackend(backend);

    it('has the tape form\'s value bit for bit and its gradients, for a number and a tensor target', () => {
      const l = tf.tensor2d([[-30, -4, -0.7, 0.3], [1.2, 5, 30, -2.5]]);
      const t = tf.tensor2d([[0, 1, 0.25, 1], [0, 0.9, 1, 0.5]]);
      for (const target of [0, 1, 0.9, t]) {
        const closed = valueAndGrads(l, target, true);
        const tape = valueAndGrads(l, target, false);
        expect(closed.value).toEqual(tape.value);
        closeTo(closed.dl, tape.dl, 2e-6);
        if (tape.dt) closeTo(closed.dt!, tape.dt, 1e-7);
      }
      // The closed form itself: w * (sigmoid(l) - t), and -w * l for the target.
      const closed = valueAndGrads(l, t, true);
      const lv = l.dataSync();
      const tv = t.dataSync();
      const w = tf.linspace(0.5, 2, 8).dataSync();
      closeTo(closed.dl, Float32Array.from(lv, (x, i) => w[i]! * (1 / (1 + Math.exp(-x)) - tv[i]!)), 1e-6);
      closeTo(closed.dt!, Float32Array.from(lv, (x, i) => -w[i]! * x), 1e-7);
      tf.dispose([l, t]);
    });

    it('is exact at l = 0, where the tape sums subgradients', () => {
      const l = tf.zeros([3]);
      const closed = valueAndGrads(l, 1, true);
      const w = tf.linspace(0.5, 2, 3).dataSync();
      closeTo(closed.dl, Float32Array.from(w, (x) => x * (0.5 - 1)), 1e-7);
      l.dispose();
    });

    it('falls back to the tape form for a broadcast target, and leaves no tensor behind', () => {
      const l = tf.tensor2d([[0.5, -1], [2, 0]]);
      const t = tf.tensor1d([1, 0]);
      const before = tf.memory().numTensors;
      const closed = valueAndGrads(l, t, true);
      const tape = valueAndGrads(l, t, false);
      expect(closed).toEqual(tape);
      valueAndGrads(l, 0.5, true);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([l, t]);
    });
  });
}
