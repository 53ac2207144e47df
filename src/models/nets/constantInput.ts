/**
 * Training steps through a model whose input is data (an encoder's images, a discriminator's batch in its
 * own step): no gradient is wanted with respect to that input, but tfjs-core's fused `conv2d` (what a
 * tfjs-layers `Conv2D` runs when its activation is not fused into the product, as in latentkit's builders,
 * which put activations in layers of their own) computes the input gradient with the others inside its
 * `customGrad`, before the tape can prune it: for the first layer, a transposed convolution thrown away
 * (exercise 8's conv AE on wasm: ~1 ms of an ~11 ms step on two threads).
 *
 * Here a model that is a chain of single-input layers whose first layer is such a `Conv2D` has that layer
 * applied as a `customGrad` over its kernel and bias only, x a constant: the forward pass is the layer's own
 * (`tf.fused.conv2d` with the same arguments, then its activation), the gradients are tfjs-core's for the
 * kernel (the `Conv2DBackpropFilter` kernel with the same attributes) and the bias (the sum over the other
 * axes): bit for bit `model.apply`'s. The other layers run their own `apply` in turn, as tfjs-layers' graph
 * executor calls them. Anything else takes `model.apply`: {@link constantInputPlan} returns undefined.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { kernelOptions } from '../../backend/wasm/util.js';
import { inboundLayer, type AnyLayer } from './denseChain.js';

/** The first layer's convolution and the layers after it. */
export interface ConstantInputPlan {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
  /** The layer's activation when tfjs-layers applies it after the product (not `linear`). */
  readonly activation: { apply(x: tf.Tensor): tf.Tensor } | undefined;
  readonly rest: readonly tfl.layers.Layer[];
}

const plans = new WeakMap<tfl.LayersModel, ConstantInputPlan | null>();

/**
 * The first layer as a plan, if tfjs-layers would run it through the fused convolution with a linear
 * activation (its own activation not fused, or linear: relu and elu are fused into the product, and under a
 * gradient tfjs-core then takes its unfused operations, whose tape already skips the input's gradient).
 */
function firstConv(layer: AnyLayer): Omit<ConstantInputPlan, 'rest'> | undefined {
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

function planOf(model: tfl.LayersModel): ConstantInputPlan | undefined {
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || model.inputs[0]!.shape.length !== 4 || model.losses.length > 0) return undefined;
  const layers = model.layers as AnyLayer[];
  if (layers.length < 2 || layers[0]!.getClassName() !== 'InputLayer') return undefined;
  for (let i = 1; i < layers.length; i++) if (inboundLayer(model, layers[i]!) !== layers[i - 1]) return undefined;
  if (model.outputs[0]!.sourceLayer !== layers[layers.length - 1]) return undefined;
  const first = firstConv(layers[1]!);
  return first && { ...first, rest: layers.slice(2) };
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

/** `model.apply(x, { training })` for a model with a plan and x a constant: see the module notes. */
export function applyConstantInput(plan: ConstantInputPlan, x: tf.Tensor, training: boolean): tf.Tensor {
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
  for (const layer of plan.rest) h = layer.apply(h, { training }) as tf.Tensor;
  return h;
}
