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
import { ConfigError, TrainingError } from '../core/errors.js';
import { numberIn } from '../core/options.js';
import type { Callback, Logs, TrainingControl } from './callbacks.js';
import { BatchSource } from './batches.js';
import { EarlyStopping } from './earlyStopping.js';
import { NonFiniteStepError } from './gradientStep.js';
import type { LoopSettings } from './fitOptions.js';
import { ProgressLogger } from './progress.js';
import type { StepContext, StepLogs, TrainingTask } from './task.js';

/**
 * Per-epoch logs as the loop records them: `epoch` (0-based indices) and one series per log (`loss`,
 * `valLoss`, `kl`...). Each model's `fit` declares its own keys (`AutoencoderHistory`, `VAEHistory`,
 * `GANHistory`).
 */
export interface History {
  epoch: number[];
  [log: string]: number[];
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

/** Adds a step's logs, weighted by its examples (a `summed` log counts once per step). */
function accumulate(sums: Logs, logs: Logs, weight: number, summed: readonly string[] = []): void {
  for (const [k, v] of Object.entries(logs)) sums[k] = (sums[k] ?? 0) + (summed.includes(k) ? v : v * weight);
}

/** The epoch's logs: averages over `total` examples, and the `summed` logs as they are. */
function averaged(sums: Logs, total: number, summed: readonly string[] = []): Logs {
  const out: Logs = {};
  for (const [k, v] of Object.entries(sums)) out[k] = summed.includes(k) ? v : v / total;
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

const ADVICE = 'Lower the learning rate, scale the inputs to a small range, or check them for extreme values.';

function checkFinite(logs: Logs, epoch: number, batch: number, batches: number): void {
  for (const [k, v] of Object.entries(logs)) {
    if (!Number.isFinite(v)) {
      throw new TrainingError(`latentkit: training stopped: ${k} is ${v} at epoch ${epoch + 1}, batch ${batch + 1} of ${batches}. ${ADVICE}`, epoch + 1, batch + 1);
    }
  }
}

/**
 * Runs one training step; a step refused by `gradientStep` becomes a TrainingError naming the epoch and batch.
 * The task's non-trainable variables (a BatchNormalization's moving mean and variance, which its forward pass
 * in training writes before any check) are put back as they were before the batch when a step is refused:
 * a NaN batch leaves no NaN statistics behind. (Their snapshot shares the variables' data: no copy.)
 */
function trainStep(task: TrainingTask, batch: tf.Tensor[], ctx: StepContext, batches: number): Logs {
  const state = task.variables().filter((v) => !v.trainable);
  const before = state.map((v) => tf.clone(v));
  try {
    return readLogs(tf.tidy(() => task.trainStep(batch, ctx)));
  } catch (e) {
    if (!(e instanceof NonFiniteStepError)) throw e;
    state.forEach((v, i) => v.assign(before[i]!));
    const error = new TrainingError(
      `latentkit: training stopped: ${e.what} at epoch ${ctx.epoch + 1}, batch ${ctx.batch + 1} of ${batches}; ` +
        `that step was not applied, so the weights and the optimizer's state are those before it. ${ADVICE}`,
      ctx.epoch + 1,
      ctx.batch + 1,
    );
    (error as { cause?: unknown }).cause = e;
    throw error;
  } finally {
    tf.dispose(batch);
    tf.dispose(before);
  }
}

/** The log early stopping watches: the one asked for, else the task's default (`val`-prefixed with validation data). */
function monitorOf(task: TrainingTask, settings: LoopSettings, validation: boolean): string {
  const asked = settings.earlyStopping?.monitor;
  if (asked !== undefined) return asked;
  const own = task.defaultMonitor === undefined ? 'loss' : task.defaultMonitor;
  if (own === null) {
    throw new ConfigError(
      'fit.earlyStopping',
      settings.earlyStopping,
      "options with a monitor: this model has no single loss to watch; name one of the logs of its history, with 'val' before it for validation logs",
    );
  }
  return validation ? `val${own[0]!.toUpperCase()}${own.slice(1)}` : own;
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
  if (settings.earlyStopping) callbacks.push(new EarlyStopping({ ...settings.earlyStopping, monitor: monitorOf(task, settings, validation !== undefined) }));
  // The logger goes last so that it reports what other callbacks decided (an early stop, say).
  if (settings.verbose > 0) callbacks.push(new ProgressLogger(settings.verbose, undefined, task.summedLogs));
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
      settings.signal?.throwIfAborted();
      await call((cb) => cb.onEpochBegin?.(epoch, {}, control));
      const order = settings.shuffle ? stream.permutation(n) : null;
      const sums: Logs = {};
      let seen = 0;
      for (let b = 0; b < batches; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, n - start);
        const ctx: StepContext = { epoch, batch: b, epochs, seed: stream.nextSeed() };
        if (callbacks.some((cb) => cb.onBatchBegin)) await call((cb) => cb.onBatchBegin?.(b, { size }, control));
        settings.signal?.throwIfAborted();
        const logs = trainStep(task, source.take(order, start, size), ctx, batches);
        checkFinite(logs, epoch, b, batches);
        accumulate(sums, logs, size, task.summedLogs);
        seen += size;
        await call((cb) => cb.onBatchEnd?.(b, { ...logs, size }, control));
        if (control.stopRequested) break;
      }
      const epochLogs = averaged(sums, seen, task.summedLogs);
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
