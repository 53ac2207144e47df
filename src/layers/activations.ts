/**
 * The activation names the builders accept (tfjs-layers' identifiers) and the slope latentkit gives
 * `leakyRelu`, which tfjs-layers has as a layer but not as a dense activation.
 * @module
 */
import { oneOf } from '../core/options.js';

/**
 * Activations a builder accepts for its layers.
 * @category Models
 */
export const ACTIVATIONS = [
  'linear',
  'relu',
  'relu6',
  'elu',
  'selu',
  'leakyRelu',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'softplus',
  'softsign',
  'swish',
  'mish',
  'gelu',
  'softmax',
] as const;

/**
 * An activation name; see {@link ACTIVATIONS}. `leakyRelu` uses slope 0.2.
 * @category Models
 */
export type Activation = (typeof ACTIVATIONS)[number];

/** Slope of the negative part for `leakyRelu`. */
export const LEAKY_RELU_ALPHA = 0.2;

/** Checks an activation name, naming the parameter when it is not one. */
export function checkActivation(parameter: string, value: unknown): Activation {
  return oneOf(parameter, value, ACTIVATIONS);
}
