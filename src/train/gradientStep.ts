/**
 * The one place where latentkit applies gradients: every model's training step computes its loss inside
 * {@link gradientStep}, which takes the gradients of the given variables, applies them with the
 * optimizer and frees them. A check on the gradients before they are applied belongs here, and then holds
 * for every model kind.
 *
 * @example
 * ```ts
 * const loss = gradientStep(optimizer, variablesOf(model, true), () => reconstructionLoss(x, model.apply(x) as tf.Tensor, 'mse'));
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/**
 * Minimises `loss` by one step: `tf.variableGrads(loss, variables)`, then `optimizer.applyGradients`,
 * then the gradients are disposed.
 *
 * @param optimizer - the optimizer whose update is applied.
 * @param variables - the variables to update (the others in `loss` get no gradient).
 * @param loss - computes the scalar to minimise; tensors it wants to outlive the step must be `tf.keep`t.
 * @returns the loss value (a scalar the caller owns).
 */
export function gradientStep(optimizer: tf.Optimizer, variables: readonly tf.Variable[], loss: () => tf.Scalar): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, variables as tf.Variable[]);
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  return value;
}

/**
 * The variables behind a model's weights: all of them, or only the trainable ones.
 *
 * @example
 * ```ts
 * const trained = variablesOf(ae.model, true);
 * ```
 */
export function variablesOf(model: tfl.LayersModel, trainableOnly = false): tf.Variable[] {
  const weights = trainableOnly ? model.trainableWeights : model.weights;
  return weights.map((w) => w.read() as tf.Variable);
}
