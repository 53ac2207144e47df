/**
 * A saved GAN loads as the same kind of handle, with the same generator and discriminator outputs bitwise.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GAN, load, save, useBackend, type GenerativeAdversarialNetwork } from '../../src/index.js';

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
});
