/**
 * wasm matMul GFLOP/s in this process, on the threads asked for (run once per thread count: the wasm
 * backend fixes its threads when it starts):
 *
 *   npx tsx bench/matmul.ts --threads 1
 *   npx tsx bench/matmul.ts --threads 2
 *
 * Shapes: a dense AE layer at batch 64 (64x784x256) and 512^3; "fixed B" reuses the right operand (XNNPACK
 * packs it once and caches it), "fresh B" makes a new one each call, as training does after every update.
 * Prints one JSON line: best-of-windows GFLOP/s by wall time and by process CPU time.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { useBackend } from '../src/index.js';

const i = process.argv.indexOf('--threads');
const threads = i >= 0 ? Number(process.argv[i + 1]) : 1;
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

const result = {
  threads: info.threads,
  load: os.loadavg().map((v) => Math.round(v * 100) / 100),
  '64x784x256 fixed B': gflops(64, 784, 256, false),
  '64x784x256 fresh B': gflops(64, 784, 256, true),
  '512^3 fixed B': gflops(512, 512, 512, false),
  '512^3 fresh B': gflops(512, 512, 512, true),
};
process.stdout.write(JSON.stringify(result) + '\n');
