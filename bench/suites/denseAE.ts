/**
 * Suite `denseAE`: training throughput of the dense autoencoder 784-256-32-256-784 (ReLU, sigmoid output,
 * MSE, Adam 1e-3, batch 64) on real MNIST digits: latentkit's `undercompleteAE(...).fit`, the same network
 * in tfjs-layers `model.fit`, and the PyTorch peer, interleaved (bench/lib/speed.ts).
 *
 *   npx tsx bench/run.ts denseAE
 */
import * as tf from '@tensorflow/tfjs-core';
import { undercompleteAE } from '../../src/index.js';
import { trainingFlops } from '../lib/flops.js';
import type { Suite, SuiteContext, SuiteResult } from '../lib/harness.js';
import { digits, runSpeedCase, type SpeedCase } from '../lib/speed.js';

const SEED = 7;
const BATCH = 64;
const LEARNING_RATE = 1e-3;

export const denseAECase: SpeedCase = {
  key: 'denseAE',
  model: 'dense AE 784-256-32-256-784, Adam',
  batchSize: BATCH,
  examples: { full: 4096, quick: 256 },
  repeats: { full: 5, quick: 1 },
  peerModel: 'denseAE',
  flopsNote: 'dense layers',
  async setup(n) {
    const x = await digits(n);
    const build = () => undercompleteAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32, seed: SEED });
    const ae = build();
    const ref = build();
    const optimizer = tf.train.adam(LEARNING_RATE);
    ref.model.compile({ optimizer, loss: 'meanSquaredError' });
    return {
      flopsPerExample: trainingFlops(ae.model),
      latentkit: async () => (await ae.fit(x, { epochs: 1, batchSize: BATCH, verbose: 0, optimizer: 'adam', learningRate: LEARNING_RATE }))['loss']?.at(-1),
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

export default {
  name: 'denseAE',
  title: 'Dense AE 784-256-32-256-784: training examples/s, latentkit vs tfjs-layers model.fit vs PyTorch',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const { row, measurements, notes } = await runSpeedCase(denseAECase, ctx);
    notes.push(
      "The tfjs-layers reference is a second copy of latentkit's network (same seeded weights) compiled with tf.train.adam(1e-3) and MSE, trained by model.fit.",
    );
    return { settings: { case: denseAECase, seed: SEED }, measurements, speed: [row], quality: [], notes };
  },
} satisfies Suite;
