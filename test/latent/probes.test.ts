/**
 * Probes: a linear probe and a k-NN probe reach 1.0 on linearly separable data and about chance on
 * shuffled labels, on cpu and wasm; they take images, one-hot labels and seeds; bad input names the
 * argument; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError, knnProbe, linearProbe, oneHot, SeedStream, useBackend } from '../../src/index.js';
import { quadrants, separable } from '../helpers/classes.js';

/** Labels shuffled with a seed: no relation left between features and labels. */
function shuffled(y: tf.Tensor1D, seed: number): tf.Tensor1D {
  const values = y.dataSync();
  const order = new SeedStream(seed).permutation(values.length);
  return tf.tensor1d(Array.from(order, (i) => values[i]!), 'int32');
}

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  it('reach 1.0 on linearly separable classes and about chance on shuffled labels, without leaks', async () => {
    await useBackend(backend);
    const train = separable(300, 6, 5, 1);
    const test = separable(200, 6, 5, 2);
    const noise = tf.randomNormal([1000, 6], 0, 1, 'float32', 3);
    const noiseLabels = tf.tensor1d(Array.from({ length: 1000 }, (_, i) => i % 5), 'int32');
    const [a, b] = [shuffled(tf.slice(noiseLabels, 0, 600) as tf.Tensor1D, 4), shuffled(tf.slice(noiseLabels, 600) as tf.Tensor1D, 5)];
    const before = tf.memory().numTensors;
    const linear = linearProbe(train.x, train.y, test.x, test.y, { seed: 1 });
    const knn = knnProbe(train.x, train.y, test.x, test.y, { k: 5 });
    expect([linear.accuracy, linear.trainAccuracy, knn.accuracy]).toEqual([1, 1, 1]);
    expect(linear.confusion.map((row, i) => row[i])).toEqual([40, 40, 40, 40, 40]);
    expect([linear.numClasses, linear.count, knn.k]).toEqual([5, 200, 5]);
    const [nx, tx] = [tf.slice(noise, 0, 600), tf.slice(noise, 600)];
    const chanceLinear = linearProbe(nx, a, tx, b, { seed: 1 });
    const chanceKnn = knnProbe(nx, a, tx, b, { k: 15 });
    tf.dispose([nx, tx]);
    for (const r of [chanceLinear.accuracy, chanceKnn.accuracy]) {
      expect(r).toBeGreaterThan(0.1);
      expect(r).toBeLessThan(0.3);
    }
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([train.x, train.y, test.x, test.y, noise, noiseLabels, a, b]);
  });

  it('take images and one-hot labels, reproduce with a seed, and give cosine k-NN', async () => {
    await useBackend(backend);
    const train = quadrants(80, 1);
    const test = quadrants(40, 2);
    const hot = oneHot(train.y, 4);
    const first = linearProbe(train.x, hot, test.x, test.y, { seed: 3, steps: 100 });
    const again = linearProbe(train.x, train.y, test.x, test.y, { seed: 3, steps: 100 });
    expect(again).toEqual(first);
    expect(first.accuracy).toBeGreaterThan(0.9);
    expect(knnProbe(train.x, train.y, test.x, test.y, { metric: 'cosine', standardize: true }).accuracy).toBeGreaterThan(0.9);
    tf.dispose([train.x, train.y, test.x, test.y, hot]);
  });
});

describe('probe errors', () => {
  it('name the argument and leak nothing', async () => {
    await useBackend('cpu');
    const x = tf.randomNormal([10, 3], 0, 1, 'float32', 1);
    const y = tf.tensor1d([0, 1, 0, 1, 0, 1, 0, 1, 0, 1], 'int32');
    const before = tf.memory().numTensors;
    expect(() => linearProbe(x, [0, 1], x, y)).toThrow(/linearProbe.trainY = .*expected 10 labels, one per example of trainX/);
    expect(() => linearProbe(x, y, tf.zeros([2, 4]), [0, 1])).toThrow(/linearProbe.testX = .*expected 3 features per example, as many as trainX/);
    expect(() => knnProbe(x, y, x, [0, 1, 2, 0, 1, 0, 1, 0, 1, 0])).toThrow(/knnProbe.testY\[2\] = 2: expected an integer class id in \[0, 1\]/);
    expect(() => knnProbe(x, y, x, y, { k: 11 })).toThrow(ConfigError);
    expect(() => linearProbe([1, 2, 3] as never, y, x, y)).toThrow(InputError);
    expect(() => linearProbe(x, y, x, y, { steps: 0 })).toThrow(/linearProbe.steps = 0/);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
  });
});
