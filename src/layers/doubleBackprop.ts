/**
 * An activation layer whose gradient can itself be differentiated, for critics trained with a gradient
 * penalty (WGAN-GP): the penalty is a function of `dD/dx`, so its weight gradient is a second-order
 * gradient.
 *
 * Why it exists: tfjs 4.22 gets several second-order gradients wrong or cannot compute them at all
 * (checked on cpu and wasm against finite differences):
 * - `tanh`, `sigmoid` (and `swish`, `mish`, `softmax`, which use them): their gradients read the op's saved
 *   *output*, and the engine records the copy of that output on the tape before the op itself, so the path
 *   through it is dropped: the second-order gradient is silently wrong (bias gradients come out missing).
 * - `leakyRelu`, `relu6`, `selu`: their gradients use `greater`/`lessEqual`, which have no gradient
 *   ("gradient function not found for Greater"); `elu` uses `EluGrad`, which has none either.
 *
 * This layer computes the same values, with gradients written so that every op they use has a correct
 * gradient: `tanh`/`sigmoid` through `tf.customGrad` that recomputes the activation from the saved input,
 * `leakyRelu` as `x * step(x, alpha)` (`step` has a zero gradient). `relu`, `softplus`, `softsign`, `gelu`
 * and `linear` were already right and are passed to tfjs as they are.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.js';
import { oneOf } from '../core/options.js';
import { LEAKY_RELU_ALPHA } from './activations.js';

/**
 * Activations whose second-order gradients are right in tfjs 4.22 (through {@link DoubleBackpropActivation}).
 */
export const DOUBLE_BACKPROP_ACTIVATIONS = ['linear', 'relu', 'leakyRelu', 'tanh', 'sigmoid', 'softplus', 'softsign', 'gelu'] as const;
/**
 * An activation a gradient-penalty critic can use; see {@link DOUBLE_BACKPROP_ACTIVATIONS}.
 */
export type DoubleBackpropActivationName = (typeof DOUBLE_BACKPROP_ACTIVATIONS)[number];

/** The base arguments every tfjs-layers layer takes (`name`, `inputShape`, `trainable`, ...). */
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Arguments of {@link DoubleBackpropActivation}.
 */
export interface DoubleBackpropActivationArgs extends LayerArgs {
  /** The activation; one of {@link DOUBLE_BACKPROP_ACTIVATIONS}. */
  activation: DoubleBackpropActivationName;
  /** Slope of the negative part for `leakyRelu`. Default 0.2. */
  alpha?: number;
}

// customGrad's signature is variadic (inputs, then the save function).
const tanhTwice = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.tanh(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(saved[0]!)))),
  };
});

const sigmoidTwice = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, save] = args as [tf.Tensor, tf.GradSaveFunc];
  save([x]);
  return {
    value: tf.sigmoid(x),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const s = tf.sigmoid(saved[0]!);
      return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
    },
  };
});

/**
 * Applies `activation` to `x` with gradients that can be differentiated again (see the module notes).
 *
 * @example
 * ```ts
 * const y = doubleBackpropActivation(x, 'tanh'); // same values as tf.tanh(x)
 * ```
 */
export function doubleBackpropActivation(x: tf.Tensor, activation: DoubleBackpropActivationName, alpha = LEAKY_RELU_ALPHA): tf.Tensor {
  switch (activation) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.mul(x, tf.step(x, alpha));
    case 'tanh':
      return tanhTwice(x);
    case 'sigmoid':
      return sigmoidTwice(x);
    case 'softplus':
      return tf.softplus(x);
    case 'softsign':
      return tf.div(x, tf.add(1, tf.abs(x)));
    case 'gelu':
      // tfjs-layers' gelu: 0.5 x (1 + erf(x / sqrt 2)); erf's gradient is exp-based and reads its input.
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
  }
}

/**
 * An activation layer (same values as tfjs-layers' `activation` layer) whose gradient can be
 * differentiated again, so that a critic built from it trains correctly under a gradient penalty.
 * Saved models load it back through its registered class name `LatentkitDoubleBackpropActivation`.
 *
 * @example
 * ```ts
 * const h = new DoubleBackpropActivation({ activation: 'leakyRelu', name: 'embedding' }).apply(pre);
 * ```
 */
export class DoubleBackpropActivation extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitDoubleBackpropActivation';
  readonly activation: DoubleBackpropActivationName;
  readonly alpha: number;

  constructor(args: DoubleBackpropActivationArgs) {
    super(args);
    this.activation = oneOf('activation', args.activation, DOUBLE_BACKPROP_ACTIVATIONS);
    this.alpha = args.alpha ?? LEAKY_RELU_ALPHA;
    if (!Number.isFinite(this.alpha) || this.alpha < 0) throw new ConfigError('alpha', this.alpha, 'a finite number >= 0');
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return doubleBackpropActivation(x, this.activation, this.alpha);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), activation: this.activation, alpha: this.alpha };
  }
}
tf.serialization.registerClass(DoubleBackpropActivation);
