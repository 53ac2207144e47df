/**
 * Noise injectors: factories that validate their options once and return a {@link NoiseFn}, a pure
 * function `(x, seed) => noisy x`. These are the corruptions a denoising autoencoder learns to undo.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { maskingNoise } from 'latentkit';
 *
 * const corrupt = maskingNoise({ rate: 0.3 });
 * const x = tf.ones([2, 784]);
 * const noisy = corrupt(x, 42); // about 30% of the values set to 0; x is left as it was
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '../core/randomNormal.js';
import { ConfigError, InputError } from '../core/errors.js';
import { field, optionsSchema } from '../core/options.js';
import { assertSeed } from '../core/seed.js';

/**
 * A noise injector: returns a new float32 tensor of the shape of `x` with noise drawn from `seed`.
 *
 * It is pure: the same `x` and `seed` give the same output on the same backend. It never disposes or
 * changes `x`, always returns a new tensor (which the caller owns and disposes), and keeps no other
 * tensor alive. `seed` is an integer in [0, 2^32); draw one from a {@link SeedStream}.
 *
 * @example
 * ```ts
 * const noise: NoiseFn = gaussianNoise({ stddev: 0.5 });
 * const stream = new SeedStream(7);
 * const a = noise(x, stream.nextSeed());
 * const b = noise(x, stream.nextSeed()); // fresh noise, reproducible from 7
 * ```
 * @category Noise
 */
export type NoiseFn = (x: tf.Tensor, seed: number) => tf.Tensor;

/**
 * An inclusive range `[lo, hi]` the noisy result is clipped to, for example `[0, 1]` for pixel values.
 * Both ends must be finite (so that a spec survives JSON) and `lo <= hi`.
 * @category Noise
 */
export type ClipRange = readonly [lo: number, hi: number];

/**
 * Options of {@link gaussianNoise}.
 * @category Noise
 */
export interface GaussianNoiseOptions {
  /** Standard deviation of the added noise, in the units of `x`; finite and >= 0. */
  stddev: number;
  /** Mean of the added noise, in the units of `x`. Default 0. */
  mean?: number;
  /** Clip the result to `[lo, hi]`. Default: no clipping. */
  clip?: ClipRange;
}

/**
 * Options of {@link maskingNoise}.
 * @category Noise
 */
export interface MaskingNoiseOptions {
  /** Probability that each value is set to 0, in [0, 1]. */
  rate: number;
  /** Clip the result to `[lo, hi]`. Default: no clipping. */
  clip?: ClipRange;
}

/**
 * Options of {@link saltAndPepperNoise}.
 * @category Noise
 */
export interface SaltAndPepperNoiseOptions {
  /** Probability that each value is replaced (by `low` or `high`, half each), in [0, 1]. */
  rate: number;
  /** The "pepper" value. Default 0. */
  low?: number;
  /** The "salt" value. Default 1. */
  high?: number;
  /** Clip the result to `[lo, hi]`. Default: no clipping. */
  clip?: ClipRange;
}

/**
 * Options of {@link uniformNoise}.
 * @category Noise
 */
export interface UniformNoiseOptions {
  /** Width of the added noise U(0, scale), in the units of `x`; finite and >= 0. */
  scale: number;
  /** Clip the result to `[lo, hi]`. Default: no clipping. */
  clip?: ClipRange;
}

// ---------------------------------------------------------------------------------------------------
// The options' fields, shared with spec.ts. `prefix` is how the caller spelled the options
// (`maskingNoise`, `noise`, `denoisingAE.noise`), so that the error names the parameter the user wrote.

function finite(value: unknown, parameter: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new ConfigError(parameter, value, 'a finite number');
  return value;
}

function nonNegative(value: unknown, parameter: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ConfigError(parameter, value, 'a finite number >= 0');
  return value;
}

function rate(value: unknown, parameter: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) throw new ConfigError(parameter, value, 'a probability in [0, 1]');
  return value;
}

function clipRange(value: unknown, parameter: string): ClipRange {
  const expected = 'a range [lo, hi] of two finite numbers with lo <= hi';
  if (!Array.isArray(value) || value.length !== 2) throw new ConfigError(parameter, value, expected);
  const [lo, hi] = value as unknown[];
  if (typeof lo !== 'number' || !Number.isFinite(lo) || typeof hi !== 'number' || !Number.isFinite(hi) || lo > hi) {
    throw new ConfigError(parameter, value, expected);
  }
  return [lo, hi];
}

/** The fields of each injector's options. `null` counts as absent: a spec that went through JSON may carry it. */
export const NOISE_FIELDS = {
  gaussian: { stddev: field(nonNegative).required(), mean: field(finite).default(0), clip: field(clipRange) },
  masking: { rate: field(rate).required(), clip: field(clipRange) },
  saltAndPepper: { rate: field(rate).required(), low: field(finite).default(0), high: field(finite).default(1), clip: field(clipRange) },
  uniform: { scale: field(nonNegative).required(), clip: field(clipRange) },
};

const GAUSSIAN = optionsSchema<GaussianNoiseOptions>()('gaussianNoise', NOISE_FIELDS.gaussian, { nullIsAbsent: true });
const MASKING = optionsSchema<MaskingNoiseOptions>()('maskingNoise', NOISE_FIELDS.masking, { nullIsAbsent: true });
/** Pepper is the low value, salt the high one. */
export function lowNotAboveHigh(o: { low: number; high: number }, _raw: unknown, parameter: string): void {
  if (o.low > o.high) throw new ConfigError(`${parameter}.low`, o.low, `at most high (${o.high}): low is the "pepper" value, high the "salt" value`);
}

const SALT_AND_PEPPER = optionsSchema<SaltAndPepperNoiseOptions>()('saltAndPepperNoise', NOISE_FIELDS.saltAndPepper, { nullIsAbsent: true, rules: [lowNotAboveHigh] });
const UNIFORM = optionsSchema<UniformNoiseOptions>()('uniformNoise', NOISE_FIELDS.uniform, { nullIsAbsent: true });

function checkInput(x: unknown, seed: unknown, name: string): asserts x is tf.Tensor {
  if (typeof x !== 'object' || x === null || !('shape' in x) || !('dtype' in x)) {
    throw new InputError(`${name}: x`, x, 'a tf.Tensor');
  }
  const t = x as tf.Tensor;
  if (t.isDisposed) throw new InputError(`${name}: x`, t, 'a tensor that has not been disposed');
  if (t.dtype === 'string' || t.dtype === 'complex64') {
    throw new InputError(`${name}: x`, t, 'a numeric tensor (float32, int32 or bool)');
  }
  assertSeed(seed, `${name}: seed`);
}

/**
 * Wraps the per-kind draw with the parts every injector shares: input checks, the cast to float32
 * (which also guarantees a new tensor, never `x` itself), clipping, and one `tf.tidy` around it all.
 */
function injector(name: string, clip: ClipRange | undefined, draw: (x: tf.Tensor, seed: number) => tf.Tensor): NoiseFn {
  const fn: NoiseFn = (x, seed) => {
    checkInput(x, seed, name);
    return tf.tidy(() => {
      const noisy = draw(tf.cast(x, 'float32'), seed);
      return clip ? tf.clipByValue(noisy, clip[0], clip[1]) : noisy;
    });
  };
  return fn;
}

/**
 * Additive Gaussian noise: `x + N(mean, stddev^2)`, drawn independently for each value.
 *
 * @param options - `stddev` (>= 0), `mean` (default 0), `clip` (default none).
 * @returns a {@link NoiseFn}.
 * @throws ConfigError naming `gaussianNoise.<option>` when an option is out of range.
 * @example
 * ```ts
 * const noise = gaussianNoise({ stddev: 0.5, clip: [0, 1] });
 * const noisy = noise(images, 42);
 * ```
 * @category Noise
 */
export function gaussianNoise(options: GaussianNoiseOptions): NoiseFn {
  return gaussianFrom(options, 'gaussianNoise');
}

/** @internal `options` checked as {@link GaussianNoiseOptions} (or the rest of a spec), named `prefix`. */
export function gaussianFrom(options: unknown, prefix: string): NoiseFn {
  const { stddev, mean, clip } = GAUSSIAN.check(options, prefix);
  return injector('gaussianNoise', clip, (x, seed) =>
    tf.add(x, randomNormal(x.shape, mean, stddev, seed)),
  );
}

/**
 * Masking noise, the corruption of the denoising autoencoder: each value is set to 0 with probability
 * `rate`, independently. Kept values are not rescaled (unlike dropout).
 *
 * @param options - `rate` in [0, 1], `clip` (default none).
 * @returns a {@link NoiseFn}.
 * @throws ConfigError naming `maskingNoise.<option>` when an option is out of range.
 * @example
 * ```ts
 * const noise = maskingNoise({ rate: 0.3 });
 * const noisy = noise(images, 42); // about 30% zeros
 * ```
 * @category Noise
 */
export function maskingNoise(options: MaskingNoiseOptions): NoiseFn {
  return maskingFrom(options, 'maskingNoise');
}

/** @internal */
export function maskingFrom(options: unknown, prefix: string): NoiseFn {
  const { rate, clip } = MASKING.check(options, prefix);
  return injector('maskingNoise', clip, (x, seed) => {
    // u < rate holds with probability rate (u is in [0, 1)), so rate 0 keeps all and rate 1 drops all.
    // `where` rather than multiplying by a 0/1 mask, so that a dropped Infinity or NaN becomes 0 too.
    const drop = tf.less(tf.randomUniform(x.shape, 0, 1, 'float32', seed), rate);
    return tf.where(drop, tf.zerosLike(x), x);
  });
}

/**
 * Salt-and-pepper noise: each value, with probability `rate`, is replaced by `low` or by `high`
 * (half each); the others are kept.
 *
 * @param options - `rate` in [0, 1], `low` (default 0), `high` (default 1), `clip` (default none).
 * @returns a {@link NoiseFn}.
 * @throws ConfigError naming `saltAndPepperNoise.<option>` when an option is out of range.
 * @example
 * ```ts
 * const noise = saltAndPepperNoise({ rate: 0.1 });
 * const noisy = noise(images, 42); // about 5% black and 5% white pixels
 * ```
 * @category Noise
 */
export function saltAndPepperNoise(options: SaltAndPepperNoiseOptions): NoiseFn {
  return saltAndPepperFrom(options, 'saltAndPepperNoise');
}

/** @internal */
export function saltAndPepperFrom(options: unknown, prefix: string): NoiseFn {
  const { rate, low, high, clip } = SALT_AND_PEPPER.check(options, prefix);
  return injector('saltAndPepperNoise', clip, (x, seed) => {
    // One draw decides both whether and how a value is replaced: u < rate/2 gives low and
    // rate/2 <= u < rate gives high, so each happens with probability rate/2.
    const u = tf.randomUniform(x.shape, 0, 1, 'float32', seed);
    const withHigh = tf.where(tf.less(u, rate), tf.fill(x.shape, high), x);
    return tf.where(tf.less(u, rate / 2), tf.fill(x.shape, low), withHigh);
  });
}

/**
 * Additive uniform noise: `x + U(0, 1) * scale`, as in `x + np.random.rand(*x.shape) * 0.3`. The noise
 * is not centred: it adds `scale / 2` on average.
 *
 * @param options - `scale` (>= 0), `clip` (default none).
 * @returns a {@link NoiseFn}.
 * @throws ConfigError naming `uniformNoise.<option>` when an option is out of range.
 * @example
 * ```ts
 * const noise = uniformNoise({ scale: 0.3, clip: [0, 1] });
 * const noisy = noise(images, 42);
 * ```
 * @category Noise
 */
export function uniformNoise(options: UniformNoiseOptions): NoiseFn {
  return uniformFrom(options, 'uniformNoise');
}

/** @internal */
export function uniformFrom(options: unknown, prefix: string): NoiseFn {
  const { scale, clip } = UNIFORM.check(options, prefix);
  return injector('uniformNoise', clip, (x, seed) =>
    tf.add(x, tf.mul(tf.randomUniform(x.shape, 0, 1, 'float32', seed), scale)),
  );
}
