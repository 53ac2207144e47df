/**
 * Learning checks for the convolutional autoencoders on 2,000 real MNIST digits, evaluated on 500 others.
 * Trained on wasm, whose convolution gradients latentkit supplies.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend, convAE, denoisingAE, gaussianNoise, interpolate, type ConvAEConfig } from '../../../src/index.js';
import { mnistDigits } from '../../helpers/mnist.js';

let xTrain: tf.Tensor4D;
let xTest: tf.Tensor4D;

// Two stride-2 'same' convolutions (28 -> 14 -> 7) and a 32-d code. (The course's exercise-8 variant,
// with a 'valid' second convolution and a 2x2 pooling down to 3x3, learns more slowly: it is trained in
// full, 25 epochs, by the benchmark and the demo.) A linear code, as the bound below was measured with
// (convAE's default code activation is relu since 0.1.0's consistency pass; with it, 5 epochs reach 41% of
// the baseline).
const small: ConvAEConfig = {
  inputShape: [28, 28, 1],
  filters: [32, 32],
  kernelSize: 3,
  strides: 2,
  padding: 'same',
  codeDim: 32,
  codeActivation: 'linear',
};

beforeAll(async () => {
  await useBackend('wasm');
  const train = mnistDigits(200, 0);
  const test = mnistDigits(50, 200);
  xTrain = tf.tensor4d(train.pixels, [train.n, 28, 28, 1]);
  xTest = tf.tensor4d(test.pixels, [test.n, 28, 28, 1]);
});

afterAll(() => tf.dispose([xTrain, xTest]));

const mse = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.mean(tf.squaredDifference(a, b)).dataSync()[0]!);
const frameMse = (frames: tf.Tensor, i: number, b: tf.Tensor) => tf.tidy(() => mse(tf.slice(frames, i, 1), b));

describe('conv autoencoders learn real digits', () => {
  it('conv AE, 5 epochs: test MSE below 40% of the mean-image baseline; interpolation ends decode to the reconstructions', async () => {
    const baseline = tf.tidy(() => mse(tf.broadcastTo(tf.mean(xTrain, 0, true), xTest.shape), xTest));
    const ae = convAE({ ...small, seed: 8 });
    const h = await ae.fit(xTrain, { epochs: 5, batchSize: 32, learningRate: 2e-3, verbose: 0 });
    expect(h['loss']![4]).toBeLessThan(h['loss']![0]!);
    const testMse = ae.evaluate(xTest, { metric: 'mse' }).mean;
    expect(testMse).toBeLessThan(0.4 * baseline);

    const before = tf.memory().numTensors;
    const [a, b] = [tf.slice(xTest, 128, 1), tf.slice(xTest, 198, 1)];
    const [za, zb] = [ae.encode(a), ae.encode(b)];
    const path = interpolate(za, zb, { steps: 10 });
    const frames = ae.decode(path);
    expect(frames.shape).toEqual([10, 28, 28, 1]);
    const [ra, rb] = [ae.reconstruct(a), ae.reconstruct(b)];
    expect(frameMse(frames, 0, ra)).toBeLessThan(1e-10);
    expect(frameMse(frames, 9, rb)).toBeLessThan(1e-10);
    // The middle frame is not just one of the ends.
    expect(frameMse(frames, 5, ra)).toBeGreaterThan(1e-4);
    tf.dispose([a, b, za, zb, path, frames, ra, rb]);
    expect(tf.memory().numTensors).toBe(before);
    ae.dispose();
  });

  it('conv denoising AE: denoised-vs-clean MSE below half of noisy-vs-clean', async () => {
    const dae = denoisingAE({ ...small, noise: { kind: 'gaussian', stddev: 0.5, clip: [0, 1] }, seed: 9 });
    await dae.fit(xTrain, { epochs: 5, batchSize: 32, learningRate: 2e-3, verbose: 0 });
    const noisy = gaussianNoise({ stddev: 0.5, clip: [0, 1] })(xTest, 4321);
    const denoised = dae.reconstruct(noisy);
    const ratio = mse(denoised, xTest) / mse(noisy, xTest);
    tf.dispose([noisy, denoised]);
    dae.dispose();
    expect(ratio).toBeLessThan(0.5);
  });
});
