/**
 * GANs train on both Node backends (cpu and wasm): dense and dcgan, every loss, with results that agree
 * across backends within float tolerance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/index.js';
import { GAN, type GANConfig, type GANFitOptions } from '../../../src/index.js';
import { ringOfGaussians } from '../../../src/index.js';

interface Case {
  name: string;
  config: GANConfig;
  data: () => tf.Tensor;
  fit: GANFitOptions;
  /** Logs to compare across backends besides the losses and accuracies. */
  logs?: string[];
}

const CASES: Case[] = [
  {
    name: 'dense, non-saturating',
    config: { dataShape: [2], zDim: 4, generatorUnits: [16, 16], discriminatorUnits: [16], outputActivation: 'linear', seed: 2 },
    data: () => ringOfGaussians({ n: 128, seed: 1 }).x,
    fit: { epochs: 3, batchSize: 32, dLearningRate: 1e-3 },
  },
  {
    name: 'dense, minimax, label smoothing and instance noise',
    config: { dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16], loss: 'minimax', outputActivation: 'linear', seed: 2 },
    data: () => ringOfGaussians({ n: 128, seed: 1 }).x,
    fit: { epochs: 3, batchSize: 32, labelSmoothing: 0.1, instanceNoise: { stddev: 0.1, anneal: true } },
  },
  {
    name: 'dense, wgan-gp (second-order gradients)',
    config: { dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16, 16], loss: 'wgan-gp', outputActivation: 'linear', seed: 2 },
    data: () => ringOfGaussians({ n: 128, seed: 1 }).x,
    fit: { epochs: 2, batchSize: 32 },
  },
  {
    name: 'dcgan, non-saturating',
    config: { architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 8, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2 },
    data: () => tf.randomUniform([32, 8, 8, 1], -1, 1, 'float32', 3),
    fit: { epochs: 1, batchSize: 16 },
  },
  {
    name: 'dcgan, wgan-gp (second-order gradients through convolutions)',
    config: { architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 8, generatorFilters: [8, 4], discriminatorFilters: [4, 8], loss: 'wgan-gp', seed: 2 },
    data: () => tf.randomUniform([32, 8, 8, 1], -1, 1, 'float32', 3),
    fit: { epochs: 1, batchSize: 16, dStepsPerG: 1 },
  },
  {
    name: 'dense ACGAN',
    config: { dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16], outputActivation: 'linear', numClasses: 4, conditioning: 'acgan', seed: 2 },
    data: () => ringOfGaussians({ n: 128, seed: 1, modes: 4 }).x,
    fit: { epochs: 2, batchSize: 32, labels: Array.from(ringOfGaussians({ n: 128, seed: 1, modes: 4 }).mode) },
    logs: ['auxLoss', 'auxAccuracyReal', 'auxAccuracyFake'],
  },
  {
    name: 'dcgan ACGAN, discriminator dropout and batch norm',
    config: {
      architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 8, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 2, conditioning: 'acgan',
      discriminatorDropout: 0.3, discriminatorBatchNorm: true, seed: 2,
    },
    data: () => tf.randomUniform([32, 8, 8, 1], -1, 1, 'float32', 3),
    fit: { epochs: 1, batchSize: 16, labels: Array.from({ length: 32 }, (_, i) => i % 2) },
    logs: ['auxLoss'],
  },
  {
    name: 'dense wgan (weight clipping), packing and minibatch stddev',
    config: { dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16, 16], loss: 'wgan', packing: 2, minibatchStddev: true, outputActivation: 'linear', seed: 2 },
    data: () => ringOfGaussians({ n: 128, seed: 1 }).x,
    fit: { epochs: 2, batchSize: 32, dLearningRate: 1e-3, gLearningRate: 1e-3 },
    logs: ['wassersteinEstimate'],
  },
  {
    name: 'dcgan, wgan-gp with minibatch stddev and packing (second-order gradients through the statistic)',
    config: { architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 8, generatorFilters: [8, 4], discriminatorFilters: [4, 8], loss: 'wgan-gp', minibatchStddev: true, packing: 2, seed: 2 },
    data: () => tf.randomUniform([32, 8, 8, 1], -1, 1, 'float32', 3),
    fit: { epochs: 1, batchSize: 16, dStepsPerG: 1 },
    logs: ['gradientPenalty'],
  },
];

describe.each(CASES)('$name', ({ config, data, fit, logs = [] }) => {
  it('trains on cpu and on wasm, with the same results up to float error', async () => {
    const results: Record<string, { h: Record<string, number[]>; w: Float32Array[]; changed: boolean }> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const x = data();
      const gan = GAN(config);
      const initial = [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((w) => Float32Array.from(w.dataSync()));
      const before = tf.memory().numTensors;
      const h = await gan.fit(x, { ...fit, verbose: 0, balanceMonitor: false });
      expect(tf.memory().numTensors, backend).toBe(before);
      const w = [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((t) => Float32Array.from(t.dataSync()));
      results[backend] = { h: h as unknown as Record<string, number[]>, w, changed: w.some((a, i) => a.some((v, j) => v !== initial[i]![j])) };
      for (const k of ['dLoss', 'gLoss', 'dAccuracyReal', 'dAccuracyFake', ...logs]) expect(h[k]!.every(Number.isFinite), `${backend} ${k}`).toBe(true);
      gan.dispose();
      x.dispose();
    }
    expect(results['cpu']!.changed).toBe(true);
    expect(results['wasm']!.changed).toBe(true);
    // The two backends round differently (about 1e-3 after a few epochs on small nets): close, not equal.
    const a = results['cpu']!.h['dLoss']!;
    const b = results['wasm']!.h['dLoss']!;
    a.forEach((v, i) => expect(Math.abs(v - b[i]!), `dLoss epoch ${i}`).toBeLessThan(0.05 * Math.max(1, Math.abs(v))));
  });
});
