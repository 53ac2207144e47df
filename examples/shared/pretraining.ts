/**
 * The denoising-pretraining activity as one function, shared by its example and the benchmark: for each
 * seed, a denoising conv autoencoder (the course's exercise-8 network) is trained on the training digits
 * without labels; a classifier reusing its encoder (a `transferHead` on its `code`) is trained on 500
 * labelled digits, against the same architecture from random weights trained on the same 500 digits in
 * the same way; both are tested on held-out digits. The pretrained encoder with its weights frozen is
 * reported too (how much the code alone carries).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { denoisingAE, loadMnist, SeedStream, transferHead, type Autoencoder, type ClassifierHistory, type ImageDataset, type NoiseSpec } from '../../src/index.js';
import { EXERCISE_8, EXERCISE_8_OPTIMIZER } from './exercise8.js';

/** The sizes and seeds of a comparison. */
export interface PretrainSettings {
  /** Unlabelled training digits for the autoencoder. */
  train: number;
  /** Labelled digits for the classifiers (a multiple of 10: as many of each digit). */
  labelled: number;
  /** Test digits. */
  test: number;
  /** Autoencoder epochs. */
  pretrainEpochs: number;
  /** Classifier epochs on the labelled digits. */
  epochs: number;
  /** One run per seed: its own autoencoder, labelled digits, and initial weights. */
  seeds: readonly number[];
  /** Progress lines. */
  verbose: boolean;
}

/** One seed's result. */
export interface PretrainRun {
  seed: number;
  /** Test accuracy of the pretrained encoder + head, fine-tuned together. */
  pretrained: number;
  /** The same with the pretrained encoder frozen. */
  frozen: number;
  /** The same architecture from random weights. */
  scratch: number;
  /** The autoencoder's test MSE, denoised vs clean. */
  denoisedMse: number;
  /** Seconds of pretraining and of the three classifiers. */
  pretrainSeconds: number;
  classifierSeconds: number;
  histories: { pretrained: ClassifierHistory; scratch: ClassifierHistory };
}

/** The corruption the autoencoder learns to undo (the demo's). */
export const PRETRAIN_NOISE: NoiseSpec = { kind: 'uniform', scale: 0.3, clip: [0, 1] };
/** The classifiers' head: dropout 0.2 on the 32-d code, then the softmax; Adam 1e-3, batch 32. */
const HEAD = { numClasses: 10, dropout: 0.2 } as const;
const FIT = { batchSize: 32, optimizer: { name: 'adam', learningRate: 1e-3 } } as const;

/** `perClass` rows of each digit, drawn from `seed`: the labelled subset. */
export function labelledSubset(data: ImageDataset, perClass: number, seed: number): { x: tf.Tensor; y: tf.Tensor1D } {
  const labels = data.yTrain.dataSync();
  const order = new SeedStream(seed).permutation(labels.length);
  const taken = new Array<number>(10).fill(0);
  const rows: number[] = [];
  for (const i of order) if (taken[labels[i]!]! < perClass) taken[labels[i]!]!++, rows.push(i);
  const index = tf.tensor1d(rows, 'int32');
  const subset = { x: tf.gather(data.xTrain, index), y: tf.gather(data.yTrain, index) as tf.Tensor1D };
  index.dispose();
  return subset;
}

/** A fresh denoising autoencoder of the exercise-8 shape. */
export const exercise8DAE = (seed: number): Autoencoder => denoisingAE({ ...EXERCISE_8, noise: PRETRAIN_NOISE, seed });

/** Runs the comparison; `onPretrained` sees each seed's trained autoencoder and the data (for pictures). */
export async function pretrainComparison(s: PretrainSettings, onPretrained?: (dae: Autoencoder, data: ImageDataset, seed: number) => Promise<void>): Promise<PretrainRun[]> {
  const data = await loadMnist({ train: s.train, test: s.test, seed: 1 });
  const runs: PretrainRun[] = [];
  try {
    for (const seed of s.seeds) {
      const log = (m: string) => s.verbose && console.log(`seed ${seed}: ${m}`);
      const dae = exercise8DAE(seed);
      const fresh = exercise8DAE(seed + 1000);
      const { x, y } = labelledSubset(data, s.labelled / 10, seed);
      try {
        let t = performance.now();
        await dae.fit(data.xTrain, { epochs: s.pretrainEpochs, batchSize: 32, optimizer: EXERCISE_8_OPTIMIZER, verbose: 0, seed });
        const pretrainSeconds = (performance.now() - t) / 1000;
        const noisy = tf.tidy(() => tf.clipByValue(tf.add(data.xTest, tf.randomUniform(data.xTest.shape, -0.3, 0.3, 'float32', seed)), 0, 1));
        const denoisedMse = dae.evaluate(noisy, { target: data.xTest, metric: 'mse' }).mean;
        noisy.dispose();
        log(`autoencoder trained on ${s.train} unlabelled digits in ${pretrainSeconds.toFixed(0)} s (test MSE denoised ${denoisedMse.toFixed(4)})`);
        await onPretrained?.(dae, data, seed);
        t = performance.now();
        const accuracy = async (base: Autoencoder, freeze: boolean) => {
          const head = transferHead(base, { ...HEAD, freeze, seed: seed + 2000 });
          try {
            const history = await head.fit(x, y, { ...FIT, epochs: s.epochs, verbose: 0, seed: seed + 3000 });
            return { history, accuracy: head.evaluate(data.xTest, data.yTest).accuracy };
          } finally {
            head.dispose();
          }
        };
        const pretrained = await accuracy(dae, false);
        const frozen = await accuracy(dae, true);
        const scratch = await accuracy(fresh, false);
        const classifierSeconds = (performance.now() - t) / 1000;
        log(`${s.labelled} labels: pretrained ${(100 * pretrained.accuracy).toFixed(1)}%, pretrained frozen ${(100 * frozen.accuracy).toFixed(1)}%, scratch ${(100 * scratch.accuracy).toFixed(1)}%`);
        runs.push({
          seed,
          pretrained: pretrained.accuracy,
          frozen: frozen.accuracy,
          scratch: scratch.accuracy,
          denoisedMse,
          pretrainSeconds,
          classifierSeconds,
          histories: { pretrained: pretrained.history, scratch: scratch.history },
        });
      } finally {
        tf.dispose([x, y]);
        dae.dispose();
        fresh.dispose();
      }
    }
  } finally {
    data.dispose();
  }
  return runs;
}
