/**
 * Runs suites in this process on wasm with a given thread count (fixed per process: the wasm backend
 * starts its threads once) and writes `<out>/<suite>.t<threads>.json` after each. Started by
 * `bench/run.ts` (one suite per process in full runs, all of them in one process in quick runs):
 *
 *   npx tsx bench/lib/child.ts <suite>[,<suite>...] --threads 2 --out bench/results [--quick] [--cases a,b]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as os from 'node:os';
import { useBackend } from '../../src/index.js';
import { cpuPressure, machineInfo, type Suite, type SuiteContext } from './harness.js';
import { startPeer, type Peer } from './peer.js';
import { loadSuite, resultFile, type ResultFile } from './results.js';
import { flagValue } from './args.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const value = (flag: string) => flagValue(args, flag);
  const name = args[0];
  const threads = Number(value('--threads') ?? '1');
  const out = value('--out');
  const quick = args.includes('--quick');
  const cases = value('--cases')?.split(',').filter(Boolean);
  if (!name || !out || !Number.isInteger(threads) || threads < 1) {
    process.stderr.write('usage: npx tsx bench/lib/child.ts <suite>[,<suite>...] --threads N --out DIR [--quick]\n');
    process.exit(2);
  }
  const log = (m: string) => process.stderr.write(`[bench t${threads}] ${m}\n`);
  const backend = await useBackend('wasm', { threads });
  log(`wasm: ${backend.threads} thread(s) obtained, SIMD ${backend.simd}`);
  let peer: Promise<Peer | { skipped: string }> | undefined;
  const ctx: SuiteContext = { quick, threads, backend, log, peer: () => (peer ??= startPeer(quick, log)), cases };
  try {
    for (const suiteName of name.split(',')) {
      const suite: Suite = await loadSuite(suiteName);
      const machine = machineInfo();
      log(`${suiteName}: load average ${machine.loadAverageStart.join('/')}`);
      const t0 = performance.now();
      const result = await suite.run(ctx);
      const p = peer ? await peer : undefined;
      machine.loadAverageEnd = os.loadavg().map((v) => Math.round(v * 100) / 100);
      machine.cpuPressureEnd = cpuPressure();
      const file: ResultFile = {
        suite: suiteName,
        title: suite.title,
        quick,
        threadsRequested: threads,
        threads: backend.threads,
        simd: backend.simd ?? false,
        machine,
        peer: p ? ('skipped' in p ? { skipped: p.skipped } : { ...p.info, fair: p.fair, description: p.describe() }) : undefined,
        wallSeconds: (performance.now() - t0) / 1000,
        ...result,
      };
      writeFileSync(join(out, resultFile(suiteName, threads)), JSON.stringify(file, null, 2) + '\n');
      log(`${suiteName}: ${file.wallSeconds.toFixed(0)} s; wrote ${join(out, resultFile(suiteName, threads))}`);
      if (result.speed.some((r) => r.latentkit === null)) process.exitCode = 1;
    }
  } finally {
    const p = peer ? await peer.catch(() => undefined) : undefined;
    if (p && 'close' in p) p.close();
  }
}

await main();
