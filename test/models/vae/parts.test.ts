/**
 * The VAE's parts against independent computations: the closed-form KL against a Monte Carlo estimate,
 * the stable Bernoulli NLL against the naive formula, the Gaussian NLL's constant, the beta schedule,
 * free bits, the normal quantile function and the sampling layer (seeds, inference, serialisation).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import seedrandom from 'seedrandom';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../../src/backend/useBackend.js';
import { ConfigError } from '../../../src/core/errors.js';
import { betaAt, gaussianKlPerDim, klObjective } from '../../../src/losses/kl.js';
import { GaussianSampling, OutputLogVariance } from '../../../src/layers/sampling.js';
import { bernoulliNll, gaussianNll } from '../../../src/losses/likelihood.js';
import { normalQuantile, normalQuantiles } from '../../../src/models/vae/normal.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('KL term', () => {
  it('matches a Monte Carlo estimate of E_q[log q(z) - log p(z)]', () => {
    const mean = [0.7, -1.2, 0];
    const logVar = [-0.5, 0.8, 0];
    const closed = values(gaussianKlPerDim(tf.tensor2d([mean]), tf.tensor2d([logVar])));
    const rng = seedrandom('kl');
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
    const n = 200_000;
    mean.forEach((m, d) => {
      const s = Math.exp(0.5 * logVar[d]!);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const e = gauss();
        const z = m + s * e;
        sum += -0.5 * e * e - Math.log(s) + 0.5 * z * z; // log q(z) - log p(z); the 2 pi terms cancel
      }
      expect(closed[d]!).toBeCloseTo(sum / n, 2);
    });
    expect(closed[2]).toBe(0);
  });

  it('is never negative, even for extreme parameters', () => {
    const mean = tf.tensor2d([[0, 1e-4, -30, 5], [0, 0, 0, 1e-3]]);
    const logVar = tf.tensor2d([[1e-6, -1e-6, 20, -20], [-40, 15, 1e-7, 0]]);
    for (const v of values(gaussianKlPerDim(mean, logVar))) expect(v).toBeGreaterThanOrEqual(0);
  });

  it('free bits clamp each dimension of the batch-mean KL from below; 0 gives the plain KL', () => {
    const perDim = tf.tensor2d([[0.1, 2, 0], [0.3, 4, 0]]);
    expect(klObjective(perDim, 0).dataSync()[0]).toBeCloseTo(3.2, 5);
    expect(klObjective(perDim, 0.5).dataSync()[0]).toBeCloseTo(0.5 + 3 + 0.5, 5);
  });

  it('beta ramps linearly from 0 over klWarmupEpochs', () => {
    expect([0, 1, 2, 3, 4, 9].map((e) => betaAt(e, { beta: 2, klWarmupEpochs: 4 }))).toEqual([0, 0.5, 1, 1.5, 2, 2]);
    expect(betaAt(0, { beta: 3, klWarmupEpochs: 0 })).toBe(3);
  });
});

describe('likelihoods', () => {
  it('Bernoulli NLL with logits equals the naive binary cross-entropy, summed per example', () => {
    const logits = [[-3, 0.5, 2], [0, -0.2, 4]];
    const x = [[0, 1, 0.3], [1, 0, 1]];
    const naive = logits.map((row, i) =>
      row.reduce((s, l, j) => {
        const p = 1 / (1 + Math.exp(-l));
        const t = x[i]![j]!;
        return s - (t * Math.log(p) + (1 - t) * Math.log(1 - p));
      }, 0),
    );
    const got = values(bernoulliNll(tf.tensor2d(x), tf.tensor2d(logits)));
    got.forEach((v, i) => expect(v).toBeCloseTo(naive[i]!, 4));
  });

  it('Bernoulli NLL stays finite and exact for saturated logits', () => {
    const got = values(bernoulliNll(tf.tensor2d([[1, 0, 1, 0]]), tf.tensor2d([[-100, 100, 100, -100]])));
    expect(got[0]).toBeCloseTo(200, 3);
    const grads = tf.grad((l: tf.Tensor) => tf.sum(bernoulliNll(tf.tensor2d([[1, 0]]), l)))(tf.tensor2d([[-100, 100]]));
    // d/dl = sigmoid(l) - x: -1 and 1, finite.
    expect(values(grads)).toEqual([-1, 1]);
  });

  it('Gaussian NLL includes the 0.5 log(2 pi) constant per value and uses the given log-variance', () => {
    const x = tf.tensor2d([[0, 1]]);
    const m = tf.tensor2d([[0, 0]]);
    expect(gaussianNll(x, m).dataSync()[0]).toBeCloseTo(0.5 + Math.log(2 * Math.PI), 5);
    const lv = Math.log(0.25);
    expect(gaussianNll(x, m, tf.scalar(lv)).dataSync()[0]).toBeCloseTo(0.5 * (1 / 0.25 + 2 * lv + 2 * Math.log(2 * Math.PI)), 5);
  });
});

describe('normal quantiles', () => {
  it('inverts the standard normal CDF', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.05)).toBeCloseTo(-1.644853627, 8);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424309, 6);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306, 7);
    expect(normalQuantile(0)).toBe(-Infinity);
    const q = normalQuantiles(20);
    expect(q).toHaveLength(20);
    expect(q[0]).toBeCloseTo(-1.959963985, 8);
    q.forEach((v, i) => expect(v).toBeCloseTo(-q[19 - i]!, 9));
    expect(() => normalQuantile(1.5)).toThrow(ConfigError);
  });
});

describe('sampling layer', () => {
  it('draws seeded noise in training, fresh at each call, and returns the mean at inference', () => {
    const mean = tf.tensor2d([[1, 2], [3, 4]]);
    const logVar = tf.zeros([2, 2]);
    const layer = new GaussianSampling({ seed: 5 });
    expect(values(layer.apply([mean, logVar]) as tf.Tensor)).toEqual([1, 2, 3, 4]);
    const a = values(layer.apply([mean, logVar], { training: true }) as tf.Tensor);
    const b = values(layer.apply([mean, logVar], { training: true }) as tf.Tensor);
    expect(a).not.toEqual(b);
    const again = new GaussianSampling({ seed: 5 });
    expect(values(again.apply([mean, logVar], { training: true }) as tf.Tensor)).toEqual(a);
    const seeded = (s: number) => values(layer.apply([mean, logVar], { training: true, seed: s }) as tf.Tensor);
    expect(seeded(9)).toEqual(seeded(9));
  });

  it('serialises through a saved model, with the output log-variance layer', async () => {
    const input = tfl.input({ shape: [2] });
    const mean = tfl.layers.dense({ units: 2, name: 'mean' }).apply(input) as tfl.SymbolicTensor;
    const logVar = tfl.layers.dense({ units: 2, name: 'logVar' }).apply(input) as tfl.SymbolicTensor;
    const z = new GaussianSampling({ seed: 3, name: 'z' }).apply([mean, logVar]) as tfl.SymbolicTensor;
    const out = new OutputLogVariance({ name: 'v', initialLogVariance: -1 }).apply(z) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    expect(loaded.getLayer('z').getConfig()['seed']).toBe(3);
    expect(loaded.getLayer('v').getWeights()[0]!.dataSync()[0]).toBe(-1);
    const x = tf.tensor2d([[0.3, -0.7]]);
    expect(values(loaded.predict(x) as tf.Tensor)).toEqual(values(model.predict(x) as tf.Tensor));
  });
});
