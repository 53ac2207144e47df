/**
 * How training steps apply a model: `model.apply`, or one of the faster forms with the same values and
 * gradients (`./denseChain.ts`, `./constantInput.ts`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyDenseChain, denseChainOf } from './denseChain.js';
import { applyConstantInput, constantInputPlan, type ConstantInputPlan } from './constantInput.js';

/** Inside a second-order gradient (a gradient penalty) the layers' own operations are differentiated twice. */
const nested = () => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 1;

/** The constant-input plan for x, if x is data (`inputGradient` false) fitting a model that has one. */
function planFor(model: tfl.LayersModel, x: tf.Tensor, inputGradient: boolean): ConstantInputPlan | undefined {
  if (inputGradient || x.rank !== 4) return undefined;
  const want = model.inputs[0]!.shape;
  // x's example shape must be the model input's (unknown sizes aside): otherwise `model.apply` reports it.
  if (want.length !== x.rank || want.some((d, i) => i > 0 && d != null && d !== x.shape[i])) return undefined;
  return constantInputPlan(model);
}

/**
 * `model.apply(x, { training })`, its outputs in order: through the dense chain when the model is one and x
 * is rank 2; with `inputGradient` false (x is data, a constant of the step: no gradient flows to it) through
 * the constant-input form when the model's first layer is a convolution that would compute x's gradient
 * anyway; else `model.apply` itself. All give the same values and gradients; only the work differs.
 */
export function applyModelOutputs(model: tfl.LayersModel, x: tf.Tensor, training: boolean, inputGradient = true): tf.Tensor[] {
  if (x.dtype === 'float32' && !nested()) {
    const chain = x.rank === 2 ? denseChainOf(model) : undefined;
    if (chain !== undefined && x.shape[1] === chain.inputUnits) return [applyDenseChain(chain, x, inputGradient)];
    const plan = planFor(model, x, inputGradient);
    if (plan !== undefined) return applyConstantInput(plan, x, training);
  }
  const out = model.apply(x, { training }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** {@link applyModelOutputs} for a model with one output (a generator, a decoder): that output. */
export function applyModel(model: tfl.LayersModel, x: tf.Tensor, training: boolean, inputGradient = true): tf.Tensor {
  const out = applyModelOutputs(model, x, training, inputGradient);
  if (out.length !== 1) throw new Error(`latentkit: applyModel takes a model with one output; ${model.name} has ${out.length} (use applyModelOutputs).`);
  return out[0]!;
}
