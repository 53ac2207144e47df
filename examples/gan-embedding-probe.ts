/**
 * Example (course exercise 7): is a GAN discriminator's hidden layer a useful representation of tabular
 * data? Train the course's dense GAN on every row without labels, then fit the same linear probe
 * (latentkit's `linearProbe`: logistic regression trained with tfjs) on the original features and on the discriminator's 32-d
 * `embedding`, and compare their accuracy on held-out rows.
 *
 * The data set is made by the examples (there is no tabular data set in the repository, see
 * `shared/table.ts`): 3,000 rows of 8 features in [-1, 1] with a binary label that no straight line
 * recovers from the raw features (two concentric rings in features 1-2, an interaction column, five
 * nuisance columns).
 * A linear probe on the raw features is near chance by construction; a representation that has learnt the
 * rings' shape lets it do better. As a control, the same probe runs on the embedding of the same
 * discriminator before training (random tanh features).
 *
 * The GAN is exactly the course's, i.e. latentkit's defaults: `GAN({ dataShape: [8] })` (D: 8 -> 32 tanh
 * `embedding` -> sigmoid, Adam 1e-4; G: z(256) -> 256 tanh -> 256 tanh -> 8 tanh, Adam 1e-3), batch 32.
 *
 * Output (default `out/gan-embedding-probe/`): `index.html` with the probe accuracies, the loss curves and
 * the data next to GAN samples (features 1 and 2), and `probe.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/gan-embedding-probe.ts                 # wasm, 30 epochs, about 2 minutes
 * npx tsx examples/gan-embedding-probe.ts --epochs 3 --out /tmp/probe
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { FEATURES, makeTable } from './shared/table.js';
import { GAN, linearProbe } from '../src/index.js';
import { scatterPlot } from '../src/index.js';
import { lossCurve, writeReport } from '../src/index.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 30, min: 1, max: 1000, help: 'GAN training epochs over all rows' },
  rows: { default: 3000, min: 100, max: 100000, help: 'rows in the data set; the last 30% are held out for the probes' },
  seed: { default: 7, min: 0, max: 2 ** 31 - 1, help: 'seed of the data, the GAN and the probes' },
};
const OUT = 'out/gan-embedding-probe';
const USAGE = usageText('gan-embedding-probe.ts', FLAGS, OUT);

async function main(): Promise<void> {
  const start = await startExample(FLAGS, OUT, USAGE);
  if (!start) return;
  const { epochs, rows, seed } = start.settings.ints as Record<'epochs' | 'rows' | 'seed', number>;
  const out = start.settings.out;

  const table = makeTable(rows, seed);
  const x = tf.tensor2d(table.x, [rows, FEATURES]);
  const y = tf.tensor1d(table.y, 'int32');
  const nTrain = Math.floor(rows * 0.7);
  const split = <T extends tf.Tensor>(t: T) => [tf.slice(t, 0, nTrain), tf.slice(t, nTrain)] as [T, T];
  const [xTrain, xTest] = split(x);
  const [yTrain, yTest] = split(y);

  // The course's dense GAN: every default.
  const gan = GAN({ dataShape: [FEATURES], seed });
  const probeOn = (features: tf.Tensor2D) => {
    const [a, b] = split(features);
    // Multinomial logistic regression on standardised features (latentkit's linear probe, seeded).
    const r = linearProbe(a, yTrain, b, yTest, { seed });
    tf.dispose([a, b]);
    return { train: r.trainAccuracy, test: r.accuracy };
  };
  const untrained = gan.embed(x) as tf.Tensor2D;
  const probes: Record<string, { train: number; test: number }> = {
    'raw features (8)': probeOn(x),
    'embedding of the untrained discriminator (32)': probeOn(untrained),
  };
  untrained.dispose();

  const started = performance.now();
  // Unsupervised: the GAN sees every row, never a label.
  const history = await gan.fit(x, { epochs, batchSize: 32, verbose: 1 });
  const seconds = (performance.now() - started) / 1000;
  const trained = gan.embed(x) as tf.Tensor2D;
  probes['embedding of the trained discriminator (32)'] = probeOn(trained);
  trained.dispose();

  for (const [name, r] of Object.entries(probes)) console.log(`linear probe on ${name}: test accuracy ${(100 * r.test).toFixed(1)}% (train ${(100 * r.train).toFixed(1)}%)`);

  await mkdir(out, { recursive: true });
  await writeFile(join(out, 'probe.json'), JSON.stringify({ rows, heldOut: rows - nTrain, epochs, seconds, backend: start.backend.name, seed, probes }, null, 2) + '\n');
  const samples = gan.sample(1000, { seed: seed + 1 });
  const firstTwo = (t: tf.Tensor) => tf.slice(t, [0, 0], [1000, 2]);
  const shownData = firstTwo(x);
  const shownSamples = firstTwo(samples);
  const svgData = scatterPlot(shownData, { title: 'data: features 1 and 2', extent: [-1.1, 1.1], size: 260 });
  const svgSamples = scatterPlot(shownSamples, { title: 'GAN samples: features 1 and 2', extent: [-1.1, 1.1], size: 260, color: '#d62728' });
  tf.dispose([samples, shownData, shownSamples]);
  const side = `<svg xmlns="http://www.w3.org/2000/svg" width="540" height="282">${svgData.replace('<svg ', '<svg x="0" ')}${svgSamples.replace('<svg ', '<svg x="270" ')}</svg>`;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  await writeReport(out, {
    title: 'Course exercise 7: a linear probe on a GAN discriminator\'s embedding',
    sections: [
      {
        heading: 'Result',
        text:
          `A synthetic table made by this example: ${rows} rows, 8 features, a binary label (two concentric rings in features 1-2, ` +
          'an interaction column, five nuisance columns). The course\'s dense GAN trained on all rows without labels ' +
          `(${epochs} epochs, batch 32); then latentkit's linearProbe (logistic regression on standardised features, L2 1e-4, Adam) on ${nTrain} rows, ` +
          `tested on the other ${rows - nTrain}.`,
        table: Object.fromEntries(Object.entries(probes).map(([k, r]) => [`probe on ${k}: test accuracy`, pct(r.test)])),
      },
      { heading: 'Data and samples', svg: side },
      { heading: 'Losses', svg: lossCurve({ epoch: history.epoch, dLoss: history['dLoss']!, gLoss: history['gLoss']! }, { title: 'course GAN on the table' }) },
    ],
  });
  console.log(`report: ${join(out, 'index.html')}`);
  tf.dispose([x, y, xTrain, xTest, yTrain, yTest]);
  gan.dispose();
}

runExample(USAGE, main);
