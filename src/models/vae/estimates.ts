/**
 * What a trained VAE says about the likelihood of data, in nats per example: the ELBO (a lower bound on
 * `log p(x)`) and the importance-sampled estimate of `log p(x)` itself (Burda, Grosse & Salakhutdinov
 * 2016, "Importance Weighted Autoencoders", eq. 8), the figure VAE papers report as the test NLL.
 *
 * @example
 * ```ts
 * const { mean } = vae.nll(xTest, { samples: 200, seed: 1 }); // e.g. 89.8 nats on binarized MNIST
 * const elbo = vae.elbo(xTest).mean;                         // <= -mean
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '../../core/randomNormal.js';
import { is, optionsSchema } from '../../core/options.js';
import { SeedStream } from '../../core/seed.js';
import { BatchSource } from '../../train/batches.js';
import { PREDICT_BATCH } from '../base/handle.js';
import { reconstructionNll, vaeTerms, type VaeNetworks } from './task.js';

/**
 * Options of {@link VariationalAutoencoder.elbo}.
 * @category Models
 */
export interface ElboOptions {
  /** Seed of the posterior draws. Default: the config's `seed`, so that repeated calls agree exactly. */
  seed?: number;
  /** Draws of `z` per example averaged in the reconstruction term (the estimate stays a lower bound). Default 1. */
  samples?: number;
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}

/**
 * What {@link VariationalAutoencoder.elbo} returns, in nats per example.
 * @category Models
 */
export interface ElboReport {
  /** ELBO of each example, `log p(x|z) - KL(q(z|x) || p(z))` (beta plays no part): at most `log p(x)`. */
  perExample: Float32Array;
  /** Mean ELBO over the examples. */
  mean: number;
  /** Mean reconstruction term `-E_q[log p(x|z)]`. */
  reconstruction: number;
  /** Mean KL term. */
  kl: number;
}

/**
 * Options of {@link VariationalAutoencoder.nll}.
 * @category Models
 */
export interface NllOptions {
  /**
   * Importance samples `K` per example: draws `z_k ~ q(z|x)`. More samples give a tighter (smaller)
   * estimate; `K = 1` estimates the negative ELBO. Default 200 (the figure VAE reproductions quote as
   * "NLL (200 IS)"; papers also use 5,000).
   */
  samples?: number;
  /** Seed of the draws. Default: the config's `seed`, so that repeated calls agree exactly. */
  seed?: number;
  /**
   * Examples per forward pass. Each pass decodes one draw for each of its examples, so memory stays
   * `O(batchSize x example size)` whatever `samples` and the number of examples; the draws depend on the
   * seed and on `batchSize`. Default 256.
   */
  batchSize?: number;
}

/**
 * What {@link VariationalAutoencoder.nll} returns, in nats per example.
 * @category Models
 */
export interface NllReport {
  /**
   * Each example's importance-sampled negative log-likelihood
   * `-log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x)`: an estimate of `-log p(x)` that is at most the negative
   * ELBO in expectation and decreases towards `-log p(x)` as `K` grows.
   */
  perExample: Float32Array;
  /** Mean over the examples: the test NLL of the VAE literature when `x` is the test set. */
  mean: number;
  /** The number of importance samples `K` used. */
  samples: number;
}

export const ELBO_OPTIONS = optionsSchema<ElboOptions>()('elbo', {
  seed: is.seed(),
  samples: is.positiveInt().default(1),
  batchSize: is.positiveInt().default(PREDICT_BATCH),
});

export const NLL_OPTIONS = optionsSchema<NllOptions>()('nll', {
  samples: is.positiveInt().default(200),
  seed: is.seed(),
  batchSize: is.positiveInt().default(PREDICT_BATCH),
});

/** The resolved options of both estimates: the seed is filled in by the handle. */
export interface EstimateSettings {
  samples: number;
  seed: number;
  batchSize: number;
}

/**
 * The ELBO of every row of `x` (checked examples) by batches; see {@link ElboReport}.
 *
 * @example
 * ```ts
 * const report = elboOf(net, x, { seed: 1, samples: 10, batchSize: 256 });
 * ```
 */
export function elboOf(net: VaeNetworks, x: tf.Tensor, o: EstimateSettings): ElboReport {
  const { samples, batchSize } = o;
  const source = new BatchSource([x]);
  const n = source.size;
  const perExample = new Float32Array(n);
  const seeds = new SeedStream(o.seed);
  let recSum = 0;
  let klSum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const draws = Array.from({ length: samples }, () => seeds.nextSeed());
    const [rec, kl] = tf.tidy(() => {
      const xb = source.take(null, start, size)[0]!;
      let recTotal: tf.Tensor1D | undefined;
      let klPerExample: tf.Tensor1D | undefined;
      for (const s of draws) {
        const terms = vaeTerms(net, xb, xb, false, s);
        recTotal = recTotal ? (tf.add(recTotal, terms.reconstruction) as tf.Tensor1D) : terms.reconstruction;
        klPerExample ??= tf.sum(terms.klPerDim, 1) as tf.Tensor1D;
      }
      return [tf.div(recTotal!, samples).dataSync() as Float32Array, klPerExample!.dataSync() as Float32Array];
    });
    for (let i = 0; i < size; i++) {
      perExample[start + i] = -(rec[i]! + kl[i]!);
      recSum += rec[i]!;
      klSum += kl[i]!;
    }
  }
  return { perExample, mean: meanOf(perExample), reconstruction: recSum / n, kl: klSum / n };
}

/**
 * The importance-sampled negative log-likelihood of every row of `x` (checked examples); see
 * {@link NllReport}. For each batch the encoder runs once; then each of the `K` passes draws
 * `z = mean + exp(logVar / 2) * eps` for every example and adds the log-weight
 * `log p(x|z) + log p(z) - log q(z|x) = log p(x|z) - 0.5 * sum(z^2 - eps^2 - logVar)` (the `log 2 pi`
 * terms cancel) to a running log-sum-exp kept in double precision on the host.
 *
 * @example
 * ```ts
 * const { mean } = importanceSampledNll(net, x, { samples: 200, seed: 1, batchSize: 256 });
 * ```
 */
export function importanceSampledNll(net: VaeNetworks, x: tf.Tensor, o: EstimateSettings): NllReport {
  const { samples, batchSize } = o;
  const source = new BatchSource([x]);
  const n = source.size;
  const perExample = new Float32Array(n);
  const seeds = new SeedStream(o.seed);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const max = new Float64Array(size).fill(-Infinity);
    const sum = new Float64Array(size);
    const xb = source.take(null, start, size)[0]!;
    const [mean, logVar] = tf.tidy(() => net.encoder.apply(xb, { training: false }) as tf.Tensor[]) as [tf.Tensor2D, tf.Tensor2D];
    const scale = tf.tidy(() => tf.exp(tf.mul(0.5, logVar)));
    const logVarSum = tf.tidy(() => tf.sum(logVar, 1));
    try {
      for (let k = 0; k < samples; k++) {
        const seed = seeds.nextSeed();
        const logWeights = tf.tidy(() => {
          const eps = randomNormal(mean.shape, 0, 1, seed);
          const z = tf.add(mean, tf.mul(scale, eps));
          const logPx = tf.neg(reconstructionNll(net, xb, net.decoderParams.apply(z, { training: false }) as tf.Tensor));
          const priorOverPosterior = tf.mul(-0.5, tf.sub(tf.sum(tf.sub(tf.square(z), tf.square(eps)), 1), logVarSum));
          return tf.add(logPx, priorOverPosterior).dataSync() as Float32Array;
        });
        for (let i = 0; i < size; i++) {
          const w = logWeights[i]!;
          if (w === -Infinity) continue; // a draw the model deems impossible adds nothing
          if (w > max[i]!) {
            sum[i] = sum[i]! * Math.exp(max[i]! - w) + 1;
            max[i] = w;
          } else {
            sum[i]! += Math.exp(w - max[i]!);
          }
        }
      }
    } finally {
      tf.dispose([xb, mean, logVar, scale, logVarSum]);
    }
    const logK = Math.log(samples);
    for (let i = 0; i < size; i++) perExample[start + i] = -(max[i]! + Math.log(sum[i]!) - logK);
  }
  return { perExample, mean: meanOf(perExample), samples };
}

function meanOf(values: Float32Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}
