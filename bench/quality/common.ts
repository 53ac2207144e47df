/**
 * What the quality cases share: where they write, the result file of a case (the rows of the README's
 * "Reproduced results" table come from these files), seeded binarization, and a sample of the machine's load.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import seedrandom from 'seedrandom';
import type { SuiteContext } from '../lib/harness.js';
import { loadAverage } from './progress.js';

export const RESULTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** One row of the README's table. */
export interface ReproducedRow {
  model: string;
  data: string;
  metric: string;
  latentkit: string;
  peer: string;
  published: string;
}

/** What `bench/results/quality/<case>.json` holds. */
export interface CaseResult {
  case: string;
  title: string;
  /** `complete`, or `partial` (the schedule was stopped: the figures are those of the epochs done). */
  status: 'complete' | 'partial';
  rows: ReproducedRow[];
  /** Every figure measured, with the epoch it belongs to. */
  figures: Record<string, unknown>;
  settings: unknown;
  /** Wall seconds spent training and evaluating (latentkit, and the peer), over every process of the run. */
  seconds: { latentkit: number; peer?: number };
  /** 1-minute load average: at the start of this process, at its end, and min/median/max over the epochs. */
  load: { start: number[]; end: number[]; epochs?: { min: number; median: number; max: number } };
  threads: number;
  pictures: string[];
  notes: string[];
  date: string;
}

/** Where a case writes: its result file and pictures, and its (git-ignored) checkpoint folder. */
export function caseDirs(ctx: SuiteContext, name: string): { out: string; state: string } {
  const out = join(RESULTS_DIR, ...(ctx.quick ? ['quick'] : []), 'quality');
  const state = join(out, 'state', name);
  if (ctx.quick) rmSync(state, { recursive: true, force: true }); // a smoke run always starts over
  mkdirSync(state, { recursive: true });
  return { out, state };
}

export function writeResult(out: string, result: CaseResult): void {
  writeFileSync(join(out, `${result.case}.json`), JSON.stringify(result, null, 2) + '\n');
}

export function readResult(out: string, name: string): CaseResult | undefined {
  const file = join(out, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CaseResult) : undefined;
}

/** Min, median and max of the epochs' load averages. */
export function loadSummary(epochs: Array<{ load: number }>): { min: number; median: number; max: number } | undefined {
  if (epochs.length === 0) return undefined;
  const s = epochs.map((e) => e.load).sort((a, b) => a - b);
  return { min: s[0]!, median: s[Math.floor(s.length / 2)]!, max: s[s.length - 1]! };
}

export const startLoad = (): number[] => loadAverage();

/**
 * Binarizes grey levels in [0, 1] by one seeded Bernoulli draw per value: `1` with probability `p`
 * (the stochastic binarization of the VAE literature).
 */
export function binarize(pixels: Float32Array, seed: number): Float32Array {
  const rng = seedrandom.alea(String(seed));
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = rng() < pixels[i]! ? 1 : 0;
  return out;
}

/** Grey levels in [0, 1] as bytes (the peer's copy of the data: exact for MNIST's k / 255). */
export function toBytes(pixels: Float32Array): Uint8Array {
  return Uint8Array.from(pixels, (v) => Math.round(v * 255));
}

export const fmt = (v: number | undefined | null, digits = 2): string => (v == null || !Number.isFinite(v) ? '—' : v.toFixed(digits));
