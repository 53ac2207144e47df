/**
 * `GAN`: dense and DCGAN-style generative adversarial networks, unconditional or conditional on a class
 * label, trained by latentkit's loop with the controls that make them train: separate optimizers and
 * learning rates, the update ratio between the two networks, minimax / non-saturating / WGAN-GP losses,
 * one-sided label smoothing, instance noise and a warning when the discriminator wins.
 *
 * @example
 * ```ts
 * // The course's dense GAN: D has one tanh layer of 32 named `embedding` and a sigmoid output (Adam 1e-4);
 * // G has two tanh layers of 256 and a tanh output (Adam 1e-3); z has 256 dimensions; batches of 32.
 * // These are the defaults:
 * const gan = GAN({ dataShape: [2], outputActivation: 'linear', seed: 1 });
 * const history = await gan.fit(points, { epochs: 50, batchSize: 32 });
 * const samples = gan.sample(1000);        // [1000, 2]
 * const features = gan.embed(points);      // [N, 32], the discriminator's `embedding` layer
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { release, toExamples, type DataInput, type OwnedTensor } from '../data/input.js';
import { ConfigError, InputError, LatentkitError } from '../errors.js';
import { SeedStream, resolveSeed } from '../random/seed.js';
import type { Callback } from '../train/callbacks.js';
import { fitArrays, type FitArray } from '../train/fit.js';
import type { FitOptions, History } from '../train/loop.js';
import { releaseOptimizer, resolveOptimizer, type OptimizerConfig, type OptimizerSpec, type ResolvedOptimizer } from '../train/optimizers.js';
import { numberIn, oneOf, positiveInt, positiveIntArray } from '../validate.js';
import { checkActivation, type Activation } from './activations.js';
import { disposeModelWeights } from './disposeModels.js';
import { ganBalanceMonitor, type GANBalanceMonitorOptions } from './gan/callbacks.js';
import { DOUBLE_BACKPROP_ACTIVATIONS } from './gan/layers.js';
import { buildGANNets, type GANNetSpec, type GANNets } from './gan/nets.js';
import { GAN_LOSSES, GANTask, type GANLoss, type GANTaskSettings, type GANUpdateCounts } from './gan/task.js';

export { GAN_LOSSES, type GANLoss, type GANUpdateCounts } from './gan/task.js';
export { ganBalanceMonitor, imbalanceMessage, type GANBalanceMonitorOptions, type GANImbalance } from './gan/callbacks.js';
export { DoubleBackpropActivation, DOUBLE_BACKPROP_ACTIVATIONS, doubleBackpropActivation } from './gan/layers.js';
export type { DoubleBackpropActivationArgs, DoubleBackpropActivationName } from './gan/layers.js';

/**
 * The network families {@link GAN} builds.
 *
 * @example
 * ```ts
 * GAN_KINDS.includes('dcgan'); // true
 * ```
 */
export const GAN_KINDS = ['dense', 'dcgan'] as const;
/**
 * `dense`: multilayer perceptrons (any `dataShape`, flattened). `dcgan`: a transposed-convolution
 * generator and a strided-convolution discriminator (Radford et al.), for images `[H, W, C]`.
 *
 * @example
 * ```ts
 * const kind: GANKind = 'dcgan';
 * ```
 */
export type GANKind = (typeof GAN_KINDS)[number];

/**
 * Config of {@link GAN}. Fields marked dense or dcgan apply to that kind only (giving them to the other
 * kind is an error).
 *
 * @example
 * ```ts
 * const config: GANConfig = { kind: 'dcgan', dataShape: [28, 28, 1], zDim: 64, numClasses: 10, seed: 3 };
 * ```
 */
export interface GANConfig {
  /** Network family. Default `'dense'`. */
  kind?: GANKind;
  /** Shape of one example: `[2]` for points, `[784]` for flattened digits, `[28, 28, 1]` for images (dcgan). Required. */
  dataShape: number[];
  /** Dimensions of the generator's Gaussian input z. Default: dense 256 (the course), dcgan 100. */
  zDim?: number;
  /** dense: widths of the generator's hidden layers. Default `[256, 256]`. */
  generatorUnits?: number[];
  /** dense: widths of the discriminator's hidden layers; the last is named `embeddingLayer`. Default `[32]`. */
  discriminatorUnits?: number[];
  /**
   * dcgan: channels of the generator's feature maps, from the projection of z to the last transposed
   * convolution before the output; each after the first doubles height and width, and so does the output
   * layer, so `H` and `W` must be divisible by `2 ** generatorFilters.length`. Default `[128, 64]`
   * (28x28: 7x7x128 -> 14x14x64 -> 28x28xC).
   */
  generatorFilters?: number[];
  /** dcgan: channels of the discriminator's stride-2 convolutions. Default `[64, 128]`. */
  discriminatorFilters?: number[];
  /** dcgan: kernel size of every convolution. Default 4. */
  kernelSize?: number;
  /** Hidden activation of both networks. Default: dense `'tanh'` (the course); dcgan G `'relu'`, D `'leakyRelu'`. */
  activation?: Activation;
  /** Overrides `activation` for the generator. */
  generatorActivation?: Activation;
  /**
   * Overrides `activation` for the discriminator. With `loss: 'wgan-gp'` it must be one of
   * {@link DOUBLE_BACKPROP_ACTIVATIONS} (the gradient penalty differentiates the critic twice).
   */
  discriminatorActivation?: Activation;
  /** Activation of the generator's output: `'tanh'` for data in [-1, 1], `'sigmoid'` for [0, 1], `'linear'` for unbounded data. Default `'tanh'`. */
  outputActivation?: Activation;
  /** Batch normalization after each hidden layer of the generator (momentum 0.9). Default: dcgan true, dense false. */
  batchNorm?: boolean;
  /** Name of the discriminator's feature layer read by `embed`: dense, its last hidden layer; dcgan, its flattened convolution features. Default `'embedding'`. */
  embeddingLayer?: string;
  /** The adversarial loss; see {@link GANLoss}. Default `'nonSaturating'`. */
  loss?: GANLoss;
  /** wgan-gp: weight of the gradient penalty `(||dD/dx|| - 1)^2` on interpolates. Default 10. */
  gradientPenalty?: number;
  /**
   * Makes the GAN conditional on a class label in `[0, numClasses)`: its one-hot code is concatenated to z,
   * and to the discriminator's input (dense: to the flattened example; dcgan: as `numClasses` constant
   * channels beside the image's). Default: unconditional.
   */
  numClasses?: number;
  /** Seed of the initial weights and of every `fit` and `sample` that has no seed of its own. Default: from {@link setSeed}. */
  seed?: number;
}

/**
 * A {@link GANConfig} with every default filled in (plain data, as `gan.config`).
 *
 * @example
 * ```ts
 * const c: ResolvedGANConfig = GAN({ dataShape: [2], seed: 1 }).config; // c.zDim === 256
 * ```
 */
export interface ResolvedGANConfig extends Omit<GANNetSpec, 'critic'> {
  kind: GANKind;
  loss: GANLoss;
  gradientPenalty: number;
}

/**
 * Class labels: one integer per example (array, typed array or 1-D tensor), or one integer for all.
 *
 * @example
 * ```ts
 * const labels: GANLabelInput = [0, 3, 3, 9]; // or 7, or Int32Array.from(...), or tf.tensor1d(..., 'int32')
 * ```
 */
export type GANLabelInput = number | DataInput;

/**
 * Instance noise: Gaussian noise of standard deviation `stddev` (data units) added to every input the
 * discriminator sees while training, real and generated, so that the two distributions overlap.
 *
 * @example
 * ```ts
 * const noise: GANInstanceNoiseOptions = { stddev: 0.1, anneal: true };
 * ```
 */
export interface GANInstanceNoiseOptions {
  /** Standard deviation, >= 0. */
  stddev: number;
  /** Decay linearly per epoch (epoch e of E uses `stddev * (1 - e / E)`). Default false. */
  anneal?: boolean;
}

/**
 * Options of {@link GenerativeAdversarialNetwork.fit}. Defaults of the optimizers:
 *
 * | loss | dOptimizer, gOptimizer | dLearningRate | gLearningRate | dStepsPerG |
 * | --- | --- | --- | --- | --- |
 * | minimax, nonSaturating (dense) | adam | 1e-4 | 1e-3 | 1 |
 * | minimax, nonSaturating (dcgan) | adam, beta1 0.5 | 2e-4 | 2e-4 | 1 |
 * | wgan-gp | adam, beta1 0.5, beta2 0.9 | 1e-4 | 1e-4 | 5 |
 *
 * The default rates apply when the optimizer is left out or given by name; an {@link OptimizerConfig}
 * keeps its own `learningRate` (or its optimizer's default) unless `dLearningRate`/`gLearningRate` is set.
 * `earlyStopping` needs an explicit `monitor` (a GAN has no single `loss`), e.g. `{ monitor: 'valDLoss' }`.
 *
 * @example
 * ```ts
 * const options: GANFitOptions = { epochs: 20, batchSize: 64, dLearningRate: 1e-4, gStepsPerD: 2, labelSmoothing: 0.1 };
 * ```
 */
export interface GANFitOptions extends FitOptions {
  /** Conditional GANs: the class of each example of `x`. Required when the GAN has `numClasses`. */
  labels?: GANLabelInput;
  /** Held-out real examples (with `labels` for a conditional GAN); the losses and accuracies are reported as `valDLoss`... */
  validationData?: DataInput | { x: DataInput; labels: GANLabelInput };
  /** The discriminator's optimizer: a name, a config or a `tf.Optimizer` (which stays yours). See the table above. */
  dOptimizer?: OptimizerSpec;
  /** The generator's optimizer. See the table above. */
  gOptimizer?: OptimizerSpec;
  /** The discriminator's learning rate. See the table above. */
  dLearningRate?: number;
  /** The generator's learning rate. See the table above. */
  gLearningRate?: number;
  /**
   * Discriminator updates per generator round: the discriminator is updated on every batch, the generator
   * every `dStepsPerG`-th batch. Default 1 (wgan-gp 5).
   */
  dStepsPerG?: number;
  /** Generator updates per round (each on fresh z). Default 1. */
  gStepsPerD?: number;
  /** One-sided label smoothing: the discriminator's target for real examples is `1 - labelSmoothing`, in [0, 1). Not for wgan-gp. Default 0. */
  labelSmoothing?: number;
  /** Instance noise: a standard deviation, or {@link GANInstanceNoiseOptions}. Default 0 (none). */
  instanceNoise?: number | GANInstanceNoiseOptions;
  /** Warn when the discriminator wins (see {@link ganBalanceMonitor}): `true`, `false`, or its options. Default true. */
  balanceMonitor?: boolean | GANBalanceMonitorOptions;
}

/**
 * Options of {@link GenerativeAdversarialNetwork.sample}.
 *
 * @example
 * ```ts
 * const options: GANSampleOptions = { labels: 7, seed: 1 };
 * ```
 */
export interface GANSampleOptions {
  /** Conditional GANs: the class of each sample, or one class for all. Required when the GAN has `numClasses`. */
  labels?: GANLabelInput;
  /** Seed of z. Default: the next seed of the GAN's own stream (so successive calls differ, reproducibly). */
  seed?: number;
}

/**
 * Options of {@link GenerativeAdversarialNetwork.discriminate} and {@link GenerativeAdversarialNetwork.embed}.
 *
 * @example
 * ```ts
 * const options: GANDiscriminateOptions = { labels: [1, 2, 3], batchSize: 128 };
 * ```
 */
export interface GANDiscriminateOptions {
  /** Conditional GANs: the class of each example, or one class for all. */
  labels?: GANLabelInput;
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}

/**
 * A generative adversarial network: its two networks, sampling, the discriminator's view of data, and
 * training with latentkit's loop.
 *
 * @example
 * ```ts
 * const gan = GAN({ kind: 'dcgan', dataShape: [28, 28, 1], numClasses: 10, seed: 1 });
 * await gan.fit(images, { labels, epochs: 5, batchSize: 64 });
 * const sevens = gan.sample(16, { labels: 7 });  // [16, 28, 28, 1]
 * sevens.dispose(); gan.dispose();
 * ```
 */
export interface GenerativeAdversarialNetwork {
  /** `'dense'` or `'dcgan'`. */
  readonly kind: GANKind;
  /** The builder's config with every default filled in. */
  readonly config: Readonly<ResolvedGANConfig>;
  /** `z` (and a one-hot label `[numClasses]` when conditional) -> a sample `[...dataShape]`. */
  readonly generator: tfl.LayersModel;
  /**
   * x (and a one-hot label when conditional) -> probability that x is real (`[N, 1]`, sigmoid), or the
   * critic's unbounded score for wgan-gp.
   */
  readonly discriminator: tfl.LayersModel;
  /** Shape of one example. */
  readonly dataShape: readonly number[];
  /** Dimensions of z. */
  readonly zDim: number;
  /** Classes of a conditional GAN, or undefined. */
  readonly numClasses: number | undefined;
  /** Discriminator and generator updates applied by every `fit` so far. */
  readonly updates: Readonly<GANUpdateCounts>;
  /** `n` new samples `[n, ...dataShape]` (a tensor the caller disposes), from z drawn with `options.seed`. */
  sample(n: number, options?: GANSampleOptions): tf.Tensor;
  /** The discriminator's output for `x`: `[N, 1]` probabilities of being real (critic scores for wgan-gp). */
  discriminate(x: DataInput, options?: GANDiscriminateOptions): tf.Tensor;
  /** The output of the discriminator's `embeddingLayer` for `x`: `[N, features]`. */
  embed(x: DataInput, options?: GANDiscriminateOptions): tf.Tensor;
  /** Trains on real examples `x`; see {@link GANFitOptions}. History: `dLoss`, `gLoss`, `dAccuracyReal`, `dAccuracyFake`, ... */
  fit(x: DataInput, options?: GANFitOptions): Promise<History>;
  /** The layer tables of the generator and the discriminator, as text. */
  summary(): string;
  /** Frees every weight. The handle is unusable afterwards. */
  dispose(): void;
}

const DEFAULT_ZDIM: Record<GANKind, number> = { dense: 256, dcgan: 100 };

function checkKindOnly(config: GANConfig, kind: GANKind, fields: (keyof GANConfig)[], other: string): void {
  for (const f of fields) {
    if (config[f] !== undefined) {
      throw new ConfigError(`GAN.${f}`, config[f], `to be left out for kind "${kind}" (it applies to ${other} GANs)`);
    }
  }
}

function nonEmpty(parameter: string, value: unknown): number[] {
  const arr = positiveIntArray(parameter, value);
  if (arr.length === 0) throw new ConfigError(parameter, value, 'at least one positive integer');
  return arr;
}

/**
 * Checks a {@link GANConfig} and fills in its defaults.
 *
 * @throws ConfigError naming the field at fault.
 * @example
 * ```ts
 * const c = resolveGANConfig({ dataShape: [2] }); // c.zDim === 256, c.discriminatorUnits = [32]
 * ```
 */
export function resolveGANConfig(config: GANConfig): ResolvedGANConfig {
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError('GAN', config, "a config object such as { dataShape: [784] } or { kind: 'dcgan', dataShape: [28, 28, 1] }");
  }
  const kind = oneOf('GAN.kind', config.kind ?? 'dense', GAN_KINDS);
  const dataShape = nonEmpty('GAN.dataShape', config.dataShape);
  const loss = oneOf('GAN.loss', config.loss ?? 'nonSaturating', GAN_LOSSES);
  const dense = kind === 'dense';
  if (dense) checkKindOnly(config, kind, ['generatorFilters', 'discriminatorFilters', 'kernelSize'], 'dcgan');
  else checkKindOnly(config, kind, ['generatorUnits', 'discriminatorUnits'], 'dense');
  const activation = config.activation === undefined ? undefined : checkActivation('GAN.activation', config.activation);
  const generatorActivation = checkActivation('GAN.generatorActivation', config.generatorActivation ?? activation ?? (dense ? 'tanh' : 'relu'));
  const dParameter = config.discriminatorActivation !== undefined || activation === undefined ? 'GAN.discriminatorActivation' : 'GAN.activation';
  const discriminatorActivation = checkActivation(dParameter, config.discriminatorActivation ?? activation ?? (dense ? 'tanh' : 'leakyRelu'));
  if (loss === 'wgan-gp' && !(DOUBLE_BACKPROP_ACTIVATIONS as readonly string[]).includes(discriminatorActivation)) {
    throw new ConfigError(
      dParameter,
      discriminatorActivation,
      `with loss "wgan-gp", an activation whose gradient tfjs can differentiate again: one of ${DOUBLE_BACKPROP_ACTIVATIONS.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  const generatorFilters = dense ? [] : nonEmpty('GAN.generatorFilters', config.generatorFilters ?? [128, 64]);
  const discriminatorFilters = dense ? [] : nonEmpty('GAN.discriminatorFilters', config.discriminatorFilters ?? [64, 128]);
  if (!dense) {
    if (dataShape.length !== 3) {
      throw new ConfigError('GAN.dataShape', config.dataShape, 'images [height, width, channels] for kind "dcgan" (use kind "dense" for flat data)');
    }
    const factor = 2 ** generatorFilters.length;
    if (dataShape[0]! % factor !== 0 || dataShape[1]! % factor !== 0) {
      throw new ConfigError(
        'GAN.dataShape',
        config.dataShape,
        `height and width divisible by ${factor} (2 ** generatorFilters.length, with generatorFilters ${JSON.stringify(generatorFilters)})`,
      );
    }
  }
  const embeddingLayer = config.embeddingLayer ?? 'embedding';
  if (typeof embeddingLayer !== 'string' || !/^[A-Za-z][\w.-]*$/.test(embeddingLayer)) {
    throw new ConfigError('GAN.embeddingLayer', embeddingLayer, 'a layer name: a letter, then letters, digits, _ . or -');
  }
  const batchNorm = config.batchNorm ?? !dense;
  if (typeof batchNorm !== 'boolean') throw new ConfigError('GAN.batchNorm', batchNorm, 'true or false');
  const numClasses = config.numClasses === undefined ? undefined : positiveInt('GAN.numClasses', config.numClasses);
  if (numClasses === 1) throw new ConfigError('GAN.numClasses', 1, 'at least 2 classes (leave it out for an unconditional GAN)');
  return {
    kind,
    dataShape,
    zDim: positiveInt('GAN.zDim', config.zDim ?? DEFAULT_ZDIM[kind]),
    generatorUnits: dense ? positiveIntArray('GAN.generatorUnits', config.generatorUnits ?? [256, 256]) : [],
    discriminatorUnits: dense ? nonEmpty('GAN.discriminatorUnits', config.discriminatorUnits ?? [32]) : [],
    generatorFilters,
    discriminatorFilters,
    kernelSize: dense ? 0 : positiveInt('GAN.kernelSize', config.kernelSize ?? 4),
    generatorActivation,
    discriminatorActivation,
    outputActivation: checkActivation('GAN.outputActivation', config.outputActivation ?? 'tanh'),
    batchNorm,
    embeddingLayer,
    loss,
    gradientPenalty: numberIn('GAN.gradientPenalty', config.gradientPenalty ?? 10, 0, Infinity, { maxOpen: true }),
    numClasses,
    seed: resolveSeed(config.seed, 'GAN.seed'),
  };
}

/**
 * Checks class labels and returns them as an int32 tensor `[n]` (new, or the caller's own int32 tensor).
 * `n` is required when `labels` is a single integer.
 */
function labelTensor(labels: GANLabelInput, numClasses: number, parameter: string, n?: number): OwnedTensor {
  const expected = `integer class labels in [0, ${numClasses - 1}]`;
  let owned: OwnedTensor;
  if (typeof labels === 'number') {
    if (!Number.isInteger(labels) || labels < 0 || labels >= numClasses) throw new InputError(parameter, labels, expected);
    if (n === undefined) throw new InputError(parameter, labels, 'one label per example, not a single class');
    return { tensor: tf.fill([n], labels, 'int32'), created: true };
  }
  // A flat typed array is one label per example; toExamples reads typed arrays as [-1, ...shape] data.
  const data = ArrayBuffer.isView(labels) ? Array.from(labels as unknown as ArrayLike<number>) : labels;
  owned = toExamples(data, parameter, []);
  const values = owned.tensor.dataSync();
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      release(owned);
      throw new InputError(parameter, labels, `${expected} (found ${v} at index ${i})`);
    }
  }
  if (n !== undefined && owned.tensor.shape[0] !== n) {
    release(owned);
    throw new InputError(parameter, labels, `${n} labels, one per example`);
  }
  const asInt = tf.cast(owned.tensor, 'int32');
  release(owned);
  owned = { tensor: asInt, created: true };
  return owned;
}

/** The GAN's default optimizer for one network when none is given. */
function defaultOptimizer(c: ResolvedGANConfig): OptimizerConfig {
  if (c.loss === 'wgan-gp') return { name: 'adam', beta1: 0.5, beta2: 0.9 };
  return c.kind === 'dcgan' ? { name: 'adam', beta1: 0.5 } : { name: 'adam' };
}

function defaultRates(c: ResolvedGANConfig): { d: number; g: number } {
  if (c.loss === 'wgan-gp') return { d: 1e-4, g: 1e-4 };
  return c.kind === 'dcgan' ? { d: 2e-4, g: 2e-4 } : { d: 1e-4, g: 1e-3 };
}

function optimizerFor(c: ResolvedGANConfig, spec: OptimizerSpec | undefined, rate: number | undefined, defaultRate: number, which: 'd' | 'g'): ResolvedOptimizer {
  const rateName = `fit.${which}LearningRate`;
  if (rate !== undefined) numberIn(rateName, rate, 0, Infinity, { minOpen: true, maxOpen: true });
  // tf.Optimizer's instanceof check reads a property of its operand: test for an object first.
  if (typeof spec === 'object' && spec !== null && spec instanceof tf.Optimizer) {
    if (rate !== undefined) {
      throw new ConfigError(rateName, rate, `to be left out when fit.${which}Optimizer is a tf.Optimizer instance (set the rate when creating it)`);
    }
    return resolveOptimizer(spec, undefined, `fit.${which}Optimizer`);
  }
  if (spec === undefined) return resolveOptimizer(defaultOptimizer(c), rate ?? defaultRate, `fit.${which}Optimizer`);
  if (typeof spec === 'string') return resolveOptimizer(spec, rate ?? defaultRate, `fit.${which}Optimizer`);
  return resolveOptimizer(spec, rate, `fit.${which}Optimizer`);
}

function instanceNoise(value: GANFitOptions['instanceNoise']): { stddev: number; anneal: boolean } {
  if (value === undefined) return { stddev: 0, anneal: false };
  if (typeof value === 'number') return { stddev: numberIn('fit.instanceNoise', value, 0, Infinity, { maxOpen: true }), anneal: false };
  if (typeof value !== 'object' || value === null) {
    throw new ConfigError('fit.instanceNoise', value, 'a standard deviation >= 0 or { stddev, anneal }');
  }
  const anneal = value.anneal ?? false;
  if (typeof anneal !== 'boolean') throw new ConfigError('fit.instanceNoise.anneal', anneal, 'true or false');
  return { stddev: numberIn('fit.instanceNoise.stddev', value.stddev, 0, Infinity, { maxOpen: true }), anneal };
}

/**
 * The implementation of {@link GenerativeAdversarialNetwork} that {@link GAN} returns (build it through {@link GAN}).
 *
 * @example
 * ```ts
 * const gan = GAN({ dataShape: [2] });
 * gan instanceof GANModel; // true
 * ```
 */
export class GANModel implements GenerativeAdversarialNetwork {
  readonly kind: GANKind;
  readonly config: Readonly<ResolvedGANConfig>;
  readonly generator: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel;
  readonly dataShape: readonly number[];
  readonly zDim: number;
  readonly numClasses: number | undefined;
  private readonly nets: GANNets;
  private readonly stream: SeedStream;
  private readonly counts: GANUpdateCounts = { discriminator: 0, generator: 0 };
  private disposed = false;

  constructor(config: ResolvedGANConfig) {
    this.config = Object.freeze({ ...config, dataShape: [...config.dataShape] });
    this.kind = config.kind;
    this.dataShape = Object.freeze([...config.dataShape]);
    this.zDim = config.zDim;
    this.numClasses = config.numClasses;
    this.nets = buildGANNets({ ...config, critic: config.loss === 'wgan-gp' });
    this.generator = this.nets.generator;
    this.discriminator = this.nets.discriminator;
    this.stream = new SeedStream(config.seed);
  }

  get updates(): Readonly<GANUpdateCounts> {
    return { ...this.counts };
  }

  private assertLive(): void {
    if (this.disposed) throw new LatentkitError(`latentkit: this ${this.kind} GAN has been disposed.`);
  }

  /** One-hot labels `[n, numClasses]` for a conditional GAN (undefined otherwise), checking their presence. */
  private oneHotLabels(labels: GANLabelInput | undefined, n: number, parameter: string): tf.Tensor | undefined {
    const k = this.numClasses;
    if (k === undefined) {
      if (labels !== undefined) throw new ConfigError(parameter, labels, 'to be left out: this GAN was built without numClasses');
      return undefined;
    }
    if (labels === undefined) {
      throw new ConfigError(parameter, labels, `class labels in [0, ${k - 1}] (this GAN is conditional, numClasses ${k})`);
    }
    const owned = labelTensor(labels, k, parameter, n);
    try {
      return tf.tidy(() => tf.cast(tf.oneHot(owned.tensor, k), 'float32'));
    } finally {
      release(owned);
    }
  }

  sample(n: number, options: GANSampleOptions = {}): tf.Tensor {
    this.assertLive();
    positiveInt('sample.n', n);
    const seed = options.seed === undefined ? this.stream.nextSeed() : resolveSeed(options.seed, 'sample.seed');
    const y = this.oneHotLabels(options.labels, n, 'sample.labels');
    try {
      return tf.tidy(() => {
        const z = tf.randomNormal([n, this.zDim], 0, 1, 'float32', seed);
        return this.generator.predict(y ? [z, y] : z, { batchSize: 256 }) as tf.Tensor;
      });
    } finally {
      y?.dispose();
    }
  }

  private predictWith(model: tfl.LayersModel, x: DataInput, options: GANDiscriminateOptions, method: string): tf.Tensor {
    this.assertLive();
    const batchSize = positiveInt(`${method}.batchSize`, options.batchSize ?? 256);
    const xs = toExamples(x, 'x', this.dataShape);
    let y: tf.Tensor | undefined;
    try {
      y = this.oneHotLabels(options.labels, xs.tensor.shape[0]!, `${method}.labels`);
      const inputs = y ? [xs.tensor, y] : xs.tensor;
      return model.predict(inputs, { batchSize }) as tf.Tensor;
    } finally {
      y?.dispose();
      release(xs);
    }
  }

  discriminate(x: DataInput, options: GANDiscriminateOptions = {}): tf.Tensor {
    return this.predictWith(this.discriminator, x, options, 'discriminate');
  }

  embed(x: DataInput, options: GANDiscriminateOptions = {}): tf.Tensor {
    return this.predictWith(this.nets.embedder, x, options, 'embed');
  }

  async fit(x: DataInput, options: GANFitOptions = {}): Promise<History> {
    this.assertLive();
    if (typeof options !== 'object' || options === null) throw new ConfigError('fit.options', options, 'an options object');
    const c = this.config;
    const wgan = c.loss === 'wgan-gp';
    const dStepsPerG = positiveInt('fit.dStepsPerG', options.dStepsPerG ?? (wgan ? 5 : 1));
    const gStepsPerD = positiveInt('fit.gStepsPerD', options.gStepsPerD ?? 1);
    const labelSmoothing = numberIn('fit.labelSmoothing', options.labelSmoothing ?? 0, 0, 1, { maxOpen: true });
    if (wgan && labelSmoothing > 0) {
      throw new ConfigError('fit.labelSmoothing', labelSmoothing, 'to be left out with loss "wgan-gp" (a critic has no labels to smooth)');
    }
    const noise = instanceNoise(options.instanceNoise);
    const k = this.numClasses;
    if (k === undefined && options.labels !== undefined) {
      throw new ConfigError('fit.labels', options.labels, 'to be left out: this GAN was built without numClasses');
    }
    if (k !== undefined && options.labels === undefined) {
      throw new ConfigError('fit.labels', undefined, `class labels in [0, ${k - 1}], one per example (this GAN is conditional, numClasses ${k})`);
    }
    const monitor = options.balanceMonitor ?? true;
    if (typeof monitor !== 'boolean' && (typeof monitor !== 'object' || monitor === null)) {
      throw new ConfigError('fit.balanceMonitor', monitor, 'true, false or ganBalanceMonitor options');
    }
    const callbacks: Callback[] =
      options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? [...options.callbacks] : [options.callbacks];
    if (monitor !== false) callbacks.push(ganBalanceMonitor(monitor === true ? {} : monitor));
    const es = options.earlyStopping;
    if (es === true || (typeof es === 'object' && es !== null && es.monitor === undefined)) {
      throw new ConfigError(
        'fit.earlyStopping',
        es,
        "options with a monitor (a GAN has no single loss), e.g. { monitor: 'valDLoss', patience: 5 }",
      );
    }
    const rates = defaultRates(c);
    // Checked before any tensor is made, so that a bad option leaves nothing behind.
    optimizerChecks(options);

    const owned: OwnedTensor[] = [];
    try {
      const arrays: FitArray[] = [{ parameter: 'x', data: x, exampleShape: this.dataShape }];
      if (k !== undefined) {
        const labels = labelTensor(options.labels!, k, 'fit.labels');
        owned.push(labels);
        arrays.push({ parameter: 'fit.labels', data: labels.tensor, exampleShape: [] });
      }
      let validation: FitArray[] | undefined;
      const v = options.validationData;
      if (v !== undefined) {
        const pair = typeof v === 'object' && v !== null && !(v instanceof tf.Tensor) && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'x' in v;
        if (k !== undefined && !pair) {
          throw new ConfigError('fit.validationData', v, '{ x, labels } for a conditional GAN');
        }
        const vx = pair ? (v as { x: DataInput }).x : (v as DataInput);
        validation = [{ parameter: 'fit.validationData', data: vx, exampleShape: this.dataShape }];
        if (k !== undefined) {
          const vl = labelTensor((v as { labels: GANLabelInput }).labels, k, 'fit.validationData.labels');
          owned.push(vl);
          validation.push({ parameter: 'fit.validationData.labels', data: vl.tensor, exampleShape: [] });
        }
      }
      const settings: GANTaskSettings = {
        loss: c.loss,
        gradientPenalty: c.gradientPenalty,
        zDim: c.zDim,
        numClasses: k,
        dStepsPerG,
        gStepsPerD,
        labelSmoothing,
        instanceNoise: noise,
      };
      return await fitArrays(arrays, validation, { ...options, callbacks }, this.stream.nextSeed(), () => {
        const d = optimizerFor(c, options.dOptimizer, options.dLearningRate, rates.d, 'd');
        let g: ResolvedOptimizer;
        try {
          g = optimizerFor(c, options.gOptimizer, options.gLearningRate, rates.g, 'g');
        } catch (e) {
          releaseOptimizer(d);
          throw e;
        }
        return new GANTask(this.nets, settings, d, g, this.counts);
      });
    } finally {
      owned.forEach(release);
    }
  }

  summary(): string {
    this.assertLive();
    const lines: string[] = [];
    const print = (...msg: unknown[]) => lines.push(msg.join(' '));
    for (const [title, m] of [['generator', this.generator], ['discriminator', this.discriminator]] as const) {
      lines.push(`${this.kind} GAN: ${title}`);
      m.summary(100, undefined, print);
    }
    return lines.join('\n');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const n = this.nets;
    disposeModelWeights([n.generator, n.discriminator, n.score, n.embedder]);
  }
}

/** Validates the optimizer options' types without creating anything. */
function optimizerChecks(options: GANFitOptions): void {
  for (const which of ['d', 'g'] as const) {
    const rate = options[`${which}LearningRate`];
    if (rate !== undefined) numberIn(`fit.${which}LearningRate`, rate, 0, Infinity, { minOpen: true, maxOpen: true });
    const spec = options[`${which}Optimizer`];
    if (spec !== undefined && typeof spec !== 'string' && (typeof spec !== 'object' || spec === null)) {
      throw new ConfigError(`fit.${which}Optimizer`, spec, 'an optimizer name, an optimizer config or a tf.Optimizer');
    }
  }
}

/**
 * Builds a generative adversarial network; see {@link GANConfig} for every field and its default.
 *
 * The defaults are the course's dense GAN: a generator `z(256) -> 256 tanh -> 256 tanh -> data (tanh)` and
 * a discriminator `data -> 32 tanh (named embedding) -> 1 sigmoid`, trained with the non-saturating loss,
 * Adam 1e-4 for the discriminator and 1e-3 for the generator (see {@link GANFitOptions}).
 *
 * @throws ConfigError naming the field when the config is invalid (zDim 0, an unknown loss, a dcgan
 *   dataShape that is not an image, an activation a wgan-gp critic cannot use...).
 * @example
 * ```ts
 * const gan = GAN({ dataShape: [784], seed: 42 });                     // the course's dense GAN
 * await gan.fit(digitsInMinusOneToOne, { epochs: 30, batchSize: 32 });
 * const wgan = GAN({ kind: 'dcgan', dataShape: [28, 28, 1], loss: 'wgan-gp', zDim: 64 });
 * ```
 */
export function GAN(config: GANConfig): GenerativeAdversarialNetwork {
  return new GANModel(resolveGANConfig(config));
}
