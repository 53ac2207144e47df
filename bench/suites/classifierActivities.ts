/**
 * Suite `classifierActivities`: the course's transfer activities at reduced size (their accuracy, not their
 * speed: see the suite `classifier` for examples/s):
 * - the pretraining activity (examples/pretrain-500-labels.ts): a denoising conv AE on unlabelled digits,
 *   then 500 labels, pretrained vs from scratch over 5 seeds: mean and standard deviation;
 * - the assessment's table (examples/transfer-fashion-to-digits.ts): the Fashion-MNIST CNN, the frozen
 *   head, fine-tuned, from scratch.
 * The full-size commands are in the notes. Long on a shared machine (tens of minutes on 2 free cores).
 *
 *   npx tsx bench/run.ts classifierActivities --threads 2
 */
import { runAssessment, type AssessmentSettings } from '../../examples/shared/assessment.js';
import { meanSd } from '../../examples/shared/classifierReport.js';
import { pretrainComparison, type PretrainSettings } from '../../examples/shared/pretraining.js';
import { timed, type QualityRow, type Suite, type SuiteContext, type SuiteResult } from '../lib/harness.js';

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
        'Full size (the assessment as written, about an hour on one idle wasm thread): `npx tsx examples/transfer-fashion-to-digits.ts`. BatchNorm keeps momentum 0.99, so runs of under a few hundred steps report near-chance test accuracy.',
    ],
  };
}

export default {
  name: 'classifierActivities',
  title: 'The 500-label comparison (pretrained vs scratch, 5 seeds) and the transfer assessment table, at reduced size',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = {
      settings: { pretraining: ctx.quick ? PRETRAIN.quick : PRETRAIN.full, assessment: ctx.quick ? ASSESSMENT.quick : ASSESSMENT.full, seed: SEED },
      measurements: [],
      speed: [],
      quality: [],
      notes: [],
    };
    for (const part of [pretraining, assessment]) {
      const r = await part(ctx);
      out.quality.push(...r.rows);
      out.notes.push(...r.notes);
    }
    return out;
  },
} satisfies Suite;
