/**
 * The VAE learns real digits: 1,000 MNIST digits for training and 500 other digits held out (the `mnist`
 * dev dependency), on wasm, the fast Node backend. All values are nats per example.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/useBackend.js';
import { VAE, type VariationalAutoencoder } from '../../../src/index.js';
import type { VAEHistory } from '../../../src/index.js';
import { mnistDigits } from '../../helpers/mnist.js';

let xTrain: tf.Tensor2D;
let xTest: tf.Tensor2D;
const EPOCHS = 10;
const dense = (beta: number) => VAE({ architecture: 'dense', inputShape: [784], hiddenUnits: [256], latentDim: 16, beta, seed: 21 });
const fitOptions = { epochs: EPOCHS, batchSize: 32, verbose: 0 as const, seed: 5 };

let plain: { vae: VariationalAutoencoder; history: VAEHistory };

beforeAll(async () => {
  await useBackend('wasm');
  const train = mnistDigits(100, 0);
  const test = mnistDigits(50, 100);
  xTrain = tf.tensor2d(train.pixels, [train.n, 784]);
  xTest = tf.tensor2d(test.pixels, [test.n, 784]);
  const vae = dense(1);
  plain = { vae, history: await vae.fit(xTrain, { ...fitOptions, validationData: xTest }) };
});

afterAll(() => {
  plain.vae.dispose();
  tf.dispose([xTrain, xTest]);
});

describe('dense VAE on real digits (wasm)', () => {
  it('held-out ELBO improves by at least 30% from epoch 1 to the last', () => {
    const valElbo = plain.history['valElbo']!;
    expect(valElbo).toHaveLength(EPOCHS);
    const first = valElbo[0]!;
    const last = valElbo[EPOCHS - 1]!;
    expect(first).toBeLessThan(0);
    // ELBO is negative: an improvement of 30% means |ELBO| shrinks to at most 70% of epoch 1's.
    expect(last / first).toBeLessThanOrEqual(0.7);
    // The history's parts are consistent: elbo = -(reconstruction + kl), and loss = -elbo when beta = 1.
    const h = plain.history;
    for (let e = 0; e < EPOCHS; e++) {
      expect(h['elbo']![e]!).toBeCloseTo(-(h['reconstruction']![e]! + h['kl']![e]!), 2);
      expect(h['loss']![e]!).toBeCloseTo(-h['elbo']![e]!, 2);
      expect(h['valElbo']![e]!).toBeCloseTo(-(h['valReconstruction']![e]! + h['valKl']![e]!), 2);
    }
    // elbo() on the held-out digits agrees with the last validation pass (different noise draws).
    const report = plain.vae.elbo(xTest);
    expect(Math.abs(report.mean - last)).toBeLessThan(0.03 * Math.abs(last));
  });

  it('KL is never negative: per epoch, per batch and per example', () => {
    for (const key of ['kl', 'valKl']) for (const v of plain.history[key]!) expect(v).toBeGreaterThanOrEqual(0);
    const { mean, logVar } = plain.vae.encode(xTest);
    const m = mean.dataSync();
    const lv = logVar.dataSync();
    tf.dispose([mean, logVar]);
    const d = 16;
    for (let i = 0; i < m.length / d; i++) {
      let kl = 0;
      for (let j = i * d; j < (i + 1) * d; j++) kl += 0.5 * (m[j]! ** 2 + Math.exp(lv[j]!) - 1 - lv[j]!);
      expect(kl).toBeGreaterThanOrEqual(0);
    }
    const report = plain.vae.elbo(xTest);
    expect(report.kl).toBeGreaterThan(0);
    for (const v of report.perExample) expect(v).toBeLessThan(0);
  });

  it('beta = 4 ends with a lower KL than beta = 1 on the same seed and schedule', async () => {
    const heavy = dense(4);
    const history = await heavy.fit(xTrain, fitOptions);
    heavy.dispose();
    const klHeavy = history['kl']!.at(-1)!;
    const klPlain = plain.history['kl']!.at(-1)!;
    expect(history['beta']!.every((b) => b === 4)).toBe(true);
    expect(klHeavy).toBeLessThan(klPlain);
  });

  it('KL warm-up: the effective beta is 0 through epoch 1, then rises linearly, across fit calls', async () => {
    const vae = VAE({ inputShape: [784], hiddenUnits: [64], latentDim: 4, klWarmupEpochs: 4, beta: 2, seed: 3 });
    const x = tf.slice(xTrain, 0, 200);
    const first = await vae.fit(x, { epochs: 2, batchSize: 50, verbose: 0 });
    const second = await vae.fit(x, { epochs: 3, batchSize: 50, verbose: 0 });
    vae.dispose();
    x.dispose();
    expect(first['beta']).toEqual([0, 0.5]);
    expect(second['beta']).toEqual([1, 1.5, 2]);
    // With beta 0 the loss is the reconstruction term alone, though the KL is there (and logged).
    expect(first['loss']![0]).toBe(first['reconstruction']![0]);
    expect(first['kl']![0]!).toBeGreaterThan(0);
    expect(first['loss']![1]!).toBeCloseTo(first['reconstruction']![1]! + 0.5 * first['kl']![1]!, 3);
  });

  it('a conv VAE trains on wasm: the loss falls', async () => {
    const images = tf.reshape(tf.slice(xTrain, 0, 300), [300, 28, 28, 1]);
    const vae = VAE({ architecture: 'conv', inputShape: [28, 28, 1], filters: [8, 16], latentDim: 8, seed: 4 });
    const history = await vae.fit(images, { epochs: 3, batchSize: 32, learningRate: 3e-3, verbose: 0 });
    const samples = vae.sample(4, { seed: 1 });
    expect(samples.shape).toEqual([4, 28, 28, 1]);
    tf.dispose([images, samples]);
    vae.dispose();
    const loss = history['loss']!;
    expect(loss.at(-1)!).toBeLessThan(0.9 * loss[0]!);
  });
});
