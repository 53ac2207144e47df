/**
 * A Dense layer's matMul + bias + activation as one `_FusedMatMul` kernel while gradients are recorded
 * (the benchmark switch `kernelOptions.fusedDense`, off by default: measured no gain, see bench/NOTES.md).
 *
 * tfjs-layers' Dense calls `tf.fused.matMul({ a, b, bias, activation })`, but tfjs-core fuses only when no
 * gradient is being recorded or the activation is linear (`shouldFuse` in `ops/fused_util`): a relu or sigmoid
 * Dense layer trains as BatchMatMul + Add + activation, three kernels and three tape nodes. Here the
 * forward pass is the fused kernel and the gradient is written out with tfjs's own gradient arithmetic
 * (relu: `dy * step(y)`; sigmoid: `dy * (y * (1 - y))`; then dX = dZ·Wᵀ, dW = Xᵀ·dZ, db = sum(dZ, 0)).
 * Internal.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

/** Activations whose fused forward and whose gradient from the output alone this module handles. */
const FUSABLE = new Set(['relu', 'sigmoid']);

/** `activation(x·W + b)` for a 2-D `x`, as one `_FusedMatMul` kernel, with tfjs's gradients. */
export function fusedDense(x: tf.Tensor2D, kernel: tf.Tensor2D, bias: tf.Tensor1D, activation: 'relu' | 'sigmoid'): tf.Tensor2D {
  const op = tf.customGrad(((xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor, save: tf.GradSaveFunc) => {
    const [n, k] = xs.shape as [number, number];
    const m = ws.shape[1]!;
    const z = tf.engine().runKernel(
      '_FusedMatMul',
      { a: tf.reshape(xs, [1, n, k]), b: tf.reshape(ws, [1, k, m]), bias: bs },
      { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 },
    ) as tf.Tensor;
    const y = tf.reshape(z, [n, m]);
    save([xs, ws, y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [x0, w0, y0] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
        const dz = activation === 'relu' ? tf.mul(dy, tf.step(y0)) : tf.mul(dy, tf.mul(y0, tf.sub(tf.scalar(1), y0)));
        return [tf.matMul(dz, w0, false, true), tf.matMul(x0, dz, true, false), tf.sum(dz, 0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, kernel, bias) as tf.Tensor2D;
}

/** The fields of tfjs-layers' Dense read here (protected in its typings). */
interface DenseInternals {
  kernel?: tfl.LayerVariable;
  bias?: tfl.LayerVariable;
  activation: { getClassName(): string };
  call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[];
}

/**
 * Makes one Dense layer run {@link fusedDense} on 2-D inputs when its activation is relu or sigmoid, it has a
 * bias and the active backend has a `_FusedMatMul` kernel; otherwise (and for other layers) its own call runs.
 * Returns the layer.
 */
export function fuseDense<L extends tfl.layers.Layer>(layer: L): L {
  const d = layer as unknown as DenseInternals;
  const own = d.call.bind(layer);
  d.call = (inputs, kwargs) => {
    const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor;
    const activation = d.activation.getClassName();
    if (x.rank !== 2 || !d.bias || !d.kernel || !FUSABLE.has(activation) || tf.getKernel('_FusedMatMul', tf.getBackend()) === undefined) {
      return own(inputs, kwargs);
    }
    return tf.tidy(() => fusedDense(x as tf.Tensor2D, d.kernel!.read() as tf.Tensor2D, d.bias!.read() as tf.Tensor1D, activation as 'relu' | 'sigmoid'));
  };
  return layer;
}
