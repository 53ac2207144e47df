/**
 * The course's exercise-8 convolutional autoencoder, shared by the demo, the tests and the benchmark.
 * @module
 */
import type { ConvAEConfig } from '../../src/index.js';

/**
 * Encoder Conv2D 32 3x3 stride 2 'same' -> Conv2D 32 3x3 stride 2 'valid' -> MaxPooling2D 2 -> Dense 32 relu
 * `code` (28 -> 14 -> 6 -> 3); convAE mirrors it. Everything but the seed.
 *
 * The exercise fixes the encoder, not the decoder. Its optimizer (SGD 0.01, momentum 0.95, MSE) drives
 * the Conv2DTranspose mirror to an all-dark output in the first epoch and it stays there (train MSE
 * 0.0957 after 5 epochs and 0.076 after 25, worse than the mean image, 0.067; cpu and wasm gradients agree
 * to 4e-7, so it is the optimisation, not the kernels); the upsampling mirror learns (0.072 after 5
 * epochs, 0.039 after 25) and draws digits, so the demo and the benchmark use it.
 */
export const EXERCISE_8: ConvAEConfig = {
  inputShape: [28, 28, 1],
  filters: [32, 32],
  kernelSize: 3,
  strides: 2,
  padding: ['same', 'valid'],
  pooling: [0, 2],
  codeDim: 32,
  decoder: 'upsample',
};

/** The exercise's optimizer: SGD, learning rate 0.01, momentum 0.95. */
export const EXERCISE_8_OPTIMIZER = { name: 'sgd', learningRate: 0.01, momentum: 0.95 } as const;
