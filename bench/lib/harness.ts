/**
 * What a benchmark suite is, and the small helpers the suites share (timing, medians, machine info).
 *
 * A suite is a file in `bench/suites/` whose default export is a {@link Suite}. `bench/run.ts` runs each
 * suite asked for in a child process per wasm thread count (`bench/lib/child.ts`), which writes
 * `bench/results/<suite>.t<threads>.json`, and gathers every file's {@link SpeedRow}s and
 * {@link QualityRow}s into the Markdown tables of `bench/results/README.md`.
 */
import * as os from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import type { BackendInfo } from '../../src/index.js';
import type { Peer } from './peer.js';

/** What the runner hands to a suite. */
export interface SuiteContext {
  /** Small sizes for a smoke run of a few seconds. */
  quick: boolean;
  /** wasm threads latentkit runs on in this process (the runner starts one process per thread count). */
  threads: number;
  /** What `useBackend('wasm', { threads })` reported in this process. */
  backend: BackendInfo;
  /** Progress output (goes to stderr, so that stdout stays the table). */
  log(message: string): void;
  /** The PyTorch peer, started on first use (one per process), or why it is not available. */
  peer(): Promise<Peer | { skipped: string }>;
  /** `--cases a,b`: the cases a suite with several runs only (the quality suite); undefined: all. */
  cases?: string[];
}

/** One timed (or warm-up) run: what was run, how long it took, and the tensor count around it. */
export interface Measurement {
  /** The case this measurement belongs to (e.g. `denseAE`). */
  row: string;
  /** `latentkit`, `model.fit` (tfjs-layers) or `PyTorch`. */
  implementation: string;
  phase: 'warmup' | 'timed';
  repeat: number;
  backend: string;
  threadsRequested?: number;
  threadsObtained: number;
  simd?: boolean;
  epochs: number;
  examples: number;
  batchSize: number;
  /** Wall-clock seconds of the whole run. */
  seconds: number;
  /** CPU seconds (user + system) of the process that ran it (several threads count several times). */
  cpuSeconds: number;
  examplesPerSecond: number;
  /** `examples / cpuSeconds`. */
  examplesPerCpuSecond: number;
  /** Training loss after the run, for a sanity check that every implementation learns. */
  finalLoss?: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** `tensorsAfter - tensorsBefore`: must be 0 for latentkit. */
  leaked: number;
  /** Set when the run failed; the other fields are then partial. */
  error?: string;
}

/** One speed case of one process (one latentkit thread count): the gathered table merges thread counts. */
export interface SpeedRow {
  /** Case key, the same in every thread count's file (e.g. `convAE-upsample`). */
  key: string;
  model: string;
  batchSize: number;
  /** wasm threads latentkit asked for and got. */
  threadsRequested: number;
  threads: number;
  /** Training FLOPs per example (see bench/lib/flops.ts) and how they were counted. */
  flopsPerExample: number;
  flopsNote: string;
  /** latentkit training examples/s: median (min, max) of the timed repeats, and per CPU-second. */
  latentkit: number | null;
  latentkitRange?: [number, number];
  latentkitCpu?: number | null;
  /** latentkit's achieved GFLOP/s: `latentkit * flopsPerExample / 1e9`. */
  gflops?: number | null;
  /** PyTorch examples/s by thread count (median of its timed runs), the best of them and its thread count. */
  peer?: Record<string, number>;
  peerBest?: number | null;
  peerBestThreads?: number;
  /** Median over repeats of latentkit / PyTorch (best thread count) of back-to-back runs; null when unfair or absent. */
  ratio?: number | null;
  /** The same hand-written in plain tfjs-layers (`model.fit`): its examples/s and the paired ratio. */
  referenceName?: string;
  reference?: number | null;
  referenceRatio?: number | null;
  /** Tensors left behind by latentkit, summed over its runs. */
  leaked: number;
  note?: string;
}

/** A learning-quality or whole-run figure (a test ELBO, a test MSE, the demo's seconds). */
export interface QualityRow {
  key: string;
  model: string;
  threads: number;
  metric: string;
  latentkit: number | null;
  peer?: number | null;
  note?: string;
}

/** What a suite returns; `bench/run.ts` adds the machine info and writes it as JSON. */
export interface SuiteResult {
  /** The settings the suite ran with (sizes, epochs, repeats...). */
  settings: Record<string, unknown>;
  measurements: Measurement[];
  speed: SpeedRow[];
  quality: QualityRow[];
  /** Findings and caveats printed under the table. */
  notes: string[];
}

/** A benchmark suite: the default export of a file in `bench/suites/`. */
export interface Suite {
  /** File-safe name, used on the command line and as `bench/results/<name>.t<threads>.json`. */
  name: string;
  /** One-line description. */
  title: string;
  run(ctx: SuiteContext): Promise<SuiteResult>;
}

/** The machine and software a result was measured on. */
export interface MachineInfo {
  date: string;
  cpuModel: string;
  cores: number;
  totalMemoryGB: number;
  platform: string;
  node: string;
  tfjs: Record<string, string>;
  /** 1/5/15-minute load averages when the suite started and ended (other work on the machine skews timings). */
  loadAverageStart: number[];
  loadAverageEnd?: number[];
  /** Linux `/proc/pressure/cpu` "some" avg10/avg60 (% of time runnable tasks waited for a CPU), start and end. */
  cpuPressureStart?: string;
  cpuPressureEnd?: string;
}

/** Linux CPU pressure ("some avg10=.. avg60=.."), or undefined elsewhere. */
export function cpuPressure(): string | undefined {
  try {
    const line = readFileSync('/proc/pressure/cpu', 'utf8').split('\n').find((l) => l.startsWith('some'));
    const m = line && /avg10=([\d.]+) avg60=([\d.]+)/.exec(line);
    return m ? `${m[1]}%/${m[2]}%` : undefined;
  } catch {
    return undefined;
  }
}

export function machineInfo(): MachineInfo {
  const require = createRequire(import.meta.url);
  const tfjs: Record<string, string> = {};
  for (const pkg of ['tfjs-core', 'tfjs-layers', 'tfjs-backend-cpu', 'tfjs-backend-wasm']) {
    try {
      tfjs[pkg] = (require(`@tensorflow/${pkg}/package.json`) as { version: string }).version;
    } catch {
      tfjs[pkg] = 'not installed';
    }
  }
  const cpus = os.cpus();
  return {
    date: new Date().toISOString(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    totalMemoryGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    tfjs,
    loadAverageStart: os.loadavg().map((v) => Math.round(v * 100) / 100),
    cpuPressureStart: cpuPressure(),
  };
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function range(values: number[]): [number, number] | undefined {
  return values.length ? [Math.min(...values), Math.max(...values)] : undefined;
}

/** Wall-clock and process CPU seconds taken by `fn`. */
export async function timed(fn: () => Promise<unknown> | unknown): Promise<{ seconds: number; cpuSeconds: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { seconds, cpuSeconds: (c.user + c.system) / 1e6 };
}

/** First line of an error, short enough for a table or a JSON record. */
export function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split('\n')[0]!.slice(0, 300);
}
