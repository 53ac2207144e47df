/**
 * Errors thrown by latentkit. Every message names the parameter, the value it got and what was expected,
 * so that a user can fix the call without reading the source. Each class sets an explicit `name`
 * (`new.target.name` would be mangled by a minifier in a browser bundle).
 *
 * @example
 * ```ts
 * try { undercompleteAE({ inputDim: 784, codeDim: 800 }); }
 * catch (e) { if (e instanceof ConfigError) console.error(e.parameter, e.message); }
 * ```
 * @module
 */

/**
 * Base class of every error latentkit throws on purpose.
 * @category Models
 */
export class LatentkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LatentkitError';
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

/**
 * A configuration or option value is impossible: wrong type, out of range, inconsistent with another,
 * or an option that does not exist (then the message suggests the nearest valid one).
 * @category Models
 */
export class ConfigError extends LatentkitError {
  /** The parameter at fault, as the user spelled it (`codeDim`, `noise.rate`, `fit.batchSize`). */
  readonly parameter: string;
  /** The value that was given. */
  readonly value: unknown;
  /**
   * @param parameter - the parameter at fault.
   * @param value - what it was given.
   * @param expected - what it should be (`a positive integer`); ignored when `message` is given.
   * @param message - a complete message instead of `<parameter> = <value>: expected <expected>.`
   */
  constructor(parameter: string, value: unknown, expected: string, message?: string) {
    super(message ?? `latentkit: ${parameter} = ${describeValue(value)}: expected ${expected}.`);
    this.name = 'ConfigError';
    this.parameter = parameter;
    this.value = value;
  }
}

/**
 * Input data is unusable: wrong rank or shape, non-finite values, not a tensor or array.
 * @category Models
 */
export class InputError extends LatentkitError {
  readonly parameter: string;
  readonly value: unknown;
  constructor(parameter: string, value: unknown, expected: string) {
    super(`latentkit: ${parameter} = ${describeValue(value)}: expected ${expected}.`);
    this.name = 'InputError';
    this.parameter = parameter;
    this.value = value;
  }
}

/**
 * A backend cannot be set up: unknown name, package not installed, initialisation failed.
 * @category Backends
 */
export class BackendError extends LatentkitError {
  constructor(message: string) {
    super(message);
    this.name = 'BackendError';
  }
}

/**
 * Training went wrong in a way that stops it: a non-finite loss, with the epoch and batch where it happened.
 * @category Training
 */
export class TrainingError extends LatentkitError {
  /** 1-based epoch at which training stopped. */
  readonly epoch: number;
  /** 1-based batch within that epoch. */
  readonly batch: number;
  constructor(message: string, epoch: number, batch: number) {
    super(message);
    this.name = 'TrainingError';
    this.epoch = epoch;
    this.batch = batch;
  }
}
