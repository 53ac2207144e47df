/**
 * Self-conditioning (`selfConditioning`): the clusters of the first fit (k-means), the networks of a
 * conditional GAN on them, samples drawn in proportion to the clusters' sizes, discrimination by nearest
 * cluster, save and load, determinism, tensor hygiene and the errors of misuse, on cpu and on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, GAN, InputError, load, save, useBackend, type GANConfig, type GenerativeAdversarialNetwork } from '../../../src/index.js';
import { upgradeGANConfig } from '../../../src/models/gan/upgrade.js';

const BACKENDS = ['cpu', 'wasm'] as const;
const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer);

/** Three tight blobs on a line (x = -1, 0, 1) of `sizes` points each, in a shuffled order (seeded). */
function blobs(sizes: [number, number, number], seed = 1): { x: tf.Tensor2D; blob: number[] } {
  const blob = sizes.flatMap((s, b) => new Array<number>(s).fill(b));
  // A fixed interleaving, so that no cluster is a contiguous run of rows.
  const order = blob.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101) || a - b);
  const shuffled = order.map((i) => blob[i]!);
  const x = tf.tidy(() => {
    const centres = tf.tensor2d(shuffled.map((b) => [b - 1, 0]));
    return tf.add(centres, tf.randomNormal([shuffled.length, 2], 0, 0.05, 'float32', seed)) as tf.Tensor2D;
  });
  return { x, blob: shuffled };
}

const config = (extra: Partial<GANConfig> = {}): GANConfig => ({
  dataShape: [2],
  zDim: 4,
  generatorUnits: [32, 32],
  discriminatorUnits: [32],
  outputActivation: 'linear',
  selfConditioning: { clusters: 3 },
  seed: 7,
  ...extra,
});

describe.each(BACKENDS)('self-conditioning (%s)', (backend) => {
  it('clusters the first fit\'s examples, builds a conditional GAN on the clusters, and keeps the clusters for later fits', async () => {
    await useBackend(backend);
    const { x } = blobs([60, 30, 30]);
    const start = tf.memory().numTensors;
    const gan = GAN(config());
    expect(gan.config.selfConditioning).toEqual({ clusters: 3 });
    expect(gan.numClasses).toBeUndefined();
    expect(gan.clusterSizes).toBeUndefined();
    expect(gan.generator.inputs.map((i) => i.shape)).toEqual([[null, 4], [null, 3]]);
    expect(gan.discriminator.inputs.map((i) => i.shape)).toEqual([[null, 2], [null, 3]]);
    const before = tf.memory().numTensors;
    await gan.fit(x, { epochs: 1, batchSize: 30, verbose: 0, validationData: x, balanceMonitor: false });
    expect(tf.memory().numTensors).toBe(before + 1); // the cluster centres, kept by the handle
    expect([...gan.clusterSizes!].sort((a, b) => a - b)).toEqual([30, 30, 60]);
    // A later fit on other data assigns it to the same clusters rather than clustering again.
    const { x: small } = blobs([3, 3, 12], 2);
    await gan.fit(small, { epochs: 1, batchSize: 6, verbose: 0, balanceMonitor: false });
    expect([...gan.clusterSizes!].sort((a, b) => a - b)).toEqual([30, 30, 60]);
    gan.dispose();
    small.dispose();
    expect(tf.memory().numTensors).toBe(start);
    x.dispose();
  });

  it('data with fewer distinct examples than clusters leaves a cluster empty, which samples never draw', async () => {
    await useBackend(backend);
    const x = tf.tensor2d([[0, 0], [0, 0], [0, 0], [0, 0], [1, 1]]);
    const gan = GAN(config());
    await gan.fit(x, { epochs: 1, batchSize: 5, verbose: 0, balanceMonitor: false });
    expect([...gan.clusterSizes!].sort((a, b) => a - b)).toEqual([0, 1, 4]);
    const empty = gan.clusterSizes!.indexOf(0);
    // Drawn by size, no sample gets the empty cluster: asking for it gives other samples.
    const [drawn, asked] = [gan.sample(50, { seed: 2 }), gan.sample(50, { seed: 2, labels: empty })];
    const all = [0, 1, 2].filter((c) => c !== empty).map((c) => gan.sample(50, { seed: 2, labels: c }));
    const rows = (t: tf.Tensor) => (t.arraySync() as number[][]).map((r) => r.join(','));
    const fromNonEmpty = rows(drawn).every((r, i) => all.some((t) => rows(t)[i] === r));
    expect(fromNonEmpty).toBe(true);
    expect(rows(drawn).some((r, i) => r !== rows(asked)[i])).toBe(true);
    tf.dispose([drawn, asked, ...all, x]);
    gan.dispose();
  });

  it('samples follow the clusters\' sizes, and discriminate gives each example its nearest cluster', async () => {
    await useBackend(backend);
    const { x } = blobs([140, 30, 30]);
    const gan = GAN(config());
    await gan.fit(x, { epochs: 150, batchSize: 40, dLearningRate: 2e-3, gLearningRate: 2e-3, verbose: 0, balanceMonitor: false });
    const s = gan.sample(1000, { seed: 3 });
    const xs = tf.slice(s, [0, 0], [-1, 1]).dataSync();
    const share = (lo: number, hi: number) => Array.from(xs).filter((v) => v > lo && v < hi).length / xs.length;
    // The big blob (x = -1) holds 70% of the data, and each sample's cluster is drawn with that
    // probability (a uniform draw would give a third); the generator puts most of a cluster's samples on
    // its blob, and the small blobs get samples too.
    expect(share(-1.5, -0.5)).toBeGreaterThan(0.6);
    expect(share(-1.5, -0.5)).toBeLessThan(0.95);
    expect(share(0.5, 1.5)).toBeGreaterThan(0.03);
    // Asked for one cluster, every sample is of that cluster: the one the big blob's points fall in.
    const big = gan.clusterSizes!.indexOf(140);
    const one = gan.sample(200, { seed: 4, labels: big });
    const oneX = Array.from(tf.slice(one, [0, 0], [-1, 1]).dataSync());
    expect(oneX.filter((v) => v < -0.5).length / oneX.length).toBeGreaterThan(0.9);
    // Left out, an example's cluster is its nearest: for the big blob's points, the big blob's cluster.
    const bigPoints = tf.tensor2d([[-1, 0], [-1.05, 0.02], [-0.95, -0.03]]);
    const nearest = gan.discriminate(bigPoints);
    const given = gan.discriminate(bigPoints, { labels: big });
    const other = gan.discriminate(bigPoints, { labels: (big + 1) % 3 });
    expect(bits(nearest).equals(bits(given))).toBe(true);
    expect(bits(nearest).equals(bits(other))).toBe(false);
    const e = gan.embed(bigPoints);
    expect(e.shape).toEqual([3, 32]);
    tf.dispose([s, one, bigPoints, nearest, given, other, e, x]);
    gan.dispose();
  });
});

describe.each(BACKENDS)('self-conditioning: seeds, saves and misuse (%s)', (backend) => {
  it('a seed reproduces the clusters, the weights and the samples bit for bit; a save loads and predicts the same', async () => {
    await useBackend(backend);
    const { x } = blobs([20, 10, 10]);
    const run = async () => {
      const gan = GAN(config({ architecture: 'dcgan', dataShape: [4, 4, 1], zDim: 3, generatorFilters: [4], discriminatorFilters: [4], generatorUnits: undefined, discriminatorUnits: undefined, outputActivation: undefined }));
      const images = tf.tidy(() => tf.reshape(tf.tile(x, [1, 8]), [40, 4, 4, 1]));
      await gan.fit(images, { epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
      return { gan, images };
    };
    const a = await run();
    const b = await run();
    expect(a.gan.clusterSizes).toEqual(b.gan.clusterSizes);
    const weights = (g: GenerativeAdversarialNetwork) => [...g.generator.getWeights(), ...g.discriminator.getWeights()].map((w) => bits(w));
    weights(a.gan).forEach((w, i) => expect(w.equals(weights(b.gan)[i]!)).toBe(true));
    const [sa, sb] = [a.gan.sample(12, { seed: 5 }), b.gan.sample(12, { seed: 5 })];
    expect(bits(sa).equals(bits(sb))).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'latentkit-selfcond-'));
    try {
      await save(a.gan, dir);
      const loaded = await load<GenerativeAdversarialNetwork>(dir);
      expect(loaded.config).toEqual(a.gan.config);
      expect(loaded.clusterSizes).toEqual(a.gan.clusterSizes);
      const [sl, da, dl] = [loaded.sample(12, { seed: 5 }), a.gan.discriminate(a.images), loaded.discriminate(a.images)];
      expect(bits(sl).equals(bits(sa))).toBe(true);
      expect(bits(dl).equals(bits(da))).toBe(true);
      tf.dispose([sl, da, dl]);
      loaded.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    tf.dispose([sa, sb, a.images, b.images, x]);
    a.gan.dispose();
    b.gan.dispose();
  });

  it('refuses misuse with errors naming the parameter, and leaks nothing on the way', async () => {
    await useBackend(backend);
    expect(() => GAN(config({ numClasses: 3 }))).toThrow(ConfigError);
    expect(() => GAN(config({ numClasses: 3 }))).toThrow(/GAN\.selfConditioning.*numClasses/);
    expect(() => GAN(config({ selfConditioning: { clusters: 1 } }))).toThrow(/GAN\.selfConditioning\.clusters.*at least 2/);
    expect(() => GAN(config({ selfConditioning: 3 as never }))).toThrow(/GAN\.selfConditioning.*true, false or \{ clusters \}/);
    expect(() => GAN(config({ selfConditioning: { k: 3 } as never }))).toThrow(/GAN\.selfConditioning\.k/);
    expect(GAN(config({ selfConditioning: true })).config.selfConditioning).toEqual({ clusters: 40 });
    // A config saved before self-conditioning existed rebuilds without it.
    expect(upgradeGANConfig({ architecture: 'dense', dataShape: [2] }, 'gan')['selfConditioning']).toBe(false);
    const { x } = blobs([4, 4, 4]);
    const gan = GAN(config({ selfConditioning: { clusters: 13 } }));
    const before = tf.memory().numTensors;
    await expect(gan.fit(x, { epochs: 1, verbose: 0 })).rejects.toThrow(InputError);
    await expect(gan.fit(x, { epochs: 1, verbose: 0 })).rejects.toThrow(/x.*at least 13 examples/);
    expect(gan.clusterSizes).toBeUndefined();
    expect(() => gan.discriminate(x)).toThrow(/discriminate\.labels.*before its first fit/);
    // Before the first fit, samples draw their clusters uniformly.
    const s = gan.sample(4, { seed: 1 });
    s.dispose();
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    const ok = GAN(config());
    await expect(ok.fit(x, { epochs: 1, verbose: 0, labels: [0, 1, 2] })).rejects.toThrow(/fit\.labels.*self-conditioned GAN labels each example with its cluster/);
    await expect(ok.fit(x, { epochs: 1, verbose: 0, validationData: { x, labels: [0] } })).rejects.toThrow(/fit\.validationData.*examples alone/);
    expect(ok.clusterSizes).toBeUndefined(); // a fit that failed before training keeps no clusters
    expect(() => ok.sample(2, { labels: 3 })).toThrow(/sample\.labels/);
    ok.dispose();
    x.dispose();
  });
});
