/**
 * The GAN's handle: its generator and discriminator (with two views sharing the discriminator's layers:
 * its pre-sigmoid score and its embedding layer), sampling, the discriminator's view of data, and
 * training by the {@link GANTask}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.js';
import { checkGeneratedSize, is, optionsSchema, type DeepReadonly } from '../../core/options.js';
import { release, toExamples, type DataInput, type OwnedTensor } from '../../data/input.js';
import { predictInBatches } from '../../train/batches.js';
import type { Callback } from '../../train/callbacks.js';
import type { FitArray } from '../../train/fit.js';
import { releaseOptimizer, type ResolvedOptimizer } from '../../train/optimizers.js';
import { ModelHandle, PREDICT_BATCH, type FeatureNetwork } from '../base/handle.js';
import { ganBalanceMonitor } from './balanceMonitor.js';
import { buildGANNets, type GANNets } from './build.js';
import type { GANArchitecture, ResolvedGANConfig } from './config.js';
import { GAN_FIT, defaultRates, labelTensor, optimizerFor, type GANFitOptions, type GANHistory, type GANLabelInput, type GANValidationData } from './fitOptions.js';
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
  /** Discriminator and generator updates applied by every `fit` so far (restored by `load`). */
  readonly updates: Readonly<GANUpdateCounts>;
  /** Epochs completed by every `fit` of this handle (and of the save it was loaded from). */
  readonly epochsTrained: number;
  /** `n` new samples `[n, ...dataShape]` (a tensor the caller disposes), from z drawn with `options.seed`. */
  sample(n: number, options?: GANSampleOptions): tf.Tensor;
  /** The discriminator's output for `x`: `[N, 1]` probabilities of being real (critic scores for wgan-gp). */
  discriminate(x: DataInput, options?: GANDiscriminateOptions): tf.Tensor;
  /** The output of the discriminator's `embeddingLayer` for `x`: `[N, features]`. */
  embed(x: DataInput, options?: GANDiscriminateOptions): tf.Tensor;
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
const SAMPLE = optionsSchema<GANSampleOptions>()('sample', { labels: is.any<GANLabelInput>(), seed: is.seed() });
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
    this.nets = buildGANNets({ ...config, critic: config.loss === 'wgan-gp' });
    this.generator = this.nets.generator;
    this.discriminator = this.nets.discriminator;
  }

  protected namedModels() {
    return [['generator', this.generator], ['discriminator', this.discriminator]] as const;
  }

  protected override otherModels(): tfl.LayersModel[] {
    return [this.nets.score, this.nets.embedder];
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

  private predictWithLabels(model: tfl.LayersModel, x: DataInput, o: { labels?: GANLabelInput; batchSize: number }, method: string): tf.Tensor {
    this.assertLive();
    const xs = toExamples(x, 'x', this.dataShape);
    let y: tf.Tensor | undefined;
    try {
      y = this.oneHotLabels(o.labels, xs.tensor.shape[0]!, `${method}.labels`);
      return this.run(model, y ? [xs.tensor, y] : [xs.tensor], o.batchSize);
    } finally {
      y?.dispose();
      release(xs);
    }
  }

  discriminate(x: DataInput, options: GANDiscriminateOptions = {}): tf.Tensor {
    return this.predictWithLabels(this.discriminator, x, DISCRIMINATE.check(options), 'discriminate');
  }

  embed(x: DataInput, options: GANDiscriminateOptions = {}): tf.Tensor {
    return this.predictWithLabels(this.nets.embedder, x, EMBED.check(options), 'embed');
  }

  async fit(x: DataInput, options: GANFitOptions = {}): Promise<GANHistory> {
    this.assertLive();
    const o = GAN_FIT.check(options);
    const c = this.config as ResolvedGANConfig;
    const wgan = c.loss === 'wgan-gp';
    if (wgan && o.labelSmoothing > 0) {
      throw new ConfigError('fit.labelSmoothing', o.labelSmoothing, 'to be left out with loss "wgan-gp" (a critic has no labels to smooth)');
    }
    const k = this.numClasses;
    if (k === undefined && o.labels !== undefined) {
      throw new ConfigError('fit.labels', o.labels, 'to be left out: this GAN was built without numClasses');
    }
    if (k !== undefined && o.labels === undefined) {
      throw new ConfigError('fit.labels', undefined, `class labels in [0, ${k - 1}], one per example (this GAN is conditional, numClasses ${k})`);
    }
    const callbacks: Callback[] = [...o.callbacks];
    if (o.balanceMonitor !== false) callbacks.push(ganBalanceMonitor(o.balanceMonitor));
    const rates = defaultRates(c);
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
        zDim: c.zDim,
        numClasses: k,
        dStepsPerG: o.dStepsPerG ?? (wgan ? 5 : 1),
        gStepsPerD: o.gStepsPerD,
        labelSmoothing: o.labelSmoothing,
        instanceNoise: o.instanceNoise,
      };
      const history = await this.fitWith(arrays, validation, { ...o, callbacks }, () => {
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
