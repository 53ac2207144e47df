/**
 * Likelihoods: the negative log-likelihood `-log p(x|z)` of each example under a Bernoulli or Gaussian
 * output distribution, summed over every value of the example, in nats (a VAE's reconstruction term), and
 * the binary cross-entropy with logits they and the GAN losses share.
 *
 * @example
 * ```ts
 * const nll = bernoulliNll(x, logits);                  // [N] nats
 * const nllG = gaussianNll(x, mean, tf.scalar(0));      // [N] nats, unit variance
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { util } from '@tensorflow/tfjs-core';
import { kernelOptions } from '../backend/wasm/util.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Bernoulli negative log-likelihood of `x` given the decoder's logits, per example: the sum over values
 * of the binary cross-entropy with logits, `max(l, 0) - l * x + log(1 + exp(-|l|))`, which never takes
 * the log of a saturated sigmoid (exact where `log(sigmoid(l))` would round to -Infinity).
 *
 * @param x - targets in [0, 1], `[N, ...]`.
 * @param logits - decoder outputs before the sigmoid, same shape.
 * @returns a new tensor `[N]`, in nats.
 * @example
 * ```ts
 * bernoulliNll(tf.tensor2d([[1, 0]]), tf.tensor2d([[0, 0]])); // [2 * log 2] = [1.386]
 * ```
 */
export function bernoulliNll(x: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0]!;
    const t = tf.reshape(x, [n, -1]);
    return tf.sum(bceWithLogits(tf.reshape(logits, [n, -1]), t), 1) as tf.Tensor1D;
  });
}

/** The binary cross-entropy's value, as tfjs computes it in either form. */
function bceValue(l: tf.Tensor, t: tf.Tensor | number): tf.Tensor {
  const stable = tf.log1p(tf.exp(tf.neg(tf.abs(l))));
  return tf.add(tf.sub(tf.relu(l), tf.mul(l, t)), stable);
}

/** With a constant target (a number): only the logits have a gradient, `dy * (sigmoid(l) - t)`. */
const bceConstantTarget = (t: number) =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [l, save] = args as [tf.Tensor, tf.GradSaveFunc];
    save([l]);
    return { value: bceValue(l, t), gradFunc: (dy: tf.Tensor, [ls]: tf.Tensor[]) => tf.mul(dy, tf.sub(tf.sigmoid(ls!), t)) };
  });

/** With a target tensor of the logits' shape: `dy * (sigmoid(l) - t)` for the logits, `-dy * l` for the target. */
const bceTensorTarget = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
  const [l, t, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([l, t]);
  return {
    value: bceValue(l, t),
    gradFunc: (dy: tf.Tensor, [ls, ts]: tf.Tensor[]) => [tf.mul(dy, tf.sub(tf.sigmoid(ls!), ts!)), tf.neg(tf.mul(dy, ls!))],
  };
});

/**
 * Binary cross-entropy of logits `l` against targets `t` (a tensor of the same shape, or one number),
 * element by element: `max(l, 0) - l * t + log(1 + exp(-|l|))`, a form that never overflows nor takes the
 * log of a saturated sigmoid. Its gradient is the closed form `sigmoid(l) - t` (and `-l` for a target
 * tensor), in a handful of kernels rather than the tape's dozen through every operation of the value
 * (exact at l = 0, where the tape's sums the subgradients of `max` and `|l|`). Call inside `tf.tidy` (or
 * dispose the result).
 *
 * @example
 * ```ts
 * const dLossReal = tf.mean(bceWithLogits(realLogits, 0.9)); // one-sided label smoothing
 * ```
 */
export function bceWithLogits(l: tf.Tensor, t: tf.Tensor | number): tf.Tensor {
  if (!kernelOptions.bceGradient || l.dtype !== 'float32') return bceValue(l, t);
  if (typeof t === 'number') return bceConstantTarget(t)(l);
  if (t.dtype === 'float32' && util.arraysEqual(t.shape, l.shape)) return bceTensorTarget(l, t);
  return bceValue(l, t);
}

/**
 * Gaussian negative log-likelihood of `x` around `mean` with one variance `exp(logVar)` for every value,
 * per example, constant included: `0.5 * sum((x - mean)^2 / exp(logVar) + logVar + log(2 pi))`.
 *
 * @param x - targets `[N, ...]`.
 * @param mean - decoder outputs, same shape.
 * @param logVar - log of the variance: a scalar tensor (learned), or 0 for unit variance.
 * @returns a new tensor `[N]`, in nats.
 * @example
 * ```ts
 * gaussianNll(tf.tensor2d([[0]]), tf.tensor2d([[0]]), 0); // [0.919] = 0.5 * log(2 pi)
 * ```
 */
export function gaussianNll(x: tf.Tensor, mean: tf.Tensor, logVar: tf.Tensor | number = 0): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0]!;
    const t = tf.reshape(x, [n, -1]);
    const m = tf.reshape(mean, [n, -1]);
    const values = t.shape[1]!;
    const squared = tf.sum(tf.squaredDifference(t, m), 1);
    if (typeof logVar === 'number' && logVar === 0) return tf.mul(0.5, tf.add(squared, values * LOG_2PI)) as tf.Tensor1D;
    const lv = typeof logVar === 'number' ? tf.scalar(logVar) : tf.reshape(logVar, []);
    const scaled = tf.mul(squared, tf.exp(tf.neg(lv)));
    return tf.mul(0.5, tf.add(scaled, tf.mul(values, tf.add(lv, LOG_2PI)))) as tf.Tensor1D;
  });
}

