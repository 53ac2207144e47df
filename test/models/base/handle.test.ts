/**
 * What every handle gets from ModelHandle: a summary whose shared layers show only their own model's
 * shapes, the dispose lifecycle, and (for autoencoders) the code regularisers on every builder.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import * as lk from '../../../src/index.js';

beforeAll(async () => {
  await lk.useBackend('cpu');
});

describe('summary', () => {
  it("shows a shared layer's input shape once, as in the model shown (the standalone decoder too)", () => {
    const ae = lk.undercompleteAE({ inputDim: 6, hiddenUnits: [4], codeDim: 2, seed: 1 });
    const text = ae.summary();
    const decoder = text.slice(text.indexOf('undercomplete autoencoder: decoder'));
    const line = decoder.split('\n').find((l) => l.startsWith('decoder_1 (Dense)'))!;
    expect(line).toContain('[[null,2]]');
    expect(line).not.toContain('[[null,2]],[[null,2]]');
    expect(decoder).toMatch(/Total params: 42/);
    for (const part of ['model', 'encoder', 'decoder']) expect(text).toContain(`undercomplete autoencoder: ${part}`);
    ae.dispose();
  });

  it('names the GAN by its architecture and lists both networks', () => {
    const gan = lk.GAN({ dataShape: [2], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 1 });
    expect(gan.summary()).toMatch(/dense GAN: generator[\s\S]*dense GAN: discriminator[\s\S]*embedding \(Dense\)/);
    gan.dispose();
  });
});

describe('lifecycle', () => {
  it('dispose frees every weight once and makes every method say the handle is disposed', () => {
    const before = tf.memory().numTensors;
    const vae = lk.VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 1 });
    vae.dispose();
    vae.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => vae.summary()).toThrow(/this vae has been disposed/);
    expect(() => vae.decode([[0, 0]])).toThrow(/disposed/);
  });
});

describe('code regularisers on every autoencoder builder', () => {
  it('a conv AE takes l1 (logged as sparsity) and dropoutBeforeCode (a seeded dropout layer)', async () => {
    const x = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 3);
    const ae = lk.convAE({ inputShape: [8, 8, 1], filters: [2], codeDim: 3, l1: 1e-3, dropoutBeforeCode: 0.25, seed: 2 });
    expect(ae.encoder.layers.map((l) => l.name)).toContain('code_dropout');
    const h = await ae.fit(x, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Object.keys(h)).toEqual(['epoch', 'loss', 'reconstruction', 'sparsity']);
    expect(h.loss[0]).toBeCloseTo(h.reconstruction![0]! + h.sparsity![0]!, 6);
    ae.dispose();
    x.dispose();
  });

  it('the dense builders default the code activation to relu, and so does convAE', () => {
    const handles = [
      lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 }),
      lk.overcompleteSparseAE({ inputDim: 2, codeDim: 4, seed: 1 }),
      lk.convAE({ inputShape: [4, 4, 1], filters: [2], codeDim: 2, seed: 1 }),
    ];
    for (const h of handles) {
      expect(h.config.codeActivation).toBe('relu');
      expect(h.encoder.getLayer('code').getConfig()['activation']).toBe('relu');
      h.dispose();
    }
  });
});
