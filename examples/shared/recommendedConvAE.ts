/**
 * The convolutional autoencoder latentkit recommends for 28x28 digits (not the course's exercise 8, which
 * pools, uses a 'valid' convolution and trains with SGD): two 3x3 stride-2 'same' convolutions (32 and 64
 * filters, 28 -> 14 -> 7), a linear 32-d code, the mirrored Conv2DTranspose decoder, trained with Adam 1e-3
 * on MSE, batch 128. On the full MNIST it reaches a test MSE below 0.010 within a few epochs
 * (`npm run bench -- quality --cases convAE`; figures in the README's "Reproduced results").
 * @module
 */
import type { ConvAEConfig } from '../../src/index.js';

/** The network: everything but the seed. */
export const RECOMMENDED_CONV_AE: ConvAEConfig = {
  inputShape: [28, 28, 1],
  filters: [32, 64],
  kernelSize: 3,
  strides: 2,
  padding: 'same',
  codeDim: 32,
  codeActivation: 'linear',
  decoder: 'transpose',
};

/** Its training: Adam 1e-3 (tfjs's epsilon 1e-7), MSE, batch 128. */
export const RECOMMENDED_CONV_AE_TRAINING = { optimizer: { name: 'adam', learningRate: 1e-3 }, batchSize: 128 } as const;
