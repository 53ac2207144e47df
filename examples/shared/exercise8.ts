/**
 * The course's exercise-8 convolutional autoencoder, shared by the demo, the tests and the benchmark.
 * @module
 */
import type { ConvAEConfig } from '../../src/index.js';

/**
 * Encoder Conv2D 32 3x3 stride 2 'same' -> Conv2D 32 3x3 stride 2 'valid' -> MaxPooling2D 2 -> Dense 32
 * `code` (28 -> 14 -> 6 -> 3); convAE mirrors it. Everything but the seed.
 */
export const EXERCISE_8: ConvAEConfig = {
  inputShape: [28, 28, 1],
  filters: [32, 32],
  kernelSize: 3,
  strides: 2,
  padding: ['same', 'valid'],
  pooling: [0, 2],
  codeDim: 32,
};

/** The exercise's optimizer: SGD, learning rate 0.01, momentum 0.95. */
export const EXERCISE_8_OPTIMIZER = { name: 'sgd', learningRate: 0.01, momentum: 0.95 } as const;
