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
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { CONDITIONAL_LABELS, DATA, autoencoderOutputs, ganOutputs, vaeOutputs, type GoldenRecord } from '../golden/scenarios.js';

const FIXTURES = ['saves-0.1.0', 'saves-format1'];
/** Saves with an upsampling decoder: same weights, predictions equal to float32 rounding. */
const ROUNDED = new Set(['convUpsample']);

/** The same weights bit for bit, the same prediction shapes, and values within float32 rounding. */
function expectClose(got: Pick<GoldenRecord, 'predictions' | 'numbers' | 'weights'>, want: Omit<GoldenRecord, 'history'>): void {
  expect(got.weights).toEqual(want.weights);
  for (const [k, p] of Object.entries(want.predictions)) {
    expect(got.predictions[k]!.shape).toEqual(p.shape);
    got.predictions[k]!.head.forEach((v, i) => expect(Math.abs(v - p.head[i]!), `${k}[${i}]`).toBeLessThan(1e-6 * (1 + Math.abs(p.head[i]!))));
  }
  for (const [k, v] of Object.entries(want.numbers)) expect(Math.abs(got.numbers[k]! - v), k).toBeLessThan(1e-6 * (1 + Math.abs(v)));
}

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
        } else if (ROUNDED.has(name)) {
          expectClose(autoencoderOutputs(handle as unknown as Autoencoder, x), want);
          // Built as two layers (the switch off), the same save predicts bit for bit as it did (sha256 of
          // every output); the one-layer form's whole reconstruction is within float32 rounding of it.
          kernelOptions.upsampledConv = false;
          const twoLayers = await load(`${dir}${name}`).finally(() => (kernelOptions.upsampledConv = true));
          try {
            expect((twoLayers as unknown as Autoencoder).model.layers.some((l) => l.getClassName() === 'UpSampling2D')).toBe(true);
            expect((handle as unknown as Autoencoder).model.layers.some((l) => l.getClassName() === 'LatentkitUpsampledConv2D')).toBe(true);
            expect(autoencoderOutputs(twoLayers as unknown as Autoencoder, x)).toEqual({ predictions: want.predictions, numbers: want.numbers, weights: want.weights });
            const [a, b] = [(handle as unknown as Autoencoder).reconstruct(x), (twoLayers as unknown as Autoencoder).reconstruct(x)];
            const worst = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
            expect(worst).toBeLessThan(1e-6);
            tf.dispose([a, b]);
          } finally {
            twoLayers.dispose();
          }
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
