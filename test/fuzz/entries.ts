/**
 * The fuzz table of builders: one entry per builder (see the notes at the top of harness.ts for how to add
 * one). Shapes are tiny so that a case builds and trains in milliseconds on cpu.
 */
import * as fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import * as lk from '../../src/index.js';
import { DOUBLE_BACKPROP_ACTIVATIONS } from '../../src/advanced.js';
import { convOutputSize } from '../../src/models/nets/convStack.js';
import { typo, type BuilderEntry } from './harness.js';

/** Invalid values by kind of field. */
export const bad = {
  positiveInt: fc.constantFrom<unknown>(0, -1, 1.5, NaN, Infinity, '3', null, true, [], {}),
  nonNegativeInt: fc.constantFrom<unknown>(-1, 0.5, NaN, '1', null, {}),
  number: fc.constantFrom<unknown>(NaN, Infinity, -Infinity, '0.1', null, [], {}),
  nonNegative: fc.constantFrom<unknown>(-0.5, -1e-9, NaN, Infinity, 'x', null),
  rate: fc.constantFrom<unknown>(-0.1, 1, 1.5, NaN, '0.2', null),
  boolean: fc.constantFrom<unknown>('yes', 1, 0, null, [], {}),
  activation: fc.constantFrom<unknown>('relux', 'Relu', '', 3, null, {}),
  intArray: fc.constantFrom<unknown>('abc', 3, [0], [1.5], [-1], [2, 'x'], {}, null),
  nonEmptyIntArray: fc.constantFrom<unknown>('abc', 3, [], [0], [1.5], [-1], [2, 'x'], {}, null),
  seed: fc.constantFrom<unknown>(-1, 2 ** 32, 1.5, 'x', NaN, null),
  oneOf: fc.constantFrom<unknown>('nope', 3, null, '', {}),
};

const seed = fc.integer({ min: 0, max: 1000 });
const small = (max: number) => fc.integer({ min: 1, max });
const activation = fc.constantFrom<lk.Activation>('relu', 'tanh', 'sigmoid', 'linear', 'leakyRelu', 'elu', 'softplus');
const units = fc.array(small(4), { maxLength: 2 });

/** Uniform data in [0, 1) for a config's example shape. */
function data(shape: readonly number[], n = 4, lo = 0, hi = 1): tf.Tensor {
  return tf.randomUniform([n, ...shape], lo, hi, 'float32', 3);
}

async function trainOn<H extends { fit(x: tf.Tensor, o: object): Promise<unknown> }>(h: H, x: tf.Tensor, options: object = {}): Promise<void> {
  try {
    await h.fit(x, { epochs: 1, batchSize: 4, verbose: 0, ...options });
  } finally {
    x.dispose();
  }
}

/** Invalid data for an example shape, with the parameter named: wrong shapes, ragged or deeper arrays, strings, NaN, not data. */
export function badData(shape: readonly number[], parameter = 'x'): fc.Arbitrary<[unknown, string]> {
  const size = shape.reduce((a, b) => a * b, 1);
  const row = (n: number) => Array.from({ length: n }, (_, i) => i / (n + 1));
  const nest = (s: readonly number[]): unknown => (s.length === 0 ? 0.5 : Array.from({ length: s[0]! }, () => nest(s.slice(1))));
  const good = () => [nest(shape), nest(shape)] as unknown[];
  return fc.oneof(
    fc.constantFrom<unknown>(null, undefined, 3, 'data', {}, true).map((v) => [v, parameter] as [unknown, string]),
    fc.constant([[], parameter] as [unknown, string]),
    small(3).map((extra) => [[row(size + extra), row(size + extra)], parameter] as [unknown, string]),
    fc.constant((() => {
      const x = good();
      x[1] = shape.length === 1 ? row(size + 1) : [];
      return [x, `${parameter}[1]`] as [unknown, string];
    })()),
    fc.constantFrom<unknown>(null, 'a', [0.5], undefined).map((leaf) => {
      const x = JSON.parse(JSON.stringify(good())) as unknown[];
      let at = x[1] as unknown[];
      let path = `${parameter}[1]`;
      for (let d = 1; d < shape.length; d++) {
        at = at[0] as unknown[];
        path += '[0]';
      }
      at[0] = leaf;
      return [x, `${path}[0]`] as [unknown, string];
    }),
    fc.constant([(() => {
      return tf.tensor(Array.from({ length: 2 * size }, () => 'a'), [2, ...shape]);
    })(), parameter] as [unknown, string]),
    fc.constantFrom(NaN, Infinity).map((v) => {
      const values = Array.from({ length: 2 * size }, (_, i) => (i === 1 ? v : 0.5));
      return [values.length === 2 * size ? chunk(values, shape) : values, parameter] as [unknown, string];
    }),
  );
}

function chunk(values: number[], shape: readonly number[]): unknown {
  const size = shape.reduce((a, b) => a * b, 1);
  const nest = (flat: number[], s: readonly number[]): unknown => {
    if (s.length === 0) return flat[0];
    const per = flat.length / s[0]!;
    return Array.from({ length: s[0]! }, (_, i) => nest(flat.slice(i * per, (i + 1) * per), s.slice(1)));
  };
  return Array.from({ length: values.length / size }, (_, i) => nest(values.slice(i * size, (i + 1) * size), shape));
}

/** Invalid fit options, with the parameter named. */
const badFitOptions: fc.Arbitrary<[unknown, string]> = fc.oneof(
  bad.positiveInt.map((v) => [{ epochs: v }, 'fit.epochs'] as [unknown, string]),
  bad.positiveInt.map((v) => [{ batchSize: v }, 'fit.batchSize'] as [unknown, string]),
  fc.constantFrom<unknown>(0, 1, -0.5, 2, 'x').map((v) => [{ validationSplit: v }, 'fit.validationSplit'] as [unknown, string]),
  bad.boolean.map((v) => [{ shuffle: v }, 'fit.shuffle'] as [unknown, string]),
  fc.constantFrom<unknown>(3, 'x', [1], null).map((v) => [{ verbose: v }, 'fit.verbose'] as [unknown, string]),
  bad.seed.map((v) => [{ seed: v }, 'fit.seed'] as [unknown, string]),
  fc.constantFrom<unknown>('adamw', { name: 'sgd', learningRate: -1 }, { learningRate: 1 }, 3).map((v) => [{ optimizer: v }, 'fit.optimizer'] as [unknown, string]),
  fc.constantFrom<unknown>({ patience: -1 }, { minDelta: -1 }, { mode: 'up' }, { patinece: 2 }).map((v) => [{ earlyStopping: v }, 'fit.earlyStopping'] as [unknown, string]),
  fc.constantFrom<unknown>(3, [3], ['x']).map((v) => [{ callbacks: v }, 'fit.callbacks'] as [unknown, string]),
  typo('epochs').map((k) => [{ [k]: 2 }, `fit.${k}`] as [unknown, string]),
  fc.constantFrom<unknown>('fast', 3, null).map((v) => [v, 'fit'] as [unknown, string]),
);

/** Bad data or bad fit options for a model of example shape `shape`, called through `fit`. */
function fitInputs(shape: readonly number[]): fc.Arbitrary<[unknown, string]> {
  return fc.oneof(
    badData(shape).map(([x, p]) => [{ x, options: {} }, p] as [unknown, string]),
    badFitOptions.map(([options, p]) => [{ x: 'good', options }, p] as [unknown, string]),
  );
}

function callFit(shape: readonly number[]) {
  return (h: { fit(x: unknown, o: unknown): unknown }, input: unknown) => {
    const { x, options } = input as { x: unknown; options: unknown };
    if (x !== 'good') return h.fit(x, { epochs: 1, verbose: 0 });
    const good = data(shape);
    const run = Promise.resolve()
      .then(() => h.fit(good, typeof options === 'object' && options !== null ? { epochs: 1, verbose: 0, ...options } : options))
      .finally(() => good.dispose());
    return run;
  };
}

/** Labels 0, 1, ... for `n` examples of `k` classes. */
const labelsFor = (n: number, k: number) => Array.from({ length: n }, (_, i) => i % k);

async function trainClassifier(h: lk.Classifier, shape: readonly number[], k: number): Promise<void> {
  const x = data(shape);
  try {
    await h.fit(x, labelsFor(4, k), { epochs: 1, batchSize: 4, verbose: 0 });
  } finally {
    x.dispose();
  }
}

/** Bad data, bad labels or bad fit options for a classifier; `y` 'good' means fitting labels. */
function classifierInputs(shape: readonly number[], k: number): fc.Arbitrary<[unknown, string]> {
  return fc.oneof(
    badData(shape).map(([x, p]) => [{ x, y: 'good', options: {} }, p] as [unknown, string]),
    fc.constantFrom<[unknown, string]>(
      [[0, 1, 0], 'y'],
      [[0, k, 0, 1], 'y[1]'],
      [[0, -1, 0, 1], 'y[1]'],
      [[0, 0.5, 0, 1], 'y[1]'],
      ['abc', 'y'],
      [null, 'y'],
    ).map(([y, p]) => [{ x: 'good', y, options: {} }, p] as [unknown, string]),
    badFitOptions.map(([options, p]) => [{ x: 'good', y: 'good', options }, p] as [unknown, string]),
    fc.constantFrom<unknown>([1], 'x', { 9: 1 }, -1).map((w) => [{ x: 'good', y: 'good', options: { classWeight: w } }, 'fit.classWeight'] as [unknown, string]),
  );
}

function callClassifierFit(h: lk.Classifier, input: unknown): Promise<unknown> {
  const { x, y, options } = input as { x: unknown; y: unknown; options: unknown };
  const good = x === 'good' ? data(h.inputShape) : undefined;
  const labels = y === 'good' ? labelsFor(x === 'good' ? 4 : Array.isArray(x) ? x.length : 4, h.numClasses) : y;
  return Promise.resolve()
    .then(() => h.fit((good ?? x) as lk.DataInput, labels as lk.DataInput, typeof options === 'object' && options !== null ? { epochs: 1, verbose: 0, ...options } : (options as never)))
    .finally(() => good?.dispose());
}

const AE_FIELDS = {
  codeActivation: bad.activation,
  loss: bad.oneOf,
  l1: bad.nonNegative,
  dropoutBeforeCode: bad.rate,
  seed: bad.seed,
  allowLarge: bad.boolean,
};

const DENSE_FIELDS = { inputDim: bad.positiveInt, codeDim: bad.positiveInt, hiddenUnits: bad.intArray, activation: bad.activation, outputActivation: bad.activation, ...AE_FIELDS };

const aeOptions = fc.record({
  codeActivation: activation,
  loss: fc.constantFrom<lk.ReconstructionLoss>('mse', 'binaryCrossentropy'),
  l1: fc.constantFrom(0, 1e-3),
  dropoutBeforeCode: fc.constantFrom(0, 0.25),
  seed,
});

const undercomplete = fc
  .record({ inputDim: fc.integer({ min: 2, max: 6 }), hiddenUnits: units, activation, outputActivation: fc.constantFrom<lk.Activation>('sigmoid', 'linear', 'tanh') })
  .chain((c) => fc.record({ codeDim: fc.integer({ min: 1, max: c.inputDim - 1 }) }).map((d) => ({ ...c, ...d })))
  .chain((c) => aeOptions.map((o) => ({ ...c, ...o })));

const overcomplete = fc
  .record({ inputDim: fc.integer({ min: 1, max: 4 }), hiddenUnits: units, activation, outputActivation: fc.constantFrom<lk.Activation>('sigmoid', 'linear') })
  .chain((c) => fc.integer({ min: c.inputDim, max: c.inputDim + 3 }).map((codeDim) => ({ ...c, codeDim })))
  .chain((c) => aeOptions.map((o) => ({ ...c, ...o })));

/** Valid noise specs. */
export const noiseSpec: fc.Arbitrary<lk.NoiseSpec> = fc.oneof(
  fc.record({ kind: fc.constant('gaussian' as const), stddev: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('masking' as const), rate: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('saltAndPepper' as const), rate: fc.double({ min: 0, max: 1, noNaN: true }) }),
  fc.record({ kind: fc.constant('uniform' as const), scale: fc.double({ min: 0, max: 1, noNaN: true }), clip: fc.constant([0, 1] as const) }),
);

/** A conv stack that fits its image: sizes checked as tfjs computes them. */
const convStack = fc
  .record({
    inputShape: fc.tuple(fc.integer({ min: 3, max: 8 }), fc.integer({ min: 3, max: 8 }), fc.integer({ min: 1, max: 2 })),
    filters: fc.array(small(3), { minLength: 1, maxLength: 2 }),
    kernelSize: fc.integer({ min: 1, max: 3 }),
    strides: fc.integer({ min: 1, max: 2 }),
    padding: fc.constantFrom<'same' | 'valid'>('same', 'valid'),
    decoder: fc.constantFrom<'transpose' | 'upsample'>('transpose', 'upsample'),
  })
  .filter((c) => {
    let [h, w] = [c.inputShape[0], c.inputShape[1]];
    for (let i = 0; i < c.filters.length; i++) {
      [h, w] = [convOutputSize(h, c.kernelSize, c.strides, c.padding), convOutputSize(w, c.kernelSize, c.strides, c.padding)];
      if (h < 1 || w < 1) return false;
    }
    return true;
  });

const CONV_FIELDS = { inputShape: fc.constantFrom<unknown>([4, 4], [0, 4, 1], [4, 4, 1.5], 'x', null), filters: bad.nonEmptyIntArray, kernelSize: bad.positiveInt, strides: bad.positiveInt, padding: bad.oneOf, pooling: fc.constantFrom<unknown>(-1, 1.5, 'x', [2, 2, 2]), decoder: bad.oneOf };

const gaussianLike = { likelihood: 'gaussian' as const };

export const BUILDERS: BuilderEntry<Record<string, any>, any>[] = [
  {
    name: 'undercompleteAE',
    valid: undercomplete,
    build: (c) => lk.undercompleteAE(c as lk.UndercompleteAEConfig),
    train: (h, c) => trainOn(h, data([c['inputDim']])),
    fields: DENSE_FIELDS,
    rules: [
      [fc.integer({ min: 1, max: 5 }).chain((d) => fc.integer({ min: d, max: d + 3 }).map((codeDim) => ({ inputDim: d, codeDim }))), 'undercompleteAE.codeDim'],
      [fc.constant({ inputDim: 1e9, codeDim: 64 }), 'undercompleteAE.allowLarge'],
      [fc.constant({ inputShape: [4, 4, 1], inputDim: 4, codeDim: 2 }), 'undercompleteAE.inputShape'],
    ],
    inputs: (c) => fitInputs([c['inputDim']]),
    call: (h, input) => callFit([h.inputShape[0]])(h, input),
  },
  {
    name: 'overcompleteSparseAE',
    valid: overcomplete,
    build: (c) => lk.overcompleteSparseAE(c as lk.OvercompleteSparseAEConfig),
    train: (h, c) => trainOn(h, data([c['inputDim']])),
    fields: DENSE_FIELDS,
    rules: [[fc.integer({ min: 2, max: 5 }).map((d) => ({ inputDim: d, codeDim: d - 1 })), 'overcompleteSparseAE.codeDim']],
    inputs: (c) => fitInputs([c['inputDim']]),
    call: (h, input) => callFit([h.inputShape[0]])(h, input),
  },
  {
    name: 'denoisingAE',
    group: 'denoisingAE',
    valid: undercomplete.chain((c) => noiseSpec.map((noise) => ({ ...c, noise }))),
    build: (c) => lk.denoisingAE(c as lk.DenoisingAEConfig),
    train: (h, c) => trainOn(h, data([c['inputDim']])),
    fields: {
      ...DENSE_FIELDS,
      noise: fc.constantFrom<unknown>(null, 'masking', { kind: 'blur' }, { kind: 'masking', rate: 2 }, { kind: 'gaussian' }, { kind: 'saltAndPepper', rate: 0.1, low: 1, high: 0 }, { kind: 'masking', rate: 0.1, clips: [0, 1] }),
    },
    inputs: (c) => fitInputs([c['inputDim']]),
    call: (h, input) => callFit([h.inputShape[0]])(h, input),
  },
  {
    name: 'denoisingAE',
    group: 'denoisingAE',
    valid: convStack.chain((s) => fc.record({ codeDim: small(3), noise: noiseSpec, seed }).map((o) => ({ ...s, ...o }))),
    build: (c) => lk.denoisingAE(c as lk.DenoisingAEConfig),
    train: (h, c) => trainOn(h, data(c['inputShape'])),
    fields: { ...CONV_FIELDS, codeDim: bad.positiveInt, noise: fc.constantFrom<unknown>(null, { kind: 'masking' }, { kind: 'uniform', scale: -1 }) },
    weights: { valid: 40, invalid: 300, inputs: 100 },
  },
  {
    name: 'convAE',
    valid: convStack.chain((s) => fc.record({ codeDim: small(3), pooling: fc.constant(0), seed }).map((o) => ({ ...s, ...o }))),
    build: (c) => lk.convAE(c as lk.ConvAEConfig),
    train: (h, c) => trainOn(h, data(c['inputShape'])),
    fields: { ...CONV_FIELDS, codeDim: bad.positiveInt, ...AE_FIELDS },
    rules: [
      [fc.constant({ inputShape: [2, 2, 1], filters: [4], kernelSize: 3, padding: 'valid', strides: 1 }), 'convAE.inputShape'],
      [fc.constant({ inputShape: [4096, 4096, 3], filters: [8], strides: 1, codeDim: 64 }), 'convAE.allowLarge'],
      [fc.constant({ inputShape: [4, 4, 1], inputDim: 16 }), 'convAE.inputDim'],
    ],
    inputs: (c) => fitInputs(c['inputShape']),
    call: (h, input) => callFit(h.inputShape)(h, input),
  },
  {
    name: 'VAE',
    group: 'VAE',
    valid: fc
      .record({
        inputShape: fc.oneof(fc.tuple(small(5)), fc.constant([2, 2, 1])),
        hiddenUnits: units,
        latentDim: small(3),
        beta: fc.constantFrom(0, 0.5, 1, 4),
        klWarmupEpochs: fc.integer({ min: 0, max: 3 }),
        freeBits: fc.constantFrom(0, 0.1),
        activation,
        seed,
      })
      .chain((c) =>
        fc.oneof(
          fc.constant({ ...c, likelihood: 'bernoulli' as const }),
          fc.record({ gaussianVariance: fc.constantFrom<'unit' | 'learned'>('unit', 'learned'), outputActivation: fc.constantFrom<lk.Activation>('sigmoid', 'linear') }).map((g) => ({ ...c, ...gaussianLike, ...g })),
        ),
      ),
    build: (c) => lk.VAE(c as lk.VAEConfig),
    train: (h, c) => trainOn(h, data(c['inputShape'])),
    fields: { inputShape: fc.constantFrom<unknown>([], [0], [2, -1], 'x', null), hiddenUnits: bad.intArray, latentDim: bad.positiveInt, likelihood: bad.oneOf, beta: bad.nonNegative, klWarmupEpochs: bad.nonNegativeInt, freeBits: bad.nonNegative, activation: bad.activation, seed: bad.seed, allowLarge: bad.boolean },
    rules: [
      [fc.constant({ inputShape: [4], latentDim: 2, gaussianVariance: 'learned' }), 'VAE.gaussianVariance'],
      [fc.constant({ inputShape: [4], latentDim: 2, outputActivation: 'linear' }), 'VAE.outputActivation'],
      [fc.constant({ inputShape: [100000, 1000], latentDim: 2 }), 'VAE.allowLarge'],
      [fc.constant({ inputShape: [4], latentDim: 2, filters: [2] }), 'VAE.filters'],
      [fc.constant({ inputShape: [4], latentDim: 2, kind: 'dense' }), 'VAE.kind'],
    ],
    inputs: (c) =>
      fc.oneof(
        fitInputs(c['inputShape']),
        // Bernoulli: data outside [0, 1] is refused, saying which likelihood fits.
        fc.constant([{ x: tf.fill([4, ...(c['inputShape'] as number[])], 2), options: {} }, 'x'] as [unknown, string]),
      ),
    call: (h, input) => callFit(h.inputShape)(h, input),
  },
  {
    name: 'VAE',
    group: 'VAE',
    valid: convStack.chain((s) =>
      fc.record({ latentDim: small(2), seed }).map((o) => ({ architecture: 'conv' as const, inputShape: s.inputShape, filters: s.filters, kernelSize: s.kernelSize, strides: s.strides, padding: s.padding, decoder: s.decoder, ...o })),
    ),
    build: (c) => lk.VAE(c as lk.VAEConfig),
    train: (h, c) => trainOn(h, data(c['inputShape'])),
    fields: { ...CONV_FIELDS, latentDim: bad.positiveInt, beta: bad.nonNegative },
    rules: [[fc.constant({ architecture: 'conv', inputShape: [4, 4, 1], latentDim: 2, hiddenUnits: [3] }), 'VAE.hiddenUnits']],
    weights: { valid: 40, invalid: 300, inputs: 100 },
  },
  {
    name: 'GAN',
    group: 'GAN',
    valid: fc
      .record({
        dataShape: fc.tuple(small(4)),
        zDim: small(3),
        generatorUnits: units,
        discriminatorUnits: fc.array(small(3), { minLength: 1, maxLength: 2 }),
        loss: fc.constantFrom<lk.GANLoss>('minimax', 'nonSaturating', 'wgan', 'wgan-gp'),
        activation: fc.constantFrom<lk.Activation>(...(DOUBLE_BACKPROP_ACTIVATIONS as readonly lk.Activation[])),
        outputActivation: fc.constantFrom<lk.Activation>('tanh', 'linear', 'sigmoid'),
        batchNorm: fc.boolean(),
        numClasses: fc.constantFrom(undefined, 2, 3),
        conditioning: fc.constantFrom<lk.GANConditioning>('concat', 'acgan'),
        minibatchStddev: fc.constantFrom<boolean | lk.GANMinibatchStddevOptions>(false, true, { groupSize: 2 }),
        packing: fc.constantFrom(1, 2),
        discriminatorDropout: fc.constantFrom(0, 0.25),
        seed,
      })
      // conditioning only with numClasses; an ACGAN does not pack.
      .map(({ numClasses, conditioning, packing, ...c }) =>
        numClasses === undefined ? { ...c, packing } : { ...c, numClasses, conditioning, packing: conditioning === 'acgan' ? 1 : packing },
      ),
    build: (c) => lk.GAN(c as lk.GANConfig),
    train: async (h: lk.GenerativeAdversarialNetwork, c) => {
      const x = data(c['dataShape'], 4, -1, 1);
      try {
        const labels = c['numClasses'] ? [0, 1, 1, 0] : undefined;
        await h.fit(x, { epochs: 1, batchSize: 4, verbose: 0, balanceMonitor: false, ...(labels ? { labels } : {}) });
      } finally {
        x.dispose();
      }
    },
    fields: {
      dataShape: bad.nonEmptyIntArray,
      zDim: bad.positiveInt,
      generatorUnits: bad.intArray,
      discriminatorUnits: bad.nonEmptyIntArray,
      activation: bad.activation,
      outputActivation: bad.activation,
      batchNorm: bad.boolean,
      embeddingLayer: fc.constantFrom<unknown>('', '1abc', 'a b', 3, null),
      loss: bad.oneOf,
      gradientPenalty: bad.nonNegative,
      numClasses: fc.constantFrom<unknown>(1, 0, 2.5, 'x', null),
      clipValue: fc.constantFrom<unknown>(0, -0.01, NaN, Infinity, 'x', null),
      conditioning: bad.oneOf,
      minibatchStddev: fc.constantFrom<unknown>('yes', 1, null, { groupSize: 1 }, { grupSize: 2 }),
      packing: bad.positiveInt,
      discriminatorDropout: bad.rate,
      seed: bad.seed,
      allowLarge: bad.boolean,
    },
    rules: [
      [fc.constant({ dataShape: [2], loss: 'wgan-gp', activation: 'elu' }), 'GAN.activation'],
      [fc.constant({ dataShape: [2], clipValue: 0.1 }), 'GAN.clipValue'],
      [fc.constant({ dataShape: [2], conditioning: 'acgan' }), 'GAN.conditioning'],
      [fc.constant({ dataShape: [2], numClasses: 2, conditioning: 'acgan', packing: 2 }), 'GAN.packing'],
      [fc.constant({ dataShape: [2], kernelSize: 3 }), 'GAN.kernelSize'],
      [fc.constant({ dataShape: [1e6], generatorUnits: [256] }), 'GAN.allowLarge'],
      [fc.constant({ architecture: 'dcgan', dataShape: [6, 6, 1] }), 'GAN.dataShape'],
      [fc.constant({ architecture: 'dcgan', dataShape: [8] }), 'GAN.dataShape'],
      [fc.constant({ dataShape: [2], kind: 'dense' }), 'GAN.kind'],
    ],
    inputs: (c) =>
      fc.oneof(
        fitInputs(c['dataShape']),
        fc.constantFrom<unknown>(1, 1.5, 'x', -1).map((v) => [{ x: 'good', options: { labelSmoothing: v } }, 'fit.labelSmoothing'] as [unknown, string]),
        fc.constantFrom<unknown>(-1, 'x', { stdev: 1 }).map((v) => [{ x: 'good', options: { instanceNoise: v } }, 'fit.instanceNoise'] as [unknown, string]),
        bad.positiveInt.map((v) => [{ x: 'good', options: { dStepsPerG: v } }, 'fit.dStepsPerG'] as [unknown, string]),
        fc.constantFrom<unknown>(0, -1, 1.5, NaN, 'x').map((v) => [{ x: 'good', options: { learningRateDecay: v } }, 'fit.learningRateDecay'] as [unknown, string]),
        fc.constant([{ x: 'good', options: { labels: [0, 1] } }, 'fit.labels'] as [unknown, string]),
      ),
    call: (h: lk.GenerativeAdversarialNetwork, input) => callFit(h.dataShape)(h as never, input),
  },
  {
    name: 'GAN',
    group: 'GAN',
    valid: fc
      .record({
        side: fc.constantFrom(4, 8),
        channels: small(2),
        generatorFilters: fc.array(small(3), { minLength: 1, maxLength: 2 }),
        discriminatorFilters: fc.array(small(3), { minLength: 1, maxLength: 2 }),
        kernelSize: fc.integer({ min: 1, max: 3 }),
        zDim: small(3),
        numClasses: fc.constantFrom(undefined, 2),
        seed,
      })
      .map(({ side, channels, numClasses, ...c }) => ({ architecture: 'dcgan' as const, dataShape: [side, side, channels], ...c, ...(numClasses ? { numClasses } : {}) })),
    build: (c) => lk.GAN(c as lk.GANConfig),
    train: async (h: lk.GenerativeAdversarialNetwork, c) => {
      const x = data(c['dataShape'], 4, -1, 1);
      try {
        await h.fit(x, { epochs: 1, batchSize: 4, verbose: 0, balanceMonitor: false, ...(c['numClasses'] ? { labels: [0, 1, 1, 0] } : {}) });
      } finally {
        x.dispose();
      }
    },
    fields: { generatorFilters: bad.nonEmptyIntArray, discriminatorFilters: bad.nonEmptyIntArray, kernelSize: bad.positiveInt, zDim: bad.positiveInt, generatorUnits: fc.constant([3]) },
    weights: { valid: 30, invalid: 300, inputs: 0 },
  },
  {
    name: 'classifier',
    valid: fc.record({
      inputShape: fc.tuple(small(4)),
      numClasses: fc.integer({ min: 2, max: 3 }),
      layers: fc.array(fc.record({ units: small(3), activation, dropout: fc.constantFrom(0, 0.2) }), { maxLength: 2 }).map((ls) =>
        ls.flatMap(({ units, activation: a, dropout }) => [{ type: 'dense' as const, units, activation: a }, ...(dropout ? [{ type: 'dropout' as const, rate: dropout }] : [])]),
      ),
      seed,
    }),
    build: (c) => lk.classifier(c as lk.ClassifierConfig),
    train: (h: lk.Classifier, c) => trainClassifier(h, c['inputShape'], c['numClasses']),
    fields: {
      inputShape: fc.constantFrom<unknown>([], [0], [2, -1], 'x', null),
      numClasses: fc.constantFrom<unknown>(1, 0, 2.5, 'x', null),
      layers: fc.constantFrom<unknown>('nope', 3, null, [{ type: 'blah' }], [{ type: 'dense' }], [{ type: 'dense', units: 0 }], [{ type: 'dropout', rate: 1 }], [{ type: 'dense', units: 2, activaton: 'relu' }]),
      seed: bad.seed,
    },
    inputs: (c) => classifierInputs(c['inputShape'], c['numClasses']),
    call: (h: lk.Classifier, input) => callClassifierFit(h, input),
  },
  {
    name: 'transferHead',
    // The base: a fixed tiny autoencoder (3 -> 2 -> code 1), built and disposed around each head.
    valid: fc.record({
      numClasses: fc.integer({ min: 2, max: 3 }),
      hiddenUnits: fc.constantFrom<number[]>([], [2]),
      dropout: fc.constantFrom(0, 0.3),
      freeze: fc.constantFrom<boolean | number>(true, false, 1),
      seed,
    }),
    build: (c) => {
      const base = lk.undercompleteAE({ inputDim: 3, hiddenUnits: [2], codeDim: 1, seed: 1 });
      try {
        return lk.transferHead(base, c as lk.TransferHeadOptions);
      } finally {
        base.dispose();
      }
    },
    train: (h: lk.Classifier, c) => trainClassifier(h, [3], c['numClasses']),
    fields: {
      numClasses: fc.constantFrom<unknown>(1, 0, 2.5, 'x', null),
      fromLayer: fc.constantFrom<unknown>('nope', -99, 99, 1.5, '', null, {}),
      hiddenUnits: fc.constantFrom<unknown>('abc', [0], [1.5], [-1], {}, null),
      dropout: bad.rate,
      freeze: fc.constantFrom<unknown>(-1, 1.5, 'yes', 99, null),
      seed: bad.seed,
    },
    inputs: (c) => classifierInputs([3], c['numClasses']),
    call: (h: lk.Classifier, input) => callClassifierFit(h, input),
    weights: { valid: 40, invalid: 400, inputs: 150 },
  },
];
