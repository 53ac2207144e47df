/**
 * The measures of src/eval: the ring of Gaussians, mode coverage, sample quality through a classifier,
 * and the scatter plot.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError, useBackend } from '../../src/index.js';
import { modeCoverage, ringOfGaussians, sampleQuality, scatterPlot } from '../../src/index.js';

beforeAll(async () => {
  await useBackend('cpu');
});

describe('ringOfGaussians', () => {
  it('draws from evenly spaced modes on the circle, reproducibly from the seed', () => {
    const a = ringOfGaussians({ modes: 8, radius: 2, stddev: 0.02, n: 4000, seed: 5 });
    const b = ringOfGaussians({ modes: 8, radius: 2, stddev: 0.02, n: 4000, seed: 5 });
    expect(Array.from(a.points)).toEqual(Array.from(b.points));
    expect(a.x.shape).toEqual([4000, 2]);
    expect(a.centers).toHaveLength(8);
    expect(a.centers[2]![0]).toBeCloseTo(0, 6);
    expect(a.centers[2]![1]).toBeCloseTo(2, 6);
    // Every mode is used about equally, every point lies near its own centre.
    const perMode = new Array(8).fill(0);
    let worst = 0;
    for (let i = 0; i < 4000; i++) {
      const k = a.mode[i]!;
      perMode[k]++;
      worst = Math.max(worst, Math.hypot(a.points[2 * i]! - a.centers[k]![0], a.points[2 * i + 1]! - a.centers[k]![1]));
    }
    expect(Math.min(...perMode)).toBeGreaterThan(400);
    expect(worst).toBeLessThan(0.02 * 5.5);
    const cover = modeCoverage(a.x, a.centers, { radius: 3 * a.stddev });
    expect(cover.modesHit).toBe(8);
    // 3 standard deviations in 2-D hold 1 - exp(-4.5) = 98.9% of a Gaussian.
    expect(cover.highQualityShare).toBeGreaterThan(0.98);
    expect(cover.counts.reduce((s, c) => s + c, 0)).toBe(Math.round(cover.highQualityShare * 4000));
    a.x.dispose();
    b.x.dispose();
  });

  it('rejects bad options, naming them', () => {
    expect(() => ringOfGaussians({ modes: 0 })).toThrow(/ringOfGaussians\.modes/);
    expect(() => ringOfGaussians({ radius: -1 })).toThrow(ConfigError);
    expect(() => ringOfGaussians({ stddev: Number.NaN })).toThrow(/ringOfGaussians\.stddev/);
  });
});

describe('modeCoverage', () => {
  const centers = [[0, 0], [10, 0], [0, 10]];

  it('counts high-quality samples per nearest mode, and modes hit', () => {
    const samples = [[0.1, 0], [0, -0.2], [10, 0.3], [5, 5], [9.5, 0], [20, 20]];
    const c = modeCoverage(samples, centers, { radius: 0.5 });
    expect(c).toEqual({ modesHit: 2, modes: 3, highQualityShare: 4 / 6, counts: [2, 2, 0], samples: 6 });
    expect(modeCoverage(samples, centers, { radius: 0.5, minCount: 3 }).modesHit).toBe(0);
    const t = tf.tensor2d(samples);
    expect(modeCoverage(t, tf.tensor2d(centers), { radius: 0.5 }).counts).toEqual([2, 2, 0]);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('rejects a missing radius and mismatched dimensions', () => {
    expect(() => modeCoverage([[0, 0]], centers, {} as never)).toThrow(/modeCoverage\.radius/);
    expect(() => modeCoverage([[0, 0, 0]], centers, { radius: 1 })).toThrow(InputError);
  });
});

describe('sampleQuality', () => {
  it('reports the confident share and the entropy of the predicted labels', () => {
    // A "classifier" that returns fixed probabilities.
    const probs = tf.tensor2d([
      [0.95, 0.05, 0],
      [0.05, 0.95, 0],
      [0.2, 0.3, 0.5],
      [0, 0, 1],
    ]);
    const q = sampleQuality((x) => tf.gatherND(probs, tf.cast(tf.reshape(tf.slice(x, [0, 0], [-1, 1]), [-1, 1]), 'int32')), tf.tensor2d([[0], [1], [2], [3]]), {
      batchSize: 3,
    });
    expect(q.histogram).toEqual([1, 1, 2]);
    expect(q.confidentShare).toBe(0.75);
    const h = -(0.25 * Math.log(0.25) * 2 + 0.5 * Math.log(0.5));
    expect(q.labelEntropy).toBeCloseTo(h, 6);
    expect(q.normalizedEntropy).toBeCloseTo(h / Math.log(3), 6);
    probs.dispose();
  });

  it('works with a tfjs-layers model, and treats outputs that are not probabilities as logits', () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 4, inputShape: [3], kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) })] });
    const x = tf.randomNormal([20, 3], 0, 1, 'float32', 2);
    const before = tf.memory().numTensors;
    const q = sampleQuality(model, x);
    expect(tf.memory().numTensors).toBe(before);
    expect(q.samples).toBe(20);
    expect(q.histogram.reduce((a, b) => a + b, 0)).toBe(20);
    expect(q.meanConfidence).toBeGreaterThan(0.25);
    expect(q.meanConfidence).toBeLessThanOrEqual(1);
    expect(() => sampleQuality(model, x, { confidence: 0 })).toThrow(/sampleQuality\.confidence/);
    model.dispose();
    x.dispose();
  });

  it.each(['cpu', 'wasm'] as const)('with the labels the samples were made as, reports how often the classifier agrees (%s)', async (backend) => {
    await useBackend(backend);
    try {
      const probs = tf.tensor2d([
        [0.95, 0.05, 0],
        [0.05, 0.95, 0],
        [0.2, 0.3, 0.5],
        [0, 0, 1],
      ]);
      const judge = (x: tf.Tensor) => tf.gatherND(probs, tf.cast(tf.reshape(tf.slice(x, [0, 0], [-1, 1]), [-1, 1]), 'int32'));
      const x = tf.tensor2d([[0], [1], [2], [3]]);
      const before = tf.memory().numTensors;
      // Predicted classes 0, 1, 2, 2: the asked-for 0, 1, 2, 0 agree three times out of four.
      expect(sampleQuality(judge, x, { labels: [0, 1, 2, 0], batchSize: 3 }).agreement).toBe(0.75);
      const asTensor = tf.tensor1d([1, 1, 2, 2], 'int32');
      expect(sampleQuality(judge, x, { labels: asTensor }).agreement).toBe(0.75);
      expect(sampleQuality(judge, x, { labels: Int32Array.from([0, 1, 2, 2]) }).agreement).toBe(1);
      expect(sampleQuality(judge, x).agreement).toBeUndefined();
      expect(() => sampleQuality(judge, x, { labels: [0, 1] })).toThrow(InputError);
      expect(() => sampleQuality(judge, x, { labels: [0, 1, 2, 0.5] })).toThrow(/sampleQuality\.labels/);
      expect(() => sampleQuality(judge, x, { labels: 'abc' as never })).toThrow(ConfigError);
      expect(tf.memory().numTensors).toBe(before + 1);
      tf.dispose([probs, x, asTensor]);
    } finally {
      await useBackend('cpu');
    }
  });
});

describe('scatterPlot', () => {
  it('draws the points and the centres as an SVG document', () => {
    const svg = scatterPlot([[0, 0], [1, 1], [100, 100]], { title: 'a <b>', centers: [[0, 0]], extent: [-2, 2] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg).toContain('a &lt;b&gt;');
    // Two points inside the extent, one outside (dropped), one centre ring.
    expect(svg.match(/<circle [^>]*r="1.6"/g)).toHaveLength(2);
    expect(svg.match(/stroke="#d62728"/g)).toHaveLength(1);
    expect(() => scatterPlot([[0, 0]], { extent: [1, 0] })).toThrow(/scatterPlot\.extent/);
  });
});
