/**
 * The cpu backend's corrected UpSampling2D / nearest-resize gradient is the exact adjoint of the forward
 * pass: <R x, w> = <x, R^T w> for every size, batch and corner mode (tfjs 4.22's own fails for batch > 1).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/index.js';

const cases: Array<{ inShape: [number, number, number, number]; size: [number, number]; alignCorners: boolean; halfPixelCenters: boolean }> = [
  { inShape: [3, 4, 5, 2], size: [8, 10], alignCorners: false, halfPixelCenters: false },
  { inShape: [2, 3, 3, 1], size: [7, 5], alignCorners: false, halfPixelCenters: false },
  { inShape: [2, 5, 4, 3], size: [9, 7], alignCorners: true, halfPixelCenters: false },
  { inShape: [4, 6, 6, 1], size: [4, 9], alignCorners: false, halfPixelCenters: true },
];

describe('cpu ResizeNearestNeighborGrad', () => {
  it('useBackend("cpu") installs the correction once', async () => {
    const first = await useBackend('cpu');
    const second = await useBackend('cpu');
    expect([...first.addedKernels, ...second.addedKernels]).toEqual(['ResizeNearestNeighborGrad']);
  });

  for (const c of cases) {
    it(`is the adjoint of the forward pass: ${c.inShape.join('x')} -> ${c.size.join('x')}, alignCorners ${c.alignCorners}, halfPixelCenters ${c.halfPixelCenters}`, async () => {
      await useBackend('cpu');
      const x = tf.randomNormal(c.inShape, 0, 1, 'float32', 1);
      const w = tf.randomNormal([c.inShape[0], ...c.size, c.inShape[3]], 0, 1, 'float32', 2);
      const resize = (v: tf.Tensor) => tf.image.resizeNearestNeighbor(v as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters);
      const grad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(resize(v), w)))(x);
      const lhs = tf.sum(tf.mul(resize(x), w)).dataSync()[0]!;
      const rhs = tf.sum(tf.mul(x, grad)).dataSync()[0]!;
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * Math.max(1, Math.abs(lhs)));
      // And it agrees with wasm's.
      await useBackend('wasm');
      const [xw, ww] = [tf.tensor(x.dataSync(), x.shape), tf.tensor(w.dataSync(), w.shape)];
      const gradWasm = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(v as tf.Tensor4D, c.size, c.alignCorners, c.halfPixelCenters), ww)))(xw);
      const wasmValues = gradWasm.dataSync();
      const cpuValues = grad.dataSync();
      let maxDiff = 0;
      for (let i = 0; i < cpuValues.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpuValues[i]! - wasmValues[i]!));
      expect(maxDiff).toBeLessThan(1e-4);
    });
  }
});
