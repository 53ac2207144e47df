/**
 * `vae.nll`: the importance-sampled negative log-likelihood, on cpu and on wasm.
 * - On a linear-Gaussian VAE whose encoder is the exact posterior (built analytically), every importance
 *   weight equals p(x), so the estimate must equal the closed-form -log N(x; b, W W^T + sigma^2 I) for any
 *   number of samples.
 * - On a small VAE trained on binarized digits: at most the negative ELBO, and smaller with more samples.
 */
import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/useBackend.js';
import { ConfigError } from '../../../src/core/errors.js';
import { VAE, type VariationalAutoencoder } from '../../../src/index.js';
import { orthonormalColumns, symmetricEigen } from '../../helpers/linalg.js';
import { mnistDigits } from '../../helpers/mnist.js';

const D = 6;
const LATENT = 3;
const SCALES = [2, 1, 0.5]; // column norms of W: W^T W = diag(SCALES^2), so the exact posterior is diagonal

interface LinearGaussian {
  /** D x LATENT, row-major. */
  w: Float64Array;
  b: Float64Array;
  variance: number;
}

function linearGaussian(variance: number): LinearGaussian {
  const rng = seedrandom('linear-gaussian');
  const q = orthonormalColumns(Float64Array.from({ length: D * LATENT }, () => rng() * 2 - 1), D, LATENT);
  const w = new Float64Array(D * LATENT);
  for (let r = 0; r < D; r++) for (let j = 0; j < LATENT; j++) w[r * LATENT + j] = q[r * LATENT + j]! * SCALES[j]!;
  return { w, b: Float64Array.from({ length: D }, () => rng() * 2 - 1), variance };
}

/** Data drawn from the model: x = W z + b + sigma * e. */
function sampleData(m: LinearGaussian, n: number): Float32Array {
  const rng = seedrandom('data');
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const x = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: LATENT }, normal);
    for (let r = 0; r < D; r++) {
      let v = m.b[r]! + Math.sqrt(m.variance) * normal();
      for (let j = 0; j < LATENT; j++) v += m.w[r * LATENT + j]! * z[j]!;
      x[i * D + r] = v;
    }
  }
  return x;
}

/** -log N(x; b, W W^T + sigma^2 I) per row, from the eigen-decomposition of the covariance. */
function closedFormNll(m: LinearGaussian, x: Float32Array): number[] {
  const c = new Float64Array(D * D);
  for (let r = 0; r < D; r++) {
    for (let s = 0; s < D; s++) {
      let v = r === s ? m.variance : 0;
      for (let j = 0; j < LATENT; j++) v += m.w[r * LATENT + j]! * m.w[s * LATENT + j]!;
      c[r * D + s] = v;
    }
  }
  const { values, vectors } = symmetricEigen(c, D);
  const logDet = values.reduce((a, l) => a + Math.log(l), 0);
  const out: number[] = [];
  for (let i = 0; i < x.length / D; i++) {
    let quad = 0;
    for (let k = 0; k < D; k++) {
      let proj = 0;
      for (let r = 0; r < D; r++) proj += vectors[r * D + k]! * (x[i * D + r]! - m.b[r]!);
      quad += (proj * proj) / values[k]!;
    }
    out.push(0.5 * (quad + logDet + D * Math.log(2 * Math.PI)));
  }
  return out;
}

/**
 * A latentkit VAE (no hidden layers, linear Gaussian decoder) holding the model and its exact posterior:
 * q(z|x) = N(M^-1 W^T (x - b), sigma^2 M^-1) with M = W^T W + sigma^2 I = diag(s_j^2 + sigma^2).
 */
function exactVae(m: LinearGaussian, learned: boolean): VariationalAutoencoder {
  const vae = VAE({
    architecture: 'dense', inputShape: [D], hiddenUnits: [], latentDim: LATENT, likelihood: 'gaussian',
    gaussianVariance: learned ? 'learned' : 'unit', outputActivation: 'linear', seed: 1,
  });
  const precision = SCALES.map((s) => s * s + m.variance);
  const meanKernel = new Float32Array(D * LATENT); // [in, out]: mean = x K + c
  const meanBias = new Float32Array(LATENT);
  for (let j = 0; j < LATENT; j++) {
    let c = 0;
    for (let r = 0; r < D; r++) {
      const k = m.w[r * LATENT + j]! / precision[j]!;
      meanKernel[r * LATENT + j] = k;
      c -= k * m.b[r]!;
    }
    meanBias[j] = c;
  }
  const decoderKernel = new Float32Array(LATENT * D); // [in, out] = W^T
  for (let j = 0; j < LATENT; j++) for (let r = 0; r < D; r++) decoderKernel[j * D + r] = m.w[r * LATENT + j]!;
  const set = (layer: string, values: tf.Tensor[]) => {
    vae.model.getLayer(layer).setWeights(values);
    tf.dispose(values);
  };
  set('mean', [tf.tensor2d(meanKernel, [D, LATENT]), tf.tensor1d(meanBias)]);
  set('logVar', [tf.zeros([D, LATENT]), tf.tensor1d(precision.map((p) => Math.log(m.variance / p)))]);
  set('reconstruction', [tf.tensor2d(decoderKernel, [LATENT, D]), tf.tensor1d(Float32Array.from(m.b))]);
  if (learned) set('output_log_variance', [tf.tensor1d([Math.log(m.variance)])]);
  return vae;
}

describe.each(['cpu', 'wasm'] as const)('vae.nll on %s', (backend) => {
  let digits: tf.Tensor2D;
  let trained: VariationalAutoencoder;

  beforeAll(async () => {
    await useBackend(backend);
    // 100 digits binarized by a seeded Bernoulli draw of their grey levels, a small VAE, a few epochs.
    const d = mnistDigits(10, 0);
    const rng = seedrandom('binarize');
    digits = tf.tensor2d(d.pixels.map((p) => (rng() < p ? 1 : 0)), [d.n, 784]);
    trained = VAE({ architecture: 'dense', inputShape: [784], hiddenUnits: [64], latentDim: 8, seed: 3 });
    await trained.fit(digits, { epochs: 30, batchSize: 20, learningRate: 3e-3, verbose: 0, seed: 4 });
  });

  afterAll(() => {
    trained.dispose();
    digits.dispose();
  });

  it.each([
    ['unit variance', 1, false],
    ['learned variance 0.3', 0.3, true],
  ] as const)('equals the closed-form -log p(x) of a linear-Gaussian VAE with its exact posterior (%s)', (_, variance, learned) => {
    const m = linearGaussian(variance);
    const pixels = sampleData(m, 40);
    const expected = closedFormNll(m, pixels);
    const vae = exactVae(m, learned);
    const x = tf.tensor2d(pixels, [40, D]);
    for (const samples of [1, 7, 50]) {
      const { perExample, mean, samples: k } = vae.nll(x, { samples, seed: 5, batchSize: 16 });
      expect(k).toBe(samples);
      perExample.forEach((v, i) => expect(Math.abs(v - expected[i]!), `example ${i}, ${samples} samples`).toBeLessThan(2e-4 * Math.max(1, Math.abs(expected[i]!))));
      expect(mean).toBeCloseTo(expected.reduce((a, b) => a + b, 0) / expected.length, 3);
    }
    // The ELBO of the exact posterior is the log-likelihood too (its gap, the KL to the true posterior, is 0).
    const elbo = vae.elbo(x, { samples: 200, seed: 6 }).mean;
    expect(Math.abs(-elbo - expected.reduce((a, b) => a + b, 0) / 40)).toBeLessThan(0.05);
    x.dispose();
    vae.dispose();
  });

  it('is at most the negative ELBO, and tightens as samples grows', () => {
    const elbo = trained.elbo(digits, { samples: 20, seed: 7 });
    const negElbo = -elbo.mean;
    const nll = (samples: number) => trained.nll(digits, { samples, seed: 8 });
    const one = nll(1);
    const ten = nll(10);
    const forty = nll(40);
    // One sample estimates the negative ELBO itself (with a sampled instead of a closed-form KL).
    expect(Math.abs(one.mean - negElbo)).toBeLessThan(0.03 * negElbo);
    expect(forty.mean).toBeLessThan(negElbo);
    expect(ten.mean).toBeLessThan(one.mean);
    expect(forty.mean).toBeLessThan(ten.mean);
    // Example by example too, allowing for the noise of the two estimates.
    const below = forty.perExample.filter((v, i) => v <= -elbo.perExample[i]!).length;
    expect(below).toBeGreaterThanOrEqual(0.95 * forty.perExample.length);
    // In nats per binarized digit, on the scale of the literature (an undertrained model: above 90).
    expect(forty.mean).toBeGreaterThan(90);
    expect(forty.mean).toBeLessThan(400);
  });

  it('is reproducible from its seed, leaks nothing and leaves the input alone', () => {
    const before = tf.memory().numTensors;
    const a = trained.nll(digits, { samples: 5, seed: 11, batchSize: 64 });
    const b = trained.nll(digits, { samples: 5, seed: 11, batchSize: 64 });
    const c = trained.nll(digits, { samples: 5, seed: 12, batchSize: 64 });
    expect(tf.memory().numTensors).toBe(before);
    expect(digits.isDisposed).toBe(false);
    expect(Array.from(a.perExample)).toEqual(Array.from(b.perExample));
    expect(Array.from(a.perExample)).not.toEqual(Array.from(c.perExample));
    expect(a.perExample.every(Number.isFinite)).toBe(true);
    // Without a seed: the config's, so that two calls agree.
    expect(trained.nll(digits, { samples: 2 }).mean).toBe(trained.nll(digits, { samples: 2 }).mean);
  });

  it('accepts arrays and image-shaped models, and checks its options', () => {
    const conv = VAE({ architecture: 'conv', inputShape: [8, 8, 1], filters: [4], latentDim: 2, seed: 2 });
    const images = tf.tidy(() => tf.cast(tf.greater(tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 1), 0.5), 'float32'));
    const r = conv.nll(images, { samples: 3 });
    expect(r.perExample).toHaveLength(5);
    expect(r.mean).toBeGreaterThan(0);
    const fromArray = trained.nll(digits.arraySync().slice(0, 3), { samples: 2, seed: 1 });
    expect(fromArray.perExample).toHaveLength(3);
    expect(() => trained.nll(digits, { samples: 0 })).toThrow(ConfigError);
    expect(() => trained.nll(digits, { samples: 0 })).toThrow(/nll.samples = 0/);
    expect(() => trained.nll(digits, { batchSize: 1.5 })).toThrow(/nll.batchSize = 1.5/);
    expect(() => trained.nll(digits, { seed: -1 })).toThrow(/nll.seed = -1/);
    const wrong = tf.zeros([2, 5]);
    expect(() => trained.nll(wrong)).toThrow(/x = tensor of shape \[2, 5\]/);
    tf.dispose([wrong, images]);
    conv.dispose();
  });
});
