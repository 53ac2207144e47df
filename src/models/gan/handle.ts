/**
 * The GAN's handle: its generator and discriminator (with views sharing the discriminator's layers: its
 * pre-sigmoid score, its embedding layer, an ACGAN's classifier), sampling, the discriminator's view of
 * data, and training by the {@link GANTask}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, InputError } from '../../core/errors.js';
import { checkGeneratedSize, is, optionsSchema, type DeepReadonly } from '../../core/options.js';
import { release, toExamples, type DataInput, type OwnedTensor } from '../../data/input.js';
import { predictInBatches } from '../../train/batches.js';
import type { Callback } from '../../train/callbacks.js';
import type { FitArray } from '../../train/fit.js';
import { releaseOptimizer, type ResolvedOptimizer } from '../../train/optimizers.js';
import { ModelHandle, PREDICT_BATCH, type FeatureNetwork } from '../base/handle.js';
import { ganBalanceMonitor } from './balanceMonitor.js';
import { buildGANNets, discriminatorTakesLabel, type GANNets } from './build.js';
import type { GANArchitecture, ResolvedGANConfig } from './config.js';
import { GAN_FIT, defaultRates, defaultSteps, labelTensor, optimizerFor, type GANFitOptions, type GANHistory, type GANLabelInput, type GANValidationData } from './fitOptions.js';
import { isCritic } from './losses.js';
import { packExamples, packLabels } from './packing.js';
import { GANTask, type GANTaskSettings, type GANUpdateCounts } from './task.js';

/**
 * A generative adversarial network: its two networks, sampling, the discriminator's view of data, and
 * training with latentkit's loop.
 *
 * @example
 * ```ts
 * const gan = GAN({ architecture: 'dcgan', dataShape: [28, 28, 1], numClasses: 10, seed: 1 });
 * await gan.fit(images, { labels, epochs: 5, batchSize: 64 });
 * const sevens = gan.sample(16, { labels: 7 });  // [16, 28, 28, 1]
 * sevens.dispose(); gan.dispose();
 * ```
 * @category Models
 */
export interface GenerativeAdversarialNetwork {
  /** Always `'gan'`. */
  readonly kind: 'gan';
  /** The network family: `'dense'` or `'dcgan'`. */
  readonly architecture: GANArchitecture;
  /** The builder's config with every default filled in (frozen plain data); `GAN(gan.config)` rebuilds the same networks. */
  readonly config: DeepReadonly<ResolvedGANConfig>;
  /** `z` (and a one-hot label `[numClasses]` when conditional) -> a sample `[...dataShape]`. */
  readonly generator: tfl.LayersModel;
  /**
   * x (and a one-hot label with `conditioning: 'concat'`) -> probability that x is real (`[N, 1]`, sigmoid),
   * or the critic's unbounded score for the Wasserstein losses. An ACGAN's has two outputs: that, and the
   * class probabilities `[N, numClasses]` (softmax). With `packing` m its input is m examples side by side
   * (see {@link GANConfig.packing}).
   */
  readonly discriminator: tfl.LayersModel;
  /** Shape of one example. */
  readonly dataShape: readonly number[];
  /** Dimensions of z. */
  readonly zDim: number;
  /** Classes of a conditional GAN, or undefined. */
  readonly numClasses: number | undefined;
  /** Discriminator and generator updates applied by every `fit` so far (restored by `load`). */
  readonly updates: Readonly<GANUpdateCounts>;
  /** Epochs completed by every `fit` of this handle (and of the save it was loaded from). */
  readonly epochsTrained: number;
  /** `n` new samples `[n, ...dataShape]` (a tensor the caller disposes), from z drawn with `options.seed`. */
  sample(n: number, options?: GANSampleOptions): tf.Tensor;
  /**
   * The discriminator's output for `x`: `[N, 1]` probabilities of being real (critic scores for the
   * Wasserstein losses). With `packing` m, one row per pack of m consecutive examples: `[N / m, 1]`
   * (N must be a multiple of m).
   */
  discriminate(x: DataInput, options?: GANDiscriminateOptions): tf.Tensor;
  /** The output of the discriminator's `embeddingLayer` for `x`: `[N, features]` (`[N / m, features]` with `packing` m). */
  embed(x: DataInput, options?: GANDiscriminateOptions): tf.Tensor;
  /**
   * An ACGAN's auxiliary classifier: the class probabilities `[N, numClasses]` its discriminator gives
   * `x`. Only for `conditioning: 'acgan'` (a ConfigError otherwise).
   */
  classify(x: DataInput, options?: GANClassifyOptions): tf.Tensor;
  /** Trains on real examples `x`; see {@link GANFitOptions} and {@link GANHistory}. */
  fit(x: DataInput, options?: GANFitOptions): Promise<GANHistory>;
  /** Where a transfer head on this GAN starts: the discriminator and its `embeddingLayer`. */
  featureNetwork(): FeatureNetwork;
  /** The layer tables of the generator and the discriminator, as text. */
  summary(): string;
  /** Frees every weight. The handle is unusable afterwards. */
  dispose(): void;
}
/**
 * Options of {@link GenerativeAdversarialNetwork.sample}.
 * @category Models
 */
export interface GANSampleOptions {
  /** Conditional GANs: the class of each sample, or one class for all. Required when the GAN has `numClasses`. */
  labels?: GANLabelInput;
  /** Seed of z. Default: the next seed of the GAN's own stream (so successive calls differ, reproducibly). */
  seed?: number;
}

/**
 * Options of {@link GenerativeAdversarialNetwork.discriminate} and {@link GenerativeAdversarialNetwork.embed}.
 * @category Models
 */
export interface GANDiscriminateOptions {
  /** Conditional GANs: the class of each example, or one class for all. */
  labels?: GANLabelInput;
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}
/**
 * Options of {@link GenerativeAdversarialNetwork.classify}.
 * @category Models
 */
export interface GANClassifyOptions {
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}
const SAMPLE = optionsSchema<GANSampleOptions>()('sample', { labels: is.any<GANLabelInput>(), seed: is.seed() });
const CLASSIFY = optionsSchema<GANClassifyOptions>()('classify', { batchSize: is.positiveInt().default(PREDICT_BATCH) });
const discriminateOptions = (method: string) =>
  optionsSchema<GANDiscriminateOptions>()(method, { labels: is.any<GANLabelInput>(), batchSize: is.positiveInt().default(PREDICT_BATCH) });
const DISCRIMINATE = discriminateOptions('discriminate');
const EMBED = discriminateOptions('embed');

/** The handle {@link GAN} returns (build one through {@link GAN}). */
export class GANHandle extends ModelHandle<ResolvedGANConfig> implements GenerativeAdversarialNetwork {
  override readonly kind = 'gan' as const;
  readonly architecture: GANArchitecture;
  readonly generator: tfl.LayersModel;
  readonly discriminator: tfl.LayersModel;
  readonly dataShape: readonly number[];
  readonly zDim: number;
  readonly numClasses: number | undefined;
  private readonly nets: GANNets;
  private readonly counts: GANUpdateCounts = { discriminator: 0, generator: 0 };

  constructor(config: ResolvedGANConfig) {
    super('gan', config, `${config.architecture} GAN`);
    this.architecture = config.architecture;
    this.dataShape = Object.freeze([...config.dataShape]);
    this.zDim = config.zDim;
    this.numClasses = config.numClasses;
    this.nets = buildGANNets({ ...config, critic: isCritic(config.loss), doubleBackprop: config.loss === 'wgan-gp' });
    this.generator = this.nets.generator;
    this.discriminator = this.nets.discriminator;
  }

  protected namedModels() {
    return [['generator', this.generator], ['discriminator', this.discriminator]] as const;
  }

  protected override otherModels(): tfl.LayersModel[] {
    const { score, embedder, probability, classifier } = this.nets;
    return [score, embedder, probability, ...(classifier ? [classifier] : [])];
  }

  featureNetwork(): FeatureNetwork {
    this.assertLive();
    return { model: this.discriminator, layer: this.config.embeddingLayer };
  }

  get updates(): Readonly<GANUpdateCounts> {
    return { ...this.counts };
  }

  /** The epochs trained and the update counts, saved with the weights. */
  override trainingState(): Record<string, unknown> {
    return { ...super.trainingState(), updates: { ...this.counts } };
  }

  override restoreTrainingState(state: Readonly<Record<string, unknown>>): void {
    super.restoreTrainingState(state);
    const u = state['updates'] as Partial<GANUpdateCounts> | undefined;
    const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (u !== undefined && count(u.discriminator) && count(u.generator)) Object.assign(this.counts, { discriminator: u.discriminator, generator: u.generator });
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

  /** Runs `model` over `inputs` (examples, and one-hot labels when conditional) in inference mode, in batches. */
  private run(model: tfl.LayersModel, inputs: tf.Tensor[], batchSize: number): tf.Tensor {
    return predictInBatches((batch: tf.Tensor[]) => model.apply(batch.length === 1 ? batch[0]! : batch, { training: false }) as tf.Tensor, inputs, batchSize);
  }

  sample(n: number, options: GANSampleOptions = {}): tf.Tensor {
    this.assertLive();
    is.positiveInt().check(n, 'sample.n');
    checkGeneratedSize('sample.n', n, this.dataShape.reduce((a, b) => a * b, 1) + this.zDim);
    const o = SAMPLE.check(options);
    const seed = o.seed ?? this.stream.nextSeed();
    const y = this.oneHotLabels(o.labels, n, 'sample.labels');
    try {
      return tf.tidy(() => {
        const z = tf.randomNormal([n, this.zDim], 0, 1, 'float32', seed);
        return this.run(this.generator, y ? [z, y] : [z], PREDICT_BATCH);
      });
    } finally {
      y?.dispose();
    }
  }

  /**
   * Runs a view of the discriminator over `x` (with the labels it takes) in inference mode, in batches of
   * `batchSize` examples: packed first when the discriminator judges packs.
   */
  private predictWithLabels(model: tfl.LayersModel, x: DataInput, o: { labels?: GANLabelInput; batchSize: number }, method: string): tf.Tensor {
    this.assertLive();
    const c = this.config as ResolvedGANConfig;
    if (!discriminatorTakesLabel(c) && this.numClasses !== undefined && o.labels !== undefined) {
      throw new ConfigError(`${method}.labels`, o.labels, "to be left out: an ACGAN's discriminator sees only the examples (it names their class itself)");
    }
    const xs = toExamples(x, 'x', this.dataShape);
    const m = c.packing;
    const n = xs.tensor.shape[0]!;
    let y: tf.Tensor | undefined;
    try {
      if (n % m !== 0) throw new InputError('x', xs.tensor, `a multiple of ${m} examples (packing ${m}: the discriminator judges ${m} consecutive examples at once)`);
      if (discriminatorTakesLabel(c)) y = this.oneHotLabels(o.labels, n, `${method}.labels`);
      const packed = tf.tidy(() => (y ? [packExamples(xs.tensor, m, c.architecture), packLabels(y, m)] : [packExamples(xs.tensor, m, c.architecture)]));
      try {
        return this.run(model, packed, Math.max(1, Math.floor(o.batchSize / m)));
      } finally {
        if (m > 1) tf.dispose(packed);
      }
    } finally {
      y?.dispose();
      release(xs);
    }
  }

  discriminate(x: DataInput, options: GANDiscriminateOptions = {}): tf.Tensor {
    return this.predictWithLabels(this.nets.probability, x, DISCRIMINATE.check(options), 'discriminate');
  }

  embed(x: DataInput, options: GANDiscriminateOptions = {}): tf.Tensor {
    return this.predictWithLabels(this.nets.embedder, x, EMBED.check(options), 'embed');
  }

  classify(x: DataInput, options: GANClassifyOptions = {}): tf.Tensor {
    this.assertLive();
    const o = CLASSIFY.check(options);
    const { classifier } = this.nets;
    if (!classifier) {
      const c = this.config as ResolvedGANConfig;
      throw new ConfigError('GAN.conditioning', c.conditioning, "'acgan' for classify (only an ACGAN's discriminator has a classifier head)");
    }
    return this.predictWith(classifier, x, 'x', this.dataShape, o.batchSize);
  }

  async fit(x: DataInput, options: GANFitOptions = {}): Promise<GANHistory> {
    this.assertLive();
    const o = GAN_FIT.check(options);
    const c = this.config as ResolvedGANConfig;
    const critic = isCritic(c.loss);
    if (critic && o.labelSmoothing > 0) {
      throw new ConfigError('fit.labelSmoothing', o.labelSmoothing, `to be left out with loss "${c.loss}" (a critic has no labels to smooth)`);
    }
    const k = this.numClasses;
    if (k === undefined && o.labels !== undefined) {
      throw new ConfigError('fit.labels', o.labels, 'to be left out: this GAN was built without numClasses');
    }
    if (k !== undefined && o.labels === undefined) {
      throw new ConfigError('fit.labels', undefined, `class labels in [0, ${k - 1}], one per example (this GAN is conditional, numClasses ${k})`);
    }
    if (o.learningRateDecay !== 1) {
      for (const [which, spec] of [['dOptimizer', o.dOptimizer], ['gOptimizer', o.gOptimizer]] as const) {
        if (typeof spec === 'object' && spec !== null && spec instanceof tf.Optimizer) {
          throw new ConfigError('fit.learningRateDecay', o.learningRateDecay, `to be left out when fit.${which} is a tf.Optimizer instance (latentkit does not change the rate of your optimizer)`);
        }
      }
    }
    const callbacks: Callback[] = [...o.callbacks];
    if (o.balanceMonitor !== false) callbacks.push(ganBalanceMonitor(o.balanceMonitor));
    const rates = defaultRates(c);
    const steps = defaultSteps(c);
    const owned: OwnedTensor[] = [];
    try {
      const arrays: FitArray[] = [{ parameter: 'x', data: x, exampleShape: this.dataShape }];
      if (k !== undefined) {
        const labels = labelTensor(o.labels!, k, 'fit.labels');
        owned.push(labels);
        arrays.push({ parameter: 'fit.labels', data: labels.tensor, exampleShape: [] });
      }
      const validation = this.validationArrays(o.validationData, owned);
      const settings: GANTaskSettings = {
        loss: c.loss,
        gradientPenalty: c.gradientPenalty,
        clipValue: c.clipValue,
        zDim: c.zDim,
        numClasses: k,
        conditioning: c.conditioning,
        architecture: c.architecture,
        packing: c.packing,
        batchStatistics: c.minibatchStddev !== false || c.discriminatorBatchNorm,
        dStepsPerG: o.dStepsPerG ?? steps.dStepsPerG,
        gStepsPerD: o.gStepsPerD ?? steps.gStepsPerD,
        labelSmoothing: o.labelSmoothing,
        instanceNoise: o.instanceNoise,
        learningRateDecay: o.learningRateDecay,
      };
      const history = await this.fitWith(arrays, validation, { ...o, batchSize: o.batchSize ?? steps.batchSize, callbacks }, () => {
        const d = optimizerFor(c, o.dOptimizer, o.dLearningRate, rates.d, 'd');
        let g: ResolvedOptimizer;
        try {
          g = optimizerFor(c, o.gOptimizer, o.gLearningRate, rates.g, 'g');
        } catch (e) {
          releaseOptimizer(d);
          throw e;
        }
        return new GANTask(this.nets, settings, d, g, this.counts);
      });
      return history as GANHistory;
    } finally {
      owned.forEach(release);
    }
  }

  /** The validation arrays: real examples, and their labels for a conditional GAN (recorded in `owned`). */
  private validationArrays(v: DataInput | GANValidationData | undefined, owned: OwnedTensor[]): FitArray[] | undefined {
    if (v === undefined) return undefined;
    const k = this.numClasses;
    const pair = typeof v === 'object' && v !== null && !(v instanceof tf.Tensor) && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'x' in v;
    if (k !== undefined && !pair) throw new ConfigError('fit.validationData', v, '{ x, labels } for a conditional GAN');
    const validation: FitArray[] = [{ parameter: 'fit.validationData', data: pair ? (v as GANValidationData).x : (v as DataInput), exampleShape: this.dataShape }];
    if (k !== undefined) {
      const labels = labelTensor((v as GANValidationData).labels, k, 'fit.validationData.labels');
      owned.push(labels);
      validation.push({ parameter: 'fit.validationData.labels', data: labels.tensor, exampleShape: [] });
    }
    return validation;
  }
}
