/**
 * Example (the transfer-learning assessment): a CNN trained on Fashion-MNIST, its softmax replaced by a
 * new one trained on MNIST digits: the head alone (base frozen), then the whole network fine-tuned,
 * against the same network trained on the digits from scratch for as long.
 *
 * 1. The assessment's CNN (`imageClassifier`'s `'assessment'` preset: RandomZoom 0.1 and RandomContrast
 *    0.2 while training, Conv2D 64 + BatchNorm, SeparableConv2D 64, MaxPool 3/2, BatchNorm,
 *    SeparableConv2D 256, MaxPool 3/2, GlobalAveragePooling, Dropout 0.2, Dense softmax), seeded, trained on
 *    Fashion-MNIST with Adam 0.002, batch 16, 7 epochs. Its predictions for test items 10-14 are shown
 *    with the class names.
 * 2. `transferHead` puts a new 10-way softmax on its Dropout output, the base frozen (its BatchNorm layers
 *    in inference mode), trained on digits for 3 epochs (Adam 0.002, batch 16): the frozen head.
 * 3. `unfreeze()`, and 3 more epochs at a tenth of the rate: the fine-tuned network.
 * 4. The same CNN from random weights, trained on the same digits for 3 epochs: from scratch.
 *
 * The defaults are the assessment as written: all 60,000 Fashion-MNIST and 60,000 MNIST training images,
 * tested on the 10,000 test images of each. On one wasm thread this network trains at about 240
 * examples/s on an idle 2-core machine (0.7x PyTorch + OpenBLAS: `npm run bench -- classifier`), so the
 * full run takes about an hour, longer on a busy machine; `--fashion 6000 --digits 3000 --test 2000` is a
 * seeded, stratified subset with about a tenth of the work, and `--quick` is a smoke run of a minute.
 * BatchNorm keeps Keras's momentum 0.99: its moving statistics need a few hundred steps to forget their
 * initial values, so a `--quick` run (tens of steps) reports test accuracies near chance while its
 * training accuracy (batch statistics) has already risen; that is Keras's behaviour too, not a fault.
 *
 * Output (default `out/transfer-fashion-to-digits/`): `index.html` with the table, the pictures of
 * items 10-14, the curves and confusion matrices, and `result.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/transfer-fashion-to-digits.ts           # the assessment as written (about an hour on wasm)
 * npx tsx examples/transfer-fashion-to-digits.ts --fashion 6000 --digits 3000 --test 2000
 * npx tsx examples/transfer-fashion-to-digits.ts --quick   # a smoke run on a few hundred images
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { confusionPlot, MNIST_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES, writeReport, type ReportImage } from '../src/index.js';
import { ASSESSMENT_BATCH, ASSESSMENT_RATE, runAssessment } from './shared/assessment.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { historyCurves, pct, predictionPictures, printTable } from './shared/classifierReport.js';

const FLAGS: Record<string, IntFlag> = {
  fashion: { default: 60000, min: 100, max: 60000, help: 'Fashion-MNIST training images' },
  digits: { default: 60000, min: 100, max: 60000, help: 'MNIST training digits for the new head' },
  test: { default: 10000, min: 100, max: 10000, help: 'test images of each data set' },
  epochs: { default: 7, min: 1, max: 100, help: 'epochs on Fashion-MNIST' },
  transferEpochs: { default: 3, min: 1, max: 100, help: 'epochs on the digits, for each of head, fine-tuning and scratch' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the splits, the weights and the training' },
};
const SWITCHES = { quick: 'a smoke run: a few hundred images, one epoch each (sizes still overridable; accuracies near chance, see the notes)' };
const QUICK = { fashion: 300, digits: 200, test: 100, epochs: 1, transferEpochs: 1 };
const OUT = 'out/transfer-fashion-to-digits';
const USAGE = usageText('transfer-fashion-to-digits.ts', FLAGS, OUT, { switches: SWITCHES });

async function main(): Promise<void> {
  const start = await startExample(FLAGS, OUT, USAGE, { switches: SWITCHES, defaults: (s) => (s['quick'] ? QUICK : {}) });
  if (!start) return;
  const settings = start.settings.ints as Record<'fashion' | 'digits' | 'test' | 'epochs' | 'transferEpochs' | 'seed', number>;
  const { fashion: nFashion, digits: nDigits, test, epochs, transferEpochs } = settings;
  const out = start.settings.out;
  let itemPictures: ReportImage[] = [];
  const { source, frozen, fineTuned, scratch } = await runAssessment({ ...settings, verbose: true }, async (cnn, fashion) => {
    // The CNN's answers for test items 10-14, as the assessment shows them.
    const items = tf.slice(fashion.xTest, 10, 5);
    const truth = tf.slice(fashion.yTest, 10, 5);
    itemPictures = await predictionPictures(out, 'fashion-item', cnn, items, truth.dataSync(), fashion.classNames, 10);
    tf.dispose([items, truth]);
    for (const p of itemPictures) console.log(p.caption);
  });

  console.log('');
  const stages = [source, frozen, fineTuned, scratch];
  printTable(['network', 'data', 'epochs', 'test accuracy', 'seconds'], [
    ['CNN', `Fashion-MNIST (${nFashion})`, String(epochs), pct(source.accuracy), source.seconds.toFixed(0)],
    ['frozen head', `MNIST (${nDigits})`, String(transferEpochs), pct(frozen.accuracy), frozen.seconds.toFixed(0)],
    ['fine-tuned', `MNIST (${nDigits})`, `+${transferEpochs}`, pct(fineTuned.accuracy), fineTuned.seconds.toFixed(0)],
    ['from scratch', `MNIST (${nDigits})`, String(transferEpochs), pct(scratch.accuracy), scratch.seconds.toFixed(0)],
  ]);

  await writeFile(
    join(out, 'result.json'),
    `${JSON.stringify({ ...settings, backend: start.backend.name, threads: start.backend.threads, stages: stages.map(({ name, seconds, accuracy, history }) => ({ name, seconds, accuracy, history })) }, null, 2)}\n`,
  );
  const curves = stages.map((s) => ({ s, c: historyCurves(s.history, s.name) }));
  await writeReport(out, {
    title: 'Transfer learning: from Fashion-MNIST to digits',
    sections: [
      {
        heading: 'Result',
        text:
          `The assessment's CNN trained on ${nFashion} Fashion-MNIST images (${epochs} epochs, Adam ${ASSESSMENT_RATE}, batch ${ASSESSMENT_BATCH}); then a new 10-way softmax ` +
          `on its Dropout output trained on ${nDigits} MNIST digits for ${transferEpochs} epochs with the base frozen, then every layer fine-tuned for ` +
          `${transferEpochs} more at a tenth of the rate; against the same CNN trained on the digits from scratch for ${transferEpochs} epochs. ` +
          `Test accuracy on ${test} held-out images of each data set.`,
        table: {
          'Fashion-MNIST CNN': pct(source.accuracy),
          'digits: frozen base, new head': pct(frozen.accuracy),
          'digits: fine-tuned': pct(fineTuned.accuracy),
          'digits: from scratch': pct(scratch.accuracy),
          'training seconds (all four)': Math.round(stages.reduce((a, s) => a + s.seconds, 0)),
          backend: backendLabel(start.backend),
        },
      },
      { heading: 'The CNN on test items 10-14', images: itemPictures },
      ...curves.flatMap(({ s, c }) => [{ heading: `${s.name}: loss`, svg: c.loss }, { heading: `${s.name}: accuracy`, svg: c.accuracy }]),
      { heading: 'Fashion-MNIST confusion matrix', svg: confusionPlot(source.confusion, { classNames: FASHION_MNIST_CLASS_NAMES, cellSize: 36 }) },
      { heading: 'Digits: fine-tuned network, confusion matrix', svg: confusionPlot(fineTuned.confusion, { classNames: MNIST_CLASS_NAMES }) },
    ],
  });
  console.log(`report: ${join(out, 'index.html')}`);
}

runExample(USAGE, main);
