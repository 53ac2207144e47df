/**
 * SeparableConv2D and BatchNormalization train on wasm: every gradient of a tiny classifier holding them
 * (and the assessment's other layers) agrees with the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { classifier, oneHot, useBackend } from '../../../src/index.js';
import { softmaxCrossEntropy, variablesOf } from '../../../src/advanced.js';

async function gradients(backend: 'cpu' | 'wasm'): Promise<{ names: string[]; values: Float32Array[] }> {
  await useBackend(backend);
  const clf = classifier({
    inputShape: [7, 7, 2],
    numClasses: 3,
    layers: [
      { type: 'conv2d', filters: 4, padding: 'same', activation: 'linear' },
      { type: 'batchNorm' },
      { type: 'activation', activation: 'relu' },
      { type: 'separableConv2d', filters: 5, kernelSize: 3, padding: 'same', depthMultiplier: 2 },
      { type: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' },
      { type: 'batchNorm' },
      { type: 'separableConv2d', filters: 6, kernelSize: [3, 2], strides: 2, padding: 'valid' },
      { type: 'globalAvgPool2d' },
    ],
    seed: 11,
  });
  const x = tf.randomUniform([5, 7, 7, 2], 0, 1, 'float32', 3);
  const y = oneHot([0, 1, 2, 1, 0], 3);
  const variables = variablesOf(clf.model, true);
  const { grads } = tf.variableGrads(() => {
    const out = tf.log(clf.model.apply(x, { training: true }) as tf.Tensor);
    return softmaxCrossEntropy(y, out);
  }, variables);
  const names = clf.model.trainableWeights.map((w) => w.originalName);
  const values = variables.map((v) => Float32Array.from(grads[v.name]!.dataSync()));
  tf.dispose([x, y, ...Object.values(grads)]);
  clf.dispose();
  return { names, values };
}

describe('SeparableConv2D and BatchNormalization gradients', () => {
  it('agree between wasm and cpu for every trainable weight', async () => {
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    expect(wasm.names).toEqual(cpu.names);
    expect(cpu.names.filter((n) => n.includes('separable')).length).toBe(6);
    cpu.values.forEach((g, i) => {
      const scale = Math.max(1e-3, ...g.map(Math.abs));
      const worst = Math.max(...g.map((v, j) => Math.abs(v - wasm.values[i]![j]!)));
      expect(worst / scale, cpu.names[i]).toBeLessThan(1e-4);
      expect(g.some((v) => v !== 0), cpu.names[i]).toBe(true);
    });
  });
});
