/**
 * A saved GAN loads as the same kind of handle, with the same generator and discriminator outputs bitwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GAN, load, save, useBackend, type GANConfig, type GenerativeAdversarialNetwork } from '../../src/index.js';

const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);

describe('GAN save and load', () => {
  it('a trained dense GAN round-trips: generator and discriminator bitwise, in two parts', async () => {
    await useBackend('cpu');
    const data = tf.randomNormal([64, 2], 0, 1, 'float32', 1);
    const gan = GAN({ architecture: 'dense', dataShape: [2], zDim: 4, generatorUnits: [8], discriminatorUnits: [8], seed: 3 });
    await gan.fit(data, { epochs: 1, batchSize: 16, verbose: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'latentkit-gan-'));
    try {
      await save(gan, dir);
      expect(existsSync(join(dir, 'discriminator', 'model.json'))).toBe(true);
      const before = tf.memory().numTensors;
      const loaded = await load<GenerativeAdversarialNetwork>(dir);
      expect(loaded.kind).toBe('gan');
      expect(loaded.architecture).toBe('dense');
      expect(loaded.config).toEqual(gan.config);
      const [a, b] = [gan.sample(5, { seed: 9 }), loaded.sample(5, { seed: 9 })];
      expect(bits(a).equals(bits(b))).toBe(true);
      const [da, db] = [gan.discriminate(data), loaded.discriminate(data)];
      expect(bits(da).equals(bits(db))).toBe(true);
      tf.dispose([a, b, da, db]);
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      gan.dispose();
      data.dispose();
    }
  });

  it.each(['cpu', 'wasm'] as const)('ACGANs, WGANs and the remedies round-trip bit for bit, and so does their classifier (%s)', async (backend) => {
    await useBackend(backend);
    const images = tf.randomUniform([16, 8, 8, 1], -1, 1, 'float32', 2);
    const labels = Array.from({ length: 16 }, (_, i) => i % 3);
    const points = tf.randomNormal([24, 2], 0, 1, 'float32', 4);
    const configs: [GANConfig, tf.Tensor, number[] | undefined][] = [
      [
        {
          architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, conditioning: 'acgan',
          minibatchStddev: { groupSize: 4 }, discriminatorDropout: 0.2, discriminatorBatchNorm: true, seed: 5,
        },
        images,
        labels,
      ],
      [{ dataShape: [2], zDim: 3, generatorUnits: [8], discriminatorUnits: [8, 8], loss: 'wgan', clipValue: 0.05, packing: 2, seed: 6 }, points, undefined],
    ];
    for (const [config, x, y] of configs) {
      const gan = GAN(config);
      await gan.fit(x, { labels: y, epochs: 1, batchSize: 8, verbose: 0, balanceMonitor: false });
      const dir = mkdtempSync(join(tmpdir(), 'latentkit-gan-'));
      try {
        await save(gan, dir);
        const before = tf.memory().numTensors;
        const loaded = await load<GenerativeAdversarialNetwork>(dir);
        expect(loaded.config).toEqual(gan.config);
        const asked = y === undefined ? {} : { labels: y.slice(0, 4) };
        const outputs = (g: GenerativeAdversarialNetwork) => [
          g.sample(4, { seed: 9, ...asked }),
          g.discriminate(x),
          g.embed(x),
          ...(g.config.conditioning === 'acgan' ? [g.classify(x)] : []),
        ];
        const [a, b] = [outputs(gan), outputs(loaded)];
        expect(a.length).toBe(y === undefined ? 3 : 4);
        a.forEach((t, i) => expect(bits(t).equals(bits(b[i]!)), `output ${i}`).toBe(true));
        tf.dispose([...a, ...b]);
        loaded.dispose();
        expect(tf.memory().numTensors).toBe(before);
      } finally {
        rmSync(dir, { recursive: true, force: true });
        gan.dispose();
      }
    }
    tf.dispose([images, points]);
  });
});

