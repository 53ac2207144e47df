/**
 * The KL term of a VAE with a diagonal Gaussian posterior `q(z|x) = N(mean, exp(logVar))` and a standard
 * normal prior, in closed form and in nats; the beta schedule (KL warm-up) and free bits.
 *
 * @example
 * ```ts
 * const perDim = gaussianKlPerDim(mean, logVar);        // [N, d], every entry >= 0
 * const perExample = tf.sum(perDim, 1);                  // [N] nats
 * const beta = betaAt(0, { beta: 1, klWarmupEpochs: 5 }); // 0 in the first epoch
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * `KL(N(mean, exp(logVar)) || N(0, 1))` for each example and latent dimension, in nats:
 * `0.5 * (mean^2 + exp(logVar) - 1 - logVar)`. Never negative in exact arithmetic; the result is clamped
 * at 0 so that float rounding (about 1e-7 near the prior) cannot make it negative.
 *
 * @param mean - posterior means `[N, d]`.
 * @param logVar - posterior log-variances `[N, d]` (natural log).
 * @returns a new tensor `[N, d]`.
 * @example
 * ```ts
 * gaussianKlPerDim(tf.zeros([1, 2]), tf.zeros([1, 2])); // [[0, 0]]: the prior itself
 * ```
 */
export function gaussianKlPerDim(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor2D {
  return tf.tidy(() => {
    const inner = tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1));
    return tf.relu(tf.mul(0.5, inner)) as tf.Tensor2D;
  });
}

/**
 * The KL term that training minimizes, per batch: the batch mean of the summed KL, or with free bits
 * `sum_d max(mean over the batch of KL_d, freeBits)` (Kingma et al. 2016, "Improved Variational Inference
 * with Inverse Autoregressive Flow"): a dimension carrying less than `freeBits` nats is not pushed further
 * towards the prior, which keeps the encoder from collapsing onto it early in training.
 *
 * @param klPerDim - `[N, d]` from {@link gaussianKlPerDim}.
 * @param freeBits - nats per latent dimension; 0 (default) gives the plain batch-mean KL.
 * @returns a scalar in nats.
 * @example
 * ```ts
 * const term = klObjective(gaussianKlPerDim(mean, logVar), 0.1);
 * ```
 */
export function klObjective(klPerDim: tf.Tensor2D, freeBits = 0): tf.Scalar {
  return tf.tidy(() => {
    if (freeBits <= 0) return tf.mean(tf.sum(klPerDim, 1)) as tf.Scalar;
    return tf.sum(tf.maximum(tf.mean(klPerDim, 0), freeBits)) as tf.Scalar;
  });
}

/**
 * The beta schedule of a VAE: see {@link betaAt}.
 */
export interface BetaSchedule {
  /** Weight of the KL term once warmed up (1: the ELBO; > 1: a beta-VAE). */
  beta: number;
  /** Epochs over which beta rises linearly from 0 (0: no warm-up). */
  klWarmupEpochs: number;
}

/**
 * The KL weight in effect during `epoch` (0-based): `beta * min(1, epoch / klWarmupEpochs)`, so 0 for the
 * whole first epoch, then rising by `beta / klWarmupEpochs` each epoch to `beta` from epoch
 * `klWarmupEpochs` (0-based) on. With `klWarmupEpochs = 0` it is `beta` throughout.
 *
 * @example
 * ```ts
 * [0, 1, 2, 3].map((e) => betaAt(e, { beta: 1, klWarmupEpochs: 2 })); // [0, 0.5, 1, 1]
 * ```
 */
export function betaAt(epoch: number, schedule: BetaSchedule): number {
  if (schedule.klWarmupEpochs <= 0) return schedule.beta;
  return schedule.beta * Math.min(1, epoch / schedule.klWarmupEpochs);
}
