/**
 * The error that save and load throw when a saved model's files are missing, damaged or unreadable by
 * this version of latentkit.
 *
 * @example
 * ```ts
 * try { await load('models/digits'); }
 * catch (e) { if (e instanceof ModelFileError) console.error(e.file, e.message); }
 * ```
 * @module
 */
import { LatentkitError } from '../core/errors.js';

/**
 * A saved model cannot be read: a file is missing, truncated, not valid JSON, written by a newer
 * latentkit, or names a model kind nobody registered. `file` says which file (a path in Node, the URL or
 * `'(IOHandler)'` otherwise); the message says what was found and what was expected.
 *
 * @example
 * ```ts
 * const err = new ModelFileError('/tmp/m/weights.bin', 'expected 1024 bytes, found 512: the file is truncated');
 * err.message; // "latentkit: /tmp/m/weights.bin: expected 1024 bytes, found 512: the file is truncated."
 * ```
 * @category Save and load
 */
export class ModelFileError extends LatentkitError {
  /** The file (or storage location) at fault. */
  readonly file: string;
  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`latentkit: ${file}: ${problem}.`);
    this.name = 'ModelFileError';
    this.file = file;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
