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
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap, Tensor } from '@tensorflow/tfjs-core';
import { kernelOptions } from './wasm/util.js';
import { leakyReluGrad } from './leakyRelu.js';

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
];
