/**
 * The dense autoencoder skeleton shared by `undercompleteAE`, `overcompleteSparseAE` and `denoisingAE`:
 * input -> hidden layers -> [dropout] -> `code` -> mirrored hidden layers -> reconstruction, with the
 * decoder's layers applied twice (in the full model and in the standalone decoder) so they share weights.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../errors.js';
import { SeedStream, resolveSeed } from '../random/seed.js';
import { numberIn, oneOf, positiveInt, positiveIntArray } from '../validate.js';
import { checkActivation, type Activation } from './activations.js';
import type { AutoencoderParts } from './autoencoder.js';
import { SeededDropout } from './layers/seededDropout.js';
import { applyLayers, denseBlock } from './layers/stack.js';
import { RECONSTRUCTION_LOSSES, type ReconstructionLoss } from './losses.js';

/** What every dense autoencoder config has. */
export interface DenseAEConfig {
  /** Values per example (784 for flattened 28x28 digits). Required. */
  inputDim: number;
  /** Widths of the hidden layers between input and code; the decoder mirrors them. Default `[]`. */
  hiddenUnits?: number[];
  /** Width of the code layer (named `code`). Required. */
  codeDim: number;
  /** Activation of the hidden layers. Default `'relu'`. */
  activation?: Activation;
  /** Activation of the code layer. Default `'relu'` (as the Keras autoencoder tutorial). */
  codeActivation?: Activation;
  /** Activation of the output layer. Default `'sigmoid'` (inputs in [0, 1]). */
  outputActivation?: Activation;
  /** Reconstruction loss. Default `'mse'`. */
  loss?: ReconstructionLoss;
  /** Seed of the initial weights and of every `fit` that has no seed of its own. Default: from {@link setSeed}. */
  seed?: number;
}

/** A dense config with every default filled in. */
export interface ResolvedDenseAEConfig {
  inputDim: number;
  hiddenUnits: number[];
  codeDim: number;
  activation: Activation;
  codeActivation: Activation;
  outputActivation: Activation;
  loss: ReconstructionLoss;
  seed: number;
}

/** Checks a dense config and fills in its defaults; `prefix` names the builder in errors. */
export function resolveDenseConfig(config: DenseAEConfig, prefix: string): ResolvedDenseAEConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(prefix, config, 'a config object such as { inputDim: 784, codeDim: 32 }');
  }
  return {
    inputDim: positiveInt(`${prefix}.inputDim`, config.inputDim),
    hiddenUnits: positiveIntArray(`${prefix}.hiddenUnits`, config.hiddenUnits ?? []),
    codeDim: positiveInt(`${prefix}.codeDim`, config.codeDim),
    activation: checkActivation(`${prefix}.activation`, config.activation ?? 'relu'),
    codeActivation: checkActivation(`${prefix}.codeActivation`, config.codeActivation ?? 'relu'),
    outputActivation: checkActivation(`${prefix}.outputActivation`, config.outputActivation ?? 'sigmoid'),
    loss: oneOf(`${prefix}.loss`, config.loss ?? 'mse', RECONSTRUCTION_LOSSES),
    seed: resolveSeed(config.seed, `${prefix}.seed`),
  };
}

/** Checks a dropout rate in [0, 1). */
export function dropoutRate(parameter: string, value: unknown): number {
  return numberIn(parameter, value, 0, 1, { maxOpen: true });
}

/**
 * Builds the encoder, decoder and full model of a dense autoencoder.
 *
 * @param c - resolved config.
 * @param dropoutBeforeCode - dropout rate on the layer feeding the code (0: none).
 */
export function buildDenseAutoencoder(
  c: ResolvedDenseAEConfig,
  dropoutBeforeCode = 0,
): Pick<AutoencoderParts, 'model' | 'encoder' | 'decoder'> {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: [c.inputDim], name: 'input' });
  const encoderLayers: tfl.layers.Layer[] = [];
  c.hiddenUnits.forEach((units, i) => encoderLayers.push(...denseBlock(units, c.activation, `encoder_${i + 1}`, stream)));
  if (dropoutBeforeCode > 0) {
    encoderLayers.push(new SeededDropout({ rate: dropoutBeforeCode, seed: stream.nextSeed(), name: 'code_dropout' }));
  }
  encoderLayers.push(...denseBlock(c.codeDim, c.codeActivation, 'code', stream));
  const code = applyLayers(encoderLayers, input);

  const decoderLayers: tfl.layers.Layer[] = [];
  [...c.hiddenUnits].reverse().forEach((units, i) => decoderLayers.push(...denseBlock(units, c.activation, `decoder_${i + 1}`, stream)));
  decoderLayers.push(...denseBlock(c.inputDim, c.outputActivation, 'reconstruction', stream));

  const output = applyLayers(decoderLayers, code);
  const codeInput = tfl.input({ shape: [c.codeDim], name: 'code_input' });
  return {
    model: tfl.model({ inputs: input, outputs: output, name: 'autoencoder' }),
    encoder: tfl.model({ inputs: input, outputs: code, name: 'encoder' }),
    decoder: tfl.model({ inputs: codeInput, outputs: applyLayers(decoderLayers, codeInput), name: 'decoder' }),
  };
}
