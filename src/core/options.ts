/**
 * The one options checker. Every public function that takes a config or options object declares its
 * keys once, as an {@link OptionsSchema} of {@link Field}s (type, range, enumeration, default), plus its
 * cross-field rules; `schema.check(value)` then returns the resolved options or throws a
 * {@link ConfigError} naming the parameter (`fit.earlyStopping.patience`), the value and what was
 * expected. An unknown key is an error that names the nearest valid key:
 * `latentkit: fit.epoch = 3: unknown option; did you mean \`epochs\`?`.
 *
 * @example
 * ```ts
 * interface BlurOptions { radius?: number; mode?: 'box' | 'gauss' }
 * const BLUR = optionsSchema<BlurOptions>()('blur', {
 *   radius: is.number({ min: 0 }).default(1),
 *   mode: is.oneOf(['box', 'gauss'] as const).default('box'),
 * });
 * const { radius, mode } = BLUR.check(userOptions); // radius: number, mode: 'box' | 'gauss'
 * ```
 * @module
 */
import { ConfigError, describeValue } from './errors.js';
import { assertSeed } from './seed.js';

// ---------------------------------------------------------------------------------------------------
// Single values. Each returns the value (typed) or throws a ConfigError naming `parameter`.

/** A positive integer (>= 1). */
export function positiveInt(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(parameter, value, 'a positive integer');
  }
  return value;
}

/** A whole number >= 0. */
export function nonNegativeInt(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ConfigError(parameter, value, 'a whole number >= 0');
  return value;
}

/** Bounds of {@link numberIn}: inclusive unless `minOpen`/`maxOpen`. */
export interface NumberRange {
  min?: number;
  max?: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

/** A finite number within `[min, max]` (open ends as asked; defaults -Infinity and Infinity). */
export function numberIn(parameter: string, value: unknown, min = -Infinity, max = Infinity, opts: Omit<NumberRange, 'min' | 'max'> = {}): number {
  const lowOk = typeof value === 'number' && (opts.minOpen ? value > min : value >= min);
  const highOk = typeof value === 'number' && (opts.maxOpen ? value < max : value <= max);
  if (typeof value !== 'number' || !Number.isFinite(value) || !lowOk || !highOk) {
    const range = `${opts.minOpen ? '(' : '['}${min}, ${max}${opts.maxOpen ? ')' : ']'}`;
    throw new ConfigError(parameter, value, `a finite number in ${range}`);
  }
  return value;
}

/** One of a fixed set of values. */
export function oneOf<T extends string | number>(parameter: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new ConfigError(parameter, value, `one of ${allowed.map((a) => (typeof a === 'string' ? `"${a}"` : String(a))).join(', ')}`);
  }
  return value as T;
}

/** An array of positive integers (possibly empty), copied. */
export function positiveIntArray(parameter: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new ConfigError(parameter, value, 'an array of positive integers');
  value.forEach((v, i) => positiveInt(`${parameter}[${i}]`, v));
  return [...(value as number[])];
}

/** `true` or `false`. */
export function boolean(parameter: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(parameter, value, 'true or false');
  return value;
}

/**
 * The most values latentkit generates in one call (samples, points, grids, pixels): 100 million, 400 MB of
 * float32. A count beyond it is almost always a typo, and would allocate for minutes before failing.
 * @category Models
 */
export const MAX_GENERATED_VALUES = 100_000_000;

/**
 * Throws when `count` items of `perItem` values each would exceed {@link MAX_GENERATED_VALUES}.
 * @throws ConfigError naming `parameter`, with the largest count that fits.
 */
export function checkGeneratedSize(parameter: string, count: number, perItem = 1): void {
  if (count * perItem <= MAX_GENERATED_VALUES) return;
  const most = Math.max(1, Math.floor(MAX_GENERATED_VALUES / perItem));
  throw new ConfigError(parameter, count, `at most ${most}${perItem > 1 ? ` (${perItem} values each)` : ''}: latentkit makes at most ${MAX_GENERATED_VALUES} values in one call`);
}

// ---------------------------------------------------------------------------------------------------
// Fields: a rule for one key of an options object.

/**
 * The rule for one option: how a given value is checked, and the value used when it is absent.
 * `D` is true once the field has a default (the resolved options then always hold it).
 */
export interface Field<T, D extends boolean = false> {
  /** Checks a given value (never `undefined`), returning it as the resolved options hold it. */
  check(value: unknown, parameter: string): T;
  /** The value of an absent option, if the field has a default. */
  readonly fallback: (() => T) | undefined;
  /** True when an absent option is an error (its `check` is called with `undefined` to say so). */
  readonly isRequired: boolean;
  /** This field with a default for an absent option (a value, or a function computing it). */
  default(value: T | (() => T)): Field<T, true>;
  /** This field, required: an absent option is reported by `check(undefined, parameter)`. */
  required(): Field<T, true>;
}

class FieldRule<T, D extends boolean> implements Field<T, D> {
  constructor(
    readonly check: (value: unknown, parameter: string) => T,
    readonly fallback: (() => T) | undefined = undefined,
    readonly isRequired = false,
  ) {}

  default(value: T | (() => T)): Field<T, true> {
    const fallback = typeof value === 'function' ? (value as () => T) : () => value;
    return new FieldRule<T, true>(this.check, fallback);
  }

  required(): Field<T, true> {
    return new FieldRule<T, true>(this.check, undefined, true);
  }
}

/** A field from a check function. */
export function field<T>(check: (value: unknown, parameter: string) => T): Field<T> {
  return new FieldRule<T, false>(check);
}

/** Field constructors for the usual kinds of option. */
export const is = {
  positiveInt: (): Field<number> => field((v, p) => positiveInt(p, v)),
  /** A positive integer of at least `min`; a smaller one is refused with `expected` (why the minimum). */
  intAtLeast: (min: number, expected: string): Field<number> =>
    field((v, p) => {
      const n = positiveInt(p, v);
      if (n < min) throw new ConfigError(p, n, expected);
      return n;
    }),
  nonNegativeInt: (): Field<number> => field((v, p) => nonNegativeInt(p, v)),
  number: (range: NumberRange = {}): Field<number> => field((v, p) => numberIn(p, v, range.min, range.max, range)),
  oneOf: <T extends string | number>(allowed: readonly T[]): Field<T> => field((v, p) => oneOf(p, v, allowed)),
  positiveIntArray: (): Field<number[]> => field((v, p) => positiveIntArray(p, v)),
  boolean: (): Field<boolean> => field((v, p) => boolean(p, v)),
  /** An integer seed in [0, 2^32). */
  seed: (): Field<number> =>
    field((v, p) => {
      assertSeed(v, p);
      return v;
    }),
  /** A function, described in errors as `expected`. */
  func: <F extends (...args: never[]) => unknown>(expected: string): Field<F> =>
    field((v, p) => {
      if (typeof v !== 'function') throw new ConfigError(p, v, expected);
      return v as F;
    }),
  /** Anything: the function that takes the option checks it itself (data, tensors, handlers). */
  any: <T = unknown>(): Field<T> => field((v) => v as T),
  /** A nested options object with its own schema. */
  object: <O>(schema: OptionsSchema<O>): Field<O> => field((v, p) => schema.check(v, p)),
  /**
   * A feature switched off (`false`), on with its defaults (`true`), or on with options checked by `schema`;
   * resolved to `false` or the options.
   */
  switchable: <O>(schema: OptionsSchema<O>): Field<false | O> =>
    field((v, p) => {
      if (v === false) return false;
      if (v === true) return schema.check({}, p);
      if (!isRecord(v)) throw new ConfigError(p, v, `true, false or { ${schema.keys.join(', ')} }`);
      return schema.check(v, p);
    }),
};

// ---------------------------------------------------------------------------------------------------
// Schemas: the fields of one options type, unknown keys, cross-field rules.

/** The resolved options of a schema's fields: defaulted keys always present, the others optional. */
export type Resolved<S> = {
  -readonly [K in keyof S as S[K] extends Field<unknown, true> ? K : never]: S[K] extends Field<infer T, true> ? T : never;
} & {
  -readonly [K in keyof S as S[K] extends Field<unknown, true> ? never : K]?: S[K] extends Field<infer T, boolean> ? T : never;
};

/** What else a schema says besides its fields. */
export interface SchemaExtras<O> {
  /** Cross-field rules, run on the resolved options (and the raw object) after every field passed. */
  rules?: ReadonlyArray<(options: O, raw: Readonly<Record<string, unknown>>, parameter: string) => void>;
  /** Keys that belong to a sibling variant, with why they are refused here (`"to be left out with ..."`). */
  elsewhere?: Readonly<Record<string, string>>;
  /** Keys renamed in this version: old name -> new name. */
  renamed?: Readonly<Record<string, string>>;
  /** What to expect when the value is not an object. Default `'an options object'`. */
  expected?: string;
  /** Treat `null` like an absent key (for options that come from JSON). Default false. */
  nullIsAbsent?: boolean;
}

/** The fields and rules of one options type; see the module notes. */
export class OptionsSchema<O> {
  constructor(
    /** The name the parameters are reported under (`fit`, `VAE`, `loadMnist`). */
    readonly name: string,
    readonly fields: Readonly<Record<string, Field<unknown, boolean>>>,
    readonly extras: SchemaExtras<O> = {},
  ) {}

  /** The valid keys, in declaration order. */
  get keys(): string[] {
    return Object.keys(this.fields);
  }

  /**
   * Checks `value` (absent: every default) and returns the resolved options: a new object with each
   * given or defaulted key. Throws a {@link ConfigError} naming `<parameter>.<key>`.
   */
  check(value: unknown, parameter = this.name): O {
    if (value === undefined) value = {};
    if (!isRecord(value) || !isPlainObject(value)) throw new ConfigError(parameter, value, this.extras.expected ?? 'an options object');
    for (const key of Object.keys(value)) {
      if (!(key in this.fields)) throw this.unknownKey(key, value[key], parameter);
    }
    const out: Record<string, unknown> = {};
    for (const [key, rule] of Object.entries(this.fields)) {
      const given = value[key];
      const absent = given === undefined || (given === null && this.extras.nullIsAbsent === true);
      if (!absent) out[key] = rule.check(given, `${parameter}.${key}`);
      else if (rule.fallback) out[key] = rule.fallback();
      else if (rule.isRequired) out[key] = rule.check(undefined, `${parameter}.${key}`);
    }
    for (const rule of this.extras.rules ?? []) rule(out as O, value, parameter);
    return out as O;
  }

  private unknownKey(key: string, value: unknown, parameter: string): ConfigError {
    const at = `${parameter}.${key}`;
    const renamed = this.extras.renamed?.[key];
    if (renamed !== undefined) {
      return new ConfigError(at, value, '', `latentkit: ${at} = ${describeValue(value)}: expected \`${renamed}\` instead (the option was renamed).`);
    }
    const elsewhere = this.extras.elsewhere?.[key];
    if (elsewhere !== undefined) return new ConfigError(at, value, elsewhere);
    const guess = nearest(key, this.keys);
    const hint = guess === undefined ? '' : ` did you mean \`${guess}\`?`;
    return new ConfigError(at, value, '', `latentkit: ${at} = ${describeValue(value)}: unknown option;${hint} The options of ${parameter} are ${this.keys.join(', ')}.`);
  }
}

/** The type of an options schema's fields for interface `I`: one field per key of `I`, none other. */
export type FieldsOf<I> = { readonly [K in keyof Required<I>]-?: Field<unknown, boolean> };

/**
 * Declares the schema of options interface `I`: one field per key of `I` (the compiler checks that no key
 * is missing or extra). Curried so that `I` is explicit while the fields' own types are inferred.
 *
 * @example
 * ```ts
 * const SAMPLE = optionsSchema<VAESampleOptions>()('sample', { seed: is.seed() });
 * ```
 */
export function optionsSchema<I extends object>() {
  return <S extends FieldsOf<I>>(
    name: string,
    fields: S & Record<Exclude<keyof S, keyof I>, never>,
    extras?: SchemaExtras<Resolved<S>>,
  ): OptionsSchema<Resolved<S>> => new OptionsSchema<Resolved<S>>(name, fields, extras);
}

/** A rule: at most one of `keys` may be given. */
export function exclusive<O>(...keys: string[]): (options: O, raw: Readonly<Record<string, unknown>>, parameter: string) => void {
  return (_options, raw, parameter) => {
    const given = keys.filter((k) => raw[k] !== undefined);
    if (given.length > 1) {
      throw new ConfigError(`${parameter}.${given[1]}`, raw[given[1]!], `to be left out when ${given[0]} is given`);
    }
  };
}

// ---------------------------------------------------------------------------------------------------
// Did you mean.

/** Edit distance with transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[s.length]![t.length]!;
}

/**
 * The candidate nearest to `word`, if one is near enough to be a likely typo: within a third of the
 * word's length in edits (at least 1, at most 3), or containing it or contained in it.
 *
 * @example
 * ```ts
 * nearest('patinece', ['patience', 'minDelta']); // 'patience'
 * ```
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const distance = editDistance(word, c);
    if (distance < bestDistance) [best, bestDistance] = [c, distance];
  }
  if (best === undefined) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  if (bestDistance <= limit) return best;
  const w = word.toLowerCase();
  return candidates.find((c) => w.length >= 3 && (c.toLowerCase().includes(w) || w.includes(c.toLowerCase())));
}

// ---------------------------------------------------------------------------------------------------
// Plain data.

/** True for an object literal (or `Object.create(null)`) of any realm; false for class instances such as a tensor. */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A type whose every nested property and array is read-only.
 * @category Models
 */
export type DeepReadonly<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer E)[]
    ? readonly DeepReadonly<E>[]
    : T extends object
      ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
      : T;

/** Freezes `value` and everything it holds (plain objects and arrays), and returns it. */
export function deepFreeze<T>(value: T): DeepReadonly<T> {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value as DeepReadonly<T>;
}
