/**
 * ReLU's gradient as one kernel (`src/backend/reluGrad.ts`) on cpu and wasm: bit for bit tfjs's
 * `dy * cast(step(x))` on the same backend (NaN, ±Infinity, ±0 and subnormals in x and dy, every length
 * through the SIMD loop's tail), second-order gradients equal to tfjs's, tfjs's form with the switch off,
 * a clear error for inputs the kernel does not take, no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTrainingKernels, useBackend } from '../../src/index.js';
import { RELU_GRAD } from '../../src/backend/reluGrad.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';

const SPECIAL = [NaN, Infinity, -Infinity, 0, -0, 1e-45, -1e-45, 2.5, -2.5, 3.4028234663852886e38];

/** Values cycling through SPECIAL and ordinary numbers, shifted by `phase`. */
function values(n: number, phase: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => ((i + phase) % 3 === 0 ? SPECIAL[(i + phase) % SPECIAL.length]! : Math.sin(i * 0.77 + phase) * 3));
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

/** d/dx of sum(relu(x) * dy) = dy * step(x), with the gradient installed now (fused or tfjs's). */
function reluGradient(x: tf.Tensor, dy: tf.Tensor, fused: boolean): tf.Tensor {
  const saved = kernelOptions.fusedReluGrad;
  kernelOptions.fusedReluGrad = fused;
  try {
    return tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), dy)))(x);
  } finally {
    kernelOptions.fusedReluGrad = saved;
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`ReLU's fused gradient on ${backend}`, () => {
    beforeAll(async () => {
      await useBackend(backend);
      ensureTrainingKernels();
    });
    afterAll(() => {
      kernelOptions.fusedReluGrad = true;
    });

    it("is tfjs's dy * cast(step(x)) bit for bit, special values included, at every length through the loop's tail", async () => {
      for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 1031]) {
        const x = tf.tensor1d(values(n, 1));
        const dy = tf.tensor1d(values(n, 2));
        const before = tf.memory().numTensors;
        const info = await tf.profile(() => reluGradient(x, dy, true).dispose());
        expect(info.kernelNames).toContain(RELU_GRAD);
        expect(info.kernelNames).not.toContain('Step');
        expect(tf.memory().numTensors).toBe(before);
        const fused = reluGradient(x, dy, true);
        const direct = tf.mul(dy, tf.cast(tf.step(x), 'float32'));
        expect(bits(fused), `length ${n}`).toEqual(bits(direct));
        tf.dispose([x, dy, fused, direct]);
      }
    });

    it("gives tfjs's gradient with the switch off, and the same values (a 4-D layer output)", () => {
      const x = tf.tensor4d(values(2 * 5 * 5 * 3, 3), [2, 5, 5, 3]);
      const dy = tf.tensor4d(values(2 * 5 * 5 * 3, 4), [2, 5, 5, 3]);
      const [a, b] = [reluGradient(x, dy, true), reluGradient(x, dy, false)];
      expect(bits(a)).toEqual(bits(b));
      tf.dispose([x, dy, a, b]);
    });

    it("carries second-order gradients as tfjs's does (the gradient of a gradient norm through ReLUs, as WGAN-GP's penalty)", () => {
      const w = tf.tensor2d([[0.5, -1.2, 0.3], [0.8, 0.1, -0.7]]);
      const x = tf.tensor2d([[0.3, -0.2], [1.5, 0.4], [-0.6, 0.9]]);
      const penaltyGrad = (fused: boolean) => {
        const saved = kernelOptions.fusedReluGrad;
        kernelOptions.fusedReluGrad = fused;
        try {
          // d/dw of sum((d/dx sum(relu(x·w)²))²)
          return tf.grad((wv: tf.Tensor) => {
            const gx = tf.grad((xv: tf.Tensor) => tf.sum(tf.square(tf.relu(tf.matMul(xv as tf.Tensor2D, wv as tf.Tensor2D)))))(x);
            return tf.sum(tf.square(gx));
          })(w);
        } finally {
          kernelOptions.fusedReluGrad = saved;
        }
      };
      const [a, b] = [penaltyGrad(true), penaltyGrad(false)];
      expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
      expect(Array.from(a.dataSync()).some((v) => v !== 0)).toBe(true);
      tf.dispose([w, x, a, b]);
    });

    it('refuses inputs of other dtypes or shapes, naming them', () => {
      const x = tf.tensor1d([1, 2, 3]);
      const dy = tf.tensor1d([1, 2]);
      const xi = tf.tensor1d([1, 2], 'int32');
      expect(() => tf.engine().runKernel(RELU_GRAD, { dy, x })).toThrow(/float32 dy and x of one shape; got dy float32 \[2\], x float32 \[3\]/);
      expect(() => tf.engine().runKernel(RELU_GRAD, { dy, x: xi })).toThrow(/x int32/);
      tf.dispose([x, dy, xi]);
    });
  });
}
