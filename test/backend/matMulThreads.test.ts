/**
 * The SIMD product on every thread of a threaded wasm backend (`src/backend/wasm/matMulThreads.ts`):
 * `useBackend('wasm', { threads: 2 })` starts a helper, products divided among the threads are bit for bit the
 * single-threaded ones for every way of dividing them (row blocks, narrow column panels, batches, groups of
 * batches), the helper really takes tasks, nothing is left behind, and a failing product stops the helpers
 * and leaves later products correct on one thread. This file's process has its own wasm backend (vitest
 * runs each file in a fork).
 */
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/useBackend.js';
import { matMulLoop } from '../../src/backend/wasm/matMulKernels.js';
import { MIN_PARALLEL, parallelProduct, productThreads } from '../../src/backend/wasm/matMulThreads.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';

const twoCores = availableParallelism() >= 2;

/** A deterministic float32 tensor with values in [-1, 1]. */
function values(shape: number[], phase: number): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = Math.sin(i * 0.7311 + phase) * Math.cos(i * 0.1234 + phase);
  return tf.tensor(v, shape);
}

/** float32 bit patterns as hex (NaN = NaN, -0 != +0). */
const bits = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer).toString('hex');

/** `run()` with the threaded product on and off: both results' bits, and the tasks the helper ran. */
function onAndOff(run: () => tf.Tensor): { threaded: string; single: string; helped: number; posted: number } {
  const before = productThreads(tf.backend());
  const a = run();
  const after = productThreads(tf.backend());
  kernelOptions.threadedMatMul = false;
  try {
    const b = run();
    const out = { threaded: bits(a), single: bits(b), helped: after.helped - before.helped, posted: after.posted - before.posted };
    tf.dispose([a, b]);
    return out;
  } finally {
    kernelOptions.threadedMatMul = true;
  }
}

describe.runIf(twoCores)('the SIMD product on two threads', () => {
  beforeAll(async () => {
    const info = await useBackend('wasm', { threads: 2 });
    expect(info.threads).toBe(2);
  });

  it('useBackend started one helper on the shared heap', () => {
    expect(productThreads(tf.backend()).threads).toBe(2);
  });

  // [batch of A, batch of B, m, k, n, transposeA, transposeB]: row blocks (m >= 8), few rows and narrow
  // panels (m <= 4), panels of 128 with a remainder, Cᵀ written transposed (both transposed), batches with
  // one operand broadcast, and more tasks than one post holds (4,095: posted in groups of batches).
  const cases: Array<[number[], number[], number, number, number, boolean, boolean]> = [
    [[], [], 64, 784, 256, false, false],
    [[], [], 784, 64, 256, true, false],
    [[], [], 64, 256, 784, false, true],
    [[], [], 200, 40, 150, true, true],
    [[], [], 3, 1200, 300, false, false],
    [[], [], 1, 8192, 160, false, false],
    [[], [], 37, 610, 59, false, false],
    [[5], [5], 20, 100, 140, false, false],
    [[6], [], 9, 400, 70, false, true],
    [[], [3], 16, 480, 48, true, false],
    [[5000], [5000], 4, 8, 8, false, false],
  ];

  it('every case is large enough to be divided', () => {
    for (const [ba, bb, m, k, n] of cases) expect(Math.max(ba[0] ?? 1, bb[0] ?? 1) * m * k * n).toBeGreaterThanOrEqual(MIN_PARALLEL);
  });

  it.each(cases)('batch %j x %j, %i x %i x %i (transposed %s, %s): bit for bit one thread, no tensor left', (ba, bb, m, k, n, ta, tb) => {
    const a = values([...ba, ...(ta ? [k, m] : [m, k])], 0.3);
    const b = values([...bb, ...(tb ? [n, k] : [k, n])], 0.8);
    const bias = values([n], 1.1);
    const tensors = tf.memory().numTensors;
    const plain = onAndOff(() => tf.matMul(a, b, ta, tb));
    expect(plain.posted).toBeGreaterThan(0);
    expect(plain.threaded).toBe(plain.single);
    if (ba.length === 0 && bb.length === 0) {
      const fused = onAndOff(() => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, transposeB: tb, bias, activation: 'relu' }));
      expect(fused.threaded).toBe(fused.single);
    }
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([a, b, bias]);
  });

  it('a long k reduced in chunks (accumulated in C) is bit for bit one call over k, on two threads', () => {
    // [m, k, n, transposeA]: 4x8 blocks, a 4-column block and single columns (n = 61), rows past a block (m = 37),
    // the patches' orientation (Aᵀ read down A's columns); k not a multiple of the chunk.
    for (const [m, k, n, ta] of [[37, 1300, 61, false], [288, 2000, 64, true], [9, 6272, 32, true]] as const) {
      const a = values(ta ? [k, m] : [m, k], 0.4);
      const b = values([k, n], 0.5);
      const bias = values([n], 0.6);
      for (const run of [
        () => tf.matMul(a, b, ta, false),
        () => tf.fused.matMul({ a: a as tf.Tensor2D, b: b as tf.Tensor2D, transposeA: ta, bias, activation: 'relu' }),
      ]) {
        const before = productThreads(tf.backend()).posted;
        const chunked = run();
        expect(productThreads(tf.backend()).posted).toBeGreaterThan(before);
        const saved = kernelOptions.productKChunk;
        kernelOptions.productKChunk = 0;
        const whole = run();
        kernelOptions.productKChunk = saved;
        expect(bits(chunked)).toBe(bits(whole));
        tf.dispose([chunked, whole]);
      }
      tf.dispose([a, b, bias]);
    }
  });

  it('the helper takes tasks of a product long enough for it to wake (512^3), and tiny products stay on the calling thread', () => {
    const a = values([512, 512], 0.1);
    const b = values([512, 512], 0.2);
    let helped = 0;
    for (let r = 0; r < 5 && helped === 0; r++) {
      const run = onAndOff(() => tf.matMul(a, b));
      expect(run.threaded).toBe(run.single);
      helped += run.helped;
    }
    expect(helped).toBeGreaterThan(0);
    // 64 x 128 x 64: 0.5M multiply-adds, under MIN_PARALLEL.
    const [sa, sb] = [values([64, 128], 1), values([128, 64], 2)];
    const small = onAndOff(() => tf.matMul(sa, sb));
    expect(small.posted).toBe(0);
    expect(small.threaded).toBe(small.single);
    tf.dispose([sa, sb]);
    tf.dispose([a, b]);
  });

  it('a product that fails (a trap in the loop) throws, stops the helpers, and later products run correctly on one thread', () => {
    const backend = tf.backend();
    const loop = matMulLoop(backend)!;
    // C past the end of the heap: every task traps.
    const beyond = 0x7ff00000;
    const job = { a: 0, aStep: 0, sar: 4, sak: 4, b: 0, bStep: 0, sbk: 4, c: beyond, cStep: 0, scr: 4 * 64, scc: 4, rows: 256, k: 64, cols: 64, bias: 0, flags: 0, batches: 1, kChunk: 64 };
    expect(() => parallelProduct(backend, loop.matmul, job)).toThrow(/out of bounds/);
    expect(productThreads(backend).threads).toBe(1);
    const a = values([64, 400], 0.5);
    const b = values([400, 70], 0.6);
    const run = onAndOff(() => tf.matMul(a, b));
    expect(run.posted).toBe(0);
    expect(run.threaded).toBe(run.single);
    tf.dispose([a, b]);
  });
});
