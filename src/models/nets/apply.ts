/**
 * How training steps apply a model: `model.apply`, or one of the faster forms with the same values and
 * gradients (`./denseChain.ts`, `./pruned.ts`).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { kernelOptions } from '../../backend/wasm/util.js';
import { applyDenseChain, denseChainOf } from './denseChain.js';
import { ALL_GRADIENTS, applyPruned, prunedPlan, type GradientWants } from './pruned.js';
import { fusedBatchNormHere } from './batchNorm.js';

export { ALL_GRADIENTS, CONSTANT_WEIGHTS, DATA_INPUT, type GradientWants } from './pruned.js';

/** Inside a second-order gradient (a gradient penalty) the layers' own operations are differentiated twice. */
const nested = () => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 1;

/**
 * `model.apply(x, { training })`, its outputs in order, with the gradients the step wants (`wants`: x's, the
 * model's trainable weights'; both by default): through the dense chain when the model is one and x is rank
 * 2; through the pruned form (`./pruned.ts`) when a gradient that tfjs-core's fused products would compute
 * anyway is not wanted (x is data, or the weights are constants of the step); else `model.apply` itself. All
 * give the same values and the same wanted gradients; only the work differs.
 */
export function applyModelOutputs(model: tfl.LayersModel, x: tf.Tensor, training: boolean, wants: GradientWants = ALL_GRADIENTS): tf.Tensor[] {
  if (x.dtype === 'float32' && !nested()) {
    const weights = wants.weights || !kernelOptions.constantWeightProducts;
    const chain = x.rank === 2 ? denseChainOf(model) : undefined;
    if (chain !== undefined && x.shape[1] === chain.inputUnits) return [applyDenseChain(chain, x, { input: wants.input, weights })];
    const input = wants.input || !kernelOptions.constantInputProducts;
    // Batch normalization in training goes through the plan too, where its fused form applies (`./batchNorm.ts`).
    const fusedBatchNorm = training && fusedBatchNormHere();
    const plan = input && weights && !fusedBatchNorm ? undefined : prunedPlan(model);
    const want = model.inputs[0]!.shape;
    // x's example shape must be the model input's (unknown sizes aside): otherwise `model.apply` reports it.
    const fits = want.length === x.rank && want.every((d, i) => i === 0 || d == null || d === x.shape[i]);
    if (plan !== undefined && fits && ((!input && plan.productOnInput) || (!weights && plan.hasProducts) || (fusedBatchNorm && plan.hasBatchNorm))) {
      return applyPruned(plan, x, training, { input, weights });
    }
  }
  const out = model.apply(x, { training }) as tf.Tensor | tf.Tensor[];
  return Array.isArray(out) ? out : [out];
}

/** {@link applyModelOutputs} for a model with one output (a generator, a decoder): that output. */
export function applyModel(model: tfl.LayersModel, x: tf.Tensor, training: boolean, wants: GradientWants = ALL_GRADIENTS): tf.Tensor {
  const out = applyModelOutputs(model, x, training, wants);
  if (out.length !== 1) throw new Error(`latentkit: applyModel takes a model with one output; ${model.name} has ${out.length} (use applyModelOutputs).`);
  return out[0]!;
}
