import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend, interpolate, embeddingOf, reconstructionError, undercompleteAE, ConfigError } from '../../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('interpolate', () => {
  it('linear: includes both ends, evenly spaced', () => {
    const path = interpolate([0, 0], [1, 2], { steps: 5 });
    expect(path.shape).toEqual([5, 2]);
    const v = Array.from(path.dataSync());
    expect(v).toEqual([0, 0, 0.25, 0.5, 0.5, 1, 0.75, 1.5, 1, 2]);
    path.dispose();
  });

  it('spherical: keeps the norm between equal-norm codes, and ends at both', () => {
    const a = tf.tensor2d([[3, 0, 0]]);
    const b = tf.tensor1d([0, 3, 0]);
    const before = tf.memory().numTensors;
    const path = interpolate(a, b, { steps: 7, method: 'spherical' });
    expect(path.shape).toEqual([7, 3]);
    expect(tf.memory().numTensors).toBe(before + 1);
    const norms = tf.tidy(() => tf.norm(path, 'euclidean', 1).dataSync());
    for (const n of norms) expect(n).toBeCloseTo(3, 5);
    const v = path.arraySync() as number[][];
    expect(v[0]).toEqual([3, 0, 0]);
    expect(v[6]![0]).toBeCloseTo(0, 6);
    expect(v[6]![1]).toBeCloseTo(3, 6);
    tf.dispose(path);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([a, b]);
  });

  it('rejects mismatched codes, one step and unknown methods', () => {
    expect(() => interpolate([0, 0], [1, 2, 3])).toThrow(/b = "a code of shape \[3\]": expected the shape of a, \[2\]/);
    expect(() => interpolate([0], [1], { steps: 1 })).toThrow(/interpolate.steps = 1/);
    expect(() => interpolate([0], [1], { method: 'cubic' as never })).toThrow(/interpolate.method = "cubic"/);
    expect(() => interpolate([NaN], [1])).toThrow(/a = .*finite values/);
  });
});

describe('embeddingOf and reconstructionError', () => {
  it('reads a named layer, and lists the names when the name is wrong', async () => {
    const ae = undercompleteAE({ inputDim: 5, hiddenUnits: [4], codeDim: 2, seed: 3 });
    const x = tf.randomUniform([6, 5], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const viaName = embeddingOf(ae.model, 'code', x);
    const viaEncoder = ae.encode(x);
    expect(Array.from(viaName.dataSync())).toEqual(Array.from(viaEncoder.dataSync()));
    expect(embeddingOf(ae.model, 'encoder_1', x).shape).toEqual([6, 4]);
    expect(() => embeddingOf(ae.model, 'cod', x)).toThrow(ConfigError);
    expect(() => embeddingOf(ae.model, 'cod', x)).toThrow(/layerName = "cod": expected one of the model's layers: "input", "encoder_1", "code"/);
    tf.dispose([viaName, viaEncoder]);
    expect(tf.memory().numTensors).toBe(before + 1);
    const report = reconstructionError(ae, x, { metric: 'mse' });
    expect(report.perExample).toHaveLength(6);
    expect(report.mean).toBeCloseTo(report.perExample.reduce((s, v) => s + v, 0) / 6, 6);
    ae.dispose();
    x.dispose();
  });
});
