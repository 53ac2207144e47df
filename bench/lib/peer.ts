/**
 * The PyTorch peer (`bench/peers/torch_peer.py`) as a long-lived child process that a suite asks for one
 * timed training run at a time, so that latentkit and PyTorch runs alternate (A B A B ...).
 *
 * The peer is Debian's `python3-torch` with `libopenblas0-pthread`: without OpenBLAS, Debian's PyTorch runs
 * its dense layers on the reference BLAS (~5 GFLOP/s), a PyTorch nobody uses. {@link startPeer} installs
 * both with apt-get when missing (not in quick runs: there a missing torch skips the peer, with a note),
 * asks the peer which BLAS library it loaded and how fast a 512^3 matmul runs, and marks the peer unfair
 * (no ratio is reported against it) when that is below {@link MIN_FAIR_GFLOPS}.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON = '/usr/bin/python3';
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'torch_peer.py');
const PACKAGES = ['python3-torch', 'libopenblas0-pthread'];

/** Below this (best window of a 512^3 matmul on one thread) the peer is not the PyTorch a user would run. */
export const MIN_FAIR_GFLOPS = 50;

/** The peer's answer to `info`. */
export interface PeerInfo {
  torch: string;
  python: string;
  /** torch's BLAS_INFO build flag ('generic' for Debian's: it calls whatever libblas.so.3 is installed). */
  blasBuild: string;
  /** The BLAS shared libraries the peer process actually mapped. */
  blasLibrary: string;
  openblasThreadControl: boolean;
  /** GFLOP/s by thread count, of a 512^3 and a 64x784x256 matmul: best 0.1 s window by wall time. */
  matmulGflops: Record<string, Record<string, number>>;
  /** The same by process CPU time (x threads): what the library does when its threads have their cores. */
  matmulGflopsPerCpu: Record<string, Record<string, number>>;
  cores: number;
}

/** One timed run of the peer: one epoch over `examples` random examples. */
export interface PeerRun {
  seconds: number;
  cpuSeconds: number;
  examples: number;
  threads: number;
  loss: number;
}

export interface Peer {
  info: PeerInfo;
  /** False when the BLAS is a reference one: rows then show PyTorch's figure but no ratio. */
  fair: boolean;
  /** One line for the notes: version, BLAS library, matmul GFLOP/s. */
  describe(): string;
  train(model: string, threads: number, examples: number, batch: number): Promise<PeerRun>;
  close(): void;
}

const torchImports = () => existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const openblasInstalled = () => spawnSync('dpkg-query', ['-W', '-f=${Status}', 'libopenblas0-pthread'], { encoding: 'utf8' }).stdout?.includes('install ok installed') ?? false;

/** Installs what is missing; returns why the peer cannot run, or undefined. */
function ensurePackages(quick: boolean, log: (m: string) => void): string | undefined {
  const missing = [...(torchImports() ? [] : ['python3-torch']), ...(openblasInstalled() ? [] : ['libopenblas0-pthread'])];
  if (missing.length === 0) return undefined;
  if (quick) {
    if (missing.includes('python3-torch')) return `PyTorch peer skipped in the quick run: ${PYTHON} cannot import torch (the full run installs ${PACKAGES.join(' and ')}).`;
    return undefined; // the BLAS check below will say the peer is unfair
  }
  log(`peer: apt-get install -y ${missing.join(' ')} (a few minutes the first time)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', ...missing], { encoding: 'utf8', timeout: 30 * 60_000, env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { encoding: 'utf8', timeout: 10 * 60_000, env });
    r = spawnSync('apt-get', ['install', '-y', ...missing], { encoding: 'utf8', timeout: 30 * 60_000, env });
  }
  if (r.status === 0 && torchImports()) return undefined;
  const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').at(-1) ?? '';
  return `PyTorch peer skipped: \`apt-get install -y ${missing.join(' ')}\` failed (${why.slice(0, 200) || `exit ${r.status}`}).`;
}

/** Starts the peer, or says why it cannot run. */
export async function startPeer(quick: boolean, log: (m: string) => void): Promise<Peer | { skipped: string }> {
  const skipped = ensurePackages(quick, log);
  if (skipped) return { skipped };
  const child: ChildProcessWithoutNullStreams = spawn(PYTHON, [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  lines.on('line', (line) => {
    const w = waiting.shift();
    if (!w) return;
    const out = JSON.parse(line) as { error?: string };
    if (out.error) w.reject(new Error(`torch_peer.py: ${out.error}`));
    else w.resolve(out);
  });
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`torch_peer.py exited with code ${code}: ${stderr.trim().split('\n').at(-1) ?? ''}`));
  });
  const ask = <T>(request: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      waiting.push({ resolve: resolve as (v: unknown) => void, reject });
      child.stdin.write(JSON.stringify(request) + '\n');
    });
  const info = await ask<PeerInfo>({ cmd: 'info', windows: quick ? 2 : 8 });
  // On a busy machine wall time understates the library; CPU time does not count waiting for a core.
  const one = Math.max(info.matmulGflops['1']?.['512^3'] ?? 0, info.matmulGflopsPerCpu['1']?.['512^3'] ?? 0);
  // The reference BLAS (Debian's libblas3) lives in .../blas/; OpenBLAS in .../openblas-pthread/ and the like.
  const optimisedLibrary = /openblas|mkl|blis|atlas/i.test(info.blasLibrary);
  const fair = optimisedLibrary && one >= MIN_FAIR_GFLOPS;
  const fmt = (t: string) =>
    `${(info.matmulGflops[t]?.['512^3'] ?? NaN).toFixed(0)} by wall time, ${(info.matmulGflopsPerCpu[t]?.['512^3'] ?? NaN).toFixed(0)} by CPU time (${t} thread${t === '1' ? '' : 's'})`;
  const peer: Peer = {
    info,
    fair,
    describe: () =>
      `PyTorch ${info.torch} (Debian python3-torch, Python ${info.python}), BLAS loaded: ${info.blasLibrary} ` +
      `(build flag BLAS_INFO=${info.blasBuild}); 512^3 matmul GFLOP/s ${fmt('1')}, ${fmt('2')}` +
      (fair
        ? '.'
        : optimisedLibrary
          ? `: below ${MIN_FAIR_GFLOPS} GFLOP/s on one thread by wall and by CPU time although OpenBLAS is loaded, so no ratio is reported.`
          : `: not an optimised BLAS (the reference one runs at ~5 GFLOP/s), so no ratio is reported against it.`),
    train: (model, threads, examples, batch) => ask<PeerRun>({ cmd: 'train', model, threads, examples, batch }),
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
  log(`peer: ${peer.describe()}`);
  return peer;
}
