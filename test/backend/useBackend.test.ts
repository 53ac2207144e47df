/**
 * Backend selection in Node: cpu and wasm work and report what they set up; the others fail with errors
 * that say what to do.
 */
import * as tf from '@tensorflow/tfjs-core';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { useBackend, currentBackend, BackendError, ConfigError, undercompleteAE } from '../../src/index.js';

describe('useBackend', () => {
  it('cpu', async () => {
    const info = await useBackend('cpu');
    expect(info).toMatchObject({ name: 'cpu', threads: 1, tfjsVersion: tf.version_core });
    expect(currentBackend()).toBe('cpu');
  });

  it('wasm, from the installed package, with SIMD and the training kernels', async () => {
    const info = await useBackend('wasm', { threads: 2 });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.simd).toBe(true);
    // latentkit starts the threaded SIMD build in Node (see wasmNodeThreads.test.ts), up to the machine's cores.
    expect(info.threads).toBe(Math.min(2, availableParallelism()));
    expect(await useBackend('wasm')).toMatchObject({ name: 'wasm', addedKernels: [] });
  });

  for (const name of ['cpu', 'wasm'] as const) {
    it(`a dense AE trains on ${name}`, async () => {
      await useBackend(name);
      const x = tf.randomUniform([64, 12], 0, 1, 'float32', 1);
      const ae = undercompleteAE({ inputDim: 12, hiddenUnits: [10], codeDim: 3, seed: 1 });
      const h = await ae.fit(x, { epochs: 5, batchSize: 16, learningRate: 0.01, verbose: 0 });
      expect(h['loss']![4]).toBeLessThan(h['loss']![0]!);
      ae.dispose();
      x.dispose();
    });
  }

  it('tensorflow without @tensorflow/tfjs-node installed: says how to install it', async () => {
    const err = await useBackend('tensorflow').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).message).toMatch(/npm install @tensorflow\/tfjs-node@4\.22\.0/);
  });

  it('webgl in Node: says it needs a browser', async () => {
    await expect(useBackend('webgl')).rejects.toThrow(/needs a browser/);
  });

  it('an unknown name lists the valid ones', async () => {
    const err = await useBackend('gpu' as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('latentkit: backend = "gpu": expected one of "wasm", "cpu", "webgl", "tensorflow".');
  });

  it('bad thread counts', async () => {
    await expect(useBackend('wasm', { threads: 0 })).rejects.toThrow(/threads = 0: expected a positive integer/);
  });
});
