/**
 * The networks of the autoencoder builders: dense (input -> hidden layers -> [dropout] -> `code` ->
 * mirrored hidden layers -> reconstruction) and convolutional (the conv stack -> Flatten -> [dropout] ->
 * `code` -> the mirrored decoder). The decoder's layers are applied twice, in the full model and in the
 * standalone decoder, so the three models share their weights.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../../core/seed.js';
import { SeededDropout } from '../../layers/seededDropout.js';
import { applyLayers, denseBlock } from '../nets/blocks.js';
import { convDecoderLayers, convEncoderLayers, type ConvStackSpec } from '../nets/convStack.js';
import type { ResolvedAutoencoderOptions, ResolvedConvAEConfig, ResolvedDenseAEConfig } from './config.js';

/** The three models of an autoencoder: input -> reconstruction, input -> code, code -> reconstruction. */
export interface AutoencoderNetworks {
  model: tfl.LayersModel;
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
}

/** The encoder's head: the dropout before the code (if any) and the `code` layer. */
function codeLayers(c: ResolvedAutoencoderOptions, codeDim: number, stream: SeedStream): tfl.layers.Layer[] {
  const layers: tfl.layers.Layer[] = [];
  if (c.dropoutBeforeCode > 0) layers.push(new SeededDropout({ rate: c.dropoutBeforeCode, seed: stream.nextSeed(), name: 'code_dropout' }));
  layers.push(...denseBlock(codeDim, c.codeActivation, 'code', stream));
  return layers;
}

/** Wires encoder and decoder layers into the three models. */
function assemble(
  input: tfl.SymbolicTensor,
  encoderLayers: tfl.layers.Layer[],
  decoderLayers: tfl.layers.Layer[],
  codeDim: number,
  name: string,
): AutoencoderNetworks {
  const code = applyLayers(encoderLayers, input);
  const output = applyLayers(decoderLayers, code);
  const codeInput = tfl.input({ shape: [codeDim], name: 'code_input' });
  return {
    model: tfl.model({ inputs: input, outputs: output, name }),
    encoder: tfl.model({ inputs: input, outputs: code, name: 'encoder' }),
    decoder: tfl.model({ inputs: codeInput, outputs: applyLayers(decoderLayers, codeInput), name: 'decoder' }),
  };
}

/** Builds the three models of a dense autoencoder from a resolved config. */
export function buildDenseAutoencoder(c: ResolvedDenseAEConfig): AutoencoderNetworks {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: [c.inputDim], name: 'input' });
  const encoderLayers: tfl.layers.Layer[] = [];
  c.hiddenUnits.forEach((units, i) => encoderLayers.push(...denseBlock(units, c.activation, `encoder_${i + 1}`, stream)));
  encoderLayers.push(...codeLayers(c, c.codeDim, stream));
  const decoderLayers: tfl.layers.Layer[] = [];
  [...c.hiddenUnits].reverse().forEach((units, i) => decoderLayers.push(...denseBlock(units, c.activation, `decoder_${i + 1}`, stream)));
  decoderLayers.push(...denseBlock(c.inputDim, c.outputActivation, 'reconstruction', stream));
  return assemble(input, encoderLayers, decoderLayers, c.codeDim, 'autoencoder');
}

/** Builds the three models of a conv AE from a resolved config and its stack's shapes. */
export function buildConvAutoencoder(c: ResolvedConvAEConfig, spec: ConvStackSpec): AutoencoderNetworks {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: spec.inputShape, name: 'input' });
  const encoderLayers = [...convEncoderLayers(spec, stream), ...codeLayers(c, c.codeDim, stream)];
  const decoderLayers = convDecoderLayers(spec, stream);
  return assemble(input, encoderLayers, decoderLayers, c.codeDim, 'conv_autoencoder');
}
