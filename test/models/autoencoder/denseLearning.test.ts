/**
 * Learning checks for the dense autoencoders on 2,000 real MNIST digits (the `mnist` dev dependency),
 * evaluated on 500 other digits. Trained on wasm, the fast Node backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { useBackend, undercompleteAE, overcompleteSparseAE, denoisingAE, gaussianNoise } from '../../../src/index.js';
import { mnistDigits } from '../../helpers/mnist.js';

let xTrain: tf.Tensor2D;
let xTest: tf.Tensor2D;

beforeAll(async () => {
  await useBackend('wasm');
  const train = mnistDigits(200, 0);
  const test = mnistDigits(50, 200);
  xTrain = tf.tensor2d(train.pixels, [train.n, 784]);
  xTest = tf.tensor2d(test.pixels, [test.n, 784]);
});

afterAll(() => tf.dispose([xTrain, xTest]));

function mse(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.mean(tf.squaredDifference(a, b)).dataSync()[0]!);
}

describe('dense autoencoders learn real digits', () => {
  it('undercomplete AE with a 32-d code: test MSE below half of the mean-image baseline', async () => {
    const meanImage = tf.mean(xTrain, 0, true);
    const baseline = tf.tidy(() => mse(tf.broadcastTo(meanImage, xTest.shape), xTest));
    meanImage.dispose();
    const ae = undercompleteAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32, seed: 11 });
    const history = await ae.fit(xTrain, { epochs: 8, batchSize: 64, verbose: 0 });
    const test = ae.evaluate(xTest, { metric: 'mse' }).mean;
    ae.dispose();
    expect(history['loss']![history['loss']!.length - 1]).toBeLessThan(history['loss']![0]!);
    expect(test).toBeLessThan(0.5 * baseline);
  });

  it('sparse AE: the L1 penalty at least halves the mean absolute code activation', async () => {
    const meanAbsCode = async (l1: number) => {
      const sae = overcompleteSparseAE({ inputDim: 784, codeDim: 800, l1, seed: 5 });
      await sae.fit(xTrain, { epochs: 3, batchSize: 64, verbose: 0, seed: 9 });
      const code = sae.encode(xTest);
      const value = tf.tidy(() => tf.mean(tf.abs(code)).dataSync()[0]!);
      const rec = sae.evaluate(xTest, { metric: 'mse' }).mean;
      code.dispose();
      sae.dispose();
      return { value, rec };
    };
    const plain = await meanAbsCode(0);
    const sparse = await meanAbsCode(1e-3);
    expect(plain.value).toBeGreaterThan(0);
    expect(sparse.value).toBeLessThanOrEqual(0.5 * plain.value);
    // Sparse, yet still a useful reconstruction (better than an all-zero output).
    expect(sparse.rec).toBeLessThan(mse(tf.zerosLike(xTest), xTest));
  });

  it('denoising AE: denoised output is much closer to the clean digits than its noisy input', async () => {
    const dae = denoisingAE({
      inputDim: 784,
      hiddenUnits: [256],
      codeDim: 64,
      noise: { kind: 'gaussian', stddev: 0.5, clip: [0, 1] },
      seed: 3,
    });
    await dae.fit(xTrain, { epochs: 8, batchSize: 64, verbose: 0 });
    const noisy = gaussianNoise({ stddev: 0.5, clip: [0, 1] })(xTest, 1234);
    const denoised = dae.reconstruct(noisy);
    const noisyErr = mse(noisy, xTest);
    const denoisedErr = mse(denoised, xTest);
    tf.dispose([noisy, denoised]);
    dae.dispose();
    expect(denoisedErr / noisyErr).toBeLessThan(0.5);
  });
});
