/**
 * The judge of generated digits shared by the GAN examples and the GAN benchmark: a small classifier
 * (784 -> 128 ReLU -> 10 softmax) trained on 4,000 real digits (rows 0-399 of each digit's file of the
 * `mnist` package), tested on 1,000 rows no model sees (760-859), and `sampleQuality` over its verdicts:
 * the share of samples it recognises with confidence >= 0.9, the entropy of its labels and, for a
 * conditional GAN, how often it names the digit that was asked for.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { sampleQuality, type GANConfig, type SampleQuality } from '../../src/index.js';
// The data loader of src/data/ splits at random; the judge keeps the rows it was measured with.
import { mnistDigits } from '../../test/helpers/mnist.js';

const TRAIN_PER_CLASS = 400;
const HELD_OUT_OFFSET = 760;
const HELD_OUT_PER_CLASS = 100;

/** A trained judge: the classifier and its accuracy on the held-out real digits. */
export interface DigitJudge {
  model: tfl.LayersModel;
  testAccuracy: number;
  /** `sampleQuality` of the 1,000 held-out real digits: what a perfect generator would score. */
  real: SampleQuality;
}

/** `perClass` digits of each class from row `offset` of the `mnist` package: `[N, 28, 28, 1]` in [0, 1], and labels. */
export function packageDigits(perClass: number, offset: number): { x: tf.Tensor4D; labels: Int32Array } {
  const d = mnistDigits(perClass, offset);
  return { x: tf.tensor4d(d.pixels, [d.n, 28, 28, 1]), labels: d.labels };
}

/**
 * How `examples/gan-mnist.ts`'s DCGAN uses the digits' classes: conditioned on the digit (`'label'`), on
 * clusters it finds itself without labels (`'self'`, `selfConditioning: true`: 40 k-means clusters), or
 * not at all (`'none'`).
 */
export type GanMnistConditioning = 'label' | 'self' | 'none';

/**
 * `examples/gan-mnist.ts`'s DCGAN (also `bench/dcganExplore.ts`'s starting point): the dcgan architecture at a
 * quarter of its default width (z64, G 64/32, D 32/64; the default z100, 128/64 and 64/128 costs four
 * times as much per step), conditioned as asked.
 */
export function ganMnistConfig(conditioning: GanMnistConditioning, seed: number): GANConfig {
  return {
    architecture: 'dcgan',
    dataShape: [28, 28, 1],
    zDim: 64,
    generatorFilters: [64, 32],
    discriminatorFilters: [32, 64],
    numClasses: conditioning === 'label' ? 10 : undefined,
    selfConditioning: conditioning === 'self',
    seed,
  };
}

/** `perClass` digits of each class as a tanh generator's targets: `[N, 28, 28, 1]` in [-1, 1], and labels. */
export function ganDigits(perClass: number): { x: tf.Tensor4D; labels: Int32Array } {
  const digits = packageDigits(perClass, 0);
  const x = tf.tidy(() => tf.sub(tf.mul(digits.x, 2), 1) as tf.Tensor4D);
  digits.x.dispose();
  return { x, labels: digits.labels };
}

/** Trains the judge (seeded; no shuffling, so no Math.random). */
export async function trainDigitJudge(seed: number): Promise<DigitJudge> {
  const train = packageDigits(TRAIN_PER_CLASS, 0);
  const test = packageDigits(HELD_OUT_PER_CLASS, HELD_OUT_OFFSET);
  const model = tfl.sequential({
    layers: [
      tfl.layers.flatten({ inputShape: [28, 28, 1] }),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed }) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const y = tf.tensor1d(train.labels, 'float32');
  // The digits come interleaved by class: no shuffling needed.
  await model.fit(train.x, y, { epochs: 8, batchSize: 64, shuffle: false, verbose: 0 });
  const real = sampleQuality(model, test.x, { labels: test.labels });
  tf.dispose([train.x, test.x, y]);
  return { model, testAccuracy: real.agreement!, real };
}

/** Samples in [-1, 1] (a tanh generator's) mapped to [0, 1] pixels. */
export function toUnit(samples: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.div(tf.add(samples, 1), 2), 0, 1));
}

/** The judge's view of generated digits in [-1, 1], with the digits they were asked to be (conditional GANs). */
export function judgeDigits(judge: DigitJudge, samples: tf.Tensor, labels?: ArrayLike<number>): SampleQuality {
  const unit = toUnit(samples);
  try {
    return sampleQuality(judge.model, unit, labels ? { labels } : {});
  } finally {
    unit.dispose();
  }
}
