/**
 * PacGAN packing (Lin et al., "PacGAN: The power of two samples in generative adversarial networks",
 * 2018): the discriminator judges `m` examples at once, so that a generator which covers few modes is
 * caught by the lack of variety within its packs. Packs are consecutive examples: dense GANs put their
 * flattened examples one after the other, DCGANs stack them on the channels (as the paper does for
 * images), and the labels of a conditional GAN are packed the same way.
 *
 * @example
 * ```ts
 * const packed = packExamples(images, 2, 'dcgan');   // [64, 28, 28, 1] -> [32, 28, 28, 2]
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GANArchitecture } from './config.js';

/** `x` `[B, ...]` as `[B / m, ...]` packs of `m` consecutive examples (`B` a multiple of `m`); `x` itself when `m` is 1. */
export function packExamples(x: tf.Tensor, m: number, architecture: GANArchitecture): tf.Tensor {
  if (m === 1) return x;
  const b = x.shape[0]!;
  if (architecture === 'dense') return tf.reshape(x, [b / m, -1]);
  const [h, w, c] = x.shape.slice(1) as [number, number, number];
  return tf.reshape(tf.transpose(tf.reshape(x, [b / m, m, h, w, c]), [0, 2, 3, 1, 4]), [b / m, h, w, m * c]);
}

/** One-hot labels `[B, K]` as `[B / m, m * K]`, matching {@link packExamples}. */
export function packLabels(y: tf.Tensor, m: number): tf.Tensor {
  return m === 1 ? y : tf.reshape(y, [y.shape[0]! / m, -1]);
}

/**
 * `x` with its first rows repeated after its last until it has `total` rows (a batch whose size is not a
 * multiple of the packing fills its last pack so); `x` itself when it has them already.
 */
export function fillRows(x: tf.Tensor, total: number): tf.Tensor {
  const n = x.shape[0]!;
  if (total === n) return x;
  const parts: tf.Tensor[] = [x];
  for (let have = n; have < total; have += n) parts.push(tf.slice(x, 0, Math.min(n, total - have)));
  return tf.concat(parts, 0);
}
