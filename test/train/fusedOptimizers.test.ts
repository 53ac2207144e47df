/**
 * latentkit's fused optimizers against tfjs's own, on cpu and wasm: the same weights and state bit for
 * bit after several steps, state that moves between the two classes, no tensors left behind, the fused
 * kernel really used, and tfjs's update where it cannot be.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { FusedAdam, FusedMomentum, FusedRMSProp, FusedSGD } from '../../src/advanced.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { simdUpdates } from '../../src/backend/wasm/simdUpdates.js';

// Odd sizes: the wasm SIMD loops' 4-wide body and their scalar tail both run.
const SHAPES = [[7, 5], [13], [1], [64, 3]];
const STEPS = 6;

interface Pair {
  label: string;
  fused: () => tf.Optimizer;
  tfjs: () => tf.Optimizer;
}

const PAIRS: Pair[] = [
  { label: 'adam', fused: () => new FusedAdam(1e-2, 0.9, 0.999), tfjs: () => tf.train.adam(1e-2, 0.9, 0.999) },
  { label: 'adam (beta1 0.5, eps 1e-4)', fused: () => new FusedAdam(3e-3, 0.5, 0.99, 1e-4), tfjs: () => tf.train.adam(3e-3, 0.5, 0.99, 1e-4) },
  { label: 'sgd', fused: () => new FusedSGD(0.05), tfjs: () => tf.train.sgd(0.05) },
  { label: 'momentum', fused: () => new FusedMomentum(0.01, 0.95), tfjs: () => tf.train.momentum(0.01, 0.95) },
  { label: 'nesterov', fused: () => new FusedMomentum(0.01, 0.9, true), tfjs: () => tf.train.momentum(0.01, 0.9, true) },
  { label: 'rmsprop', fused: () => new FusedRMSProp(1e-3, 0.9, 0.5), tfjs: () => tf.train.rmsprop(1e-3, 0.9, 0.5) },
  { label: 'rmsprop centered', fused: () => new FusedRMSProp(1e-3, 0.8, 0.3, 1e-6, true), tfjs: () => tf.train.rmsprop(1e-3, 0.8, 0.3, 1e-6, true) },
];

let serial = 0;
function variables(seed: number): tf.Variable[] {
  const tag = serial++;
  return SHAPES.map((s, k) => tf.variable(tf.randomNormal(s, 0, 1, 'float32', seed + k), true, `fused_test_${tag}_${k}`));
}

/** Gradients of every kind of magnitude, including exact zeros. */
function gradients(step: number): tf.Tensor[] {
  return SHAPES.map((s, k) => tf.tidy(() => tf.mul(tf.randomNormal(s, 0, 1, 'float32', 100 * step + k), tf.scalar(10 ** ((k % 3) - 1)))));
}

function apply(optimizer: tf.Optimizer, vars: tf.Variable[], grads: tf.Tensor[], asArray: boolean): void {
  if (asArray) optimizer.applyGradients(vars.map((v, k) => ({ name: v.name, tensor: grads[k]! })));
  else optimizer.applyGradients(Object.fromEntries(vars.map((v, k) => [v.name, grads[k]!])));
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(new Float32Array(t.dataSync()).buffer));

async function stateBits(o: tf.Optimizer): Promise<number[][]> {
  const w = await o.getWeights();
  const out = w.map((x) => (x.tensor.dtype === 'float32' ? bits(x.tensor) : Array.from(x.tensor.dataSync())));
  // saveIterations makes a new tensor for the iteration count; the state variables are the optimizer's.
  w.filter((x) => x.name === 'iter').forEach((x) => x.tensor.dispose());
  return out;
}

// wasm runs its SIMD loops, and the JavaScript loops where SIMD cannot be instantiated: both are checked.
const RUNS = [
  { backend: 'cpu', simd: false },
  { backend: 'wasm', simd: true },
  { backend: 'wasm', simd: false },
] as const;

for (const { backend, simd } of RUNS) {
  describe(`fused optimizers on ${backend}${backend === 'wasm' ? (simd ? ', SIMD loops' : ', JavaScript loops') : ''}`, () => {
    beforeEach(async () => {
      await useBackend(backend);
      kernelOptions.simdOptimizerLoops = simd;
    });
    afterEach(() => {
      kernelOptions.simdOptimizerLoops = true;
    });

    if (backend === 'wasm' && simd) {
      it('instantiates the SIMD loops on the wasm heap', () => {
        expect(simdUpdates(tf.backend())).toBeDefined();
      });
    }

    it.each(PAIRS)('$label: weights and state bit for bit equal to tfjs after several steps', async ({ fused, tfjs }) => {
      const a = variables(1);
      const b = variables(1);
      const fo = fused();
      const to = tfjs();
      for (let s = 0; s < STEPS; s++) {
        const g = gradients(s);
        const before = tf.memory().numTensors;
        apply(fo, a, g, s % 2 === 0);
        // After the first step (which creates the state), a step makes no tensor that outlives it.
        if (s > 0) expect(tf.memory().numTensors).toBe(before);
        apply(to, b, g, s % 2 === 0);
        tf.dispose(g);
      }
      a.forEach((v, k) => expect(bits(v)).toEqual(bits(b[k]!)));
      expect(await stateBits(fo)).toEqual(await stateBits(to));
      expect(fo.iterations).toBe(STEPS);
      expect(fo.getClassName()).toBe(to.getClassName());
      expect(fo.getConfig()).toEqual(to.getConfig());
      fo.dispose();
      to.dispose();
      tf.dispose([...a, ...b]);
    });

    it('runs one fused kernel per variable (no tfjs elementwise kernels), and tfjs\'s update when switched off', async () => {
      const vars = variables(5);
      const optimizer = new FusedAdam(1e-3, 0.9, 0.999);
      const g = gradients(0);
      const kernels = async () => (await tf.profile(() => apply(optimizer, vars, g, false))).kernels.map((k) => k.name);
      const fusedNames = await kernels();
      expect(fusedNames.filter((n) => n === 'LatentkitAdamUpdate')).toHaveLength(SHAPES.length);
      expect(fusedNames).not.toContain('Sqrt');
      kernelOptions.fusedOptimizers = false;
      try {
        const names = await kernels();
        expect(names).not.toContain('LatentkitAdamUpdate');
        expect(names).toContain('Sqrt');
      } finally {
        kernelOptions.fusedOptimizers = true;
      }
      optimizer.dispose();
      tf.dispose([...vars, ...g]);
    });

    it('state saved from one class continues in the other, bit for bit', async () => {
      for (const [first, second] of [
        [() => new FusedAdam(1e-2, 0.9, 0.999), () => tf.train.adam(1e-2, 0.9, 0.999)],
        [() => tf.train.adam(1e-2, 0.9, 0.999), () => new FusedAdam(1e-2, 0.9, 0.999)],
        [() => new FusedMomentum(0.01, 0.9), () => tf.train.momentum(0.01, 0.9)],
        [() => new FusedRMSProp(1e-3, 0.9, 0.2), () => tf.train.rmsprop(1e-3, 0.9, 0.2)],
      ] as Array<[() => tf.Optimizer, () => tf.Optimizer]>) {
        const a = variables(9);
        const b = variables(9);
        const o1 = first();
        const g0 = gradients(0);
        const g1 = gradients(1);
        apply(o1, a, g0, false);
        apply(o1, a, g1, true);
        // o1's state after two steps, in a fresh optimizer of the other class and of the same class.
        const o2 = second();
        const o3 = first();
        await o2.setWeights(await o1.getWeights());
        await o3.setWeights(await o1.getWeights());
        b.forEach((v, k) => v.assign(a[k]!));
        const g2 = gradients(2);
        apply(o2, a, g2, false);
        apply(o3, b, g2, false);
        a.forEach((v, k) => expect(bits(v)).toEqual(bits(b[k]!)));
        tf.dispose([...g0, ...g1, ...g2]);
        for (const o of [o1, o2, o3]) o.dispose();
        tf.dispose([...a, ...b]);
      }
    });

    it('skips variables without a gradient, as tfjs does', async () => {
      const a = variables(3);
      const b = variables(3);
      const fo = new FusedAdam(1e-2, 0.9, 0.999);
      const to = tf.train.adam(1e-2, 0.9, 0.999);
      const g = gradients(2);
      fo.applyGradients(a.map((v, k) => ({ name: v.name, tensor: k === 1 ? (null as unknown as tf.Tensor) : g[k]! })));
      to.applyGradients(b.map((v, k) => ({ name: v.name, tensor: k === 1 ? (null as unknown as tf.Tensor) : g[k]! })));
      a.forEach((v, k) => expect(bits(v)).toEqual(bits(b[k]!)));
      expect(await stateBits(fo)).toEqual(await stateBits(to));
      fo.dispose();
      to.dispose();
      tf.dispose([...a, ...b, ...g]);
    });
  });
}

afterAll(async () => {
  await useBackend('cpu');
});
