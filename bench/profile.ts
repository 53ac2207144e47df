/**
 * Where a training step's time goes on wasm, for every speed case of the suites: each wasm kernel is
 * wrapped with a timer (self time, so kernels that run other kernels are not counted twice), kernels run
 * inside an optimizer's `applyGradients` are the optimizer's, reads of tensor data (`dataSync`, `data`,
 * `arraySync`, `array`) are timed, and the rest of the wall time is outside kernels: tfjs's dispatch,
 * the gradient tape, tensor bookkeeping and latentkit's own JavaScript.
 *
 *   npx tsx bench/profile.ts                       # every case, wasm on 1 thread
 *   npx tsx bench/profile.ts denseAE vaeDense --threads 2
 *   npx tsx bench/profile.ts --write               # also replaces the profile section of bench/NOTES.md
 *   npx tsx bench/profile.ts assessmentCNN --cpu   # times by this process's CPU time instead of wall time
 *   npx tsx bench/profile.ts dcgan --by-shape Conv2D,FusedConv2D   # those kernels counted per shapes and attributes
 *   npx tsx bench/profile.ts ganDense --by-calls        # the kernels called most often first
 *   npx tsx bench/profile.ts assessmentCNN --cpu --off simdKernels,fastMeanGrad   # with kernelOptions switches off
 *
 * Each case trains one warm-up epoch, then one profiled epoch, of the suite's full-size run (its
 * `SpeedCase.setup`). The timers add about a microsecond per kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as os from 'node:os';
import { setKernelReplacements, useBackend } from '../src/index.js';
import { switchesOff } from './lib/switches.js';
import { GRADIENTS_REPLACED } from '../src/backend/gradientFixes.js';
import { FusedAdam, FusedMomentum, FusedRMSProp, FusedSGD } from '../src/advanced.js';
import type { SpeedCase } from './lib/speed.js';
import { denseAECase } from './suites/denseAE.js';
import { convAECases } from './suites/convAE.js';
import { vaeCases } from './suites/vae.js';
import { ganCases } from './suites/gan.js';
import { classifierCases } from './suites/classifier.js';
import { formatFlops } from './lib/flops.js';
import { flagValue, numberFlag } from './lib/args.js';

const NOTES = join(dirname(fileURLToPath(import.meta.url)), 'NOTES.md');
const START = '<!-- profile:start -->';
const END = '<!-- profile:end -->';
const CASES: SpeedCase[] = [denseAECase, ...convAECases, ...vaeCases, ...ganCases, ...classifierCases];

/**
 * The clock: wall time, or with `--cpu` this process's CPU time (user + system, via getrusage: about a
 * microsecond per reading), which a loaded machine inflates far less than wall time.
 */
const CPU_CLOCK = process.argv.includes('--cpu');
/** `--by-calls`: kernels listed by calls per step rather than by time. */
const BY_CALLS = process.argv.includes('--by-calls');
/** Kernels listed after `--by-shape` (comma-separated) are counted per input shapes and attributes. */
const BY_SHAPE = new Set((flagValue(process.argv, '--by-shape') ?? '').split(',').filter(Boolean));
function shapeKey(name: string, args: { inputs: Record<string, unknown>; attrs?: Record<string, unknown> }): string {
  if (!BY_SHAPE.has(name)) return name;
  const ins = Object.entries(args.inputs)
    .filter(([, t]) => t != null)
    .map(([k, t]) => `${k}[${(t as { shape: number[] }).shape.join(',')}]`)
    .join(' ');
  const a = args.attrs ?? {};
  const at = ['strides', 'dilations', 'pad'].filter((k) => a[k] !== undefined).map((k) => `${k[0]}${JSON.stringify(a[k])}`).join(' ');
  return `${name} ${ins} ${at}`;
}
function clock(): number {
  if (!CPU_CLOCK) return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface KernelStat {
  calls: number;
  selfMs: number;
}

/** Accumulators filled by the wrappers while `on` is set. */
const prof = {
  on: false,
  kernels: new Map<string, KernelStat>(),
  optimizerKernels: new Map<string, KernelStat>(),
  topLevelKernelMs: 0,
  optimizerKernelMs: 0,
  optimizerWallMs: 0,
  readMs: 0,
  reads: 0,
  depth: 0,
  childMs: [] as number[],
  inOptimizer: 0,
};

function resetProfile(): void {
  prof.kernels.clear();
  prof.optimizerKernels.clear();
  prof.topLevelKernelMs = prof.optimizerKernelMs = prof.optimizerWallMs = prof.readMs = 0;
  prof.reads = 0;
}

const bump = (map: Map<string, KernelStat>, name: string, ms: number) => {
  const s = map.get(name) ?? { calls: 0, selfMs: 0 };
  s.calls++;
  s.selfMs += ms;
  map.set(name, s);
};

/** Re-registers every wasm kernel behind a timer. */
function wrapKernels(): void {
  for (const k of tf.getKernelsForBackend('wasm')) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel({
      ...k,
      kernelFunc: ((args: Parameters<typeof inner>[0]) => {
        if (!prof.on) return inner(args);
        prof.depth++;
        prof.childMs.push(0);
        const t0 = clock();
        try {
          return inner(args);
        } finally {
          const elapsed = clock() - t0;
          const children = prof.childMs.pop()!;
          prof.depth--;
          const key = shapeKey(k.kernelName, args as never);
          bump(prof.kernels, key, elapsed - children);
          if (prof.inOptimizer) bump(prof.optimizerKernels, key, elapsed - children);
          if (prof.depth === 0) {
            prof.topLevelKernelMs += elapsed;
            if (prof.inOptimizer) prof.optimizerKernelMs += elapsed;
          } else prof.childMs[prof.childMs.length - 1]! += elapsed;
        }
      }) as typeof inner,
    });
  }
}

/** Times optimizer updates and data reads. */
function wrapOptimizersAndReads(): void {
  const optimizers = [
    tf.AdamOptimizer, tf.MomentumOptimizer, tf.SGDOptimizer, tf.RMSPropOptimizer, tf.AdagradOptimizer, tf.AdadeltaOptimizer, tf.AdamaxOptimizer,
    FusedAdam, FusedMomentum, FusedSGD, FusedRMSProp,
  ];
  for (const cls of optimizers) {
    const proto = cls.prototype as unknown as { applyGradients: (...a: unknown[]) => unknown };
    if (!Object.prototype.hasOwnProperty.call(proto, 'applyGradients')) continue;
    const inner = proto.applyGradients;
    proto.applyGradients = function (this: unknown, ...a: unknown[]) {
      prof.inOptimizer++;
      const t0 = clock();
      try {
        return inner.apply(this, a);
      } finally {
        prof.inOptimizer--;
        if (prof.on && prof.inOptimizer === 0) prof.optimizerWallMs += clock() - t0;
      }
    };
  }
  const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  for (const name of ['dataSync', 'arraySync']) {
    const inner = proto[name]!;
    proto[name] = function (this: unknown, ...a: unknown[]) {
      const t0 = clock();
      try {
        return inner.apply(this, a);
      } finally {
        if (prof.on && prof.depth === 0) {
          prof.readMs += clock() - t0;
          prof.reads++;
        }
      }
    };
  }
  for (const name of ['data', 'array']) {
    const inner = proto[name]!;
    proto[name] = async function (this: unknown, ...a: unknown[]) {
      const t0 = clock();
      try {
        return await inner.apply(this, a);
      } finally {
        if (prof.on) {
          prof.readMs += clock() - t0;
          prof.reads++;
        }
      }
    };
  }
}

interface CaseProfile {
  c: SpeedCase;
  steps: number;
  wallMs: number;
  flopsPerExample: number;
  kernels: Array<[string, KernelStat]>;
  optimizerKernels: Array<[string, KernelStat]>;
  topLevelKernelMs: number;
  optimizerKernelMs: number;
  optimizerWallMs: number;
  readMs: number;
  reads: number;
}

async function profileCase(c: SpeedCase): Promise<CaseProfile> {
  const n = c.examples.full;
  const setup = await c.setup(n);
  try {
    await setup.latentkit();
    resetProfile();
    prof.on = true;
    const t0 = clock();
    await setup.latentkit();
    const wallMs = clock() - t0;
    prof.on = false;
    const sort = (m: Map<string, KernelStat>) =>
      [...m.entries()].sort((a, b) => (BY_CALLS ? b[1].calls - a[1].calls : b[1].selfMs - a[1].selfMs));
    return {
      c, steps: Math.ceil(n / c.batchSize), wallMs, flopsPerExample: setup.flopsPerExample,
      kernels: sort(prof.kernels), optimizerKernels: sort(prof.optimizerKernels), topLevelKernelMs: prof.topLevelKernelMs,
      optimizerKernelMs: prof.optimizerKernelMs, optimizerWallMs: prof.optimizerWallMs, readMs: prof.readMs, reads: prof.reads,
    };
  } finally {
    prof.on = false;
    setup.dispose();
  }
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
const ms = (v: number) => v.toFixed(v < 1 ? 3 : 2);

function markdown(p: CaseProfile, threads: number): string {
  const step = p.wallMs / p.steps;
  const per = (v: number) => v / p.steps;
  const kernelCalls = p.kernels.reduce((s, [, k]) => s + k.calls, 0);
  const optCalls = p.optimizerKernels.reduce((s, [, k]) => s + k.calls, 0);
  const optOutside = p.optimizerWallMs - p.optimizerKernelMs;
  const outside = p.wallMs - p.topLevelKernelMs - p.readMs - optOutside;
  const exPerS = (p.c.batchSize * p.steps * 1000) / p.wallMs;
  const lines = [
    `### ${p.c.key}: ${p.c.model}, batch ${p.c.batchSize}, wasm ${threads} thread${threads > 1 ? 's' : ''}`,
    '',
    `${ms(step)} ms${CPU_CLOCK ? ' of CPU time' : ''} per step (${exPerS.toFixed(0)} ex/s, ${((exPerS * p.flopsPerExample) / 1e9).toFixed(2)} GFLOP/s at ${formatFlops(p.flopsPerExample)}/example); ` +
      `${(kernelCalls / p.steps).toFixed(0)} kernel calls per step, ${(optCalls / p.steps).toFixed(0)} of them in the optimizer update.`,
    '',
    '| where (the rows add up to the step) | ms / step | share of the step |',
    '| --- | --- | --- |',
    `| kernels of forward and backward passes | ${ms(per(p.topLevelKernelMs - p.optimizerKernelMs))} | ${pct(p.topLevelKernelMs - p.optimizerKernelMs, p.wallMs)} |`,
    `| kernels of the optimizer update | ${ms(per(p.optimizerKernelMs))} | ${pct(p.optimizerKernelMs, p.wallMs)} |`,
    `| optimizer update outside its kernels (its JS and tfjs dispatch) | ${ms(per(optOutside))} | ${pct(optOutside, p.wallMs)} |`,
    `| data reads (dataSync/data/arraySync/array: ${(p.reads / p.steps).toFixed(1)} per step) | ${ms(per(p.readMs))} | ${pct(p.readMs, p.wallMs)} |`,
    `| everything else outside kernels: tfjs dispatch, gradient tape, tensor bookkeeping, latentkit's loop | ${ms(per(outside))} | ${pct(outside, p.wallMs)} |`,
    '',
    '| kernel (self time) | calls / step | ms / step | share of the step |',
    '| --- | --- | --- | --- |',
    ...p.kernels.slice(0, BY_SHAPE.size > 0 || BY_CALLS ? 30 : 10).map(([name, k]) => `| ${name} | ${(k.calls / p.steps).toFixed(1)} | ${ms(per(k.selfMs))} | ${pct(k.selfMs, p.wallMs)} |`),
    '',
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = numberFlag(args, '--threads', 1);
  const write = args.includes('--write');
  // --off a,b: kernelOptions switches turned off for the whole run (a profile of "before" a lever).
  const off = flagValue(args, '--off');
  if (off !== undefined) switchesOff(off.split(','));
  const wanted = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--threads' && args[i - 1] !== '--off' && args[i - 1] !== '--by-shape');
  const unknown = wanted.filter((w) => !CASES.some((c) => c.key === w));
  if (unknown.length) throw new Error(`unknown case(s) ${unknown.join(', ')}; known: ${CASES.map((c) => c.key).join(', ')}`);
  const cases = wanted.length ? CASES.filter((c) => wanted.includes(c.key)) : CASES;
  const info = await useBackend('wasm', { threads });
  wrapKernels();
  // latentkit's training loop calls ensureTrainingKernels(), which would see the timers (not latentkit's own
  // functions) and wrap them in a second copy of every replacement, whose own work (heap copies, the JS
  // kernels) would then be timed as "outside kernels". Switching further installations off keeps the timed
  // replacements registered (restoring skips entries that are no longer latentkit's functions).
  setKernelReplacements(false);
  // That also gave tfjs's gradients back: latentkit's are registered again (they run kernels, not replace them).
  for (const { config, enabled } of GRADIENTS_REPLACED) if (enabled()) tf.registerGradient(config);
  wrapOptimizersAndReads();
  const load = os.loadavg().map((v) => v.toFixed(2)).join('/');
  const sections: string[] = [];
  for (const c of cases) {
    process.stderr.write(`[profile] ${c.key}...\n`);
    const p = await profileCase(c);
    const md = markdown(p, info.threads);
    process.stdout.write(md + '\n');
    sections.push(md);
  }
  if (write) {
    const header =
      `Generated by \`npx tsx bench/profile.ts --write\` on ${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model.trim()}, ` +
      `wasm ${info.threads} thread(s), SIMD ${info.simd}; load average ${load} at start (a shared machine: shares are steadier than milliseconds).\n`;
    const notes = readFileSync(NOTES, 'utf8');
    const i = notes.indexOf(START);
    const j = notes.indexOf(END);
    if (i < 0 || j < i) throw new Error(`${NOTES} has no ${START} ... ${END} section`);
    writeFileSync(NOTES, notes.slice(0, i + START.length) + '\n' + header + '\n' + sections.join('\n') + notes.slice(j));
    process.stderr.write(`[profile] wrote ${NOTES}\n`);
  }
}

await main();
