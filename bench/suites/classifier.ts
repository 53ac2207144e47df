/**
 * Suite `classifier`: the course's classifiers and its transfer activities.
 * - Training examples/s of the transfer-learning assessment's CNN (imageClassifier 'assessment': RandomZoom,
 *   RandomContrast, Conv2D 64 + BatchNorm, SeparableConv2D 64, MaxPool 3/2, BatchNorm, SeparableConv2D 256,
 *   MaxPool 3/2, GlobalAveragePooling, Dropout, softmax; Adam 0.002, batch 16) and of the CNN lecture's small
 *   network (Adadelta, batch 128) on real digits: latentkit, the same model in tfjs-layers `model.fit`, and
 *   the PyTorch peer of the same network (bench/peers/torch_peer.py), interleaved, paired ratios.
 * - The pretraining activity (examples/pretrain-500-labels.ts) at reduced size: a denoising conv AE on
 *   unlabelled digits, then 500 labels, pretrained vs from scratch over 5 seeds: mean and standard deviation.
 * - The assessment's table (examples/transfer-fashion-to-digits.ts) at reduced size: the Fashion-MNIST CNN,
 *   the frozen head, fine-tuned, from scratch. The full-size commands are in the notes.
 *
 *   npx tsx bench/run.ts classifier
 */
import * as tf from '@tensorflow/tfjs-core';
import { imageClassifier, type ClassifierPreset } from '../../src/index.js';
import { runAssessment, type AssessmentSettings } from '../../examples/shared/assessment.js';
import { meanSd } from '../../examples/shared/classifierReport.js';
import { pretrainComparison, type PretrainSettings } from '../../examples/shared/pretraining.js';
import { mnistDigits } from '../../test/helpers/mnist.js';
import { trainingFlops } from '../lib/flops.js';
import { timed, type QualityRow, type Suite, type SuiteContext, type SuiteResult } from '../lib/harness.js';
import { runSpeedCase, type SpeedCase } from '../lib/speed.js';

const SEED = 9;

/** Reduced sizes of the two activities (full runs of this suite), and the smoke run's. */
const PRETRAIN: Record<'full' | 'quick', Omit<PretrainSettings, 'verbose'>> = {
  full: { train: 3000, labelled: 500, test: 1000, pretrainEpochs: 5, epochs: 30, seeds: [1, 2, 3, 4, 5] },
  quick: { train: 100, labelled: 50, test: 50, pretrainEpochs: 1, epochs: 1, seeds: [1, 2] },
};
const ASSESSMENT: Record<'full' | 'quick', Omit<AssessmentSettings, 'verbose'>> = {
  full: { fashion: 3000, digits: 1000, test: 1000, epochs: 3, transferEpochs: 2, seed: SEED },
  quick: { fashion: 48, digits: 32, test: 32, epochs: 1, transferEpochs: 1, seed: SEED },
};

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
    examples: assessment ? { full: 512, quick: 32 } : { full: 2048, quick: 128 },
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

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

async function pretraining(ctx: SuiteContext): Promise<{ rows: QualityRow[]; notes: string[] }> {
  const s = ctx.quick ? PRETRAIN.quick : PRETRAIN.full;
  let runs: Awaited<ReturnType<typeof pretrainComparison>> = [];
  const t = await timed(async () => {
    runs = await pretrainComparison({ ...s, verbose: false });
  });
  const size = `${s.train} unlabelled digits x ${s.pretrainEpochs} epochs, ${s.labelled} labels x ${s.epochs} epochs, ${s.seeds.length} seeds`;
  const rows: QualityRow[] = (['pretrained', 'frozen', 'scratch'] as const).map((k) => {
    const m = meanSd(runs.map((r) => r[k]));
    return {
      key: `pretrain-${k}`,
      model: `500-label comparison (${size}): ${k === 'pretrained' ? 'pretrained encoder, fine-tuned' : k === 'frozen' ? 'pretrained encoder, frozen' : 'same network from scratch'}`,
      threads: ctx.backend.threads,
      metric: `test accuracy on ${s.test} digits, mean over seeds`,
      latentkit: m.mean,
      note: `sd ${(100 * m.sd).toFixed(1)} points; per seed ${runs.map((r) => pct(r[k])).join(', ')}`,
    };
  });
  ctx.log(`pretraining: ${rows.map((r) => `${r.key} ${pct(r.latentkit!)}`).join(', ')} (${t.seconds.toFixed(0)} s)`);
  return {
    rows,
    notes: [
      `500-label comparison (${size}) took ${t.seconds.toFixed(0)} s. Full size: \`npx tsx examples/pretrain-500-labels.ts\` (8,000 unlabelled digits x 10 epochs, 500 labels x 40 epochs, 5 seeds).`,
    ],
  };
}

async function assessment(ctx: SuiteContext): Promise<{ rows: QualityRow[]; notes: string[] }> {
  const s = ctx.quick ? ASSESSMENT.quick : ASSESSMENT.full;
  const r = await runAssessment({ ...s, verbose: false });
  const stages = [
    ['assessment-source', r.source, `Fashion-MNIST CNN (${s.fashion} images x ${s.epochs} epochs)`],
    ['assessment-frozen', r.frozen, `digits, frozen base + new head (${s.digits} digits x ${s.transferEpochs} epochs)`],
    ['assessment-finetuned', r.fineTuned, `digits, fine-tuned (+${s.transferEpochs} epochs at rate / 10)`],
    ['assessment-scratch', r.scratch, `digits, same CNN from scratch (${s.transferEpochs} epochs)`],
  ] as const;
  const rows: QualityRow[] = stages.map(([key, stage, model]) => ({
    key,
    model: `assessment: ${model}`,
    threads: ctx.backend.threads,
    metric: `test accuracy on ${s.test} images`,
    latentkit: stage.accuracy,
    note: `${stage.seconds.toFixed(0)} s of training`,
  }));
  ctx.log(`assessment: ${rows.map((row) => `${row.key} ${pct(row.latentkit!)}`).join(', ')}`);
  return {
    rows,
    notes: [
      `Assessment at reduced size (${s.fashion} clothes, ${s.digits} digits, ${s.test} test images): ${stages.map(([, st]) => st.seconds).reduce((a, b) => a + b, 0).toFixed(0)} s of training. ` +
        'Full size (the assessment as written, hours on wasm): `npx tsx examples/transfer-fashion-to-digits.ts`. BatchNorm keeps momentum 0.99, so runs of under a few hundred steps report near-chance test accuracy.',
    ],
  };
}

export default {
  name: 'classifier',
  title: 'Classifiers: assessment and lecture CNN training examples/s vs tfjs-layers model.fit and PyTorch; the 500-label comparison and the assessment table at reduced size',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = {
      settings: { cases: classifierCases, pretraining: ctx.quick ? PRETRAIN.quick : PRETRAIN.full, assessment: ctx.quick ? ASSESSMENT.quick : ASSESSMENT.full, seed: SEED },
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
    for (const part of [pretraining, assessment]) {
      const r = await part(ctx);
      out.quality.push(...r.rows);
      out.notes.push(...r.notes);
    }
    return out;
  },
} satisfies Suite;
