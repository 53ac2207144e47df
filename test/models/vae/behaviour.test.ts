/**
 * The VAE handle's behaviour on the cpu backend: shapes, determinism from seeds, tensor hygiene, errors.
 * Small models on a few real digits: these tests check contracts, not learning.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/useBackend.js';
import { ConfigError } from '../../../src/core/errors.js';
import { VAE, type VAEConfig } from '../../../src/index.js';
import { mnistDigits } from '../../helpers/mnist.js';

let x: tf.Tensor2D;
const small = (extra: Partial<VAEConfig> = {}) =>
  VAE({ architecture: 'dense', inputShape: [784], hiddenUnits: [32], latentDim: 3, seed: 9, ...extra } as VAEConfig);

beforeAll(async () => {
  await useBackend('cpu');
  const d = mnistDigits(20, 0);
  x = tf.tensor2d(d.pixels, [d.n, 784]);
});

afterAll(() => x.dispose());

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('VAE handle', () => {
  it('has the Autoencoder members, named layers and a config that rebuilds it', () => {
    const vae = small();
    expect(vae.kind).toBe('vae');
    expect(vae.config).toMatchObject({ architecture: 'dense', inputShape: [784], hiddenUnits: [32], latentDim: 3, likelihood: 'bernoulli', beta: 1, klWarmupEpochs: 0, freeBits: 0, seed: 9 });
    expect(vae.inputShape).toEqual([784]);
    expect(vae.codeShape).toEqual([3]);
    expect(vae.encoder.outputs.map((o) => o.sourceLayer.name)).toEqual(['mean', 'logVar']);
    expect(vae.model.getLayer('z').getClassName()).toBe('LatentkitGaussianSampling');
    expect(vae.summary()).toContain('mean');
    const again = VAE(JSON.parse(JSON.stringify(vae.config)));
    const same = vae.model.getWeights().every((w, i) => tf.tidy(() => tf.max(tf.abs(tf.sub(w, again.model.getWeights()[i]!))).dataSync()[0]) === 0);
    expect(same).toBe(true);
    again.dispose();
    vae.dispose();
  });

  it('encode, decode, reconstruct, sample, generate, elbo and latentTraversal have the documented shapes', () => {
    const vae = VAE({ inputShape: [28, 28, 1], hiddenUnits: [16], latentDim: 2, seed: 1 });
    const images = tf.reshape(x, [-1, 28, 28, 1]);
    const { mean, logVar, z } = vae.encode(images, { sample: true, seed: 4 });
    expect([mean.shape, logVar.shape, z!.shape]).toEqual([[200, 2], [200, 2], [200, 2]]);
    const decoded = vae.decode(mean);
    const reconstructed = vae.reconstruct(images);
    // reconstruct goes through the posterior mean.
    expect(values(reconstructed)).toEqual(values(decoded));
    expect(decoded.shape).toEqual([200, 28, 28, 1]);
    const lo = tf.min(decoded).dataSync()[0]!;
    const hi = tf.max(decoded).dataSync()[0]!;
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    const samples = vae.sample(5, { seed: 2 });
    expect(samples.shape).toEqual([5, 28, 28, 1]);
    const generated = vae.generate([[0, 0], [1, -1]]);
    expect(generated.shape).toEqual([2, 28, 28, 1]);
    const grid = vae.latentTraversal({ dims: [1], range: [-2, 2], steps: 4, base: [0.5, 0] });
    expect(grid.shape).toEqual([4, 28, 28, 1]);
    const report = vae.elbo(images);
    expect(report.perExample).toHaveLength(200);
    expect(report.mean).toBeCloseTo(-(report.reconstruction + report.kl), 3);
    expect(vae.encode(images).z).toBeUndefined();
    tf.dispose([images, mean, logVar, z!, decoded, reconstructed, samples, generated, grid]);
    vae.dispose();
  });

  it('latentTraversal varies one dimension per row from the base point', () => {
    const vae = small();
    const grid = vae.latentTraversal({ dims: [0, 2], range: [-1, 1], steps: 3, base: tf.tensor1d([0.1, 0.2, 0.3]) });
    const expected = vae.decode([[-1, 0.2, 0.3], [0, 0.2, 0.3], [1, 0.2, 0.3], [0.1, 0.2, -1], [0.1, 0.2, 0], [0.1, 0.2, 1]]);
    expect(values(grid)).toEqual(values(expected));
    tf.dispose([grid, expected]);
    vae.dispose();
  });

  it('samples, encodings and elbo are deterministic for a seed, and differ between seeds', () => {
    const a = small();
    const b = small();
    const sa = a.sample(6, { seed: 11 });
    const sb = b.sample(6, { seed: 11 });
    const sa2 = a.sample(6, { seed: 11 });
    const other = a.sample(6, { seed: 12 });
    expect(values(sa)).toEqual(values(sb));
    expect(values(sa)).toEqual(values(sa2));
    expect(values(sa)).not.toEqual(values(other));
    const ea = a.encode(x, { sample: true, seed: 3 });
    const eb = b.encode(x, { sample: true, seed: 3 });
    expect(values(ea.z!)).toEqual(values(eb.z!));
    // Default seeds come from each handle's stream: the same sequence for handles built with the same seed.
    const da = a.sample(2);
    const db = b.sample(2);
    expect(values(da)).toEqual(values(db));
    expect(Array.from(a.elbo(x).perExample)).toEqual(Array.from(a.elbo(x).perExample));
    expect(a.elbo(x, { seed: 1 }).mean).not.toBe(a.elbo(x, { seed: 2 }).mean);
    tf.dispose([sa, sb, sa2, other, ea.mean, ea.logVar, ea.z!, eb.mean, eb.logVar, eb.z!, da, db]);
    a.dispose();
    b.dispose();
  });

  it('training is reproducible from the seeds on one backend (cpu here)', async () => {
    const run = async () => {
      const vae = small();
      const h = await vae.fit(x, { epochs: 2, batchSize: 40, verbose: 0, seed: 77 });
      const s = vae.sample(3, { seed: 1 });
      const out = { loss: h['loss'], pixels: values(s) };
      s.dispose();
      vae.dispose();
      return out;
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.loss![1]!).toBeLessThan(first.loss![0]!);
  });

  it('free bits: the minimized KL term is at least freeBits nats per dimension, the logged KL is the true one', async () => {
    const vae = small({ freeBits: 2 });
    const h = await vae.fit(x, { epochs: 2, batchSize: 50, verbose: 0 });
    vae.dispose();
    for (let e = 0; e < 2; e++) {
      expect(h['loss']![e]! - h['reconstruction']![e]!).toBeGreaterThanOrEqual(3 * 2 - 1e-3);
      expect(h['kl']![e]!).toBeLessThan(h['loss']![e]! - h['reconstruction']![e]!);
    }
  });

  it('a Gaussian VAE with a learned variance trains that variance (a weight of the model)', async () => {
    const vae = small({ likelihood: 'gaussian', gaussianVariance: 'learned' });
    const layer = vae.model.getLayer('output_log_variance');
    expect(layer.trainableWeights).toHaveLength(1);
    const before = layer.getWeights()[0]!.dataSync()[0];
    const h = await vae.fit(x, { epochs: 2, batchSize: 20, verbose: 0, learningRate: 0.01 });
    const after = layer.getWeights()[0]!.dataSync()[0]!;
    vae.dispose();
    expect(before).toBe(0);
    // Pixels in [0, 1] are far tighter than unit variance: the learned log-variance goes down.
    expect(after).toBeLessThan(-0.05);
    expect(h['loss']![1]!).toBeLessThan(h['loss']![0]!);
  });

  it('leaks no tensor across 100 training steps (with validation), nor in any method', async () => {
    const vae = small({ klWarmupEpochs: 1, freeBits: 0.1 });
    const validation = tf.slice(x, 0, 10);
    const counts: number[] = [];
    const before = tf.memory().numTensors;
    await vae.fit(x, {
      epochs: 1,
      batchSize: 2,
      verbose: 0,
      validationData: validation,
      callbacks: { onBatchEnd: (b) => void (b % 10 === 9 && counts.push(tf.memory().numTensors)) },
    });
    // 200 examples in batches of 2: 100 steps; the count is flat from step 10 to step 100.
    expect(counts).toHaveLength(10);
    expect(new Set(counts).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    validation.dispose();
    const start = tf.memory().numTensors;
    const results = [
      vae.encode(x).mean,
      vae.sample(3, { seed: 1 }),
      vae.generate([[0, 0, 0]]),
      vae.latentTraversal({ steps: 3 }),
      vae.reconstruct(x),
      vae.decode([[1, 2, 3]]),
    ];
    vae.elbo(x, { samples: 2, batchSize: 64 });
    vae.evaluate(x);
    tf.dispose(results);
    const enc = vae.encode(x, { sample: true });
    tf.dispose([enc.mean, enc.logVar, enc.z!]);
    expect(tf.memory().numTensors).toBe(start + 1); // encode(x).logVar above was not disposed
    vae.dispose();
  });

  it('dispose frees every weight and makes the handle unusable', () => {
    const before = tf.memory().numTensors;
    const vae = VAE({ inputShape: [784], hiddenUnits: [8], latentDim: 2, likelihood: 'gaussian', gaussianVariance: 'learned', seed: 2 });
    vae.dispose();
    vae.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => vae.sample(1)).toThrow(/disposed/);
  });
});

describe('VAE errors name the parameter, the value and the expectation', () => {
  const cases: Array<[string, unknown, string]> = [
    ['missing latentDim', { inputShape: [784] }, 'VAE.latentDim'],
    ['zero latentDim', { inputShape: [784], latentDim: 0 }, 'VAE.latentDim'],
    ['unknown architecture', { architecture: 'rnn', inputShape: [784], latentDim: 2 }, 'VAE.architecture'],
    ['kind, renamed architecture', { kind: 'conv', inputShape: [784], latentDim: 2 }, 'VAE.kind'],
    ['unknown likelihood', { inputShape: [784], latentDim: 2, likelihood: 'poisson' }, 'VAE.likelihood'],
    ['negative beta', { inputShape: [784], latentDim: 2, beta: -1 }, 'VAE.beta'],
    ['fractional warm-up', { inputShape: [784], latentDim: 2, klWarmupEpochs: 1.5 }, 'VAE.klWarmupEpochs'],
    ['negative free bits', { inputShape: [784], latentDim: 2, freeBits: -0.5 }, 'VAE.freeBits'],
    ['bad seed', { inputShape: [784], latentDim: 2, seed: -3 }, 'VAE.seed'],
    ['no inputShape', { latentDim: 2 }, 'VAE.inputShape'],
    ['bad inputShape entry', { inputShape: [784, 0], latentDim: 2 }, 'VAE.inputShape[1]'],
    ['bad hidden units', { inputShape: [784], latentDim: 2, hiddenUnits: [64, -1] }, 'VAE.hiddenUnits[1]'],
    ['conv field on dense', { inputShape: [784], latentDim: 2, filters: [8] }, 'VAE.filters'],
    ['hiddenUnits on conv', { architecture: 'conv', inputShape: [28, 28, 1], latentDim: 2, hiddenUnits: [8] }, 'VAE.hiddenUnits'],
    ['conv 2-d input', { architecture: 'conv', inputShape: [28, 28], latentDim: 2 }, 'VAE.inputShape'],
    ['conv too small', { architecture: 'conv', inputShape: [4, 4, 1], filters: [8, 8, 8], kernelSize: 3, padding: 'valid', latentDim: 2 }, 'VAE.inputShape'],
    ['bernoulli with linear output', { inputShape: [784], latentDim: 2, outputActivation: 'linear' }, 'VAE.outputActivation'],
    ['bernoulli with learned variance', { inputShape: [784], latentDim: 2, gaussianVariance: 'learned' }, 'VAE.gaussianVariance'],
    ['unknown activation', { inputShape: [784], latentDim: 2, activation: 'sine' }, 'VAE.activation'],
  ];
  for (const [title, config, parameter] of cases) {
    it(title, () => {
      let error: unknown;
      try {
        VAE(config as VAEConfig);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).parameter).toBe(parameter);
      expect((error as Error).message).toMatch(/expected/);
    });
  }

  it('method arguments', () => {
    const vae = small();
    const param = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return [(e as ConfigError).constructor.name, (e as ConfigError).parameter];
      }
      return undefined;
    };
    expect(param(() => vae.sample(0))).toEqual(['ConfigError', 'sample.n']);
    expect(param(() => vae.sample(2, { seed: 1.5 }))).toEqual(['ConfigError', 'sample.seed']);
    expect(param(() => vae.encode(tf.zeros([2, 10])))).toEqual(['InputError', 'x']);
    expect(param(() => vae.encode(x, { sample: 'yes' as unknown as boolean }))).toEqual(['ConfigError', 'encode.sample']);
    expect(param(() => vae.generate([[0, 0]]))).toEqual(['InputError', 'z']);
    expect(param(() => vae.elbo(x, { samples: 0 }))).toEqual(['ConfigError', 'elbo.samples']);
    expect(param(() => vae.latentTraversal({ dims: [3] }))).toEqual(['ConfigError', 'latentTraversal.dims[0]']);
    expect(param(() => vae.latentTraversal({ range: [0, Infinity] }))).toEqual(['ConfigError', 'latentTraversal.range']);
    expect(param(() => vae.latentTraversal({ steps: 1 }))).toEqual(['ConfigError', 'latentTraversal.steps']);
    expect(param(() => vae.latentTraversal({ base: [0, 0] }))).toEqual(['InputError', 'latentTraversal.base']);
    expect(param(() => vae.latentTraversal({ base: [0, NaN, 0] }))).toEqual(['InputError', 'latentTraversal.base']);
    vae.dispose();
  });

  it('fit options are checked by the common loop', async () => {
    const vae = small();
    await expect(vae.fit(x, { epochs: 0, verbose: 0 })).rejects.toMatchObject({ parameter: 'fit.epochs' });
    const wrong = tf.zeros([3, 5]);
    await expect(vae.fit(x, { verbose: 0, validationData: wrong })).rejects.toMatchObject({ parameter: 'fit.validationData' });
    wrong.dispose();
    vae.dispose();
  });
});
