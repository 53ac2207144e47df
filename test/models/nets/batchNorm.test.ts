/**
 * Batch normalization in training through latentkit's fused kernels (`src/models/nets/batchNorm.ts`, switch
 * `fusedBatchNormTraining`): the output, the moving mean and variance, and the gradients of x, gamma, beta
 * and the layers around it match tfjs-layers' own (`model.apply` under the tape, the switch off) within
 * float32 rounding, on [rows, C] and image-shaped inputs, with the path asserted by counting its kernels; the
 * kernels against a float64 reference; layers the fused form does not take (C not a multiple of 4, inference)
 * left to tfjs-layers; a DCGAN trains to nearly the same weights either way; no tensor left behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { GAN } from '../../../src/index.js';
import { kernelOptions } from '../../../src/backend/wasm/util.js';
import { applyModel } from '../../../src/models/nets/apply.js';
import { BATCH_NORM_MOMENTS, BATCH_NORM_TRAINING_GRAD } from '../../../src/backend/wasm/batchNormKernels.js';
import { fixed, kernelCalls as calls, onBackend } from '../../helpers/wasmKernels.js';

/** Dense (or conv) -> BatchNormalization -> LeakyReLU -> Dense, with a non-trivial gamma, beta and moving stats. */
function bnModel(shape: number[], channels: number, seed: number): tfl.LayersModel {
  const input = tfl.input({ shape });
  const init = (s: number) => tfl.initializers.randomUniform({ minval: -0.7, maxval: 0.9, seed: seed + s });
  let h: tfl.SymbolicTensor =
    shape.length === 1
      ? (tfl.layers.dense({ units: channels, kernelInitializer: init(1) }).apply(input) as tfl.SymbolicTensor)
      : (tfl.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', kernelInitializer: init(1) }).apply(input) as tfl.SymbolicTensor);
  h = tfl.layers
    .batchNormalization({ momentum: 0.8, epsilon: 1e-3, gammaInitializer: init(2), betaInitializer: init(3), movingMeanInitializer: init(4), movingVarianceInitializer: tfl.initializers.ones() })
    .apply(h) as tfl.SymbolicTensor;
  h = tfl.layers.leakyReLU({ alpha: 0.2 }).apply(h) as tfl.SymbolicTensor;
  if (shape.length > 1) h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, kernelInitializer: init(5) }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: out });
}

/** Runs `f` with the switch set, then restores it. */
function withFused<T>(on: boolean, f: () => T): T {
  const saved = kernelOptions.fusedBatchNormTraining;
  kernelOptions.fusedBatchNormTraining = on;
  try {
    return f();
  } finally {
    kernelOptions.fusedBatchNormTraining = saved;
  }
}

interface Run {
  y: Float32Array;
  grads: Float32Array[];
  dx: Float32Array;
  moving: Float32Array[];
}

/** One training-mode application with the loss sum(y * w): y, the weights' and x's gradients, the moving stats after. */
function step(model: tfl.LayersModel, x: tf.Tensor): Run {
  const bn = model.layers.find((l) => l.getClassName() === 'BatchNormalization')!;
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const saved = bn.getWeights().map((w) => w.clone());
  const out = tf.tidy(() => {
    const w = fixed([x.shape[0]!, 3], 3);
    const f = (xx: tf.Tensor, ...vs: tf.Tensor[]) => {
      void vs;
      return tf.sum(tf.mul(applyModel(model, xx, true), w)) as tf.Scalar;
    };
    const y = applyModel(model, x, true);
    bn.setWeights(saved);
    const { grads } = tf.variableGrads(() => f(x));
    const dx = tf.grad((xx: tf.Tensor) => f(xx))(x);
    return { y, grads: vars.map((v) => grads[v.name]!), dx };
  });
  const moving = bn.getWeights().slice(2).map((w) => w.dataSync() as Float32Array);
  bn.setWeights(saved);
  tf.dispose(saved);
  const r = { y: out.y.dataSync() as Float32Array, grads: out.grads.map((g) => g.dataSync() as Float32Array), dx: out.dx.dataSync() as Float32Array, moving };
  tf.dispose([out.y, out.dx, ...out.grads]);
  return r;
}

/** Every |a - b| within tol times the largest |b| (or times `floor`, if larger). */
function close(a: Float32Array, b: Float32Array, tol: number, floor = 1e-3): void {
  expect(a.length).toBe(b.length);
  let scale = floor;
  for (const v of b) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  expect(Number.isFinite(scale)).toBe(true);
  expect(worst).toBeLessThanOrEqual(tol * scale);
}

describe('fused batch normalization in training (wasm)', () => {
  onBackend('wasm');

  const cases: Array<[string, number[], number, number[]]> = [
    ['dense [64, 12]', [10], 12, [64, 10]],
    ['dense [5, 8] (few rows)', [7], 8, [5, 7]],
    ['conv [6, 5, 5, 16]', [5, 5, 2], 16, [6, 5, 5, 2]],
  ];
  for (const [name, shape, channels, xShape] of cases) {
    it(`${name}: output, moving stats and every gradient as tfjs-layers', by the fused kernels`, () => {
      const model = bnModel(shape, channels, 7);
      const x = fixed(xShape, 1);
      const [fused, n] = calls([BATCH_NORM_MOMENTS, BATCH_NORM_TRAINING_GRAD], () => withFused(true, () => step(model, x)));
      const [plain, m] = calls([BATCH_NORM_MOMENTS, BATCH_NORM_TRAINING_GRAD], () => withFused(false, () => step(model, x)));
      // The forward pass three times (y, the two gradients), a gradient twice.
      expect(n).toBe(5);
      expect(m).toBe(0);
      close(fused.y, plain.y, 2e-5);
      close(fused.dx, plain.dx, 2e-5);
      // The bias before the batch norm has a gradient of 0 but for rounding: compared at the scale of 1.
      fused.grads.forEach((g, i) => close(g, plain.grads[i]!, 2e-5, 1));
      // The batch mean is a float32 sum in tfjs (float64 here): a few ulps of the activations (~1), not of the mean.
      fused.moving.forEach((v, i) => close(v, plain.moving[i]!, 2e-6, 1));
      // The moving stats did move (momentum 0.8 from 0.. and 1).
      expect(Math.abs(fused.moving[1]![0]! - 1)).toBeGreaterThan(1e-3);
      tf.dispose(x);
      model.dispose();
    });
  }

  // Rows around the kernels' blocks of 32, one row (variance 0), channels from 4 to 36.
  const geometries: Array<[number, number]> = [[37, 8], [1, 4], [32, 12], [33, 36], [70, 4]];
  it.each(geometries)('the kernels against a float64 reference (moments, and the closed-form gradients): %i rows x %i channels', (rows, c) => {
    const x = tf.tidy(() => tf.add(tf.mul(fixed([rows, c], 2), 3), 100)); // an offset that a float32 sum would feel
    const dy = fixed([rows, c], 5);
    const gamma = fixed([c], 6);
    const eps = 1e-3;
    const [mean, variance] = tf.engine().runKernel(BATCH_NORM_MOMENTS, { x }) as tf.Tensor[];
    const [dx, dg, db] = tf.engine().runKernel(BATCH_NORM_TRAINING_GRAD, { x, dy, mean: mean!, variance: variance!, scale: gamma }, { varianceEpsilon: eps }) as tf.Tensor[];
    const X = x.dataSync();
    const D = dy.dataSync();
    const G = gamma.dataSync();
    for (let j = 0; j < c; j++) {
      let s = 0;
      for (let i = 0; i < rows; i++) s += X[i * c + j]!;
      const mu = s / rows;
      let v = 0;
      for (let i = 0; i < rows; i++) v += (X[i * c + j]! - mu) ** 2;
      v /= rows;
      expect(mean!.dataSync()[j]).toBeCloseTo(mu, 4);
      expect(Math.abs(variance!.dataSync()[j]! - v)).toBeLessThanOrEqual(1e-5 * v);
      const r = 1 / Math.sqrt(v + eps);
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < rows; i++) {
        s1 += D[i * c + j]!;
        s2 += D[i * c + j]! * (X[i * c + j]! - mu) * r;
      }
      expect(Math.abs(db!.dataSync()[j]! - s1)).toBeLessThan(1e-5 * Math.max(1, Math.abs(s1)));
      expect(Math.abs(dg!.dataSync()[j]! - s2)).toBeLessThan(1e-4 * Math.max(1, Math.abs(s2)));
      for (let i = 0; i < rows; i++) {
        const xh = (X[i * c + j]! - mu) * r;
        // x near 100 holds (x - mean) to ~4e-6 in float32: dx to ~1e-6 absolute.
        const want = G[j]! * r * (D[i * c + j]! - s1 / rows - (xh * s2) / rows);
        expect(Math.abs(dx!.dataSync()[i * c + j]! - want)).toBeLessThan(1e-4 * Math.max(5e-2, Math.abs(want)));
      }
    }
    tf.dispose([x, dy, gamma, mean!, variance!, dx!, dg!, db!]);
  });

  it('leaves to tfjs-layers what it does not take: C not a multiple of 4, inference, the switch off', () => {
    const odd = bnModel([6], 6, 3);
    const x = fixed([8, 6], 1);
    expect(calls([BATCH_NORM_MOMENTS], () => tf.tidy(() => applyModel(odd, x, true)))[1]).toBe(0);
    const even = bnModel([6], 8, 3);
    expect(calls([BATCH_NORM_MOMENTS], () => tf.tidy(() => applyModel(even, x, false)))[1]).toBe(0);
    expect(calls([BATCH_NORM_MOMENTS], () => withFused(false, () => tf.tidy(() => applyModel(even, x, true))))[1]).toBe(0);
    expect(calls([BATCH_NORM_MOMENTS], () => tf.tidy(() => applyModel(even, x, true)))[1]).toBe(1);
    tf.dispose(x);
    odd.dispose();
    even.dispose();
  });

  it('leaves no tensor behind, forward and backward', () => {
    const model = bnModel([5, 5, 2], 8, 4);
    const x = fixed([4, 5, 5, 2], 2);
    step(model, x); // warm: variables and kernels made once
    const before = tf.memory().numTensors;
    step(model, x);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(x);
    model.dispose();
  });

  it('a DCGAN trains to nearly the same weights and moving stats with the fused form and without', async () => {
    const data = tf.tidy(() => tf.sub(tf.mul(fixed([32, 8, 8, 1], 3, true), 2), 1));
    const train = async (on: boolean) => {
      const saved = kernelOptions.fusedBatchNormTraining;
      kernelOptions.fusedBatchNormTraining = on;
      try {
        const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2 });
        const [, n] = await calls(BATCH_NORM_TRAINING_GRAD, () => gan.fit(data, { epochs: 2, batchSize: 16, verbose: 0, balanceMonitor: false }));
        // Two batch normalizations in the generator, a gradient each per generator step: 2 epochs x 2 batches x
        // 2 generator steps (a DCGAN's default gStepsPerD).
        expect(n).toBe(on ? 16 : 0);
        const w = gan.generator.getWeights().map((t) => t.dataSync() as Float32Array);
        gan.dispose();
        return w;
      } finally {
        kernelOptions.fusedBatchNormTraining = saved;
      }
    };
    const [a, b] = [await train(true), await train(false)];
    expect(a.length).toBe(b.length);
    a.forEach((w, i) => close(w, b[i]!, 1e-3));
    tf.dispose(data);
  });
});
