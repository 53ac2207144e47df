/**
 * How training steps apply a model: `model.apply`, or one of the faster forms with the same values and
 * gradients (`./denseChain.ts`, `./constantInput.ts`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyDenseChain, denseChainOf } from './denseChain.js';
import { applyConstantInput, constantInputPlan } from './constantInput.js';

/**
 * `model.apply(x, { training })`: through the dense chain when the model is one and x is rank 2; with
 * `inputGradient` false (x is data, a constant of the step: no gradient flows to it) through the
 * constant-input form when the model's first layer is a convolution that would compute x's gradient
 * anyway; else `model.apply` itself. All give the same values and gradients; only the work differs.
 */
export function applyModel(model: tfl.LayersModel, x: tf.Tensor, training: boolean, inputGradient = true): tf.Tensor {
  // Inside a second-order gradient (a gradient penalty) the layers' own operations are differentiated twice.
  const nested = (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 1;
  if (!nested && x.dtype === 'float32') {
    const chain = x.rank === 2 ? denseChainOf(model) : undefined;
    if (chain !== undefined && x.shape[1] === chain.inputUnits) return applyDenseChain(chain, x, inputGradient);
    const plan = !inputGradient && x.rank === 4 ? constantInputPlan(model) : undefined;
    if (plan !== undefined && fits(x, model)) return applyConstantInput(plan, x, training);
  }
  return model.apply(x, { training }) as tf.Tensor;
}

/** x's example shape is the model input's (its unknown sizes aside): otherwise `model.apply` reports it. */
function fits(x: tf.Tensor, model: tfl.LayersModel): boolean {
  const want = model.inputs[0]!.shape;
  return want.length === x.rank && want.every((d, i) => i === 0 || d == null || d === x.shape[i]);
}
