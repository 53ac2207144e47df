/**
 * latentkit's benchmark runner.
 *
 *   npm run bench                               # every suite, wasm on 1 and on 2 threads, with the PyTorch peer
 *   npm run bench -- denseAE vae                # some suites
 *   npm run bench -- --resume                   # skip (suite, threads) whose result file is already there
 *   npm run bench -- --threads 2                # only these latentkit thread counts
 *   npm run bench -- --quick                    # smoke run (CI): small sizes, 2 threads, no apt-get
 *   npm run bench -- quality --cases vae        # the reproduction suite, or some of its cases (long: see README)
 *
 * Suites are the files in `bench/suites/` (default export: a `Suite` from `bench/lib/harness.ts`). Each
 * (suite, thread count) runs in its own child process (`bench/lib/child.ts`): the wasm backend fixes its
 * threads when it starts, and a crash in one suite cannot take the others down. Each writes
 * `bench/results/<suite>.t<threads>.json` as soon as it finishes, so an interrupted run resumes with
 * `--resume`; then every result file in the folder is gathered into `bench/results/README.md` and the
 * speed table is printed. Quick runs write to `bench/results/quick/` instead, so that a smoke run never
 * overwrites real numbers, and assert nothing about time.
 *
 * The machine may be shared: every file records the load average at its start and end.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readResults, report, resultFile, speedTable, suiteNames, type ResultFile } from './lib/results.js';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const CHILD = join(BENCH_DIR, 'lib', 'child.ts');
const TSX = createRequire(import.meta.url).resolve('tsx/cli');

function usage(message?: string): never {
  if (message) process.stderr.write(`${message}\n`);
  process.stderr.write('usage: npx tsx bench/run.ts [suite...] [--quick] [--resume] [--threads 1,2] [--cases a,b]\n');
  process.exit(2);
}

// Suites whose figures do not depend on the thread count (training is bit-identical on 1 and 2 wasm threads):
// one process, on the first thread count asked for (default 2).
const ONE_PROCESS = new Set(['quality']);

function runChild(suite: string, threads: number, outDir: string, quick: boolean, cases: string | undefined): Promise<number> {
  return new Promise((done) => {
    const args = [TSX, CHILD, suite, '--threads', String(threads), '--out', outDir, ...(quick ? ['--quick'] : []), ...(cases ? ['--cases', cases] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => done(code ?? (signal ? 128 : 1)));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const resume = args.includes('--resume');
  let threadList = quick ? [2] : [1, 2];
  let threadsGiven = false;
  let cases: string | undefined;
  const flags = new Set(['--quick', '--resume']);
  const names: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--cases') {
      cases = args[++i];
      if (!cases || cases.startsWith('-')) usage('--cases: expected e.g. vae,convAE');
    } else if (a === '--threads') {
      threadsGiven = true;
      threadList = (args[++i] ?? '').split(',').map(Number);
      if (!threadList.length || threadList.some((t) => !Number.isInteger(t) || t < 1)) usage(`--threads: expected e.g. 1,2`);
    } else if (a.startsWith('-')) {
      if (!flags.has(a)) usage(`unknown flag ${a}`);
    } else names.push(a);
  }
  const all = suiteNames();
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length) usage(`unknown suite(s): ${unknown.join(', ')}; known: ${all.join(', ')}`);
  const suites = names.length ? names : all;
  const outDir = join(BENCH_DIR, 'results', ...(quick ? ['quick'] : []));
  mkdirSync(outDir, { recursive: true });
  const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

  const failed: string[] = [];
  // Quick runs put every suite in one process per thread count: the smoke test is about the machinery.
  const groups = quick ? [suites.join(',')] : suites;
  for (const suite of groups) {
    const threadsOf = !quick && ONE_PROCESS.has(suite) ? [threadsGiven ? threadList[0]! : 2] : threadList;
    for (const threads of threadsOf) {
      const file = join(outDir, resultFile(suite, threads));
      if (resume && !quick && existsSync(file)) {
        const prev = JSON.parse(readFileSync(file, 'utf8')) as ResultFile;
        if (prev.quick === quick && prev.speed.every((r) => r.latentkit !== null)) {
          log(`${suite} on ${threads} thread(s): kept ${file} (--resume)`);
          continue;
        }
      }
      log(`${suite} on ${threads} thread(s)${quick ? ' (quick)' : ''}`);
      const code = await runChild(suite, threads, outDir, quick, cases);
      if (code !== 0) {
        failed.push(`${suite}.t${threads} (exit ${code})`);
        log(`${suite} on ${threads} thread(s) failed with exit code ${code}`);
      }
    }
  }

  const results = readResults(outDir);
  writeFileSync(join(outDir, 'README.md'), report(results, quick));
  process.stdout.write(speedTable(results) + '\n');
  log(`wrote ${join(outDir, 'README.md')}`);
  if (failed.length) {
    log(`failed: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
