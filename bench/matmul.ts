/**
 * wasm matMul GFLOP/s in this process, on the threads asked for (run once per thread count: the wasm
 * backend fixes its threads when it starts):
 *
 *   npx tsx bench/matmul.ts --threads 1
 *   npx tsx bench/matmul.ts --threads 2
 *
 * Shapes: a dense AE layer at batch 64 (64x784x256), the dense VAE's widest (128x784x512) and 512^3; "fixed
 * B" reuses the right operand (XNNPACK packs it once and caches it), "fresh B" makes a new one each call, as
 * training does after every update. Each is measured with latentkit's SIMD product (`directMatMul`, the
 * default) and with tfjs's XNNPACK kernel, alternated in this process. Prints one JSON line: best-of-windows
 * GFLOP/s by wall time and by process CPU time (GFLOP per CPU-second, times the threads).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { useBackend } from '../src/index.js';
import { kernelOptions } from '../src/backend/wasm/util.js';
import { numberFlag } from './lib/args.js';

const threads = numberFlag(process.argv, '--threads', 1);
const info = await useBackend('wasm', { threads });

function gflops(m: number, k: number, n: number, fresh: boolean): { wall: number; cpu: number } {
  const a = tf.randomNormal([m, k], 0, 1, 'float32', 1) as tf.Tensor2D;
  let b = tf.randomNormal([k, n], 0, 1, 'float32', 2) as tf.Tensor2D;
  let best = 0;
  let bestCpu = 0;
  for (let w = 0; w < 8; w++) {
    let reps = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    while (performance.now() - t0 < 150) {
      if (fresh) {
        const next = tf.add(b, 0) as tf.Tensor2D; // a new tensor with the same values: XNNPACK packs it again
        b.dispose();
        b = next;
      }
      tf.matMul(a, b).dispose();
      reps++;
    }
    const seconds = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    const flop = (2 * m * k * n * reps) / 1e9;
    best = Math.max(best, flop / seconds);
    bestCpu = Math.max(bestCpu, (flop / ((c.user + c.system) / 1e6)) * info.threads);
  }
  tf.dispose([a, b]);
  return { wall: Math.round(best * 10) / 10, cpu: Math.round(bestCpu * 10) / 10 };
}

const shapes: Array<[string, number, number, number]> = [
  ['64x784x256', 64, 784, 256],
  ['128x784x512', 128, 784, 512],
  ['512^3', 512, 512, 512],
];
const result: Record<string, unknown> = { threads: info.threads, load: os.loadavg().map((v) => Math.round(v * 100) / 100) };
for (const [name, m, k, n] of shapes) {
  for (const fresh of [false, true]) {
    const row: Record<string, unknown> = {};
    for (const direct of [true, false]) {
      kernelOptions.directMatMul = direct;
      row[direct ? 'latentkit' : 'xnnpack'] = gflops(m, k, n, fresh);
    }
    result[`${name} ${fresh ? 'fresh' : 'fixed'} B`] = row;
  }
}
kernelOptions.directMatMul = true;
process.stdout.write(JSON.stringify(result) + '\n');
