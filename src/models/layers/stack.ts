/**
 * Building blocks shared by the builders: seeded dense layers and applying a list of layers in order
 * (so that one list can be applied to two inputs, sharing weights, as the decoder is).
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import type { SeedStream } from '../../random/seed.js';
import type { Activation } from '../activations.js';

/** Slope of the negative part for `leakyRelu`. */
export const LEAKY_RELU_ALPHA = 0.2;

/** Glorot-uniform kernel initializer seeded from `stream` (a new seed per call, so layers differ). */
export function seededGlorot(stream: SeedStream): ReturnType<typeof tfl.initializers.glorotUniform> {
  return tfl.initializers.glorotUniform({ seed: stream.nextSeed() });
}

/**
 * A dense layer, plus a LeakyReLU layer when `activation` is `leakyRelu` (tfjs-layers has no such dense
 * activation). The last layer returned carries `name`.
 */
export function denseBlock(units: number, activation: Activation, name: string, stream: SeedStream): tfl.layers.Layer[] {
  const kernelInitializer = seededGlorot(stream);
  if (activation === 'leakyRelu') {
    return [
      tfl.layers.dense({ units, activation: 'linear', kernelInitializer, name: `${name}_dense` }),
      tfl.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name }),
    ];
  }
  return [tfl.layers.dense({ units, activation, kernelInitializer, name })];
}

/** Applies `layers` one after the other to a symbolic tensor. */
export function applyLayers(layers: tfl.layers.Layer[], input: tfl.SymbolicTensor): tfl.SymbolicTensor {
  return layers.reduce((x, layer) => layer.apply(x) as tfl.SymbolicTensor, input);
}
