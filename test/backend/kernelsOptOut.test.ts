/**
 * The opt-out, in a fresh engine (own test file): `useBackend('wasm', { kernelReplacements: false })` keeps
 * tfjs's own kernels (the exact registry entries) while the missing ones stay, training does not install
 * the replacements behind the user's back, and `setKernelReplacements` switches them on and off again.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { convAE, ensureTrainingKernels, latentkitKernels, setKernelReplacements, useBackend } from '../../src/index.js';

// tfjs's own registry entries, captured before latentkit touches them.
const stock = new Map<string, KernelConfig | undefined>(
  latentkitKernels()
    .filter((k) => k.change === 'replaced')
    .map((k) => [`${k.backend}/${k.kernel}`, tf.getKernel(k.kernel, k.backend)]),
);
const replacedNow = () => latentkitKernels().filter((k) => k.change === 'replaced' && k.active).map((k) => `${k.backend}/${k.kernel}`);
const stockInPlace = () => [...stock].every(([key, config]) => tf.getKernel(key.split('/')[1]!, key.split('/')[0]!) === config);

describe('kernel replacements: opt-out', () => {
  it("useBackend('wasm', { kernelReplacements: false }) keeps tfjs's kernels and adds the missing ones", async () => {
    expect([...stock.values()].every((c) => c !== undefined)).toBe(true);
    const info = await useBackend('wasm', { kernelReplacements: false });
    expect(info.addedKernels).toEqual([]);
    expect(replacedNow()).toEqual([]);
    expect(stockInPlace()).toBe(true);
    expect(latentkitKernels().filter((k) => k.change === 'added').every((k) => k.active)).toBe(true);
  });

  it('a conv model trains on the added kernels alone, and training leaves the choice alone', async () => {
    await useBackend('wasm');
    expect(replacedNow()).toEqual([]); // the process-wide choice stands without the option
    const x = tf.randomUniform([16, 8, 8, 1], 0, 1, 'float32', 3);
    const ae = convAE({ inputShape: [8, 8, 1], filters: [4], strides: 2, codeDim: 3, decoder: 'transpose', seed: 2 });
    const loss = (await ae.fit(x, { epochs: 3, batchSize: 8, learningRate: 0.01, verbose: 0 }))['loss']!;
    expect(loss[2]!).toBeLessThan(loss[0]!);
    expect(replacedNow()).toEqual([]);
    expect(ensureTrainingKernels()).toEqual([]);
    ae.dispose();
    x.dispose();
  });

  it('setKernelReplacements(true) installs them for the active backend, false restores the exact originals', async () => {
    const installed = setKernelReplacements(true);
    expect(installed.length).toBe(34);
    expect(replacedNow().every((k) => k.startsWith('wasm/'))).toBe(true);
    expect(ensureTrainingKernels()).toEqual([]); // idempotent
    await useBackend('cpu');
    expect(replacedNow()).toContain('cpu/ResizeNearestNeighborGrad');
    expect(setKernelReplacements(false).sort()).toEqual([...installed, 'ResizeNearestNeighborGrad'].sort()); // wasm's sixteen and cpu's one
    expect(stockInPlace()).toBe(true);
    expect(setKernelReplacements(false)).toEqual([]);
  });
});
