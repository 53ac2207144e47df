/**
 * latentkit's seeded normal draws (`src/core/randomNormal.ts`) are tfjs-core's `tf.randomNormal`, value for
 * value, on cpu and on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { randomNormal } from '../../src/core/randomNormal.js';
import { onBackend } from '../helpers/wasmKernels.js';

const CASES: Array<[number[], number, number, number]> = [
  [[32, 256], 0, 1, 12345],
  [[7], 0, 1, 1], // odd: the last pair's second value unused
  [[3, 5, 2], 2.5, 0.3, 2147483647],
  [[1], -1, 2, 99],
  [[1001], 0, 1e-3, 42],
  [[0, 4], 0, 1, 5],
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`randomNormal on ${backend}`, () => {
    onBackend(backend);

    it('equals tf.randomNormal bit for bit for a seed, in shape, dtype and values', () => {
      for (const [shape, mean, stddev, seed] of CASES) {
        const want = tf.randomNormal(shape, mean, stddev, 'float32', seed);
        const got = randomNormal(shape, mean, stddev, seed);
        expect(got.shape).toEqual(shape);
        expect(got.dtype).toBe('float32');
        expect(got.dataSync()).toEqual(want.dataSync());
        tf.dispose([want, got]);
      }
    });

    it('draws normal values: mean and spread as asked, different seeds differ', () => {
      const a = Array.from(randomNormal([20000], 3, 2, 7).dataSync());
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length);
      expect(Math.abs(mean - 3)).toBeLessThan(0.05);
      expect(Math.abs(sd - 2)).toBeLessThan(0.05);
      const b = randomNormal([5], 0, 1, 8).dataSync();
      expect(Array.from(b)).not.toEqual(Array.from(randomNormal([5], 0, 1, 9).dataSync()));
    });

    it('is unseeded for seed 0, as tf.randomNormal', () => {
      const x = randomNormal([50], 0, 1, 0).dataSync();
      const y = randomNormal([50], 0, 1, 0).dataSync();
      expect(Array.from(x)).not.toEqual(Array.from(y));
    });
  });
}
