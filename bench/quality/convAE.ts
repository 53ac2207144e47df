/**
 * Quality case `convAE`: the conv autoencoder latentkit recommends for 28x28 digits
 * (`examples/shared/recommendedConvAE.ts`: Conv2D 32 and 64, 3x3 stride 2 'same', a linear 32-d code, the
 * transposed mirror; Adam 1e-3, MSE, batch 128) on the full MNIST: 60,000 official training digits, test MSE
 * on the 10,000 official test digits; the PyTorch peer trains the same network from the same weights.
 */
import * as tf from '@tensorflow/tfjs-core';
import { convAE, loadMnist, saveImageGrid } from '../../src/index.js';
import { RECOMMENDED_CONV_AE } from '../../examples/shared/recommendedConvAE.js';
import type { SuiteContext } from '../lib/harness.js';
import { join } from 'node:path';
import { trainAutoencoder } from './autoencoder.js';
import { caseDirs, fmt, startLoad, writeResult, type CaseResult } from './common.js';
import { loadAverage } from './progress.js';

const FULL = { train: 60000, test: 10000, epochs: 10, batch: 128, lr: 1e-3, seed: 7, evalEvery: 1 };
const QUICK = { ...FULL, train: 512, test: 256, epochs: 1 };

export async function convAECase(ctx: SuiteContext): Promise<CaseResult> {
  const s = ctx.quick ? QUICK : FULL;
  const { out, state } = caseDirs(ctx, 'convAE');
  const load0 = startLoad();
  const mnist = await loadMnist({ source: 'full', order: 'official', train: s.train, test: s.test });
  try {
    const run = await trainAutoencoder(ctx, state, {
      name: 'convAE',
      build: () => convAE({ ...RECOMMENDED_CONV_AE, seed: s.seed }),
      input: mnist.xTrain, target: mnist.xTrain, testInput: mnist.xTest, testTarget: mnist.xTest,
      optimizer: { name: 'adam', lr: s.lr }, epochs: s.epochs, batch: s.batch, seed: s.seed, evalEvery: s.evalEvery,
      settings: { ...s, network: RECOMMENDED_CONV_AE },
    });
    const { ae, progress: p, peer } = run;
    try {
      const shown = tf.tidy(() => {
        const x = tf.slice(mnist.xTest, 0, 16);
        return tf.concat([x, ae.reconstruct(x)], 0);
      });
      await saveImageGrid(join(out, 'convAE-reconstructions.png'), shown, { rows: 2, cols: 16, scale: 2, padding: 1, background: 0.5 });
      shown.dispose();
      const last = p.evals.at(-1);
      const firstBelow = p.evals.find((e) => e.testMse <= 0.01)?.epoch;
      const peerMse = peer?.final['testMse'];
      const result: CaseResult = {
        case: 'convAE',
        title: 'The recommended conv autoencoder for 28x28 digits: test MSE on the full MNIST',
        status: p.epoch === s.epochs ? 'complete' : 'partial',
        rows: [
          {
            model: `conv AE 32-64 (3x3/2 same) -> 32 linear -> transposed mirror, Adam 1e-3, batch ${s.batch}, ${s.epochs} epochs (recommended)`,
            data: `MNIST ${s.train.toLocaleString('en-US')} train, ${s.test.toLocaleString('en-US')} test (official)`,
            metric: 'test MSE (target <= 0.010)',
            latentkit: fmt(last?.testMse, 4) + (firstBelow ? ` (<= 0.010 from epoch ${firstBelow})` : ''),
            peer: fmt(peerMse, 4),
            published: '—',
          },
        ],
        figures: { evals: p.evals, history: p.history, peer: peer ? { evals: peer.evals, history: peer.history, checkDiff: peer.checkDiff } : run.peerSkipped, firstEpochAtOrBelow0010: firstBelow },
        settings: { ...s, network: RECOMMENDED_CONV_AE },
        seconds: { latentkit: p.seconds, peer: peer?.trainSeconds },
        load: { start: load0, end: loadAverage(), epochs: run.loadEpochs },
        threads: ctx.backend.threads,
        pictures: ['convAE-reconstructions.png'],
        notes: run.peerSkipped ? [`PyTorch peer skipped: ${run.peerSkipped}`] : [],
        date: new Date().toISOString(),
      };
      writeResult(out, result);
      return result;
    } finally {
      ae.dispose();
    }
  } finally {
    mnist.dispose();
  }
}
