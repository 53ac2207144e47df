/**
 * A wasm start that fails (binaries not where wasmPaths says) leaves the backend that was active before
 * active, says so, and refuses other paths afterwards with an explanation (tfjs keeps the first ones).
 * A process of its own: tfjs cannot start wasm again with new paths after a failure.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { BackendError, useBackend } from '../../src/index.js';

it('a failed wasm start gives the previous backend back', async () => {
  await useBackend('cpu');
  const err = await useBackend('wasm', { wasmPaths: '/nonexistent/' }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(BackendError);
  expect((err as Error).message).toBe(
    'latentkit: backend "wasm" failed to initialise from wasmPaths = "/nonexistent/": expected a folder serving ' +
      'tfjs-backend-wasm.wasm, tfjs-backend-wasm-simd.wasm, tfjs-backend-wasm-threaded-simd.wasm (the console shows the fetch that failed). ' +
      'tf.getBackend() is back to "cpu".',
  );
  expect(tf.getBackend()).toBe('cpu');
  // Work goes on on cpu.
  expect(Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1)).dataSync())).toEqual([2, 3]);

  await expect(useBackend('wasm', { wasmPaths: '/elsewhere/' })).rejects.toThrow(
    /already failed to start from wasmPaths = "\/nonexistent\/".*reload the page \(or restart the process\)/,
  );
  expect(tf.getBackend()).toBe('cpu');
});
