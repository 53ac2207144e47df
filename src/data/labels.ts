/**
 * Class labels as latentkit's classifiers and probes take them: integer class ids (`[N]`, or `[N, 1]` as
 * Keras's sparse labels) or one-hot rows (`[N, K]`, or any rows of class probabilities), checked for type,
 * range and count, and turned into float32 one-hot rows built on the host, as `oneHot` (data/images.ts)
 * builds them (the wasm backend ignores `tf.oneHot`'s dtype argument and returns the int32 bit pattern,
 * 1.4e-45 for 1).
 *
 * @example
 * ```ts
 * const y = oneHot([2, 0, 1], 3);                          // [[0, 0, 1], [1, 0, 0], [0, 1, 0]] float32
 * const { ids, oneHot: rows } = classLabels(y, 'y', { numClasses: 3 });
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError } from '../core/errors.js';
import type { DataInput } from './input.js';

/** Tolerance on the sum of a one-hot or probability row. */
const ROW_SUM_TOLERANCE = 1e-3;

/**
 * Labels checked by {@link classLabels}.
 */
export interface ClassLabels {
  /** The class of each example (the largest entry of a one-hot or probability row). */
  ids: Int32Array;
  /** float32 rows `[N, numClasses]`: one-hot for ids, as given for rows. A new tensor the caller disposes. */
  oneHot: tf.Tensor2D;
  /** The number of classes (given, or inferred from ids as the largest + 1). */
  numClasses: number;
}

/** Options of {@link classLabels}. */
export interface ClassLabelsOptions {
  /** The number of classes. Default: the width of one-hot rows, or the largest id + 1 (at least 2). */
  numClasses?: number;
  /** The number of examples the labels must describe (named in the error as "one per example of `of`"). */
  count?: number;
  /** What the labels belong to, for the count error. Default `'x'`. */
  of?: string;
}

const EXPECTED = 'class labels: integer class ids [N] (int32, or float32 holding integers) or one-hot rows [N, numClasses]';

function checkNumClasses(parameter: string, k: unknown): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 2) throw new ConfigError(parameter, k, 'an integer >= 2');
  return k;
}

/** The user's labels as a live numeric tensor (made here when they are arrays: `created`). */
function labelTensor(y: DataInput, parameter: string): { t: tf.Tensor; created: boolean } {
  if (y instanceof tf.Tensor) {
    if (y.isDisposed) throw new InputError(parameter, 'a disposed tensor', 'a live tensor');
    if (y.dtype !== 'float32' && y.dtype !== 'int32') throw new InputError(parameter, y, `${EXPECTED}, not ${y.dtype}`);
    return { t: y, created: false };
  }
  if (!Array.isArray(y) && !ArrayBuffer.isView(y)) throw new InputError(parameter, y, EXPECTED);
  let t: tf.Tensor;
  try {
    t = tf.tensor(ArrayBuffer.isView(y) ? Array.from(y as unknown as ArrayLike<number>) : (y as unknown as number[]));
  } catch (cause) {
    throw new InputError(parameter, y, `${EXPECTED} (${(cause as Error).message})`);
  }
  if (t.dtype !== 'float32' && t.dtype !== 'int32') {
    t.dispose();
    throw new InputError(parameter, y, `${EXPECTED}, not ${t.dtype} values`);
  }
  return { t, created: true };
}

/**
 * Checks class labels and returns their ids and float32 one-hot rows.
 *
 * @param y - integer class ids `[N]` or `[N, 1]`, or rows `[N, numClasses]` of values in [0, 1] summing
 *   to 1 (one-hot, or smoothed). A tensor (int32 or float32; never disposed) or nested arrays.
 * @param parameter - the name used in errors (`y`, `fit.validationData.y`).
 * @throws InputError naming the first bad label (not an integer, out of range, a row not summing to 1),
 *   a wrong dtype (bool, string), a wrong rank, or a count other than `options.count`.
 */
export function classLabels(y: DataInput, parameter: string, options: ClassLabelsOptions = {}): ClassLabels {
  const given = options.numClasses === undefined ? undefined : checkNumClasses(`${parameter}: numClasses`, options.numClasses);
  const { t, created } = labelTensor(y, parameter);
  try {
    const n = t.shape[0] ?? 0;
    if (t.rank === 0 || t.rank > 2 || n === 0) throw new InputError(parameter, t, `${EXPECTED}, at least one`);
    if (options.count !== undefined && n !== options.count) {
      throw new InputError(parameter, t, `${options.count} labels, one per example of ${options.of ?? 'x'}`);
    }
    const values = t.dataSync();
    const width = t.rank === 2 ? t.shape[1]! : 1;
    if (width === 1) return fromIds(values, n, given, parameter);
    if (given !== undefined && width !== given) {
      throw new InputError(parameter, t, `class ids [${n}] or one-hot rows [${n}, ${given}] (numClasses ${given})`);
    }
    return fromRows(values, n, width, parameter, t);
  } finally {
    if (created) t.dispose();
  }
}

function fromIds(values: ArrayLike<number>, n: number, given: number | undefined, parameter: string): ClassLabels {
  const ids = new Int32Array(n);
  let max = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    const bad = !Number.isInteger(v) || v < 0 || (given !== undefined && v >= given);
    if (bad) {
      const range = given === undefined ? 'a whole number >= 0' : `an integer class id in [0, ${given - 1}]`;
      throw new InputError(`${parameter}[${i}]`, v, range);
    }
    ids[i] = v;
    if (v > max) max = v;
  }
  const numClasses = given ?? Math.max(2, max + 1);
  return { ids, oneHot: oneHotRows(ids, numClasses), numClasses };
}

function fromRows(values: ArrayLike<number>, n: number, k: number, parameter: string, t: tf.Tensor): ClassLabels {
  const ids = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let best = 0;
    for (let j = 0; j < k; j++) {
      const v = values[i * k + j]!;
      if (!(v >= 0 && v <= 1)) throw new InputError(`${parameter}[${i}][${j}]`, v, 'a one-hot or probability entry in [0, 1]');
      sum += v;
      if (v > values[i * k + best]!) best = j;
    }
    if (Math.abs(sum - 1) > ROW_SUM_TOLERANCE) throw new InputError(`${parameter}[${i}]`, `a row summing to ${Number(sum.toPrecision(6))}`, 'a one-hot or probability row summing to 1');
    ids[i] = best;
  }
  return { ids, oneHot: tf.tidy(() => tf.cast(t, 'float32')) as tf.Tensor2D, numClasses: k };
}

/** float32 one-hot rows of checked ids, built on the host as `oneHot` is (see the module notes). */
function oneHotRows(ids: Int32Array, numClasses: number): tf.Tensor2D {
  const out = new Float32Array(ids.length * numClasses);
  for (let i = 0; i < ids.length; i++) out[i * numClasses + ids[i]!] = 1;
  return tf.tensor2d(out, [ids.length, numClasses], 'float32');
}

/**
 * The confusion matrix of predicted against true classes: `m[true][predicted]` counts.
 */
export function confusionMatrix(trueIds: ArrayLike<number>, predictedIds: ArrayLike<number>, numClasses: number): number[][] {
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < trueIds.length; i++) m[trueIds[i]!]![predictedIds[i]!]!++;
  return m;
}

/** The fraction of matching ids. */
export function accuracyOfIds(trueIds: ArrayLike<number>, predictedIds: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < trueIds.length; i++) if (trueIds[i] === predictedIds[i]) hits++;
  return trueIds.length === 0 ? NaN : hits / trueIds.length;
}
