/**
 * The classification loss and accuracy, computed from logits (a softmax's input) for numerical
 * stability: `-sum(y * logSoftmax(logits))` never takes the log of a rounded-off zero.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Categorical cross-entropy of each example, in nats: `[N]`.
 *
 * @param labels - one-hot (or probability) rows `[N, K]`, float32.
 * @param logits - unnormalised scores `[N, K]`.
 * @example
 * ```ts
 * const perExample = softmaxCrossEntropyPerExample(oneHot(ids, 10), logits);
 * ```
 */
export function softmaxCrossEntropyPerExample(labels: tf.Tensor, logits: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), -1)) as tf.Tensor1D);
}

/**
 * Mean categorical cross-entropy over the examples, each weighted by `weights` when given (Keras's
 * `class_weight`: the weighted losses are averaged over the batch, not divided by the weights' sum).
 *
 * @param labels - one-hot (or probability) rows `[N, K]`.
 * @param logits - `[N, K]`.
 * @param classWeights - one weight per class `[K]`; an example's weight is its label row times them.
 */
export function softmaxCrossEntropy(labels: tf.Tensor, logits: tf.Tensor, classWeights?: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const perExample = softmaxCrossEntropyPerExample(labels, logits);
    if (!classWeights) return tf.mean(perExample) as tf.Scalar;
    const weights = tf.sum(tf.mul(labels, classWeights), -1);
    return tf.mean(tf.mul(perExample, weights)) as tf.Scalar;
  });
}

/** The fraction of examples whose largest logit is their label's largest entry: a scalar. */
export function categoricalAccuracy(labels: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.cast(tf.equal(tf.argMax(labels, -1), tf.argMax(logits, -1)), 'float32')) as tf.Scalar);
}
