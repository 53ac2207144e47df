/**
 * Suite `convAE`: the course's exercise-8 convolutional autoencoder (Conv2D 32 3x3/2 same, Conv2D 32 3x3/2
 * valid, MaxPooling2D 2, Dense 32 `code`, mirrored decoder), batch 32, SGD 0.01 momentum 0.95, MSE, on
 * real MNIST digits:
 * - training examples/s of both decoders (Conv2DTranspose; UpSampling2D + Conv2D, the demo's): latentkit,
 *   the same network in tfjs-layers `model.fit`, and the PyTorch peer, interleaved (bench/lib/speed.ts);
 * - the whole exercise as the demo runs it (denoising, 3,000 digits, 25 epochs, upsampling decoder): its
 *   seconds (the target: under 40 s) and test MSE, denoised vs clean.
 *
 *   npx tsx bench/run.ts convAE
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyNoise, convAE, denoisingAE, loadMnist, type AutoencoderHistory, type DecoderStyle } from '../../src/index.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { EXERCISE_8, EXERCISE_8_OPTIMIZER } from '../../examples/shared/exercise8.js';
import { trainingFlops } from '../lib/flops.js';
import { timed, type QualityRow, type Suite, type SuiteContext, type SuiteResult } from '../lib/harness.js';
import { digits, runSpeedCase, type SpeedCase } from '../lib/speed.js';

const BATCH = 32;
const SEED = 8;
const FULL_RUN = { full: { train: 3000, test: 500, epochs: 25 }, quick: { train: 64, test: 64, epochs: 1 } };

function convCase(decoder: DecoderStyle): SpeedCase {
  return {
    key: `convAE-${decoder}`,
    model: `conv AE exercise 8, ${decoder === 'transpose' ? 'Conv2DTranspose' : 'UpSampling2D + Conv2D'} decoder, SGD+momentum`,
    batchSize: BATCH,
    examples: { full: 1024, quick: 64 },
    repeats: { full: 5, quick: 1 },
    peerModel: `convAE-${decoder}`,
    flopsNote: 'conv, transposed conv and dense layers',
    async setup(n) {
      const x = await digits(n, { image: true });
      const build = () => convAE({ ...EXERCISE_8, decoder, seed: SEED });
      const ae = build();
      // The tfjs-layers reference is what a user writes by hand: UpSampling2D + Conv2D, not latentkit's
      // UpsampledConv2D (the switch is read when a model is built; same seed, same weights).
      const fused = kernelOptions.upsampledConv;
      kernelOptions.upsampledConv = false;
      const ref = build();
      kernelOptions.upsampledConv = fused;
      const optimizer = tf.train.momentum(EXERCISE_8_OPTIMIZER.learningRate, EXERCISE_8_OPTIMIZER.momentum);
      ref.model.compile({ optimizer, loss: 'meanSquaredError' });
      return {
        flopsPerExample: trainingFlops(ae.model),
        latentkit: async () => (await ae.fit(x, { epochs: 1, batchSize: BATCH, optimizer: EXERCISE_8_OPTIMIZER, verbose: 0 }))['loss']?.at(-1),
        reference: async () => ((await ref.model.fit(x, x, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 })).history['loss'] as number[]).at(-1),
        dispose: () => {
          ae.dispose();
          ref.dispose();
          optimizer.dispose();
          x.dispose();
        },
      };
    },
  };
}

export const convAECases = [convCase('transpose'), convCase('upsample')];

/** The demo's training run: exercise 8 as a denoising AE, timed, with its test MSE. */
async function fullExercise(ctx: SuiteContext): Promise<{ row: QualityRow; note: string }> {
  const { train, test, epochs } = ctx.quick ? FULL_RUN.quick : FULL_RUN.full;
  const mnist = await loadMnist({ train, test, seed: SEED });
  const noise = { kind: 'uniform', scale: 0.3 } as const;
  const dae = denoisingAE({ ...EXERCISE_8, noise, seed: SEED });
  let history: AutoencoderHistory | undefined;
  const t = await timed(async () => {
    history = await dae.fit(mnist.xTrain, { epochs, batchSize: BATCH, optimizer: EXERCISE_8_OPTIMIZER, verbose: 0 });
  });
  const noisy = applyNoise(mnist.xTest, noise, { seed: SEED + 1 });
  const denoised = dae.evaluate(noisy, { target: mnist.xTest, metric: 'mse' }).mean;
  const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisy, mnist.xTest)).dataSync()[0]!);
  noisy.dispose();
  dae.dispose();
  mnist.dispose();
  ctx.log(`convAE exercise 8: ${t.seconds.toFixed(1)} s, test MSE denoised ${denoised.toFixed(4)} (noisy ${noisyMse.toFixed(4)})`);
  return {
    row: {
      key: 'exercise8', model: `exercise 8 denoising AE, upsampling decoder, ${epochs} epochs x ${train} digits`, threads: ctx.backend.threads,
      metric: 'training seconds (target < 40 s)', latentkit: t.seconds,
      note: `test MSE denoised vs clean ${denoised.toFixed(4)} (noisy vs clean ${noisyMse.toFixed(4)}); final train loss ${history?.loss.at(-1)?.toFixed(4)}; ${((train * epochs) / t.seconds).toFixed(0)} ex/s`,
    },
    note: `Exercise 8 as the demo trains it (${train} digits, ${epochs} epochs): ${t.seconds.toFixed(1)} s on ${ctx.backend.threads} thread(s), test MSE denoised ${denoised.toFixed(4)}.`,
  };
}

export default {
  name: 'convAE',
  title: 'Exercise-8 conv autoencoder, both decoders: training examples/s vs tfjs-layers model.fit and PyTorch; the demo run',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { settings: { cases: convAECases, fullRun: ctx.quick ? FULL_RUN.quick : FULL_RUN.full, seed: SEED }, measurements: [], speed: [], quality: [], notes: [] };
    for (const c of convAECases) {
      const r = await runSpeedCase(c, ctx);
      out.speed.push(r.row);
      out.measurements.push(...r.measurements);
      out.notes.push(...r.notes);
    }
    const full = await fullExercise(ctx);
    out.quality.push(full.row);
    out.notes.push(full.note);
    return out;
  },
} satisfies Suite;
