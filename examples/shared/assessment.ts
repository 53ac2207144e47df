/**
 * The transfer-learning assessment as one function, shared by its example and the benchmark: the
 * assessment's CNN trained on Fashion-MNIST, a new softmax on its Dropout output trained on digits with
 * the base frozen, then fine-tuned, against the same CNN trained on the digits from scratch.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageClassifier, loadFashionMnist, loadMnist, transferHead, type Classifier, type ClassifierHistory, type DataInput, type ImageDataset } from '../../src/index.js';
import { pct } from './classifierReport.js';

/** The sizes and seed of a run. */
export interface AssessmentSettings {
  /** Fashion-MNIST training images. */
  fashion: number;
  /** MNIST training digits for the new head. */
  digits: number;
  /** Test images of each data set. */
  test: number;
  /** Epochs on Fashion-MNIST (the assessment: 7). */
  epochs: number;
  /** Epochs on the digits for each of head, fine-tuning and scratch (the assessment: 3). */
  transferEpochs: number;
  seed: number;
  /** Progress bars and per-stage lines. */
  verbose: boolean;
}

/** One trained network and its test result. */
export interface AssessmentStage {
  name: string;
  seconds: number;
  history: ClassifierHistory;
  accuracy: number;
  confusion: number[][];
}

/** What a run gives: its four stages. */
export interface AssessmentResult {
  source: AssessmentStage;
  frozen: AssessmentStage;
  fineTuned: AssessmentStage;
  scratch: AssessmentStage;
}

/** The assessment's optimizer (Adam 0.002) and batch (16); fine-tuning runs at a tenth of the rate. */
export const ASSESSMENT_RATE = 0.002;
export const ASSESSMENT_BATCH = 16;

async function stage(name: string, clf: Classifier, x: DataInput, y: DataInput, test: [DataInput, DataInput], epochs: number, learningRate: number, verbose: boolean): Promise<AssessmentStage> {
  if (verbose) console.log(`\n${name}: ${epochs} epochs, Adam ${learningRate}, batch ${ASSESSMENT_BATCH}`);
  const started = performance.now();
  const history = await clf.fit(x, y, { epochs, batchSize: ASSESSMENT_BATCH, optimizer: { name: 'adam', learningRate }, validationData: test, verbose: verbose ? 1 : 0 });
  const seconds = (performance.now() - started) / 1000;
  const { accuracy, confusion } = clf.evaluate(test[0], test[1]);
  if (verbose) console.log(`${name}: test accuracy ${pct(accuracy)} (${seconds.toFixed(0)} s)`);
  return { name, seconds, history, accuracy, confusion };
}

/**
 * Runs the assessment. `afterSource` sees the Fashion-MNIST CNN and data before the transfer (for
 * pictures); every tensor and model is freed at the end.
 */
export async function runAssessment(
  s: AssessmentSettings,
  afterSource?: (cnn: Classifier, fashion: ImageDataset, digits: ImageDataset) => Promise<void>,
): Promise<AssessmentResult> {
  const fashion = await loadFashionMnist({ train: s.fashion, test: s.test, seed: s.seed });
  const digits = await loadMnist({ source: 'full', train: s.digits, test: s.test, seed: s.seed });
  const made: Classifier[] = [];
  try {
    const cnn = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, layers: 'assessment', seed: s.seed });
    made.push(cnn);
    if (s.verbose) console.log(cnn.summary());
    const source = await stage('Fashion-MNIST CNN', cnn, fashion.xTrain, fashion.yTrain, [fashion.xTest, fashion.yTest], s.epochs, ASSESSMENT_RATE, s.verbose);
    await afterSource?.(cnn, fashion, digits);

    const head = transferHead(cnn, { numClasses: 10, freeze: true, seed: s.seed + 1 });
    made.push(head);
    if (s.verbose) console.log(`\nnew head on '${head.config.fromLayer}'; frozen base layers: ${head.frozenLayers} of ${head.baseLayers.length}`);
    const digitTest: [tf.Tensor, tf.Tensor] = [digits.xTest, digits.yTest];
    const frozen = await stage('frozen base, new head', head, digits.xTrain, digits.yTrain, digitTest, s.transferEpochs, ASSESSMENT_RATE, s.verbose);
    head.unfreeze();
    const fineTuned = await stage('fine-tuned (every layer, rate / 10)', head, digits.xTrain, digits.yTrain, digitTest, s.transferEpochs, ASSESSMENT_RATE / 10, s.verbose);

    const fresh = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, layers: 'assessment', seed: s.seed + 2 });
    made.push(fresh);
    const scratch = await stage('from scratch', fresh, digits.xTrain, digits.yTrain, digitTest, s.transferEpochs, ASSESSMENT_RATE, s.verbose);
    return { source, frozen, fineTuned, scratch };
  } finally {
    for (const c of made) c.dispose();
    fashion.dispose();
    digits.dispose();
  }
}
