/**
 * Quality case `exercise8`: the course's exercise 8 as the course runs it.
 *
 * - Data: the first 3,000 official MNIST training images (`x_train[:3000]`) and the 10,000 official test
 *   images, in order (`loadMnist({ source: 'full', order: 'official', train: 3000 })`); test images 128
 *   and 198 for the walk between codes.
 * - Noise: the course's arrays, `x + np.random.rand(*x.shape) * 0.3`, drawn once (not clipped) for the
 *   training and for the test images, and trained from noisy input to clean target (latentkit's
 *   `denoisingAE` draws fresh noise at every step instead; the demo uses that).
 * - Network: `examples/shared/exercise8.ts` (the exercise's encoder; the upsampling mirror, because the
 *   Conv2DTranspose one stalls with this optimizer); SGD 0.01 momentum 0.95, MSE, 25 epochs, batch 32,
 *   reshuffled every epoch.
 * - Seeds: the course's notebook is not part of this repository, and numpy's Mersenne Twister and
 *   TensorFlow's Philox streams cannot be replayed by tfjs: the draws are latentkit's, from seed 42 (the
 *   demo's). What is matched is everything else: data, network, initial-weight distributions (Glorot
 *   uniform, zero biases), noise, optimizer, epochs, batch, shuffling.
 * The PyTorch peer trains the same network from the same initial weights on the same noisy arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { applyNoise, convAE, interpolate, loadMnist, saveImageGrid } from '../../src/index.js';
import { EXERCISE_8 } from '../../examples/shared/exercise8.js';
import type { SuiteContext } from '../lib/harness.js';
import { trainAutoencoder } from './autoencoder.js';
import { caseDirs, fmt, startLoad, writeResult, type CaseResult } from './common.js';
import { loadAverage } from './progress.js';

const FULL = { train: 3000, test: 10000, epochs: 25, batch: 32, lr: 0.01, momentum: 0.95, noiseScale: 0.3, seed: 42, from: 128, to: 198 };
const QUICK = { ...FULL, train: 300, test: 256, epochs: 1 };

export async function exercise8Case(ctx: SuiteContext): Promise<CaseResult> {
  const s = ctx.quick ? QUICK : FULL;
  const { out, state } = caseDirs(ctx, 'exercise8');
  const load0 = startLoad();
  const mnist = await loadMnist({ source: 'full', order: 'official', train: s.train, test: s.test });
  const noise = { kind: 'uniform', scale: s.noiseScale } as const;
  const noisyTrain = applyNoise(mnist.xTrain, noise, { seed: s.seed + 1 });
  const noisyTest = applyNoise(mnist.xTest, noise, { seed: s.seed + 2 });
  try {
    const run = await trainAutoencoder(ctx, state, {
      name: 'exercise8',
      build: () => convAE({ ...EXERCISE_8, seed: s.seed }),
      input: noisyTrain, target: mnist.xTrain, testInput: noisyTest, testTarget: mnist.xTest,
      optimizer: { name: 'sgd', lr: s.lr, momentum: s.momentum }, epochs: s.epochs, batch: s.batch, seed: s.seed, evalEvery: 5,
      settings: { ...s, network: EXERCISE_8 },
    });
    const { ae, progress: p, peer } = run;
    try {
      const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisyTest, mnist.xTest)).dataSync()[0]!);
      const pair = [s.from, s.to];
      const frames = tf.tidy(() => {
        const [a, b] = pair.map((i) => ae.encode(tf.slice(mnist.xTest, i, 1)));
        return ae.decode(interpolate(a!, b!, { steps: 10 }));
      });
      const digits = tf.tidy(() => tf.concat(pair.flatMap((i) => {
        const clean = tf.slice(mnist.xTest, i, 1);
        const noisy = tf.slice(noisyTest, i, 1);
        return [clean, noisy, ae.reconstruct(noisy)];
      }), 0));
      const grid = { scale: 3, padding: 1, background: 0.5 } as const;
      await saveImageGrid(join(out, 'exercise8-interpolation.png'), frames, { ...grid, rows: 1, cols: 10 });
      await saveImageGrid(join(out, 'exercise8-digits.png'), digits, { ...grid, rows: 2, cols: 3 });
      tf.dispose([frames, digits]);
      const last = p.evals.at(-1);
      const peerMse = peer?.final['testMse'];
      const labels = mnist.yTest.dataSync();
      const result: CaseResult = {
        case: 'exercise8',
        title: "The course's exercise 8, exactly: conv denoising AE on the first 3,000 official digits, walk from test 128 to 198",
        status: p.epoch === s.epochs ? 'complete' : 'partial',
        rows: [
          {
            model: `exercise 8 conv denoising AE (upsampling mirror), SGD 0.01 momentum 0.95, batch ${s.batch}, ${s.epochs} epochs`,
            data: `MNIST first ${s.train.toLocaleString('en-US')} official train, ${s.test.toLocaleString('en-US')} official test; x + U(0,1)·0.3 drawn once`,
            metric: `test MSE denoised vs clean (noisy vs clean: ${fmt(noisyMse, 4)})`,
            latentkit: fmt(last?.testMse, 4),
            peer: fmt(peerMse, 4),
            published: '— (the course gives no figure)',
          },
        ],
        figures: {
          evals: p.evals, history: p.history, noisyVsCleanMse: noisyMse, finalTrainLoss: p.history.at(-1)?.['loss'],
          interpolation: { from: s.from, fromLabel: labels[s.from], to: s.to, toLabel: labels[s.to], steps: 10 },
          peer: peer ? { evals: peer.evals, history: peer.history, checkDiff: peer.checkDiff } : run.peerSkipped,
        },
        settings: { ...s, network: EXERCISE_8 },
        seconds: { latentkit: p.seconds, peer: peer?.trainSeconds },
        load: { start: load0, end: loadAverage(), epochs: run.loadEpochs },
        threads: ctx.backend.threads,
        pictures: ['exercise8-interpolation.png', 'exercise8-digits.png'],
        notes: [
          "Seeds: the course's numpy/TensorFlow streams cannot be replayed in tfjs; latentkit's draws come from seed 42. Matched: data, network, initial-weight distributions, noise, optimizer, epochs, batch, shuffling.",
          ...(run.peerSkipped ? [`PyTorch peer skipped: ${run.peerSkipped}`] : []),
        ],
        date: new Date().toISOString(),
      };
      writeResult(out, result);
      return result;
    } finally {
      ae.dispose();
    }
  } finally {
    tf.dispose([noisyTrain, noisyTest]);
    mnist.dispose();
  }
}
