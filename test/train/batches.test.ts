/**
 * Batches cut on the host (`src/train/batches.ts`): the rows asked for, in order or shuffled, for float32
 * and int32 arrays, on cpu and on wasm, where the rows are read from the heap even after it grew.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BatchSource } from '../../src/train/batches.js';
import { onBackend } from '../helpers/wasmKernels.js';

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`BatchSource on ${backend}`, () => {
    onBackend(backend);

    it('cuts the rows asked for, in order and shuffled, float32 and int32, after the heap grew', () => {
      const x = tf.randomUniform([50, 3, 4], -1, 1, 'float32', 1);
      const labels = tf.tensor1d(Array.from({ length: 50 }, (_, i) => i * 7), 'int32');
      const xs = x.arraySync() as number[][][];
      const ls = labels.arraySync() as number[];
      const source = new BatchSource([x, labels]);
      const order = Int32Array.from({ length: 50 }, (_, i) => (i * 17) % 50);
      const check = (o: Int32Array | null, start: number, count: number) => {
        const start0 = tf.memory().numTensors;
        const [bx, bl] = source.take(o, start, count);
        expect(tf.memory().numTensors).toBe(start0 + 2);
        expect(bx!.shape).toEqual([count, 3, 4]);
        expect(bl!.dtype).toBe('int32');
        const rows = Array.from({ length: count }, (_, i) => (o ? o[start + i]! : start + i));
        expect(bx!.arraySync()).toEqual(rows.map((r) => xs[r]));
        expect(bl!.arraySync()).toEqual(rows.map((r) => ls[r]));
        tf.dispose([bx!, bl!]);
      };
      check(null, 0, 16);
      check(order, 16, 16);
      // Allocations that grow the wasm heap (a new buffer): the next batches still read the right rows.
      const big = tf.zeros([64 * 1024 * 1024 / 4 + 7]);
      check(null, 40, 10);
      check(order, 0, 50);
      big.dispose();
      // The arrays stay the caller's, unchanged.
      expect(x.isDisposed || labels.isDisposed).toBe(false);
      expect(x.arraySync()).toEqual(xs);
      tf.dispose([x, labels]);
    });
  });
}
