/**
 * latentkit's one training loop. Each model supplies a {@link TrainingTask} (its own `trainStep`, as a
 * Keras model overrides `train_step`); the loop owns everything else: seeded shuffling, batching,
 * validation, callbacks, early stopping, progress, the history, the NaN guard and tensor hygiene.
 *
 * It is not tfjs-layers' `model.fit`: that throws on activity regularizers (tfjs issue 8022), shuffles
 * with `Math.random`, and has no place for VAE or GAN steps.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureTrainingKernels } from '../backend/kernels.js';
import { ConfigError, TrainingError } from '../errors.js';
import type { SeedStream } from '../random/seed.js';
import { numberIn, positiveInt } from '../validate.js';
import type { Callback, Logs, TrainingControl } from './callbacks.js';
import { BatchSource } from './batches.js';
import { EarlyStopping, type EarlyStoppingOptions } from './earlyStopping.js';
import { ProgressLogger, type Verbosity } from './progress.js';

/** Scalars returned by a step; the loop reads and disposes them. */
export type StepLogs = Record<string, tf.Scalar>;

/** What a step knows about where it is. Epochs and batches are 0-based. */
export interface StepContext {
  epoch: number;
  batch: number;
  epochs: number;
  /** A fresh seed for this step's random draws (noise, sampling), from the run's seed stream. */
  seed: number;
}

/**
 * One model's way of training: what a step does and what an evaluation computes.
 * Both are called inside `tf.tidy`; they return scalar logs, one of which must be `loss`.
 */
export interface TrainingTask {
  /** Computes the loss on `batch`, applies the gradients, returns the logs. */
  trainStep(batch: tf.Tensor[], ctx: StepContext): StepLogs;
  /** Computes the same logs on `batch` without changing any weight (used for validation). */
  evalStep(batch: tf.Tensor[], ctx: StepContext): StepLogs;
  /** Every variable the task changes (snapshotted by early stopping's `restoreBestWeights`). */
  variables(): tf.Variable[];
}

/** Options of `fit`, shared by every model. */
export interface FitOptions {
  /** Passes over the training data. Default 10. */
  epochs?: number;
  /** Examples per gradient step. Default 32. */
  batchSize?: number;
  /** Reshuffle the training examples before each epoch, from the run's seed. Default true. */
  shuffle?: boolean;
  /** Fraction in (0, 1) of the examples, taken from the end before shuffling (as Keras), held out for validation. */
  validationSplit?: number;
  /** Held-out examples to validate on after each epoch (exclusive with `validationSplit`). */
  validationData?: unknown;
  /** Callbacks; see {@link Callback}. */
  callbacks?: Callback | Callback[];
  /** Stop when a log stops improving: `true` for the defaults, or options. Default off. */
  earlyStopping?: boolean | EarlyStoppingOptions;
  /** 0 silent, 1 progress bar on a TTY (else a line per epoch), 2 a line per epoch. Default 1. */
  verbose?: Verbosity;
  /** Seed of this run's shuffling and noise. Default: drawn from the model's seed stream. */
  seed?: number;
}

/** Per-epoch logs: `epoch` (0-based indices) and one series per log (`loss`, `valLoss`, `kl`...). */
export interface History {
  epoch: number[];
  [log: string]: number[];
}

/** Resolved loop settings; see {@link FitOptions}. */
export interface LoopSettings {
  epochs: number;
  batchSize: number;
  shuffle: boolean;
  callbacks: Callback[];
  earlyStopping?: EarlyStoppingOptions;
  verbose: Verbosity;
  stream: SeedStream;
}

/** Checks and fills in the loop options of `fit`. */
export function loopSettings(options: FitOptions, stream: SeedStream): LoopSettings {
  const epochs = positiveInt('fit.epochs', options.epochs ?? 10);
  const batchSize = positiveInt('fit.batchSize', options.batchSize ?? 32);
  const verbose = options.verbose ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) throw new ConfigError('fit.verbose', verbose, '0, 1 or 2');
  if (options.validationSplit !== undefined && options.validationData !== undefined) {
    throw new ConfigError('fit.validationSplit', options.validationSplit, 'to be left out when validationData is given');
  }
  const cbs = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  cbs.forEach((cb, i) => {
    if (typeof cb !== 'object' || cb === null) throw new ConfigError(`fit.callbacks[${i}]`, cb, 'an object with hooks such as onEpochEnd');
  });
  const es = options.earlyStopping === true ? {} : options.earlyStopping === false ? undefined : options.earlyStopping;
  return { epochs, batchSize, shuffle: options.shuffle ?? true, callbacks: cbs, earlyStopping: es, verbose, stream };
}

/**
 * Splits aligned arrays into training and validation parts: the last `fraction` of the examples is held
 * out (before any shuffling, as Keras does). Returns new tensors; the inputs are left alone.
 */
export function splitForValidation(data: tf.Tensor[], fraction: number): { train: tf.Tensor[]; validation: tf.Tensor[] } {
  numberIn('fit.validationSplit', fraction, 0, 1, { minOpen: true, maxOpen: true });
  const n = data[0]!.shape[0]!;
  const nVal = Math.floor(n * fraction);
  if (nVal < 1 || nVal >= n) {
    throw new ConfigError('fit.validationSplit', fraction, `a fraction leaving at least one example on each side of ${n}`);
  }
  const nTrain = n - nVal;
  return {
    train: data.map((t) => tf.slice(t, 0, nTrain)),
    validation: data.map((t) => tf.slice(t, nTrain, nVal)),
  };
}

/** Reads step logs with one sync, and disposes them. */
function readLogs(logs: StepLogs): Logs {
  const keys = Object.keys(logs);
  const values = tf.tidy(() => tf.stack(keys.map((k) => tf.reshape(logs[k]!, []))).dataSync());
  tf.dispose(logs);
  const out: Logs = {};
  keys.forEach((k, i) => (out[k] = values[i]!));
  return out;
}

function accumulate(sums: Logs, logs: Logs, weight: number): void {
  for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + v * weight;
}

function averaged(sums: Logs, total: number, prefix = ''): Logs {
  const out: Logs = {};
  for (const [k, v] of Object.entries(sums)) {
    out[prefix ? prefix + k[0]!.toUpperCase() + k.slice(1) : k] = v / total;
  }
  return out;
}

/**
 * Evaluates `task.evalStep` over all of `data` (aligned arrays, or a {@link BatchSource} made once and
 * reused across epochs), averaging each log over the examples.
 */
export function evaluateTask(task: TrainingTask, data: tf.Tensor[] | BatchSource, batchSize: number, seed: number, epoch = 0): Logs {
  const source = data instanceof BatchSource ? data : new BatchSource(data);
  const n = source.size;
  const sums: Logs = {};
  for (let start = 0, b = 0; start < n; start += batchSize, b++) {
    const size = Math.min(batchSize, n - start);
    const logs = readLogs(
      tf.tidy(() => task.evalStep(source.take(null, start, size), { epoch, batch: b, epochs: 1, seed: seed + b })),
    );
    accumulate(sums, logs, size);
  }
  return averaged(sums, n);
}

function makeControl(task: TrainingTask, epochs: number, batchesPerEpoch: number) {
  const state = { stop: false, reason: undefined as string | undefined };
  const control: TrainingControl = {
    stop(reason?: string) {
      state.stop = true;
      state.reason ??= reason ?? 'stopped by a callback';
    },
    get stopRequested() {
      return state.stop;
    },
    get stopReason() {
      return state.reason;
    },
    snapshotWeights: () => task.variables().map((v) => tf.clone(v)),
    restoreWeights(weights: tf.Tensor[]) {
      const vars = task.variables();
      if (weights.length !== vars.length) {
        throw new ConfigError('restoreWeights(weights)', `${weights.length} tensors`, `${vars.length}, one per variable`);
      }
      vars.forEach((v, i) => v.assign(weights[i]!));
    },
    epochs,
    batchesPerEpoch,
  };
  return control;
}

function checkFinite(logs: Logs, epoch: number, batch: number, batches: number): void {
  for (const [k, v] of Object.entries(logs)) {
    if (!Number.isFinite(v)) {
      throw new TrainingError(
        `latentkit: training stopped: ${k} is ${v} at epoch ${epoch + 1}, batch ${batch + 1} of ${batches}. ` +
          'Lower the learning rate, scale the inputs to a small range, or check them for extreme values.',
        epoch + 1,
        batch + 1,
      );
    }
  }
}

/**
 * Runs a training task over aligned arrays (`train[i]` all have the same first dimension).
 * Never disposes `train` or `validation`: they stay the caller's.
 *
 * @returns the per-epoch history.
 * @throws TrainingError when a log becomes NaN or infinite, naming the epoch and batch.
 * @example
 * ```ts
 * const history = await runTraining(task, [x], undefined, loopSettings({ epochs: 5 }, new SeedStream(1)));
 * ```
 */
export async function runTraining(
  task: TrainingTask,
  train: tf.Tensor[],
  validation: tf.Tensor[] | undefined,
  settings: LoopSettings,
): Promise<History> {
  // latentkit's kernel corrections for the active backend, however it was chosen (tf.setBackend too).
  ensureTrainingKernels();

  const source = new BatchSource(train);
  const n = source.size;
  const { epochs, batchSize, stream } = settings;
  const batches = Math.ceil(n / batchSize);
  const callbacks: Callback[] = [...settings.callbacks];
  if (settings.earlyStopping) {
    const monitor = settings.earlyStopping.monitor ?? (validation ? 'valLoss' : 'loss');
    callbacks.push(new EarlyStopping({ ...settings.earlyStopping, monitor }));
  }
  // The logger goes last so that it reports what other callbacks decided (an early stop, say).
  if (settings.verbose > 0) callbacks.push(new ProgressLogger(settings.verbose));
  const control = makeControl(task, epochs, batches);
  const history: History = { epoch: [] };
  const call = async (hook: (cb: Callback) => void | Promise<void>) => {
    for (const cb of callbacks) await hook(cb);
  };

  // One seed for every validation pass, so that noisy validation is comparable from epoch to epoch.
  const validationSeed = stream.nextSeed();
  // Read once per run: on wasm a BatchSource copies its arrays to the host.
  const validationSource = validation ? new BatchSource(validation) : undefined;
  try {
    await call((cb) => cb.onTrainBegin?.({}, control));
    for (let epoch = 0; epoch < epochs && !control.stopRequested; epoch++) {
      await call((cb) => cb.onEpochBegin?.(epoch, {}, control));
      const order = settings.shuffle ? stream.permutation(n) : null;
      const sums: Logs = {};
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, n - start);
        const ctx: StepContext = { epoch, batch: b, epochs, seed: stream.nextSeed() };
        if (callbacks.some((cb) => cb.onBatchBegin)) await call((cb) => cb.onBatchBegin?.(b, { size }, control));
        const logs = readLogs(tf.tidy(() => task.trainStep(source.take(order, start, size), ctx)));
        checkFinite(logs, epoch, b, batches);
        accumulate(sums, logs, size);
        seen += size;
        await call((cb) => cb.onBatchEnd?.(b, { ...logs, size }, control));
        if (control.stopRequested) break;
      }
      const epochLogs = averaged(sums, seen);
      if (validationSource) {
        const valLogs = evaluateTask(task, validationSource, Math.max(batchSize, 128), validationSeed, epoch);
        for (const [k, v] of Object.entries(valLogs)) epochLogs[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = v;
      }
      history.epoch.push(epoch);
      for (const [k, v] of Object.entries(epochLogs)) (history[k] ??= []).push(v);
      await call((cb) => cb.onEpochEnd?.(epoch, epochLogs, control));
      // Let timers, progress output and (in a browser) the page breathe between epochs.
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
    const last: Logs = {};
    for (const [k, v] of Object.entries(history)) if (k !== 'epoch' && v.length) last[k] = v[v.length - 1]!;
    await call((cb) => cb.onTrainEnd?.(last, control));
  } finally {
    for (const cb of callbacks) cb.dispose?.();
  }
  return history;
}
