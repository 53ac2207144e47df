/**
 * Turning what the user passes (a tensor or nested arrays) into a validated tensor, without ever taking
 * ownership of, mutating or disposing the user's own tensor.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../core/errors.js';

/**
 * Data accepted wherever latentkit takes examples: a tensor, or nested arrays of numbers, first axis = examples.
 * @category Data
 */
export type DataInput = tf.Tensor | tf.TensorLike;

/** A tensor made from user input, and whether latentkit created it (and so must dispose it). */
export interface OwnedTensor {
  tensor: tf.Tensor;
  /** True when the tensor was made here from arrays; false when it is the caller's own tensor. */
  created: boolean;
}

/** Releases an {@link OwnedTensor}: disposes it only if latentkit created it. */
export function release(t: OwnedTensor): void {
  if (t.created) t.tensor.dispose();
}

/** Shape as text, `?` for the batch axis. */
export function shapeText(shape: ReadonlyArray<number | null>): string {
  return `[${shape.map((d) => (d === null || d < 0 ? '?' : String(d))).join(', ')}]`;
}

/**
 * Converts `x` to a float tensor of shape `[N, ...exampleShape]` and checks it.
 *
 * @param x - the user's data.
 * @param parameter - the name used in errors (`x`, `validationData`, `z`).
 * @param exampleShape - the shape of one example, without the batch axis.
 * @param options.checkFinite - reject NaN and ±Infinity (default true).
 * @throws InputError naming the parameter, the shape found and the shape expected.
 * @example
 * ```ts
 * const owned = toExamples([[0, 1], [1, 0]], 'x', [2]);
 * // ... use owned.tensor ...
 * release(owned);
 * ```
 */
export function toExamples(
  x: DataInput,
  parameter: string,
  exampleShape: readonly number[],
  options: { checkFinite?: boolean; minExamples?: number } = {},
): OwnedTensor {
  let owned: OwnedTensor;
  if (x instanceof tf.Tensor) {
    if (x.isDisposed) throw new InputError(parameter, 'a disposed tensor', 'a live tensor');
    owned = { tensor: x, created: false };
  } else if (Array.isArray(x) || ArrayBuffer.isView(x)) {
    let t: tf.Tensor;
    try {
      t = ArrayBuffer.isView(x) ? flatExamples(x as Float32Array, exampleShape) : tf.tensor(x as unknown as number[][]);
    } catch (cause) {
      throw new InputError(parameter, x, `numbers forming shape ${shapeText([-1, ...exampleShape])} (${(cause as Error).message})`);
    }
    owned = { tensor: t, created: true };
  } else {
    throw new InputError(parameter, x, `a tf.Tensor or nested arrays of numbers of shape ${shapeText([-1, ...exampleShape])}`);
  }
  try {
    checkExampleShape(owned.tensor, parameter, exampleShape);
    const min = options.minExamples ?? 1;
    if (owned.tensor.shape[0]! < min) {
      throw new InputError(parameter, owned.tensor, `at least ${min} example${min === 1 ? '' : 's'} on the first axis`);
    }
    if (owned.tensor.dtype !== 'float32') {
      const cast = tf.cast(owned.tensor, 'float32');
      release(owned);
      owned = { tensor: cast, created: true };
    }
    if (options.checkFinite !== false) assertFinite(owned.tensor, parameter);
  } catch (e) {
    release(owned);
    throw e;
  }
  return owned;
}

/** A flat typed array read as examples of `exampleShape` one after the other. */
function flatExamples(values: Float32Array | Int32Array | Uint8Array, exampleShape: readonly number[]): tf.Tensor {
  const per = exampleShape.reduce((a, b) => a * b, 1);
  if (per === 0 || values.length % per !== 0) {
    throw new Error(`${values.length} values do not split into examples of ${per}`);
  }
  return tf.tensor(values, [values.length / per, ...exampleShape]);
}

/** Throws unless `t` has shape `[N, ...exampleShape]`. */
export function checkExampleShape(t: tf.Tensor, parameter: string, exampleShape: readonly number[]): void {
  const ok = t.rank === exampleShape.length + 1 && exampleShape.every((d, i) => t.shape[i + 1] === d);
  if (!ok) {
    throw new InputError(parameter, t, `shape ${shapeText([-1, ...exampleShape])} (examples on the first axis)`);
  }
}

/**
 * Throws an {@link InputError} when `t` holds NaN or ±Infinity, saying where the first one is.
 * @example
 * ```ts
 * assertFinite(tf.tensor([1, NaN]), 'x'); // InputError: x = ...: expected finite values (NaN at flat index 1)
 * ```
 */
export function assertFinite(t: tf.Tensor, parameter: string): void {
  const allFinite = tf.tidy(() => tf.all(tf.isFinite(t)).dataSync()[0]);
  if (allFinite) return;
  const values = t.dataSync();
  let at = -1;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) {
      at = i;
      break;
    }
  }
  const perExample = t.rank > 0 && t.shape[0]! > 0 ? t.size / t.shape[0]! : 1;
  const where = at < 0 ? '' : ` (${values[at]} in example ${Math.floor(at / perExample)}, flat index ${at})`;
  throw new InputError(parameter, t, `finite values${where}`);
}
