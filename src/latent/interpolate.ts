/**
 * Paths between two codes: straight lines, or great circles (better for Gaussian latents, whose mass
 * sits near a sphere).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { assertFinite, shapeText, tensorFromNested, type DataInput } from '../data/input.js';
import { InputError } from '../core/errors.js';
import { checkGeneratedSize, is, optionsSchema } from '../core/options.js';

/**
 * Options of {@link interpolate}.
 * @category Latent
 */
export interface InterpolateOptions {
  /** Number of points, both ends included (>= 2). Default 10. */
  steps?: number;
  /** `'linear'` (default) or `'spherical'` (slerp; falls back to linear for nearly parallel codes). */
  method?: 'linear' | 'spherical';
}

const INTERPOLATE = optionsSchema<InterpolateOptions>()('interpolate', {
  steps: is.positiveInt().default(10),
  method: is.oneOf(['linear', 'spherical'] as const).default('linear'),
});

function asVector(v: DataInput, parameter: string): { values: Float32Array; shape: number[] } {
  if (!(v instanceof tf.Tensor) && !Array.isArray(v) && !ArrayBuffer.isView(v)) throw new InputError(parameter, v, 'a code: a tf.Tensor or an array of numbers');
  if (v instanceof tf.Tensor && v.isDisposed) throw new InputError(parameter, 'a disposed tensor', 'a live tensor');
  const t = v instanceof tf.Tensor ? v : ArrayBuffer.isView(v) ? tf.tensor(Float32Array.from(v as unknown as ArrayLike<number>)) : tensorFromNested(v, parameter);
  try {
    if (t.dtype === 'string' || t.dtype === 'complex64') throw new InputError(parameter, t, 'a numeric code');
    if (t.size === 0) throw new InputError(parameter, t, 'a code with at least one value');
    assertFinite(t, parameter);
    const shape = t.rank > 1 && t.shape[0] === 1 ? t.shape.slice(1) : t.shape;
    return { values: Float32Array.from(t.dataSync()), shape };
  } finally {
    if (t !== v) t.dispose();
  }
}

/**
 * Points from `a` to `b` (both included), stacked on a new first axis: `[steps, ...shape]`.
 * `a` and `b` are one code each (shape `[d]`, `[1, d]` or any shape, the same for both).
 *
 * @example
 * ```ts
 * const [za, zb] = [ae.encode(xa), ae.encode(xb)];
 * const path = interpolate(za, zb, { steps: 10 });   // [10, 32]
 * const frames = ae.decode(path);                    // [10, 784]
 * ```
 * @category Latent
 */
export function interpolate(a: DataInput, b: DataInput, options: InterpolateOptions = {}): tf.Tensor {
  const { steps, method } = INTERPOLATE.check(options);
  if (steps < 2) throw new InputError('interpolate.steps', steps, 'at least 2 (both ends are included)');
  const va = asVector(a, 'a');
  const vb = asVector(b, 'b');
  const same = va.shape.length === vb.shape.length && va.shape.every((d, i) => d === vb.shape[i]);
  if (!same) {
    throw new InputError('b', `a code of shape ${shapeText(vb.shape)}`, `the shape of a, ${shapeText(va.shape)} (a leading axis of 1 is ignored)`);
  }
  const d = va.values.length;
  checkGeneratedSize('interpolate.steps', steps, d);
  let omega = 0;
  if (method === 'spherical') {
    let dot = 0;
    let na = 0;
    let nb = 0;
    for (let i = 0; i < d; i++) {
      dot += va.values[i]! * vb.values[i]!;
      na += va.values[i]! ** 2;
      nb += vb.values[i]! ** 2;
    }
    const cos = na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 1;
    omega = Math.acos(Math.min(1, Math.max(-1, cos)));
  }
  const out = new Float32Array(steps * d);
  for (let s = 0; s < steps; s++) {
    const t = s / (steps - 1);
    let wa = 1 - t;
    let wb = t;
    if (method === 'spherical' && Math.sin(omega) > 1e-6) {
      wa = Math.sin((1 - t) * omega) / Math.sin(omega);
      wb = Math.sin(t * omega) / Math.sin(omega);
    }
    for (let i = 0; i < d; i++) out[s * d + i] = wa * va.values[i]! + wb * vb.values[i]!;
  }
  return tf.tensor(out, [steps, ...va.shape]);
}
