/**
 * LeakyReLU for training (`src/backend/leakyRelu.ts`, `src/backend/wasm/simdActivations.wat`): the embedded
 * bytes are the assembled source; wasm's LeakyRelu loop gives tfjs's wasm kernel's values and the fused
 * gradient kernel tfjs-core's composition's, bit for bit (NaN, signed zeros, infinities, every tail length,
 * alphas of any sign), on wasm and on cpu; a second-order gradient through LeakyReLU still works; nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { LEAKY_RELU_GRAD } from '../../src/backend/leakyRelu.js';
import { SIMD_ACTIVATIONS_PLAIN, SIMD_ACTIVATIONS_SHARED } from '../../src/backend/wasm/simdActivations.bytes.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { setKernelReplacements } from '../../src/index.js';
import { itIsTheAssembledSource, onBackend } from '../helpers/wasmKernels.js';

describe('the embedded activation loops', () => {
  itIsTheAssembledSource('simdActivations', SIMD_ACTIVATIONS_SHARED, SIMD_ACTIVATIONS_PLAIN, ['leaky', 'leakyGrad']);
});

/** Values with every special, and random ones of both signs; length n. */
function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  let h = seed;
  for (let i = 0; i < n; i++) {
    h = (Math.imul(h, 1103515245) + 12345) >>> 0;
    v[i] = ((h / 2 ** 32) - 0.5) * 8;
  }
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 3.4e38, -3.4e38];
  specials.forEach((s, i) => {
    if (i * 7 < n) v[i * 7] = s;
  });
  return v;
}

const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer));

/** tfjs's own: the gradient as tfjs-core composes it, and (on wasm) tfjs's LeakyRelu kernel. */
function withLatentkit<T>(on: boolean, run: () => T): T {
  const saved = kernelOptions.fusedLeakyReluGrad;
  kernelOptions.fusedLeakyReluGrad = on;
  setKernelReplacements(false);
  setKernelReplacements(true);
  try {
    return run();
  } finally {
    kernelOptions.fusedLeakyReluGrad = saved;
    setKernelReplacements(false);
    setKernelReplacements(true);
  }
}

function forwardAndGrad(x: tf.Tensor, dy: tf.Tensor, alpha: number): number[][] {
  return tf.tidy(() => {
    const y = tf.leakyRelu(x, alpha);
    const g = tf.grad((t: tf.Tensor) => tf.leakyRelu(t, alpha))(x, dy);
    return [bits(y.dataSync()), bits(g.dataSync())];
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`LeakyReLU on ${backend}`, () => {
    onBackend(backend);

    it('the fused gradient kernel is registered and used', () => {
      expect(tf.getKernel(LEAKY_RELU_GRAD, backend)).toBeDefined();
      const x = tf.tensor1d([-2, 0, 3]);
      const g = tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.25))(x);
      expect(Array.from(g.dataSync())).toEqual([0.25, 0.25, 1]);
      tf.dispose([x, g]);
    });

    it("gives tfjs's values bit for bit: forward and gradient, specials, every tail length, alphas of any sign", () => {
      for (const n of [0, 1, 2, 3, 4, 5, 7, 8, 9, 63, 1000, 4099]) {
        for (const alpha of [0.2, 0, -0.5, 1.5, 0.3]) {
          const x = tf.tensor1d(values(n, n + 1));
          const dy = tf.tensor1d(values(n, n + 7));
          const ours = withLatentkit(true, () => forwardAndGrad(x, dy, alpha));
          const theirs = withLatentkit(false, () => forwardAndGrad(x, dy, alpha));
          expect(ours, `n ${n} alpha ${alpha}`).toEqual(theirs);
          tf.dispose([x, dy]);
        }
      }
      // And the values themselves: x < 0 ? alpha * x : x (alpha a float32 on wasm, a double on cpu).
      const v = values(101, 3);
      const a = backend === 'wasm' ? Math.fround(0.2) : 0.2;
      const y = tf.tidy(() => tf.leakyRelu(tf.tensor1d(v), 0.2));
      expect(bits(y.dataSync())).toEqual(bits(Array.from(v, (x) => (x < 0 ? a * x : x))));
      y.dispose();
    });

    it('a second-order gradient through LeakyReLU works (tfjs-core\'s composition has none: Greater)', () => {
      const x = tf.tensor1d([-1.5, -0.25, 0.5, 2]);
      // inner(t) = sum((d/du sum(leaky(u) * u))(t)^2) = sum((2 leaky(t))^2): its gradient is 8 leaky(x) leaky'(x).
      const inner = (t: tf.Tensor) => tf.sum(tf.square(tf.grad((u: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(u, 0.2), u)))(t)));
      const got = tf.tidy(() => Array.from(tf.grad(inner)(x).dataSync()));
      [-0.48, -0.08, 4, 16].forEach((want, i) => expect(got[i]).toBeCloseTo(want, 5));
      expect(() => withLatentkit(false, () => tf.tidy(() => tf.grad(inner)(x)))).toThrow(/gradient function not found for Greater/);
      x.dispose();
    });

    it('leaves no tensor behind', () => {
      const x = tf.tensor2d([[-1, 2], [3, -4]]);
      tf.tidy(() => tf.grad((t: tf.Tensor) => tf.leakyRelu(t, 0.1))(x));
      const start = tf.memory().numTensors;
      const { value, grad } = tf.valueAndGrad((t: tf.Tensor) => tf.sum(tf.leakyRelu(t, 0.1)))(x);
      tf.dispose([value, grad]);
      expect(tf.memory().numTensors).toBe(start);
      x.dispose();
    });
  });
}
