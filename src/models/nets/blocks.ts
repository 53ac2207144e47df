/**
 * Building blocks shared by the builders: seeded initializers, dense layers, activations as layers, and
 * applying a list of layers in order (so that one list can be applied to two inputs, sharing weights, as
 * a decoder is in the full model and in the standalone decoder).
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SeedStream } from '../../core/seed.js';
import { LEAKY_RELU_ALPHA, type Activation } from '../../layers/activations.js';
import { DoubleBackpropActivation, type DoubleBackpropActivationName } from '../../layers/doubleBackprop.js';

/** Glorot-uniform kernel initializer seeded from `stream` (a new seed per call, so layers differ). */
export function seededGlorot(stream: SeedStream): ReturnType<typeof tfl.initializers.glorotUniform> {
  return tfl.initializers.glorotUniform({ seed: stream.nextSeed() });
}

/** A tfjs-layers activation identifier (leakyRelu is a layer of its own). */
type LayerActivation = Exclude<Activation, 'leakyRelu'>;

/** Options of {@link activationLayers}. */
export interface ActivationLayerOptions {
  /** `'linear'` gives no layer at all (instead of an identity Activation layer). Default false. */
  omitLinear?: boolean;
  /** A {@link DoubleBackpropActivation}, whose gradient can be differentiated again (a WGAN-GP critic). */
  doubleBackprop?: boolean;
}

/**
 * `activation` as its own layer named `name`: LeakyReLU (slope 0.2) for `'leakyRelu'`, a
 * DoubleBackpropActivation when asked, else tfjs-layers' Activation layer; `'linear'` gives an identity
 * Activation layer, or nothing with `omitLinear`.
 */
export function activationLayers(activation: Activation, name: string, options: ActivationLayerOptions = {}): tfl.layers.Layer[] {
  if (options.doubleBackprop) return [new DoubleBackpropActivation({ activation: activation as DoubleBackpropActivationName, name })];
  if (activation === 'linear' && options.omitLinear) return [];
  if (activation === 'leakyRelu') return [tfl.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name })];
  return [tfl.layers.activation({ activation: activation as LayerActivation, name })];
}

/**
 * A dense layer with its activation; the last layer returned carries `name`. The activation is the dense
 * layer's own unless it is `leakyRelu` or `doubleBackprop` is set (then the dense layer is `<name>_dense`,
 * linear, followed by {@link activationLayers}).
 */
export function denseBlock(
  units: number,
  activation: Activation,
  name: string,
  stream: SeedStream,
  options: ActivationLayerOptions = {},
): tfl.layers.Layer[] {
  const kernelInitializer = seededGlorot(stream);
  if (activation === 'leakyRelu' || options.doubleBackprop) {
    return [
      tfl.layers.dense({ units, activation: 'linear', kernelInitializer, name: `${name}_dense` }),
      ...activationLayers(activation, name, options),
    ];
  }
  return [tfl.layers.dense({ units, activation, kernelInitializer, name })];
}

/** Applies `layers` one after the other to a symbolic tensor. */
export function applyLayers(layers: tfl.layers.Layer[], input: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
}
