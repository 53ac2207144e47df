/**
 * Turning what the user passes (a tensor or nested arrays) into a validated tensor, without ever taking
 * ownership of, mutating or disposing the user's own tensor.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, describeValue } from '../core/errors.js';

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
    if (ArrayBuffer.isView(x)) {
      try {
        t = flatExamples(x as Float32Array, exampleShape);
      } catch (cause) {
        throw new InputError(parameter, x, `numbers forming shape ${shapeText([-1, ...exampleShape])} (${(cause as Error).message})`);
      }
    } else {
      t = tensorFromNested(x, parameter);
    }
    owned = { tensor: t, created: true };
  } else {
    throw new InputError(parameter, x, `a tf.Tensor or nested arrays of numbers of shape ${shapeText([-1, ...exampleShape])}`);
  }
  try {
    if (owned.tensor.dtype === 'string' || owned.tensor.dtype === 'complex64') {
      throw new InputError(parameter, owned.tensor, `a numeric tensor (float32, int32 or bool) of shape ${shapeText([-1, ...exampleShape])}`);
    }
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

type Numeric = ArrayLike<number> & { length: number };

function isTypedArray(v: unknown): v is Numeric {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/**
 * A float32 tensor from nested arrays of numbers (the innermost level may be typed arrays), after checking
 * that they form a regular grid: every row as long as the first at its depth, numbers (or booleans) at the
 * same depth everywhere. `tf.tensor` alone truncates or reshapes ragged or deeper arrays and reads `null`
 * as 0; here they are errors naming the first bad element (`x[3][1]`).
 *
 * @throws InputError naming `<parameter>[i][j]...`, what was found there and what was expected.
 * @example
 * ```ts
 * tensorFromNested([[1, 2], [3]], 'x'); // InputError: x[1] = [3]: expected 2 values, as x[0] has ...
 * ```
 */
export function tensorFromNested(x: unknown, parameter: string): tf.Tensor {
  const shape: number[] = [];
  for (let level: unknown = x; Array.isArray(level) || isTypedArray(level); level = (level as ArrayLike<unknown>)[0]) {
    shape.push((level as ArrayLike<unknown>).length);
    if ((level as ArrayLike<unknown>).length === 0) break;
  }
  if (shape.length === 0) throw new InputError(parameter, x, 'nested arrays of numbers, examples on the first axis');
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  let at = 0;
  const firstPath = (depth: number) => `${parameter}${'[0]'.repeat(depth)}`;
  const walk = (value: unknown, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof value === 'number') values[at++] = value;
      else if (typeof value === 'boolean') values[at++] = value ? 1 : 0;
      else {
        const found = Array.isArray(value) || isTypedArray(value) ? 'an array nested deeper than the first example' : describeValue(value);
        throw new InputError(path, value, `a number at this depth, as ${firstPath(depth)} is (found ${found})`);
      }
      return;
    }
    if (!Array.isArray(value) && !isTypedArray(value)) {
      throw new InputError(path, value, `an array of ${shape[depth]} values at this depth, as ${firstPath(depth)} is`);
    }
    if (value.length !== shape[depth]) {
      throw new InputError(path, `an array of ${value.length} values`, `${shape[depth]} values, as ${firstPath(depth)} has (rows must all have the same length)`);
    }
    if (isTypedArray(value) && depth === shape.length - 1) {
      for (let i = 0; i < value.length; i++) values[at++] = value[i]!;
      return;
    }
    for (let i = 0; i < value.length; i++) walk((value as ArrayLike<unknown>)[i], depth + 1, `${path}[${i}]`);
  };
  walk(x, 0, parameter);
  return tf.tensor(values, shape, 'float32');
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

/** The range a model needs its data in, and what to do when it is not. */
export interface ValueBounds {
  min: number;
  max: number;
  /** Why, and what to do instead: `likelihood 'bernoulli' needs probabilities; ...`. */
  why: string;
}

/**
 * Throws an {@link InputError} when `t` has a value outside `[bounds.min, bounds.max]` (one read of its
 * minimum and maximum).
 */
export function assertWithin(t: tf.Tensor, parameter: string, bounds: ValueBounds): void {
  if (t.size === 0) return;
  const [lo, hi] = tf.tidy(() => tf.stack([tf.min(t), tf.max(t)]).dataSync());
  if (lo! >= bounds.min && hi! <= bounds.max) return;
  throw new InputError(parameter, t, `values in [${bounds.min}, ${bounds.max}] (found min ${lo}, max ${hi}): ${bounds.why}`);
}
