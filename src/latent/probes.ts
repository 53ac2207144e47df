/**
 * Probes: how much of a labelling an embedding makes easy to read off. A linear probe (multinomial
 * logistic regression with an L2 penalty, on features standardised with the training set's statistics,
 * trained by tfjs from a seed) and a k-nearest-neighbour probe, each fitted on training examples and
 * scored on held-out ones, as the course's exercises 6 and 7 compare raw inputs with learnt codes.
 *
 * @example
 * ```ts
 * const codes = ae.encode(xTrain), testCodes = ae.encode(xTest);
 * const linear = linearProbe(codes, yTrain, testCodes, yTest, { seed: 1 });
 * const knn = knnProbe(codes, yTrain, testCodes, yTest, { k: 5 });
 * console.log(linear.accuracy, knn.accuracy, linear.confusion);
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError } from '../core/errors.js';
import { is, optionsSchema } from '../core/options.js';
import { resolveSeed, SeedStream } from '../core/seed.js';
import { release, toExamples, type DataInput, type OwnedTensor } from '../data/input.js';
import { accuracyOfIds, classLabels, confusionMatrix, type ClassLabels } from '../data/labels.js';
import { standardize } from '../data/scale.js';
import { softmaxCrossEntropy } from '../losses/classification.js';
import { BatchSource } from '../train/batches.js';
import { gradientStep } from '../train/gradientStep.js';

/**
 * What a probe returns: test accuracy and confusion matrix.
 * @category Latent
 */
export interface ProbeResult {
  /** Accuracy on the test examples. */
  accuracy: number;
  /** `confusion[trueClass][predictedClass]` on the test examples. */
  confusion: number[][];
  numClasses: number;
  /** Test examples scored. */
  count: number;
}

/**
 * What {@link linearProbe} returns.
 * @category Latent
 */
export interface LinearProbeResult extends ProbeResult {
  /** Accuracy on the training examples (a probe far above its test accuracy is overfitting). */
  trainAccuracy: number;
  /** Mean training cross-entropy (nats) over the last pass. */
  trainLoss: number;
}

/**
 * Options of {@link linearProbe}.
 * @category Latent
 */
export interface LinearProbeOptions {
  /** L2 penalty on the weights (not the biases): `l2 * sum(W^2)` is added to the mean cross-entropy, as Keras's `l2(l2)`. Default 1e-4. */
  l2?: number;
  /** Gradient steps (Adam). Default 500. */
  steps?: number;
  /** Examples per step, drawn in a seeded order, an epoch at a time. Default 512 (all, if fewer). */
  batchSize?: number;
  /** Adam's learning rate. Default 0.01. */
  learningRate?: number;
  /** Number of classes. Default: from the training labels (one-hot width, or the largest id + 1). */
  numClasses?: number;
  /** Seed of the batch order. Default: from {@link setSeed}. */
  seed?: number;
}

/**
 * Options of {@link knnProbe}.
 * @category Latent
 */
export interface KnnProbeOptions {
  /** Neighbours that vote. Default 5. */
  k?: number;
  /** `'euclidean'` (default) or `'cosine'` distance. */
  metric?: 'euclidean' | 'cosine';
  /** Standardise features with the training set's statistics first. Default false. */
  standardize?: boolean;
  /** Test examples per distance computation. Default 128. */
  batchSize?: number;
  /** Number of classes. Default: from the training labels. */
  numClasses?: number;
}

/**
 * What {@link knnProbe} returns.
 * @category Latent
 */
export interface KnnProbeResult extends ProbeResult {
  k: number;
}

const LINEAR = optionsSchema<LinearProbeOptions>()('linearProbe', {
  l2: is.number({ min: 0 }).default(1e-4),
  steps: is.positiveInt().default(500),
  batchSize: is.positiveInt().default(512),
  learningRate: is.number({ min: 0, minOpen: true }).default(0.01),
  numClasses: is.positiveInt(),
  seed: is.seed(),
});

const KNN = optionsSchema<KnnProbeOptions>()('knnProbe', {
  k: is.positiveInt().default(5),
  metric: is.oneOf(['euclidean', 'cosine'] as const).default('euclidean'),
  standardize: is.boolean().default(false),
  batchSize: is.positiveInt().default(128),
  numClasses: is.positiveInt(),
});

/** The four arrays of a probe, checked: features flattened to `[N, d]`, labels as ids and one-hot rows. */
interface ProbeData {
  train: tf.Tensor2D;
  test: tf.Tensor2D;
  trainLabels: ClassLabels;
  testLabels: ClassLabels;
  dispose(): void;
}

function probeData(caller: string, trainX: DataInput, trainY: DataInput, testX: DataInput, testY: DataInput, numClasses?: number): ProbeData {
  const owned: OwnedTensor[] = [];
  const made: tf.Tensor[] = [];
  const dispose = () => {
    owned.forEach(release);
    tf.dispose(made);
  };
  try {
    const flat = (x: DataInput, parameter: string, width?: number): tf.Tensor2D => {
      const t = x instanceof tf.Tensor ? x : tf.tensor(x as number[][]);
      if (!(x instanceof tf.Tensor)) made.push(t);
      if (t.rank < 2) throw new InputError(`${caller}.${parameter}`, t, 'features [N, ...] with examples on the first axis');
      const shape = t.shape.slice(1);
      const o = toExamples(t, `${caller}.${parameter}`, shape);
      owned.push(o);
      const d = shape.reduce((a, b) => a * b, 1);
      if (width !== undefined && d !== width) throw new InputError(`${caller}.${parameter}`, t, `${width} features per example, as many as trainX`);
      const r = tf.reshape(o.tensor, [-1, d]) as tf.Tensor2D;
      made.push(r);
      return r;
    };
    const train = flat(trainX, 'trainX');
    const test = flat(testX, 'testX', train.shape[1]);
    const trainLabels = classLabels(trainY, `${caller}.trainY`, { numClasses, count: train.shape[0], of: 'trainX' });
    made.push(trainLabels.oneHot);
    const testLabels = classLabels(testY, `${caller}.testY`, { numClasses: trainLabels.numClasses, count: test.shape[0], of: 'testX' });
    made.push(testLabels.oneHot);
    return { train, test, trainLabels, testLabels, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}

/** Classes predicted by `scores(batch)` (largest score) for every row of `x`, in batches. */
function predictIds(x: tf.Tensor2D, batchSize: number, scores: (batch: tf.Tensor2D) => tf.Tensor): Int32Array {
  const n = x.shape[0];
  const out = new Int32Array(n);
  const source = new BatchSource([x]);
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    out.set(tf.tidy(() => tf.argMax(scores(source.take(null, start, size)[0] as tf.Tensor2D), -1).dataSync() as Int32Array), start);
  }
  return out;
}

/**
 * A linear probe: multinomial logistic regression from features to labels, trained on `trainX`/`trainY`
 * and scored on `testX`/`testY`. Features (any shape per example, flattened) are standardised with the
 * training set's per-feature mean and standard deviation; weights start at zero and are fitted by Adam on
 * the mean cross-entropy plus `l2 * sum(W^2)`, in minibatches drawn from `seed`.
 *
 * @param trainY - class ids `[N]` or one-hot rows `[N, K]`; likewise `testY`.
 * @throws InputError naming the bad array (a label out of range, a count other than its features'),
 *   ConfigError naming a bad option.
 * @example
 * ```ts
 * const { accuracy, trainAccuracy } = linearProbe(gan.embed(xTrain), yTrain, gan.embed(xTest), yTest, { seed: 7 });
 * ```
 * @category Latent
 */
export function linearProbe(trainX: DataInput, trainY: DataInput, testX: DataInput, testY: DataInput, options: LinearProbeOptions = {}): LinearProbeResult {
  const o = LINEAR.check(options);
  const data = probeData('linearProbe', trainX, trainY, testX, testY, o.numClasses);
  const made: tf.Tensor[] = [];
  const optimizer = tf.train.adam(o.learningRate);
  try {
    const { x: train, stats } = standardize(data.train);
    made.push(train, stats.mean, stats.std);
    const test = standardize(data.test, stats).x;
    made.push(test);
    const [n, d] = train.shape;
    const k = data.trainLabels.numClasses;
    // Zero weights: the problem is convex, so the only randomness left is the batch order.
    const [w, b] = tf.tidy(() => [tf.variable(tf.zeros([d, k])), tf.variable(tf.zeros([k]))]);
    made.push(w, b);
    const logits = (x: tf.Tensor2D) => tf.add(tf.matMul(x, w), b);
    const source = new BatchSource([train, data.trainLabels.oneHot]);
    const stream = new SeedStream(resolveSeed(o.seed, 'linearProbe.seed'));
    const batch = Math.min(o.batchSize, n);
    let order = stream.permutation(n);
    let at = 0;
    let lossSum = 0;
    let lossCount = 0;
    for (let step = 0; step < o.steps; step++) {
      if (at + batch > n) [order, at, lossSum, lossCount] = [stream.permutation(n), 0, 0, 0];
      const loss = tf.tidy(() => {
        const [xb, yb] = source.take(order, at, batch) as [tf.Tensor2D, tf.Tensor];
        return gradientStep(optimizer, [w, b], () => tf.add(softmaxCrossEntropy(yb, logits(xb)), tf.mul(o.l2, tf.sum(tf.square(w)))) as tf.Scalar);
      });
      lossSum += loss.dataSync()[0]!;
      lossCount++;
      loss.dispose();
      at += batch;
    }
    const trainIds = predictIds(train, 1024, logits);
    const testIds = predictIds(test, 1024, logits);
    const trueIds = data.testLabels.ids;
    return {
      accuracy: accuracyOfIds(trueIds, testIds),
      trainAccuracy: accuracyOfIds(data.trainLabels.ids, trainIds),
      trainLoss: lossSum / lossCount,
      confusion: confusionMatrix(trueIds, testIds, k),
      numClasses: k,
      count: trueIds.length,
    };
  } finally {
    optimizer.dispose();
    tf.dispose(made);
    data.dispose();
  }
}

/**
 * A k-nearest-neighbour probe: each test example takes the majority class of its `k` nearest training
 * examples (a tie goes to the tied class with the nearest member), by euclidean or cosine distance.
 *
 * @throws InputError naming the bad array; ConfigError naming a bad option (a `k` above the number of
 *   training examples).
 * @example
 * ```ts
 * const { accuracy, confusion } = knnProbe(codesTrain, yTrain, codesTest, yTest, { k: 5 });
 * ```
 * @category Latent
 */
export function knnProbe(trainX: DataInput, trainY: DataInput, testX: DataInput, testY: DataInput, options: KnnProbeOptions = {}): KnnProbeResult {
  const o = KNN.check(options);
  const data = probeData('knnProbe', trainX, trainY, testX, testY, o.numClasses);
  const made: tf.Tensor[] = [];
  try {
    const n = data.train.shape[0];
    if (o.k > n) throw new ConfigError('knnProbe.k', o.k, `at most ${n}, the number of training examples`);
    let [train, test] = [data.train, data.test];
    if (o.standardize) {
      const s = standardize(train);
      const t = standardize(test, s.stats);
      made.push(s.x, s.stats.mean, s.stats.std, t.x);
      [train, test] = [s.x, t.x];
    }
    // Scores that grow as distance shrinks: cosine similarity, or 2 a.b - |b|^2 (= |a|^2 - |a - b|^2).
    const unit = (x: tf.Tensor2D) => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D;
    const reference = o.metric === 'cosine' ? tf.tidy(() => unit(train)) : train;
    const referenceT = tf.transpose(reference); // a plain matMul: wasm's transposed matMul is a slow scalar loop
    const sqNorms = tf.tidy(() => tf.sum(tf.square(train), 1));
    made.push(referenceT, sqNorms);
    if (reference !== train) made.push(reference);
    const k = data.trainLabels.numClasses;
    const trainIds = data.trainLabels.ids;
    const nTest = test.shape[0];
    const predicted = new Int32Array(nTest);
    const source = new BatchSource([test]);
    for (let start = 0; start < nTest; start += o.batchSize) {
      const size = Math.min(o.batchSize, nTest - start);
      const nearest = tf.tidy(() => {
        const batch = source.take(null, start, size)[0] as tf.Tensor2D;
        const scores = o.metric === 'cosine' ? tf.matMul(unit(batch), referenceT) : tf.sub(tf.mul(2, tf.matMul(batch, referenceT)), sqNorms);
        return tf.topk(scores, o.k).indices.dataSync() as Int32Array;
      });
      for (let i = 0; i < size; i++) predicted[start + i] = vote(nearest.subarray(i * o.k, (i + 1) * o.k), trainIds, k);
    }
    const trueIds = data.testLabels.ids;
    return { accuracy: accuracyOfIds(trueIds, predicted), confusion: confusionMatrix(trueIds, predicted, k), numClasses: k, count: nTest, k: o.k };
  } finally {
    tf.dispose(made);
    data.dispose();
  }
}

/** The majority class of the neighbours (nearest first); a tie goes to the tied class with the nearest member. */
function vote(neighbours: Int32Array, ids: Int32Array, numClasses: number): number {
  const counts = new Int32Array(numClasses);
  let most = 0;
  for (const j of neighbours) most = Math.max(most, ++counts[ids[j]!]!);
  for (const j of neighbours) if (counts[ids[j]!] === most) return ids[j]!;
  return ids[neighbours[0]!]!;
}
