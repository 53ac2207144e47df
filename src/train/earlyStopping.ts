/**
 * Early stopping as a callback, with Keras's semantics and tfjs-layers' camelCase names.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors.js';
import { field, is, numberIn, optionsSchema } from '../core/options.js';
import type { Callback, Logs, TrainingControl } from './callbacks.js';

/**
 * Options of `fit`'s `earlyStopping` (and of the `EarlyStopping` callback in `latentkit/advanced`).
 * @category Training
 */
export interface EarlyStoppingOptions {
  /** The epoch log to watch. Default `'valLoss'` when there is validation data, else `'loss'`. */
  monitor?: string;
  /** Epochs without improvement before stopping. Default 0 (stop at the first epoch that does not improve). */
  patience?: number;
  /** Smallest change that counts as an improvement, >= 0. Default 0. */
  minDelta?: number;
  /** `'min'`, `'max'`, or `'auto'` (max for names containing `acc` or `elbo`, min otherwise). Default `'auto'`. */
  mode?: 'min' | 'max' | 'auto';
  /** At the end, put back the weights of the best epoch. Default false. */
  restoreBestWeights?: boolean;
}

/** The checker's fields of {@link EarlyStoppingOptions}. */
export const EARLY_STOPPING_OPTIONS = optionsSchema<EarlyStoppingOptions>()('earlyStopping', {
  monitor: field((v, p) => {
    if (typeof v !== 'string' || v === '') throw new ConfigError(p, v, 'the name of an epoch log, such as "valLoss"');
    return v;
  }),
  patience: field((v, p) => {
    const patience = numberIn(p, v, 0, Number.MAX_SAFE_INTEGER);
    if (!Number.isInteger(patience)) throw new ConfigError(p, v, 'a whole number of epochs');
    return patience;
  }).default(0),
  minDelta: is.number({ min: 0 }).default(0),
  mode: is.oneOf(['min', 'max', 'auto'] as const).default('auto'),
  restoreBestWeights: is.boolean().default(false),
});

/**
 * Stops training when a monitored log has stopped improving.
 * @category Training
 *
 * @example
 * ```ts
 * await ae.fit(x, { epochs: 100, validationSplit: 0.1,
 *   earlyStopping: { monitor: 'valLoss', patience: 5, restoreBestWeights: true } });
 * ```
 */
export class EarlyStopping implements Callback {
  readonly monitor: string;
  readonly patience: number;
  readonly minDelta: number;
  readonly mode: 'min' | 'max';
  readonly restoreBestWeights: boolean;
  /** 0-based epoch with the best monitored value so far (-1 before the first epoch). */
  bestEpoch = -1;
  /** The best monitored value so far. */
  best = Number.NaN;
  /** 0-based epoch at which it stopped training, or -1. */
  stoppedEpoch = -1;
  private wait = 0;
  private bestWeights: tf.Tensor[] | undefined;

  constructor(options: EarlyStoppingOptions & { monitor: string }) {
    const o = EARLY_STOPPING_OPTIONS.check(options);
    if (o.monitor === undefined) throw new ConfigError('earlyStopping.monitor', undefined, 'the name of an epoch log, such as "valLoss"');
    this.monitor = o.monitor;
    this.patience = o.patience;
    this.minDelta = o.minDelta;
    this.mode = o.mode === 'auto' ? (/acc|elbo/i.test(this.monitor) ? 'max' : 'min') : o.mode;
    this.restoreBestWeights = o.restoreBestWeights;
  }

  onTrainBegin(): void {
    this.wait = 0;
    this.bestEpoch = -1;
    this.best = Number.NaN;
    this.stoppedEpoch = -1;
    this.disposeBest();
  }

  onEpochEnd(epoch: number, logs: Logs, control: TrainingControl): void {
    const value = logs[this.monitor];
    if (value === undefined) {
      throw new ConfigError(
        'earlyStopping.monitor',
        this.monitor,
        `one of the epoch logs: ${Object.keys(logs).map((k) => `"${k}"`).join(', ')}`,
      );
    }
    const improved =
      this.bestEpoch < 0 ||
      (this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta);
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
      if (this.restoreBestWeights) {
        this.disposeBest();
        this.bestWeights = control.snapshotWeights();
      }
      return;
    }
    this.wait += 1;
    if (this.wait > this.patience) {
      this.stoppedEpoch = epoch;
      control.stop(
        `early stopping: ${this.monitor} did not improve for ${this.wait} epoch${this.wait === 1 ? '' : 's'} ` +
          `(best ${this.best.toPrecision(5)} at epoch ${this.bestEpoch + 1})`,
      );
    }
  }

  onTrainEnd(_logs: Logs, control: TrainingControl): void {
    if (this.restoreBestWeights && this.bestWeights) control.restoreWeights(this.bestWeights);
    this.disposeBest();
  }

  /** Frees the best-weights snapshot if one is held (the loop calls it, also when training fails). */
  dispose(): void {
    this.disposeBest();
  }

  private disposeBest(): void {
    if (this.bestWeights) for (const w of this.bestWeights) w.dispose();
    this.bestWeights = undefined;
  }
}
