/**
 * The one place where latentkit applies gradients: every model's training step computes its loss inside
 * {@link gradientStep}, which takes the gradients of the given variables, checks that the loss and every
 * gradient are finite, and only then applies them with the optimizer and frees them. A step that would
 * write NaN or Infinity into the weights is not applied at all, for every model kind: after the error the
 * weights and the optimizer's state are exactly what they were before the step. A constraint (WGAN's
 * weight clipping) projects the variables right after a step that was applied.
 *
 * @example
 * ```ts
 * const loss = gradientStep(optimizer, variablesOf(model, true), () => reconstructionLoss(x, model.apply(x) as tf.Tensor, 'mse'));
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { TrainingError } from '../core/errors.js';
import { is, optionsSchema } from '../core/options.js';
import { allFinite } from '../backend/finite.js';

/**
 * Options of {@link gradientStep}.
 */
export interface GradientStepOptions {
  /**
   * A projection applied to each updated variable right after the update, its result assigned back (as
   * Keras applies a layer's `kernel_constraint` after each optimizer step): WGAN's weight clipping is
   * `clipWeights(0.01)`. It is part of the step, so whatever the loop snapshots or restores between steps
   * (early stopping's best weights) already satisfies it. A refused (non-finite) step applies nothing and
   * projects nothing.
   */
  constraint?: (value: tf.Tensor) => tf.Tensor;
}

const STEP_OPTIONS = optionsSchema<GradientStepOptions>()('gradientStep.options', {
  constraint: is.func<(value: tf.Tensor) => tf.Tensor>('a function (variable value) => projected value'),
});

/**
 * A gradient step was refused because its loss or one of its gradients is NaN or infinite; nothing was
 * applied. Thrown by {@link gradientStep}; latentkit's loop turns it into a {@link TrainingError} naming
 * the epoch and batch. Its own `epoch` and `batch` are 0 (it does not know them).
 */
export class NonFiniteStepError extends TrainingError {
  /** What was not finite: `loss is NaN`, `the gradient of 'code/kernel' is not finite (Infinity)`. */
  readonly what: string;
  constructor(what: string) {
    super(`latentkit: a gradient step was not applied: ${what}; the weights and the optimizer's state are as they were before it.`, 0, 0);
    this.name = 'NonFiniteStepError';
    this.what = what;
  }
}

/**
 * Frees what tfjs's gradient tape holds when the loss function threw: tfjs 4.22 frees the tensors saved
 * for the backward pass only after a successful backward pass, so each failed step (a noise function
 * returning the wrong shape, say) leaked them. Only the outermost tape is released, as tfjs does.
 */
function releaseTape(): void {
  const state = tf.engine().state as unknown as { gradientDepth: number; activeTape: Array<{ saved?: tf.Tensor[] }> | null };
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

/** The first non-finite value of `t`, if any (read only after the cheap check failed). */
function firstNonFinite(t: tf.Tensor): number | undefined {
  for (const v of t.dataSync()) if (!Number.isFinite(v)) return v;
  return undefined;
}

/** Says what was not finite: the loss, else the first gradient holding NaN or Infinity. */
function describeNonFinite(value: tf.Scalar, grads: tf.NamedTensorMap): string {
  const loss = value.dataSync()[0]!;
  if (!Number.isFinite(loss)) return `loss is ${loss}`;
  for (const [name, g] of Object.entries(grads)) {
    const bad = firstNonFinite(g);
    if (bad !== undefined) return `the gradient of '${name}' is not finite (${bad}; the loss is ${loss})`;
  }
  return `loss is ${loss}`;
}

/**
 * Minimises `loss` by one step: `tf.variableGrads(loss, variables)`, a check that the loss and every
 * gradient are finite, then `optimizer.applyGradients`; the gradients are disposed either way.
 *
 * The check reads the loss and the gradients where they live, without a kernel call on wasm and cpu (one
 * SIMD pass over the heap, a loop over the arrays); elsewhere `loss * 0 + sum(g * 0)` over the gradients,
 * which is 0 exactly when all are finite (`../backend/finite.ts`).
 *
 * @param optimizer - the optimizer whose update is applied.
 * @param variables - the variables to update (the others in `loss` get no gradient).
 * @param loss - computes the scalar to minimise; tensors it wants to outlive the step must be `tf.keep`t.
 * @param kept - tensors the loss function kept (logs of the step): disposed when the step is refused, so
 *   that a refused step leaks nothing.
 * @param options - see {@link GradientStepOptions}.
 * @returns the loss value (a scalar the caller owns).
 * @throws NonFiniteStepError (a {@link TrainingError}) when the loss or a gradient is NaN or infinite;
 *   nothing is applied, the weights and the optimizer's state are unchanged.
 */
export function gradientStep(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  loss: () => tf.Scalar,
  kept?: Readonly<Record<string, tf.Tensor | undefined>>,
  options: GradientStepOptions = {},
): tf.Scalar {
  const { constraint } = STEP_OPTIONS.check(options);
  let value: tf.Scalar;
  let grads: tf.NamedTensorMap;
  try {
    ({ value, grads } = tf.variableGrads(loss, variables as tf.Variable[]));
  } catch (e) {
    releaseTape();
    if (kept) tf.dispose(Object.values(kept).filter((t): t is tf.Tensor => t !== undefined));
    throw e;
  }
  if (!allFinite([value, ...Object.values(grads)])) {
    const what = describeNonFinite(value, grads);
    tf.dispose([value, ...Object.values(grads)]);
    if (kept) tf.dispose(Object.values(kept).filter((t): t is tf.Tensor => t !== undefined));
    throw new NonFiniteStepError(what);
  }
  optimizer.applyGradients(grads);
  tf.dispose(grads);
  // Finite weights projected by a (finite) constraint stay finite.
  if (constraint) for (const v of variables) tf.tidy(() => v.assign(constraint(v)));
  return value;
}

/**
 * A {@link GradientStepOptions.constraint} that clips every value to `[-c, c]` (WGAN's weight clipping).
 *
 * @example
 * ```ts
 * gradientStep(criticOptimizer, variablesOf(critic, true), criticLoss, undefined, { constraint: clipWeights(0.01) });
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
