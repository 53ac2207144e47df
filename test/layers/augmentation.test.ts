/**
 * RandomZoom and RandomContrast: the identity in inference; while training, each image gets its own
 * factor, drawn uniformly from the documented range (estimated from ramps and from standard deviations),
 * reproducible from the seed; the same on cpu and wasm; saved and loaded with a model.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { ConfigError, randomContrast, RandomContrast, randomZoom, RandomZoom, useBackend } from '../../src/index.js';

const SIZE = 33; // odd: the centre is a pixel
const C = (SIZE - 1) / 2;

/** `n` copies of a 2-channel image: channel 0 a horizontal ramp (x / 32), channel 1 a vertical one. */
function ramps(n: number): tf.Tensor4D {
  const one = new Float32Array(SIZE * SIZE * 2);
  for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) one.set([x / (SIZE - 1), y / (SIZE - 1)], (y * SIZE + x) * 2);
  const all = new Float32Array(n * one.length);
  for (let i = 0; i < n; i++) all.set(one, i * one.length);
  return tf.tensor4d(all, [n, SIZE, SIZE, 2]);
}

/** The zoom of each image in x and y, read off the slope of the ramps at the centre. */
function zooms(out: tf.Tensor): { zx: number[]; zy: number[] } {
  const v = out.dataSync();
  const at = (i: number, y: number, x: number, c: number) => v[((i * SIZE + y) * SIZE + x) * 2 + c]!;
  const n = out.shape[0]!;
  const zx: number[] = [];
  const zy: number[] = [];
  for (let i = 0; i < n; i++) {
    zx.push(((at(i, C, C + 1, 0) - at(i, C, C - 1, 0)) / 2) * (SIZE - 1));
    zy.push(((at(i, C + 1, C, 1) - at(i, C - 1, C, 1)) / 2) * (SIZE - 1));
  }
  return { zx, zy };
}

const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  it('RandomZoom: the identity in inference, per-image zooms uniform in 1 +- factor while training, aspect kept', async () => {
    await useBackend(backend);
    const x = ramps(200);
    const layer = randomZoom({ factor: 0.1, seed: 3 });
    const before = tf.memory().numTensors;
    for (const kwargs of [{}, { training: false }]) {
      const same = layer.apply(x, kwargs) as tf.Tensor;
      expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
      same.dispose();
    }
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    expect(out.shape).toEqual(x.shape);
    const { zx, zy } = zooms(out);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    zx.forEach((z, i) => {
      expect(z).toBeGreaterThan(0.9 - 1e-3);
      expect(z).toBeLessThan(1.1 + 1e-3);
      expect(Math.abs(z - zy[i]!)).toBeLessThan(1e-3);
    });
    expect(Math.min(...zx)).toBeLessThan(0.92);
    expect(Math.max(...zx)).toBeGreaterThan(1.08);
    expect(Math.abs(mean(zx) - 1)).toBeLessThan(0.015);
    const below = zx.filter((z) => z < 1).length / zx.length;
    expect(below).toBeGreaterThan(0.4);
    expect(below).toBeLessThan(0.6);
    x.dispose();
  });

  it('RandomZoom: a separate width range, a one-sided range, seeded sequences', async () => {
    await useBackend(backend);
    const x = ramps(100);
    const wide = randomZoom({ factor: [-0.3, -0.2], widthFactor: [0.1, 0.2], seed: 1 });
    const out = wide.apply(x, { training: true }) as tf.Tensor;
    const { zx, zy } = zooms(out);
    for (const [zs, [low, high]] of [[zy, [0.7, 0.8]], [zx, [1.1, 1.2]]] as const) {
      expect(Math.min(...zs)).toBeGreaterThan(low - 1e-3);
      expect(Math.max(...zs)).toBeLessThan(high + 1e-3);
    }
    const seq = (layer: RandomZoom) => [0, 1].map(() => tf.tidy(() => Array.from((layer.apply(x, { training: true }) as tf.Tensor).dataSync())));
    const [a, b, c] = [seq(randomZoom({ factor: 0.2, seed: 9 })), seq(randomZoom({ factor: 0.2, seed: 9 })), seq(randomZoom({ factor: 0.2, seed: 10 }))];
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[0]).not.toEqual(c[0]);
    tf.dispose([x, out]);
  });

  it('RandomContrast: the identity in inference, per-image factors uniform in 1 +- factor, means kept, clipped to valueRange', async () => {
    await useBackend(backend);
    const n = 200;
    const x = tf.randomUniform([n, 8, 8, 3], 0.3, 0.7, 'float32', 4) as tf.Tensor4D;
    const layer = randomContrast({ factor: 0.2, seed: 5 });
    const before = tf.memory().numTensors;
    const same = layer.apply(x) as tf.Tensor;
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    same.dispose();
    const out = layer.apply(x, { training: true }) as tf.Tensor;
    const factors = tf.tidy(() => {
      const std = (t: tf.Tensor) => tf.sqrt(tf.moments(t, [1, 2]).variance);
      return Array.from(tf.div(std(out), std(x)).dataSync());
    });
    const meanShift = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.mean(out, [1, 2]), tf.mean(x, [1, 2])))).dataSync()[0]!);
    out.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(meanShift).toBeLessThan(1e-5);
    for (let i = 0; i < n; i++) {
      // One factor per image, shared by its channels.
      expect(factors[i * 3]!).toBeGreaterThan(0.8 - 1e-4);
      expect(factors[i * 3]!).toBeLessThan(1.2 + 1e-4);
      expect(Math.abs(factors[i * 3]! - factors[i * 3 + 2]!)).toBeLessThan(1e-4);
    }
    const perImage = factors.filter((_, j) => j % 3 === 0);
    expect(Math.min(...perImage)).toBeLessThan(0.82);
    expect(Math.max(...perImage)).toBeGreaterThan(1.18);
    expect(Math.abs(mean(perImage) - 1)).toBeLessThan(0.02);
    const strong = randomContrast({ factor: [0, 5], seed: 1 });
    const clipped = tf.tidy(() => {
      const o = strong.apply(tf.randomUniform([20, 4, 4, 1], 0, 1, 'float32', 2), { training: true }) as tf.Tensor;
      return [tf.min(o).dataSync()[0]!, tf.max(o).dataSync()[0]!];
    });
    expect(clipped[0]).toBeGreaterThanOrEqual(0);
    expect(clipped[1]).toBeLessThanOrEqual(1);
    expect(clipped[1]! - clipped[0]!).toBeGreaterThan(0.99);
    x.dispose();
  });
});

/** TensorFlow's ImageProjectiveTransform coordinate mapping (image_ops.h) for one axis (wrap: see below). */
function mapCoord(v: number, len: number, mode: string): number {
  if (mode === 'reflect') {
    const sz2 = 2 * len;
    if (v < 0) {
      if (v < -sz2) v = sz2 * Math.trunc(-v / sz2) + v;
      v = v < -len ? v + sz2 : -v - 1;
    } else if (v > len - 1) {
      v -= sz2 * Math.trunc(v / sz2);
      if (v >= len) v = sz2 - v - 1;
    }
    return Math.min(Math.max(v, 0), len - 1);
  }
  // Periodic: TensorFlow clamps a coordinate between the last pixel and the seam to the first pixel;
  // latentkit interpolates across the seam (the documented difference).
  if (mode === 'wrap') return ((v % len) + len) % len;
  if (mode === 'nearest') return Math.min(Math.max(v, 0), len - 1);
  return v;
}

/** TensorFlow's zoom of one single-channel image by `z` about its centre, bilinear, filled as `mode`. */
function referenceZoom(img: number[][], z: number, mode: string, fill: number): number[][] {
  const [h, w] = [img.length, img[0]!.length];
  const read = (y: number, x: number) => (mode === 'wrap' ? img[y % h]![x % w]! : y >= 0 && y < h && x >= 0 && x < w ? img[y]![x]! : fill);
  return img.map((_, oy) =>
    img[0]!.map((__, ox) => {
      const y = mapCoord(z * oy + ((h - 1) / 2) * (1 - z), h, mode);
      const x = mapCoord(z * ox + ((w - 1) / 2) * (1 - z), w, mode);
      const [y0, x0] = [Math.floor(y), Math.floor(x)];
      const [y1, x1] = [y0 + 1, x0 + 1];
      const top = (x1 - x) * read(y0, x0) + (x - x0) * read(y0, x1);
      const bottom = (x1 - x) * read(y1, x0) + (x - x0) * read(y1, x1);
      return (y1 - y) * top + (y - y0) * bottom;
    }),
  );
}

describe('the augmentation layers across backends and in saved models', () => {
  it.each(['reflect', 'wrap', 'nearest', 'constant'] as const)("RandomZoom fills as TensorFlow's transforms do: %s", async (fillMode) => {
    const img = Array.from({ length: 7 }, (_, y) => Array.from({ length: 6 }, (_, x) => (x * 7 + y * 3) % 11));
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      for (const z of [1.6, 0.7]) {
        const layer = randomZoom({ factor: [z - 1, z - 1], fillMode, fillValue: -2, seed: 1 });
        const out = tf.tidy(() => (layer.apply(tf.tensor4d(img.flat().concat(img.flat()), [2, 7, 6, 1]), { training: true }) as tf.Tensor).arraySync() as number[][][][]);
        const expected = referenceZoom(img, z, fillMode, -2);
        for (const image of out) image.forEach((row, y) => row.forEach(([v], x) => expect(v, `${backend} z ${z} (${y}, ${x})`).toBeCloseTo(expected[y]![x]!, 4)));
      }
    }
  });

  it('give the same zooms and contrasts on cpu and wasm for the same seed', async () => {
    const run = async (backend: 'cpu' | 'wasm') => {
      await useBackend(backend);
      const x = tf.randomUniform([6, 12, 10, 2], 0, 1, 'float32', 7);
      const z = randomZoom({ factor: 0.3, fillMode: 'reflect', seed: 2 }).apply(x, { training: true }) as tf.Tensor;
      const c = randomContrast({ factor: 0.5, seed: 2 }).apply(x, { training: true }) as tf.Tensor;
      const values = [Array.from(z.dataSync()), Array.from(c.dataSync())];
      tf.dispose([x, z, c]);
      return values;
    };
    const [cpu, wasm] = [await run('cpu'), await run('wasm')];
    for (let k = 0; k < 2; k++) cpu[k]!.forEach((v, i) => expect(Math.abs(v - wasm[k]![i]!)).toBeLessThan(1e-5));
  });

  it('save with a model and load back with their settings (tfjs serialization)', async () => {
    await useBackend('cpu');
    const model = tfl.sequential({
      layers: [
        randomZoom({ factor: [-0.2, 0.1], widthFactor: 0.05, fillMode: 'constant', fillValue: 0.5, seed: 11, inputShape: [6, 6, 1], name: 'zoom' }),
        randomContrast({ factor: [0.3, 0.1], valueRange: null, seed: 12, name: 'contrast' }),
      ],
    });
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(artifacts!));
    const zoom = loaded.getLayer('zoom') as RandomZoom;
    const contrast = loaded.getLayer('contrast') as RandomContrast;
    expect(zoom).toBeInstanceOf(RandomZoom);
    expect([zoom.factor, zoom.widthFactor, zoom.fillMode, zoom.fillValue, zoom.seed]).toEqual([[-0.2, 0.1], [-0.05, 0.05], 'constant', 0.5, 11]);
    expect(contrast).toBeInstanceOf(RandomContrast);
    expect([contrast.factorRange[0], contrast.factorRange[1], contrast.valueRange, contrast.seed]).toEqual([0.7, 1.1, null, 12]);
    const x = tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 1);
    const [a, b] = [model, loaded].map((m) => tf.tidy(() => Array.from((m.apply(x, { training: true }) as tf.Tensor).dataSync())));
    expect(b).toEqual(a);
    x.dispose();
  });

  it('refuse bad arguments, naming them', () => {
    expect(() => randomZoom({ factor: 1.5 })).toThrow(/randomZoom.factor = 1.5/);
    expect(() => randomZoom({ factor: [0.2, 0.1] })).toThrow(ConfigError);
    expect(() => randomZoom({ factor: 0.1, fillMode: 'mirror' as never })).toThrow(/randomZoom.fillMode = "mirror"/);
    expect(() => randomContrast({ factor: -0.1 })).toThrow(/randomContrast.factor = -0.1/);
    expect(() => randomContrast({ factor: [1.2, 0] })).toThrow(/randomContrast.factor/);
    expect(() => randomContrast({ factor: 0.2, valueRange: [1, 0] })).toThrow(/randomContrast.valueRange/);
    const flat = tfl.input({ shape: [5] });
    expect(() => randomZoom({ factor: 0.1 }).apply(flat)).toThrow(/images \[batch, height, width, channels\]/);
  });
});
