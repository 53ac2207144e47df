/**
 * The classifier of the browser test: a tiny `imageClassifier` with the assessment's kinds of layers
 * (RandomZoom and RandomContrast, Conv2D, BatchNorm, SeparableConv2D, pooling, Dropout) learns which
 * quadrant of an 8x8 image is bright; then a `transferHead` on it, frozen, learns top against bottom and,
 * unfrozen, fine-tunes the base. Everything it measures is returned as plain JSON for the test to assert.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageClassifier, SeedStream, transferHead, type Classifier, type SavableHandle } from 'latentkit';
import type { ModelCase } from './cases.js';
import { SMALL_CNN as LAYERS } from '../../helpers/smallCnn.js';
import { quadrantPixels } from '../../helpers/quadrantPixels.js';

/** What the classifier case measures beyond what every model reports. */
export interface ClassifierChecks {
  /** `fit`'s history, per epoch. */
  history: { loss: number[]; accuracy: number[] };
  /** `evaluate` on held-out images (another seed). */
  evaluation: { loss: number; accuracy: number; count: number; confusion: number[][] };
  /** `predictClasses` on them: its dtype and shape, whether it is the argmax of `predict` on every image, its accuracy. */
  classes: { dtype: string; shape: number[]; equalsArgMax: boolean; accuracy: number; rowSumError: number };
  /** Largest difference between two `predict` calls (inference: no augmentation, no dropout) and between two training-mode passes. */
  inferenceDiff: number;
  trainingDiff: number;
  /** tf.memory().numTensors before and after evaluate, predict, predictClasses and the transfer head's whole life. */
  tensorsBefore: number;
  tensorsAfter: number;
  transfer: {
    kind: string;
    baseLayers: string[];
    /** Base layers that hold weights (or batch-norm statistics). */
    weightedBaseLayers: string[];
    frozenLayers: number;
    /** Base layers whose bytes changed while the base was frozen (none expected), and the head's layers that did. */
    changedWhileFrozen: string[];
    headChanged: string[];
    /** Per-step losses of the frozen fit, and held-out accuracy of the head on two balanced classes (top, bottom). */
    losses: number[];
    accuracy: number;
    frozenAfterUnfreeze: number;
    /** Base layers whose bytes changed in the fit after `unfreeze()`. */
    changedAfterUnfreeze: string[];
    /** Layers of the classifier the head was made from whose bytes changed (it is copied: none expected). */
    originalChanged: string[];
  };
}


const SIZE = 8;
const CLASSES = 4;
const TRAIN = 64;
const HELD_OUT = 48;
/** Every batch the classifier sees has 16 images: webgl compiles its programs once per shape (slowly, in SwiftShader). */
const BATCH = 16;

/** `n` images `[n, 8, 8, 1]`: class c (cycling 0..3) has a bright quadrant c on a dim background, plus uniform noise. */
function quadrants(n: number, seed: number): { pixels: Float32Array; labels: number[] } {
  const s = new SeedStream(seed);
  const { pixels, labels } = quadrantPixels(n, SIZE, CLASSES, 0.3, () => s.uniform());
  return { pixels, labels: Array.from(labels) };
}

const TRAIN_SET = quadrants(TRAIN, 1);
const HELD_OUT_SET = quadrants(HELD_OUT, 2);
/** The transfer head's task: is the bright quadrant in the bottom half? */
const bottom = (labels: number[]): number[] => labels.map((c) => (c >= 2 ? 1 : 0));

/** The bytes of a layer's weights (batch-norm statistics included), as one string per layer. */
function layerBytes(clf: Classifier, names: readonly string[]): Map<string, string> {
  return new Map(
    names.map((name) => {
      const parts = clf.model.getLayer(name).weights.map((w) => Array.from(new Uint32Array((w.read().dataSync() as Float32Array).slice().buffer)).join(','));
      return [name, parts.join(';')];
    }),
  );
}

const changed = (a: Map<string, string>, b: Map<string, string>): string[] => [...a.keys()].filter((k) => a.get(k) !== b.get(k));

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

async function checks(handle: SavableHandle, x: tf.Tensor): Promise<ClassifierChecks> {
  const clf = handle as Classifier;
  const history = histories.get(handle)!;
  const tensorsBefore = tf.memory().numTensors;
  const heldOut = tf.tensor4d(HELD_OUT_SET.pixels, [HELD_OUT, SIZE, SIZE, 1]);

  const evaluation = clf.evaluate(heldOut, HELD_OUT_SET.labels, { batchSize: BATCH });
  const [p1, p2, classes] = [clf.predict(heldOut, { batchSize: BATCH }), clf.predict(heldOut, { batchSize: BATCH }), clf.predictClasses(heldOut, { batchSize: BATCH })];
  const argMax = tf.tidy(() => tf.argMax(p1, 1).dataSync());
  const rowSumError = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.sum(p1, 1), 1))).dataSync()[0]!);
  const ids = classes.dataSync();
  const classReport = {
    dtype: classes.dtype,
    shape: classes.shape,
    equalsArgMax: ids.every((v, i) => v === argMax[i]),
    accuracy: HELD_OUT_SET.labels.filter((c, i) => ids[i] === c).length / HELD_OUT,
    rowSumError,
  };
  const inferenceDiff = maxAbsDiff(p1, p2);
  // The same images twice in training mode: zoom, contrast and dropout draw anew (and the batch norm's
  // moving statistics take two more steps, as they would in training).
  const trainingDiff = tf.tidy(() => {
    const batch = tf.slice(x, 0, BATCH);
    return maxAbsDiff(clf.model.apply(batch, { training: true }) as tf.Tensor, clf.model.apply(batch, { training: true }) as tf.Tensor);
  });
  tf.dispose([p1, p2, classes]);

  const original = layerBytes(clf, clf.model.layers.map((l) => l.name));
  const head = transferHead(clf, { numClasses: 2, freeze: true, seed: 7 });
  const baseLayers = [...head.baseLayers];
  const weightedBaseLayers = baseLayers.filter((n) => head.model.getLayer(n).weights.length > 0);
  const headLayers = ['logits'];
  const frozenBefore = layerBytes(head, baseLayers);
  const headBefore = layerBytes(head, headLayers);
  const losses: number[] = [];
  await head.fit(x, bottom(TRAIN_SET.labels), {
    epochs: 3,
    batchSize: BATCH,
    optimizer: { name: 'adam', learningRate: 0.05 },
    verbose: 0,
    seed: 8,
    callbacks: { onBatchEnd: (_b, logs) => void losses.push(logs['loss']!) },
  });
  const frozenAfter = layerBytes(head, baseLayers);
  const transfer = {
    kind: head.kind,
    baseLayers,
    weightedBaseLayers,
    frozenLayers: head.frozenLayers,
    changedWhileFrozen: changed(frozenBefore, frozenAfter),
    headChanged: changed(headBefore, layerBytes(head, headLayers)),
    losses,
    accuracy: head.evaluate(heldOut, bottom(HELD_OUT_SET.labels), { batchSize: BATCH }).accuracy,
    frozenAfterUnfreeze: -1,
    changedAfterUnfreeze: [] as string[],
    originalChanged: [] as string[],
  };
  head.unfreeze();
  transfer.frozenAfterUnfreeze = head.frozenLayers;
  await head.fit(x, bottom(TRAIN_SET.labels), { epochs: 1, batchSize: BATCH, optimizer: { name: 'adam', learningRate: 0.005 }, verbose: 0, seed: 9 });
  transfer.changedAfterUnfreeze = changed(frozenAfter, layerBytes(head, baseLayers));
  head.dispose();
  transfer.originalChanged = changed(original, layerBytes(clf, clf.model.layers.map((l) => l.name)));
  heldOut.dispose();

  return { history, evaluation, classes: classReport, inferenceDiff, trainingDiff, tensorsBefore, tensorsAfter: tf.memory().numTensors, transfer };
}

/** `fit`'s history of each trained classifier, for its checks. */
const histories = new WeakMap<SavableHandle, { loss: number[]; accuracy: number[] }>();

export const classifierCase: ModelCase = {
  name: 'classifier',
  lossKey: 'loss',
  parts: [''],
  data: () => tf.tensor4d(TRAIN_SET.pixels, [TRAIN, SIZE, SIZE, 1]),
  build: () => imageClassifier({ inputShape: [SIZE, SIZE, 1], numClasses: CLASSES, layers: LAYERS, seed: 3 }),
  fit: async (h, x, onStep) => {
    const history = await (h as Classifier).fit(x, TRAIN_SET.labels, {
      epochs: 6,
      batchSize: BATCH,
      optimizer: { name: 'adam', learningRate: 0.02 },
      verbose: 0,
      seed: 5,
      callbacks: { onBatchEnd: (_batch, logs) => onStep(logs) },
    });
    histories.set(h, { loss: history.loss, accuracy: history.accuracy });
  },
  probe: (h, x) => (h as Classifier).predict(x, { batchSize: BATCH }),
  weights: (h) => (h as Classifier).model.getWeights(),
  checks,
};
