/**
 * Every model kind's resolved config is itself a valid config: `X(handle.config)` (and the same config
 * through JSON, as a save stores it) rebuilds an identical model, same config and bit-identical initial
 * weights. Configs handed back are deeply frozen, and freezing never reaches the caller's own arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import * as lk from '../../src/index.js';

interface Handle {
  readonly kind: string;
  readonly config: object;
  dispose(): void;
}

/** A builder, a config, and the models holding the weights. */
interface Kind {
  build: (config: never) => Handle;
  config: object;
  models: (h: never) => tfl.LayersModel[];
}

const ae = (h: lk.Autoencoder) => [h.model];
const kinds: Record<string, Kind> = {
  undercomplete: { build: lk.undercompleteAE, config: { inputDim: 6, hiddenUnits: [5], codeDim: 2, seed: 1 }, models: ae },
  'undercomplete with code regularisers': {
    build: lk.undercompleteAE,
    config: { inputDim: 6, hiddenUnits: [5], codeDim: 2, l1: 1e-3, dropoutBeforeCode: 0.2, codeActivation: 'tanh', seed: 1 },
    models: ae,
  },
  overcompleteSparse: { build: lk.overcompleteSparseAE, config: { inputDim: 3, codeDim: 5, dropoutBeforeCode: 0.1, seed: 2 }, models: ae },
  'denoising (dense)': { build: lk.denoisingAE, config: { inputDim: 6, codeDim: 2, noise: { kind: 'gaussian', stddev: 0.2, clip: [0, 1] }, seed: 3 }, models: ae },
  'denoising (conv)': { build: lk.denoisingAE, config: { inputShape: [8, 8, 1], filters: [2], codeDim: 2, noise: { kind: 'masking', rate: 0.3 }, seed: 4 }, models: ae },
  'conv (transpose)': { build: lk.convAE, config: { inputShape: [9, 9, 1], filters: [2, 3], padding: ['same', 'valid'], pooling: [0, 2], codeDim: 3, seed: 5 }, models: ae },
  'conv (upsample, regularised)': {
    build: lk.convAE,
    config: { inputShape: [8, 8, 2], filters: [3], decoder: 'upsample', activation: 'leakyRelu', l1: 1e-4, dropoutBeforeCode: 0.2, seed: 6 },
    models: ae,
  },
  'vae (dense)': { build: lk.VAE, config: { inputShape: [6], hiddenUnits: [4], latentDim: 2, beta: 2, seed: 7 }, models: (h: lk.VariationalAutoencoder) => [h.model] },
  'vae (conv, learned variance)': {
    build: lk.VAE,
    config: { architecture: 'conv', inputShape: [8, 8, 1], filters: [2], latentDim: 2, likelihood: 'gaussian', gaussianVariance: 'learned', klWarmupEpochs: 2, seed: 8 },
    models: (h: lk.VariationalAutoencoder) => [h.model],
  },
  'gan (dense)': { build: lk.GAN, config: { dataShape: [2], zDim: 3, generatorUnits: [4], discriminatorUnits: [3], seed: 9 }, models: gan },
  'gan (dcgan, conditional)': {
    build: lk.GAN,
    config: { architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 3, generatorFilters: [4, 2], discriminatorFilters: [2, 4], numClasses: 3, seed: 10 },
    models: gan,
  },
  'gan (wgan-gp)': { build: lk.GAN, config: { dataShape: [3], zDim: 2, loss: 'wgan-gp', activation: 'leakyRelu', generatorUnits: [3], seed: 11 }, models: gan },
  'classifier (dense, noise, dropout)': {
    build: lk.classifier,
    config: { inputShape: [6], numClasses: 3, layers: [{ type: 'noise', noise: { kind: 'gaussian', stddev: 0.1 } }, { type: 'dense', units: 5, activation: 'leakyRelu' }, { type: 'dropout', rate: 0.2 }], seed: 12 },
    models: classifierModels,
  },
  'imageClassifier (the assessment preset)': { build: lk.imageClassifier, config: { inputShape: [8, 8, 1], numClasses: 3, layers: 'assessment', seed: 13 }, models: classifierModels },
  'imageClassifier (the lecture preset) through classifier': {
    build: (c: never) => {
      const image = lk.imageClassifier(c);
      image.dispose();
      return lk.classifier(image.config as never);
    },
    config: { inputShape: [8, 8, 2], numClasses: 4, seed: 14 },
    models: classifierModels,
  },
  'gan (dcgan acgan, minibatch stddev, dropout, discriminator batch norm)': {
    build: lk.GAN,
    config: {
      architecture: 'dcgan',
      dataShape: [8, 8, 1],
      zDim: 3,
      generatorFilters: [4, 2],
      discriminatorFilters: [2, 4],
      numClasses: 3,
      conditioning: 'acgan',
      minibatchStddev: { groupSize: 2 },
      discriminatorDropout: 0.25,
      discriminatorBatchNorm: true,
      seed: 12,
    },
    models: gan,
  },
  'gan (wgan, clipping, packing, conditional)': {
    build: lk.GAN,
    config: { dataShape: [3], zDim: 2, loss: 'wgan', clipValue: 0.05, packing: 3, numClasses: 2, generatorUnits: [3], minibatchStddev: true, seed: 13 },
    models: gan,
  },
};

function classifierModels(h: lk.Classifier): tfl.LayersModel[] {
  return [h.model];
}

function gan(h: lk.GenerativeAdversarialNetwork): tfl.LayersModel[] {
  return [h.generator, h.discriminator];
}

function bytes(models: tfl.LayersModel[]): string[] {
  return models.flatMap((m) => m.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer).toString('base64')));
}

/** Every object and array reachable from `value` is frozen. */
function deeplyFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deeplyFrozen);
}

beforeAll(async () => {
  await lk.useBackend('cpu');
});

describe('a resolved config rebuilds the same model, for every kind', () => {
  it.each(Object.entries(kinds))('%s', (_name, kind) => expectRoundTrip(kind));

  it('transferHead (on an autoencoder, with a hidden layer and dropout)', () => {
    const ae = lk.convAE({ inputShape: [8, 8, 1], filters: [2], codeDim: 3, seed: 15 });
    expectRoundTrip({ build: lk.transferHead, config: { base: ae, numClasses: 3, hiddenUnits: [4], dropout: 0.2, freeze: 2, seed: 16 }, models: classifierModels });
    ae.dispose();
  });
});

function expectRoundTrip({ build, config, models }: Kind): void {
  {
    const before = tf.memory().numTensors;
    const first = build(config as never);
    const again = build(first.config as never);
    const fromJson = build(JSON.parse(JSON.stringify(first.config)) as never);
    expect(again.kind).toBe(first.kind);
    expect(again.config).toEqual(first.config);
    expect(fromJson.config).toEqual(first.config);
    const weights = bytes(models(first as never));
    expect(weights.length).toBeGreaterThan(0);
    expect(bytes(models(again as never))).toEqual(weights);
    expect(bytes(models(fromJson as never))).toEqual(weights);
    expect(deeplyFrozen(first.config)).toBe(true);
    for (const h of [first, again, fromJson]) h.dispose();
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe('configs handed back are frozen, and only they are', () => {
  it('refuses changes at any depth', () => {
    const ae = lk.undercompleteAE({ inputDim: 6, hiddenUnits: [4], codeDim: 2, seed: 1 });
    expect(() => (ae.config.hiddenUnits as number[]).push(3)).toThrow(TypeError);
    expect(() => ((ae.config as { codeDim: number }).codeDim = 5)).toThrow(TypeError);
    const dae = lk.denoisingAE({ inputDim: 6, codeDim: 2, noise: { kind: 'uniform', scale: 0.3, clip: [0, 1] }, seed: 1 });
    expect(() => ((dae.config.noise as unknown as { clip: number[] }).clip[0] = 5)).toThrow(TypeError);
    const g = lk.GAN({ dataShape: [2], zDim: 2, seed: 1 });
    expect(() => (g.config.dataShape as number[]).push(1)).toThrow(TypeError);
    for (const h of [ae, dae, g]) h.dispose();
  });

  it("leaves the caller's arrays and objects as they were", () => {
    const hiddenUnits = [4];
    const clip: [number, number] = [0, 1];
    const ae = lk.undercompleteAE({ inputDim: 6, hiddenUnits, codeDim: 2, seed: 1 });
    const dae = lk.denoisingAE({ inputDim: 6, codeDim: 2, noise: { kind: 'uniform', scale: 0.3, clip }, seed: 1 });
    expect(Object.isFrozen(hiddenUnits) || Object.isFrozen(clip)).toBe(false);
    hiddenUnits.push(3);
    expect(ae.config.hiddenUnits).toEqual([4]);
    for (const h of [ae, dae]) h.dispose();
  });
});
