/**
 * Small checks for config values, each throwing a {@link ConfigError} that names the parameter.
 * @module
 */
import { ConfigError } from './errors.js';

/** A positive integer (>= 1). */
export function positiveInt(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConfigError(parameter, value, 'a positive integer');
  }
  return value;
}

/** A finite number within [min, max] (inclusive unless told otherwise). */
export function numberIn(
  parameter: string,
  value: unknown,
  min: number,
  max: number,
  opts: { minOpen?: boolean; maxOpen?: boolean } = {},
): number {
  const lowOk = typeof value === 'number' && (opts.minOpen ? value > min : value >= min);
  const highOk = typeof value === 'number' && (opts.maxOpen ? value < max : value <= max);
  if (typeof value !== 'number' || !Number.isFinite(value) || !lowOk || !highOk) {
    const range = `${opts.minOpen ? '(' : '['}${min}, ${max}${opts.maxOpen ? ')' : ']'}`;
    throw new ConfigError(parameter, value, `a finite number in ${range}`);
  }
  return value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(parameter: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(parameter, value, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`);
  }
  return value as T;
}

/** An array of positive integers (possibly empty). */
export function positiveIntArray(parameter: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new ConfigError(parameter, value, 'an array of positive integers');
  value.forEach((v, i) => positiveInt(`${parameter}[${i}]`, v));
  return value as number[];
}
