/**
 * What latentkit's layer factories share: tfjs-layers' base layer arguments (`name`, `inputShape`,
 * `trainable`...), passed on to tfjs unchecked, as option-checker fields; and a factor range argument.
 * @module
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.js';
import { is } from '../core/options.js';

/** The base arguments every tfjs-layers layer takes (`name`, `inputShape`, `trainable`, ...). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/** tfjs-layers' base layer arguments as option-checker fields (tfjs checks their values). */
export const LAYER_BASE_FIELDS = {
  inputShape: is.any(),
  batchInputShape: is.any(),
  batchSize: is.any(),
  dtype: is.any(),
  name: is.any(),
  trainable: is.any(),
  weights: is.any(),
  inputDType: is.any(),
} as const;

/**
 * A range `[lower, upper]` from a factor: a number `f` means `[-f, f]`, a pair is taken as is. Each end
 * must lie in `[min, max]` and `lower <= upper`.
 */
export function factorRange(parameter: string, value: unknown, min: number, max: number): [number, number] {
  const pair = typeof value === 'number' ? [-value, value] : Array.isArray(value) && value.length === 2 ? (value as unknown[]) : undefined;
  const ok =
    pair !== undefined &&
    (typeof value !== 'number' || value >= 0) &&
    pair.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max) &&
    (pair[0] as number) <= (pair[1] as number);
  if (!ok) {
    throw new ConfigError(parameter, value, `a factor f >= 0 (the range [-f, f]) or a pair [lower, upper] with ${min} <= lower <= upper <= ${max}`);
  }
  return [pair![0] as number, pair![1] as number];
}
