/**
 * Training steps through a model whose input is data (an encoder's images, a discriminator's batch in its
 * own step): no gradient is wanted with respect to that input, but tfjs-core's fused `conv2d` (what a
 * tfjs-layers `Conv2D` runs when its activation is not fused into the product, as in latentkit's builders,
 * which put activations in layers of their own) computes the input gradient with the others inside its
 * `customGrad`, before the tape can prune it: for the first layer, a transposed convolution thrown away
 * (exercise 8's conv AE on wasm: ~1 ms of an ~11 ms step on two threads).
 *
 * Here a model whose first layer is such a `Conv2D` (and the only one reading the input) has that layer
 * applied as a `customGrad` over its kernel and bias only, x a constant: the forward pass is the layer's own
 * (`tf.fused.conv2d` with the same arguments, then its activation), the gradients are tfjs-core's for the
 * kernel (the `Conv2DBackpropFilter` kernel with the same attributes) and the bias (the sum over the other
 * axes): bit for bit `model.apply`'s. The other layers run their own `apply` in the model's order, on their
 * inputs, as tfjs-layers' graph executor calls them (a chain, or a VAE encoder's two heads on one trunk).
 * Anything else takes `model.apply`: {@link constantInputPlan} returns undefined.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { kernelOptions } from '../../backend/wasm/util.js';
import { inboundLayers, type AnyLayer } from './denseChain.js';

/** The first layer's convolution, and how the other layers are fed. */
export interface ConstantInputPlan {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
  /** The layer's activation when tfjs-layers applies it after the product (not `linear`). */
  readonly activation: { apply(x: tf.Tensor): tf.Tensor } | undefined;
  /** The layers after the first (in the model's order: each after the layers feeding it), with their feeds. */
  readonly rest: ReadonlyArray<{ layer: tfl.layers.Layer; from: readonly number[] }>;
  /** The model's outputs, as indices of its layers. */
  readonly outputs: readonly number[];
}

const plans = new WeakMap<tfl.LayersModel, ConstantInputPlan | null>();

/** Whether `layer` has one output tensor (asking a layer called with different shapes throws). */
function singleOutput(layer: tfl.layers.Layer): boolean {
  try {
    return !Array.isArray(layer.outputShape[0]);
  } catch {
    return false;
  }
}

/**
 * The first layer as a plan, if tfjs-layers would run it through the fused convolution with a linear
 * activation (its own activation not fused, or linear: relu and elu are fused into the product, and under a
 * gradient tfjs-core then takes its unfused operations, whose tape already skips the input's gradient).
 */
function firstConv(layer: AnyLayer): Omit<ConstantInputPlan, 'rest' | 'outputs'> | undefined {
  if (layer.getClassName() !== 'Conv2D' || layer['dataFormat'] !== 'channelsLast') return undefined;
  const unsupported = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'];
  if (unsupported.some((k) => layer[k] != null)) return undefined;
  const dilation = layer['dilationRate'] as number[];
  const strides = layer['strides'] as number[];
  const padding = layer['padding'];
  if (dilation.some((d) => d !== 1) || strides.length !== 2 || (padding !== 'same' && padding !== 'valid')) return undefined;
  const activation = layer['activation'] as { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null | undefined;
  const name = activation?.getClassName() ?? 'linear';
  if (name === 'relu' || name === 'elu') return undefined;
  const kernel = (layer['kernel'] as tfl.LayerVariable | undefined)?.read() as tf.Variable | undefined;
  const bias = (layer['bias'] as tfl.LayerVariable | null | undefined)?.read() as tf.Variable | undefined;
  if (kernel === undefined || kernel.rank !== 4 || kernel.dtype !== 'float32') return undefined;
  return { kernel, bias, strides: [strides[0]!, strides[1]!], pad: padding, activation: name === 'linear' ? undefined : activation! };
}

/**
 * The model as a plan: one input (the first layer's, a convolution), every layer with one connection in this
 * model from single-output layers before it, every output a layer's only output. Chains, and graphs such as
 * a VAE's encoder (two heads on one trunk).
 */
function planOf(model: tfl.LayersModel): ConstantInputPlan | undefined {
  if (model.inputs.length !== 1 || model.inputs[0]!.shape.length !== 4 || model.losses.length > 0) return undefined;
  const layers = model.layers as AnyLayer[];
  if (layers.length < 2 || layers[0]!.getClassName() !== 'InputLayer') return undefined;
  const index = new Map<tfl.layers.Layer, number>(layers.map((l, i) => [l, i]));
  const feeds: number[][] = [];
  for (let i = 1; i < layers.length; i++) {
    const from = inboundLayers(model, layers[i]!)?.map((l) => index.get(l) ?? Infinity);
    if (from === undefined || from.length === 0 || from.some((j) => !(j < i)) || !singleOutput(layers[i]!)) return undefined;
    feeds.push(from);
  }
  // The first layer alone reads the input.
  if (feeds[0]!.length !== 1 || feeds[0]![0] !== 0 || feeds.slice(1).some((f) => f.includes(0))) return undefined;
  const outputs = model.outputs.map((o) => index.get(o.sourceLayer) ?? -1);
  if (outputs.some((i) => i < 1)) return undefined;
  const first = firstConv(layers[1]!);
  return first && { ...first, rest: layers.slice(2).map((layer, k) => ({ layer, from: feeds[k + 1]! })), outputs };
}

/**
 * The model as a {@link ConstantInputPlan}, or undefined when it is not one (or the path is switched off:
 * `kernelOptions.constantInputConv`). Cached per model.
 */
export function constantInputPlan(model: tfl.LayersModel): ConstantInputPlan | undefined {
  if (!kernelOptions.constantInputConv) return undefined;
  let plan = plans.get(model);
  if (plan === undefined) {
    plan = planOf(model) ?? null;
    plans.set(model, plan);
  }
  return plan ?? undefined;
}

/**
 * `model.apply(x, { training })` for a model with a plan and x a constant (see the module notes): the model's
 * outputs, in order.
 */
export function applyConstantInput(plan: ConstantInputPlan, x: tf.Tensor, training: boolean): tf.Tensor[] {
  const { kernel, bias, strides, pad } = plan;
  const conv = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const w = args[0] as tf.Tensor4D;
    const b = bias ? (args[1] as tf.Tensor) : undefined;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    // tfjs-layers' conv2dWithBiasActivation, with the linear activation it passes here.
    const value = tf.fused.conv2d({ x: x as tf.Tensor4D, filter: w, strides, pad, dilations: [1, 1], dataFormat: 'NHWC', bias: b });
    // Kept for the gradient by the tape (x may be an intermediate of the step, disposed with its scope).
    save([x]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // tfjs-core's fused conv2d gradient without its input gradient: the filter's, then the bias's.
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x: saved[0]!, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: w.shape }) as tf.Tensor;
        return b ? [dw, tf.reshape(tf.sum(dy, [0, 1, 2]), b.shape)] : [dw];
      },
    };
  });
  let h: tf.Tensor = bias ? conv(kernel, bias) : conv(kernel);
  if (plan.activation) h = plan.activation.apply(h);
  // Each layer's output by layer index (0: the input layer, 1: the first layer).
  const values: tf.Tensor[] = [x, h];
  for (const { layer, from } of plan.rest) {
    const inputs = from.map((i) => values[i]!);
    values.push(layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training }) as tf.Tensor);
  }
  return plan.outputs.map((i) => values[i]!);
}
