import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { setSeed } from '../../src/core/seed.js';
import {
  applyNoise,
  gaussianNoise,
  maskingNoise,
  noiseFromSpec,
  noiseLayer,
  NoiseLayer,
  saltAndPepperNoise,
  uniformNoise,
  type NoiseFn,
  type NoiseSpec,
} from '../../src/index.js';
import { normaliseNoiseSpec } from '../../src/advanced.js';

const N = 100_000;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Runs `f`, reads the result as a Float32Array and disposes it. */
function values(f: () => tf.Tensor): Float32Array {
  const t = f();
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return Float32Array.from(v);
}

function meanVar(v: Float32Array): { mean: number; variance: number } {
  let s = 0;
  for (const a of v) s += a;
  const mean = s / v.length;
  let q = 0;
  for (const a of v) q += (a - mean) ** 2;
  return { mean, variance: q / v.length };
}

function count(v: Float32Array, pred: (a: number) => boolean): number {
  let c = 0;
  for (const a of v) if (pred(a)) c++;
  return c;
}

function expectConfigError(f: () => unknown, ...parts: string[]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  for (const p of parts) expect((caught as Error).message).toContain(p);
}

const ALL: Array<[string, NoiseFn]> = [
  ['gaussian', gaussianNoise({ stddev: 0.5, mean: 0.1 })],
  ['masking', maskingNoise({ rate: 0.3 })],
  ['saltAndPepper', saltAndPepperNoise({ rate: 0.3 })],
  ['uniform', uniformNoise({ scale: 0.3 })],
  ['clipped gaussian', gaussianNoise({ stddev: 1, clip: [0, 1] })],
];

describe('statistics on 1e5 values', () => {
  it('gaussian on zeros: mean ~ mean, variance ~ stddev^2', () => {
    const x = tf.zeros([N]);
    const v = values(() => gaussianNoise({ stddev: 0.5, mean: 0.2 })(x, 1));
    const { mean, variance } = meanVar(v);
    expect(mean).toBeCloseTo(0.2, 2);
    expect(Math.abs(variance - 0.25)).toBeLessThan(0.01);
    x.dispose();
  });

  it('gaussian default mean is 0 and noise is added to x', () => {
    const x = tf.fill([N], 3);
    const { mean, variance } = meanVar(values(() => gaussianNoise({ stddev: 2 })(x, 2)));
    expect(Math.abs(mean - 3)).toBeLessThan(0.03);
    expect(Math.abs(variance - 4) / 4).toBeLessThan(0.03);
    x.dispose();
  });

  it('masking on ones zeroes a fraction ~ rate and keeps the rest unscaled', () => {
    const x = tf.ones([100, 1000]);
    const v = values(() => maskingNoise({ rate: 0.3 })(x, 3));
    const zeros = count(v, (a) => a === 0);
    expect(Math.abs(zeros / N - 0.3)).toBeLessThan(0.01);
    expect(count(v, (a) => a === 1)).toBe(N - zeros);
    x.dispose();
  });

  it('masking with rate 0 keeps everything, rate 1 zeroes everything (even Infinity)', () => {
    const x = tf.tensor1d([1, -2, Infinity, 4]);
    expect(values(() => maskingNoise({ rate: 0 })(x, 4))).toEqual(new Float32Array([1, -2, Infinity, 4]));
    expect(values(() => maskingNoise({ rate: 1 })(x, 4))).toEqual(new Float32Array([0, 0, 0, 0]));
    x.dispose();
  });

  it('salt-and-pepper replaces ~ rate, half low and half high', () => {
    const x = tf.fill([N], 0.5);
    const v = values(() => saltAndPepperNoise({ rate: 0.2, low: -1, high: 2 })(x, 5));
    const low = count(v, (a) => a === -1);
    const high = count(v, (a) => a === 2);
    const kept = count(v, (a) => a === 0.5);
    expect(low + high + kept).toBe(N);
    expect(Math.abs((low + high) / N - 0.2)).toBeLessThan(0.01);
    expect(Math.abs(low / N - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(high / N - 0.1)).toBeLessThan(0.01);
    x.dispose();
  });

  it('salt-and-pepper defaults to low 0 and high 1', () => {
    const x = tf.fill([N], 0.5);
    const v = values(() => saltAndPepperNoise({ rate: 0.5 })(x, 6));
    expect(count(v, (a) => a === 0) + count(v, (a) => a === 1) + count(v, (a) => a === 0.5)).toBe(N);
    expect(Math.abs(count(v, (a) => a === 0) / N - 0.25)).toBeLessThan(0.01);
    expect(Math.abs(count(v, (a) => a === 1) / N - 0.25)).toBeLessThan(0.01);
    x.dispose();
  });

  it('uniform on zeros: mean ~ scale/2, variance ~ scale^2/12, values in [0, scale)', () => {
    const x = tf.zeros([N]);
    const scale = 0.3;
    const v = values(() => uniformNoise({ scale })(x, 7));
    const { mean, variance } = meanVar(v);
    expect(Math.abs(mean - scale / 2)).toBeLessThan(0.003);
    expect(Math.abs(variance - scale ** 2 / 12) / (scale ** 2 / 12)).toBeLessThan(0.03);
    expect(count(v, (a) => a < 0 || a > scale)).toBe(0);
    x.dispose();
  });

  it('clip bounds hold for every kind', () => {
    const x = tf.randomUniform([N], -0.5, 1.5, 'float32', 8);
    const clip = [0, 1] as const;
    const fns: NoiseFn[] = [
      gaussianNoise({ stddev: 1, clip }),
      maskingNoise({ rate: 0.3, clip }),
      saltAndPepperNoise({ rate: 0.3, low: -5, high: 5, clip }),
      uniformNoise({ scale: 1, clip }),
    ];
    for (const fn of fns) {
      const v = values(() => fn(x, 9));
      expect(count(v, (a) => a < 0 || a > 1)).toBe(0);
      expect(count(v, (a) => a === 0)).toBeGreaterThan(0);
      expect(count(v, (a) => a === 1)).toBeGreaterThan(0);
    }
    x.dispose();
  });

  it('clip with lo == hi gives a constant', () => {
    const x = tf.zeros([10]);
    expect(values(() => gaussianNoise({ stddev: 1, clip: [0.5, 0.5] })(x, 1))).toEqual(new Float32Array(10).fill(0.5));
    x.dispose();
  });
});

describe('purity and memory', () => {
  it.each(ALL)('%s: same seed gives identical output, a different seed a different one', (_, fn) => {
    const x = tf.randomUniform([50, 20], 0, 1, 'float32', 11);
    const a = values(() => fn(x, 123));
    const b = values(() => fn(x, 123));
    const c = values(() => fn(x, 124));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    x.dispose();
  });

  it.each(ALL)('%s: input is neither disposed nor changed, and only the result is allocated', (_, fn) => {
    const x = tf.randomUniform([50, 20], 0, 1, 'float32', 12);
    const before = Float32Array.from(x.dataSync());
    const n0 = tf.memory().numTensors;
    const y = fn(x, 5);
    expect(tf.memory().numTensors).toBe(n0 + 1);
    expect(y).not.toBe(x);
    expect(y.shape).toEqual(x.shape);
    expect(y.dtype).toBe('float32');
    expect(x.isDisposed).toBe(false);
    expect(Float32Array.from(x.dataSync())).toEqual(before);
    y.dispose();
    expect(tf.memory().numTensors).toBe(n0);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('the result is a new tensor even when no noise is drawn (rate 0)', () => {
    const x = tf.ones([3]);
    const y = maskingNoise({ rate: 0 })(x, 1);
    y.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('accepts int32 and bool inputs and returns float32', () => {
    const xi = tf.tensor1d([1, 2, 3], 'int32');
    const y = uniformNoise({ scale: 0 })(xi, 1);
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3]);
    y.dispose();
    xi.dispose();
  });

  it('rejects a non-tensor, a disposed tensor, a string tensor and a bad seed', () => {
    const fn = maskingNoise({ rate: 0.5 });
    expect(() => fn([1, 2] as unknown as tf.Tensor, 1)).toThrow(InputError);
    const d = tf.ones([2]);
    d.dispose();
    expect(() => fn(d, 1)).toThrow(InputError);
    const s = tf.tensor1d(['a'], 'string');
    expect(() => fn(s, 1)).toThrow(InputError);
    s.dispose();
    const x = tf.ones([2]);
    expectConfigError(() => fn(x, -1), 'seed', '-1');
    expectConfigError(() => fn(x, 1.5), 'seed', '1.5');
    x.dispose();
  });
});

describe('option validation', () => {
  it('throws ConfigError naming the parameter and the value', () => {
    expectConfigError(() => maskingNoise({ rate: 1.5 }), 'maskingNoise.rate', '1.5');
    expectConfigError(() => maskingNoise({ rate: -0.1 }), 'maskingNoise.rate', '-0.1');
    expectConfigError(() => maskingNoise({ rate: NaN }), 'maskingNoise.rate', 'NaN');
    expectConfigError(() => maskingNoise({} as never), 'maskingNoise.rate', 'undefined');
    expectConfigError(() => saltAndPepperNoise({ rate: 2 }), 'saltAndPepperNoise.rate', '2');
    expectConfigError(() => saltAndPepperNoise({ rate: 0.1, low: Infinity }), 'saltAndPepperNoise.low', 'Infinity');
    expectConfigError(() => saltAndPepperNoise({ rate: 0.1, high: '1' as never }), 'saltAndPepperNoise.high', '"1"');
    expectConfigError(() => gaussianNoise({ stddev: -1 }), 'gaussianNoise.stddev', '-1');
    expectConfigError(() => gaussianNoise({ stddev: Infinity }), 'gaussianNoise.stddev', 'Infinity');
    expectConfigError(() => gaussianNoise({ stddev: 1, mean: NaN }), 'gaussianNoise.mean', 'NaN');
    expectConfigError(() => uniformNoise({ scale: -0.3 }), 'uniformNoise.scale', '-0.3');
    expectConfigError(() => uniformNoise({ scale: 0.3, clip: [1, 0] }), 'uniformNoise.clip', '[1, 0]');
    expectConfigError(() => uniformNoise({ scale: 0.3, clip: [0, NaN] }), 'uniformNoise.clip', 'NaN');
    expectConfigError(() => uniformNoise({ scale: 0.3, clip: [0] as never }), 'uniformNoise.clip', '[0]');
    expectConfigError(() => uniformNoise(undefined as never), 'uniformNoise', 'undefined');
  });

  it('accepts boundary values', () => {
    expect(() => maskingNoise({ rate: 0 })).not.toThrow();
    expect(() => maskingNoise({ rate: 1 })).not.toThrow();
    expect(() => gaussianNoise({ stddev: 0, mean: -3 })).not.toThrow();
    expect(() => uniformNoise({ scale: 0, clip: [0, 0] })).not.toThrow();
  });
});

describe('NoiseSpec', () => {
  it('noiseFromSpec builds the same injector as the factory', () => {
    const x = tf.randomUniform([30, 10], 0, 1, 'float32', 13);
    const pairs: Array<[NoiseSpec, NoiseFn]> = [
      [{ kind: 'gaussian', stddev: 0.5, clip: [0, 1] }, gaussianNoise({ stddev: 0.5, clip: [0, 1] })],
      [{ kind: 'masking', rate: 0.4 }, maskingNoise({ rate: 0.4 })],
      [{ kind: 'saltAndPepper', rate: 0.2, low: -1 }, saltAndPepperNoise({ rate: 0.2, low: -1 })],
      [{ kind: 'uniform', scale: 0.3 }, uniformNoise({ scale: 0.3 })],
    ];
    for (const [spec, fn] of pairs) {
      const fromJson = JSON.parse(JSON.stringify(spec)) as NoiseSpec;
      expect(values(() => noiseFromSpec(fromJson)(x, 77))).toEqual(values(() => fn(x, 77)));
    }
    x.dispose();
  });

  it('unknown kind lists the valid kinds; bad options and misspelt keys are named', () => {
    expectConfigError(() => noiseFromSpec({ kind: 'dropout' } as never), 'noise.kind', '"dropout"', "'gaussian'", "'masking'", "'saltAndPepper'", "'uniform'");
    expectConfigError(() => noiseFromSpec({ kind: 'masking', rate: 3 }), 'noise.rate', '3');
    expectConfigError(() => noiseFromSpec({ kind: 'masking', rate: 3 }, 'denoisingAE.noise'), 'denoisingAE.noise.rate', '3');
    expectConfigError(() => noiseFromSpec({ kind: 'uniform', scale: 0.3, clips: [0, 1] } as never), 'noise.clips', 'clip');
    expectConfigError(() => noiseFromSpec(null as never), 'noise', 'null');
  });

  it('normaliseNoiseSpec writes defaults out and drops null optionals', () => {
    expect(normaliseNoiseSpec({ kind: 'saltAndPepper', rate: 0.1 })).toEqual({ kind: 'saltAndPepper', rate: 0.1, low: 0, high: 1 });
    expect(normaliseNoiseSpec({ kind: 'gaussian', stddev: 1, clip: null } as never)).toEqual({ kind: 'gaussian', stddev: 1, mean: 0 });
    expect(normaliseNoiseSpec({ kind: 'uniform', scale: 0.3, clip: [0, 1] })).toEqual({ kind: 'uniform', scale: 0.3, clip: [0, 1] });
  });

  it('applyNoise takes a NoiseFn or a NoiseSpec and an explicit or global seed', () => {
    const x = tf.ones([1000]);
    const a = values(() => applyNoise(x, { kind: 'masking', rate: 0.5 }, { seed: 9 }));
    const b = values(() => applyNoise(x, maskingNoise({ rate: 0.5 }), { seed: 9 }));
    expect(b).toEqual(a);
    setSeed(100);
    const c = values(() => applyNoise(x, { kind: 'masking', rate: 0.5 }));
    const d = values(() => applyNoise(x, { kind: 'masking', rate: 0.5 }));
    setSeed(100);
    const c2 = values(() => applyNoise(x, { kind: 'masking', rate: 0.5 }));
    expect(c2).toEqual(c);
    expect(d).not.toEqual(c);
    expectConfigError(() => applyNoise(x, { kind: 'masking', rate: 0.5 }, { seed: -3 }), 'applyNoise.seed', '-3');
    expectConfigError(() => applyNoise(x, { kind: 'masking', rate: 5 }), 'applyNoise.noise.rate', '5');
    x.dispose();
  });
});

describe('NoiseLayer', () => {
  const spec: NoiseSpec = { kind: 'gaussian', stddev: 0.5 };

  it('is the identity when training is false or absent', () => {
    const layer = noiseLayer({ noise: spec, seed: 1 });
    const x = tf.randomUniform([4, 6], 0, 1, 'float32', 2);
    const xv = Array.from(x.dataSync());
    for (const kwargs of [{ training: false }, {}, undefined]) {
      const y = layer.apply(x, kwargs) as tf.Tensor;
      expect(Array.from(y.dataSync())).toEqual(xv);
    }
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('is noisy when training is true, with fresh noise on each call', () => {
    const layer = noiseLayer({ noise: spec, seed: 1 });
    const x = tf.zeros([100, 10]);
    const a = values(() => layer.apply(x, { training: true }) as tf.Tensor);
    const b = values(() => layer.apply(x, { training: true }) as tf.Tensor);
    expect(count(a, (v) => v !== 0)).toBeGreaterThan(900);
    expect(b).not.toEqual(a);
    expect(Math.abs(meanVar(a).variance - 0.25)).toBeLessThan(0.05);
    x.dispose();
  });

  it('two layers with the same seed give the same sequence, another seed a different one', () => {
    const x = tf.ones([20, 10]);
    const seq = (layer: NoiseLayer) => [1, 2, 3].map(() => values(() => layer.apply(x, { training: true }) as tf.Tensor));
    const masking: NoiseSpec = { kind: 'masking', rate: 0.5 };
    const s1 = seq(noiseLayer({ noise: masking, seed: 5 }));
    const s2 = seq(noiseLayer({ noise: masking, seed: 5 }));
    const s3 = seq(noiseLayer({ noise: masking, seed: 6 }));
    expect(s2).toEqual(s1);
    expect(s3[0]).not.toEqual(s1[0]);
    x.dispose();
  });

  it('does not leak tensors', () => {
    const layer = noiseLayer({ noise: { kind: 'saltAndPepper', rate: 0.2, clip: [0, 1] }, seed: 3 });
    const x = tf.ones([8, 8]);
    const n0 = tf.memory().numTensors;
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    expect(tf.memory().numTensors).toBe(n0 + 1);
    y.dispose();
    x.dispose();
  });

  it('validates its arguments', () => {
    expectConfigError(() => noiseLayer({ noise: { kind: 'masking', rate: -1 } }), 'noiseLayer.noise.rate', '-1');
    expectConfigError(() => noiseLayer({ noise: { kind: 'nope' } as never }), 'noiseLayer.noise.kind', 'saltAndPepper');
    expectConfigError(() => noiseLayer({ noise: spec, seed: 2.5 }), 'noiseLayer.seed', '2.5');
  });

  it('getConfig returns the canonical spec and the resolved seed', () => {
    setSeed(4);
    const layer = noiseLayer({ noise: { kind: 'saltAndPepper', rate: 0.1 }, name: 'corrupt' });
    const config = layer.getConfig();
    expect(config.noise).toEqual({ kind: 'saltAndPepper', rate: 0.1, low: 0, high: 1 });
    expect(typeof config.seed).toBe('number');
    expect(config.seed).toBe(layer.seed);
    expect(config.name).toBe('corrupt');
    expect(NoiseLayer.className).toBe('LatentkitNoise');
  });

  function buildModel(noise: NoiseSpec): tfl.Sequential {
    return tfl.sequential({
      layers: [
        noiseLayer({ noise, seed: 21, inputShape: [6], name: 'corrupt' }),
        tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
      ],
    });
  }

  it('a model round-trips through toJSON / modelFromJSON and predicts identically', async () => {
    const noise: NoiseSpec = { kind: 'saltAndPepper', rate: 0.3, low: -1, high: 2, clip: [-0.5, 1.5] };
    const model = buildModel(noise);
    const json = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
    const rebuilt = (await tfl.models.modelFromJSON(json as never)) as tfl.LayersModel;
    rebuilt.setWeights(model.getWeights());
    const layer = rebuilt.getLayer('corrupt') as NoiseLayer;
    expect(layer).toBeInstanceOf(NoiseLayer);
    expect(layer.noise).toEqual(noise);
    expect(layer.seed).toBe(21);
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = rebuilt.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b, x]);
  });

  it('a model saves through a handler, loads with loadLayersModel and predicts identically', async () => {
    const noise: NoiseSpec = { kind: 'uniform', scale: 0.3, clip: [0, 1] };
    const model = buildModel(noise);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    const layer = loaded.getLayer('corrupt') as NoiseLayer;
    expect(layer).toBeInstanceOf(NoiseLayer);
    expect(layer.noise).toEqual(noise);
    expect(layer.seed).toBe(21);
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 4);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    // The loaded layer restarts the stream from the saved seed: same training noise as a fresh layer.
    const fresh = noiseLayer({ noise, seed: 21 });
    const n1 = values(() => layer.apply(x, { training: true }) as tf.Tensor);
    const n2 = values(() => fresh.apply(x, { training: true }) as tf.Tensor);
    expect(n1).toEqual(n2);
    tf.dispose([a, b, x]);
  });

  it('trains inside model.fit (gradients pass through the noise)', async () => {
    const model = buildModel({ kind: 'masking', rate: 0.2 });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = tf.randomUniform([32, 6], 0, 1, 'float32', 5);
    const y = tf.randomUniform([32, 3], 0, 1, 'float32', 6);
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, shuffle: false, verbose: 0 });
    expect(history.history.loss).toHaveLength(2);
    expect(Number.isFinite(history.history.loss[1] as number)).toBe(true);
    // fit called the layer with training: true (8 batches), so its stream has moved past a fresh one's.
    const layer = model.getLayer('corrupt') as NoiseLayer;
    const fresh = noiseLayer({ noise: layer.noise, seed: layer.seed });
    const n1 = values(() => layer.apply(x, { training: true }) as tf.Tensor);
    const n2 = values(() => fresh.apply(x, { training: true }) as tf.Tensor);
    expect(n1).not.toEqual(n2);
    tf.dispose([x, y]);
  });
});
