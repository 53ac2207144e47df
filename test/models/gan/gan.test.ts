/**
 * The GAN builder and its training controls, on small synthetic data (wasm backend): the update ratio,
 * WGAN-GP, conditional sampling, tensor hygiene, determinism, the balance monitor and config errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConfigError, InputError, useBackend } from '../../../src/index.js';
import { GAN, ganBalanceMonitor, type GANConfig, type GenerativeAdversarialNetwork, type GANImbalance } from '../../../src/index.js';
import { ringOfGaussians } from '../../../src/index.js';

beforeAll(async () => {
  await useBackend('wasm');
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A small dense GAN for 2-D points. */
const small = (extra: Partial<GANConfig> = {}) =>
  GAN({ dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [16], outputActivation: 'linear', seed: 5, ...extra });

const points = (n: number, seed = 1) => ringOfGaussians({ n, seed, stddev: 0.05 }).x;

function weightsOf(gan: GenerativeAdversarialNetwork): Float32Array[] {
  return [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((w) => Float32Array.from(w.dataSync()));
}

describe('the course dense GAN, from the defaults', () => {
  it('has D: embedding (tanh, 32) -> sigmoid, G: 256 tanh -> 256 tanh -> tanh, z of 256', () => {
    const gan = GAN({ dataShape: [6], seed: 1 });
    expect(gan.kind).toBe('gan');
    expect(gan.config).toMatchObject({ architecture: 'dense', zDim: 256, generatorUnits: [256, 256], discriminatorUnits: [32], loss: 'nonSaturating' });
    const emb = gan.discriminator.getLayer('embedding');
    expect(emb.getConfig()).toMatchObject({ units: 32, activation: 'tanh' });
    expect(gan.discriminator.getLayer('probability').getConfig()).toMatchObject({ activation: 'sigmoid' });
    expect(gan.generator.inputs[0]!.shape).toEqual([null, 256]);
    expect(gan.generator.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.getConfig()['units'])).toEqual([256, 256, 6]);
    expect(gan.generator.getLayer('output').getConfig()).toMatchObject({ activation: 'tanh' });
    const x = tf.randomUniform([5, 6], -1, 1, 'float32', 2);
    const p = gan.discriminate(x);
    const e = gan.embed(x);
    expect(p.shape).toEqual([5, 1]);
    expect(e.shape).toEqual([5, 32]);
    const pv = p.dataSync();
    expect(Array.from(pv).every((v) => v > 0 && v < 1)).toBe(true);
    tf.dispose([x, p, e]);
    gan.dispose();
  });

  it('wgan-gp gives the critic a linear score output', () => {
    const gan = GAN({ dataShape: [6], loss: 'wgan-gp', seed: 1 });
    expect(gan.discriminator.getLayer('score').getConfig()).toMatchObject({ activation: 'linear', units: 1 });
    expect(gan.discriminator.layers.some((l) => l.name === 'probability')).toBe(false);
    gan.dispose();
  });
});

describe('update ratio', () => {
  it('gStepsPerD: 2 makes two generator updates per discriminator update', async () => {
    const x = points(64);
    const gan = small();
    const h = await gan.fit(x, { epochs: 2, batchSize: 16, gStepsPerD: 2, verbose: 0, balanceMonitor: false });
    expect(gan.updates).toEqual({ discriminator: 8, generator: 16 });
    // Update counts are summed over an epoch's 4 batches (not averaged): the epoch's updates.
    expect(h['dUpdates']).toEqual([4, 4]);
    expect(h['gUpdates']).toEqual([8, 8]);
    gan.dispose();
    x.dispose();
  });

  it('defaults by architecture and loss: dcgan batches of 16 with 2 generator updates each; dense and critics 32 and 1', async () => {
    const images = tf.randomUniform([48, 8, 8, 1], -1, 1, 'float32', 3);
    const dcgan = (extra: Partial<GANConfig> = {}) =>
      GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2, ...extra });
    const plain = dcgan();
    await plain.fit(images, { epochs: 1, verbose: 0, balanceMonitor: false });
    expect(plain.updates).toEqual({ discriminator: 3, generator: 6 });
    // Either default can be set on its own.
    const set = dcgan();
    await set.fit(images, { epochs: 1, batchSize: 24, verbose: 0, balanceMonitor: false });
    expect(set.updates).toEqual({ discriminator: 2, generator: 4 });
    const critic = dcgan({ loss: 'wgan-gp' });
    await critic.fit(images, { epochs: 1, dStepsPerG: 1, verbose: 0, balanceMonitor: false });
    expect(critic.updates).toEqual({ discriminator: 2, generator: 2 });
    const x = points(64);
    const dense = small();
    await dense.fit(x, { epochs: 1, verbose: 0, balanceMonitor: false });
    expect(dense.updates).toEqual({ discriminator: 2, generator: 2 });
    [plain, set, critic, dense].forEach((g) => g.dispose());
    tf.dispose([images, x]);
  });

  it('dStepsPerG: 3 makes one generator update every third batch', async () => {
    const x = points(96);
    const gan = small();
    const lines: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    const h = await gan.fit(x, { epochs: 1, batchSize: 16, dStepsPerG: 3, verbose: 2, balanceMonitor: false });
    log.mockRestore();
    expect(gan.updates).toEqual({ discriminator: 6, generator: 2 });
    expect([h.dUpdates, h.gUpdates]).toEqual([[6], [2]]);
    // The progress line prints the counts as integers.
    expect(lines.join('\n')).toMatch(/dUpdates 6 - gUpdates 2/);
    gan.dispose();
    x.dispose();
  });
});

describe('wgan-gp', () => {
  it('trains with a finite critic loss and gradient penalty (second-order gradients through the critic)', async () => {
    const x = points(128);
    const gan = small({ loss: 'wgan-gp', discriminatorActivation: 'leakyRelu' });
    const h = await gan.fit(x, { epochs: 3, batchSize: 32, verbose: 0, balanceMonitor: false });
    for (const k of ['dLoss', 'gLoss', 'gradientPenalty', 'wassersteinEstimate']) {
      expect(h[k], k).toHaveLength(3);
      expect(h[k]!.every(Number.isFinite), k).toBe(true);
    }
    // dStepsPerG defaults to 5 for wgan-gp: 12 critic updates, 2 generator updates.
    expect(gan.updates).toEqual({ discriminator: 12, generator: 2 });
    // The penalty is trained down from its initial value.
    expect(h['gradientPenalty']!.at(-1)!).toBeLessThan(h['gradientPenalty']![0]!);
    gan.dispose();
    x.dispose();
  });

  it('the penalty term moves the critic weights (its second-order gradient is not silently zero)', async () => {
    // With gradientPenalty 0 and with 10, the same seed: the critic's weights must differ after one step.
    const x = points(32);
    const runs: Float32Array[][] = [];
    for (const gradientPenalty of [0, 10]) {
      const gan = small({ loss: 'wgan-gp', gradientPenalty, discriminatorActivation: 'tanh' });
      await gan.fit(x, { epochs: 1, batchSize: 32, verbose: 0, seed: 3, balanceMonitor: false });
      runs.push(gan.discriminator.getWeights().map((w) => Float32Array.from(w.dataSync())));
      gan.dispose();
    }
    const differs = runs[0]!.map((w, i) => w.some((v, j) => v !== runs[1]![i]![j]));
    // Every weight of the critic but the output bias (which does not change dD/dx) feels the penalty.
    expect(differs).toEqual([true, true, true, false]);
    x.dispose();
  });
});

describe('conditional GAN', () => {
  it('samples, discriminates and embeds with the requested labels', async () => {
    const ring = ringOfGaussians({ n: 64, seed: 2, modes: 4, stddev: 0.05 });
    const gan = GAN({ dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [8], outputActivation: 'linear', numClasses: 4, seed: 9 });
    await gan.fit(ring.x, { labels: ring.mode, epochs: 1, batchSize: 16, verbose: 0, balanceMonitor: false });
    const s1 = gan.sample(10, { labels: 3, seed: 1 });
    const s2 = gan.sample(4, { labels: [0, 1, 2, 3], seed: 1 });
    const s3 = gan.sample(3, { labels: tf.tensor1d([2, 2, 1], 'int32'), seed: 1 });
    expect(s1.shape).toEqual([10, 2]);
    expect(s2.shape).toEqual([4, 2]);
    expect(s3.shape).toEqual([3, 2]);
    // The label changes the sample for the same z.
    const a = gan.sample(1, { labels: 0, seed: 7 });
    const b = gan.sample(1, { labels: 1, seed: 7 });
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
    const d = gan.discriminate(ring.x, { labels: ring.mode });
    const e = gan.embed(ring.x, { labels: ring.mode });
    expect(d.shape).toEqual([64, 1]);
    expect(e.shape).toEqual([64, 8]);
    expect(gan.generator.inputs.map((i) => i.shape)).toEqual([[null, 4], [null, 4]]);
    tf.dispose([s1, s2, s3, d, e]);
    gan.dispose();
    ring.x.dispose();
  });

  it('a conditional dcgan puts the label on z and, as channels, on the image', () => {
    const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 6, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, seed: 1 });
    const labels = [0, 1, 2, 0, 1];
    const s = gan.sample(5, { labels, seed: 2 });
    expect(s.shape).toEqual([5, 8, 8, 1]);
    const e = gan.embed(s, { labels });
    expect(e.shape).toEqual([5, 2 * 2 * 8]);
    expect(gan.discriminator.getLayer('x_and_label').outputShape).toEqual([null, 8, 8, 1 + 3]);
    // The label changes the discriminator's view of the same image.
    const d0 = gan.discriminate(s, { labels: 0 });
    const d2 = gan.discriminate(s, { labels: 2 });
    expect(Array.from(d0.dataSync())).not.toEqual(Array.from(d2.dataSync()));
    tf.dispose([s, e, d0, d2]);
    gan.dispose();
  });
});

describe('tensor hygiene', () => {
  it('leaves no tensor behind across 100 steps of fit, and in sample, discriminate and embed', async () => {
    const start = tf.memory().numTensors;
    const ring = ringOfGaussians({ n: 1000, seed: 4, modes: 4, stddev: 0.05 });
    const labels = Array.from(ring.mode);
    const gan = GAN({ dataShape: [2], zDim: 4, generatorUnits: [16], discriminatorUnits: [8], outputActivation: 'linear', numClasses: 4, seed: 3 });
    const before = tf.memory().numTensors;
    // 800 training rows at batch 16 = 50 steps per epoch, 2 epochs: 100 steps, every control switched on.
    await gan.fit(ring.x, {
      labels,
      epochs: 2,
      batchSize: 16,
      validationSplit: 0.2,
      gStepsPerD: 2,
      labelSmoothing: 0.1,
      instanceNoise: { stddev: 0.1, anneal: true },
      verbose: 0,
    });
    expect(gan.updates.discriminator).toBe(100);
    expect(tf.memory().numTensors).toBe(before);
    const s = gan.sample(50, { labels: 1 });
    const d = gan.discriminate(s, { labels: 1 });
    const e = gan.embed(s, { labels: 1 });
    tf.dispose([s, d, e]);
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    ring.x.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('SGD with momentum for D and G leaves no tensor behind (tfjs leaks one scalar per momentum optimizer)', async () => {
    const x = tf.randomNormal([64, 2], 0, 1, 'float32', 2);
    const gan = GAN({ dataShape: [2], zDim: 4, generatorUnits: [8], discriminatorUnits: [8], seed: 5 });
    const before = tf.memory().numTensors;
    await gan.fit(x, {
      epochs: 1,
      batchSize: 16,
      dOptimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.9 },
      gOptimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.9 },
      verbose: 0,
    });
    expect(tf.memory().numTensors).toBe(before);
    gan.dispose();
    x.dispose();
  });

  it('wgan-gp dcgan steps leave no tensor behind', async () => {
    const x = tf.randomUniform([32, 8, 8, 1], -1, 1, 'float32', 1);
    const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 6, generatorFilters: [8, 4], discriminatorFilters: [4, 8], loss: 'wgan-gp', seed: 1 });
    const before = tf.memory().numTensors;
    const h = await gan.fit(x, { epochs: 1, batchSize: 8, dStepsPerG: 2, verbose: 0, balanceMonitor: false });
    expect(tf.memory().numTensors).toBe(before);
    expect(h['dLoss']!.every(Number.isFinite)).toBe(true);
    gan.dispose();
    x.dispose();
  });
});

describe('one seed', () => {
  it('gives the same losses and weights bit for bit, twice', async () => {
    const x = points(128);
    const runs: { h: unknown; w: Float32Array[]; s: number[] }[] = [];
    for (let i = 0; i < 2; i++) {
      const gan = small({ seed: 11 });
      const h = await gan.fit(x, { epochs: 2, batchSize: 32, instanceNoise: 0.05, verbose: 0, balanceMonitor: false });
      const s = gan.sample(8, { seed: 4 });
      runs.push({ h, w: weightsOf(gan), s: Array.from(s.dataSync()) });
      s.dispose();
      gan.dispose();
    }
    expect(runs[1]!.h).toEqual(runs[0]!.h);
    expect(runs[1]!.w).toEqual(runs[0]!.w);
    expect(runs[1]!.s).toEqual(runs[0]!.s);
    x.dispose();
  });

  it('different fit seeds give different runs', async () => {
    const x = points(64);
    const losses: (number[] | undefined)[] = [];
    for (const seed of [1, 2]) {
      const gan = small({ seed: 11 });
      losses.push((await gan.fit(x, { epochs: 1, batchSize: 32, seed, verbose: 0, balanceMonitor: false }))['gLoss']);
      gan.dispose();
    }
    expect(losses[0]).not.toEqual(losses[1]);
    x.dispose();
  });
});

describe('balance monitor', () => {
  const epochLogs = (acc: number, gLoss: number) => ({ dAccuracyReal: acc, dAccuracyFake: acc, gLoss, dLoss: 0.1 });
  const control = {} as never;

  it('warns once when D accuracy stays near 1 while G loss rises for `patience` epochs, naming the knobs', () => {
    const seen: { message: string; details: GANImbalance }[] = [];
    const cb = ganBalanceMonitor({ patience: 3, onWarning: (message, details) => seen.push({ message, details }) });
    cb.onTrainBegin!({}, control);
    [epochLogs(0.7, 1), epochLogs(0.99, 2), epochLogs(0.98, 2.5), epochLogs(0.99, 3), epochLogs(1, 4)].forEach((l, e) => cb.onEpochEnd!(e, l, control));
    expect(seen).toHaveLength(1);
    expect(seen[0]!.details).toMatchObject({ epoch: 3, epochs: 3, gLossFrom: 2, gLossTo: 3 });
    for (const knob of ['dLearningRate', 'gStepsPerD', 'labelSmoothing', 'instanceNoise']) expect(seen[0]!.message).toContain(knob);
  });

  it('stays quiet while the generator keeps up, or when its loss falls', () => {
    const seen: string[] = [];
    const cb = ganBalanceMonitor({ patience: 3, onWarning: (m) => seen.push(m) });
    cb.onTrainBegin!({}, control);
    [epochLogs(0.6, 1), epochLogs(0.7, 2), epochLogs(0.65, 3), epochLogs(0.99, 3), epochLogs(0.99, 2.5), epochLogs(0.99, 2)].forEach((l, e) =>
      cb.onEpochEnd!(e, l, control),
    );
    expect(seen).toEqual([]);
  });

  it('is on by default in fit (console.warn), and off with balanceMonitor: false', async () => {
    const x = points(256);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // A discriminator that learns 1000x faster than the generator wins quickly.
    const opts = { epochs: 12, batchSize: 32, dLearningRate: 2e-2, gLearningRate: 1e-5, verbose: 0 as const };
    let gan = small({ discriminatorUnits: [32] });
    const h = await gan.fit(x, opts);
    gan.dispose();
    expect(h['dAccuracyReal']!.at(-1)).toBeGreaterThan(0.95);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/GAN imbalance.*gStepsPerD/);
    warn.mockClear();
    gan = small({ discriminatorUnits: [32] });
    await gan.fit(x, { ...opts, balanceMonitor: false });
    gan.dispose();
    expect(warn).not.toHaveBeenCalled();
    x.dispose();
  });
});

describe('errors name the parameter', () => {
  const configError = (fn: () => unknown, parameter: string) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err, parameter).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).parameter).toBe(parameter);
    expect((err as Error).message).toContain(parameter);
  };

  it('in the config', () => {
    configError(() => GAN({ dataShape: [2], zDim: 0 }), 'GAN.zDim');
    configError(() => GAN({ dataShape: [2], loss: 'hinge' as never }), 'GAN.loss');
    configError(() => GAN({ dataShape: [2], architecture: 'vanilla' as never }), 'GAN.architecture');
    configError(() => GAN({ dataShape: [2], ...({ kind: 'dcgan' } as object) }), 'GAN.kind');
    configError(() => GAN({ dataShape: [] }), 'GAN.dataShape');
    configError(() => GAN({ architecture: 'dcgan', dataShape: [784] }), 'GAN.dataShape');
    configError(() => GAN({ architecture: 'dcgan', dataShape: [30, 30, 1] }), 'GAN.dataShape');
    configError(() => GAN({ dataShape: [2], generatorFilters: [8] }), 'GAN.generatorFilters');
    configError(() => GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], discriminatorUnits: [8] }), 'GAN.discriminatorUnits');
    configError(() => GAN({ dataShape: [2], numClasses: 1 }), 'GAN.numClasses');
    configError(() => GAN({ dataShape: [2], activation: 'wobbly' as never }), 'GAN.activation');
    configError(() => GAN({ dataShape: [2], loss: 'wgan-gp', activation: 'elu' }), 'GAN.activation');
    configError(() => GAN({ dataShape: [2], loss: 'wgan-gp', discriminatorActivation: 'swish' }), 'GAN.discriminatorActivation');
    configError(() => GAN({ dataShape: [2], gradientPenalty: -1 }), 'GAN.gradientPenalty');
    configError(() => GAN({ dataShape: [2], seed: -3 }), 'GAN.seed');
  });

  it('in fit and sample', async () => {
    const x = points(16);
    const sgd = tf.train.sgd(0.1);
    const cond = GAN({ dataShape: [2], zDim: 2, generatorUnits: [4], discriminatorUnits: [4], numClasses: 3, seed: 1 });
    const plain = small();
    const wgan = small({ loss: 'wgan-gp' });
    const before = tf.memory().numTensors;
    const rejects = async (p: Promise<unknown>, parameter: string, type: typeof ConfigError | typeof InputError = ConfigError) => {
      const err = await p.catch((e: unknown) => e);
      expect(err, parameter).toBeInstanceOf(type);
      expect((err as ConfigError).parameter).toBe(parameter);
    };
    await rejects(cond.fit(x, { verbose: 0 }), 'fit.labels');
    await rejects(cond.fit(x, { labels: new Array(16).fill(3), verbose: 0 }), 'fit.labels', InputError);
    await rejects(cond.fit(x, { labels: [0, 1], verbose: 0 }), 'fit.labels', ConfigError);
    await rejects(plain.fit(x, { labels: new Array(16).fill(0), verbose: 0 }), 'fit.labels');
    await rejects(plain.fit(x, { dStepsPerG: 0, verbose: 0 }), 'fit.dStepsPerG');
    await rejects(plain.fit(x, { earlyStopping: true, verbose: 0 }), 'fit.earlyStopping');
    await rejects(plain.fit(x, { gStepsPerD: 1.5, verbose: 0 }), 'fit.gStepsPerD');
    await rejects(plain.fit(x, { labelSmoothing: 1, verbose: 0 }), 'fit.labelSmoothing');
    await rejects(plain.fit(x, { instanceNoise: -0.1, verbose: 0 }), 'fit.instanceNoise');
    await rejects(plain.fit(x, { dLearningRate: 0, verbose: 0 }), 'fit.dLearningRate');
    await rejects(plain.fit(x, { gOptimizer: 'nadam' as never, verbose: 0 }), 'fit.gOptimizer.name');
    await rejects(plain.fit(x, { gOptimizer: sgd, gLearningRate: 0.1, verbose: 0 }), 'fit.gLearningRate');
    await rejects(wgan.fit(x, { labelSmoothing: 0.1, verbose: 0 }), 'fit.labelSmoothing');
    configError(() => cond.sample(4), 'sample.labels');
    configError(() => plain.sample(4, { labels: 1 }), 'sample.labels');
    configError(() => plain.sample(0), 'sample.n');
    expect(() => cond.sample(2, { labels: [0, 1, 2] })).toThrow(InputError);
    expect(tf.memory().numTensors).toBe(before);
    [cond, plain, wgan].forEach((g) => g.dispose());
    sgd.dispose();
    x.dispose();
  });
});
