/**
 * The browser benchmark (`npm run bench:browser`), in headless Chromium (Debian's, driven by playwright-core):
 *
 * - training speed of the dense AE 784-256-32-256-784, batch 64, uniform random inputs (the values do
 *   not change the work of a dense net), in examples/s, on webgl (SwiftShader: software rendering, no
 *   GPU), wasm, wasm in a cross-origin-isolated page (the threaded SIMD build), and cpu; the median of
 *   3 fresh pages each, after 2 warm-up steps;
 * - the size of the README's browser app as Vite builds it: every emitted JavaScript file, the
 *   JavaScript the page actually loads, and the wasm binary it fetches (gzip -9).
 *
 * Results go to `bench/results/browser/browser.json` and a Markdown table on stdout. Other work on the
 * machine skews timings: the load averages are recorded with them.
 *
 * @example
 * ```sh
 * npm run bench:browser
 * ```
 * @module
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { buildPage, emittedFiles, type EmittedFile } from '../test/browser/lib/build.js';
import { launchChromium } from '../test/browser/lib/chromium.js';
import { writeReadmeApp } from '../test/browser/lib/readmeApp.js';
import { serveStatic } from '../test/browser/lib/serve.js';
import buildPackage from '../test/browser/globalSetup.js';
import { machineInfo } from './lib/harness.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(root, 'out', 'browser-bench');
const REPEATS = 3;

/** Timed steps per page: enough for a few seconds on each backend. */
const VARIANTS = [
  { label: 'webgl (SwiftShader)', backend: 'webgl', isolated: false, batches: 20 },
  { label: 'wasm', backend: 'wasm', isolated: false, batches: 60 },
  { label: 'wasm, cross-origin isolated', backend: 'wasm', isolated: true, batches: 60 },
  { label: 'cpu', backend: 'cpu', isolated: false, batches: 8 },
] as const;

interface SpeedRow {
  label: string;
  threads: number;
  examplesPerSecond: number[];
  median: number;
}

/** What a built page weighs: everything emitted, and what a visit loads. */
export interface BundleSize {
  emittedJs: { files: number; bytes: number; gzip: number };
  loadedJs: { files: string[]; bytes: number; gzip: number };
  wasmFetched: { file: string; bytes: number; gzip: number }[];
}

const median = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;

async function speeds(browser: Browser): Promise<SpeedRow[]> {
  const harness = await buildPage(join(root, 'test/browser/harness'), join(OUT, 'harness'));
  const plain = await serveStatic(harness.outDir);
  const isolated = await serveStatic(harness.outDir, { isolated: true });
  const rows: SpeedRow[] = [];
  try {
    for (const v of VARIANTS) {
      const examplesPerSecond: number[] = [];
      let threads = 1;
      for (let r = 0; r < REPEATS; r++) {
        const page = await browser.newPage();
        await page.goto((v.isolated ? isolated : plain).url);
        await page.waitForFunction(() => document.getElementById('status')?.textContent === 'ready');
        const result = await page.evaluate(([backend, batches]) => window.latentkitHarness.speed(backend, batches), [v.backend, v.batches] as const);
        await page.close();
        examplesPerSecond.push(result.examplesPerSecond);
        threads = result.info.threads;
        process.stderr.write(`${v.label}: ${Math.round(result.examplesPerSecond)} examples/s\n`);
      }
      rows.push({ label: v.label, threads, examplesPerSecond, median: median(examplesPerSecond) });
    }
  } finally {
    await plain.close();
    await isolated.close();
  }
  return rows;
}

/** Sizes of the app built in `dist`, loading it once (in a cross-origin-isolated page unless told otherwise). */
export async function bundleSize(browser: Browser, dist: string, ready: string, isolated = true): Promise<BundleSize> {
  const files = emittedFiles(dist);
  const byPath = new Map<string, EmittedFile>(files.map((f) => [`/${f.file}`, f]));
  const server = await serveStatic(dist, { isolated });
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForFunction(ready, undefined, { timeout: 120_000 });
    await page.close();
  } finally {
    await server.close();
  }
  const loaded = [...new Set(server.requests)].map((p) => byPath.get(p)).filter((f): f is EmittedFile => f !== undefined);
  const js = files.filter((f) => f.file.endsWith('.js'));
  const loadedJs = loaded.filter((f) => f.file.endsWith('.js'));
  const sum = (list: EmittedFile[], key: 'bytes' | 'gzip'): number => list.reduce((s, f) => s + f[key], 0);
  return {
    emittedJs: { files: js.length, bytes: sum(js, 'bytes'), gzip: sum(js, 'gzip') },
    loadedJs: { files: loadedJs.map((f) => f.file), bytes: sum(loadedJs, 'bytes'), gzip: sum(loadedJs, 'gzip') },
    wasmFetched: loaded.filter((f) => f.file.endsWith('.wasm')).map(({ file, bytes, gzip }) => ({ file, bytes, gzip })),
  };
}

/** Writes the README's browser app into `dir` and builds it into `dir/dist`. */
async function buildReadmeApp(dir: string): Promise<string> {
  writeReadmeApp(root, dir);
  await buildPage(dir, join(dir, 'dist'), { configFile: join(dir, 'vite.config.ts') });
  return join(dir, 'dist');
}

const kb = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

async function main(): Promise<void> {
  buildPackage();
  const machine = machineInfo();
  const browser = await launchChromium();
  const chromium = browser.version();
  let rows: SpeedRow[];
  let size: BundleSize;
  try {
    rows = await speeds(browser);
    const dist = await buildReadmeApp(join(OUT, 'readme-app'));
    size = await bundleSize(browser, dist, "document.querySelector('#out')?.textContent?.includes('loss')");
  } finally {
    await browser.close();
  }
  machine.loadAverageEnd = loadavg();
  mkdirSync(join(root, 'bench/results/browser'), { recursive: true });
  writeFileSync(join(root, 'bench/results/browser/browser.json'), JSON.stringify({ machine, chromium, speed: rows, readmeApp: size }, null, 2) + '\n');

  const load = (l: number[] | undefined): string => (l ? l.map((x) => x.toFixed(1)).join(' / ') : '?');
  const lines = [
    `Headless Chromium ${chromium}, ${machine.cpuModel}, ${machine.cores} cores; load average ${load(machine.loadAverageStart)} at the start, ${load(machine.loadAverageEnd)} at the end.`,
    '',
    '| backend | threads | examples/s (median of 3) | runs |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.label} | ${r.threads} | ${Math.round(r.median).toLocaleString('en-US')} | ${r.examplesPerSecond.map((x) => Math.round(x)).join(', ')} |`),
    '',
    `README browser app: ${size.emittedJs.files} JS files emitted, ${kb(size.emittedJs.bytes)} (${kb(size.emittedJs.gzip)} gzipped); ` +
      `loaded by a visit: ${size.loadedJs.files.length} files, ${kb(size.loadedJs.bytes)} (${kb(size.loadedJs.gzip)} gzipped), ` +
      `plus ${size.wasmFetched.map((w) => `${w.file} ${kb(w.bytes)} (${kb(w.gzip)} gzipped)`).join(', ')}.`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  });
}
