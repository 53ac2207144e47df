/**
 * The plumbing every model's `fit` shares: turning the user's data into validated tensors, holding out
 * validation examples, running the loop with the model's task, and freeing everything made on the way.
 * A model brings only its {@link TrainingTask}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors.js';
import { SeedStream, resolveSeed } from '../core/seed.js';
import { assertWithin, toExamples, release, type DataInput, type OwnedTensor, type ValueBounds } from '../data/input.js';
import { loopSettings, type FitOptions } from './fitOptions.js';
import { runTraining, splitForValidation, type History } from './loop.js';
import type { TrainingTask } from './task.js';

/** One aligned array of a training set: the examples (`x`), a target, labels... */
export interface FitArray {
  /** Name used in errors (`x`, `fit.target`, `fit.labels`). */
  parameter: string;
  /** The user's data. */
  data: DataInput;
  /** Shape of one example, without the batch axis (`[]` for scalar labels). */
  exampleShape: readonly number[];
  /** The range the values must be in (a Bernoulli likelihood's targets in [0, 1]), if any. */
  within?: ValueBounds;
}

/** Converts aligned arrays to checked tensors (recorded in `owned` for release) with equal example counts. */
function toAligned(arrays: FitArray[], owned: OwnedTensor[]): tf.Tensor[] {
  const tensors = arrays.map((a) => {
    const o = toExamples(a.data, a.parameter, a.exampleShape);
    owned.push(o);
    if (a.within) assertWithin(o.tensor, a.parameter, a.within);
    return o.tensor;
  });
  const n = tensors[0]!.shape[0]!;
  tensors.forEach((t, i) => {
    if (t.shape[0] !== n) throw new ConfigError(arrays[i]!.parameter, t, `${n} examples, as many as ${arrays[0]!.parameter}`);
  });
  return tensors;
}

/**
 * Trains `makeTask(...)` on aligned `arrays` with the loop options of `options`.
 *
 * @param arrays - the training arrays; all must have the same number of examples.
 * @param validationArrays - held-out arrays in the same order, or undefined (then `validationSplit`
 *   applies, if given).
 * @param options - loop options (other keys are ignored: the model's own schema checked them); `seed`
 *   overrides `defaultSeed`.
 * @param defaultSeed - the run's seed when `options.seed` is not given (models draw it from their stream).
 * @param makeTask - builds the model's task; called once the data is checked.
 * @param signal - stops the run before its next step when aborted (the run rejects with the signal's reason).
 * @example
 * ```ts
 * return fitArrays([{ parameter: 'x', data: x, exampleShape: this.inputShape }], undefined, options,
 *   this.stream.nextSeed(), () => new MyTask(this, optimizer));
 * ```
 */
export async function fitArrays(
  arrays: FitArray[],
  validationArrays: FitArray[] | undefined,
  options: FitOptions,
  defaultSeed: number,
  makeTask: () => TrainingTask,
  signal?: AbortSignal,
): Promise<History> {
  if (options.validationSplit !== undefined && validationArrays !== undefined) {
    throw new ConfigError('fit.validationSplit', options.validationSplit, 'to be left out when validationData is given');
  }
  const seed = options.seed === undefined ? defaultSeed : resolveSeed(options.seed, 'fit.seed');
  const settings = { ...loopSettings(options, new SeedStream(seed)), ...(signal ? { signal } : {}) };
  const owned: OwnedTensor[] = [];
  const made: tf.Tensor[] = [];
  let task: TrainingTask | undefined;
  try {
    const data = toAligned(arrays, owned);
    let train = data;
    let validation: tf.Tensor[] | undefined;
    if (options.validationSplit !== undefined) {
      const split = splitForValidation(data, options.validationSplit);
      made.push(...split.train, ...split.validation);
      train = split.train;
      validation = split.validation;
    } else if (validationArrays) {
      validation = toAligned(validationArrays, owned);
    }
    task = makeTask();
    return await runTraining(task, train, validation, settings);
  } finally {
    task?.dispose?.();
    owned.forEach(release);
    tf.dispose(made);
  }
}
