/**
 * A fast path for training steps through plain dense networks: a model that is a chain of `Dense`,
 * `Activation` and `LeakyReLU` layers on a rank-2 input is applied as one operation with a hand-written
 * gradient (`tf.customGrad`), instead of `model.apply` under tfjs's gradient tape.
 *
 * The results are tfjs-layers' own: the forward pass runs the operations the layers run (a fused product
 * with bias and activation where `Dense` fuses it, otherwise the product with bias and then the activation),
 * and the backward pass the operations of tfjs-core's gradients for them, in the same order. What it saves
 * is bookkeeping: the layers' per-call JavaScript (input checks, name scopes, one `tidy` per layer) and the
 * tape's (a node per operation, its saved tensors, reshapes and identities); a dense GAN's step ran ~370
 * kernel calls, 40% of its time outside kernels on two threads.
 *
 * Anything else (other layers, regularizers or constraints, dropout, batch norm, several inputs, a second
 * derivative) takes `model.apply`: {@link denseChainOf} returns undefined for such a model.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { kernelOptions } from '../../backend/wasm/util.js';
import { leakyReluBackward } from '../../backend/leakyRelu.js';
import { ALL_GRADIENTS, type GradientWants } from './pruned.js';

/** An activation the chain computes, with tfjs-core's gradient for it. */
type ChainActivation = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'leakyRelu';

/** One step of a chain: a dense product, or an activation on its own. */
type ChainStep =
  | { kind: 'dense'; kernel: tf.Variable; bias: tf.Variable | undefined; activation: ChainActivation; fused: boolean }
  | { kind: 'activation'; activation: ChainActivation; alpha: number };

/** A model seen as a chain of steps, with its variables in the order the steps read them. */
export interface DenseChain {
  readonly steps: readonly ChainStep[];
  readonly variables: readonly tf.Variable[];
  /** The number of input features. */
  readonly inputUnits: number;
}

const chains = new WeakMap<tfl.LayersModel, DenseChain | null>();

/** A layer with its configuration read by name. */
export type AnyLayer = tfl.layers.Layer & Record<string, unknown>;

const ACTIVATIONS: Record<string, ChainActivation> = { linear: 'linear', relu: 'relu', tanh: 'tanh', sigmoid: 'sigmoid' };

function activationName(layer: AnyLayer): ChainActivation | undefined {
  const fn = layer['activation'] as { getClassName(): string } | undefined | null;
  return fn == null ? 'linear' : ACTIVATIONS[fn.getClassName()];
}

/** The one layer feeding `layer` in `model` (see {@link inboundLayers}), if there is exactly one. */
export function inboundLayer(model: tfl.LayersModel, layer: AnyLayer): tfl.layers.Layer | undefined {
  const from = inboundLayers(model, layer);
  return from?.length === 1 ? from[0] : undefined;
}

/**
 * The layers feeding `layer` in `model`, if it has exactly one connection in this model and reads the first
 * output of each (a layer shared with another model has a connection per model).
 */
export function inboundLayers(model: tfl.LayersModel, layer: AnyLayer): tfl.layers.Layer[] | undefined {
  const ours = (model as unknown as { containerNodes: Set<string> }).containerNodes;
  const nodes = layer.inboundNodes.filter((_, k) => ours.has(`${layer.name}_ib-${k}`));
  if (nodes.length !== 1 || nodes[0]!.tensorIndices.some((t) => t !== 0)) return undefined;
  return nodes[0]!.inboundLayers;
}

function stepOf(layer: AnyLayer): ChainStep | undefined {
  const cls = layer.getClassName();
  if (cls === 'Dense') {
    const unsupported = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'];
    if (unsupported.some((k) => layer[k] != null)) return undefined;
    const activation = activationName(layer);
    const kernel = (layer['kernel'] as tfl.LayerVariable | undefined)?.read() as tf.Variable | undefined;
    const bias = (layer['bias'] as tfl.LayerVariable | null | undefined)?.read() as tf.Variable | undefined;
    if (activation === undefined || kernel === undefined || kernel.rank !== 2 || kernel.dtype !== 'float32') return undefined;
    // tfjs-layers' Dense fuses relu and linear into its product (`mapActivationToFusedKernel`).
    return { kind: 'dense', kernel, bias, activation, fused: activation === 'linear' || activation === 'relu' };
  }
  if (cls === 'Activation') {
    const activation = activationName(layer);
    return activation === undefined ? undefined : { kind: 'activation', activation, alpha: 0 };
  }
  if (cls === 'LeakyReLU') {
    const alpha = layer['alpha'];
    return typeof alpha === 'number' ? { kind: 'activation', activation: 'leakyRelu', alpha } : undefined;
  }
  return undefined;
}

function chainOf(model: tfl.LayersModel): DenseChain | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0]!.shape.length !== 2) return undefined;
  if (model.losses.length > 0) return undefined;
  const layers = model.layers as AnyLayer[];
  if (layers.length < 2 || layers[0]!.getClassName() !== 'InputLayer') return undefined;
  const steps: ChainStep[] = [];
  for (let i = 1; i < layers.length; i++) {
    const layer = layers[i]!;
    if (inboundLayer(model, layer) !== layers[i - 1]) return undefined;
    const step = stepOf(layer);
    if (step === undefined) return undefined;
    steps.push(step);
  }
  // The model's output must be the last layer's.
  if (model.outputs[0]!.sourceLayer !== layers[layers.length - 1]) return undefined;
  const variables = steps.flatMap((s) => (s.kind === 'dense' ? (s.bias ? [s.kernel, s.bias] : [s.kernel]) : []));
  return { steps, variables, inputUnits: model.inputs[0]!.shape[1] as number };
}

/**
 * The model as a {@link DenseChain}, or undefined when it is not one (or the fast path is switched off:
 * `kernelOptions.denseChain`).
 * Cached per model: the chain holds the model's variables, which its layers keep for their lifetime.
 */
export function denseChainOf(model: tfl.LayersModel): DenseChain | undefined {
  if (!kernelOptions.denseChain) return undefined;
  let chain = chains.get(model);
  if (chain === undefined) {
    chain = chainOf(model) ?? null;
    chains.set(model, chain);
  }
  return chain ?? undefined;
}

function activate(x: tf.Tensor, activation: ChainActivation, alpha: number): tf.Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, alpha);
  }
}

/** tfjs-core's gradient of `activation` at input x / output y (Tanh_grad, Sigmoid_grad, Relu_grad; LeakyRelu's as latentkit registers it). */
function activationGrad(dy: tf.Tensor, x: tf.Tensor, y: tf.Tensor, activation: ChainActivation, alpha: number): tf.Tensor {
  switch (activation) {
    case 'linear':
      return dy;
    case 'relu':
      return tf.mul(dy, tf.step(x));
    case 'tanh':
      return tf.mul(tf.sub(tf.scalar(1), tf.square(y)), dy);
    case 'sigmoid':
      return tf.mul(dy, tf.mul(y, tf.sub(tf.scalar(1), y)));
    case 'leakyRelu':
      return leakyReluBackward(x, dy, alpha);
  }
}

/**
 * Applies a chain to x [batch, inputUnits] as one differentiable operation: the value equals
 * `model.apply(x)`'s, and the gradients with respect to x and to every variable of the chain are
 * tfjs-core's for the same operations. With `wants.input` false, x is a constant of the operation (a
 * generator's z): no gradient flows to it, and the first step's input gradient is not computed; with
 * `wants.weights` false, the variables are (a discriminator inside the generator's step): only x's gradient
 * is computed.
 */
export function applyDenseChain(chain: DenseChain, x: tf.Tensor, wants: GradientWants = ALL_GRADIENTS): tf.Tensor {
  const { input: inputGradient, weights: weightGradients } = wants;
  // Per step: its input and output (the saved tensors, in order: input, then each step's output).
  const forward = (input: tf.Tensor): tf.Tensor[] => {
    const values: tf.Tensor[] = [input];
    let h = input;
    for (const s of chain.steps) {
      if (s.kind === 'dense') {
        if (s.fused) {
          h = tf.fused.matMul({ a: h, b: s.kernel, bias: s.bias, activation: s.activation as 'linear' | 'relu' });
        } else {
          // tfjs-layers: a product without bias (the same sums as BatchMatMul's), the bias, then the activation.
          const z = tf.matMul(h, s.kernel);
          const zb = s.bias ? tf.add(z, s.bias) : z;
          values.push(zb);
          h = activate(zb, s.activation, 0);
        }
      } else {
        h = activate(h, s.activation, s.alpha);
      }
      values.push(h);
    }
    return values;
  };
  if (!inputGradient && !weightGradients) return tf.tidy(() => forward(x).at(-1)!);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const values = forward(inputGradient ? (args[0] as tf.Tensor) : x);
    save(values);
    return {
      value: values.at(-1)!,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads: tf.Tensor[] = [];
        let g = dy;
        let at = saved.length - 1;
        for (let i = chain.steps.length - 1; i >= 0; i--) {
          const s = chain.steps[i]!;
          const y = saved[at]!;
          if (s.kind === 'activation') {
            g = activationGrad(g, saved[at - 1]!, y, s.activation, s.alpha);
            at -= 1;
            continue;
          }
          let dz: tf.Tensor;
          if (s.fused) {
            // fused.matMul's gradient (getFusedDyActivation): relu by the step of its output.
            dz = s.activation === 'relu' ? tf.mul(g, tf.step(y)) : g;
            at -= 1;
          } else {
            dz = activationGrad(g, saved[at - 1]!, y, s.activation, 0);
            at -= 2;
          }
          const a = saved[at]!;
          if (weightGradients) {
            if (s.bias) grads.push(tf.sum(dz, 0));
            grads.push(tf.matMul(a, dz, true, false));
          }
          // The gradient with respect to the chain's input is not computed when nobody asked for it.
          if (i > 0 || inputGradient) g = tf.matMul(dz, s.kernel, false, true);
        }
        // grads were pushed last step first, bias before kernel: reverse to [kernel1, bias1, ...].
        grads.reverse();
        return inputGradient ? [g, ...grads] : grads;
      },
    };
  });
  const variables = weightGradients ? (chain.variables as tf.Variable[]) : [];
  return inputGradient ? op(x, ...variables) : op(...variables);
}
