/**
 * Saving and loading VAEs through latentkit's io module (`save`/`load`, with the `'vae'` kind registered
 * by `src/io/vaeKind.ts`): a trained VAE comes back with a bitwise-equal ELBO and samples (on wasm).
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/useBackend.js';
import { load, readModelInfo, save } from '../../../src/index.js';
import { VAE, type VAEConfig, type VariationalAutoencoder } from '../../../src/index.js';
import { mnistDigits } from '../../helpers/mnist.js';

let root: string;
let x: tf.Tensor2D;

beforeAll(async () => {
  // wasm: the conv VAE's training is about 10x faster there than on cpu.
  await useBackend('wasm');
  root = await mkdtemp(join(tmpdir(), 'latentkit-vae-io-'));
  const d = mnistDigits(10, 0);
  x = tf.tensor2d(d.pixels, [d.n, 784]);
});

afterAll(async () => {
  x.dispose();
  await rm(root, { recursive: true, force: true });
});

const configs: Array<[string, VAEConfig]> = [
  ['dense, Bernoulli', { inputShape: [784], hiddenUnits: [32], latentDim: 4, klWarmupEpochs: 2, freeBits: 0.1, seed: 3 }],
  ['dense, Gaussian with learned variance', { inputShape: [784], hiddenUnits: [32], latentDim: 4, likelihood: 'gaussian', gaussianVariance: 'learned', seed: 4 }],
  ['conv', { architecture: 'conv', inputShape: [28, 28, 1], filters: [4, 8], latentDim: 3, seed: 5 }],
];

describe('save and load a VAE', () => {
  for (const [title, config] of configs) {
    it(`${title}: the same elbo, bitwise, and the same samples after a round trip`, async () => {
      const data = config.architecture === 'conv' ? tf.reshape(x, [-1, 28, 28, 1]) : x;
      const vae = VAE(config);
      await vae.fit(data, { epochs: 1, batchSize: 25, verbose: 0, learningRate: 0.01 });
      const dir = join(root, title.replace(/\W+/g, '-'));
      await save(vae, dir);
      const info = await readModelInfo(dir);
      expect(info.kind).toBe('vae');
      const before = tf.memory().numTensors;
      const loaded = await load<VariationalAutoencoder>(dir);
      expect(loaded.kind).toBe('vae');
      expect(loaded.config).toEqual(vae.config);
      expect(Array.from(loaded.elbo(data).perExample)).toEqual(Array.from(vae.elbo(data).perExample));
      const [a, b] = [vae.sample(3, { seed: 8 }), loaded.sample(3, { seed: 8 })];
      expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
      tf.dispose([a, b]);
      // The loaded handle trains on, and frees everything it holds.
      await loaded.fit(data, { epochs: 1, batchSize: 25, verbose: 0 });
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      vae.dispose();
      if (data !== x) data.dispose();
    });
  }
});
