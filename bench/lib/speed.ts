/**
 * One speed case, run the same way in every suite: latentkit, the same network in plain tfjs-layers
 * (`model.fit`, where a suite provides it) and the PyTorch peer on 1 and 2 threads, interleaved
 * (A B C D, then D C B A, ...) so that load from other jobs hits all alike; each timed run is one epoch
 * over the same number of examples at the same batch size. Reported: medians, the median of the paired
 * ratios latentkit / PyTorch (the peer's better thread count) and latentkit / `model.fit`, and latentkit's
 * achieved GFLOP/s from the counted FLOPs per example.
 */
import * as tf from '@tensorflow/tfjs-core';
import { errorText, median, range, timed, type Measurement, type SpeedRow, type SuiteContext } from './harness.js';
import type { Peer } from './peer.js';
import { formatFlops } from './flops.js';

/** One epoch over the case's examples; resolves to the last training loss. */
export type EpochRunner = () => Promise<number | undefined>;

/** What a case builds in the current backend (models, data), disposed after the case. */
export interface CaseSetup {
  latentkit: EpochRunner;
  /** The same network and optimizer in tfjs-layers `model.fit`. */
  reference?: EpochRunner;
  /** Training FLOPs per example of latentkit's model (bench/lib/flops.ts). */
  flopsPerExample: number;
  dispose(): void;
}

export interface SpeedCase {
  key: string;
  model: string;
  batchSize: number;
  /** Examples per timed run (one epoch), full and quick. */
  examples: { full: number; quick: number };
  repeats: { full: number; quick: number };
  /** The peer's model name in bench/peers/torch_peer.py; none: latentkit alone. */
  peerModel?: string;
  flopsNote: string;
  setup(examples: number): Promise<CaseSetup>;
}

const PEER_THREADS = [1, 2];
/** latentkit's warm-up: rounds of every implementation until latentkit has trained this long, at most WARMUP_ROUNDS. */
const WARMUP_SECONDS = 3;
const WARMUP_ROUNDS = 8;
const REFERENCE = 'model.fit';

/** Runs one case and returns its row and measurements. */
export async function runSpeedCase(c: SpeedCase, ctx: SuiteContext): Promise<{ row: SpeedRow; measurements: Measurement[]; notes: string[] }> {
  const n = ctx.quick ? c.examples.quick : c.examples.full;
  const repeats = ctx.quick ? c.repeats.quick : c.repeats.full;
  const measurements: Measurement[] = [];
  const notes: string[] = [];
  const info = ctx.backend;
  const base = {
    row: c.key, backend: info.name, threadsRequested: ctx.threads, threadsObtained: info.threads, simd: info.simd,
    epochs: 1, examples: n, batchSize: c.batchSize,
  };
  const peerOrSkip = c.peerModel ? await ctx.peer() : undefined;
  const peer = peerOrSkip && 'train' in peerOrSkip ? (peerOrSkip as Peer) : undefined;

  let setup: CaseSetup | undefined;
  const row: SpeedRow = {
    key: c.key, model: c.model, batchSize: c.batchSize, threadsRequested: ctx.threads, threads: info.threads,
    flopsPerExample: 0, flopsNote: c.flopsNote, latentkit: null, leaked: 0,
  };
  try {
    setup = await c.setup(n);
    row.flopsPerExample = setup.flopsPerExample;
    const runTfjs = async (implementation: string, phase: Measurement['phase'], repeat: number, run: EpochRunner) => {
      const before = tf.memory().numTensors;
      let finalLoss: number | undefined;
      const t = await timed(async () => {
        finalLoss = await run();
      });
      const after = tf.memory().numTensors;
      measurements.push({
        ...base, implementation, phase, repeat, ...t, examplesPerSecond: n / t.seconds, examplesPerCpuSecond: n / t.cpuSeconds,
        finalLoss, tensorsBefore: before, tensorsAfter: after, leaked: after - before,
      });
    };
    const runPeer = async (threads: number, phase: Measurement['phase'], repeat: number) => {
      if (!peer || !c.peerModel) return;
      try {
        const r = await peer.train(c.peerModel, threads, n, c.batchSize);
        measurements.push({
          ...base, implementation: `PyTorch/${threads}`, backend: `torch ${peer.info.torch}`, threadsRequested: threads, threadsObtained: r.threads,
          simd: undefined, phase, repeat, seconds: r.seconds, cpuSeconds: r.cpuSeconds, examplesPerSecond: n / r.seconds,
          examplesPerCpuSecond: n / r.cpuSeconds, finalLoss: r.loss, tensorsBefore: 0, tensorsAfter: 0, leaked: 0,
        });
      } catch (e) {
        notes.push(`${c.key}: PyTorch (${threads} threads) failed: ${errorText(e)}`);
      }
    };
    type Step = () => Promise<void>;
    let peerThreads = PEER_THREADS;
    const steps = (phase: Measurement['phase'], r: number): Step[] => [
      () => runTfjs('latentkit', phase, r, setup!.latentkit),
      ...(setup!.reference ? [() => runTfjs(REFERENCE, phase, r, setup!.reference!)] : []),
      ...peerThreads.map((t) => () => runPeer(t, phase, r)),
    ];
    // Quick runs are a smoke test of the machinery: no warm-up, figures not representative.
    if (!ctx.quick) {
      // Warm-up rounds (every implementation) until latentkit has run for WARMUP_SECONDS: its epochs speed up
      // over the first ~2 s of a process (V8 optimising tfjs's JavaScript; a dense AE at batch 64 went from
      // ~6,000 to ~11,000 ex/s over its first five epochs), which one warm-up epoch left in the first repeats.
      for (let round = 0; round < WARMUP_ROUNDS; round++) {
        for (const step of steps('warmup', -1 - round)) await step();
        const warmed = measurements.filter((m) => m.phase === 'warmup' && m.implementation === 'latentkit').reduce((t, m) => t + m.seconds, 0);
        if (warmed >= WARMUP_SECONDS) break;
      }
      // PyTorch on 2 threads can be many times slower than on 1 (its OpenMP and OpenBLAS pools spin against
      // each other and against other jobs): when its warm-up is under half the 1-thread rate, it is not
      // repeated (it cannot be the best), which keeps a full run's length bounded.
      const warm = (t: number) => measurements.filter((m) => m.phase === 'warmup' && m.implementation === `PyTorch/${t}`).at(-1)?.examplesPerSecond;
      const [w1, w2] = [warm(1), warm(2)];
      if (w1 !== undefined && w2 !== undefined && w2 < 0.5 * w1) {
        peerThreads = [1];
        notes.push(`${c.key}: PyTorch on 2 threads warmed up at ${w2.toFixed(0)} ex/s against ${w1.toFixed(0)} on 1; not repeated.`);
      }
    }
    for (let r = 0; r < repeats; r++) {
      const order = steps('timed', r);
      if (r % 2 === 1) order.reverse();
      for (const step of order) await step();
      const these = measurements.filter((m) => m.repeat === r).map((m) => `${m.implementation} ${m.examplesPerSecond.toFixed(0)}`);
      ctx.log(`${c.key} (wasm ${info.threads} thread${info.threads > 1 ? 's' : ''}): repeat ${r + 1}/${repeats}: ${these.join(', ')} ex/s`);
    }
  } catch (e) {
    const text = errorText(e);
    ctx.log(`${c.key}: FAILED: ${text}`);
    row.note = `failed: ${text}`;
    notes.push(`${c.key} failed: ${text}`);
    return { row, measurements, notes };
  } finally {
    setup?.dispose();
  }

  const timedRuns = (impl: string) => measurements.filter((m) => m.phase === 'timed' && m.implementation === impl).sort((a, b) => a.repeat - b.repeat);
  const lk = timedRuns('latentkit');
  const rates = lk.map((m) => m.examplesPerSecond);
  row.latentkit = median(rates);
  row.latentkitRange = range(rates);
  row.latentkitCpu = median(lk.map((m) => m.examplesPerCpuSecond));
  row.gflops = (row.latentkit * row.flopsPerExample) / 1e9;
  row.leaked = measurements.filter((m) => m.implementation === 'latentkit').reduce((s, m) => s + m.leaked, 0);
  const pairedRatio = (other: Measurement[]) => {
    const pairs = lk.map((m) => [m, other.find((o) => o.repeat === m.repeat)] as const).filter(([, o]) => o !== undefined);
    return pairs.length ? median(pairs.map(([m, o]) => m.examplesPerSecond / o!.examplesPerSecond)) : null;
  };
  const ref = timedRuns(REFERENCE);
  if (ref.length) {
    row.referenceName = `tfjs-layers ${REFERENCE}`;
    row.reference = median(ref.map((m) => m.examplesPerSecond));
    row.referenceRatio = pairedRatio(ref);
  }
  if (peer) {
    row.peer = {};
    for (const t of PEER_THREADS) {
      const runs = timedRuns(`PyTorch/${t}`);
      if (runs.length) row.peer[String(t)] = median(runs.map((m) => m.examplesPerSecond));
    }
    const best = Object.entries(row.peer).sort((a, b) => b[1] - a[1])[0];
    if (best) {
      row.peerBest = best[1];
      row.peerBestThreads = Number(best[0]);
      row.ratio = peer.fair ? pairedRatio(timedRuns(`PyTorch/${best[0]}`)) : null;
    }
  } else if (c.peerModel && peerOrSkip && 'skipped' in peerOrSkip) {
    row.note = 'no PyTorch peer in this run';
  }
  ctx.log(
    `${c.key}: latentkit ${row.latentkit.toFixed(0)} ex/s = ${row.gflops.toFixed(2)} GFLOP/s (${formatFlops(row.flopsPerExample)}/example)` +
      (row.peerBest ? `, PyTorch best ${row.peerBest.toFixed(0)} (${row.peerBestThreads} thread), ratio ${row.ratio?.toFixed(2) ?? '—'}` : '') +
      (row.referenceRatio ? `, vs model.fit ${row.referenceRatio.toFixed(2)}` : ''),
  );
  return { row, measurements, notes };
}

/**
 * `n` real MNIST digits (the `mnist` package's, read as the tests do), in [0, 1] or scaled to [-1, 1],
 * flat ([n, 784]) or as images ([n, 28, 28, 1]).
 */
export async function digits(n: number, options: { image?: boolean; symmetric?: boolean } = {}): Promise<tf.Tensor> {
  const { mnistDigits } = await import('../../test/helpers/mnist.js');
  const d = mnistDigits(Math.ceil(n / 10));
  return tf.tidy(() => {
    let x: tf.Tensor = tf.tensor2d(d.pixels.subarray(0, n * 784), [n, 784]);
    if (options.symmetric) x = tf.sub(tf.mul(x, 2), 1);
    return options.image ? tf.reshape(x, [n, 28, 28, 1]) : x;
  });
}
