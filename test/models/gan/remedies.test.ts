/**
 * The mode-collapse remedies: the minibatch standard deviation layer (its statistic, groups, gradient,
 * serialisation) and the discriminator it changes; PacGAN packing (the discriminator's input, packs of
 * consecutive examples, batches that do not divide, conditional labels). On cpu and wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { GAN, InputError, modeCoverage, ringOfGaussians, useBackend, type GANConfig } from '../../../src/index.js';
import { RING_REMEDIES, ringFitOptions, ringGANConfig } from '../../../examples/shared/ringGAN.js';
import { MinibatchStddev, packExamples, packLabels } from '../../../src/advanced.js';

afterAll(async () => {
  await useBackend('cpu');
});

const small = (extra: Partial<GANConfig> = {}) =>
  GAN({ dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16, 8], outputActivation: 'linear', seed: 5, ...extra });

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  it('MinibatchStddev appends the mean over features of the standard deviation over each group', async () => {
    await useBackend(backend);
    const layer = new MinibatchStddev({ groupSize: 2 });
    // Group 1: two equal rows (no spread); group 2: rows that differ by 2 in both features (sd 1 each);
    // the fifth row is a group of its own (no spread).
    const x = tf.tensor2d([[1, 2], [1, 2], [0, 0], [2, 2], [5, 5]]);
    const before = tf.memory().numTensors;
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([5, 3]);
    const last = Array.from(tf.tidy(() => tf.slice(y, [0, 2], [5, 1]).dataSync()));
    [1e-4, 1e-4, 1, 1, 1e-4].forEach((v, i) => expect(last[i]!).toBeCloseTo(v, 4));
    expect(Array.from(tf.tidy(() => tf.slice(y, [0, 0], [5, 2]).dataSync()))).toEqual(Array.from(x.dataSync()));
    y.dispose();
    // Images: one more channel; the gradient flows through the statistic.
    const images = tf.randomNormal([4, 3, 3, 2], 0, 1, 'float32', 1);
    const out = new MinibatchStddev({ groupSize: 4 }).apply(images) as tf.Tensor;
    expect(out.shape).toEqual([4, 3, 3, 3]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.slice(new MinibatchStddev({ groupSize: 4 }).apply(t) as tf.Tensor, [0, 0, 0, 2], [4, 3, 3, 1])))(images);
    expect(tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([out, g, images]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    expect(layer.getConfig()).toMatchObject({ groupSize: 2 });
    expect(tf.serialization.SerializationMap.getMap().classNameMap['LatentkitMinibatchStddev']).toBeDefined();
    expect(() => new MinibatchStddev({ groupSize: 0 })).toThrow(/minibatchStddev\.groupSize/);
  });

  it('MinibatchStddev has a right second-order gradient (a gradient-penalty critic can use it)', async () => {
    await useBackend(backend);
    const x = tf.tensor2d([[0.3, -1.2, 0.5], [1.1, 0.2, -0.7], [-0.4, 0.9, 0.1], [0.8, -0.3, 1.4]]);
    const layer = new MinibatchStddev({ groupSize: 4 });
    // P(W) = sum over x of |dD/dx|^2 for D(x) = sum(softplus(mbstd(x) W)): a gradient penalty's shape.
    const penalty = (w: tf.Tensor) => {
      const dx = tf.grad((xi: tf.Tensor) => tf.sum(tf.softplus(tf.matMul(layer.apply(xi) as tf.Tensor, w))))(x);
      return tf.sum(tf.square(dx)) as tf.Scalar;
    };
    const w0 = [0.5, -0.3, 0.8, 0.2, -0.6, 0.4, 1.5, -1.1];
    const analytic = tf.tidy(() => Array.from(tf.grad(penalty)(tf.tensor2d(w0, [4, 2])).dataSync()));
    const h = 1e-2;
    w0.forEach((_, i) => {
      const at = (d: number) => tf.tidy(() => penalty(tf.tensor2d(w0.map((v, j) => (j === i ? v + d : v)), [4, 2])).dataSync()[0]!);
      const numeric = (at(h) - at(-h)) / (2 * h);
      expect(Math.abs(analytic[i]! - numeric), `dP/dW[${i}]: ${analytic[i]} vs ${numeric}`).toBeLessThan(2e-2 * Math.max(1, Math.abs(numeric)));
    });
    // The rows of W that read the statistic (the last row) matter: the statistic's own gradient is in there.
    expect(Math.abs(analytic[6]!) + Math.abs(analytic[7]!)).toBeGreaterThan(1e-3);
    x.dispose();
  });

  it('minibatchStddev puts the layer before the last hidden layer of the discriminator, which trains', async () => {
    await useBackend(backend);
    const dense = small({ minibatchStddev: true });
    expect(dense.config.minibatchStddev).toEqual({ groupSize: 4 });
    expect(dense.discriminator.getLayer('minibatch_stddev').outputShape).toEqual([null, 17]);
    expect(dense.discriminator.getLayer('embedding').getWeights()[0]!.shape).toEqual([17, 8]);
    const dcgan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], minibatchStddev: { groupSize: 2 }, seed: 1 });
    expect(dcgan.discriminator.getLayer('minibatch_stddev').outputShape).toEqual([null, 4, 4, 5]);
    expect(dcgan.discriminator.getLayer('discriminator_2_conv').getWeights()[0]!.shape).toEqual([4, 4, 5, 8]);
    const x = ringOfGaussians({ n: 64, seed: 1, stddev: 0.05 }).x;
    const images = tf.randomUniform([16, 8, 8, 1], -1, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    for (const [gan, data] of [[dense, x], [dcgan, images]] as const) {
      const w0 = gan.discriminator.getWeights().map((w) => Float32Array.from(w.dataSync()));
      const h = await gan.fit(data, { epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
      expect(h.dLoss.every(Number.isFinite)).toBe(true);
      expect(gan.discriminator.getWeights().some((w, i) => w.dataSync().some((v, j) => v !== w0[i]![j]))).toBe(true);
    }
    expect(tf.memory().numTensors).toBe(before);
    [dense, dcgan].forEach((g) => g.dispose());
    tf.dispose([x, images]);
  });

  it('packing makes the discriminator judge packs of consecutive examples', async () => {
    await useBackend(backend);
    const gan = small({ packing: 3 });
    expect(gan.discriminator.inputs[0]!.shape).toEqual([null, 6]);
    const x = ringOfGaussians({ n: 40, seed: 2, stddev: 0.05 }).x;
    const before = tf.memory().numTensors;
    const head = tf.slice(x, 0, 6);
    const p = gan.discriminate(head, { batchSize: 4 });
    expect(p.shape).toEqual([2, 1]);
    // The same as the discriminator's own verdict on the packed rows.
    const packedHead = tf.reshape(head, [2, 6]);
    const direct = gan.discriminator.predict(packedHead) as tf.Tensor;
    expect(Array.from(p.dataSync())).toEqual(Array.from(direct.dataSync()));
    const e = gan.embed(head);
    expect(e.shape).toEqual([2, 8]);
    tf.dispose([p, direct, head, packedHead, e]);
    expect(() => gan.discriminate([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]])).toThrow(InputError);
    // 40 examples in batches of 16: the last batch of 8 is filled to 9 rows (3 packs).
    const h = await gan.fit(x, { epochs: 2, batchSize: 16, verbose: 0, balanceMonitor: false });
    expect(gan.updates).toEqual({ discriminator: 6, generator: 6 });
    expect(h.dLoss.every(Number.isFinite)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    x.dispose();
  });

  it('learningRateDecay lowers both rates geometrically within one fit, and leaves your optimizer alone', async () => {
    await useBackend(backend);
    const x = ringOfGaussians({ n: 32, seed: 3, stddev: 0.05 }).x;
    const before = tf.memory().numTensors;
    // Plain SGD: an update is the rate times the gradient, so the decay shows in the size of the updates.
    const run = async (learningRateDecay: number) => {
      const gan = small();
      const moves: number[] = [];
      let last = gan.generator.getWeights().map((w) => Float32Array.from(w.dataSync()));
      const h = await gan.fit(x, {
        epochs: 3, batchSize: 32, verbose: 0, balanceMonitor: false, dOptimizer: 'sgd', gOptimizer: 'sgd', dLearningRate: 0.05, gLearningRate: 0.05, learningRateDecay,
        callbacks: { onEpochEnd() {
          const now = gan.generator.getWeights().map((w) => Float32Array.from(w.dataSync()));
          moves.push(now.reduce((sum, a, i) => sum + a.reduce((t, v, j) => t + Math.abs(v - last[i]![j]!), 0), 0));
          last = now;
        } },
      });
      gan.dispose();
      return { moves, dLoss: h.dLoss };
    };
    const constant = await run(1);
    const decayed = await run(0.01);
    // Epoch 0 runs at the full rate either way (same seed: the same first epoch, bit for bit).
    expect(decayed.dLoss[0]).toBe(constant.dLoss[0]);
    expect(decayed.moves[0]).toBe(constant.moves[0]);
    // Epoch 1 at a tenth of the rate, epoch 2 at a hundredth.
    expect(decayed.moves[1]! / constant.moves[1]!).toBeGreaterThan(0.05);
    expect(decayed.moves[1]! / constant.moves[1]!).toBeLessThan(0.2);
    expect(decayed.moves[2]! / constant.moves[2]!).toBeLessThan(0.02);
    expect(tf.memory().numTensors).toBe(before);
    // A tf.Optimizer of yours keeps its rate: the decay is refused rather than applied to it.
    const gan = small();
    const mine = tf.train.adam(1e-3);
    await expect(gan.fit(x, { epochs: 1, verbose: 0, dOptimizer: mine, learningRateDecay: 0.5 })).rejects.toThrow(/fit\.learningRateDecay = 0\.5: expected to be left out when fit\.dOptimizer is a tf\.Optimizer/);
    await expect(gan.fit(x, { epochs: 1, verbose: 0, learningRateDecay: 0 })).rejects.toThrow(/fit\.learningRateDecay/);
    mine.dispose();
    gan.dispose();
    x.dispose();
  });

  it('packs dcgan images on the channels, and a conditional GAN its labels beside them', async () => {
    await useBackend(backend);
    const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, packing: 2, seed: 6 });
    expect(gan.discriminator.inputs.map((i) => i.shape)).toEqual([[null, 8, 8, 2], [null, 6]]);
    expect(gan.discriminator.getLayer('x_and_label').outputShape).toEqual([null, 8, 8, 2 + 6]);
    const images = tf.randomUniform([6, 8, 8, 1], -1, 1, 'float32', 3);
    const labels = [0, 1, 2, 0, 1, 2];
    const before = tf.memory().numTensors;
    const h = await gan.fit(images, { labels, epochs: 1, batchSize: 4, verbose: 0, balanceMonitor: false });
    expect(h.dLoss.every(Number.isFinite)).toBe(true);
    const d = gan.discriminate(images, { labels });
    expect(d.shape).toEqual([3, 1]);
    d.dispose();
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    images.dispose();
  });
});

describe('the recommended ring setting (examples/shared/ringGAN.ts) at test size', () => {
  it('covers at least 7 of the 8 modes in one fit', async () => {
    await useBackend('wasm');
    // Test size: 1,600 points of standard deviation 0.1 (not 8,000 of 0.02), networks 64 wide (not 256),
    // 20 epochs (320 steps, not 6,400); the same remedies and the same schedule (rates decayed, noise annealed).
    const ring = ringOfGaussians({ modes: 8, radius: 2, stddev: 0.1, n: 1600, seed: 1 });
    const gan = GAN({
      ...ringGANConfig(4),
      zDim: 4,
      generatorUnits: [64, 64, 64],
      discriminatorUnits: [64, 64],
    });
    expect(gan.config).toMatchObject({ packing: RING_REMEDIES.packing, minibatchStddev: { groupSize: 4 } });
    const before = tf.memory().numTensors;
    await gan.fit(ring.x, ringFitOptions(20));
    const samples = gan.sample(1600, { seed: 99 });
    const c = modeCoverage(samples, ring.centers, { radius: 0.3, minCount: 10 });
    samples.dispose();
    expect(c.modesHit, `per mode: ${c.counts.join(' ')}`).toBeGreaterThanOrEqual(7);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    ring.x.dispose();
  });
});

describe('packExamples and packLabels', () => {
  it('pack consecutive examples: flattened one after the other, or stacked on the channels', async () => {
    await useBackend('cpu');
    const flat = tf.tensor2d([[1, 2], [3, 4], [5, 6], [7, 8]]);
    expect(Array.from(packExamples(flat, 2, 'dense').dataSync())).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(packExamples(flat, 2, 'dense').shape).toEqual([2, 4]);
    const images = tf.tensor4d([1, 2, 3, 4, 10, 20, 30, 40], [2, 2, 2, 1]);
    const packed = packExamples(images, 2, 'dcgan');
    expect(packed.shape).toEqual([1, 2, 2, 2]);
    // Each pixel holds the first example's value, then the second's.
    expect(Array.from(packed.dataSync())).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
    expect(packLabels(tf.eye(4), 2).shape).toEqual([2, 8]);
    expect(packExamples(flat, 1, 'dense')).toBe(flat);
    tf.dispose([flat, images, packed]);
    // The config refuses a packing that is not a positive integer.
    expect(() => GAN({ dataShape: [2], packing: 0 })).toThrow(/GAN\.packing/);
    expect(() => GAN({ dataShape: [2], minibatchStddev: { groupSize: 1 } })).toThrow(/GAN\.minibatchStddev\.groupSize/);
    expect(() => GAN({ dataShape: [2], minibatchStddev: 4 as never })).toThrow(/GAN\.minibatchStddev/);
  });
});
