/**
 * WGAN with weight clipping (`loss: 'wgan'`, Arjovsky et al.): a linear critic, RMSprop 5e-5 and five
 * critic updates per generator update by default, every critic weight kept within `clipValue` by the
 * critic's own step (so that early stopping's snapshots and restores see clipped weights), and the
 * errors of its misuse (wasm backend).
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GAN, ringOfGaussians, useBackend, type GANConfig, type GenerativeAdversarialNetwork } from '../../../src/index.js';
import { clipWeights, gradientStep, NonFiniteStepError } from '../../../src/advanced.js';

beforeAll(async () => {
  await useBackend('wasm');
});

const wgan = (extra: Partial<GANConfig> = {}) =>
  GAN({ dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16, 16], outputActivation: 'linear', loss: 'wgan', seed: 3, ...extra });

const largest = (models: GenerativeAdversarialNetwork['discriminator'][]) =>
  Math.max(...models.flatMap((m) => m.getWeights().map((w) => tf.tidy(() => tf.max(tf.abs(w)).dataSync()[0]!))));

describe('WGAN with weight clipping', () => {
  it('has a linear critic and resolves clipValue 0.01 (only for loss "wgan")', () => {
    const gan = wgan();
    expect(gan.config).toMatchObject({ loss: 'wgan', clipValue: 0.01 });
    expect(gan.discriminator.getLayer('score').getConfig()).toMatchObject({ activation: 'linear', units: 1 });
    expect(gan.discriminator.layers.some((l) => l.name === 'probability')).toBe(false);
    gan.dispose();
    expect(GAN({ dataShape: [2], seed: 1 }).config).not.toHaveProperty('clipValue');
  });

  it('keeps every critic weight within clipValue after each update, and leaves the generator alone', async () => {
    const x = ringOfGaussians({ n: 256, seed: 1, stddev: 0.05 }).x;
    const gan = wgan({ clipValue: 0.02 });
    // Glorot's initial weights are far larger than 0.02.
    expect(largest([gan.discriminator])).toBeGreaterThan(0.1);
    const seen: number[] = [];
    const before = tf.memory().numTensors;
    const h = await gan.fit(x, {
      epochs: 3,
      batchSize: 32,
      verbose: 0,
      balanceMonitor: false,
      callbacks: { onBatchEnd: () => void seen.push(largest([gan.discriminator])) },
    });
    expect(tf.memory().numTensors).toBe(before);
    // Clipped after every one of the 24 critic updates, and the bound is reached (the clip does act).
    expect(seen).toHaveLength(24);
    expect(Math.max(...seen)).toBeLessThanOrEqual(Math.fround(0.02));
    expect(seen[0]).toBe(Math.fround(0.02));
    expect(largest([gan.generator])).toBeGreaterThan(0.1);
    // Five critic updates per generator update, RMSprop: the history has the critic's logs.
    expect(gan.updates).toEqual({ discriminator: 24, generator: 4 });
    expect(h['wassersteinEstimate']!.every(Number.isFinite)).toBe(true);
    expect(h['gradientPenalty']).toBeUndefined();
    gan.dispose();
    x.dispose();
  });

  it("early stopping's restored weights are clipped weights", async () => {
    const x = ringOfGaussians({ n: 128, seed: 2, stddev: 0.05 }).x;
    const gan = wgan({ clipValue: 0.05 });
    const h = await gan.fit(x, {
      epochs: 8,
      batchSize: 32,
      verbose: 0,
      balanceMonitor: false,
      validationSplit: 0.25,
      earlyStopping: { monitor: 'valWassersteinEstimate', mode: 'max', patience: 0, restoreBestWeights: true },
    });
    // It stopped early and put back the best epoch's weights: clipped ones.
    expect(h.epoch.length).toBeLessThan(8);
    expect(largest([gan.discriminator])).toBeLessThanOrEqual(Math.fround(0.05));
    gan.dispose();
    x.dispose();
  });

  it('clipWeights is a gradientStep constraint for any model (advanced)', () => {
    const v = tf.variable(tf.tensor1d([0.5, -0.5, 0.001]));
    const optimizer = tf.train.sgd(0.1);
    const before = tf.memory().numTensors;
    const loss = gradientStep(optimizer, [v], () => tf.sum(tf.mul(v, tf.tensor1d([1, -1, 0]))) as tf.Scalar, undefined, { constraint: clipWeights(0.1) });
    expect(Array.from(v.dataSync())).toEqual([0.1, -0.1, 0.001].map(Math.fround));
    loss.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => gradientStep(optimizer, [v], () => tf.sum(v) as tf.Scalar, undefined, { constrain: clipWeights(1) } as never)).toThrow(/gradientStep\.options\.constrain.*did you mean `constraint`/);
    // A refused step (a non-finite loss) applies nothing and projects nothing: the weights stay as they were,
    // even those outside the clip range.
    const w = tf.variable(tf.tensor1d([0.5, -0.5]));
    expect(() => gradientStep(optimizer, [w], () => tf.sum(tf.div(w, 0)) as tf.Scalar, undefined, { constraint: clipWeights(0.1) })).toThrow(NonFiniteStepError);
    expect(Array.from(w.dataSync())).toEqual([0.5, -0.5]);
    w.dispose();
    optimizer.dispose();
    v.dispose();
  });

  it('refuses clipValue with other losses, a bad clipValue, and label smoothing', async () => {
    const parameterOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as ConfigError).parameter;
      }
      return undefined;
    };
    expect(parameterOf(() => GAN({ dataShape: [2], clipValue: 0.01 }))).toBe('GAN.clipValue');
    expect(parameterOf(() => GAN({ dataShape: [2], loss: 'wgan-gp', clipValue: 0.01 }))).toBe('GAN.clipValue');
    expect(parameterOf(() => GAN({ dataShape: [2], loss: 'wgan', clipValue: 0 }))).toBe('GAN.clipValue');
    const gan = wgan();
    await expect(gan.fit([[0, 0]], { labelSmoothing: 0.1, verbose: 0 })).rejects.toThrow(/fit\.labelSmoothing.*"wgan"/);
    gan.dispose();
  });
});
