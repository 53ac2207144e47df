/**
 * Conv training on wasm chosen the tfjs way (`setWasmPaths` + `tf.setBackend('wasm')`, no `useBackend`), in a
 * fresh engine (own test file): the kernels tfjs lacks are registered when latentkit is imported, before the
 * wasm backend is even loaded, and latentkit's replacements are installed when a latentkit model trains.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { convAE, latentkitKernels } from '../../src/index.js';

const ADDED = [
  'Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum',
  'LatentkitAdamUpdate', 'LatentkitMomentumUpdate', 'LatentkitRMSPropUpdate', 'LatentkitLeakyReluGrad', 'LatentkitBatchNormGradTerms', 'LatentkitBatchNormMoments', 'LatentkitBatchNormTrainingGrad',
];

describe('wasm chosen with tf.setBackend', () => {
  it('the missing kernels are registered at import, before tfjs-backend-wasm is loaded', () => {
    expect(tf.getKernel('Conv2D', 'wasm')).toBeUndefined(); // tfjs's own wasm kernels: not loaded yet
    for (const name of ADDED) expect(tf.getKernel(name, 'wasm'), name).toBeDefined();
    const replaced = latentkitKernels().filter((k) => k.change === 'replaced');
    expect(replaced.length).toBe(35);
    expect(replaced.every((k) => !k.active)).toBe(true);
  });

  it('a conv autoencoder (Conv2D, max pooling, Conv2DTranspose) trains, and the replacements are installed by training', async () => {
    const { setWasmPaths } = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    setWasmPaths(require.resolve('@tensorflow/tfjs-backend-wasm/package.json').replace(/package\.json$/, 'dist/'));
    expect(await tf.setBackend('wasm')).toBe(true);
    const active = () => latentkitKernels().filter((k) => k.backend === 'wasm' && k.active).map((k) => k.kernel);
    expect(active().sort()).toEqual([...ADDED].sort()); // tfjs's own kernels so far

    const x = tf.randomUniform([24, 12, 12, 1], 0, 1, 'float32', 7);
    const ae = convAE({ inputShape: [12, 12, 1], filters: [4, 6], strides: 2, pooling: [2, 0], codeDim: 4, decoder: 'transpose', seed: 1 });
    const history = await ae.fit(x, { epochs: 4, batchSize: 8, learningRate: 0.01, verbose: 0 });
    const loss = history['loss']!;
    expect(loss.every(Number.isFinite)).toBe(true);
    expect(loss[3]!).toBeLessThan(loss[0]!);
    expect(active().length).toBe(ADDED.length + 34); // every wasm replacement, installed at the start of fit
    expect(tf.getBackend()).toBe('wasm');
    ae.dispose();
    x.dispose();
  });
});
