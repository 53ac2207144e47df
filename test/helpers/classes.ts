/**
 * Small labelled data sets for classifier and probe tests, made from a seed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { SeedStream } from '../../src/index.js';
import { quadrantPixels } from './quadrantPixels.js';

/**
 * `n` images `[n, size, size, 1]` of `classes` (<= 4) classes: class c has a bright quadrant c on a dim
 * background, plus uniform noise; labels int32 `[n]`, cycling through the classes.
 */
export function quadrants(n: number, seed: number, options: { size?: number; classes?: number; noise?: number } = {}): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const size = options.size ?? 8;
  const s = new SeedStream(seed);
  const { pixels, labels } = quadrantPixels(n, size, options.classes ?? 4, options.noise ?? 0.3, () => s.uniform());
  return { x: tf.tensor4d(pixels, [n, size, size, 1]), y: tf.tensor1d(labels, 'int32') };
}

/** `n` points of `d` features in `classes` linearly separable clusters (means far apart along axes), labels int32. */
export function separable(n: number, d: number, classes: number, seed: number): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const s = new SeedStream(seed);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    y[i] = c;
    for (let j = 0; j < d; j++) x[i * d + j] = (j === c % d ? 4 * (1 + Math.floor(c / d)) : 0) + (s.uniform() - 0.5);
  }
  return { x: tf.tensor2d(x, [n, d]), y: tf.tensor1d(y, 'int32') };
}

/** The bytes of every weight of a model, for bitwise comparisons. */
export function weightBytes(weights: readonly { read(): tf.Tensor }[] | tf.Tensor[]): string[] {
  return (weights as Array<tf.Tensor | { read(): tf.Tensor }>).map((w) => {
    const t = w instanceof tf.Tensor ? w : w.read();
    return Buffer.from((t.dataSync() as Float32Array).slice().buffer).toString('base64');
  });
}
