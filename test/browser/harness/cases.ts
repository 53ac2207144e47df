/**
 * The five tiny models every backend trains in the browser test, from the same seeds and the same data
 * (made in plain JavaScript, so that every backend starts from identical numbers): a dense AE, a conv AE,
 * a VAE, a GAN and an image classifier (with a transfer head on it, see classifierCase.ts).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { classifierCase, type ClassifierChecks } from './classifierCase.js';
import {
  GAN,
  SeedStream,
  VAE,
  convAE,
  ringOfGaussians,
  undercompleteAE,
  type Autoencoder,
  type GenerativeAdversarialNetwork,
  type Logs,
  type SavableHandle,
  type VariationalAutoencoder,
} from 'latentkit';

/** One model: how to build, feed, train and probe it. */
export interface ModelCase {
  name: string;
  /** The per-step log that must fall. */
  lossKey: string;
  /** Its parts in storage, as save() lays them out under one URL ('' is the URL itself). */
  parts: string[];
  data(): tf.Tensor;
  build(): SavableHandle;
  fit(handle: SavableHandle, x: tf.Tensor, onStep: (logs: Logs) => void): Promise<void>;
  /** A deterministic output to compare after a save and load. */
  probe(handle: SavableHandle, x: tf.Tensor): tf.Tensor;
  weights(handle: SavableHandle): tf.Tensor[];
  /** More checks of the trained model, before it is saved (the classifier's); disposes what it makes. */
  checks?(handle: SavableHandle, x: tf.Tensor): Promise<ClassifierChecks>;
}

/** `n` rows of `dim` values in (0, 1) that live on `rank` dimensions: sigmoid(U V), from `seed`. */
function lowRank(n: number, dim: number, rank: number, seed: number): Float32Array {
  const s = new SeedStream(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(Math.max(s.uniform(), 1e-12))) * Math.cos(2 * Math.PI * s.uniform());
  const u = Array.from({ length: n * rank }, normal);
  const v = Array.from({ length: rank * dim }, normal);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      let z = 0;
      for (let k = 0; k < rank; k++) z += u[i * rank + k]! * v[k * dim + j]!;
      out[i * dim + j] = 1 / (1 + Math.exp(-z));
    }
  }
  return out;
}

const step = (onStep: (logs: Logs) => void) => ({ onBatchEnd: (_batch: number, logs: Logs) => onStep(logs) });

const dense: ModelCase = {
  name: 'denseAE',
  lossKey: 'loss',
  parts: [''],
  data: () => tf.tensor2d(lowRank(96, 32, 4, 11), [96, 32]),
  build: () => undercompleteAE({ inputDim: 32, hiddenUnits: [16], codeDim: 4, seed: 1 }),
  fit: async (h, x, onStep) => {
    await (h as Autoencoder).fit(x, { epochs: 4, batchSize: 32, learningRate: 0.01, verbose: 0, seed: 5, callbacks: step(onStep) });
  },
  probe: (h, x) => (h as Autoencoder).reconstruct(x),
  weights: (h) => (h as Autoencoder).model.getWeights(),
};

const conv: ModelCase = {
  name: 'convAE',
  lossKey: 'loss',
  parts: [''],
  // 8x8 images: rows of a rank-2 pattern, one image per example.
  data: () => tf.tensor4d(lowRank(64, 64, 2, 12), [64, 8, 8, 1]),
  build: () => convAE({ inputShape: [8, 8, 1], filters: [4, 8], codeDim: 4, seed: 1 }),
  fit: async (h, x, onStep) => {
    await (h as Autoencoder).fit(x, { epochs: 4, batchSize: 16, learningRate: 0.03, verbose: 0, seed: 5, callbacks: step(onStep) });
  },
  probe: (h, x) => (h as Autoencoder).reconstruct(x),
  weights: (h) => (h as Autoencoder).model.getWeights(),
};

const vae: ModelCase = {
  name: 'VAE',
  lossKey: 'loss',
  parts: [''],
  data: () => tf.tensor2d(lowRank(96, 32, 2, 13), [96, 32]),
  build: () => VAE({ inputShape: [32], hiddenUnits: [16], latentDim: 2, seed: 1 }),
  fit: async (h, x, onStep) => {
    await (h as VariationalAutoencoder).fit(x, { epochs: 4, batchSize: 32, learningRate: 0.01, verbose: 0, seed: 5, callbacks: step(onStep) });
  },
  probe: (h) => tf.tidy(() => (h as VariationalAutoencoder).generate(tf.tensor2d([0, 0, 1, -1, -2, 0.5], [3, 2]))),
  weights: (h) => (h as VariationalAutoencoder).model.getWeights(),
};

const gan: ModelCase = {
  name: 'GAN',
  lossKey: 'dLoss',
  parts: ['', 'discriminator'],
  data: () => ringOfGaussians({ n: 128, seed: 1 }).x,
  build: () => GAN({ dataShape: [2], zDim: 4, generatorUnits: [16, 16], discriminatorUnits: [16], outputActivation: 'linear', seed: 2 }),
  fit: async (h, x, onStep) => {
    await (h as GenerativeAdversarialNetwork).fit(x, {
      epochs: 3,
      batchSize: 32,
      dLearningRate: 1e-2,
      gLearningRate: 1e-4,
      verbose: 0,
      seed: 5,
      balanceMonitor: false,
      callbacks: step(onStep),
    });
  },
  probe: (h) => (h as GenerativeAdversarialNetwork).sample(16, { seed: 3 }),
  weights: (h) => [...(h as GenerativeAdversarialNetwork).generator.getWeights(), ...(h as GenerativeAdversarialNetwork).discriminator.getWeights()],
};

export const MODEL_CASES: ModelCase[] = [dense, conv, vae, gan, classifierCase];
