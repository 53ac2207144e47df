/**
 * Saves of earlier formats still load, with the same weights and the same predictions bit for bit on cpu:
 * - fixtures/saves-0.1.0: written by latentkit 0.1.0 before the model folders were reorganised (made by
 *   test/golden/generate.ts --saves from commit d8c6575: every autoencoder kind, dense and conv VAEs, GANs
 *   saved under the kinds 'dense' and 'dcgan');
 * - fixtures/saves-format1: save format 1 as written after the reorganisation (commit 14de7d4, kind
 *   'gan'), the last format without checksums.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { load, readModelInfo, useBackend, type Autoencoder, type GenerativeAdversarialNetwork, type VariationalAutoencoder } from '../../src/index.js';
import { CONDITIONAL_LABELS, DATA, autoencoderOutputs, ganOutputs, vaeOutputs, type GoldenRecord } from '../golden/scenarios.js';

const FIXTURES = ['saves-0.1.0', 'saves-format1'];

beforeAll(async () => {
  await useBackend('cpu');
});

describe.each(FIXTURES)('%s', (fixture) => {
  const dir = fileURLToPath(new URL(`./fixtures/${fixture}/`, import.meta.url));
  const expected = JSON.parse(readFileSync(`${dir}expected.json`, 'utf8')) as Record<string, Omit<GoldenRecord, 'history'>>;
  for (const name of Object.keys(expected)) {
    it(`${name} loads and predicts as it did`, async () => {
      const before = tf.memory().numTensors;
      const info = await readModelInfo(`${dir}${name}`);
      const handle = await load(`${dir}${name}`);
      const x = DATA[name]!();
      try {
        const want = expected[name]!;
        if (info.kind === 'vae') {
          expect(vaeOutputs(handle as unknown as VariationalAutoencoder, x)).toEqual({ predictions: want.predictions, numbers: want.numbers, weights: want.weights });
        } else if (info.kind === 'dense' || info.kind === 'dcgan' || info.kind === 'gan') {
          const labels = name === 'conditionalGAN' ? CONDITIONAL_LABELS : undefined;
          expect(ganOutputs(handle as unknown as GenerativeAdversarialNetwork, x, labels)).toEqual({ predictions: want.predictions, weights: want.weights });
        } else {
          expect(autoencoderOutputs(handle as unknown as Autoencoder, x)).toEqual({ predictions: want.predictions, numbers: want.numbers, weights: want.weights });
        }
      } finally {
        x.dispose();
        handle.dispose();
      }
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
