/**
 * Errors thrown by latentkit. Every message names the parameter, the value it got and what was expected,
 * so that a user can fix the call without reading the source.
 *
 * @example
 * ```ts
 * try { undercompleteAE({ inputDim: 784, codeDim: 800 }); }
 * catch (e) { if (e instanceof ConfigError) console.error(e.parameter, e.message); }
 * ```
 * @module
 */

/** Base class of every error latentkit throws on purpose. */
export class LatentkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Formats a value for an error message: short, and never dumps a whole tensor or array. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) {
    const shown = value.slice(0, 6).map(describeValue).join(', ');
    return `[${shown}${value.length > 6 ? `, ... (${value.length} items)` : ''}]`;
  }
  if (typeof value === 'object' && value !== null && 'shape' in value && 'dtype' in value) {
    const t = value as { shape: number[]; dtype: string };
    return `tensor of shape [${t.shape.join(', ')}] (${t.dtype})`;
  }
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  try {
    const json = JSON.stringify(value);
    return json.length > 120 ? `${json.slice(0, 117)}...` : json;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

/** A configuration or option value is impossible: wrong type, out of range, or inconsistent with another. */
export class ConfigError extends LatentkitError {
  /** The parameter at fault, as the user spelled it (`codeDim`, `noise.rate`, `fit.batchSize`). */
  readonly parameter: string;
  /** The value that was given. */
  readonly value: unknown;
  constructor(parameter: string, value: unknown, expected: string) {
    super(`latentkit: ${parameter} = ${describeValue(value)}: expected ${expected}.`);
    this.parameter = parameter;
    this.value = value;
  }
}

/** Input data is unusable: wrong rank or shape, non-finite values, not a tensor or array. */
export class InputError extends LatentkitError {
  readonly parameter: string;
  readonly value: unknown;
  constructor(parameter: string, value: unknown, expected: string) {
    super(`latentkit: ${parameter} = ${describeValue(value)}: expected ${expected}.`);
    this.parameter = parameter;
    this.value = value;
  }
}

/** A backend cannot be set up: unknown name, package not installed, initialisation failed. */
export class BackendError extends LatentkitError {}

/** Training went wrong in a way that stops it: a non-finite loss, with the epoch and batch where it happened. */
export class TrainingError extends LatentkitError {
  /** 1-based epoch at which training stopped. */
  readonly epoch: number;
  /** 1-based batch within that epoch. */
  readonly batch: number;
  constructor(message: string, epoch: number, batch: number) {
    super(message);
    this.epoch = epoch;
    this.batch = batch;
  }
}
