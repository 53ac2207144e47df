/**
 * Suite `vae`: the dense VAE 784-512-20 (ReLU, Bernoulli decoder) on binarized MNIST digits, trained by
 * latentkit and by PyTorch on CPU the same way, in the same run:
 *
 * - test negative ELBO in nats per digit (Bernoulli likelihood; pixels binarized at 0.5, i.e. 1 where the
 *   grey level is > 0.5) after a fixed schedule: 20 epochs, batch 128, Adam 1e-3, on the `mnist`
 *   package's 10,000 digits split 8,000 train / 2,000 test (seeded, stratified, `loadMnist`);
 * - training examples/s on wasm (the 20 epochs above), on cpu (3 epochs of 1,500 digits: it is about 15x
 *   slower) and PyTorch's over its 20 epochs, each the median of the epochs after the first (the warm-up).
 *
 * Both implementations start from the same initial weights (latentkit's seeded glorotUniform kernels and
 * zero biases, written to files for Python), see the same data and the same schedule, and estimate the
 * test ELBO the same way (closed-form KL, reconstruction averaged over 10 posterior draws per digit); they
 * differ in shuffling order and noise draws. PyTorch runs on 1 thread, as tfjs does in Node (cpu and wasm
 * compute on one thread), and needs Debian's `python3-torch` under `/usr/bin/python3` (not a pyenv
 * `python3` that may come first on PATH): the suite runs `apt-get install -y python3-torch` when it is
 * missing, and reports latentkit alone, with a note, when that fails.
 *
 *   npx tsx bench/run.ts vae            # full: about 2-3 min of wasm, 1 min of cpu, 4-5 min of PyTorch (Debian's build)
 *   npx tsx bench/run.ts vae --quick    # 1,000 / 500 digits, 2 epochs (cpu: 256 digits): under a minute
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend, type BackendInfo } from '../../src/index.js';
import { loadMnist } from '../../src/index.js';
import { VAE, type VariationalAutoencoder } from '../../src/index.js';
import { errorText, median, range, type Measurement, type Suite, type SuiteContext, type SummaryRow } from '../lib/harness.js';

const MODEL = 'dense VAE 784-512-20 (Bernoulli)';
const HIDDEN = 512;
const LATENT = 20;
const BATCH = 128;
const LEARNING_RATE = 1e-3;
const SEED = 7;
const EVAL_SAMPLES = 10;
const PYTHON = '/usr/bin/python3';
const PEER = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'vae_torch.py');
const TORCH = 'PyTorch CPU';

interface Sizes {
  train: number;
  test: number;
  /** The fixed schedule (wasm and PyTorch). */
  epochs: number;
  /** The cpu backend (about 15x slower than wasm here) measures throughput only: epochs over the first `cpuTrain` digits. */
  cpuEpochs: number;
  cpuTrain: number;
}

const FULL: Sizes = { train: 8000, test: 2000, epochs: 20, cpuEpochs: 3, cpuTrain: 1500 };
const QUICK: Sizes = { train: 1000, test: 500, epochs: 2, cpuEpochs: 2, cpuTrain: 256 };

/** What one training run measured, per epoch. */
interface EpochRecord {
  seconds: number;
  cpuSeconds: number;
  loss: number;
  tensors: number;
}

interface TorchResult {
  torch: string;
  python: string;
  threads: number;
  /** BLAS_INFO of the torch build ('mkl', 'open', 'generic'...). */
  blas: string;
  /** GFLOP/s of a 128x784x512 matmul on the torch threads used. */
  matmulGflops: number;
  epochs: Array<{ seconds: number; cpuSeconds: number; loss: number; examplesPerSecond: number; examplesPerCpuSecond: number | null }>;
  testNegativeElbo: number;
  evalSeconds: number;
}

const newVAE = () => VAE({ architecture: 'dense', inputShape: [784], hiddenUnits: [HIDDEN], latentDim: LATENT, likelihood: 'bernoulli', seed: SEED });

/** Trains `vae` for `epochs`, timing each epoch with wall and process CPU clocks. */
async function trainTimed(vae: VariationalAutoencoder, x: tf.Tensor, epochs: number, log: (m: string) => void, tag: string): Promise<EpochRecord[]> {
  const records: EpochRecord[] = [];
  let t0 = 0;
  let c0 = process.cpuUsage();
  await vae.fit(x, {
    epochs,
    batchSize: BATCH,
    optimizer: 'adam',
    learningRate: LEARNING_RATE,
    verbose: 0,
    seed: SEED,
    callbacks: {
      onEpochBegin: () => {
        t0 = performance.now();
        c0 = process.cpuUsage();
      },
      onEpochEnd: (epoch, logs) => {
        const c = process.cpuUsage(c0);
        const seconds = (performance.now() - t0) / 1000;
        records.push({ seconds, cpuSeconds: (c.user + c.system) / 1e6, loss: logs['loss']!, tensors: tf.memory().numTensors });
        log(`vae ${tag}: epoch ${epoch + 1}/${epochs}: loss ${logs['loss']!.toFixed(2)}, ${(x.shape[0]! / seconds).toFixed(0)} examples/s`);
      },
    },
  });
  return records;
}

/** Median over the epochs after the first (or over all, when there is only one). */
function steady<T>(items: T[]): T[] {
  return items.length > 1 ? items.slice(1) : items;
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' }).status === 0;
}

/** Makes PyTorch importable from Debian's python, installing `python3-torch` if needed; a note when impossible. */
function ensureTorch(log: (m: string) => void): string | undefined {
  if (torchAvailable()) return undefined;
  log(`vae: ${PYTHON} cannot import torch: running apt-get install -y python3-torch (a few minutes)`);
  const install = spawnSync('apt-get', ['install', '-y', 'python3-torch'], { encoding: 'utf8', timeout: 20 * 60_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (install.status === 0 && torchAvailable()) return undefined;
  const why = install.error ? install.error.message : (install.stderr || install.stdout || '').trim().split('\n').slice(-2).join(' ');
  return `PyTorch skipped: ${PYTHON} cannot import torch and \`apt-get install -y python3-torch\` failed (${why.slice(0, 200) || `exit ${install.status}`}).`;
}

async function writeF32(path: string, values: Float32Array): Promise<void> {
  await writeFile(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

/** Writes the data and the initial weights for the Python peer. */
async function writePeerInputs(dir: string, vae: VariationalAutoencoder, xTrain: Float32Array, xTest: Float32Array): Promise<void> {
  await writeF32(join(dir, 'x_train.f32'), xTrain);
  await writeF32(join(dir, 'x_test.f32'), xTest);
  const weights: Array<{ name: string; file: string; shape: number[] }> = [];
  for (const layer of ['encoder_1', 'mean', 'logVar', 'decoder_1', 'reconstruction']) {
    const [kernel, bias] = vae.model.getLayer(layer).getWeights();
    for (const [kind, t] of [['kernel', kernel!], ['bias', bias!]] as const) {
      const file = `w${weights.length}.f32`;
      await writeF32(join(dir, file), t.dataSync() as Float32Array);
      weights.push({ name: `${layer}/${kind}`, file, shape: t.shape });
    }
  }
  const manifest = { train: xTrain.length / 784, test: xTest.length / 784, inputDim: 784, hidden: HIDDEN, latent: LATENT, weights };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

function runTorch(dir: string, epochs: number, log: (m: string) => void): TorchResult {
  const args = [PEER, '--dir', dir, '--epochs', String(epochs), '--batch', String(BATCH), '--lr', String(LEARNING_RATE), '--threads', '1', '--seed', String(SEED), '--eval-samples', String(EVAL_SAMPLES)];
  log(`vae: ${PYTHON} ${args.join(' ')}`);
  const r = spawnSync(PYTHON, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 60 * 60_000, maxBuffer: 16 << 20 });
  if (r.status !== 0) throw new Error(`vae_torch.py failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''})`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

export default {
  name: 'vae',
  title: `${MODEL} on binarized MNIST: test negative ELBO after a fixed schedule and training examples/s, latentkit (wasm, cpu) vs PyTorch CPU`,
  async run(ctx: SuiteContext) {
    const sizes = ctx.quick ? QUICK : FULL;
    const measurements: Measurement[] = [];
    const summary: SummaryRow[] = [];
    const notes: string[] = [];
    const settings: Record<string, unknown> = {
      model: `${MODEL}: 784 -> Dense 512 ReLU -> (mean, logVar) Dense 20 -> z -> Dense 512 ReLU -> Dense 784 logits`,
      data: `loadMnist({ source: 'subset', train: ${sizes.train}, test: ${sizes.test}, seed: ${SEED} }) from the mnist package's 10,000 digits, binarized: 1 where the pixel is > 0.5`,
      schedule: `${sizes.epochs} epochs, batch ${BATCH}, Adam ${LEARNING_RATE} (betas 0.9/0.999, eps 1e-7), reshuffled each epoch; beta 1, no warm-up, no free bits`,
      cpu: `throughput only: ${sizes.cpuEpochs} epochs over the first ${sizes.cpuTrain} training digits`,
      metric: `test negative ELBO in nats per digit: closed-form KL + Bernoulli NLL averaged over ${EVAL_SAMPLES} posterior draws (lower is better)`,
      throughput: 'median over epochs 2.. of training examples per wall-clock second (and per process CPU second); the first epoch is the warm-up',
      seed: SEED,
    };
    const mnist = await loadMnist({ source: 'subset', train: sizes.train, test: sizes.test, seed: SEED, flat: true });
    // Float32Array.from: tfjs 4.22's cpu cast from bool to float32 keeps the bool bytes, so dataSync gives a Uint8Array.
    const binarize = (t: tf.Tensor) => {
      const b = tf.tidy(() => tf.cast(tf.greater(t, 0.5), 'float32'));
      const values = Float32Array.from(b.dataSync());
      b.dispose();
      return values;
    };
    const pixelsTrain = binarize(mnist.xTrain);
    const pixelsTest = binarize(mnist.xTest);
    mnist.dispose();
    const n = sizes.train;

    // latentkit on wasm, then cpu; the tensors are made per backend (a tensor lives on one backend).
    const lk: Record<string, { info: BackendInfo; records: EpochRecord[]; negElbo?: number; leaked: number; rows: number }> = {};
    let peerDir: string | undefined;
    for (const backend of ['wasm', 'cpu'] as const) {
      let vae: VariationalAutoencoder | undefined;
      let xTrain: tf.Tensor2D | undefined;
      let xTest: tf.Tensor2D | undefined;
      try {
        const info = await useBackend(backend);
        const rows = backend === 'wasm' ? sizes.train : sizes.cpuTrain;
        xTrain = tf.tensor2d(pixelsTrain.subarray(0, rows * 784), [rows, 784]);
        xTest = tf.tensor2d(pixelsTest, [sizes.test, 784]);
        vae = newVAE();
        if (backend === 'wasm') {
          peerDir = await mkdtemp(join(tmpdir(), 'latentkit-vae-bench-'));
          await writePeerInputs(peerDir, vae, pixelsTrain, pixelsTest);
        }
        const before = tf.memory().numTensors;
        const epochs = backend === 'wasm' ? sizes.epochs : sizes.cpuEpochs;
        const records = await trainTimed(vae, xTrain, epochs, ctx.log, backend);
        const leaked = tf.memory().numTensors - before;
        const negElbo = backend === 'wasm' ? -vae.elbo(xTest, { samples: EVAL_SAMPLES, seed: SEED }).mean : undefined;
        lk[backend] = { info, records, negElbo, leaked, rows };
        records.forEach((r, i) =>
          measurements.push({
            row: `${backend}/train`, implementation: 'latentkit', phase: i === 0 ? 'warmup' : 'timed', repeat: i, backend: info.name,
            threadsObtained: info.threads, simd: info.simd, epochs: 1, examples: rows, batchSize: BATCH, seconds: r.seconds, cpuSeconds: r.cpuSeconds,
            examplesPerSecond: rows / r.seconds, examplesPerCpuSecond: rows / r.cpuSeconds, finalLoss: r.loss,
            tensorsBefore: before, tensorsAfter: r.tensors, leaked: r.tensors - before,
          }),
        );
        if (negElbo !== undefined) ctx.log(`vae ${backend}: test negative ELBO ${negElbo.toFixed(2)} nats`);
      } catch (e) {
        const text = errorText(e);
        ctx.log(`vae ${backend}: FAILED: ${text}`);
        notes.push(`latentkit on ${backend} failed: ${text}`);
      } finally {
        vae?.dispose();
        tf.dispose([xTrain!, xTest!].filter(Boolean));
      }
    }

    // PyTorch, same data and initial weights.
    let torch: TorchResult | undefined;
    const skipped = ensureTorch(ctx.log);
    if (skipped) notes.push(skipped);
    else if (!peerDir) notes.push('PyTorch skipped: the wasm run that writes its inputs failed.');
    else {
      try {
        torch = runTorch(peerDir, sizes.epochs, ctx.log);
        ctx.log(`vae: PyTorch test negative ELBO ${torch.testNegativeElbo.toFixed(2)} nats`);
        torch.epochs.forEach((r, i) =>
          measurements.push({
            row: 'pytorch/train', implementation: TORCH, phase: i === 0 ? 'warmup' : 'timed', repeat: i, backend: `torch ${torch!.torch}`,
            threadsRequested: 1, threadsObtained: torch!.threads, epochs: 1, examples: n, batchSize: BATCH, seconds: r.seconds,
            cpuSeconds: r.cpuSeconds, examplesPerSecond: r.examplesPerSecond, examplesPerCpuSecond: r.examplesPerCpuSecond ?? NaN,
            finalLoss: r.loss, tensorsBefore: 0, tensorsAfter: 0, leaked: 0,
          }),
        );
      } catch (e) {
        notes.push(`PyTorch failed: ${errorText(e)}`);
      }
    }
    if (peerDir) await rm(peerDir, { recursive: true, force: true });

    const torchRate = torch ? steady(torch.epochs).map((r) => r.examplesPerSecond) : [];
    const torchCpuRate = torch ? steady(torch.epochs).map((r) => r.examplesPerCpuSecond ?? NaN) : [];
    const wasm = lk['wasm'];
    const torchRef = (value: number | null) => (torch ? { reference: value, referenceName: `${TORCH} ${torch.torch} (1 thread)` } : { reference: null, referenceName: TORCH });

    summary.push({
      model: MODEL,
      backend: wasm ? `wasm${wasm.info.simd ? ' (SIMD)' : ''}` : 'wasm',
      threads: String(wasm?.info.threads ?? 1),
      metric: `test −ELBO, nats/digit, after ${sizes.epochs} epochs (lower is better; ratio >1: latentkit worse)`,
      latentkit: wasm?.negElbo ?? null,
      ...torchRef(torch?.testNegativeElbo ?? null),
      ratio: wasm?.negElbo !== undefined && torch ? wasm.negElbo / torch.testNegativeElbo : null,
      leaked: wasm?.leaked,
      note: `${wasm?.negElbo?.toFixed(2) ?? '?'} vs ${torch?.testNegativeElbo.toFixed(2) ?? '—'} nats`,
    });
    for (const backend of ['wasm', 'cpu'] as const) {
      const run = lk[backend];
      const rates = run ? steady(run.records).map((r) => run.rows / r.seconds) : [];
      const cpuRates = run ? steady(run.records).map((r) => run.rows / r.cpuSeconds) : [];
      const mine = rates.length ? median(rates) : null;
      const theirs = torchRate.length ? median(torchRate) : null;
      summary.push({
        model: MODEL,
        backend: run ? `${backend}${run.info.simd ? ' (SIMD)' : ''}` : backend,
        threads: String(run?.info.threads ?? 1),
        metric: 'train examples/s, batch 128 (median of epochs after the first)',
        latentkit: mine,
        latentkitRange: range(rates),
        ...torchRef(theirs),
        referenceRange: range(torchRate),
        latentkitCpu: cpuRates.length ? median(cpuRates) : null,
        referenceCpu: torchCpuRate.length ? median(torchCpuRate) : null,
        ratio: mine !== null && theirs !== null ? mine / theirs : null,
        ratioCpu: cpuRates.length && torchCpuRate.length ? median(cpuRates) / median(torchCpuRate) : null,
        leaked: run?.leaked,
        note: backend === 'cpu' && run ? `${run.records.length} epochs of ${run.rows} digits` : undefined,
      });
    }

    if (wasm && torch) {
      const lossAt = (records: Array<{ loss: number }>) => records.map((r) => r.loss.toFixed(1)).join(', ');
      notes.push(
        `Test negative ELBO after ${sizes.epochs} epochs: latentkit (wasm) ${wasm.negElbo!.toFixed(2)} nats, PyTorch ${torch.testNegativeElbo.toFixed(2)} nats ` +
          `(ratio ${(wasm.negElbo! / torch.testNegativeElbo).toFixed(3)}). Training loss per epoch: latentkit ${lossAt(wasm.records)}; PyTorch ${lossAt(torch.epochs)}.`,
      );
    }
    if (torch) {
      notes.push(
        `PyTorch ${torch.torch} (Python ${torch.python}) from Debian's python3-torch, ${torch.threads} thread, BLAS_INFO=${torch.blas}: ` +
          `a 128x784x512 matmul runs at ${torch.matmulGflops.toFixed(1)} GFLOP/s` +
          (torch.blas === 'generic'
            ? ': a generic (reference) BLAS build, so the throughput ratios compare with this build, not with a PyTorch linked to MKL or OpenBLAS, which should be faster.'
            : '.'),
      );
    }
    notes.push(
      'Throughput ratios divide medians of separate runs (latentkit wasm, then cpu, then PyTorch), not paired repeats: load from other jobs ' +
        'on the machine moves them; the per-CPU-second figures are the steadier ones.',
      'Both implementations start from the same initial weights (written from the tfjs model to files for PyTorch) and train on the same binarized digits.',
    );
    settings['pytorch'] = torch
      ? { version: torch.torch, python: torch.python, threads: torch.threads, blas: torch.blas, matmulGflops: torch.matmulGflops, executable: PYTHON }
      : 'skipped';
    return { settings, measurements, summary, notes };
  },
} satisfies Suite;
