/**
 * The fuzz table of public functions (see harness.ts): valid arguments must work without leaking, invalid
 * ones must throw a LatentkitError naming the parameter.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import * as lk from '../../src/index.js';
import type { FunctionEntry } from './harness.js';
import { typo } from './harness.js';
import { bad, badData, noiseSpec } from './entries.js';

const seed = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const shape = fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 });
const withTensor = <T>(s: readonly number[], f: (x: tf.Tensor) => T): T => {
  const x = tf.randomUniform([2, ...s], 0, 1, 'float32', 1);
  try {
    return f(x);
  } finally {
    x.dispose();
  }
};

/** Noise injector options with one bad field, the parameter named. */
function badNoise(name: string, fields: Record<string, fc.Arbitrary<unknown>>, base: Record<string, unknown>): fc.Arbitrary<[unknown, string]> {
  return fc.oneof(
    fc.constantFrom(...Object.keys(fields)).chain((k) => fields[k]!.map((v) => [{ ...base, [k]: v }, `${name}.${k}`] as [unknown, string])),
    fc.constantFrom(...Object.keys(base)).chain((k) => typo(k).map((t) => [{ ...base, [t]: 1 }, `${name}.${t}`] as [unknown, string])),
    fc.constant([{ ...base, clip: [1, 0] }, `${name}.clip`] as [unknown, string]),
  );
}

const injectors: FunctionEntry[] = (
  [
    ['gaussianNoise', lk.gaussianNoise, { stddev: bad.nonNegative.filter((v) => v !== null), mean: bad.number.filter((v) => v !== null) }, { stddev: 0.1 }],
    ['maskingNoise', lk.maskingNoise, { rate: bad.rate.filter((v) => v !== 1 && v !== null) }, { rate: 0.2 }],
    ['saltAndPepperNoise', lk.saltAndPepperNoise, { rate: bad.rate.filter((v) => v !== 1 && v !== null), low: fc.constantFrom<unknown>(2, NaN, 'x'), high: fc.constantFrom<unknown>(NaN, Infinity, 'x') }, { rate: 0.1 }],
    ['uniformNoise', lk.uniformNoise, { scale: bad.nonNegative.filter((v) => v !== null) }, { scale: 0.3 }],
  ] as const
).map(([name, make, fields, base]) => ({
  name,
  valid: fc.tuple(shape, seed),
  run: ([s, sd]: [number[], number]) => withTensor(s, (x) => (make as (o: object) => lk.NoiseFn)(base)(x, sd)),
  invalid: fc.oneof(
    badNoise(name, fields as Record<string, fc.Arbitrary<unknown>>, base),
    fc.constantFrom<unknown>(null, 3, 'x').map((v) => [[base, v, 1], `${name}: x`] as [unknown, string]),
    bad.seed.map((v) => [[base, 'tensor', v], `${name}: seed`] as [unknown, string]),
  ),
  runInvalid: (args: unknown) => {
    if (!Array.isArray(args)) return (make as (o: unknown) => unknown)(args);
    const [options, x, s] = args as [object, unknown, unknown];
    const fn = (make as (o: object) => lk.NoiseFn)(options);
    return x === 'tensor' ? withTensor([2], (t) => fn(t, s as number)) : fn(x as tf.Tensor, s as number);
  },
}));

/** Small handles built once per test file (their weights stay for the whole file). */
let handles: { ae: lk.Autoencoder; vae: lk.VariationalAutoencoder; gan: lk.GenerativeAdversarialNetwork } | undefined;
const models = () =>
  (handles ??= {
    ae: lk.undercompleteAE({ inputDim: 3, codeDim: 2, seed: 1 }),
    vae: lk.VAE({ inputShape: [3], hiddenUnits: [2], latentDim: 2, seed: 1 }),
    gan: lk.GAN({ dataShape: [3], zDim: 2, generatorUnits: [2], discriminatorUnits: [2], numClasses: 2, seed: 1 }),
  });

/** A method call on one of the small handles: [handle, method, args], and the parameter the error names. */
const methodCalls: fc.Arbitrary<[unknown, string]> = fc.oneof(
  badData([3]).filter(([v]) => !(v instanceof tf.Tensor)).chain(([x, p]) =>
    fc.constantFrom<[string, string]>(['ae', 'encode'], ['ae', 'reconstruct'], ['ae', 'evaluate'], ['vae', 'encode'], ['vae', 'elbo'], ['gan', 'discriminate']).map(([h, m]) => [[h, m, [x, m === 'discriminate' ? { labels: 0 } : {}]], p] as [unknown, string]),
  ),
  badData([2], 'z').filter(([v]) => !(v instanceof tf.Tensor)).chain(([z, p]) => fc.constantFrom('ae', 'vae').map((h) => [[h, 'decode', [z]], p] as [unknown, string])),
  fc.constantFrom<unknown>(0, -1, 1.5, 'x', 1e9).chain((n) => fc.constantFrom('vae', 'gan').map((h) => [[h, 'sample', [n, h === 'gan' ? { labels: 0 } : {}]], 'sample.n'] as [unknown, string])),
  fc.constantFrom<unknown>(2, -1, 0.5, 'a', [0, 1, 2]).map((l) => [['gan', 'sample', [3, { labels: l }]], 'sample.labels'] as [unknown, string]),
  fc.constantFrom<unknown>([5], 'x', [], [0.5]).map((d) => [['vae', 'latentTraversal', [{ dims: d }]], 'latentTraversal.dims'] as [unknown, string]),
  fc.constantFrom<unknown>(1, 0, 1e9, 'x').map((st) => [['vae', 'latentTraversal', [{ steps: st }]], 'latentTraversal.steps'] as [unknown, string]),
  fc.constantFrom<unknown>([[1, 2], [3]], [1, 2, 3], 'ab', [NaN, 0]).map((b) => [['vae', 'latentTraversal', [{ base: b }]], 'latentTraversal.base'] as [unknown, string]),
  fc.constantFrom<unknown>({ samples: 0 }, { seed: -1 }, { batchSize: 'x' }, { sample: 2 }).map((o) => [['vae', 'elbo', ['x', o]], 'elbo.'] as [unknown, string]),
  fc.constantFrom<unknown>({ metric: 'mae' }, { batchSize: 0 }, { target: [[1, 2]] }).map((o) => [['ae', 'evaluate', ['x', o]], 'evaluate.'] as [unknown, string]),
);

const code = (d: number) => fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d });

export const FUNCTIONS: FunctionEntry[] = [
  ...injectors,
  {
    name: 'noiseFromSpec',
    valid: fc.tuple(noiseSpec, shape, seed),
    run: ([spec, s, sd]: [lk.NoiseSpec, number[], number]) => withTensor(s, (x) => lk.noiseFromSpec(spec)(x, sd)),
    invalid: fc.oneof(
      fc.constantFrom<unknown>(null, 'masking', 3).map((v) => [v, 'noise'] as [unknown, string]),
      fc.constantFrom<unknown>('blur', 3, undefined).map((k) => [{ kind: k, rate: 0.1 }, 'noise.kind'] as [unknown, string]),
      fc.constantFrom<unknown>(-1, 2, 'x').map((r) => [{ kind: 'masking', rate: r }, 'noise.rate'] as [unknown, string]),
      fc.constant([{ kind: 'saltAndPepper', rate: 0.1, low: 1, high: 0 }, 'noise.low'] as [unknown, string]),
      typo('rate').map((t) => [{ kind: 'masking', rate: 0.1, [t]: 1 }, `noise.${t}`] as [unknown, string]),
    ),
    runInvalid: (spec) => lk.noiseFromSpec(spec as lk.NoiseSpec),
  },
  {
    name: 'applyNoise',
    valid: fc.tuple(noiseSpec, seed),
    run: ([spec, sd]: [lk.NoiseSpec, number]) => withTensor([3], (x) => lk.applyNoise(x, spec, { seed: sd })),
    invalid: fc.oneof(
      bad.seed.filter((v) => v !== null).map((v) => [{ seed: v }, 'applyNoise.seed'] as [unknown, string]),
      fc.constantFrom<unknown>({ kind: 'x' }, null, 3).map((v) => [{ noise: v }, 'applyNoise.noise'] as [unknown, string]),
      fc.constant([{ options: 'x' }, 'applyNoise'] as [unknown, string]),
    ),
    runInvalid: (a) => {
      const { seed: s, noise, options } = a as { seed?: unknown; noise?: unknown; options?: unknown };
      const spec = 'noise' in (a as object) ? noise : { kind: 'masking', rate: 0.1 };
      return withTensor([3], (x) => lk.applyNoise(x, spec as lk.NoiseSpec, (options ?? { seed: s }) as lk.ApplyNoiseOptions));
    },
  },
  {
    name: 'interpolate',
    valid: fc.integer({ min: 1, max: 4 }).chain((d) => fc.tuple(code(d), code(d), fc.integer({ min: 2, max: 6 }), fc.constantFrom<'linear' | 'spherical'>('linear', 'spherical'))),
    run: ([a, b, steps, method]: [number[], number[], number, 'linear' | 'spherical']) => lk.interpolate(a, [b], { steps, method }),
    invalid: fc.oneof(
      fc.integer({ min: 1, max: 4 }).chain((d) => fc.tuple(code(d), code(d + 1)).map(([a, b]) => [[a, b, {}], 'b'] as [unknown, string])),
      fc.constant([[[[1, 2], [3, 4]], [1, 2, 3, 4], {}], 'b'] as [unknown, string]),
      fc.constantFrom<unknown>(1, 0, 'x').map((s) => [[[0], [1], { steps: s }], 'interpolate.steps'] as [unknown, string]),
      fc.constant([[[0], [1], { method: 'slerp' }], 'interpolate.method'] as [unknown, string]),
      fc.constantFrom<unknown>([[1, 2], [3]], [null], [NaN], 'x', [], {}).map((a) => [[a, [1, 2], {}], 'a'] as [unknown, string]),
    ),
    runInvalid: (a) => lk.interpolate(...(a as [never, never, never])),
  },
  {
    name: 'oneHot',
    valid: fc.integer({ min: 1, max: 5 }).chain((k) => fc.tuple(fc.array(fc.integer({ min: 0, max: k - 1 }), { maxLength: 6 }), fc.constant(k))),
    run: ([labels, k]: [number[], number]) => lk.oneHot(labels, k),
    invalid: fc.oneof(
      fc.constantFrom<unknown>(0, -1, 1.5, 'x').map((k) => [[[0], k], 'oneHot.numClasses'] as [unknown, string]),
      fc.constantFrom<unknown>([3], [-1], [0.5], ['a'], [null]).map((l) => [[l, 3], 'oneHot.labels'] as [unknown, string]),
      fc.constantFrom<unknown>('abc', 3, null, {}).map((l) => [[l, 3], 'oneHot.labels'] as [unknown, string]),
    ),
    runInvalid: (a) => lk.oneHot(...(a as [never, never])),
  },
  {
    name: 'toRange',
    valid: fc.tuple(shape, fc.double({ min: -5, max: 0, noNaN: true }), fc.double({ min: 0.5, max: 5, noNaN: true })),
    run: ([s, lo, hi]: [number[], number, number]) => withTensor(s, (x) => lk.toRange(x, [lo, hi])),
    invalid: fc.oneof(
      fc.constantFrom<unknown>([1, 0], [0, 0], [0], 'x', [0, NaN], null).map((r) => [{ range: r }, 'toRange.range'] as [unknown, string]),
      fc.constantFrom<unknown>([1, 1], 'x').map((f) => [{ range: [0, 1], options: { from: f } }, 'toRange.from'] as [unknown, string]),
      fc.constantFrom<unknown>(null, [[1, 2]], 'x').map((x) => [{ x, range: [0, 1] }, 'toRange.x'] as [unknown, string]),
    ),
    runInvalid: (a) => {
      const { x, range, options } = a as { x?: unknown; range: unknown; options?: unknown };
      return x === undefined ? withTensor([2], (t) => lk.toRange(t, range as never, options as never)) : lk.toRange(x as never, range as never);
    },
  },
  {
    name: 'loadCsv',
    valid: fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })).chain(([cols, rows]) =>
      fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: cols, maxLength: cols }), { minLength: rows, maxLength: rows }),
    ),
    run: async (table: number[][]) => {
      const text = `${table[0]!.map((_, i) => `c${i}`).join(',')}\n${table.map((r) => r.join(',')).join('\n')}\n`;
      const { features } = await lk.loadCsv(text);
      return features;
    },
    invalid: fc.oneof(
      fc.constant(['a,b\n1,2\n3\n', 'loadCsv row 2'] as [unknown, string]),
      fc.constantFrom('x', '1e39', '-5e38', 'NaN', '').map((cell) => [`a,b\n1,${cell}\n`, 'loadCsv row 1'] as [unknown, string]),
      fc.constantFrom<unknown>('zz', 9, -1, 1.5).map((c) => [['a,b\n1,2\n', { labelColumn: c }], 'loadCsv.labelColumn'] as [unknown, string]),
      fc.constantFrom<unknown>('', '"', 3).map((d) => [['a,b\n1,2\n', { delimiter: d }], 'loadCsv.delimiter'] as [unknown, string]),
      fc.constantFrom<unknown>(3, null, {}).map((t) => [t, 'loadCsv.textOrPath'] as [unknown, string]),
      fc.constant(['/definitely/not/here.csv', 'loadCsv.textOrPath'] as [unknown, string]),
    ),
    runInvalid: (a) => (Array.isArray(a) ? lk.loadCsv(a[0] as string, a[1] as never) : lk.loadCsv(a as string)),
  },
  {
    name: 'ringOfGaussians',
    valid: fc.record({ modes: fc.integer({ min: 1, max: 8 }), radius: fc.double({ min: 0.1, max: 3, noNaN: true }), stddev: fc.double({ min: 0, max: 0.5, noNaN: true }), n: fc.integer({ min: 1, max: 20 }), seed }),
    run: (o: lk.RingOfGaussiansOptions) => lk.ringOfGaussians(o).x,
    invalid: fc.oneof(
      fc.constantFrom('modes', 'n').chain((k) => bad.positiveInt.filter((v) => v !== null).map((v) => [{ [k]: v }, `ringOfGaussians.${k}`] as [unknown, string])),
      fc.constantFrom('radius', 'stddev').chain((k) => bad.nonNegative.filter((v) => v !== null).map((v) => [{ [k]: v }, `ringOfGaussians.${k}`] as [unknown, string])),
      typo('modes').map((t) => [{ [t]: 3 }, `ringOfGaussians.${t}`] as [unknown, string]),
    ),
    runInvalid: (o) => lk.ringOfGaussians(o as never),
  },
  {
    name: 'normalQuantile',
    valid: fc.double({ min: 0, max: 1, noNaN: true }),
    run: (p: number) => void lk.normalQuantile(p),
    invalid: fc.oneof(
      fc.constantFrom<unknown>(-0.1, 1.1, NaN, 'x', null).map((p) => [{ p }, 'normalQuantile.p'] as [unknown, string]),
      bad.positiveInt.map((n) => [{ n }, 'normalQuantiles.n'] as [unknown, string]),
    ),
    runInvalid: (a) => ('p' in (a as object) ? lk.normalQuantile((a as { p: never }).p) : lk.normalQuantiles((a as { n: never }).n)),
  },
  {
    name: 'imageGrid',
    valid: fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
    run: ([n, side, scale]: [number, number, number]) => {
      const t = tf.randomUniform([n, side, side, 1], 0, 1, 'float32', 2);
      try {
        lk.imageGrid(t, { scale });
      } finally {
        t.dispose();
      }
    },
    invalid: fc.oneof(
      fc.constantFrom('rows', 'cols', 'scale').chain((k) => bad.positiveInt.filter((v) => v !== null).map((v) => [{ [k]: v }, `imageGrid.${k}`] as [unknown, string])),
      typo('scale').map((t) => [{ [t]: 2 }, `imageGrid.${t}`] as [unknown, string]),
      fc.constantFrom<unknown>(null, 'x', [[1]]).map((images) => [{ images }, 'images'] as [unknown, string]),
    ),
    runInvalid: (a) => {
      const { images, ...options } = a as { images?: unknown };
      if (images !== undefined) return lk.imageGrid(images as never);
      return withTensor([2, 2, 1], (t) => lk.imageGrid(t, options as never));
    },
  },
  {
    name: 'lossCurve',
    valid: fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }),
    run: (loss: number[]) => void lk.lossCurve({ epoch: loss.map((_, i) => i), loss }),
    invalid: fc.oneof(
      fc.constantFrom<unknown>(null, 3, 'x').map((h) => [[h, {}], 'history'] as [unknown, string]),
      typo('title').map((t) => [[{ epoch: [0], loss: [1] }, { [t]: 'x' }], `lossCurve.${t}`] as [unknown, string]),
      fc.constantFrom<unknown>(0, -5, 'x').map((w) => [[{ epoch: [0], loss: [1] }, { width: w }], 'lossCurve.width'] as [unknown, string]),
    ),
    runInvalid: (a) => lk.lossCurve(...(a as [never, never])),
  },
  {
    name: 'scatterPlot',
    valid: fc.array(fc.tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 1, maxLength: 10 }),
    run: (points: Array<[number, number]>) => void lk.scatterPlot(points),
    invalid: fc.oneof(
      badData([2], 'points').filter(([v]) => !(v instanceof tf.Tensor) && v !== undefined),
      typo('color').map((t) => [[[[0, 0]], { [t]: 'red' }], `scatterPlot.${t}`] as [unknown, string]),
    ),
    runInvalid: (a) => (Array.isArray(a) && a.length === 2 && typeof a[1] === 'object' && a[1] !== null && !Array.isArray(a[1]) ? lk.scatterPlot(a[0] as never, a[1] as never) : lk.scatterPlot(a as never)),
  },
  {
    name: 'save/load',
    invalid: fc.oneof(
      fc.constantFrom<unknown>(null, 3, 'x', {}, { kind: 'x', config: {}, dispose() {} }).map((h) => [{ handle: h }, 'save.handle'] as [unknown, string]),
      fc.constantFrom<unknown>('', '   ', 3, null, {}, 'indexeddb://x').map((l) => [{ location: l }, 'save.location'] as [unknown, string]),
      fc.constantFrom<unknown>('', 3, null, 'localstorage://x').map((l) => [{ load: l }, 'load.location'] as [unknown, string]),
      fc.constantFrom<unknown>('/definitely/not/here').map((l) => [{ load: l }, 'here'] as [unknown, string]),
    ),
    runInvalid: async (a) => {
      const { handle, location, load } = a as { handle?: unknown; location?: unknown; load?: unknown };
      if ('load' in (a as object)) return lk.load(load as never);
      if (handle !== undefined) return lk.save(handle as never, '/tmp/never-written');
      const ae = lk.undercompleteAE({ inputDim: 2, codeDim: 1, seed: 1 });
      try {
        return await lk.save(ae, location as never);
      } finally {
        ae.dispose();
      }
    },
    weights: { valid: 0, invalid: 60 },
  },
  {
    name: 'handle methods',
    setup: () => void models(),
    invalid: methodCalls,
    runInvalid: (a) => {
      const [h, method, args] = a as ['ae' | 'vae' | 'gan', string, unknown[]];
      const x = tf.randomUniform([4, 3], 0, 1, 'float32', 1);
      try {
        const given = args.map((v) => (v === 'x' ? x : v));
        const handle = models()[h] as unknown as Record<string, (...v: unknown[]) => unknown>;
        return handle[method]!(...given);
      } finally {
        x.dispose();
      }
    },
    weights: { valid: 0, invalid: 300 },
  },
  {
    name: 'sizes',
    invalid: fc.oneof(
      fc.constant([() => lk.ringOfGaussians({ n: 1e9 }), 'ringOfGaussians.n'] as [unknown, string]),
      fc.constant([() => lk.normalQuantiles(1e9), 'normalQuantiles.n'] as [unknown, string]),
      fc.constant([() => lk.interpolate([0, 1], [1, 0], { steps: 1e9 }), 'interpolate.steps'] as [unknown, string]),
      fc.constant([() => withTensor([2, 2, 1], (t) => lk.imageGrid(t, { scale: 100000 })), 'imageGrid.scale'] as [unknown, string]),
    ),
    runInvalid: (f) => (f as () => unknown)(),
    weights: { valid: 0, invalid: 20 },
  },
  {
    name: 'SeedStream',
    valid: seed,
    run: (s: number) => void new lk.SeedStream(s).permutation(4),
    invalid: bad.seed.map((s) => [s, 'seed'] as [unknown, string]),
    runInvalid: (s) => new lk.SeedStream(s as number),
  },
];
