/**
 * Example: a DCGAN on real MNIST digits, unconditional or conditional on the digit.
 *
 * The digits (from the `mnist` package, read with the test helper `mnistDigits` until the data loaders of
 * src/data/ cover it) are scaled to [-1, 1] for the generator's tanh output. The GAN is the dcgan architecture:
 * z(64) -> 7x7x64 -> 14x14x32 -> 28x28x1 with batch norm and ReLU in the generator, two stride-2 leaky-ReLU
 * convolutions (32, 64) in the discriminator, the non-saturating loss and Adam 2e-4 (beta1 0.5), batches
 * of 64 (the `GAN.fit` defaults for dcgan). With `--conditional` the label's one-hot code is fed to both
 * networks (joined to z, and as 10 constant channels beside the discriminator's image) and the sample
 * grids have one row per digit, 0 to 9.
 *
 * To judge the samples without downloading anything, the example trains a small digit classifier
 * (784 -> 128 ReLU -> 10 softmax) on 4,000 real digits and scores 1,000 samples with
 * `sampleQuality`: the share it recognises with confidence >= 0.9, and the entropy of its labels (2.30
 * nats when all ten digits are equally frequent). For the conditional GAN it also reports how often the
 * classifier agrees with the requested digit.
 *
 * Output (default `out/gan-mnist/` or `out/gan-mnist-conditional/`): `samples-epoch-<n>.png` every few
 * epochs (same z each time), `index.html` with the grids, loss and accuracy curves and the scores, and
 * `quality.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/gan-mnist.ts                      # wasm, 6,000 digits, 15 epochs (about 10 minutes)
 * npx tsx examples/gan-mnist.ts --conditional
 * npx tsx examples/gan-mnist.ts --epochs 1 --train 640 --out /tmp/gan-mnist   # a quick look
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, useBackend, type BackendName } from '../src/index.js';
import { GAN, type GenerativeAdversarialNetwork } from '../src/index.js';
import { sampleQuality } from '../src/index.js';
import { lossCurve, saveImageGrid, writeReport, type ReportImage } from '../src/index.js';
// The data loader of src/data/ will replace this test helper.
import { mnistDigits } from '../test/helpers/mnist.js';

const USAGE = `usage: npx tsx examples/gan-mnist.ts [options]
  --conditional   condition both networks on the digit (one grid row per digit)
  --epochs N      passes over the training digits (default 15)
  --train N       training digits, a multiple of 10, at most 7000 (default 6000)
  --every N       save a sample grid every N epochs (default 2)
  --out DIR       output folder (default out/gan-mnist, or out/gan-mnist-conditional)
  --seed N        seed of the weights, the training and the samples (default 42)
  --backend NAME  wasm or cpu (default: LATENTKIT_BACKEND, else wasm)
  --help          this text`;

/** Rows of each digit's file: the classifier trains on the first 400 (which the GAN may also see) and is tested on 100 rows no model sees. */
const CLASSIFIER_TRAIN_PER_CLASS = 400;
const HELD_OUT_OFFSET = 760;
const HELD_OUT_PER_CLASS = 100;

function intFlag(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`--${name} ${value}: expected an integer in [${min}, ${max}]`);
  return n;
}

/** `perClass` digits of each class from `offset`: pixels `[N, 28, 28, 1]` in [0, 1], and labels. */
function loadDigits(perClass: number, offset: number): { x: tf.Tensor4D; labels: Int32Array } {
  const d = mnistDigits(perClass, offset);
  return { x: tf.tensor4d(d.pixels, [d.n, 28, 28, 1]), labels: d.labels };
}

/** A small digit classifier, trained here on real digits, to judge the samples. */
async function trainClassifier(seed: number): Promise<{ model: tfl.LayersModel; testAccuracy: number }> {
  const train = loadDigits(CLASSIFIER_TRAIN_PER_CLASS, 0);
  const test = loadDigits(HELD_OUT_PER_CLASS, HELD_OUT_OFFSET);
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [28, 28, 1] }),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const y = tf.tensor1d(train.labels, 'float32');
  // The digits come interleaved by class: no shuffling needed, and none means no Math.random.
  await model.fit(train.x, y, { epochs: 8, batchSize: 64, shuffle: false, verbose: 0 });
  const predicted = tf.tidy(() => tf.argMax(model.predict(test.x) as tf.Tensor, 1).dataSync());
  let right = 0;
  predicted.forEach((p, i) => (right += p === test.labels[i] ? 1 : 0));
  tf.dispose([train.x, test.x, y]);
  return { model, testAccuracy: right / test.labels.length };
}

/** Samples in [-1, 1] mapped to [0, 1] for pictures and for the classifier. */
function toUnit(samples: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.div(tf.add(samples, 1), 2), 0, 1));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conditional: { type: 'boolean' },
      epochs: { type: 'string' },
      train: { type: 'string' },
      every: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const conditional = values.conditional ?? false;
  const epochs = intFlag('epochs', values.epochs, 15, 1, 1000);
  const train = intFlag('train', values.train, 6000, 10, 7000);
  const every = intFlag('every', values.every, 2, 1, 1000);
  const seed = intFlag('seed', values.seed, 42, 0, 2 ** 31 - 1);
  const out = values.out ?? join('out', conditional ? 'gan-mnist-conditional' : 'gan-mnist');
  const backendName = values.backend ?? process.env['LATENTKIT_BACKEND'] ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(backendName)) throw new Error(`--backend ${backendName}: expected wasm or cpu`);
  const backend = await useBackend(backendName as BackendName);
  console.log(`backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}, seed ${seed}, ${conditional ? 'conditional' : 'unconditional'}`);

  const started = performance.now();
  const classifier = await trainClassifier(seed);
  console.log(`judge: a 784-128-10 classifier, ${(100 * classifier.testAccuracy).toFixed(1)}% right on 1,000 held-out real digits`);

  const digits = loadDigits(Math.floor(train / 10), 0);
  const x = tf.tidy(() => tf.sub(tf.mul(digits.x, 2), 1));
  digits.x.dispose();
  const gan: GenerativeAdversarialNetwork = GAN({
    architecture: 'dcgan',
    dataShape: [28, 28, 1],
    zDim: 64,
    generatorFilters: [64, 32],
    discriminatorFilters: [32, 64],
    numClasses: conditional ? 10 : undefined,
    seed,
  });
  // Grid labels: one row per digit for the conditional GAN.
  const gridLabels = conditional ? Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)) : undefined;
  const gridCount = conditional ? 100 : 64;
  const grid = { shape: [28, 28], cols: conditional ? 10 : 8, scale: 2, padding: 1, background: 0.5 } as const;
  const images: ReportImage[] = [];
  await mkdir(out, { recursive: true });
  const saveGrid = async (label: string, epoch: number) => {
    const samples = gan.sample(gridCount, { labels: gridLabels, seed: seed + 1 });
    const unit = toUnit(samples);
    const file = `samples-epoch-${epoch}.png`;
    await saveImageGrid(join(out, file), unit, grid);
    tf.dispose([samples, unit]);
    images.push({ file, caption: label });
  };
  await saveGrid('before training', 0);
  const fitStart = performance.now();
  const history = await gan.fit(x, {
    labels: conditional ? digits.labels : undefined,
    epochs,
    batchSize: 64,
    verbose: 1,
    callbacks: {
      async onEpochEnd(epoch) {
        if ((epoch + 1) % every === 0 || epoch + 1 === epochs) await saveGrid(`epoch ${epoch + 1}`, epoch + 1);
      },
    },
  });
  const fitSeconds = (performance.now() - fitStart) / 1000;
  const steps = gan.updates.discriminator;

  // Judge 1,000 samples (100 of each digit for the conditional GAN).
  const judgeLabels = conditional ? Array.from({ length: 1000 }, (_, i) => i % 10) : undefined;
  const judged = gan.sample(1000, { labels: judgeLabels, seed: seed + 2 });
  const unit = toUnit(judged);
  const quality = sampleQuality(classifier.model, unit);
  let agreement: number | undefined;
  if (judgeLabels) {
    const predicted = tf.tidy(() => tf.argMax(classifier.model.predict(unit) as tf.Tensor, 1).dataSync());
    agreement = judgeLabels.filter((l, i) => predicted[i] === l).length / judgeLabels.length;
  }
  const realUnit = loadDigits(HELD_OUT_PER_CLASS, HELD_OUT_OFFSET).x;
  const realQuality = sampleQuality(classifier.model, realUnit);
  tf.dispose([judged, unit, realUnit]);

  const figures = {
    conditional,
    confidentShare: quality.confidentShare,
    labelEntropy: quality.labelEntropy,
    normalizedEntropy: quality.normalizedEntropy,
    histogram: quality.histogram,
    agreementWithRequestedDigit: agreement,
    realDigits: { confidentShare: realQuality.confidentShare, labelEntropy: realQuality.labelEntropy },
    classifierTestAccuracy: classifier.testAccuracy,
    epochs,
    trainingDigits: train,
    steps,
    fitSeconds,
    stepsPerSecond: steps / fitSeconds,
    backend: backend.name,
    seed,
  };
  await writeFile(join(out, 'quality.json'), JSON.stringify(figures, null, 2) + '\n');
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  console.log(
    `samples: ${pct(quality.confidentShare)} recognised with confidence >= 0.9 (real digits: ${pct(realQuality.confidentShare)}), ` +
      `label entropy ${quality.labelEntropy.toFixed(2)} of ${Math.log(10).toFixed(2)} nats` +
      (agreement === undefined ? '' : `, ${pct(agreement)} classified as the digit asked for`) +
      `; ${steps} steps in ${fitSeconds.toFixed(0)} s`,
  );

  const table: Record<string, string | number> = {
    'samples recognised (confidence >= 0.9)': pct(quality.confidentShare),
    'same, for 1,000 real digits': pct(realQuality.confidentShare),
    'label entropy (nats, max 2.30)': Number(quality.labelEntropy.toFixed(3)),
    'labels per digit 0-9': quality.histogram.join(' '),
  };
  if (agreement !== undefined) table['classified as the digit asked for'] = pct(agreement);
  Object.assign(table, {
    'judge accuracy on real held-out digits': pct(classifier.testAccuracy),
    'training digits': train,
    'steps (1 D + 1 G update each)': steps,
    'training seconds': Number(fitSeconds.toFixed(1)),
    backend: backend.name,
  });
  await writeReport(out, {
    title: `DCGAN on MNIST${conditional ? ', conditional on the digit' : ''}`,
    sections: [
      {
        heading: 'Samples',
        text:
          `The same z at every snapshot${conditional ? '; row k asks for digit k' : ''}. Generator z(64) -> 7x7x64 -> 14x14x32 -> ` +
          '28x28 (transposed convolutions, batch norm, ReLU, tanh out); discriminator 28x28 -> 14x14x32 -> 7x7x64 -> 1 ' +
          `(stride-2 convolutions, leaky ReLU); non-saturating loss, Adam 2e-4 (beta1 0.5), batch 64, ${train} digits, ${epochs} epochs.`,
        images,
      },
      { heading: 'Quality, judged by a small classifier trained on real digits', table },
      { heading: 'Losses', svg: lossCurve({ epoch: history.epoch, dLoss: history['dLoss']!, gLoss: history['gLoss']! }, { title: 'discriminator and generator losses' }) },
      {
        heading: 'Discriminator accuracy',
        svg: lossCurve(
          { epoch: history.epoch, dAccuracyReal: history['dAccuracyReal']!, dAccuracyFake: history['dAccuracyFake']! },
          { title: 'share of real / generated digits classified right', yLabel: 'accuracy' },
        ),
      },
    ],
  });
  console.log(`report: ${join(out, 'index.html')} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
  gan.dispose();
  classifier.model.dispose();
  x.dispose();
}

await main();
