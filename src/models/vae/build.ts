/**
 * The networks of a VAE: the encoder (dense layers or the conv stack, then Dense `mean` and `logVar`), the
 * reparameterization layer `z`, the decoder (mirrored), and the views the training step needs (the
 * decoder's logits for a Bernoulli likelihood, the learned output variance for a Gaussian one).
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../../core/seed.js';
import { GaussianSampling, OutputLogVariance } from '../../layers/sampling.js';
import { activationLayers, applyLayers, denseBlock, seededGlorot } from '../nets/blocks.js';
import { convDecoderLayers, convEncoderLayers, type ConvStackSpec } from '../nets/convStack.js';
import type { ResolvedVAEConfig } from './config.js';
import type { VaeNetworks } from './task.js';

/** The models of a VAE, built from a resolved config. */
export interface VaeBuild extends VaeNetworks {
  decoder: tfl.LayersModel;
}

/** Builds a VAE's models from a resolved config (and, for a conv VAE, its stack's shapes). */
export function buildVAE(c: ResolvedVAEConfig, spec: ConvStackSpec | undefined): VaeBuild {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: c.inputShape, name: 'input' });
  let features: tfl.SymbolicTensor;
  let decoderLayers: tfl.layers.Layer[];
  if (c.architecture === 'dense') {
    const encoderLayers: tfl.layers.Layer[] = c.inputShape.length > 1 ? [tfl.layers.flatten({ name: 'encoder_flatten' })] : [];
    c.hiddenUnits.forEach((units, i) => encoderLayers.push(...denseBlock(units, c.activation, `encoder_${i + 1}`, stream)));
    features = applyLayers(encoderLayers, input);
    decoderLayers = [];
    [...c.hiddenUnits].reverse().forEach((units, i) => decoderLayers.push(...denseBlock(units, c.activation, `decoder_${i + 1}`, stream)));
    const size = c.inputShape.reduce((a, b) => a * b, 1);
    decoderLayers.push(tfl.layers.dense({ units: size, kernelInitializer: seededGlorot(stream), name: 'reconstruction' }));
    if (c.inputShape.length > 1) decoderLayers.push(tfl.layers.reshape({ targetShape: c.inputShape, name: 'reconstruction_reshape' }));
  } else {
    features = applyLayers(convEncoderLayers(spec!, stream), input);
    decoderLayers = convDecoderLayers(spec!, stream);
  }
  const meanLayer = tfl.layers.dense({ units: c.latentDim, kernelInitializer: seededGlorot(stream), name: 'mean' });
  const logVarLayer = tfl.layers.dense({ units: c.latentDim, kernelInitializer: seededGlorot(stream), name: 'logVar' });
  const sampling = new GaussianSampling({ seed: stream.nextSeed(), name: 'z' });
  const outputLayers = activationLayers(c.outputActivation, 'reconstruction_mean');
  const mean = meanLayer.apply(features) as tfl.SymbolicTensor;
  const logVar = logVarLayer.apply(features) as tfl.SymbolicTensor;
  const z = sampling.apply([mean, logVar]) as tfl.SymbolicTensor;

  const learned = c.likelihood === 'gaussian' && c.gaussianVariance === 'learned';
  const outputLogVariance = learned ? new OutputLogVariance({ name: 'output_log_variance' }) : undefined;
  let output = applyLayers(outputLayers, applyLayers(decoderLayers, z));
  if (outputLogVariance) output = outputLogVariance.apply(output) as tfl.SymbolicTensor;

  const zInput = tfl.input({ shape: [c.latentDim], name: 'z_input' });
  const params = applyLayers(decoderLayers, zInput);
  const decoder = tfl.model({ inputs: zInput, outputs: applyLayers(outputLayers, params), name: 'decoder' });
  return {
    model: tfl.model({ inputs: input, outputs: output, name: 'vae' }),
    encoder: tfl.model({ inputs: input, outputs: [mean, logVar], name: 'encoder' }),
    decoder,
    decoderParams: c.likelihood === 'bernoulli' ? tfl.model({ inputs: zInput, outputs: params, name: 'decoder_logits' }) : decoder,
    sampling,
    likelihood: c.likelihood,
    outputLogVariance,
  };
}

