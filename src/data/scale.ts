/**
 * Scaling helpers: linear maps between value ranges (images in [0, 1] to [-1, 1] for a GAN whose
 * generator ends in tanh, and back) and per-feature standardization with statistics reusable on test
 * data. All are pure: they return new tensors and never dispose or change their inputs.
 *
 * @example
 * ```ts
 * const real = toRange(images, [-1, 1]);         // [0, 1] -> [-1, 1]
 * const shown = fromRange(generated, [-1, 1]);   // [-1, 1] -> [0, 1]
 * const { x, stats } = standardize(xTrain);      // zero mean, unit std per feature
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError } from '../core/errors.js';
import { field, optionsSchema } from '../core/options.js';

/**
 * A closed value range `[lo, hi]` with `lo < hi`.
 * @category Data
 */
export type ValueRange = readonly [number, number];

/**
 * Per-feature statistics from {@link standardize}: tensors of the shape of one example.
 * @category Data
 */
export interface StandardizeStats {
  /** Mean of each feature over the examples. */
  mean: tf.Tensor;
  /** Population standard deviation of each feature, floored at 1e-7. */
  std: tf.Tensor;
}

/** Smallest standard deviation {@link standardize} divides by, so that constant features stay finite. */
export const STD_FLOOR = 1e-7;

function checkRange(parameter: string, range: unknown): ValueRange {
  const ok =
    Array.isArray(range) &&
    range.length === 2 &&
    typeof range[0] === 'number' &&
    typeof range[1] === 'number' &&
    Number.isFinite(range[0]) &&
    Number.isFinite(range[1]) &&
    range[0] < range[1];
  if (!ok) throw new ConfigError(parameter, range, 'a range [lo, hi] of finite numbers with lo < hi');
  return range as unknown as ValueRange;
}

const rangeField = field((v, p) => checkRange(p, v)).default([0, 1]);
const TO_RANGE = optionsSchema<{ from?: ValueRange }>()('toRange', { from: rangeField });
const FROM_RANGE = optionsSchema<{ to?: ValueRange }>()('fromRange', { to: rangeField });

function checkTensor(parameter: string, x: unknown, minRank = 0): tf.Tensor {
  if (!(x instanceof tf.Tensor)) throw new InputError(parameter, x, 'a tf.Tensor');
  if (x.isDisposed) throw new InputError(parameter, 'a disposed tensor', 'a live tensor');
  if (x.rank < minRank) throw new InputError(parameter, x, `a tensor of rank ${minRank} or more (examples on the first axis)`);
  return x;
}

function linear(x: tf.Tensor, from: ValueRange, to: ValueRange): tf.Tensor {
  const gain = (to[1] - to[0]) / (from[1] - from[0]);
  return tf.tidy(() => tf.add(tf.mul(tf.sub(tf.cast(x, 'float32'), from[0]), gain), to[0]));
}

/**
 * Maps values linearly from the range `from` (default [0, 1]) to `[lo, hi]`. Values outside `from` map
 * outside `[lo, hi]`: nothing is clipped.
 *
 * @param x - any tensor; not disposed.
 * @param range - the target range `[lo, hi]`.
 * @param options.from - the range the values are in; default `[0, 1]`.
 * @returns a new float32 tensor of the shape of `x`.
 * @example
 * ```ts
 * const forGan = toRange(images, [-1, 1]);                  // 0 -> -1, 0.5 -> 0, 1 -> 1
 * const bytes = toRange(images, [0, 255]);
 * ```
 * @category Data
 */
export function toRange<T extends tf.Tensor>(x: T, range: ValueRange, options: { from?: ValueRange } = {}): T {
  const t = checkTensor('toRange.x', x);
  const to = checkRange('toRange.range', range);
  const { from } = TO_RANGE.check(options);
  return linear(t, from, to) as T;
}

/**
 * The inverse of {@link toRange}: maps values linearly from `[lo, hi]` back to `to` (default [0, 1]).
 *
 * @param x - any tensor; not disposed.
 * @param range - the range the values are in, `[lo, hi]`.
 * @param options.to - the target range; default `[0, 1]`.
 * @returns a new float32 tensor of the shape of `x`.
 * @example
 * ```ts
 * const images = fromRange(generatorOutput, [-1, 1]); // tanh output -> [0, 1] for a PNG grid
 * ```
 * @category Data
 */
export function fromRange<T extends tf.Tensor>(x: T, range: ValueRange, options: { to?: ValueRange } = {}): T {
  const t = checkTensor('fromRange.x', x);
  const from = checkRange('fromRange.range', range);
  const { to } = FROM_RANGE.check(options);
  return linear(t, from, to) as T;
}

function checkStats(stats: unknown, x: tf.Tensor, caller: string): StandardizeStats {
  const s = stats as Partial<StandardizeStats> | null;
  const featureShape = x.shape.slice(1);
  for (const key of ['mean', 'std'] as const) {
    const t = s?.[key];
    if (!(t instanceof tf.Tensor) || t.isDisposed) {
      throw new InputError(`${caller}.stats.${key}`, t, 'a live tensor from standardize()');
    }
    const same = t.rank === featureShape.length && t.shape.every((d, i) => d === featureShape[i]);
    if (!same) {
      throw new InputError(
        `${caller}.stats.${key}`,
        t,
        `shape [${featureShape.join(', ')}], the shape of one example of x (stats from data with other features?)`,
      );
    }
  }
  return s as StandardizeStats;
}

/**
 * Standardizes each feature to zero mean and unit standard deviation. Without `stats`, the mean and the
 * population standard deviation (floored at 1e-7) are computed over the examples of `x` (the
 * first axis); with `stats`, those are applied, so test data is scaled exactly like the training data.
 *
 * @param x - `[N, ...features]`, examples on the first axis; not disposed.
 * @param stats - statistics from an earlier call, to reuse.
 * @returns `x` standardized (new float32 tensor) and the statistics used: new tensors owned by the caller
 * when computed here, the given `stats` object itself when passed in.
 * @throws InputError when `stats` does not match the shape of one example of `x`.
 * @example
 * ```ts
 * const train = standardize(xTrain);
 * const test = standardize(xTest, train.stats);
 * // ... train on train.x, evaluate on test.x ...
 * tf.dispose([train.x, test.x, train.stats.mean, train.stats.std]);
 * ```
 * @category Data
 */
export function standardize<T extends tf.Tensor>(x: T, stats?: StandardizeStats): { x: T; stats: StandardizeStats } {
  const t = checkTensor('standardize.x', x, 1);
  if (stats !== undefined) {
    const s = checkStats(stats, t, 'standardize');
    const out = tf.tidy(() => tf.div(tf.sub(tf.cast(t, 'float32'), s.mean), s.std)) as T;
    return { x: out, stats: s };
  }
  if (t.shape[0] === 0) throw new InputError('standardize.x', t, 'at least one example to compute statistics from');
  return tf.tidy(() => {
    const xf = tf.cast(t, 'float32');
    const { mean, variance } = tf.moments(xf, 0);
    const std = tf.maximum(tf.sqrt(variance), STD_FLOOR);
    const out = tf.div(tf.sub(xf, mean), std) as T;
    return { x: out, stats: { mean, std } };
  });
}

/**
 * The inverse of {@link standardize}: `x * std + mean`.
 *
 * @param x - standardized data `[N, ...features]`; not disposed.
 * @param stats - the statistics {@link standardize} returned.
 * @returns a new float32 tensor in the original units.
 * @example
 * ```ts
 * const { x: z, stats } = standardize(xTrain);
 * const back = unstandardize(z, stats); // close to xTrain
 * ```
 * @category Data
 */
export function unstandardize<T extends tf.Tensor>(x: T, stats: StandardizeStats): T {
  const t = checkTensor('unstandardize.x', x, 1);
  const s = checkStats(stats, t, 'unstandardize');
  return tf.tidy(() => tf.add(tf.mul(tf.cast(t, 'float32'), s.std), s.mean)) as T;
}
