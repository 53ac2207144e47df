/**
 * Result files (`bench/results/<suite>.t<threads>.json`, one per suite and wasm thread count) and the
 * Markdown report gathered from them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { median, type MachineInfo, type QualityRow, type SpeedRow, type Suite, type SuiteResult } from './harness.js';
import { formatFlops } from './flops.js';

export const SUITES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'suites');

/** What `bench/results/<suite>.t<threads>.json` holds. */
export interface ResultFile extends SuiteResult {
  suite: string;
  title: string;
  quick: boolean;
  threadsRequested: number;
  threads: number;
  simd: boolean;
  machine: MachineInfo;
  peer?: Record<string, unknown>;
  wallSeconds: number;
}

export const resultFile = (suite: string, threads: number) => `${suite}.t${threads}.json`;

export function suiteNames(): string[] {
  return readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

export async function loadSuite(name: string): Promise<Suite> {
  const mod = (await import(pathToFileURL(join(SUITES_DIR, `${name}.ts`)).href)) as { default?: Suite };
  const s = mod.default;
  if (!s || s.name !== name || typeof s.run !== 'function') throw new Error(`bench/suites/${name}.ts: the default export must be a Suite named "${name}"`);
  return s;
}

export function readResults(dir: string): ResultFile[] {
  return readdirSync(dir)
    .filter((f) => /\.t\d+\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as ResultFile)
    .filter((r) => Array.isArray(r.speed));
}

/** Large values as rounded integers (throughputs); small ones with 3-4 significant digits. */
const num = (v: number | null | undefined) =>
  v == null || !Number.isFinite(v) ? '—' : Math.abs(v) >= 100 || v === 0 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(3)).toString();
const x = (v: number | null | undefined) => (v == null || !Number.isFinite(v) ? '—' : `${v.toFixed(2)}×`);
const cell = (s: string) => s.replace(/\|/g, '\\|');

/**
 * Median over repeats of latentkit / PyTorch in examples per CPU-second of each process (the peer at its
 * best thread count). On a busy machine it stays near the quiet-machine ratio when both sides compute on
 * one thread; with more threads it measures work per CPU-second (threads waiting count), not speed.
 */
function cpuTimeRatio(file: ResultFile, row: SpeedRow): number | null {
  if (row.peerBestThreads === undefined) return null;
  const timedRuns = (impl: string) => file.measurements.filter((m) => m.row === row.key && m.phase === 'timed' && m.implementation === impl);
  const peer = timedRuns(`PyTorch/${row.peerBestThreads}`);
  const ratios = timedRuns('latentkit')
    .map((m) => [m, peer.find((p) => p.repeat === m.repeat)] as const)
    .filter(([, p]) => p !== undefined && p.cpuSeconds > 0)
    .map(([m, p]) => m.examplesPerCpuSecond / p!.examplesPerCpuSecond);
  return ratios.length ? median(ratios) : null;
}

/** The speed table: one line per case, latentkit's thread counts side by side. */
export function speedTable(results: ResultFile[]): string {
  const threadCounts = [...new Set(results.map((r) => r.threadsRequested))].sort((a, b) => a - b);
  const rows = new Map<string, Map<number, SpeedRow>>();
  const cpuRatios = new Map<string, number | null>();
  for (const r of results) {
    for (const row of r.speed) {
      if (!rows.has(row.key)) rows.set(row.key, new Map());
      rows.get(row.key)!.set(r.threadsRequested, row);
      cpuRatios.set(`${row.key}/${r.threadsRequested}`, cpuTimeRatio(r, row));
    }
  }
  const header = [
    'case',
    'batch',
    'training FLOPs / example',
    'PyTorch + OpenBLAS, best of 1 and 2 threads: ex/s (threads)',
    ...threadCounts.map((t) => `latentkit wasm, ${t} thread${t > 1 ? 's' : ''}: ex/s (min–max); GFLOP/s`),
    ...threadCounts.map((t) => `latentkit / PyTorch, ${t} thread${t > 1 ? 's' : ''} (paired median)`),
    'latentkit / tfjs-layers model.fit (paired median, by thread count)',
    'tensors leaked',
  ];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const [, byThreads] of rows) {
    const any = [...byThreads.values()][0]!;
    const peers = [...byThreads.values()].filter((r) => r.peerBest != null);
    const bestPeer = peers.sort((a, b) => b.peerBest! - a.peerBest!)[0];
    const lk = threadCounts.map((t) => {
      const r = byThreads.get(t);
      if (!r) return '—';
      if (r.latentkit == null) return r.note ?? 'failed';
      const rng = r.latentkitRange && r.latentkitRange[0] !== r.latentkitRange[1] ? ` (${num(r.latentkitRange[0])}–${num(r.latentkitRange[1])})` : '';
      return `${num(r.latentkit)}${rng}; ${num(r.gflops)}` + (r.threads !== r.threadsRequested ? ` (got ${r.threads} thread)` : '');
    });
    const ratios = threadCounts.map((t) => {
      const r = byThreads.get(t);
      const cpu = r?.ratio != null ? cpuRatios.get(`${r.key}/${t}`) : null;
      return x(r?.ratio) + (cpu != null ? ` (CPU time ${cpu.toFixed(2)}×)` : '');
    });
    const refs = threadCounts.map((t) => byThreads.get(t)?.referenceRatio).filter((v) => v != null);
    const cells = [
      any.model,
      String(any.batchSize),
      `${formatFlops(any.flopsPerExample)} (${any.flopsNote})`,
      bestPeer ? `${num(bestPeer.peerBest)} (${bestPeer.peerBestThreads})` : any.note ?? '—',
      ...lk,
      ...ratios,
      refs.length ? refs.map((v) => x(v)).join(' / ') : '—',
      String([...byThreads.values()].reduce((s, r) => s + r.leaked, 0)),
    ];
    lines.push(`| ${cells.map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

export function qualityTable(results: ResultFile[]): string {
  const header = ['suite', 'model', 'wasm threads', 'metric', 'latentkit', 'PyTorch', 'note'];
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`];
  for (const r of results) {
    for (const q of r.quality as QualityRow[]) {
      lines.push(`| ${[r.suite, q.model, String(q.threads), q.metric, num(q.latentkit), num(q.peer), q.note ?? ''].map(cell).join(' | ')} |`);
    }
  }
  return lines.length > 2 ? lines.join('\n') : '';
}

export function report(results: ResultFile[], quick: boolean): string {
  const out: string[] = [];
  out.push(`# latentkit benchmarks${quick ? ' (quick smoke run: small sizes, not representative)' : ''}`, '');
  out.push(
    'Generated by `npm run bench` (`npx tsx bench/run.ts [suite...] [--quick] [--threads 1,2] [--resume]`): each suite runs in its own ' +
      'process per wasm thread count and writes `<suite>.t<threads>.json` beside this file (every measurement, the machine, the load).',
    '',
    'Training throughput in examples/s: each timed run is one epoch over the same number of examples at the same batch size; latentkit ' +
      "(its `fit`), the same network in tfjs-layers `model.fit`, and the PyTorch peer (`bench/peers/torch_peer.py`: Debian's python3-torch " +
      'with libopenblas0-pthread, on 1 and on 2 threads) run interleaved, A B C D then D C B A, and each ratio is the median over repeats ' +
      'of the back-to-back pair (PyTorch at its better thread count); "CPU time" is the same ratio in examples per CPU-second of each ' +
      'process, steadier on a busy machine for one thread against one thread. GFLOP/s = examples/s × the training FLOPs per example counted ' +
      'from the model (matrix products only: forward, weight and input gradients; see `bench/lib/flops.ts`).',
    '',
    speedTable(results),
    '',
  );
  const quality = qualityTable(results);
  if (quality) out.push('## Learning quality and whole runs', '', quality, '');
  for (const r of results) {
    const m = r.machine;
    out.push(`## ${r.suite}, wasm ${r.threadsRequested} thread${r.threadsRequested > 1 ? 's' : ''}`, '', r.title, '');
    for (const n of r.notes) out.push(`- ${n}`);
    if (r.peer && typeof r.peer['description'] === 'string') out.push(`- Peer: ${r.peer['description']}`);
    if (r.peer && typeof r.peer['skipped'] === 'string') out.push(`- ${r.peer['skipped']}`);
    out.push(
      `- Measured ${m.date} on ${m.cpuModel}, ${m.cores} cores, ${m.totalMemoryGB} GB; Node ${m.node}; tfjs ${m.tfjs['tfjs-core']}; ` +
        `wasm threads obtained ${r.threads}, SIMD ${r.simd}; load average ${m.loadAverageStart.join('/')} at start, ` +
        `${m.loadAverageEnd?.join('/') ?? '?'} at end` +
        (m.cpuPressureStart ? `; CPU pressure (some, avg10/avg60) ${m.cpuPressureStart} at start, ${m.cpuPressureEnd ?? '?'} at end` : '') +
        `; took ${r.wallSeconds.toFixed(0)} s.`,
      '',
    );
  }
  return out.join('\n');
}
