/**
 * Conv2DBackpropInput on wasm as a product and a SIMD col2im (`col2imInputGrad` of
 * `src/backend/wasm/convInputGrad.ts`): where it is taken (strided; output stages, C not a multiple of 4
 * or sh * sw * C <= 8, with `col2imOutputStages`), that its values are the cpu backend's and the sub-pixel phases' within
 * float32 rounding (the same products summed in another order), that it serves Conv2D's input gradient and
 * Conv2DTranspose alike, and that it leaves no tensor or heap buffer behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { countingConv2D, fixed, wasmDataIds } from '../helpers/wasmKernels.js';

type Shape4 = [number, number, number, number];


/** The transposed convolution of dy by w to `xs` on the current backend, as an array. */
function transposed(xs: Shape4, fs: Shape4, strides: [number, number], pad: 'same' | 'valid'): { out: Float32Array; convolutions: number } {
  return tf.tidy(() => {
    const dyShape = tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, strides, pad).shape;
    const dy = fixed(dyShape, 3) as tf.Tensor4D;
    const w = fixed(fs, 4) as tf.Tensor4D;
    const [out, convolutions] = tf.getBackend() === 'wasm' ? countingConv2D(() => tf.conv2dTranspose(dy, w, xs, strides, pad)) : [tf.conv2dTranspose(dy, w, xs, strides, pad), 0];
    return { out: out.dataSync() as Float32Array, convolutions };
  });
}

/** The largest difference relative to the largest magnitude. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let mag = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    mag = Math.max(mag, Math.abs(b[i]!));
  }
  return diff / mag;
}

/** [dx shape, filter shape [kh, kw, C, F], strides, pad]. */
type Case = [Shape4, Shape4, [number, number], 'same' | 'valid'];

describe('Conv2DBackpropInput as a product and col2im (wasm)', () => {
  afterAll(() => {
    kernelOptions.col2imInputGrad = true;
  });

  it("is taken for strided convolutions, and gives the cpu backend's and the phases' values within rounding", async () => {
    const cases: Case[] = [
      [[3, 13, 13, 32], [3, 3, 32, 16], [2, 2], 'valid'], // exercise 8's conv AE decoder (6 -> 13)
      [[2, 14, 14, 8], [3, 3, 8, 12], [2, 2], 'same'],
      [[2, 11, 9, 4], [3, 3, 4, 5], [2, 2], 'valid'], // odd sizes
      [[1, 10, 13, 4], [5, 5, 4, 3], [3, 3], 'same'],
      [[2, 9, 10, 4], [3, 3, 4, 6], [3, 2], 'same'], // unequal strides: columns only have zero taps
      [[2, 5, 5, 4], [3, 3, 4, 2], [2, 2], 'same'], // output larger than the taps reach
      [[3, 14, 14, 8], [4, 4, 8, 16], [2, 2], 'same'], // DCGAN's 4x4/2 (even: no zero taps)
      [[2, 8, 9, 4], [2, 2, 4, 3], [2, 2], 'valid'], // no overlap
      // Output stages (switch col2imOutputStages): channels not a multiple of 4, one channel a step.
      [[2, 28, 28, 1], [4, 4, 1, 8], [2, 2], 'same'], // DCGAN's generator output (14 -> 28)
      [[3, 28, 28, 1], [3, 3, 1, 8], [2, 2], 'valid'], // exercise 8's decoder output (13 -> 28)
      [[2, 13, 13, 6], [3, 3, 6, 8], [2, 2], 'valid'],
      [[2, 10, 11, 3], [5, 5, 3, 4], [3, 2], 'same'],
      [[2, 8, 8, 2], [3, 3, 2, 5], [2, 2], 'same'],
    ];
    for (const [xs, fs, strides, pad] of cases) {
      const name = `${xs} ${fs} ${strides} ${pad}`;
      await useBackend('cpu');
      const cpu = transposed(xs, fs, strides, pad).out;
      await useBackend('wasm');
      const tensors = tf.memory().numTensors;
      const dataIds = wasmDataIds();
      const fast = transposed(xs, fs, strides, pad);
      expect(fast.convolutions, name).toBe(0);
      expect(tf.memory().numTensors, name).toBe(tensors);
      expect(wasmDataIds(), name).toBe(dataIds);
      kernelOptions.col2imInputGrad = false;
      const phases = transposed(xs, fs, strides, pad);
      kernelOptions.col2imInputGrad = true;
      expect(phases.convolutions, name).toBeGreaterThan(0);
      expect(fast.out.length, name).toBe(cpu.length);
      expect(relativeError(fast.out, cpu), name).toBeLessThan(1e-6);
      expect(relativeError(fast.out, phases.out), name).toBeLessThan(1e-6);
    }
  });

  it('is not taken for stride 1, nor for output stages with col2imOutputStages off', async () => {
    await useBackend('wasm');
    const declined: Array<[Case, boolean]> = [
      [[[2, 8, 8, 8], [3, 3, 8, 8], [1, 1], 'same'], true],
      [[[2, 13, 13, 6], [3, 3, 6, 8], [2, 2], 'valid'], false],
      [[[2, 28, 28, 1], [3, 3, 1, 8], [2, 2], 'same'], false],
      [[[2, 14, 14, 2], [3, 3, 2, 8], [2, 2], 'same'], false],
    ];
    try {
      for (const [[xs, fs, strides, pad], stages] of declined) {
        kernelOptions.col2imOutputStages = stages;
        expect(transposed(xs, fs, strides, pad).convolutions, `${xs} ${fs} ${strides}`).toBeGreaterThan(0);
      }
    } finally {
      kernelOptions.col2imOutputStages = true;
    }
  });

  it("gives a strided Conv2D's input gradient as the cpu backend does", async () => {
    const grad = () =>
      tf.tidy(() => {
        const x = fixed([3, 14, 14, 8], 1);
        const w = fixed([3, 3, 8, 16], 2) as tf.Tensor4D;
        const weights = fixed([3, 7, 7, 16], 5);
        return tf.grad((xi: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xi as tf.Tensor4D, w, 2, 'same'), weights)))(x).dataSync() as Float32Array;
      });
    await useBackend('cpu');
    const cpu = grad();
    await useBackend('wasm');
    const [wasm, convolutions] = countingConv2D(grad);
    // The forward convolution only: the input gradient is the product and col2im.
    expect(convolutions).toBe(1);
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
  });
});
