/**
 * A dense denoising autoencoder on real MNIST digits.
 *
 * Add uniform noise to handwritten digits (`x + U(0, 1) * 0.3`, clipped to [0, 1]), train a
 * 784-256-32-256-784 network to give back the clean digit, then look at what it does with test digits it
 * has never seen, and walk in a straight line through its 32-d code space from one digit to another.
 * Everything lands in one folder (default `out/dense-denoising/`).
 *
 * @example
 * ```sh
 * npx tsx examples/dense-denoising.ts                        # wasm backend, 3,000 digits, 15 epochs
 * LATENTKIT_BACKEND=cpu npx tsx examples/dense-denoising.ts  # the plain-JavaScript backend
 * ```
 * @module
 */
import { resolve } from 'node:path';
import { denoisingAE, loadMnist, type NoiseSpec } from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { UNSEEN_NOISES, arrow, writeDenoisingReport } from './shared/denoisingReport.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 15, min: 1, max: 1000, help: 'passes over the training digits' },
  train: { default: 3000, min: 20, max: 8000, help: 'training digits, 10% held out for validation' },
  test: { default: 500, min: 200, max: 2000, help: 'test digits' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the split, weights, shuffling and noise' },
};
const OUT = 'out/dense-denoising';
const USAGE = usageText('dense-denoising.ts', FLAGS, OUT);

async function main(): Promise<void> {
  const started = performance.now();
  const start = await startExample(FLAGS, OUT, USAGE);
  if (!start) return;
  const { settings: s, backend } = start;
  const { epochs, train, test, seed } = s.ints as { epochs: number; train: number; test: number; seed: number };
  const mnist = await loadMnist({ train, test, seed, flat: true });

  const noise: NoiseSpec = { kind: 'uniform', scale: 0.3, clip: [0, 1] };
  const dae = denoisingAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32, noise });
  const batchSize = 64;
  const fitStart = performance.now();
  const history = await dae.fit(mnist.xTrain, { epochs, batchSize, validationSplit: 0.1, optimizer: 'adam', verbose: 1 });
  const trained = (train - Math.floor(train * 0.1)) * history.epoch.length;
  const examplesPerSecond = trained / ((performance.now() - fitStart) / 1000);

  const { page, noises, cleanMse } = await writeDenoisingReport({
    title: 'Denoising handwritten digits with a dense autoencoder',
    modelText:
      'A dense autoencoder 784-256-32-256-784 (ReLU, sigmoid output) learns to remove noise: at every training step each ' +
      'batch of digits is corrupted as x + U(0, 1) * 0.3, clipped to [0, 1], and the network is asked for the clean digit ' +
      `(mean squared error, Adam, batch ${batchSize}, ${history.epoch.length} epochs, ${train} MNIST digits of which 10% ` +
      'held out for validation).',
    noise: { label: 'x + U(0,1)·0.3, clipped to [0, 1]', tag: 'uniform', noise },
    noiseText:
      'The noise adds U(0, 1) * 0.3 to every pixel, then clips to [0, 1]: it is not centred (the background turns grey, 0.15 ' +
      'on average) and the network learns to expect it: fed clean digits, it may reconstruct them worse than noisy ones ' +
      '(see the table). It is also measured on two noises it never saw in training.',
    otherNoises: UNSEEN_NOISES,
    ae: dae,
    history,
    xTest: mnist.xTest,
    testLabels: mnist.yTest.dataSync(),
    from: 128,
    to: 198,
    seed,
    out: s.out,
    extraMetrics: {
      'examples/s (training)': Math.round(examplesPerSecond),
      backend: backendLabel(backend),
      epochs: history.epoch.length,
      'wall time (s)': Number(((performance.now() - started) / 1000).toFixed(1)),
    },
  });
  dae.dispose();
  mnist.dispose();
  const [withTraining, ...stronger] = noises;
  console.log(
    `test MSE to the clean digits, noisy input -> denoised output: training noise ${arrow(withTraining!)} (from clean digits ${cleanMse.toFixed(4)}); ` +
      `${stronger.map((f) => `${f.label.split(' (')[0]} ${arrow(f)}`).join('; ')} - ${Math.round(examplesPerSecond)} examples/s`,
  );
  console.log(`report: ${resolve(page)}`);
}

runExample(USAGE, main);
