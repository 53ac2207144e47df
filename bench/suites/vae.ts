/**
 * Suite `vae`: variational autoencoders on MNIST.
 * - Training examples/s (bench/lib/speed.ts, interleaved with the PyTorch peer) of the dense VAE
 *   784-512-20 (Bernoulli, batch 128) and the conv VAE (Conv2D 32, 64 3x3/2 -> 16 latent -> Dense 3136 ->
 *   Conv2DTranspose 32, 1; batch 128), Adam 1e-3. No tfjs-layers `model.fit` reference: a VAE's loss is
 *   not a Keras loss, and a hand-written tfjs VAE loop is latentkit's own.
 * - Learning quality (in the 2-thread process of a full run, and in quick runs): test negative ELBO of the
 *   dense VAE after a fixed schedule (20 epochs, 8,000 binarized digits) against PyTorch trained the same way
 *   from the same initial weights (`bench/peers/vae_torch.py`).
 *
 *   npx tsx bench/run.ts vae
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VAE, loadMnist, type VariationalAutoencoder } from '../../src/index.js';
import { trainingFlops } from '../lib/flops.js';
import type { QualityRow, Suite, SuiteContext, SuiteResult } from '../lib/harness.js';
import { PYTHON } from '../lib/peer.js';
import { digits, runSpeedCase, type SpeedCase } from '../lib/speed.js';

const BATCH = 128;
const LEARNING_RATE = 1e-3;
const SEED = 7;
const EVAL_SAMPLES = 10;
const ELBO_PEER = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'vae_torch.py');

const newDense = () => VAE({ architecture: 'dense', inputShape: [784], hiddenUnits: [512], latentDim: 20, likelihood: 'bernoulli', seed: SEED });
const newConv = () => VAE({ architecture: 'conv', inputShape: [28, 28, 1], filters: [32, 64], latentDim: 16, likelihood: 'bernoulli', seed: SEED });

function vaeCase(kind: 'dense' | 'conv'): SpeedCase {
  return {
    key: kind === 'dense' ? 'vaeDense' : 'vaeConv',
    model: kind === 'dense' ? 'dense VAE 784-512-20, Bernoulli, Adam' : 'conv VAE 32-64 (3x3/2) -> 16 -> transposed mirror, Bernoulli, Adam',
    batchSize: BATCH,
    examples: { full: kind === 'dense' ? 4096 : 2048, quick: 256 },
    repeats: { full: 5, quick: 1 },
    peerModel: kind === 'dense' ? 'vaeDense' : 'vaeConv',
    flopsNote: 'dense and conv layers of encoder and decoder (mean and logVar heads both)',
    async setup(n) {
      const x = await digits(n, { image: kind === 'conv' });
      const vae = kind === 'dense' ? newDense() : newConv();
      return {
        flopsPerExample: trainingFlops(vae.model),
        latentkit: async () => (await vae.fit(x, { epochs: 1, batchSize: BATCH, optimizer: 'adam', learningRate: LEARNING_RATE, verbose: 0 }))['loss']?.at(-1),
        dispose: () => {
          vae.dispose();
          x.dispose();
        },
      };
    },
  };
}

export const vaeCases = [vaeCase('dense'), vaeCase('conv')];

async function writeF32(path: string, values: Float32Array): Promise<void> {
  await writeFile(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

interface ElboPeerResult {
  torch: string;
  threads: number;
  epochs: Array<{ loss: number }>;
  testNegativeElbo: number;
}

/** Test negative ELBO of the dense VAE after a fixed schedule, latentkit and PyTorch from the same weights. */
async function elboComparison(ctx: SuiteContext): Promise<{ row: QualityRow; notes: string[] }> {
  const sizes = ctx.quick ? { train: 256, test: 128, epochs: 1 } : { train: 8000, test: 2000, epochs: 20 };
  const mnist = await loadMnist({ source: 'subset', train: sizes.train, test: sizes.test, seed: SEED, flat: true });
  // Float32Array.from: tfjs 4.22's cpu cast from bool keeps the bool bytes.
  const binarize = (t: tf.Tensor) => tf.tidy(() => Float32Array.from(tf.cast(tf.greater(t, 0.5), 'float32').dataSync()));
  const pixelsTrain = binarize(mnist.xTrain);
  const pixelsTest = binarize(mnist.xTest);
  mnist.dispose();
  const dir = await mkdtemp(join(tmpdir(), 'latentkit-vae-bench-'));
  let vae: VariationalAutoencoder | undefined;
  const xTrain = tf.tensor2d(pixelsTrain, [sizes.train, 784]);
  const xTest = tf.tensor2d(pixelsTest, [sizes.test, 784]);
  try {
    vae = newDense();
    await writeF32(join(dir, 'x_train.f32'), pixelsTrain);
    await writeF32(join(dir, 'x_test.f32'), pixelsTest);
    const weights: Array<{ name: string; file: string; shape: number[] }> = [];
    for (const layer of ['encoder_1', 'mean', 'logVar', 'decoder_1', 'reconstruction']) {
      const [kernel, bias] = vae.model.getLayer(layer).getWeights();
      for (const [kind, t] of [['kernel', kernel!], ['bias', bias!]] as const) {
        const file = `w${weights.length}.f32`;
        await writeF32(join(dir, file), t.dataSync() as Float32Array);
        weights.push({ name: `${layer}/${kind}`, file, shape: t.shape });
      }
    }
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ train: sizes.train, test: sizes.test, inputDim: 784, hidden: 512, latent: 20, weights }));
    const h = await vae.fit(xTrain, { epochs: sizes.epochs, batchSize: BATCH, optimizer: 'adam', learningRate: LEARNING_RATE, verbose: 0, seed: SEED });
    const mine = -vae.elbo(xTest, { samples: EVAL_SAMPLES, seed: SEED }).mean;
    const peer = await ctx.peer();
    let theirs: ElboPeerResult | undefined;
    const notes: string[] = [];
    if ('skipped' in peer) notes.push(`ELBO comparison without PyTorch: ${peer.skipped}`);
    else {
      const args = [ELBO_PEER, '--dir', dir, '--epochs', String(sizes.epochs), '--batch', String(BATCH), '--lr', String(LEARNING_RATE), '--threads', '1', '--seed', String(SEED), '--eval-samples', String(EVAL_SAMPLES)];
      const r = spawnSync(PYTHON, args, { encoding: 'utf8', timeout: 60 * 60_000, maxBuffer: 16 << 20, env: { ...process.env, OPENBLAS_NUM_THREADS: '1' } });
      if (r.status === 0) theirs = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as ElboPeerResult;
      else notes.push(`vae_torch.py failed (exit ${r.status}): ${(r.stderr ?? '').trim().split('\n').at(-1)}`);
    }
    const lossAt = (xs: number[]) => xs.map((v) => v.toFixed(1)).join(', ');
    if (theirs) {
      notes.push(
        `Test negative ELBO after ${sizes.epochs} epochs (same initial weights and data): latentkit ${mine.toFixed(2)} nats, PyTorch ${theirs.testNegativeElbo.toFixed(2)} nats. ` +
          `Training loss per epoch: latentkit ${lossAt(h['loss']!)}; PyTorch ${lossAt(theirs.epochs.map((e) => e.loss))}.`,
      );
    }
    ctx.log(`vae ELBO: latentkit ${mine.toFixed(2)}, PyTorch ${theirs?.testNegativeElbo.toFixed(2) ?? '—'} nats`);
    return {
      row: {
        key: 'vaeElbo', model: `dense VAE 784-512-20, ${sizes.epochs} epochs x ${sizes.train} binarized digits`, threads: ctx.backend.threads,
        metric: 'test −ELBO, nats/digit (lower is better)', latentkit: mine, peer: theirs?.testNegativeElbo ?? null,
      },
      notes,
    };
  } finally {
    vae?.dispose();
    tf.dispose([xTrain, xTest]);
    await rm(dir, { recursive: true, force: true });
  }
}

export default {
  name: 'vae',
  title: 'Dense and conv VAEs: training examples/s vs PyTorch; test ELBO of the dense VAE vs PyTorch after a fixed schedule',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { settings: { cases: vaeCases, batchSize: BATCH, learningRate: LEARNING_RATE, seed: SEED }, measurements: [], speed: [], quality: [], notes: [] };
    for (const c of vaeCases) {
      const r = await runSpeedCase(c, ctx);
      out.speed.push(r.row);
      out.measurements.push(...r.measurements);
      out.notes.push(...r.notes);
    }
    if (ctx.quick || ctx.threads === 2) {
      const q = await elboComparison(ctx);
      out.quality.push(q.row);
      out.notes.push(...q.notes);
    } else {
      out.notes.push('The ELBO comparison runs in the 2-thread process (training is bit-identical on 1 and 2 threads).');
    }
    return out;
  },
} satisfies Suite;
