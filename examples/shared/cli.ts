/**
 * The command line every example shares: flags with ranges, a usage text, the backend choice, and a
 * `main` runner that reports errors itself (an uncaught exception makes the wasm glue print its source).
 * @module
 */
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, setSeed, useBackend, type BackendInfo, type BackendName } from '../../src/index.js';

/** A bad command line: reported with the usage text and exit code 2, without a stack trace. */
export class UsageError extends Error {}

/** An integer flag: name, default and allowed range. */
export interface IntFlag {
  default: number;
  min: number;
  max: number;
  help: string;
}

/** Settings every example has, plus its own integer flags and switches. */
export interface CommonSettings {
  out: string;
  backend: BackendName;
  ints: Record<string, number>;
  /** The example's switches (`--quick`), true when given. */
  switches: Record<string, boolean>;
  /** The example's text flags (`--csv PATH`), `undefined` when not given. */
  texts: Record<string, string | undefined>;
}

/** An example's flags besides its integers: switches and text flags (name -> help), and sizes that depend on the switches. */
export interface ExtraFlags {
  /** Boolean flags, e.g. `{ quick: 'a smoke run' }`. */
  switches?: Record<string, string>;
  /** Flags taking a text value, e.g. `{ csv: 'PATH: a CSV table to probe' }`. */
  texts?: Record<string, string>;
  /** Integer defaults that depend on the switches (a `--quick` run's sizes); an explicit flag still wins. */
  defaults?: (switches: Record<string, boolean>) => Record<string, number>;
}

/** The usage text of an example with these integer flags, switches and text flags. */
export function usageText(script: string, ints: Record<string, IntFlag>, defaultOut: string, extras: ExtraFlags = {}): string {
  const lines = Object.entries(ints).map(([name, f]) => `  --${name.padEnd(13)} ${f.help} (default ${f.default})`);
  const otherLines = Object.entries({ ...extras.switches, ...extras.texts }).map(([name, help]) => `  --${name.padEnd(13)} ${help}`);
  return [
    `usage: npx tsx examples/${script} [options]`,
    ...otherLines,
    ...lines,
    `  --out DIR       output folder (default ${defaultOut})`,
    '  --backend NAME  wasm, cpu or tensorflow (tfjs-node) (default: LATENTKIT_BACKEND, else wasm)',
    '  --help          this text',
  ].join('\n');
}

/**
 * Reads the command line; `undefined` when `--help` was asked for. An integer flag left out takes its
 * default, or its value in `defaults` (a `--quick` run's sizes, say).
 */
export function readSettings(
  ints: Record<string, IntFlag>,
  defaultOut: string,
  extras: ExtraFlags = {},
): CommonSettings | undefined {
  const switches = extras.switches ?? {};
  const texts = extras.texts ?? {};
  const options: Record<string, { type: 'string' | 'boolean' }> = { out: { type: 'string' }, backend: { type: 'string' }, help: { type: 'boolean' } };
  for (const name of Object.keys(ints)) options[name] = { type: 'string' };
  for (const name of Object.keys(switches)) options[name] = { type: 'boolean' };
  for (const name of Object.keys(texts)) options[name] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ options, strict: true }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['help']) return undefined;
  const backend = (values['backend'] as string | undefined) ?? process.env['LATENTKIT_BACKEND'] ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) {
    throw new UsageError(`--backend / LATENTKIT_BACKEND ${backend}: expected one of ${BACKEND_NAMES.join(', ')}`);
  }
  const on = Object.fromEntries(Object.keys(switches).map((name) => [name, values[name] === true]));
  const fallback = extras.defaults?.(on) ?? {};
  const parsed: Record<string, number> = {};
  for (const [name, f] of Object.entries(ints)) {
    const raw = values[name] as string | undefined;
    const n = raw === undefined ? (fallback[name] ?? f.default) : Number(raw);
    if (!Number.isInteger(n) || n < f.min || n > f.max) throw new UsageError(`--${name} ${raw}: expected an integer in [${f.min}, ${f.max}]`);
    parsed[name] = n;
  }
  return { out: (values['out'] as string | undefined) ?? defaultOut, backend: backend as BackendName, ints: parsed, switches: on, texts: Object.fromEntries(Object.keys(texts).map((name) => [name, values[name] as string | undefined])) };
}

/** Runs an example's `main`, printing the usage on a `UsageError` (exit 2) and the stack on any other error (exit 1). */
export function runExample(usage: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n${usage}`);
      process.exitCode = 2;
      return;
    }
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  });
}

/** `wasm (SIMD), 1 thread` */
export function backendLabel(info: BackendInfo): string {
  return `${info.name}${info.simd ? ' (SIMD)' : ''}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
}

/**
 * `--threads 0`: 2 wasm threads when the machine has a core to spare (1-minute load average at most
 * cores - 1.5), else 1. Threads give the same results bit for bit; on a busy machine a second thread that
 * finds no free core makes every kernel wait for it (measured: 10x slower at load 12), on a quiet one the
 * convolutions divide (1.5x faster).
 */
export function threadsForLoad(): number {
  const cores = os.availableParallelism();
  return cores >= 2 && os.loadavg()[0]! <= cores - 1.5 ? 2 : 1;
}

/**
 * The start every example shares: read the command line (print the usage and return `undefined` for
 * `--help`), set the backend up, set the global seed from `--seed`, and say what was set up.
 */
export async function startExample(
  flags: Record<string, IntFlag>,
  defaultOut: string,
  usage: string,
  extras: ExtraFlags = {},
): Promise<{ settings: CommonSettings; backend: BackendInfo } | undefined> {
  const settings = readSettings(flags, defaultOut, extras);
  if (!settings) {
    console.log(usage);
    return undefined;
  }
  // An example with a `threads` flag asks wasm for that many threads (other backends have no such option).
  const threads = settings.ints['threads'] === 0 ? threadsForLoad() : settings.ints['threads'];
  const backend = await useBackend(settings.backend, settings.backend === 'wasm' && threads !== undefined ? { threads } : {});
  const seed = settings.ints['seed'];
  if (seed !== undefined) setSeed(seed);
  console.log(`backend ${backendLabel(backend)}, tfjs ${backend.tfjsVersion}${seed === undefined ? '' : `, seed ${seed}`}`);
  return { settings, backend };
}
