/**
 * ACGAN (`conditioning: 'acgan'`): the networks' shapes, the auxiliary classifier learning real digits,
 * its logs, `classify`, determinism, tensor hygiene and the errors of its misuse (wasm backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GAN, useBackend, type GANConfig, type GenerativeAdversarialNetwork } from '../../../src/index.js';
import { mnistDigits } from '../../helpers/mnist.js';

beforeAll(async () => {
  await useBackend('wasm');
});

/** `perClass` digits of each class from row `offset`, flattened and scaled to [-1, 1], with their labels. */
function digits(perClass: number, offset: number): { x: tf.Tensor2D; labels: number[] } {
  const d = mnistDigits(perClass, offset);
  const x = tf.tidy(() => tf.sub(tf.mul(tf.tensor2d(d.pixels, [d.n, 784]), 2), 1)) as tf.Tensor2D;
  return { x, labels: Array.from(d.labels) };
}

const acgan = (extra: Partial<GANConfig> = {}) =>
  GAN({ dataShape: [784], zDim: 16, generatorUnits: [64], discriminatorUnits: [64], numClasses: 10, conditioning: 'acgan', seed: 4, ...extra });

function accuracy(probs: tf.Tensor, labels: number[]): number {
  const predicted = tf.tidy(() => tf.argMax(probs, 1).dataSync());
  return labels.filter((l, i) => predicted[i] === l).length / labels.length;
}

describe('ACGAN', () => {
  it('has a generator of z and class, a discriminator of x alone with a real/fake and a softmax head', () => {
    const gan = acgan();
    expect(gan.config).toMatchObject({ numClasses: 10, conditioning: 'acgan' });
    expect(gan.generator.inputs.map((i) => i.shape)).toEqual([[null, 16], [null, 10]]);
    expect(gan.discriminator.inputs.map((i) => i.shape)).toEqual([[null, 784]]);
    expect(gan.discriminator.outputs.map((o) => o.shape)).toEqual([[null, 1], [null, 10]]);
    expect(gan.discriminator.getLayer('class_probabilities').getConfig()).toMatchObject({ activation: 'softmax' });
    const s = gan.sample(6, { labels: [0, 1, 2, 3, 4, 5], seed: 1 });
    const p = gan.discriminate(s);
    const c = gan.classify(s);
    const e = gan.embed(s);
    expect([p.shape, c.shape, e.shape]).toEqual([[6, 1], [6, 10], [6, 64]]);
    const sums = tf.tidy(() => Array.from(tf.sum(c, 1).dataSync()));
    sums.forEach((v) => expect(v).toBeCloseTo(1, 5));
    tf.dispose([s, p, c, e]);
    gan.dispose();
  });

  it('a dcgan ACGAN classifies images', () => {
    const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, conditioning: 'acgan', seed: 2 });
    const x = gan.sample(5, { labels: [0, 1, 2, 0, 1], seed: 3 });
    const c = gan.classify(x, { batchSize: 2 });
    expect(c.shape).toEqual([5, 3]);
    expect(gan.discriminator.outputs.map((o) => o.shape)).toEqual([[null, 1], [null, 3]]);
    tf.dispose([x, c]);
    gan.dispose();
  });

  it('its auxiliary classifier learns to name held-out real digits far above chance, and the history says how well', async () => {
    const train = digits(30, 0);
    const held = digits(20, 100);
    const val = digits(10, 200);
    const gan = acgan();
    const h = await gan.fit(train.x, { labels: train.labels, epochs: 8, batchSize: 50, dLearningRate: 1e-3, validationData: { x: val.x, labels: val.labels }, verbose: 0, balanceMonitor: false });
    for (const k of ['auxLoss', 'auxAccuracyReal', 'auxAccuracyFake', 'valAuxAccuracyReal', 'valAuxLoss']) {
      expect(h[k], k).toHaveLength(8);
      expect(h[k]!.every(Number.isFinite), k).toBe(true);
    }
    // dLoss holds the classification: it is at least the auxiliary part.
    expect(h.dLoss.every((d, i) => d >= h['auxLoss']![i]!)).toBe(true);
    expect(h['auxAccuracyReal']!.at(-1)!).toBeGreaterThan(h['auxAccuracyReal']![0]!);
    const probs = gan.classify(held.x);
    const acc = accuracy(probs, held.labels);
    console.log(`ACGAN test: auxiliary accuracy ${acc} on 200 held-out digits (chance 0.1); history ${h['valAuxAccuracyReal']!.at(-1)}`);
    // 10 classes: chance is 0.1 (measured 0.7 on wasm).
    expect(acc).toBeGreaterThan(0.5);
    expect(h['valAuxAccuracyReal']!.at(-1)!).toBeGreaterThan(0.5);
    tf.dispose([probs, train.x, held.x, val.x]);
    gan.dispose();
  });

  it('leaves no tensor behind in fit, sample, classify, discriminate, embed and their errors', async () => {
    const data = digits(4, 0);
    const gan = acgan({ minibatchStddev: true });
    const before = tf.memory().numTensors;
    await gan.fit(data.x, { labels: data.labels, epochs: 2, batchSize: 16, validationSplit: 0.25, verbose: 0, balanceMonitor: false });
    const s = gan.sample(10, { labels: 3 });
    tf.dispose([s, gan.classify(data.x), gan.discriminate(data.x), gan.embed(data.x)]);
    expect(() => gan.discriminate(data.x, { labels: data.labels })).toThrow(/discriminate\.labels/);
    expect(() => gan.embed(data.x, { labels: 1 })).toThrow(ConfigError);
    expect(() => gan.classify([[0, 0, 0]])).toThrow(/expected shape/);
    expect(() => gan.sample(2)).toThrow(/sample\.labels/);
    await expect(gan.fit(data.x, { epochs: 1, verbose: 0 })).rejects.toThrow(/fit\.labels/);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    data.x.dispose();
  });

  it('one seed gives the same run bit for bit', async () => {
    const data = digits(3, 0);
    const runs: { h: unknown; w: Float32Array[] }[] = [];
    for (let i = 0; i < 2; i++) {
      const gan: GenerativeAdversarialNetwork = acgan({ seed: 8, minibatchStddev: { groupSize: 3 }, discriminatorDropout: 0.2 });
      const h = await gan.fit(data.x, { labels: data.labels, epochs: 2, batchSize: 10, seed: 5, verbose: 0, balanceMonitor: false });
      runs.push({ h, w: [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((w) => Float32Array.from(w.dataSync())) });
      gan.dispose();
    }
    expect(runs[1]!.h).toEqual(runs[0]!.h);
    expect(runs[1]!.w).toEqual(runs[0]!.w);
    data.x.dispose();
  });

  it('refuses what does not fit an ACGAN', () => {
    const gan = GAN({ dataShape: [2], zDim: 2, generatorUnits: [4], discriminatorUnits: [4], seed: 1 });
    let error: unknown;
    try {
      gan.classify([[0, 0]]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).parameter).toBe('GAN.conditioning');
    gan.dispose();
    expect(() => GAN({ dataShape: [2], conditioning: 'acgan' })).toThrow(/GAN\.conditioning.*without numClasses/);
    expect(() => GAN({ dataShape: [2], numClasses: 3, conditioning: 'acgan', packing: 2 })).toThrow(/GAN\.packing/);
    expect(() => GAN({ dataShape: [2], numClasses: 3, conditioning: 'auxiliary' as never })).toThrow(/GAN\.conditioning/);
  });
});
