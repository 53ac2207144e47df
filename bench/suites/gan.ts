/**
 * Suite `gan`: GAN training throughput (steps/s, one step = one discriminator update and one generator
 * update) of latentkit's `GAN(...).fit` on cpu and wasm, against the same models and the same step in
 * PyTorch on the CPU, in the same run.
 *
 * Models (the PyTorch peer, `bench/peers/gan_torch.py`, mirrors them layer for layer):
 * - dense: the course's GAN for flattened digits, latentkit's defaults: G z(256) -> 256 tanh -> 256 tanh ->
 *   784 tanh; D 784 -> 32 tanh (`embedding`) -> sigmoid; Adam 1e-4 (D) / 1e-3 (G); batch 32.
 * - dcgan: `architecture: 'dcgan'`, 28x28x1, z(100), generatorFilters [64, 32], discriminatorFilters [32, 64],
 *   4x4 kernels, batch norm in G; Adam 2e-4, beta1 0.5; batch 64.
 *
 * latentkit trains on real MNIST digits scaled to [-1, 1]; the peer on uniform noise in [-1, 1] (the cost of
 * a step does not depend on the values). PyTorch is Debian's `python3-torch`, run with Debian's python
 * (`/usr/bin/python3`, not a pyenv `python3` on PATH); when it is missing the suite installs it with
 * `apt-get install -y python3-torch`, and when that fails it reports latentkit alone, with a note.
 *
 * Each latentkit measurement is one `fit` of one epoch over `steps * batch` digits (after a warm-up fit);
 * each PyTorch measurement is one run of the peer (its own warm-up, then `steps` timed steps). The two
 * alternate, repeat by repeat, which goes first, so that load from other jobs hits both alike; the ratio is
 * the median over repeats of latentkit / PyTorch of the pair. Wall time and process CPU time are both
 * recorded. PyTorch runs with 1 thread (the reference: tfjs's cpu and Node wasm backends compute on one
 * thread) and, once per model for the notes, with 2.
 *
 *   npx tsx bench/run.ts gan            # full: about 10 min, most of it the cpu backend's DCGAN step
 *   npx tsx bench/run.ts gan --quick    # a smoke run of about a minute (no DCGAN on cpu)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName } from '../../src/index.js';
import { GAN, type GANConfig, type GenerativeAdversarialNetwork } from '../../src/index.js';
import { mnistDigits } from '../../test/helpers/mnist.js';
import { errorText, median, range, timed, type Measurement, type Suite, type SuiteContext, type SummaryRow } from '../lib/harness.js';

const PYTHON = '/usr/bin/python3';
const PEER = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'gan_torch.py');
const SEED = 7;

type ModelName = 'dense' | 'dcgan';

interface ModelSpec {
  title: string;
  config: GANConfig;
  batchSize: number;
  image: boolean;
}

const MODELS: Record<ModelName, ModelSpec> = {
  dense: {
    title: 'dense GAN (course): G 256-256-256-784, D 784-32-1',
    config: { dataShape: [784], seed: SEED },
    batchSize: 32,
    image: false,
  },
  dcgan: {
    title: 'DCGAN 28x28: G z100-(7x7x64)-32-1, D 32-64-1',
    config: { architecture: 'dcgan', dataShape: [28, 28, 1], zDim: 100, generatorFilters: [64, 32], discriminatorFilters: [32, 64], seed: SEED },
    batchSize: 64,
    image: true,
  },
};

interface RunSize {
  /** Training steps per timed repeat. */
  steps: number;
  repeats: number;
  /** Steps of the warm-up fit (0: none). */
  warmup: number;
}

interface Sizes {
  latentkit: Record<ModelName, Record<'cpu' | 'wasm', RunSize | null>>;
  torch: Record<ModelName, RunSize>;
}

// tfjs's cpu backend computes convolutions (and their gradients) in plain JavaScript loops: a DCGAN step
// takes tens of seconds there, so it gets one short repeat.
const FULL: Sizes = {
  latentkit: {
    dense: { cpu: { steps: 30, repeats: 3, warmup: 3 }, wasm: { steps: 100, repeats: 3, warmup: 5 } },
    dcgan: { cpu: { steps: 2, repeats: 1, warmup: 0 }, wasm: { steps: 10, repeats: 3, warmup: 1 } },
  },
  torch: { dense: { steps: 100, repeats: 3, warmup: 5 }, dcgan: { steps: 10, repeats: 3, warmup: 1 } },
};
const QUICK: Sizes = {
  latentkit: {
    dense: { cpu: { steps: 5, repeats: 1, warmup: 1 }, wasm: { steps: 10, repeats: 1, warmup: 1 } },
    dcgan: { cpu: null, wasm: { steps: 1, repeats: 1, warmup: 1 } },
  },
  torch: { dense: { steps: 10, repeats: 1, warmup: 1 }, dcgan: { steps: 1, repeats: 1, warmup: 1 } },
};

/** A GAN measurement: the harness's fields, plus steps. */
interface GANMeasurement extends Measurement {
  model: ModelName;
  steps: number;
  stepsPerSecond: number;
  stepsPerCpuSecond: number;
}

interface TorchRun {
  seconds: number;
  cpuSeconds: number;
  stepsPerSecond: number;
  stepsPerCpuSecond: number | null;
}

interface TorchResult {
  torch: string;
  python: string;
  blas: string;
  matmulGflops: number;
  threads: number;
  runs: TorchRun[];
  finalDLoss: number;
  finalGLoss: number;
}

/** `examples` digits scaled to [-1, 1], in the model's shape. */
function digits(spec: ModelSpec, examples: number): tf.Tensor {
  const d = mnistDigits(Math.ceil(examples / 10));
  return tf.tidy(() => {
    const x = tf.sub(tf.mul(tf.tensor2d(d.pixels.subarray(0, examples * 784), [examples, 784]), 2), 1);
    return spec.image ? tf.reshape(x, [examples, 28, 28, 1]) : x;
  });
}

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** Makes PyTorch importable from Debian's python, installing `python3-torch` if needed; a note when impossible. */
function ensureTorch(log: (m: string) => void): string | undefined {
  if (!existsSync(PYTHON)) return `PyTorch skipped: ${PYTHON} not found (this suite uses Debian's python3-torch).`;
  if (torchAvailable()) return undefined;
  log(`gan: ${PYTHON} cannot import torch: running apt-get install -y python3-torch (a few minutes)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = spawnSync('apt-get', ['install', '-y', 'python3-torch'], { encoding: 'utf8', timeout: 20 * 60_000, env });
  if (install.status === 0 && torchAvailable()) return undefined;
  const why = (install.error?.message ?? install.stderr ?? '').trim().split('\n').at(-1) ?? '';
  return `PyTorch skipped: ${PYTHON} cannot import torch and \`apt-get install -y python3-torch\` failed (${why.slice(0, 200) || `exit ${install.status}`}).`;
}

function runTorch(model: ModelName, size: RunSize, repeats: number, threads: number): TorchResult {
  const args = JSON.stringify({ model, steps: size.steps, warmup: Math.max(1, size.warmup), repeats, threads, seed: SEED });
  const r = spawnSync(PYTHON, [PEER, args], { encoding: 'utf8', timeout: 30 * 60_000, maxBuffer: 16 * 2 ** 20 });
  if (r.status !== 0) {
    throw new Error(`gan_torch.py ${model} failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}): ${(r.stderr ?? '').trim().split('\n').at(-1)}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as TorchResult;
}

const MODEL_NAMES = ['dense', 'dcgan'] as const;

export default {
  name: 'gan',
  title: 'GAN training steps/s (1 D + 1 G update per step): latentkit on cpu and wasm vs PyTorch CPU, dense (course) GAN and DCGAN',
  async run(ctx: SuiteContext) {
    const sizes = ctx.quick ? QUICK : FULL;
    const measurements: GANMeasurement[] = [];
    const summary: SummaryRow[] = [];
    const notes: string[] = [];
    const skipTorch = ensureTorch(ctx.log);
    if (skipTorch) notes.push(skipTorch);
    let torchInfo: TorchResult | undefined;
    const torchName = () => (torchInfo ? `PyTorch ${torchInfo.torch} CPU (1 thread)` : 'PyTorch CPU');

    const recordTorch = (row: string, model: ModelName, size: RunSize, threads: number, repeat: number, r: TorchResult) => {
      const batch = MODELS[model].batchSize;
      for (const run of r.runs) {
        measurements.push({
          row, model, implementation: 'PyTorch', phase: 'timed', repeat, backend: `torch ${r.torch}`, threadsRequested: threads,
          threadsObtained: r.threads, epochs: 1, examples: size.steps * batch, batchSize: batch, seconds: run.seconds,
          cpuSeconds: run.cpuSeconds, examplesPerSecond: run.stepsPerSecond * batch, examplesPerCpuSecond: (run.stepsPerCpuSecond ?? NaN) * batch,
          steps: size.steps, stepsPerSecond: run.stepsPerSecond, stepsPerCpuSecond: run.stepsPerCpuSecond ?? NaN, finalLoss: r.finalDLoss,
          tensorsBefore: 0, tensorsAfter: 0, leaked: 0,
        });
      }
    };

    for (const model of MODEL_NAMES) {
      const spec = MODELS[model];
      for (const backend of ['cpu', 'wasm'] as const) {
        const size = sizes.latentkit[model][backend];
        const row = `${model}/${backend}`;
        if (!size) {
          notes.push(`${model} on ${backend}: skipped in quick runs (a DCGAN step takes tens of seconds on tfjs's cpu backend).`);
          continue;
        }
        let gan: GenerativeAdversarialNetwork | undefined;
        let x: tf.Tensor | undefined;
        let info: Awaited<ReturnType<typeof useBackend>> | undefined;
        try {
          info = await useBackend(backend as BackendName);
          ctx.log(`gan ${row}: backend ${info.name}, threads ${info.threads}, simd ${info.simd ?? '-'}`);
          x = digits(spec, size.steps * spec.batchSize);
          gan = GAN(spec.config);
          const fitOnce = async (phase: Measurement['phase'], repeat: number, steps: number) => {
            const data = steps === size.steps ? x! : tf.slice(x!, 0, steps * spec.batchSize);
            const before = tf.memory().numTensors;
            let loss: number | undefined;
            const t = await timed(async () => {
              const h = await gan!.fit(data, { epochs: 1, batchSize: spec.batchSize, verbose: 0, balanceMonitor: false });
              loss = h['dLoss']?.at(-1);
            });
            const after = tf.memory().numTensors;
            if (data !== x) data.dispose();
            const examples = steps * spec.batchSize;
            measurements.push({
              row, model, implementation: 'latentkit', phase, repeat, backend: info!.name, threadsObtained: info!.threads, simd: info!.simd,
              epochs: 1, examples, batchSize: spec.batchSize, seconds: t.seconds, cpuSeconds: t.cpuSeconds,
              examplesPerSecond: examples / t.seconds, examplesPerCpuSecond: examples / t.cpuSeconds, steps,
              stepsPerSecond: steps / t.seconds, stepsPerCpuSecond: steps / t.cpuSeconds, finalLoss: loss,
              tensorsBefore: before, tensorsAfter: after, leaked: after - before,
            });
            return steps / t.seconds;
          };
          const torchOnce = (repeat: number): number | undefined => {
            if (skipTorch) return undefined;
            try {
              const r = runTorch(model, sizes.torch[model], 1, 1);
              torchInfo ??= r;
              recordTorch(`${row}/torch`, model, sizes.torch[model], 1, repeat, r);
              return r.runs[0]!.stepsPerSecond;
            } catch (e) {
              notes.push(`PyTorch ${model}, paired with ${backend}, repeat ${repeat + 1}: ${errorText(e)}`);
              return undefined;
            }
          };
          if (size.warmup > 0) await fitOnce('warmup', 0, size.warmup);
          for (let r = 0; r < size.repeats; r++) {
            // Alternate which goes first, so that a burst of load from elsewhere does not favour one side.
            let lk: number;
            let pt: number | undefined;
            if (r % 2 === 0) {
              lk = await fitOnce('timed', r, size.steps);
              pt = torchOnce(r);
            } else {
              pt = torchOnce(r);
              lk = await fitOnce('timed', r, size.steps);
            }
            ctx.log(`gan ${row}: repeat ${r + 1}/${size.repeats}: latentkit ${lk.toFixed(2)}, PyTorch ${pt?.toFixed(2) ?? '—'} steps/s`);
          }
          const mine = measurements.filter((m) => m.row === row && m.phase === 'timed');
          const theirs = measurements.filter((m) => m.row === `${row}/torch`);
          const pairs = mine.map((m) => [m, theirs.find((t) => t.repeat === m.repeat)] as const).filter(([, t]) => t !== undefined);
          const leaked = measurements.filter((m) => m.row === row).reduce((s, m) => s + m.leaked, 0);
          summary.push({
            model: spec.title,
            backend: info.name + (info.simd ? ' (SIMD)' : ''),
            threads: String(info.threads),
            metric: `train steps/s (batch ${spec.batchSize})`,
            latentkit: median(mine.map((m) => m.stepsPerSecond)),
            latentkitRange: range(mine.map((m) => m.stepsPerSecond)),
            reference: theirs.length ? median(theirs.map((m) => m.stepsPerSecond)) : null,
            referenceRange: range(theirs.map((m) => m.stepsPerSecond)),
            latentkitCpu: median(mine.map((m) => m.stepsPerCpuSecond)),
            referenceCpu: theirs.length ? median(theirs.map((m) => m.stepsPerCpuSecond)) : null,
            ratio: pairs.length ? median(pairs.map(([m, t]) => m.stepsPerSecond / t!.stepsPerSecond)) : null,
            ratioCpu: pairs.length ? median(pairs.map(([m, t]) => m.stepsPerCpuSecond / t!.stepsPerCpuSecond)) : null,
            referenceName: torchName(),
            leaked,
            note: size.warmup === 0 ? `${size.repeats} repeat of ${size.steps} steps, no warm-up` : undefined,
          });
        } catch (e) {
          const text = errorText(e);
          ctx.log(`gan ${row}: FAILED: ${text}`);
          summary.push({
            model: spec.title, backend, threads: '1', metric: `train steps/s (batch ${spec.batchSize})`, latentkit: null,
            reference: null, referenceName: torchName(), note: `failed: ${text}`,
          });
        } finally {
          gan?.dispose();
          x?.dispose();
        }
      }
      if (!skipTorch) {
        try {
          const size = sizes.torch[model];
          const two = runTorch(model, size, Math.min(2, sizes.latentkit[model].wasm?.repeats ?? 1), 2);
          recordTorch(`${model}/torch/threads=2`, model, size, 2, 0, two);
          const one = measurements.filter((m) => m.row.startsWith(`${model}/`) && m.row.endsWith('/torch')).map((m) => m.stepsPerSecond);
          notes.push(
            `PyTorch ${model} with 2 threads: ${median(two.runs.map((r) => r.stepsPerSecond)).toFixed(2)} steps/s ` +
              `(1 thread: ${one.length ? median(one).toFixed(2) : '?'}); tfjs computes on one thread in Node (wasm multithreading is off there, tfjs issue 3830).`,
          );
        } catch (e) {
          notes.push(`PyTorch ${model} with 2 threads failed: ${errorText(e)}`);
        }
      }
    }

    if (torchInfo) {
      notes.push(
        `PyTorch ${torchInfo.torch} (Python ${torchInfo.python}) from Debian's python3-torch, BLAS_INFO=${torchInfo.blas}: a 256x784x256 matmul ` +
          `ran at ${torchInfo.matmulGflops.toFixed(1)} GFLOP/s on one thread.` +
          (torchInfo.blas === 'generic'
            ? ' Its dense layers use whatever libblas.so.3 is installed (the reference libblas3 unless an optimised one such as ' +
              'libopenblas0-pthread is); its convolutions use oneDNN either way.'
            : ''),
      );
    }
    notes.push(
      'One step = one discriminator update (a real and a generated batch, scored in one pass) and one generator update on fresh z, ' +
        'non-saturating loss, Adam (eps 1e-7), in both implementations. latentkit trains on MNIST digits, the peer on uniform noise.',
    );
    notes.push('Other jobs share this 2-core machine: compare the paired ratio (and its CPU-time version), and read the load averages below.');

    return {
      settings: {
        models: Object.fromEntries(Object.entries(MODELS).map(([k, m]) => [k, { title: m.title, config: m.config, batchSize: m.batchSize }])),
        sizes,
        data: 'latentkit: real MNIST digits (mnist package) scaled to [-1, 1]; PyTorch: uniform noise in [-1, 1]',
        optimizers: 'dense: Adam 1e-4 (D), 1e-3 (G); dcgan: Adam 2e-4, beta1 0.5 (both): latentkit GAN.fit defaults',
        statistic: 'median of the timed repeats (range = min..max); ratio = median over repeats of the paired latentkit / PyTorch',
        python: PYTHON,
        peer: 'bench/peers/gan_torch.py',
      },
      measurements,
      summary,
      notes,
    };
  },
} satisfies Suite;
