/**
 * Activation names the builders accept (tfjs-layers' identifiers).
 * @module
 */
import { oneOf } from '../validate.js';

/** Activations a builder accepts for its layers. */
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
/** An activation name; see {@link ACTIVATIONS}. `leakyRelu` uses slope 0.2. */
export type Activation = (typeof ACTIVATIONS)[number];

/** Checks an activation name, naming the parameter when it is not one. */
export function checkActivation(parameter: string, value: unknown): Activation {
  return oneOf(parameter, value, ACTIVATIONS);
}
