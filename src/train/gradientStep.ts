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
import { is, optionsSchema } from '../core/options.js';

/**
 * Options of {@link gradientStep}.
 */
export interface GradientStepOptions {
  /**
   * A projection applied to each updated variable right after the update, its result assigned back (as
   * Keras applies a layer's `kernel_constraint` after each optimizer step): WGAN's weight clipping is
   * `clipWeights(0.01)`. It is part of the step, so whatever the loop snapshots or restores between steps
   * (early stopping's best weights) already satisfies it.
   */
  constraint?: (value: tf.Tensor) => tf.Tensor;
}

const STEP_OPTIONS = optionsSchema<GradientStepOptions>()('gradientStep.options', {
  constraint: is.func<(value: tf.Tensor) => tf.Tensor>('a function (variable value) => projected value'),
});

/**
 * Minimises `loss` by one step: `tf.variableGrads(loss, variables)`, then `optimizer.applyGradients`,
 * then the gradients are disposed, then the `constraint` (if any) projects the updated variables.
 *
 * @param optimizer - the optimizer whose update is applied.
 * @param variables - the variables to update (the others in `loss` get no gradient).
 * @param loss - computes the scalar to minimise; tensors it wants to outlive the step must be `tf.keep`t.
 * @param options - see {@link GradientStepOptions}.
 * @returns the loss value (a scalar the caller owns).
 */
export function gradientStep(optimizer: tf.Optimizer, variables: readonly tf.Variable[], loss: () => tf.Scalar, options: GradientStepOptions = {}): tf.Scalar {
  const { constraint } = STEP_OPTIONS.check(options);
  const { value, grads } = tf.variableGrads(loss, variables as tf.Variable[]);
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  if (constraint) for (const v of variables) tf.tidy(() => v.assign(constraint(v)));
  return value;
}

/**
 * A {@link GradientStepOptions.constraint} that clips every value to `[-c, c]` (WGAN's weight clipping).
 *
 * @example
 * ```ts
 * gradientStep(criticOptimizer, variablesOf(critic, true), criticLoss, { constraint: clipWeights(0.01) });
 * ```
 */
export function clipWeights(c: number): (value: tf.Tensor) => tf.Tensor {
  return (value) => tf.clipByValue(value, -c, c);
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
