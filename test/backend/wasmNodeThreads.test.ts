/**
 * wasm in Node: `useBackend('wasm', { threads: 2 })` gets two real threads (the threaded SIMD build), trains
 * to the same weights as one thread, leaves no process alive and no temporary file behind; and an uncaught
 * error after `useBackend('wasm')` prints the user's error and exits with code 1 (not emscripten's 39 KB of
 * glue and code 7). Each case runs in a child process against the built package (`dist/`, built by the
 * global setup): thread count and process handlers are per process.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CHILD = resolve(import.meta.dirname, 'fixtures', 'wasmChild.mjs');

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  pid: number;
}

function child(mode: 'train' | 'throw' | 'reject', threads: number | undefined): Promise<Run> {
  return new Promise((done) => {
    const p = execFile(
      process.execPath,
      [CHILD, mode, threads === undefined ? '-' : String(threads)],
      // A process kept alive by a pthread worker would hit this timeout (killed: signal SIGTERM).
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : null) : 0,
          signal: error?.signal ?? null,
          stdout,
          stderr,
          pid: p.pid!,
        }),
    );
  });
}

interface TrainOut {
  threads: number;
  simd: boolean;
  loss: number[];
  weights: string[];
  tempDirs: string[];
  tensors: number;
  fusedMatchesTfjs: boolean;
}

const parse = (run: Run): TrainOut => JSON.parse(run.stdout.trim().split('\n').at(-1)!) as TrainOut;
const cores = availableParallelism();

describe('wasm threads in Node', () => {
  it('threads: 2 gets 2 threads, trains to bit-identical weights as 1 thread, exits by itself and cleans its temp folder', async () => {
    const [one, two] = await Promise.all([child('train', 1), child('train', 2)]);
    for (const run of [one, two]) expect(run.code, `stderr:\n${run.stderr.slice(-3000)}`).toBe(0);
    const a = parse(one);
    const b = parse(two);
    expect(a.threads).toBe(1);
    expect(b.threads).toBe(Math.min(2, cores));
    expect(b.simd).toBe(true);
    // It trained: the loss fell.
    expect(b.loss.at(-1)!).toBeLessThan(b.loss[0]!);
    // XNNPACK splits the GEMMs across threads by output tiles, never a sum: the same arithmetic, bit for bit.
    expect(b.loss).toEqual(a.loss);
    expect(b.weights).toEqual(a.weights);
    // latentkit's fused optimizer update (SIMD loops on shared memory when threaded) is tfjs's, bit for bit.
    expect(a.fusedMatchesTfjs).toBe(true);
    expect(b.fusedMatchesTfjs).toBe(true);
    // The worker script's per-process folder is gone once the workers have loaded it, and after exit.
    expect(b.tempDirs).toEqual([]);
    expect(a.tempDirs).toEqual([]);
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith(`latentkit-wasm-${two.pid}-`))).toEqual([]);
    for (const d of b.tempDirs) expect(existsSync(join(tmpdir(), d))).toBe(false);
  });

  it('no threads option keeps the single-threaded build', async () => {
    const run = await child('train', undefined);
    expect(run.code, run.stderr.slice(-3000)).toBe(0);
    expect(parse(run)).toMatchObject({ threads: 1, tempDirs: [] });
  });
});

describe('an uncaught error after useBackend("wasm")', () => {
  for (const threads of [undefined, 2]) {
    const label = threads === undefined ? 'single-threaded' : `${threads} threads`;
    it(`${label}: prints the error, not the wasm glue, and exits with code 1`, async () => {
      const run = await child('throw', threads);
      expect(run.signal).toBeNull();
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Error: user error after useBackend');
      expect(run.stderr).not.toMatch(/ExitStatus|WasmBackendModule|GROWABLE_HEAP/);
      expect(run.stderr.length).toBeLessThan(2000);
    });

    it(`${label}: an unhandled rejection exits with code 1 and its own message`, async () => {
      const run = await child('reject', threads);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('Error: user rejection after useBackend');
      expect(run.stderr).not.toMatch(/ExitStatus|WasmBackendModule|GROWABLE_HEAP/);
      expect(run.stderr.length).toBeLessThan(2000);
    });
  }
});
