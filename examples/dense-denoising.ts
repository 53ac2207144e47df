/**
 * Demo: a dense denoising autoencoder on real MNIST digits (`npm run demo`).
 *
 * The course's story: add uniform noise to handwritten digits (`x + U(0, 1) * 0.3`, clipped to [0, 1]),
 * train a 784-256-32-256-784 network to give back the clean digit, then look at what it does with test
 * digits it has never seen, and walk in a straight line through its 32-d code space from one digit to
 * another. Everything lands in one folder (default `out/demo/`): `clean.png`, `noisy.png`,
 * `denoised.png`, `interpolation.png`, `loss.svg` and an `index.html` report tying them together.
 *
 * @example
 * ```sh
 * npm run demo                                              # wasm backend, 3,000 digits, 15 epochs
 * npx tsx examples/dense-denoising.ts --epochs 1 --train 300 --out /tmp/demo
 * LATENTKIT_BACKEND=cpu npx tsx examples/dense-denoising.ts # the plain-JavaScript backend
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyNoise, BACKEND_NAMES, denoisingAE, interpolate, setSeed, useBackend, type BackendName, type NoiseSpec } from '../src/index.js';
import { lossCurve, saveImageGrid, writeReport } from '../src/viz/index.js';
// The data loader of src/data/ will replace this test helper.
import { mnistDigits } from '../test/helpers/mnist.js';

const USAGE = `usage: npx tsx examples/dense-denoising.ts [options]
  --epochs N      passes over the training digits (default 15)
  --train N       training digits, validation included, at most 8000 (default 3000)
  --test N        test digits, 200 to 630 (default 500)
  --out DIR       output folder (default out/demo)
  --seed N        seed of the weights, shuffling and noise (default 42)
  --backend NAME  wasm, cpu or tensorflow (tfjs-node) (default: LATENTKIT_BACKEND, else wasm)
  --help          this text`;

/** Digits of each class available in the mnist package: the test digits come from rows 800 on. */
const TEST_OFFSET = 800;
const MAX_TEST_PER_CLASS = 63;
/** The two test digits the course interpolates between. */
const FROM = 128;
const TO = 198;

interface Settings {
  epochs: number;
  train: number;
  test: number;
  out: string;
  seed: number;
  backend: BackendName;
}

function parseFlags() {
  return parseArgs({
    options: {
      epochs: { type: 'string' },
      train: { type: 'string' },
      test: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
}

/** A bad command line: reported with the usage text and exit code 2, without a stack trace. */
class UsageError extends Error {}

function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} ${value}: expected an integer in [${min}, ${max}]`);
  return n;
}

function readSettings(): Settings | undefined {
  let parsed;
  try {
    parsed = parseFlags();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const values = parsed.values;
  if (values.help) return undefined;
  const backend = values.backend ?? process.env['LATENTKIT_BACKEND'] ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend / LATENTKIT_BACKEND ${backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  return {
    epochs: intFlag('epochs', values.epochs, 15, 1, 1000),
    train: intFlag('train', values.train, 3000, 20, TEST_OFFSET * 10),
    test: intFlag('test', values.test, 500, TO + 2, MAX_TEST_PER_CLASS * 10),
    out: values.out ?? join('out', 'demo'),
    seed: intFlag('seed', values.seed, 42, 0, 2 ** 32 - 1),
    backend: backend as BackendName,
  };
}

/** `n` digits starting at row `offset` of each class, interleaved 0, 1, ..., 9, 0, 1, ... as `[n, 784]`, and their labels. */
function loadDigits(n: number, offset: number): { x: tf.Tensor2D; labels: Int32Array } {
  const { pixels, labels } = mnistDigits(Math.ceil(n / 10), offset);
  return { x: tf.tensor2d(pixels.subarray(0, n * 784), [n, 784]), labels: labels.subarray(0, n) };
}

async function main(): Promise<void> {
  const started = performance.now();
  const s = readSettings();
  if (!s) {
    console.log(USAGE);
    return;
  }
  const backend = await useBackend(s.backend);
  setSeed(s.seed);
  console.log(`backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}, tfjs ${backend.tfjsVersion}, seed ${s.seed}`);

  const xTrain = loadDigits(s.train, 0).x;
  const { x: xTest, labels: testLabels } = loadDigits(s.test, TEST_OFFSET);
  console.log(`MNIST: ${s.train} training digits (10% held out for validation), ${s.test} test digits`);

  const noise: NoiseSpec = { kind: 'uniform', scale: 0.3, clip: [0, 1] };
  const dae = denoisingAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32, noise });

  const batchSize = 64;
  const fitStart = performance.now();
  const history = await dae.fit(xTrain, { epochs: s.epochs, batchSize, validationSplit: 0.1, optimizer: 'adam', verbose: 1 });
  const fitSeconds = (performance.now() - fitStart) / 1000;
  const trainedExamples = (s.train - Math.floor(s.train * 0.1)) * history.epoch.length;
  const examplesPerSecond = trainedExamples / fitSeconds;

  // The test digits get the same kind of noise, drawn once with a fixed seed.
  const noisyTest = applyNoise(xTest, noise, { seed: s.seed + 1 });
  const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisyTest, xTest)).dataSync()[0]!);
  const denoisedMse = dae.evaluate(noisyTest, { target: xTest, metric: 'mse' }).mean;
  const cleanMse = dae.evaluate(xTest, { metric: 'mse' }).mean;

  const grid = { shape: [28, 28], rows: 4, cols: 8, scale: 2, padding: 1, background: 0.5 } as const;
  const shown = tf.tidy(() => {
    const clean = tf.slice(xTest, 0, 32);
    const noisy = tf.slice(noisyTest, 0, 32);
    return { clean, noisy, denoised: dae.reconstruct(noisy) };
  });
  const frames = tf.tidy(() => {
    const codeFrom = dae.encode(tf.slice(xTest, FROM, 1));
    const codeTo = dae.encode(tf.slice(xTest, TO, 1));
    return dae.decode(interpolate(codeFrom, codeTo, { steps: 10 }));
  });
  await saveImageGrid(join(s.out, 'clean.png'), shown.clean, grid);
  await saveImageGrid(join(s.out, 'noisy.png'), shown.noisy, grid);
  await saveImageGrid(join(s.out, 'denoised.png'), shown.denoised, grid);
  await saveImageGrid(join(s.out, 'interpolation.png'), frames, { ...grid, rows: 1, cols: 10 });
  tf.dispose([xTrain, xTest, noisyTest, shown.clean, shown.noisy, shown.denoised, frames]);
  dae.dispose();

  const svg = lossCurve(history, { title: 'Dense denoising autoencoder: reconstruction MSE' });
  await writeFile(join(s.out, 'loss.svg'), svg, 'utf8');

  const last = (name: string) => history[name]![history[name]!.length - 1]!;
  const seconds = (performance.now() - started) / 1000;
  const metrics: Record<string, string | number> = {
    'train loss (MSE, noisy in)': last('loss'),
    'val loss (MSE, noisy in)': last('valLoss'),
    'test MSE, noisy vs clean': noisyMse,
    'test MSE, denoised vs clean': denoisedMse,
    'test MSE, clean in (plain reconstruction)': cleanMse,
    'examples/s (training)': Math.round(examplesPerSecond),
    backend: `${backend.name}${backend.simd ? ' (SIMD)' : ''}, ${backend.threads} thread${backend.threads === 1 ? '' : 's'}`,
    epochs: history.epoch.length,
    'training digits (incl. validation)': s.train,
    'test digits': s.test,
    'wall time (s)': Number(seconds.toFixed(1)),
  };
  const page = await writeReport(s.out, {
    title: 'Denoising handwritten digits with a dense autoencoder',
    sections: [
      {
        heading: 'The model',
        text:
          `A dense autoencoder 784-256-32-256-784 (ReLU, sigmoid output) learns to remove noise: at every training step each ` +
          `batch of digits is corrupted as x + U(0, 1) * 0.3, clipped to [0, 1], and the network is asked for the clean digit ` +
          `(mean squared error, Adam, batch ${batchSize}, ${history.epoch.length} epochs, ${s.train} MNIST digits of which 10% ` +
          `held out for validation).\n\n` +
          `Below, ${s.test} test digits it never saw, corrupted the same way. The noise is not centred (it adds 0.15 on ` +
          `average), and the network learns to expect it: fed clean digits, it reconstructs them worse than noisy ones ` +
          `(last row of the metrics' MSEs).`,
      },
      {
        heading: 'Test digits: clean, noisy, denoised',
        images: [
          { file: 'clean.png', caption: 'the first 32 test digits' },
          { file: 'noisy.png', caption: 'the same digits with uniform noise (the input)' },
          { file: 'denoised.png', caption: 'what the autoencoder gives back' },
        ],
      },
      {
        heading: 'A walk through the code space',
        text: `Test digits ${FROM} (label ${testLabels[FROM]}) and ${TO} (label ${testLabels[TO]}) are encoded into 32-d codes; ten evenly spaced points on the straight line between the two codes are decoded.`,
        images: [{ file: 'interpolation.png', caption: `decode(interpolate(encode(test[${FROM}]), encode(test[${TO}])))` }],
      },
      { heading: 'Training', svg },
      { heading: 'Final metrics', table: metrics },
    ],
  });

  console.log(
    `train loss ${last('loss').toFixed(4)} - val loss ${last('valLoss').toFixed(4)} - test MSE noisy ${noisyMse.toFixed(4)} ` +
      `-> denoised ${denoisedMse.toFixed(4)} - ${Math.round(examplesPerSecond)} examples/s - ${seconds.toFixed(1)}s`,
  );
  console.log(`report: ${resolve(page)}`);
}

main().catch((error: unknown) => {
  // Report the error ourselves: an uncaught exception makes the wasm glue print its whole source.
  if (error instanceof UsageError) {
    console.error(`${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
