/**
 * Reconstruction losses, per example and averaged, as the models train and evaluate them.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Reconstruction losses a model can be trained with.
 * @category Models
 */
export const RECONSTRUCTION_LOSSES = ['mse', 'binaryCrossentropy'] as const;
/**
 * `mse`: mean squared error; `binaryCrossentropy`: for targets in [0, 1] and sigmoid outputs.
 * @category Models
 */
export type ReconstructionLoss = (typeof RECONSTRUCTION_LOSSES)[number];

const EPSILON = 1e-7;

/**
 * The loss of each example, averaged over all of its values (Keras's convention): shape `[N]`.
 *
 * @example
 * ```ts
 * const perExample = reconstructionLossPerExample(x, ae.reconstruct(x), 'mse');
 * ```
 */
export function reconstructionLossPerExample(target: tf.Tensor, output: tf.Tensor, loss: ReconstructionLoss): tf.Tensor1D {
  return tf.tidy(() => {
    const n = target.shape[0]!;
    const t = tf.reshape(target, [n, -1]);
    const o = tf.reshape(output, [n, -1]);
    if (loss === 'mse') return tf.mean(tf.squaredDifference(t, o), 1) as tf.Tensor1D;
    const p = tf.clipByValue(o, EPSILON, 1 - EPSILON);
    const ll = tf.add(tf.mul(t, tf.log(p)), tf.mul(tf.sub(1, t), tf.log(tf.sub(1, p))));
    return tf.neg(tf.mean(ll, 1)) as tf.Tensor1D;
  });
}

/** The batch mean of {@link reconstructionLossPerExample}: a scalar. */
export function reconstructionLoss(target: tf.Tensor, output: tf.Tensor, loss: ReconstructionLoss): tf.Scalar {
  return tf.tidy(() => tf.mean(reconstructionLossPerExample(target, output, loss)) as tf.Scalar);
}
