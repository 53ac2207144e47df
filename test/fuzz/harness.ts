/**
 * The fuzz harness: property-based tests (fast-check) of every builder and every public function, driven
 * by one table (`entries.ts`, `functions.ts`).
 *
 * HOW TO ADD A BUILDER (the classifier, an ACGAN option...): add ONE entry to `BUILDERS` in `entries.ts`:
 * ```ts
 * {
 *   name: 'classifier',                          // counted under this name in the summary
 *   valid: fc.record({ inputShape: ..., numClasses: fc.integer({ min: 2, max: 3 }), seed }),   // tiny shapes
 *   build: (c) => classifier(c),                 // the builder
 *   train: (h, c) => h.fit(dataFor(c), { labels: ..., epochs: 1, batchSize: 4, verbose: 0 }),   // one step
 *   fields: { numClasses: bad.positiveInt, inputShape: bad.shape, ... },   // field -> invalid values
 *   rules: [                                     // invalid cross-field combinations: [arbitrary, parameter]
 *     [fc.record({ ... }), 'classifier.numClasses'],
 *   ],
 *   inputs: (c) => [...badInputs(c.inputShape)],  // optional: invalid data for the handle's methods
 *   call: (h, input) => h.fit(input, { verbose: 0 }),   // how a bad input is passed
 * }
 * ```
 * The harness then checks, with generated cases: a valid config builds, trains one step and disposes with
 * `tf.memory().numTensors` unchanged; a config with one invalid field (or an unknown key, a typo of a
 * real one, a non-object) throws a LatentkitError whose `parameter` (or message) names that field; an
 * invalid input throws a LatentkitError naming its parameter; never a raw tfjs or Node error, never a
 * leak. A public function is one entry of `FUNCTIONS` in `functions.ts`: `valid` arguments and a `run`
 * that must succeed without leaking, `invalid` arguments with the parameter the error must name.
 *
 * Runs per property scale with `FUZZ_RUNS` (the default keeps `npm test` quick; `FUZZ_RUNS=20000` for a
 * long run); `FUZZ_SEED` replays a run. The summary (cases per builder, distinct error kinds) is printed
 * after each file and written to `FUZZ_REPORT` when set.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileSync } from 'node:fs';
import { expect } from 'vitest';
import { LatentkitError } from '../../src/index.js';

/** Scale of every property's runs: 1 by default, `FUZZ_RUNS / 1000` when set. */
export const SCALE = process.env['FUZZ_RUNS'] ? Number(process.env['FUZZ_RUNS']) / 1000 : 1;
export const SEED = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;

/** Runs for a property whose default is `n`. */
export const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));

export interface BuilderEntry<C = Record<string, unknown>, H extends { dispose(): void } = { dispose(): void }> {
  /** The builder's name, as errors name its parameters (`undercompleteAE.codeDim`). */
  name: string;
  /** A name for the summary when several entries test one builder (dense and conv VAEs). Default `name`. */
  group?: string;
  valid: fc.Arbitrary<C>;
  build(config: C): H;
  /** Trains one step (or a few) on tiny data made from the config; must leave no tensor behind. */
  train(handle: H, config: C): Promise<unknown>;
  /** Invalid values of each field (tried one at a time on a valid config). */
  fields: Record<string, fc.Arbitrary<unknown>>;
  /** Whole configs that break a cross-field rule, with the parameter the error names. */
  rules?: Array<[fc.Arbitrary<Record<string, unknown>>, string]>;
  /** Invalid inputs to the handle's methods, with the parameter the error names. */
  inputs?: (config: C) => fc.Arbitrary<[unknown, string]>;
  /** Passes an invalid input (default: `fit` with it). */
  call?(handle: H, input: unknown): unknown;
  /** Default runs: valid configs, invalid configs, invalid inputs. */
  weights?: { valid: number; invalid: number; inputs: number };
}

export interface FunctionEntry {
  name: string;
  /** Valid arguments and a run that must succeed (return tensors to dispose, if any). */
  valid?: fc.Arbitrary<unknown>;
  run?(args: unknown): unknown;
  /** Invalid arguments with the parameter the error names; `run` (or `runInvalid`) is called with them. */
  invalid: fc.Arbitrary<[unknown, string]>;
  runInvalid?(args: unknown): unknown;
  /** Default runs of each property. */
  weights?: { valid: number; invalid: number };
  /** Makes what the cases share (outside the leak count). */
  setup?(): void;
}

/** Counts per builder or function, and the distinct errors reached (class and parameter). */
export const tally = { cases: new Map<string, number>(), errors: new Map<string, number>() };

function count(name: string): void {
  tally.cases.set(name, (tally.cases.get(name) ?? 0) + 1);
}

/** The parameter an error names with its indices and keys normalised (`x[3][1]` -> `x[]`). */
function errorKind(e: LatentkitError): string {
  let parameter = (e as { parameter?: string }).parameter ?? (e as { file?: string }).file?.replace(/.*\//, '') ?? '';
  // A typo'd key is one kind per options object, whatever the typo.
  if (/unknown option/.test(e.message)) parameter = parameter.replace(/\.[^.]*$/, '.<unknown key>');
  return `${e.name} ${parameter.replace(/\[\d+\]/g, '[]').replace(/row \d+ \(line \d+\)/, 'row')}`;
}

/**
 * Runs `call` and expects a LatentkitError that names `parameter` (its `parameter` starts with it, or its
 * message contains it), with no tensor leaked and nothing else thrown.
 */
export async function expectNamedError(call: () => unknown, parameter: string, context: unknown): Promise<void> {
  const before = tf.memory().numTensors;
  let error: unknown;
  let result: unknown;
  try {
    result = await call();
  } catch (e) {
    error = e;
  }
  if (error === undefined) {
    tf.dispose(result as tf.TensorContainer);
    if (result && typeof (result as { dispose?: unknown }).dispose === 'function') (result as { dispose(): void }).dispose();
  }
  const show = () => `${describe(context)} -> ${error instanceof Error ? `${error.name}: ${error.message}` : `no error (${describe(result)})`}`;
  expect(error instanceof LatentkitError, show()).toBe(true);
  const e = error as LatentkitError;
  const named = ((e as { parameter?: string }).parameter ?? '').startsWith(parameter) || e.message.includes(parameter);
  expect(named, `expected the error to name ${parameter}: ${show()}`).toBe(true);
  expect(tf.memory().numTensors, `tensors leaked: ${show()}`).toBe(before);
  const kind = errorKind(e);
  tally.errors.set(kind, (tally.errors.get(kind) ?? 0) + 1);
}

function describe(v: unknown): string {
  try {
    const text = JSON.stringify(v, (_k, x) => (x instanceof tf.Tensor ? `tensor[${x.shape}] ${x.dtype}` : typeof x === 'function' ? 'fn' : Number.isNaN(x) ? 'NaN' : x));
    return text === undefined ? String(v) : text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return String(v);
  }
}

const params = (numRuns: number): fc.Parameters<unknown> => ({ numRuns, ...(SEED === undefined ? {} : { seed: SEED }), endOnFailure: true });

/** A typo of `key`: one letter dropped, doubled or swapped, or a case change. */
export function typo(key: string): fc.Arbitrary<string> {
  return fc.integer({ min: 0, max: key.length - 1 }).chain((i) =>
    fc.constantFrom(
      key.slice(0, i) + key.slice(i + 1),
      key.slice(0, i) + key[i] + key.slice(i),
      i < key.length - 1 ? key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2) : `${key}s`,
      `${key}_`,
    ),
  ).filter((t) => t !== key && t.length > 0);
}

/** Valid configs build, train and dispose without leaking. */
export async function checkValid<C, H extends { dispose(): void }>(entry: BuilderEntry<C, H>, numRuns: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(entry.valid, async (config) => {
      const before = tf.memory().numTensors;
      const handle = entry.build(structuredClone(config));
      try {
        await entry.train(handle, config);
      } finally {
        handle.dispose();
      }
      expect(tf.memory().numTensors, describe(config)).toBe(before);
      count(entry.group ?? entry.name);
    }),
    params(numRuns),
  );
}

/** Configs with one invalid field, an unknown key, a broken rule, or not an object: a named error. */
export async function checkInvalid<C, H extends { dispose(): void }>(entry: BuilderEntry<C, H>, numRuns: number): Promise<void> {
  const fields = Object.keys(entry.fields);
  const oneBadField = fc.tuple(entry.valid, fc.constantFrom(...fields)).chain(([config, field]) =>
    entry.fields[field]!.map((bad) => [{ ...(config as object), [field]: bad }, `${entry.name}.${field}`] as [unknown, string]),
  );
  const unknownKey = fc.tuple(entry.valid, fc.constantFrom(...fields)).chain(([config, field]) =>
    typo(field).filter((t) => !(t in (config as object)) && !fields.includes(t)).map((t) => [{ ...(config as object), [t]: 1 }, `${entry.name}.${t}`] as [unknown, string]),
  );
  const notAnObject = fc.constantFrom<unknown>(null, 3, 'config', [], true).map((v) => [v, entry.name] as [unknown, string]);
  const cases = fc.oneof(
    { arbitrary: oneBadField, weight: 6 },
    { arbitrary: unknownKey, weight: 2 },
    { arbitrary: notAnObject, weight: 1 },
    ...(entry.rules ?? []).map(([arb, parameter]) => ({ arbitrary: arb.map((c) => [c, parameter] as [unknown, string]), weight: 2 })),
  );
  await fc.assert(
    fc.asyncProperty(cases, async ([config, parameter]) => {
      await expectNamedError(() => {
        const h = entry.build(config as C);
        h.dispose();
      }, parameter, config);
      count(entry.group ?? entry.name);
    }),
    params(numRuns),
  );
}

/** Invalid inputs to a built handle's methods: a named error, no leak. */
export async function checkInputs<C, H extends { dispose(): void }>(entry: BuilderEntry<C, H>, numRuns: number): Promise<void> {
  if (!entry.inputs) return;
  const config = fc.sample(entry.valid, { numRuns: 1, seed: 7 })[0]!;
  const handle = entry.build(structuredClone(config));
  try {
    await fc.assert(
      fc.asyncProperty(entry.inputs(config), async ([input, parameter]) => {
        await expectNamedError(() => (entry.call ? entry.call(handle, input) : (handle as unknown as { fit(x: unknown, o: object): unknown }).fit(input, { epochs: 1, verbose: 0 })), parameter, input);
        count(entry.group ?? entry.name);
      }),
      params(numRuns),
    );
  } finally {
    handle.dispose();
  }
}

/** A public function: valid calls succeed without leaking; invalid ones throw a named error. */
export async function checkFunction(entry: FunctionEntry, scale = 1): Promise<void> {
  const w = entry.weights ?? { valid: 60, invalid: 150 };
  entry.setup?.();
  if (entry.valid && entry.run) {
    await fc.assert(
      fc.asyncProperty(entry.valid, async (args) => {
        const before = tf.memory().numTensors;
        const out = await entry.run!(args);
        tf.dispose(out as tf.TensorContainer);
        expect(tf.memory().numTensors, describe(args)).toBe(before);
        count(entry.name);
      }),
      params(runs(w.valid * scale)),
    );
  }
  await fc.assert(
    fc.asyncProperty(entry.invalid, async ([args, parameter]) => {
      await expectNamedError(() => (entry.runInvalid ?? entry.run)!(args), parameter, args);
      count(entry.name);
    }),
    params(runs(w.invalid * scale)),
  );
}

/** Prints (and with FUZZ_REPORT, writes) the cases per builder and function and the error kinds reached. */
export function report(title: string): void {
  const cases = Object.fromEntries([...tally.cases].sort(([a], [b]) => a.localeCompare(b)));
  const errors = Object.fromEntries([...tally.errors].sort(([a], [b]) => a.localeCompare(b)));
  const lines = [`fuzz ${title}: ${Object.values(cases).reduce((a, b) => a + b, 0)} cases, ${tally.errors.size} distinct error kinds`];
  for (const [k, v] of Object.entries(cases)) lines.push(`  ${k}: ${v}`);
  console.log(lines.join('\n'));
  const file = process.env['FUZZ_REPORT'];
  if (file) writeFileSync(`${file}.${title.replace(/\W+/g, '-')}.json`, JSON.stringify({ cases, errors }, null, 1));
}
