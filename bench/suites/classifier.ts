/**
 * Suite `classifier`: training speed of the course's classifiers.
 * - Training examples/s of the transfer-learning assessment's CNN (imageClassifier 'assessment': RandomZoom,
 *   RandomContrast, Conv2D 64 + BatchNorm, SeparableConv2D 64, MaxPool 3/2, BatchNorm, SeparableConv2D 256,
 *   MaxPool 3/2, GlobalAveragePooling, Dropout, softmax; Adam 0.002, batch 16) and of the CNN lecture's small
 *   network (Adadelta, batch 128) on real digits: latentkit, the same model in tfjs-layers `model.fit`, and
 *   the PyTorch peer of the same network (bench/peers/torch_peer.py), interleaved, paired ratios.
 * The course's activities (the 500-label comparison, the assessment's table) are the suite
 * `classifierActivities`.
 *
 *   npx tsx bench/run.ts classifier
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageClassifier, type ClassifierPreset } from '../../src/index.js';
import { mnistDigits } from '../../test/helpers/mnist.js';
import { trainingFlops } from '../lib/flops.js';
import type { Suite, SuiteContext, SuiteResult } from '../lib/harness.js';
import { runSpeedCase, type SpeedCase } from '../lib/speed.js';

const SEED = 9;

/** `n` digits as images and their labels. */
function labelledDigits(n: number): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const d = mnistDigits(Math.ceil(n / 10));
  return { x: tf.tensor4d(d.pixels.subarray(0, n * 784), [n, 28, 28, 1]), y: tf.tensor1d(d.labels.subarray(0, n), 'int32') };
}

function cnnCase(preset: ClassifierPreset): SpeedCase {
  const assessment = preset === 'assessment';
  const batchSize = assessment ? 16 : 128;
  const optimizer = assessment ? ({ name: 'adam', learningRate: 0.002 } as const) : ({ name: 'adadelta', learningRate: 1 } as const);
  return {
    key: `${preset}CNN`,
    model: assessment
      ? 'assessment CNN (RandomZoom, RandomContrast, Conv 64 + BN, SepConv 64, BN, SepConv 256, GAP), Adam 0.002'
      : 'lecture CNN (Conv 16, MaxPool, Dense 10, dropout), Adadelta',
    batchSize,
    examples: assessment ? { full: 256, quick: 32 } : { full: 2048, quick: 128 },
    repeats: { full: 5, quick: 1 },
    peerModel: `${preset}CNN`,
    flopsNote: 'conv, depthwise/pointwise and dense layers (augmentation, batch norm and pooling not counted)',
    async setup(n) {
      const { x, y } = labelledDigits(n);
      // tfjs-layers' sparse cross-entropy floors its targets, which it refuses for int32.
      const yFloat = tf.cast(y, 'float32');
      const clf = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, layers: preset, seed: SEED });
      const ref = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, layers: preset, seed: SEED });
      const refOptimizer = assessment ? tf.train.adam(0.002, 0.9, 0.999, 1e-7) : tf.train.adadelta(1, 0.95, 1e-7);
      ref.model.compile({ optimizer: refOptimizer, loss: 'sparseCategoricalCrossentropy' });
      return {
        flopsPerExample: trainingFlops(clf.model),
        latentkit: async () => (await clf.fit(x, y, { epochs: 1, batchSize, optimizer, verbose: 0 })).loss.at(-1),
        reference: async () => ((await ref.model.fit(x, yFloat, { epochs: 1, batchSize, shuffle: true, verbose: 0 })).history['loss'] as number[]).at(-1),
        dispose: () => {
          clf.dispose();
          ref.dispose();
          refOptimizer.dispose();
          tf.dispose([x, y, yFloat]);
        },
      };
    },
  };
}

export const classifierCases = [cnnCase('assessment'), cnnCase('lecture')];

export default {
  name: 'classifier',
  title: 'Classifiers: assessment and lecture CNN training examples/s vs tfjs-layers model.fit and PyTorch',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = {
      settings: { cases: classifierCases, seed: SEED },
      measurements: [],
      speed: [],
      quality: [],
      notes: [],
    };
    for (const c of classifierCases) {
      const r = await runSpeedCase(c, ctx);
      out.speed.push(r.row);
      out.measurements.push(...r.measurements);
      out.notes.push(...r.notes);
    }
    return out;
  },
} satisfies Suite;
