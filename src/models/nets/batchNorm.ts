/**
 * tfjs-layers' `BatchNormalization` in training, as a training step applies it layer by layer (`./pruned.ts`),
 * with fewer kernels: tfjs-layers computes the batch's moments with tfjs-core's `moments` (Cast, a Mean, a
 * broadcast Sub, Square, a second Mean), normalizes with FusedBatchNorm, and the tape differentiates all of it
 * (FusedBatchNorm's gradient to x, mean and variance, then back through each `moments` kernel): ~30 kernels,
 * ~11% of a DCGAN's step on wasm. Here the moments are one kernel (`LatentkitBatchNormMoments`), the forward
 * pass tfjs's FusedBatchNorm on them, and x's, gamma's and beta's gradients through the batch's own moments
 * one kernel in closed form (`LatentkitBatchNormTrainingGrad`):
 *
 *   dbeta = sum dy,  dgamma = sum dy * xhat,  dx = gamma * r * (dy - mean(dy) - xhat * mean(dy * xhat))
 *
 * (r = 1 / sqrt(variance + eps), xhat = (x - mean) * r; sums over every axis but the last). The moving mean
 * and variance are updated as tfjs-layers updates them (`v - (v - batch) * (1 - momentum)`). Values within
 * ~1e-6 relative of tfjs-layers' (sums in float64 here), not bit for bit: switch `fusedBatchNormTraining`.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { BATCH_NORM_MOMENTS, BATCH_NORM_TRAINING_GRAD } from '../../backend/wasm/batchNormKernels.js';
import { kernelOptions } from '../../backend/wasm/util.js';

type Variable = { read(): tf.Tensor; write(v: tf.Tensor): unknown } | null | undefined;

/** A BatchNormalization layer's parts, as tfjs-layers 4.22 holds them. */
interface Parts {
  axis: number;
  momentum: number;
  epsilon: number;
  gamma: Variable;
  beta: Variable;
  movingMean: Variable;
  movingVariance: Variable;
}

/** Whether this backend has the kernels (wasm with SIMD, latentkit's kernels installed). */
function kernelsHere(): boolean {
  const b = tf.getBackend();
  return tf.getKernel(BATCH_NORM_MOMENTS, b) !== undefined && tf.getKernel(BATCH_NORM_TRAINING_GRAD, b) !== undefined;
}

/**
 * Marks a BatchNormalization whose `call` latentkit replaced to run in inference mode while it is frozen
 * (`../classifier/freeze.ts`): trainable, it trains as any other.
 */
export const FOLLOWS_TRAINABLE = Symbol('latentkit.inferenceWhenFrozen');

/**
 * Whether `layer` is a BatchNormalization the fused form takes: over one axis, with gamma and beta, no
 * regularizer, and its class's own `call` (or latentkit's frozen-aware one while trainable: a frozen layer,
 * or one whose `call` someone else replaced, takes `layer.apply`).
 */
function isFusableBatchNorm(layer: tfl.layers.Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const ownCall = Object.prototype.hasOwnProperty.call(layer, 'call');
  if (ownCall && !(layer as unknown as Record<symbol, boolean>)[FOLLOWS_TRAINABLE]) return false;
  if (ownCall && !layer.trainable) return false;
  const p = layer as unknown as Parts;
  const regularized = ['betaRegularizer', 'gammaRegularizer'].some((k) => (layer as unknown as Record<string, unknown>)[k] != null);
  return Number.isInteger(p.axis) && p.gamma != null && p.beta != null && p.movingMean != null && p.movingVariance != null && !regularized;
}

/** Whether the fused form is on and has its kernels on this backend. */
export function fusedBatchNormHere(): boolean {
  return kernelOptions.fusedBatchNormTraining && kernelsHere();
}

/**
 * Whether a training step takes the fused form for `layer` on x: a fusable BatchNormalization (see
 * {@link isFusableBatchNorm}), x float32 of rank 2 or more, the layer's axis x's last, a multiple of 4
 * channels, on a backend with the kernels.
 */
export function fusedBatchNormApplies(layer: tfl.layers.Layer, x: tf.Tensor): boolean {
  const c = x.shape[x.rank - 1] ?? 0;
  const axis = (layer as unknown as Parts).axis;
  return (
    isFusableBatchNorm(layer) && (axis === -1 || axis === x.rank - 1) && x.dtype === 'float32' && x.rank >= 2 && c > 0 && c % 4 === 0 &&
    x.size > 0 && fusedBatchNormHere()
  );
}

/** `layer.apply(x, { training: true })` of a fusable layer (see the module notes). */
export function applyBatchNormTraining(layer: tfl.layers.Layer, x: tf.Tensor): tf.Tensor {
  const p = layer as unknown as Parts;
  const gamma = p.gamma!.read();
  const beta = p.beta!.read();
  const eps = p.epsilon;
  const c = x.shape[x.rank - 1]!;
  if (gamma.size !== c || beta.size !== c) {
    throw new Error(`latentkit: BatchNormalization '${layer.name}' has ${gamma.size} channels; its input [${x.shape.join(', ')}] has ${c}.`);
  }
  return tf.tidy(() => {
    const [mean, variance] = tf.engine().runKernel(BATCH_NORM_MOMENTS, { x }) as [tf.Tensor1D, tf.Tensor1D];
    const op = tf.customGrad((...a: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const [xs, g, b] = a as [tf.Tensor, tf.Tensor1D, tf.Tensor1D];
      (a[3] as tf.GradSaveFunc)([xs, mean, variance, g]);
      return {
        value: tf.batchNorm(xs, mean, variance, b, g, eps),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [sx, sm, sv, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
          const [dx, dg, db] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { x: sx, dy, mean: sm, variance: sv, scale: sg }, { varianceEpsilon: eps }) as tf.Tensor[];
          return [dx!, tf.reshape(dg!, g.shape), tf.reshape(db!, b.shape)];
        },
      };
    });
    const y = op(x, gamma, beta);
    // tfjs-layers' `doMovingAverage`, operation for operation.
    for (const [v, batch] of [[p.movingMean!, mean], [p.movingVariance!, variance]] as const) {
      tf.tidy(() => {
        const orig = v.read();
        v.write(tf.sub(orig, tf.mul(tf.sub(orig, batch), 1 - p.momentum)));
      });
    }
    return y;
  });
}
