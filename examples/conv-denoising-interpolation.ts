/**
 * The course's exercise 8, as a library call (`npm run demo`): a convolutional denoising autoencoder on
 * real MNIST digits, then a walk through its code space.
 *
 * 3,000 training digits, corrupted at every step as `x + U(0, 1) * 0.3`; encoder Conv2D 32 3x3 stride 2
 * 'same' -> Conv2D 32 3x3 stride 2 'valid' -> MaxPooling2D 2 -> Dense 32 `code`; a mirrored decoder
 * (upsampling + convolution: with this optimizer the transposed-convolution mirror stalls at a blank
 * output for the whole 25 epochs, see examples/shared/exercise8.ts);
 * SGD lr 0.01 momentum 0.95, MSE, 25 epochs, batch 32. Then test digits 128 and 198 are encoded, their
 * codes interpolated in 10 steps and decoded. Everything lands in one folder (default `out/demo/`):
 * `clean.png`, `noisy.png`, `denoised.png`, `interpolation.png`, `loss.svg` and `index.html`.
 *
 * @example
 * ```sh
 * npm run demo                                                          # wasm, the full exercise
 * npx tsx examples/conv-denoising-interpolation.ts --epochs 1 --train 300 --out /tmp/demo
 * ```
 * @module
 */
import { resolve } from 'node:path';
import { denoisingAE, loadMnist, type NoiseSpec } from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { writeDenoisingReport } from './shared/denoisingReport.js';
import { EXERCISE_8, EXERCISE_8_OPTIMIZER } from './shared/exercise8.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 25, min: 1, max: 1000, help: 'passes over the training digits' },
  train: { default: 3000, min: 10, max: 8000, help: 'training digits' },
  test: { default: 500, min: 200, max: 2000, help: 'test digits (validation and pictures)' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the split, weights, shuffling and noise' },
};
const OUT = 'out/demo';
const USAGE = usageText('conv-denoising-interpolation.ts', FLAGS, OUT);

async function main(): Promise<void> {
  const started = performance.now();
  const start = await startExample(FLAGS, OUT, USAGE);
  if (!start) return;
  const { settings: s, backend } = start;
  const { epochs, train, test, seed } = s.ints as { epochs: number; train: number; test: number; seed: number };
  const mnist = await loadMnist({ train, test, seed });
  console.log(`MNIST: ${train} training digits, ${test} test digits (from the mnist package's 10,000)`);

  // The course's corruption, unclipped: x + np.random.rand(...) * 0.3.
  const noise: NoiseSpec = { kind: 'uniform', scale: 0.3 };
  const dae = denoisingAE({ ...EXERCISE_8, noise });
  const batchSize = 32;
  const fitStart = performance.now();
  const history = await dae.fit(mnist.xTrain, {
    epochs,
    batchSize,
    validationData: mnist.xTest,
    optimizer: EXERCISE_8_OPTIMIZER,
    verbose: 1,
  });
  const examplesPerSecond = (train * history.epoch.length) / ((performance.now() - fitStart) / 1000);
  const testLabels = mnist.yTest.dataSync();

  const { page, noisyMse, denoisedMse } = await writeDenoisingReport({
    title: 'Exercise 8: a convolutional denoising autoencoder',
    modelText:
      'Encoder: Conv2D 32 3x3 stride 2 same, Conv2D 32 3x3 stride 2 valid, MaxPooling2D 2, Dense 32 (the code). ' +
      'Decoder: the mirror (Dense 288, Reshape 3x3x32, UpSampling2D 2, UpSampling2D 2 + Conv2D 32 3x3, a 1-pixel pad ' +
      'back to 14x14, UpSampling2D 2 + Conv2D 1 3x3 with a sigmoid). At every training step each batch is corrupted as ' +
      `x + U(0, 1) * 0.3 and the network is asked for the clean digit (MSE, SGD lr 0.01 momentum 0.95, batch ${batchSize}, ` +
      `${history.epoch.length} epochs, ${train} digits; validation on the ${test} test digits with noise drawn once).`,
    ae: dae,
    history,
    noise,
    xTest: mnist.xTest,
    testLabels,
    from: 128,
    to: 198,
    seed,
    out: s.out,
    extraMetrics: {
      'examples/s (training)': Math.round(examplesPerSecond),
      backend: backendLabel(backend),
      epochs: history.epoch.length,
      'training digits': train,
      'test digits': test,
      'wall time (s)': Number(((performance.now() - started) / 1000).toFixed(1)),
    },
  });
  dae.dispose();
  mnist.dispose();
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `test MSE noisy ${noisyMse.toFixed(4)} -> denoised ${denoisedMse.toFixed(4)} - ${Math.round(examplesPerSecond)} examples/s - ${seconds.toFixed(1)}s`,
  );
  console.log(`report: ${resolve(page)}`);
}

runExample(USAGE, main);
