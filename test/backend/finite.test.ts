/**
 * `allFinite` (`src/backend/finite.ts`), the check of every training step: read in place on wasm (the SIMD
 * pass, 4 values at a time and a scalar tail) and cpu (a loop), and with tfjs ops where the data lives
 * elsewhere or the switch is off. Each bad value is found at every position (vector part and tail), in any
 * of several tensors; signed zeros, subnormals and the largest floats are finite; nothing is allocated.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { allFinite } from '../../src/backend/finite.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';

const BAD = [NaN, Infinity, -Infinity];
const EDGE = [0, -0, 1e-45, -1e-45, 3.4028234663852886e38, -3.4028234663852886e38, 1.1754943508222875e-38];

for (const backend of ['cpu', 'wasm'] as const) {
  for (const direct of [true, false]) {
    describe(`allFinite on ${backend}, ${direct ? 'read in place' : 'tfjs ops'}`, () => {
      let saved: boolean;
      beforeAll(async () => {
        await useBackend(backend);
        saved = kernelOptions.directFiniteCheck;
        kernelOptions.directFiniteCheck = direct;
      });
      afterAll(() => {
        kernelOptions.directFiniteCheck = saved;
      });

      it('finds NaN and ±Infinity at every position of tensors of 1 to 13 values, in any of three tensors', () => {
        for (let n = 1; n <= 13; n++) {
          for (let at = 0; at < n; at++) {
            for (const bad of BAD) {
              for (const which of [0, 1, 2]) {
                const ts = [0, 1, 2].map((k) => {
                  const v = Float32Array.from({ length: n + k }, (_, i) => EDGE[i % EDGE.length]!);
                  if (k === which) v[Math.min(at, v.length - 1)] = bad;
                  return tf.tensor1d(v);
                });
                const before = tf.memory().numTensors;
                const verdict = allFinite(ts);
                expect(tf.memory().numTensors).toBe(before);
                tf.dispose(ts);
                if (verdict) throw new Error(`missed ${bad} at ${at} of ${n} values, tensor ${which}`);
              }
            }
          }
        }
      });

      it('is true for finite values (signed zeros, subnormals, the largest floats), int32 and bool tensors and empty ones', () => {
        const ts = [
          tf.tensor1d(Float32Array.from({ length: 1031 }, (_, i) => EDGE[i % EDGE.length]! * (i % 3 === 0 ? -1 : 1))),
          tf.tensor2d([[1, 2], [3, 4]]),
          tf.scalar(-0),
          tf.tensor1d([1, 2, 3], 'int32'),
          tf.tensor1d([true, false], 'bool'),
          tf.tensor1d([], 'float32'),
        ];
        const before = tf.memory().numTensors;
        expect(allFinite(ts)).toBe(true);
        expect(allFinite([])).toBe(true);
        expect(tf.memory().numTensors).toBe(before);
        tf.dispose(ts);
      });

      it(direct ? 'runs no kernel' : 'runs tfjs kernels', async () => {
        const ts = [tf.tensor1d([1, 2, 3, 4, 5]), tf.tensor2d([[1, Infinity], [3, 4]])];
        let verdict: boolean | undefined;
        const info = await tf.profile(() => {
          verdict = allFinite(ts);
        });
        expect(verdict).toBe(false);
        if (direct) expect(info.kernelNames).toEqual([]);
        else expect(info.kernelNames).toEqual(expect.arrayContaining(['Multiply', 'Sum']));
        tf.dispose(ts);
      });

      it('reads a tensor that is a view of another (reshape shares the data) and leaves both unchanged', () => {
        const a = tf.tensor1d([1, 2, NaN, 4, 5, 6]);
        const b = tf.reshape(a, [2, 3]);
        expect(allFinite([b])).toBe(false);
        expect(Array.from(a.dataSync())).toEqual([1, 2, NaN, 4, 5, 6]);
        tf.dispose([a, b]);
      });
    });
  }
}
