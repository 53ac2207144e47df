/**
 * Example (the denoising-pretraining activity): does pretraining an encoder without labels help when only
 * 500 digits are labelled?
 *
 * For each of 5 seeds: a denoising convolutional autoencoder (the course's exercise-8 network: Conv2D 32
 * 3x3/2, Conv2D 32 3x3/2, MaxPool 2, Dense 32 `code`, upsampling decoder; uniform noise 0.3; SGD 0.01
 * momentum 0.95) learns on 8,000 training digits without their labels. Then a classifier reusing its
 * encoder (`transferHead` on `code`: Dropout 0.2, Dense softmax; every layer trained, Adam 1e-3, batch 32)
 * learns from 500 labelled digits (50 of each, drawn from the seed), against the same architecture from
 * random weights trained on the same 500 in the same way; and the pretrained encoder kept frozen. All
 * are tested on 2,000 held-out digits; the table gives each seed and the mean and standard deviation.
 *
 * Output (default `out/pretrain-500-labels/`): `index.html` with the table, the first seed's noisy,
 * denoised and clean test digits, the classifiers' curves, and `result.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/pretrain-500-labels.ts            # wasm, 5 seeds
 * npx tsx examples/pretrain-500-labels.ts --quick    # a smoke run: 1 seed, small sizes
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyNoise, lossCurve, saveImageGrid, writeReport, type ReportImage } from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { meanSd, pct, printTable } from './shared/classifierReport.js';
import { PRETRAIN_NOISE, pretrainComparison } from './shared/pretraining.js';

const FLAGS: Record<string, IntFlag> = {
  train: { default: 8000, min: 100, max: 9900, help: 'unlabelled training digits for the autoencoder' },
  labelled: { default: 500, min: 10, max: 5000, help: 'labelled digits for the classifiers (a multiple of 10)' },
  test: { default: 2000, min: 100, max: 5000, help: 'test digits' },
  pretrainEpochs: { default: 10, min: 1, max: 200, help: 'autoencoder epochs' },
  epochs: { default: 40, min: 1, max: 1000, help: 'classifier epochs on the labelled digits' },
  seeds: { default: 5, min: 1, max: 50, help: 'runs, with seeds 1, 2, ...' },
};
const SWITCHES = { quick: 'a smoke run: one seed, a few hundred digits, one epoch (sizes still overridable)' };
const QUICK = { train: 300, labelled: 100, test: 100, pretrainEpochs: 1, epochs: 1, seeds: 1 };
const OUT = 'out/pretrain-500-labels';
const USAGE = usageText('pretrain-500-labels.ts', FLAGS, OUT, { switches: SWITCHES });

async function main(): Promise<void> {
  const start = await startExample(FLAGS, OUT, USAGE, { switches: SWITCHES, defaults: (s) => (s['quick'] ? QUICK : {}) });
  if (!start) return;
  const { train, labelled, test, pretrainEpochs, epochs, seeds } = start.settings.ints as Record<'train' | 'labelled' | 'test' | 'pretrainEpochs' | 'epochs' | 'seeds', number>;
  if (labelled % 10 !== 0 || labelled > train) throw new Error(`--labelled ${labelled}: expected a multiple of 10, at most --train (${train})`);
  const out = start.settings.out;
  const pictures: ReportImage[] = [];
  const runs = await pretrainComparison(
    { train, labelled, test, pretrainEpochs, epochs, seeds: Array.from({ length: seeds }, (_, i) => i + 1), verbose: true },
    async (dae, data, seed) => {
      if (pictures.length > 0) return;
      const clean = tf.slice(data.xTest, 0, 16);
      const noisy = applyNoise(clean, PRETRAIN_NOISE, { seed });
      const denoised = dae.reconstruct(noisy);
      for (const [file, images, caption] of [
        ['noisy.png', noisy, 'test digits with the training noise'],
        ['denoised.png', denoised, `the autoencoder's output (seed ${seed})`],
        ['clean.png', clean, 'the clean digits'],
      ] as const) {
        await saveImageGrid(join(out, file), images, { cols: 8, scale: 2 });
        pictures.push({ file, caption });
      }
      tf.dispose([clean, noisy, denoised]);
    },
  );

  const stats = { pretrained: meanSd(runs.map((r) => r.pretrained)), frozen: meanSd(runs.map((r) => r.frozen)), scratch: meanSd(runs.map((r) => r.scratch)) };
  const cell = (m: { mean: number; sd: number }) => `${pct(m.mean)} ± ${(100 * m.sd).toFixed(1)}`;
  console.log('');
  printTable(['seed', 'pretrained, fine-tuned', 'pretrained, frozen', 'from scratch'], [
    ...runs.map((r) => [String(r.seed), pct(r.pretrained), pct(r.frozen), pct(r.scratch)]),
    ['mean ± sd', cell(stats.pretrained), cell(stats.frozen), cell(stats.scratch)],
  ]);

  await writeFile(join(out, 'result.json'), `${JSON.stringify({ train, labelled, test, pretrainEpochs, epochs, backend: start.backend.name, stats, runs }, null, 2)}\n`);
  const first = runs[0]!;
  await writeReport(out, {
    title: `Pretraining without labels, then ${labelled} labelled digits`,
    sections: [
      {
        heading: 'Result',
        text:
          `A denoising conv autoencoder (exercise 8's network) trained on ${train} digits without labels (${pretrainEpochs} epochs); then its encoder and a new ` +
          `softmax trained on ${labelled} labelled digits (${epochs} epochs), against the same network from random weights, over ${runs.length} seed(s). ` +
          `Test accuracy on ${test} held-out digits: mean ± standard deviation.`,
        table: {
          'pretrained encoder, fine-tuned': cell(stats.pretrained),
          'pretrained encoder, frozen': cell(stats.frozen),
          'same network from scratch': cell(stats.scratch),
          'seconds per seed (pretraining + classifiers)': Math.round(runs.reduce((a, r) => a + r.pretrainSeconds + r.classifierSeconds, 0) / runs.length),
          backend: backendLabel(start.backend),
        },
      },
      { heading: 'Per seed', table: Object.fromEntries(runs.map((r) => [`seed ${r.seed}`, `pretrained ${pct(r.pretrained)}, frozen ${pct(r.frozen)}, scratch ${pct(r.scratch)}`])) },
      { heading: 'The denoising autoencoder', images: pictures },
      {
        heading: `Classifier training on ${labelled} digits (seed ${first.seed})`,
        svg: lossCurve({ epoch: first.histories.pretrained.epoch, pretrained: first.histories.pretrained.loss, scratch: first.histories.scratch.loss }, { title: 'training loss', yLabel: 'cross-entropy (nats)' }),
      },
    ],
  });
  console.log(`report: ${join(out, 'index.html')}`);
}

runExample(USAGE, main);
