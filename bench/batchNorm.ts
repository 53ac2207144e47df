/**
 * FusedBatchNorm alone on wasm: latentkit's SIMD loop (switch `simdBatchNorm`) against tfjs's scalar kernel on
 * the DCGAN generator's shapes, alternated, median of `--rounds` rounds of `--calls` calls each; the outputs
 * are compared bit for bit first.
 *
 *   npx tsx bench/batchNorm.ts [--threads 1] [--rounds 7] [--calls 50]
 *
 * Then the gradient of FusedBatchNorm on the same shapes (all five inputs, as BatchNormalization in training
 * needs) with tfjs-core's function and with latentkit's fused terms (switch `fusedBatchNormGrad`), alternated:
 * time per call (forward included) and kernel calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers'; // registers tfjs-core's gradients
import { useBackend } from '../src/backend/useBackend.js';
import { kernelOptions } from '../src/backend/wasm/util.js';
import { median } from './lib/harness.js';
import { numberFlag } from './lib/args.js';

const args = process.argv.slice(2);
const value = (flag: string, dflt: number) => numberFlag(args, flag, dflt);
const threads = value('--threads', 1);
const rounds = value('--rounds', 7);
const calls = value('--calls', 50);
await useBackend('wasm', { threads });

/** x shape and channel count: the dense stage (BatchNormalization over 3136 features) and the conv stage. */
const SHAPES: Array<[number[], number]> = [
  [[64, 3136], 3136],
  [[64, 14, 14, 32], 32],
  [[64, 7, 7, 64], 64],
];

for (const [shape, c] of SHAPES) {
  const x = tf.randomNormal(shape, 0, 2, 'float32', 1);
  const mean = tf.randomNormal([c], 0, 1, 'float32', 2);
  const variance = tf.randomUniform([c], 0.1, 3, 'float32', 3);
  const scale = tf.randomNormal([c], 1, 0.2, 'float32', 4);
  const offset = tf.randomNormal([c], 0, 0.2, 'float32', 5);
  const run = () => tf.batchNorm(x, mean, variance, offset, scale, 1e-3);
  const time = (on: boolean) => {
    kernelOptions.simdBatchNorm = on;
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) run().dispose();
    return (performance.now() - t0) / calls;
  };
  kernelOptions.simdBatchNorm = true;
  const ours = run();
  kernelOptions.simdBatchNorm = false;
  const theirs = run();
  const same = Buffer.from((ours.dataSync() as Float32Array).buffer).equals(Buffer.from((theirs.dataSync() as Float32Array).buffer));
  tf.dispose([ours, theirs]);
  time(false);
  time(true);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(time(false));
    b.push(time(true));
  }
  const ma = median(a);
  const mb = median(b);
  process.stdout.write(
    `x [${shape.join(', ')}]: tfjs ${ma.toFixed(3)} ms, SIMD ${mb.toFixed(3)} ms (${(ma / mb).toFixed(1)}x; ` +
      `${((ma * 1e6) / x.size).toFixed(2)} -> ${((mb * 1e6) / x.size).toFixed(2)} ns a value); bit for bit: ${same}\n`,
  );
  kernelOptions.simdBatchNorm = true;
  tf.dispose([x, mean, variance, scale, offset]);
}

for (const [shape, c] of SHAPES) {
  const x = tf.randomNormal(shape, 0, 2, 'float32', 1);
  const dy = tf.randomNormal(shape, 0, 1, 'float32', 6);
  const params = [tf.randomNormal([c], 0, 1, 'float32', 2), tf.randomUniform([c], 0.1, 3, 'float32', 3), tf.randomNormal([c], 1, 0.2, 'float32', 4), tf.randomNormal([c], 0, 0.2, 'float32', 5)];
  const grads = tf.grads((xx: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) => tf.batchNorm(xx, m, v, o, s, 1e-3));
  const once = () => tf.dispose(grads([x, ...params], dy));
  const names = async () => {
    const profile = await tf.profile(once);
    return `${profile.kernels.length} kernel calls (${[...new Set(profile.kernels.map((k) => k.name))].join(', ')})`;
  };
  const time = (on: boolean) => {
    kernelOptions.fusedBatchNormGrad = on;
    const t0 = performance.now();
    for (let i = 0; i < calls / 5; i++) once();
    return (performance.now() - t0) / (calls / 5);
  };
  kernelOptions.fusedBatchNormGrad = false;
  once();
  const before = await names();
  kernelOptions.fusedBatchNormGrad = true;
  once();
  const after = await names();
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < rounds; r++) {
    a.push(time(false));
    b.push(time(true));
  }
  kernelOptions.fusedBatchNormGrad = true;
  process.stdout.write(
    `gradient (forward included), x [${shape.join(', ')}]: tfjs-core's ${median(a).toFixed(3)} ms, ${before}; ` +
      `fused terms (switch fusedBatchNormGrad) ${median(b).toFixed(3)} ms, ${after}\n`,
  );
  tf.dispose([x, dy, ...params]);
}
