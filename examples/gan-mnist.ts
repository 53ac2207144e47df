/**
 * Example: a DCGAN on real MNIST digits: unlabelled (self-conditioned, or plain) or conditional on the digit.
 *
 * The digits (from the `mnist` package, read with the test helper `mnistDigits` until the data loaders of
 * src/data/ cover it) are scaled to [-1, 1] for the generator's tanh output. The GAN is the dcgan architecture:
 * z(64) -> 7x7x64 -> 14x14x32 -> 28x28x1 with batch norm and ReLU in the generator, two stride-2 leaky-ReLU
 * convolutions (32, 64) in the discriminator, the non-saturating loss and Adam 2e-4 (beta1 0.5), batches
 * of 16 with two generator updates per discriminator update (the `GAN.fit` defaults for dcgan;
 * they were batches of 64 and one update each here: 27.7% of samples recognised after 15 epochs, then 41.8%).
 * By default the GAN is self-conditioned (`selfConditioning: true`): it never sees a label, but clusters
 * the digits into 40 groups by k-means before training and is conditioned on each digit's group, each
 * sample drawing its group in proportion to the groups' sizes (after Liu et al. 2020); `--plain` trains
 * the same DCGAN without it. With `--conditional` the label's one-hot code is fed to both
 * networks (joined to z, and as 10 constant channels beside the discriminator's image) and the sample
 * grids have one row per digit, 0 to 9.
 *
 * To judge the samples without downloading anything, the example trains a small digit classifier
 * (784 -> 128 ReLU -> 10 softmax) on 4,000 real digits and scores 1,000 samples with
 * `sampleQuality`: the share it recognises with confidence >= 0.9, and the entropy of its labels (2.30
 * nats when all ten digits are equally frequent). For the conditional GAN it also reports how often the
 * classifier agrees with the requested digit.
 *
 * Output (default `out/gan-mnist/`, `out/gan-mnist-plain/` or `out/gan-mnist-conditional/`): `samples-epoch-<n>.png` every few
 * epochs (same z each time), `index.html` with the grids, loss and accuracy curves and the scores, and
 * `quality.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/gan-mnist.ts                      # wasm, 6,000 digits, 15 epochs (5,625 steps; 12-14 minutes on one thread beside another job)
 * npx tsx examples/gan-mnist.ts --plain              # no self-conditioning
 * npx tsx examples/gan-mnist.ts --conditional
 * npx tsx examples/gan-mnist.ts --epochs 1 --train 640 --out /tmp/gan-mnist   # a quick look
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { GAN, lossCurve, saveImageGrid, writeReport, type GenerativeAdversarialNetwork, type ReportImage } from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { ganDigits, ganMnistConfig, judgeDigits, toUnit, trainDigitJudge } from './shared/digitJudge.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 15, min: 1, max: 1000, help: 'passes over the training digits' },
  train: { default: 6000, min: 10, max: 7000, help: 'training digits, a multiple of 10' },
  every: { default: 2, min: 1, max: 1000, help: 'save a sample grid every N epochs' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the weights, the training and the samples' },
};
const SWITCHES = {
  conditional: 'condition both networks on the digit (one grid row per digit)',
  plain: 'unlabelled without self-conditioning (the plain DCGAN)',
};
const USAGE = usageText('gan-mnist.ts', FLAGS, 'out/gan-mnist (out/gan-mnist-plain, out/gan-mnist-conditional)', { switches: SWITCHES });

async function main(): Promise<void> {
  const start = await startExample(FLAGS, 'out/gan-mnist', USAGE, { switches: SWITCHES });
  if (!start) return;
  const { settings: st, backend } = start;
  const conditional = st.switches['conditional'] === true;
  const plain = st.switches['plain'] === true;
  if (conditional && plain) throw new Error('--conditional and --plain: choose one (--plain is an unlabelled GAN)');
  const conditioning = conditional ? 'label' : plain ? 'none' : 'self';
  const { epochs, train, every, seed } = st.ints as Record<'epochs' | 'train' | 'every' | 'seed', number>;
  const out = resolve(st.out === 'out/gan-mnist' && conditioning !== 'self' ? (conditional ? 'out/gan-mnist-conditional' : 'out/gan-mnist-plain') : st.out);

  const started = performance.now();
  const judge = await trainDigitJudge(seed);
  console.log(`judge: a 784-128-10 classifier, ${(100 * judge.testAccuracy).toFixed(1)}% right on 1,000 held-out real digits`);

  const digits = ganDigits(Math.floor(train / 10));
  const x = digits.x;
  const gan: GenerativeAdversarialNetwork = GAN(ganMnistConfig(conditioning, seed));
  const clusters = gan.config.selfConditioning ? gan.config.selfConditioning.clusters : 0;
  console.log({ label: 'conditional on the digit', self: `unlabelled, self-conditioned (${clusters} k-means clusters)`, none: 'unlabelled, plain' }[conditioning]);
  // Grid labels: one row per digit for the conditional GAN.
  const gridLabels = conditional ? Array.from({ length: 100 }, (_, i) => Math.floor(i / 10)) : undefined;
  const gridCount = conditional ? 100 : 64;
  const grid = { shape: [28, 28], cols: conditional ? 10 : 8, scale: 2, padding: 1, background: 0.5 } as const;
  const images: ReportImage[] = [];
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
  const quality = judgeDigits(judge, judged, judgeLabels);
  const agreement = quality.agreement;
  const realQuality = judge.real;
  judged.dispose();

  const figures = {
    conditional,
    selfConditioned: conditioning === 'self',
    clusterSizes: gan.clusterSizes,
    confidentShare: quality.confidentShare,
    labelEntropy: quality.labelEntropy,
    normalizedEntropy: quality.normalizedEntropy,
    histogram: quality.histogram,
    agreementWithRequestedDigit: agreement,
    realDigits: { confidentShare: realQuality.confidentShare, labelEntropy: realQuality.labelEntropy },
    classifierTestAccuracy: judge.testAccuracy,
    config: gan.config,
    epochs,
    trainingDigits: train,
    steps,
    fitSeconds,
    stepsPerSecond: steps / fitSeconds,
    backend: backendLabel(backend),
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
    'judge accuracy on real held-out digits': pct(judge.testAccuracy),
    'training digits': train,
    'steps (1 D + 2 G updates each)': steps,
    'training seconds': Number(fitSeconds.toFixed(1)),
    backend: backendLabel(backend),
  });
  await writeReport(out, {
    title: `DCGAN on MNIST${{ label: ', conditional on the digit', self: ', self-conditioned', none: '' }[conditioning]}`,
    sections: [
      {
        heading: 'Samples',
        text:
          `The same z at every snapshot${conditional ? '; row k asks for digit k' : ''}. Generator z(64) -> 7x7x64 -> 14x14x32 -> ` +
          '28x28 (transposed convolutions, batch norm, ReLU, tanh out); discriminator 28x28 -> 14x14x32 -> 7x7x64 -> 1 ' +
          `(stride-2 convolutions, leaky ReLU); non-saturating loss, Adam 2e-4 (beta1 0.5), batch 16, two generator updates per ` +
          `discriminator update, ${train} digits, ${epochs} epochs.` +
          (conditioning === 'self' ? ` Self-conditioned: both networks also take one of ${clusters} clusters of the digits (k-means, no labels; sizes ${gan.clusterSizes?.join(' ')}), each sample's drawn in proportion to the sizes.` : ''),
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
  judge.model.dispose();
  x.dispose();
}

runExample(USAGE, main);
