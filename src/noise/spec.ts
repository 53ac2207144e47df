/**
 * Noise as data: a {@link NoiseSpec} is a plain JSON-serialisable description of a noise injector, for
 * configs, saved models and the noise layer. {@link noiseFromSpec} turns it into a {@link NoiseFn}, and
 * {@link applyNoise} applies either form once.
 *
 * @example
 * ```ts
 * import { applyNoise } from 'latentkit';
 *
 * const noisy = applyNoise(images, { kind: 'masking', rate: 0.3 }, { seed: 42 });
 * ```
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors.js';
import { is, isRecord, OptionsSchema, optionsSchema } from '../core/options.js';
import { resolveSeed } from '../core/seed.js';
import {
  NOISE_FIELDS,
  lowNotAboveHigh,
  gaussianFrom,
  maskingFrom,
  saltAndPepperFrom,
  uniformFrom,
  type GaussianNoiseOptions,
  type MaskingNoiseOptions,
  type NoiseFn,
  type SaltAndPepperNoiseOptions,
  type UniformNoiseOptions,
} from './injectors.js';

/**
 * {@link gaussianNoise} as data.
 * @category Noise
 */
export interface GaussianNoiseSpec extends GaussianNoiseOptions {
  kind: 'gaussian';
}

/**
 * {@link maskingNoise} as data.
 * @category Noise
 */
export interface MaskingNoiseSpec extends MaskingNoiseOptions {
  kind: 'masking';
}

/**
 * {@link saltAndPepperNoise} as data.
 * @category Noise
 */
export interface SaltAndPepperNoiseSpec extends SaltAndPepperNoiseOptions {
  kind: 'saltAndPepper';
}

/**
 * {@link uniformNoise} as data.
 * @category Noise
 */
export interface UniformNoiseSpec extends UniformNoiseOptions {
  kind: 'uniform';
}

/**
 * A noise injector described as plain data (JSON-serialisable), discriminated by `kind`.
 * @category Noise
 */
export type NoiseSpec = GaussianNoiseSpec | MaskingNoiseSpec | SaltAndPepperNoiseSpec | UniformNoiseSpec;

/**
 * The valid values of {@link NoiseSpec}`.kind`.
 * @category Noise
 */
export const NOISE_KINDS = ['gaussian', 'masking', 'saltAndPepper', 'uniform'] as const;

/**
 * One of {@link NOISE_KINDS}.
 * @category Noise
 */
export type NoiseKind = (typeof NOISE_KINDS)[number];

/** Each kind's spec: `kind` and the fields of its injector's options. */
const SPECS: Record<NoiseKind, OptionsSchema<Record<string, unknown>>> = Object.fromEntries(
  NOISE_KINDS.map((kind) => [
    kind,
    new OptionsSchema<Record<string, unknown>>('noise', { kind: is.oneOf([kind]), ...NOISE_FIELDS[kind] }, {
      nullIsAbsent: true,
      rules: kind === 'saltAndPepper' ? [(o, raw, p) => lowNotAboveHigh(o as { low: number; high: number }, raw, p)] : [],
    }),
  ]),
) as Record<NoiseKind, OptionsSchema<Record<string, unknown>>>;

/** Checks a spec's kind and keys (a misspelt optional key such as `clips` from JSON would otherwise be ignored). */
function checkSpec(spec: unknown, parameter: string): { kind: NoiseKind; options: Record<string, unknown> } {
  if (!isRecord(spec)) throw new ConfigError(parameter, spec, 'an options object');
  const kind = spec['kind'];
  if (typeof kind !== 'string' || !(NOISE_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`${parameter}.kind`, kind, `one of ${NOISE_KINDS.map((k) => `'${k}'`).join(', ')}`);
  }
  const { kind: _kind, ...options } = SPECS[kind as NoiseKind].check(spec, parameter);
  return { kind: kind as NoiseKind, options };
}

/**
 * Builds the injector a {@link NoiseSpec} describes.
 *
 * @param spec - the description; unknown `kind` or misspelt keys are rejected.
 * @param parameter - how the caller names the spec in error messages. Default `'noise'`, so that a bad
 *   rate is reported as `noise.rate`.
 * @returns a {@link NoiseFn}.
 * @throws ConfigError naming `<parameter>.kind` (listing the valid kinds) or `<parameter>.<option>`.
 * @example
 * ```ts
 * const noise = noiseFromSpec({ kind: 'saltAndPepper', rate: 0.1 });
 * const noisy = noise(images, 42);
 * ```
 * @category Noise
 */
export function noiseFromSpec(spec: NoiseSpec, parameter = 'noise'): NoiseFn {
  const { kind, options } = checkSpec(spec, parameter);
  const from = { gaussian: gaussianFrom, masking: maskingFrom, saltAndPepper: saltAndPepperFrom, uniform: uniformFrom }[kind];
  return from(options, parameter);
}

/**
 * Checks a {@link NoiseSpec} and returns it in canonical form: a fresh object with every default written
 * out and no absent or `null` optional key. This is the form saved with a model, so a saved model keeps
 * its behaviour even if a default changes later.
 *
 * @param spec - the description to check.
 * @param parameter - how the caller names the spec in error messages. Default `'noise'`.
 * @returns a new, validated spec.
 * @throws ConfigError as {@link noiseFromSpec}.
 * @example
 * ```ts
 * normaliseNoiseSpec({ kind: 'saltAndPepper', rate: 0.1 });
 * // { kind: 'saltAndPepper', rate: 0.1, low: 0, high: 1 }
 * ```
 */
export function normaliseNoiseSpec(spec: NoiseSpec, parameter = 'noise'): NoiseSpec {
  const { kind, options } = checkSpec(spec, parameter);
  return { kind, ...options } as unknown as NoiseSpec;
}

/**
 * Options of {@link applyNoise}.
 * @category Noise
 */
export interface ApplyNoiseOptions {
  /** Seed of the draw, an integer in [0, 2^32). Default: the next seed of the global stream ({@link setSeed}), else a random one. */
  seed?: number;
}

const APPLY_NOISE = optionsSchema<ApplyNoiseOptions>()('applyNoise', { seed: is.seed() });

/**
 * Applies noise once: a convenience for `noise(x, seed)` that accepts a {@link NoiseFn} or a
 * {@link NoiseSpec}, with the given seed or else the next one of the global stream ({@link setSeed}).
 *
 * @param x - the clean tensor; not disposed or changed.
 * @param noise - an injector or its description.
 * @param options - `seed` (default: from the global stream).
 * @returns a new float32 tensor, owned by the caller.
 * @example
 * ```ts
 * setSeed(1);
 * const noisy = applyNoise(images, { kind: 'gaussian', stddev: 0.5, clip: [0, 1] });
 * const again = applyNoise(images, maskingNoise({ rate: 0.3 }), { seed: 42 });
 * ```
 * @category Noise
 */
export function applyNoise(x: tf.Tensor, noise: NoiseFn | NoiseSpec, options: ApplyNoiseOptions = {}): tf.Tensor {
  const fn = typeof noise === 'function' ? noise : noiseFromSpec(noise, 'applyNoise.noise');
  const { seed } = APPLY_NOISE.check(options);
  return fn(x, resolveSeed(seed, 'applyNoise.seed'));
}
