import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASS_NAMES, loadFashionMnist } from '../../src/index.js';
import { fashionPool } from '../../src/data/sources.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadFashionMnist (fashion-mnist package)', () => {
  it('holds 70,000 images, 7,000 per class, once its two empty rows are skipped', async () => {
    const pool = await fashionPool();
    expect(pool.count).toBe(70000);
    const counts = new Array<number>(10).fill(0);
    for (const v of pool.labels) counts[v]!++;
    expect(counts).toEqual(new Array(10).fill(7000));
    expect(pool.pixels.length).toBe(70000 * 784);
  });

  it('loads float32 images in [0, 1] with balanced int32 labels, reproducibly, without leaks', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadFashionMnist({ train: 2000, test: 500, seed: 8 });
    expect(ds.xTrain.shape).toEqual([2000, 28, 28, 1]);
    expect(ds.xTest.shape).toEqual([500, 28, 28, 1]);
    expect(ds.xTrain.dtype).toBe('float32');
    expect(ds.yTrain.dtype).toBe('int32');
    expect(ds.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(ds.classNames[9]).toBe('Ankle boot');
    const [lo, hi] = tf.tidy(() => [tf.min(ds.xTrain), tf.max(ds.xTrain)].map((t) => t.dataSync()[0]!));
    expect(lo).toBe(0);
    expect(hi).toBe(1);
    const counts = new Array<number>(10).fill(0);
    for (const v of ds.yTrain.dataSync()) counts[v]!++;
    expect(counts).toEqual(new Array(10).fill(200)); // equal classes split exactly
    const again = await loadFashionMnist({ train: 2000, test: 500, seed: 8, flat: true });
    expect(again.xTrain.shape).toEqual([2000, 784]);
    expect(Array.from(again.xTest.dataSync())).toEqual(Array.from(ds.xTest.dataSync()));
    const other = await loadFashionMnist({ train: 2000, test: 500, seed: 9 });
    expect(Array.from(other.yTrain.dataSync())).not.toEqual(Array.from(ds.yTrain.dataSync()));
    [ds, again, other].forEach((d) => d.dispose());
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects more than the package holds', async () => {
    await expect(loadFashionMnist({ train: 65000, test: 6000 })).rejects.toThrow(
      /loadFashionMnist.train \+ loadFashionMnist.test = 71000: expected at most 70000/,
    );
  });
});
