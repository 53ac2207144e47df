/**
 * What a benchmark suite is, and the small helpers the suites share (timing, medians, machine info).
 *
 * A suite is a file in `bench/suites/` whose default export is a {@link Suite}. `bench/run.ts` finds the
 * files, runs the suites asked for, writes `bench/results/<suite>.json` and gathers every suite's
 * {@link SummaryRow}s into one Markdown table.
 */
import * as os from 'node:os';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

/** What the runner hands to a suite. */
export interface SuiteContext {
  /** Small sizes for a smoke run of a few seconds. */
  quick: boolean;
  /** Progress output (goes to stderr, so that stdout stays the table). */
  log(message: string): void;
}

/** One timed (or warm-up) run: what was run, how long it took, and the tensor count around it. */
export interface Measurement {
  /** Row key: the summary row this measurement belongs to (e.g. `wasm/threads=2`). */
  row: string;
  /** `latentkit` or the reference implementation (`model.fit`). */
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
  /** Wall-clock seconds of the whole `fit` call. */
  seconds: number;
  /** CPU seconds (user + system) this process spent in the call: less sensitive to other jobs on the machine. */
  cpuSeconds: number;
  examplesPerSecond: number;
  /** `examples / cpuSeconds`. */
  examplesPerCpuSecond: number;
  /** Training loss after the run (last epoch), for a sanity check that both implementations learn. */
  finalLoss?: number;
  tensorsBefore: number;
  tensorsAfter: number;
  /** `tensorsAfter - tensorsBefore`: must be 0 for latentkit. */
  leaked: number;
  /** Set when the run failed; the other fields are then partial. */
  error?: string;
}

/** One line of the gathered Markdown table. */
export interface SummaryRow {
  model: string;
  backend: string;
  /** Threads asked for and obtained, as text (e.g. `2 → 1`). */
  threads: string;
  /** What `latentkit` and `reference` measure (e.g. `train examples/s`). */
  metric: string;
  /** Median over the timed repeats. */
  latentkit: number | null;
  /** Min and max over the timed repeats. */
  latentkitRange?: [number, number];
  /** Median of the reference implementation (tfjs-layers `model.fit`), when the suite has one. */
  reference?: number | null;
  referenceRange?: [number, number];
  /** Medians of the same runs in examples per CPU-second (process CPU time instead of wall time). */
  latentkitCpu?: number | null;
  referenceCpu?: number | null;
  /** Median over repeats of latentkit / reference, each repeat pairing two back-to-back runs (wall time). */
  ratio?: number | null;
  /** The same on CPU time. */
  ratioCpu?: number | null;
  /** Name of the reference implementation. */
  referenceName?: string;
  /** Tensors left behind by latentkit, summed over its runs in this row. */
  leaked?: number;
  /** A short remark shown in the table. */
  note?: string;
}

/** What a suite returns; `bench/run.ts` adds the machine info and writes it as JSON. */
export interface SuiteResult {
  /** The settings the suite ran with (sizes, epochs, repeats...). */
  settings: Record<string, unknown>;
  measurements: Measurement[];
  summary: SummaryRow[];
  /** Findings and caveats printed under the table. */
  notes: string[];
}

/** A benchmark suite: the default export of a file in `bench/suites/`. */
export interface Suite {
  /** File-safe name, used on the command line and as `bench/results/<name>.json`. */
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
