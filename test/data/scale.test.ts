import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { fromRange, standardize, toRange, unstandardize } from '../../src/index.js';
import { STD_FLOOR } from '../../src/data/scale.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function close(a: tf.Tensor, b: tf.Tensor | number[], tol = 1e-5): void {
  const x = Array.from(a.dataSync());
  const y = Array.isArray(b) ? b : Array.from(b.dataSync());
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i]!)).toBeLessThan(tol));
}

describe('toRange / fromRange', () => {
  it('maps [0, 1] to [-1, 1] and back, keeping shape, never disposing the input, without leaks', () => {
    const x = tf.tensor2d([[0, 0.25], [0.5, 1]]);
    const before = tf.memory().numTensors;
    const y = toRange(x, [-1, 1]);
    close(y, [-1, -0.5, 0, 1]);
    expect(y.shape).toEqual([2, 2]);
    const back = fromRange(y, [-1, 1]);
    close(back, x);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(x.isDisposed).toBe(false);
    tf.dispose([x, y, back]);
  });

  it('takes other source and target ranges, and casts ints to float32', () => {
    const bytes = tf.tensor1d([0, 51, 255], 'int32');
    const unit = toRange(bytes, [0, 1], { from: [0, 255] });
    expect(unit.dtype).toBe('float32');
    close(unit, [0, 0.2, 1]);
    const again = fromRange(unit, [0, 1], { to: [0, 255] });
    close(again, [0, 51, 255], 1e-4);
    tf.dispose([bytes, unit, again]);
  });

  it('rejects bad ranges naming them', () => {
    const x = tf.scalar(1);
    expect(() => toRange(x, [1, -1])).toThrow(/toRange.range = \[1, -1\]: expected a range \[lo, hi\]/);
    expect(() => toRange(x, [0, 1], { from: [0, Number.NaN] })).toThrow(ConfigError);
    expect(() => fromRange(x, [-1, 1], { to: [2, 2] })).toThrow(/fromRange.to/);
    expect(() => toRange([1, 2] as unknown as tf.Tensor, [0, 1])).toThrow(InputError);
    x.dispose();
  });
});

describe('standardize / unstandardize', () => {
  it('gives zero mean and unit std per feature, floors constant features, and reuses stats on test data', () => {
    const train = tf.tensor2d([[1, 10, 5], [3, 20, 5], [5, 30, 5]]);
    const test = tf.tensor2d([[3, 40, 6]]);
    const before = tf.memory().numTensors;
    const a = standardize(train);
    expect(tf.memory().numTensors).toBe(before + 3);
    close(a.stats.mean, [3, 20, 5]);
    const sd = Math.sqrt(8 / 3);
    close(a.stats.std, [sd, 5 * sd, STD_FLOOR], 1e-4);
    const colMeans = tf.mean(a.x, 0);
    close(colMeans, [0, 0, 0]);
    colMeans.dispose();
    expect(Array.from(a.x.dataSync()).every(Number.isFinite)).toBe(true);
    const b = standardize(test, a.stats);
    expect(b.stats).toBe(a.stats);
    const [t0, t1, t2] = Array.from(b.x.dataSync());
    expect(t0).toBeCloseTo(0, 5);
    expect(t1).toBeCloseTo(20 / (5 * sd), 4);
    expect(t2! / (1 / STD_FLOOR)).toBeCloseTo(1, 4); // a constant training feature that moves is huge, not NaN
    const back = unstandardize(b.x, a.stats);
    close(back, test, 1e-3);
    expect(train.isDisposed || test.isDisposed).toBe(false);
    tf.dispose([a.x, b.x, back, a.stats.mean, a.stats.std]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([train, test]);
  });

  it('works per pixel on image batches and rejects stats of another shape', () => {
    const images = tf.randomUniform([4, 2, 2, 1], 0, 1, 'float32', 1);
    const { x, stats } = standardize(images);
    expect(stats.mean.shape).toEqual([2, 2, 1]);
    const flat = tf.reshape(images, [4, 4]);
    expect(() => standardize(flat, stats)).toThrow(/standardize.stats.mean = tensor of shape \[2, 2, 1\].*expected shape \[4\]/);
    expect(() => standardize(tf.zeros([0, 3]))).toThrow(/at least one example/);
    tf.dispose([images, x, stats.mean, stats.std, flat]);
  });
});
