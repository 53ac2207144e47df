/**
 * Training steps through a model when the step wants fewer gradients than tfjs-core's fused products give.
 * tfjs-layers' `Conv2D` and `Dense` run tfjs-core's fused `conv2d` / `matMul` (with a linear activation
 * under a gradient: latentkit's builders put activations in layers of their own), whose `customGrad`
 * computes the input's gradient and the weights' eagerly, before the tape can prune what nobody asked for:
 * - the input is data (an encoder's images, a discriminator's batch in its own step, a generator's z): the
 *   first layer's input gradient is thrown away (exercise 8's conv AE on wasm: a transposed convolution,
 *   ~1 ms of an ~11 ms step on two threads; a DCGAN generator's z: a [64, 3136] x [3136, 100] product);
 * - the weights are constants of the step (the discriminator inside the generator's step): every product's
 *   weight gradient is thrown away (the DCGAN's discriminator: its two filter gradients, ~4% of its step).
 *
 * Here such a model is applied layer by layer in the model's order, as tfjs-layers' graph executor calls
 * them: each `Conv2D` / `Dense` whose input or weights need no gradient as a `customGrad` over only what
 * does (its forward pass the layer's own fused operation with the same arguments, its gradients tfjs-core's
 * kernels for them: bit for bit `model.apply`'s), every other layer by its own `apply` (whose tape prunes by
 * itself). Anything else takes `model.apply`: {@link prunedPlan} returns undefined.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { inboundLayers, type AnyLayer } from './denseChain.js';
import { applyBatchNormTraining, fusedBatchNormApplies } from './batchNorm.js';

/** Which gradients a training step wants from a model: its input's, its trainable weights'. */
export interface GradientWants {
  readonly input: boolean;
  readonly weights: boolean;
}

/** Both gradients: what `model.apply` under the tape gives. */
export const ALL_GRADIENTS: GradientWants = Object.freeze({ input: true, weights: true });
/** The input is data (an encoder's images, a generator's z, a discriminator's batch in its own step). */
export const DATA_INPUT: GradientWants = Object.freeze({ input: false, weights: true });
/** The weights are constants of the step (the discriminator inside the generator's step). */
export const CONSTANT_WEIGHTS: GradientWants = Object.freeze({ input: true, weights: false });

/** A layer's fused product as tfjs-layers runs it (a linear activation fused, any other applied after it). */
interface Product {
  readonly kind: 'conv' | 'dense';
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | undefined;
  /** Conv2D. */
  readonly strides: [number, number];
  readonly pad: 'same' | 'valid';
  /** Dense with an activation other than linear: the product without bias, then the bias added (`K.biasAdd`). */
  readonly biasAfter: boolean;
  /** The layer's activation when tfjs-layers applies it after the product (not `linear`). */
  readonly activation: { apply(x: tf.Tensor): tf.Tensor } | undefined;
}

/** A model applied layer by layer: each layer with its feeds (layer indices; 0 is the input) and product. */
export interface PrunedPlan {
  readonly steps: ReadonlyArray<{ layer: tfl.layers.Layer; from: readonly number[]; product: Product | undefined }>;
  /** The model's outputs, as indices of its layers. */
  readonly outputs: readonly number[];
  /** Whether a product reads the model's input. */
  readonly productOnInput: boolean;
  /** Whether the model has a product at all. */
  readonly hasProducts: boolean;
  /** Whether the model has a BatchNormalization layer (which `./batchNorm.ts` may apply in training). */
  readonly hasBatchNorm: boolean;
}

const plans = new WeakMap<tfl.LayersModel, PrunedPlan | null>();

/** Whether `layer` has one output tensor (asking a layer called with different shapes throws). */
function singleOutput(layer: tfl.layers.Layer): boolean {
  try {
    return !Array.isArray(layer.outputShape[0]);
  } catch {
    return false;
  }
}

/**
 * The layer's product, if tfjs-layers runs it through a fused product with a linear activation (relu and elu
 * are fused into the product, and under a gradient tfjs-core then takes its unfused operations, whose tape
 * already prunes).
 */
function productOf(layer: AnyLayer): Product | undefined {
  const cls = layer.getClassName();
  if (cls !== 'Conv2D' && cls !== 'Dense') return undefined;
  const unsupported = ['kernelRegularizer', 'biasRegularizer', 'activityRegularizer', 'kernelConstraint', 'biasConstraint'];
  if (unsupported.some((k) => layer[k] != null)) return undefined;
  const activation = layer['activation'] as { getClassName(): string; apply(x: tf.Tensor): tf.Tensor } | null | undefined;
  const name = activation?.getClassName() ?? 'linear';
  if (name === 'relu' || name === 'elu') return undefined;
  const kernel = (layer['kernel'] as tfl.LayerVariable | undefined)?.read() as tf.Variable | undefined;
  const bias = (layer['bias'] as tfl.LayerVariable | null | undefined)?.read() as tf.Variable | undefined;
  const after = name === 'linear' ? undefined : activation!;
  if (kernel === undefined || kernel.dtype !== 'float32') return undefined;
  if (cls === 'Dense') {
    if (kernel.rank !== 2) return undefined;
    return { kind: 'dense', kernel, bias, strides: [1, 1], pad: 'valid', biasAfter: after !== undefined, activation: after };
  }
  if (layer['dataFormat'] !== 'channelsLast' || kernel.rank !== 4) return undefined;
  const dilation = layer['dilationRate'] as number[];
  const strides = layer['strides'] as number[];
  const padding = layer['padding'];
  if (dilation.some((d) => d !== 1) || strides.length !== 2 || (padding !== 'same' && padding !== 'valid')) return undefined;
  return { kind: 'conv', kernel, bias, strides: [strides[0]!, strides[1]!], pad: padding, biasAfter: false, activation: after };
}

/**
 * The model as a plan: one input, every layer with one connection in this model from single-output layers
 * before it, every output a layer's only output. Chains, and graphs such as a VAE's encoder (two heads on one
 * trunk) or an ACGAN's discriminator.
 */
function planOf(model: tfl.LayersModel): PrunedPlan | undefined {
  if (model.inputs.length !== 1 || model.losses.length > 0) return undefined;
  const layers = model.layers as AnyLayer[];
  if (layers.length < 2 || layers[0]!.getClassName() !== 'InputLayer') return undefined;
  const index = new Map<tfl.layers.Layer, number>(layers.map((l, i) => [l, i]));
  const steps: Array<PrunedPlan['steps'][number]> = [];
  for (let i = 1; i < layers.length; i++) {
    const from = inboundLayers(model, layers[i]!)?.map((l) => index.get(l) ?? Infinity);
    if (from === undefined || from.length === 0 || from.some((j) => !(j < i)) || !singleOutput(layers[i]!)) return undefined;
    steps.push({ layer: layers[i]!, from, product: from.length === 1 ? productOf(layers[i]!) : undefined });
  }
  const outputs = model.outputs.map((o) => index.get(o.sourceLayer) ?? -1);
  if (outputs.some((i) => i < 1)) return undefined;
  const productOnInput = steps.some((s) => s.product !== undefined && s.from[0] === 0);
  // Whether each one takes the fused form is decided per call (a layer may be frozen later).
  const hasBatchNorm = steps.some((s) => s.layer.getClassName() === 'BatchNormalization');
  return { steps, outputs, productOnInput, hasProducts: steps.some((s) => s.product !== undefined), hasBatchNorm };
}

/** The model as a {@link PrunedPlan}, or undefined when it is not one. Cached per model. */
export function prunedPlan(model: tfl.LayersModel): PrunedPlan | undefined {
  let plan = plans.get(model);
  if (plan === undefined) {
    plan = planOf(model) ?? null;
    plans.set(model, plan);
  }
  return plan ?? undefined;
}

/**
 * The product applied to x with gradients only for x (`inputGradient`) and the weights in `weights`
 * (kernel, then bias): tfjs-core's fused operation and its gradient's kernels, less what is not wanted.
 */
function applyProduct(p: Product, x: tf.Tensor, inputGradient: boolean, weights: readonly tf.Variable[]): tf.Tensor {
  const { kernel, strides, pad } = p;
  const bias = p.biasAfter ? undefined : p.bias;
  const forward = (): tf.Tensor =>
    p.kind === 'conv'
      ? tf.fused.conv2d({ x: x as tf.Tensor4D, filter: kernel as tf.Tensor4D, strides, pad, dilations: [1, 1], dataFormat: 'NHWC', bias })
      : tf.fused.matMul({ a: x as tf.Tensor2D, b: kernel as tf.Tensor2D, bias, activation: 'linear' });
  const args: tf.Tensor[] = [...(inputGradient ? [x] : []), ...weights];
  const op = tf.customGrad((...a: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = a[a.length - 1] as tf.GradSaveFunc;
    // The weights' gradients read x: kept for them by the tape (x may be an intermediate of the step,
    // disposed with its scope). The input's gradient needs only x's shape.
    if (weights.length > 0) save([x]);
    return {
      value: forward(),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const grads: tf.Tensor[] = [];
        if (inputGradient) {
          grads.push(
            p.kind === 'conv'
              ? (tf.engine().runKernel('Conv2DBackpropInput', { dy, filter: kernel }, { strides, pad, dataFormat: 'NHWC', inputShape: x.shape }) as tf.Tensor)
              : tf.matMul(dy, kernel, false, true),
          );
        }
        const input = saved[0]!;
        for (const w of weights) {
          if (w === kernel) {
            grads.push(
              p.kind === 'conv'
                ? (tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: kernel.shape }) as tf.Tensor)
                : tf.matMul(input, dy, true, false),
            );
          } else {
            grads.push(tf.reshape(tf.sum(dy, p.kind === 'conv' ? [0, 1, 2] : [0]), w.shape));
          }
        }
        return grads;
      },
    };
  });
  let h = args.length > 0 ? op(...args) : forward();
  // tfjs-layers' Dense with an activation it does not fuse: the bias added after the product, then the activation.
  if (p.biasAfter && p.bias) h = tf.add(h, p.bias);
  return p.activation ? p.activation.apply(h) : h;
}

/**
 * `model.apply(x, { training })` for a model with a plan, with only the gradients in `wants` (see the module
 * notes): the model's outputs, in order.
 */
export function applyPruned(plan: PrunedPlan, x: tf.Tensor, training: boolean, wants: GradientWants): tf.Tensor[] {
  // Each layer's output by layer index (0: the input), and whether a gradient flows to it.
  const values: tf.Tensor[] = [x];
  const needed: boolean[] = [wants.input];
  for (const { layer, from, product } of plan.steps) {
    const inputs = from.map((i) => values[i]!);
    const inputGradient = from.some((i) => needed[i]);
    const trainable = wants.weights ? layer.trainableWeights.map((w) => w.read() as tf.Variable) : [];
    const rank = product?.kind === 'conv' ? 4 : 2;
    // The product's own weights (a bias added after it is the tape's), those of them the step wants.
    const own = product ? [product.kernel, product.biasAfter ? undefined : product.bias].filter((w): w is tf.Variable => w !== undefined) : [];
    const weights = own.filter((w) => trainable.includes(w));
    const pruned = product !== undefined && inputs[0]!.rank === rank && (!inputGradient || weights.length < own.length);
    const batchNorm = training && inputs.length === 1 && fusedBatchNormApplies(layer, inputs[0]!);
    values.push(
      pruned
        ? applyProduct(product, inputs[0]!, inputGradient, weights)
        : batchNorm
          ? applyBatchNormTraining(layer, inputs[0]!)
          : (layer.apply(inputs.length === 1 ? inputs[0]! : inputs, { training }) as tf.Tensor),
    );
    needed.push(inputGradient || trainable.length > 0);
  }
  return plan.outputs.map((i) => values[i]!);
}
