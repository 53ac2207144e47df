/**
 * Gradient functions of tfjs 4.22 that latentkit replaces (on every backend: tfjs keeps one gradient per
 * kernel name, whatever the backend). Installed and restored with the kernel replacements by `./kernels.ts`.
 *
 * - `Mean`: tfjs's gradient (registered by tfjs-layers) multiplies the broadcast dy by `tf.ones(x.shape)`,
 *   an array of ones the size of the input made in JavaScript and copied to the backend on every call: a
 *   BatchNormalization layer in training takes two means of its input (`tf.moments`), GlobalAveragePooling
 *   one, so each step built and uploaded several arrays of that size (13-16% of the CPU time of the
 *   course's assessment CNN on wasm, before any kernel ran). The replacement divides the small dy first and
 *   broadcasts it with `tf.broadcastTo` (the backend's Tile): each element is `dy / reduceSize` as before
 *   (`dy * 1` is exact), bit for bit the same values, without the array of ones. Inputs of rank 5 or more
 *   keep tfjs's form (tfjs's Tile gradient, which a second-order gradient through this one needs, stops at rank 4).
 * - `LeakyRelu`: one kernel instead of three (`./leakyRelu.ts`).
 * - `FusedBatchNorm` (BatchNormalization in training): tfjs-core's gradient computes `x - mean`, `dy * scale`,
 *   a Tile of rsqrt(variance + eps) to x's shape and seven more full-size products before its four Sums;
 *   where `LatentkitBatchNormGradTerms` is registered (wasm) and takes the shapes (mean of rank 1, C a
 *   multiple of 4), the full-size terms come from that one pass, each with tfjs's float32 operations in its
 *   order, and go through the same Sums: the gradients are tfjs's bit for bit. Elsewhere, and while a
 *   higher-order gradient is taped (the kernel has no gradient), tfjs-core's function runs unchanged (copied
 *   below from tfjs-core 4.22, Apache-2.0).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { kernelOptions } from './wasm/util.js';
import { leakyReluGrad } from './leakyRelu.js';
import { BATCH_NORM_GRAD_TERMS, gradTermsTake } from './wasm/batchNormKernels.js';

/** A gradient latentkit registers in place of tfjs's, and why. */
export interface ReplacedGradient {
  config: GradConfig;
  why: string;
  /** Its switch (`./wasm/util.ts` `kernelOptions`), read when installed. */
  enabled: () => boolean;
}

const meanGrad: GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const x = saved[0]!;
    const g = dy as Tensor;
    const axes = util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
    const reduceSize = util.sizeFromShape(backend_util.computeOutAndReduceShapes(x.shape, axes)[1]);
    return {
      x: () => {
        const expanded = x.shape.slice();
        for (const a of axes) expanded[a] = 1;
        const e = tf.reshape(g, expanded);
        // tfjs's Tile gradient (needed by second-order gradients, e.g. WGAN-GP) stops at rank 4: tfjs's form there.
        if (x.rank > 4) return tf.div(tf.mul(e, tf.ones(x.shape, 'float32')), reduceSize);
        return tf.broadcastTo(tf.div(e, reduceSize), x.shape);
      },
    };
  },
};

/** tfjs-core 4.22's FusedBatchNorm gradient (`gradients/FusedBatchNorm_grad.ts`), with the fused terms where they apply. */
const fusedBatchNormGrad: GradConfig = {
  kernelName: 'FusedBatchNorm',
  inputsToSave: ['x', 'mean', 'variance', 'scale'],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const g = dy as Tensor;
    const { varianceEpsilon } = attrs as unknown as { varianceEpsilon: number };
    const [x, mean, variance, scale] = saved as [Tensor, Tensor, Tensor, Tensor | undefined];
    const scaleValue = scale == null ? tf.scalar(1) : scale;
    const reductionAxes = backend_util.getReductionAxes(mean.shape, x.shape);
    const oneOverSqrtVariance = tf.rsqrt(tf.add(variance, tf.scalar(varianceEpsilon)));
    const minusHalfRCube = tf.mul(tf.mul(tf.mul(oneOverSqrtVariance, oneOverSqrtVariance), oneOverSqrtVariance), tf.scalar(-0.5));
    const toMean = (t: Tensor) => tf.reshape(mean.rank === 1 ? tf.sum(t, reductionAxes) : t, mean.shape);
    const perChannel = [mean, oneOverSqrtVariance, minusHalfRCube, scale ?? mean];
    const fused =
      kernelOptions.fusedBatchNormGrad && mean.rank === 1 && !tf.engine().isTapeOn() &&
      tf.getKernel(BATCH_NORM_GRAD_TERMS, tf.getBackend()) !== undefined && gradTermsTake(x, g, perChannel);
    if (fused) {
      // Made here, as tfjs-core makes x - mean and dy * scale here: tensors of the gradient function live to
      // the end of the backward pass; each input's function runs in a scope of its own.
      const [dx, mt, vt, st] = tf.engine().runKernel(BATCH_NORM_GRAD_TERMS, {
        x, dy: g, mean, r: oneOverSqrtVariance, h: minusHalfRCube, scale: scale ?? tf.ones(mean.shape),
      }) as [Tensor, Tensor, Tensor, Tensor];
      return {
        x: () => tf.reshape(dx, x.shape),
        mean: () => toMean(mt),
        variance: () => toMean(vt),
        scale: () => toMean(st),
        offset: () => toMean(g),
      };
    }
    // tfjs-core's, unchanged.
    const tileShape: number[] = [];
    if (mean.rank === 1) {
      for (let i = 0; i < x.shape.length - 1; ++i) tileShape.push(x.shape[i]!);
      tileShape.push(1);
    }
    const xMinusMean = tf.sub(x, mean);
    const dyTimesScaleValue = tf.mul(g, scaleValue);
    return {
      x: () =>
        mean.rank === 1
          ? tf.reshape(tf.mul(tf.mul(g, tf.tile(tf.reshape(oneOverSqrtVariance, [1, 1, 1, mean.shape[0]!]), tileShape)), scaleValue), x.shape)
          : tf.reshape(tf.mul(tf.mul(g, oneOverSqrtVariance), scaleValue), x.shape),
      mean: () => toMean(tf.mul(tf.mul(oneOverSqrtVariance, tf.scalar(-1)), dyTimesScaleValue)),
      variance: () => toMean(tf.mul(tf.mul(minusHalfRCube, xMinusMean), dyTimesScaleValue)),
      scale: () => toMean(tf.mul(g, tf.mul(xMinusMean, oneOverSqrtVariance))),
      offset: () => toMean(g),
    };
  },
};

/** The gradients latentkit replaces. */
export const GRADIENTS_REPLACED: readonly ReplacedGradient[] = [
  {
    config: meanGrad,
    why: 'slow: multiplies by an array of ones of the input size made in JavaScript on every call (BatchNormalization, GlobalAveragePooling)',
    enabled: () => kernelOptions.fastMeanGrad,
  },
  {
    config: leakyReluGrad,
    why: 'slow: three passes over the tensor and a bool tensor (Greater, Multiply, Select); here one kernel where latentkit registered it',
    enabled: () => kernelOptions.fusedLeakyReluGrad,
  },
  {
    config: fusedBatchNormGrad,
    why: 'slow: ten full-size elementwise kernels and a Tile before its Sums (BatchNormalization in training); on wasm one pass',
    enabled: () => kernelOptions.fusedBatchNormGrad,
  },
];
