/**
 * The networks of a classifier: hidden layers (from layer specs, or a copied base network for a transfer
 * head), then the head: a Flatten when needed, optional hidden Dense layers and dropout, a Dense `logits`
 * layer and a softmax `probabilities`. Besides the model (input -> probabilities) a view sharing its
 * layers gives the logits, which the loss uses for numerical stability.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../../core/seed.js';
import type { Activation } from '../../layers/activations.js';
import { SeededDropout } from '../../layers/seededDropout.js';
import { applyLayers, denseBlock, seededGlorot } from '../nets/blocks.js';
import { checkModelSize } from '../base/size.js';
import { applyLayerSpecs } from '../nets/layerSpec.js';
import type { ResolvedClassifierConfig } from './config.js';

/** The models of a classifier. */
export interface ClassifierNets {
  /** input -> class probabilities (softmax). */
  model: tfl.LayersModel;
  /** input -> logits: a view sharing the model's layers. */
  logits: tfl.LayersModel;
  /** The layer feeding `logits`: where a transfer head on this classifier starts by default. */
  penultimate: string;
}

/** What the head adds on top of the features. */
export interface HeadSpec {
  numClasses: number;
  /** Widths of hidden Dense layers between the features and the logits (`head_dense_<i>`). */
  hiddenUnits: readonly number[];
  /** Their activation. */
  activation: Activation;
  /** Dropout rate before the logits (`head_dropout`), 0 for none. */
  dropout: number;
}

/** The names of the layers {@link attachHead} may add. */
export function headLayerNames(spec: HeadSpec): string[] {
  return ['head_flatten', ...spec.hiddenUnits.map((_, i) => `head_dense_${i + 1}`), 'head_dropout', 'logits', 'probabilities'];
}

/**
 * Puts the head on `features` and wires the two models. Weights are drawn from `stream` in order
 * (hidden layers, dropout seed, logits).
 */
export function attachHead(input: tfl.SymbolicTensor, features: tfl.SymbolicTensor, spec: HeadSpec, stream: SeedStream, name: string): ClassifierNets {
  const layers: tfl.layers.Layer[] = [];
  if (features.shape.length > 2) layers.push(tfl.layers.flatten({ name: 'head_flatten' }));
  spec.hiddenUnits.forEach((units, i) => layers.push(...denseBlock(units, spec.activation, `head_dense_${i + 1}`, stream)));
  if (spec.dropout > 0) layers.push(new SeededDropout({ rate: spec.dropout, seed: stream.nextSeed(), name: 'head_dropout' }));
  const beforeLogits = applyLayers(layers, features);
  const penultimate = layers.length > 0 ? layers[layers.length - 1]!.name : (features.sourceLayer as tfl.layers.Layer).name;
  const logits = tfl.layers.dense({ units: spec.numClasses, kernelInitializer: seededGlorot(stream), name: 'logits' }).apply(beforeLogits) as tfl.SymbolicTensor;
  const probabilities = tfl.layers.activation({ activation: 'softmax', name: 'probabilities' }).apply(logits) as tfl.SymbolicTensor;
  return {
    model: tfl.model({ inputs: input, outputs: probabilities, name }),
    logits: tfl.model({ inputs: input, outputs: logits, name: `${name}_logits` }),
    penultimate,
  };
}

/** Builds a classifier's models from a resolved config. */
export function buildClassifier(c: ResolvedClassifierConfig, builder: string): ClassifierNets {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: c.inputShape, name: 'input' });
  // The size is checked before each layer allocates its weights (and before the head's logits).
  let weights = 0;
  const budget = (added: number) => checkModelSize(builder, (weights += added), c.allowLarge);
  const features = applyLayerSpecs(c.layers, input, stream, `${builder}.layers`, budget);
  try {
    budget((features.shape.slice(1).reduce<number>((a, d) => a * (d ?? 1), 1) + 1) * c.numClasses);
  } catch (e) {
    if (features !== input) for (const w of tfl.model({ inputs: input, outputs: features }).weights) w.dispose();
    throw e;
  }
  return attachHead(input, features, { numClasses: c.numClasses, hiddenUnits: [], activation: 'relu', dropout: 0 }, stream, 'classifier');
}
