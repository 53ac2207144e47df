/**
 * `convAE`: a convolutional autoencoder with a dense `code` layer and a mirrored decoder.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream, resolveSeed } from '../random/seed.js';
import { oneOf, positiveInt } from '../validate.js';
import { checkActivation, type Activation } from './activations.js';
import { AutoencoderModel, type Autoencoder, type AutoencoderParts } from './autoencoder.js';
import { convDecoderLayers, convEncoderLayers, resolveConvStack, type ConvStackConfig, type ConvStackSpec } from './conv/stack.js';
import { applyLayers, denseBlock } from './layers/stack.js';
import { RECONSTRUCTION_LOSSES, type ReconstructionLoss } from './losses.js';

/** Config of {@link convAE}. The convolution fields are in {@link ConvStackConfig}. */
export interface ConvAEConfig extends ConvStackConfig {
  /** Width of the dense code layer (named `code`). Default 32. */
  codeDim?: number;
  /** Activation of the code layer. Default `'linear'` (a plain Dense, as in the course's exercise 8). */
  codeActivation?: Activation;
  /** Reconstruction loss. Default `'mse'`. */
  loss?: ReconstructionLoss;
  /** Seed of the initial weights and of every `fit` without its own. Default: from {@link setSeed}. */
  seed?: number;
}

/** A conv AE config with every default filled in. */
export type ResolvedConvAEConfig = Omit<ConvStackSpec, 'stageSizes' | 'featureShape'> & {
  codeDim: number;
  codeActivation: Activation;
  loss: ReconstructionLoss;
  seed: number;
};

/** Checks a conv AE config and fills in its defaults. */
export function resolveConvAEConfig(config: ConvAEConfig, prefix: string): { resolved: ResolvedConvAEConfig; spec: ConvStackSpec } {
  const spec = resolveConvStack(config, prefix);
  const { stageSizes: _sizes, featureShape: _feature, ...stack } = spec;
  return {
    spec,
    resolved: {
      ...stack,
      codeDim: positiveInt(`${prefix}.codeDim`, config.codeDim ?? 32),
      codeActivation: checkActivation(`${prefix}.codeActivation`, config.codeActivation ?? 'linear'),
      loss: oneOf(`${prefix}.loss`, config.loss ?? 'mse', RECONSTRUCTION_LOSSES),
      seed: resolveSeed(config.seed, `${prefix}.seed`),
    },
  };
}

/** Builds the three models of a conv AE from a checked config. */
export function buildConvAutoencoder(c: ResolvedConvAEConfig, spec: ConvStackSpec): Pick<AutoencoderParts, 'model' | 'encoder' | 'decoder'> {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: spec.inputShape, name: 'input' });
  const encoderLayers = [...convEncoderLayers(spec, stream), ...denseBlock(c.codeDim, c.codeActivation, 'code', stream)];
  const code = applyLayers(encoderLayers, input);
  const decoderLayers = convDecoderLayers(spec, stream);
  const codeInput = tfl.input({ shape: [c.codeDim], name: 'code_input' });
  return {
    model: tfl.model({ inputs: input, outputs: applyLayers(decoderLayers, code), name: 'conv_autoencoder' }),
    encoder: tfl.model({ inputs: input, outputs: code, name: 'encoder' }),
    decoder: tfl.model({ inputs: codeInput, outputs: applyLayers(decoderLayers, codeInput), name: 'decoder' }),
  };
}

/**
 * Builds a convolutional autoencoder: Conv2D layers (with optional max-pooling), Flatten, a Dense layer
 * named `code`; the decoder mirrors it (Dense, Reshape, Conv2DTranspose or UpSampling2D + Conv2D,
 * UpSampling2D for each pooling) and crops or pads where the mirror does not land on the encoder's size,
 * so the output shape equals the input shape for any image size the encoder accepts (28x28x1, 32x32x3,
 * 27x27x1...). It returns the same {@link Autoencoder} handle as the dense builders: `encoder` and
 * `decoder` are standalone models.
 *
 * @throws ConfigError for invalid fields, or an image too small for the layers (saying which layer).
 * @example
 * ```ts
 * // The course's exercise 8: two stride-2 convolutions, one pooling, a 32-d code.
 * const ae = convAE({ inputShape: [28, 28, 1], filters: [32, 32], strides: 2, padding: ['same', 'valid'],
 *   pooling: [0, 2], codeDim: 32, seed: 1 });
 * await ae.fit(images, { epochs: 25, batchSize: 32, optimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.95 } });
 * ```
 */
export function convAE(config: ConvAEConfig): Autoencoder {
  const { resolved, spec } = resolveConvAEConfig(config, 'convAE');
  const parts = buildConvAutoencoder(resolved, spec);
  return new AutoencoderModel({ kind: 'conv', config: { ...resolved }, loss: resolved.loss, seed: resolved.seed, ...parts });
}
