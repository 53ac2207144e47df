/**
 * Before/after of one phase-2 lever on the suites' speed cases, in one process: the case's latentkit
 * epoch (its `SpeedCase.setup`) runs with the lever off (A) and on (B), interleaved A B B A ..., and the
 * median of the paired ratios B / A is reported with both medians and the load average (and the same by
 * CPU time of this process, steadier on a busy machine for one thread). The levers are the
 * switches of `src/backend/wasm/util.ts` (`kernelOptions`), which exist for this purpose.
 *
 *   npx tsx bench/ab.ts fusedOptimizers denseAE vaeDense ganDense [--threads 2] [--reps 6]
 *   npx tsx bench/ab.ts fastSlice dcgan
 *
 * Several switches separated by commas form one lever; `off:<switch>` measures the opposite way round (B =
 * the switch off); `<setting>=<number>` sets a numeric setting in B and leaves its default in A
 * (`npx tsx bench/ab.ts swapRatio=16 convAE-upsample`).
 */
import * as os from 'node:os';
import { setKernelReplacements, useBackend } from '../src/index.js';
import { kernelOptions } from '../src/backend/wasm/util.js';
import { median } from './lib/harness.js';
import { numberFlag } from './lib/args.js';
import { checkSwitches } from './lib/switches.js';
import type { SpeedCase } from './lib/speed.js';
import { convAECases } from './suites/convAE.js';
import { denseAECase } from './suites/denseAE.js';
import { ganCases } from './suites/gan.js';
import { vaeCases } from './suites/vae.js';
import { classifierCases } from './suites/classifier.js';

const CASES: SpeedCase[] = [denseAECase, ...convAECases, ...vaeCases, ...ganCases, ...classifierCases];

const args = process.argv.slice(2);
const value = (flag: string, dflt: number) => numberFlag(args, flag, dflt);
const threads = value('--threads', 1);
const reps = value('--reps', 6);
const words = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
const [leverArg, ...caseKeys] = words;
if (!leverArg || caseKeys.length === 0) {
  process.stderr.write('usage: npx tsx bench/ab.ts <switch> <case...> [--threads N] [--reps N]\n');
  process.exit(2);
}
const inverted = leverArg.startsWith('off:');
// A numeric setting, `name=value` (B) against its default (A), e.g. `swapRatio=16`.
const numeric = /^(\w+)=(.+)$/.exec(leverArg);
const options = kernelOptions as unknown as Record<string, unknown>;
if (numeric && typeof options[numeric[1]!] !== 'number') throw new Error(`${numeric[1]} is not a numeric setting of kernelOptions`);
const numericDefault = numeric ? (options[numeric[1]!] as number) : 0;
const levers = numeric ? [] : checkSwitches((inverted ? leverArg.slice(4) : leverArg).split(','));

/** Sets the levers and reinstalls the kernel replacements (a replacement's switch is read when it is installed). */
function setLever(on: boolean): void {
  for (const lever of levers) kernelOptions[lever] = inverted ? !on : on;
  if (numeric) options[numeric[1]!] = on ? Number(numeric[2]) : numericDefault;
  setKernelReplacements(false);
  setKernelReplacements(true);
}

const info = await useBackend('wasm', { threads });
const load = () => os.loadavg().map((v) => v.toFixed(2)).join('/');
process.stdout.write(`lever ${leverArg}, wasm ${info.threads} thread(s), ${reps} pairs; load average ${load()} at start\n`);
for (const key of caseKeys) {
  const c = CASES.find((k) => k.key === key);
  if (!c) throw new Error(`unknown case ${key}; known: ${CASES.map((k) => k.key).join(', ')}`);
  const n = c.examples.full;
  // One setup per side, each built with its side's switches (some are read when a model is built).
  setLever(false);
  const setupA = await c.setup(n);
  setLever(true);
  const setupB = await c.setup(n);
  /** One epoch: examples per second of wall time and per CPU-second of this process. */
  const rate = async (on: boolean): Promise<[number, number]> => {
    setLever(on);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await (on ? setupB : setupA).latentkit();
    const c = process.cpuUsage(c0);
    return [n / ((performance.now() - t0) / 1000), n / ((c.user + c.system) / 1e6)];
  };
  try {
    await rate(false);
    await rate(true);
    const a: Array<[number, number]> = [];
    const b: Array<[number, number]> = [];
    for (let r = 0; r < reps; r++) {
      if (r % 2 === 0) {
        a.push(await rate(false));
        b.push(await rate(true));
      } else {
        b.push(await rate(true));
        a.push(await rate(false));
      }
    }
    const ratios = a.map((x, i) => b[i]![0] / x[0]);
    const cpuRatios = a.map((x, i) => b[i]![1] / x[1]);
    const med = (rows: Array<[number, number]>, k: 0 | 1) => median(rows.map((r) => r[k])).toFixed(0);
    process.stdout.write(
      `| ${key} | ${med(a, 0)} ex/s (${med(a, 1)} per CPU-s) | ${med(b, 0)} ex/s (${med(b, 1)} per CPU-s) | ` +
        `${median(ratios).toFixed(2)}x (${Math.min(...ratios).toFixed(2)}-${Math.max(...ratios).toFixed(2)}); CPU time ${median(cpuRatios).toFixed(2)}x | ${load()} |\n`,
    );
  } finally {
    setupA.dispose();
    setupB.dispose();
    setLever(true);
  }
}
