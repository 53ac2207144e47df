/**
 * The options every model's `fit` shares (epochs, batches, validation split, callbacks, early stopping,
 * progress, seed): their interface, their fields for the options checker (each model's own `fit` schema
 * spreads {@link FIT_FIELDS} and adds its keys), and the loop settings resolved from them.
 * @module
 */
import { ConfigError } from '../core/errors.js';
import { field, is, isRecord, optionsSchema, type Resolved } from '../core/options.js';
import type { SeedStream } from '../core/seed.js';
import type { Callback } from './callbacks.js';
import { EARLY_STOPPING_OPTIONS, type EarlyStoppingOptions } from './earlyStopping.js';
import type { Verbosity } from './progress.js';

/**
 * Options of `fit`, shared by every model (each model's fit options add their own).
 * @category Training
 */
export interface FitOptions {
  /** Passes over the training data. Default 10. */
  epochs?: number;
  /** Examples per gradient step. Default 32. */
  batchSize?: number;
  /** Reshuffle the training examples before each epoch, from the run's seed. Default true. */
  shuffle?: boolean;
  /** Fraction in (0, 1) of the examples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  /** Callbacks; see {@link Callback}. */
  callbacks?: Callback | Callback[];
  /** Stop when a log stops improving: `true` for the defaults, or options. Default off. */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** 0 silent, 1 progress bar on a TTY (else a line per epoch), 2 a line per epoch. Default 1. */
  verbose?: Verbosity;
  /** Seed of this run's shuffling and noise. Default: drawn from the model's seed stream. */
  seed?: number;
}

/** The fields of {@link FitOptions}, for the options checker. */
export const FIT_FIELDS = {
  epochs: is.positiveInt().default(10),
  batchSize: is.positiveInt().default(32),
  shuffle: is.boolean().default(true),
  validationSplit: is.number({ min: 0, max: 1, minOpen: true, maxOpen: true }),
  callbacks: field((value, parameter): Callback[] => {
    const list: unknown[] = Array.isArray(value) ? value : [value];
    list.forEach((cb, i) => {
      if (!isRecord(cb)) throw new ConfigError(`${parameter}[${i}]`, cb, 'an object with hooks such as onEpochEnd');
    });
    return list as Callback[];
  }).default(() => []),
  earlyStopping: field((value, parameter): EarlyStoppingOptions | undefined => {
    if (value === true) return {};
    if (value === false) return undefined;
    return EARLY_STOPPING_OPTIONS.check(value, parameter);
  }),
  verbose: is.oneOf([0, 1, 2] as const).default(1),
  seed: is.seed(),
} as const;

/** {@link FitOptions} as the checker resolves them. */
export type ResolvedFitOptions = Resolved<typeof FIT_FIELDS>;

const FIT_OPTIONS = optionsSchema<FitOptions>()('fit', FIT_FIELDS);

/** Resolved loop settings; see {@link FitOptions}. */
export interface LoopSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  callbacks: Callback[];
  earlyStopping?: EarlyStoppingOptions;
  verbose: Verbosity;
  stream: SeedStream;
  /** Stops the run before its next step when aborted; the run rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Checks and fills in the loop options of `fit`. Keys that are not loop options (a model's own, such as
 * `optimizer` or `labels`) are left to the model's schema.
 */
export function loopSettings(options: FitOptions, stream: SeedStream): LoopSettings {
  const given = isRecord(options) ? Object.fromEntries(FIT_OPTIONS.keys.map((k) => [k, (options as Record<string, unknown>)[k]])) : options;
  const o = FIT_OPTIONS.check(given);
  return { epochs: o.epochs, batchSize: o.batchSize, shuffle: o.shuffle, callbacks: o.callbacks, earlyStopping: o.earlyStopping, verbose: o.verbose, stream };
}
