/**
 * Class labels: `oneHot` gives float32 ones on every backend (wasm ignores tf.oneHot's dtype and used to
 * give 1.4e-45), and the label checks behind classifiers and probes refuse bad dtypes, ranges and counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { InputError, oneHot, useBackend } from '../../src/index.js';
import { classLabels, confusionMatrix } from '../../src/advanced.js';

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  it('oneHot writes float32 ones and zeros, from a tensor or an array, without leaks', async () => {
    await useBackend(backend);
    const ids = tf.tensor1d([2, 0, 1, 2], 'int32');
    const before = tf.memory().numTensors;
    const fromTensor = oneHot(ids, 3);
    const fromArray = oneHot([2, 0, 1, 2], 3);
    expect(fromTensor.dtype).toBe('float32');
    const expected = [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1];
    expect(Array.from(fromTensor.dataSync())).toEqual(expected);
    expect(Array.from(fromArray.dataSync())).toEqual(expected);
    tf.dispose([fromTensor, fromArray]);
    expect(tf.memory().numTensors).toBe(before);
    expect(ids.isDisposed).toBe(false);
    ids.dispose();
  });

  it('classLabels reads ids ([N], [N, 1], int32 or integer floats) and one-hot or probability rows', async () => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    for (const y of [tf.tensor1d([1, 0, 2], 'int32'), tf.tensor1d([1, 0, 2]), tf.tensor2d([[1], [0], [2]]), [1, 0, 2]]) {
      const l = classLabels(y, 'y', { numClasses: 3 });
      expect(Array.from(l.ids)).toEqual([1, 0, 2]);
      expect(l.oneHot.dtype).toBe('float32');
      expect(Array.from(l.oneHot.dataSync())).toEqual([0, 1, 0, 1, 0, 0, 0, 0, 1]);
      l.oneHot.dispose();
      if (y instanceof tf.Tensor) y.dispose();
    }
    const soft = classLabels([[0.1, 0.9], [0.6, 0.4]], 'y');
    expect([Array.from(soft.ids), soft.numClasses]).toEqual([[1, 0], 2]);
    expect(Array.from(soft.oneHot.dataSync())).toEqual([0.1, 0.9, 0.6, 0.4].map(Math.fround));
    soft.oneHot.dispose();
    const inferred = classLabels([0, 4, 1], 'y');
    expect(inferred.numClasses).toBe(5);
    inferred.oneHot.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('label checks', () => {
  it('name the label, the value and what was expected', async () => {
    await useBackend('cpu');
    const before = tf.memory().numTensors;
    const bad: Array<[unknown, RegExp, number?]> = [
      [[0, 3], /y\[1\] = 3: expected an integer class id in \[0, 2\]/, 3],
      [[0, 1.5], /y\[1\] = 1.5: expected an integer class id/, 3],
      [[0, -1], /y\[1\] = -1/, 3],
      [[[0.5, 0.6]], /y\[0\] = "a row summing to 1.1": expected a one-hot or probability row summing to 1/],
      [[[1.5, -0.5]], /y\[0\]\[0\] = 1.5: expected a one-hot or probability entry in \[0, 1\]/],
      [[[1, 0, 0]], /one-hot rows \[1, 2\]/, 2],
      [tf.tensor1d([true, false] as unknown as number[], 'bool'), /not bool/],
      [['a', 'b'], /not string values/],
      [[[[0]]], /class ids \[N\]/],
    ];
    for (const [y, message, numClasses] of bad) {
      expect(() => classLabels(y as number[], 'y', { numClasses }), String(message)).toThrow(message);
      if (y instanceof tf.Tensor) y.dispose();
    }
    expect(() => classLabels([0, 1], 'y', { count: 3 })).toThrow(/expected 3 labels, one per example of x/);
    expect(() => classLabels([0, 1], 'y', { count: 3 })).toThrow(InputError);
    expect(() => oneHot([0, 3], 3)).toThrow(/oneHot.labels\[1\] = 3/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('confusionMatrix counts true (rows) against predicted (columns)', () => {
    expect(confusionMatrix([0, 0, 1, 2], [0, 1, 1, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
  });
});
