/**
 * The GAN's handle: its generator and discriminator (with views sharing the discriminator's layers: its
 * pre-sigmoid score, its embedding layer, an ACGAN's classifier), sampling, the discriminator's view of
 * data, and training by the {@link GANTask}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '../../core/randomNormal.js';
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
import type { GANClassifyOptions, GANDiscriminateOptions, GANSampleOptions, GenerativeAdversarialNetwork } from './api.js';
import { ClusterTable } from './selfConditioning.js';
import { GANTask, type GANTaskSettings, type GANUpdateCounts } from './task.js';

export type { GenerativeAdversarialNetwork, GANSampleOptions, GANDiscriminateOptions, GANClassifyOptions } from './api.js';

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
  /** The networks' config: a self-conditioned GAN's is a conditional GAN's (concat) on its clusters. */
  private readonly netsConfig: ResolvedGANConfig;
  /** Self-conditioning: the number of clusters (else undefined), and their table once the first fit made it. */
  private readonly clusters: number | undefined;
  private table: ClusterTable | undefined;

  constructor(config: ResolvedGANConfig) {
    super('gan', config, `${config.architecture} GAN`);
    this.architecture = config.architecture;
    this.dataShape = Object.freeze([...config.dataShape]);
    this.zDim = config.zDim;
    this.numClasses = config.numClasses;
    this.clusters = config.selfConditioning ? config.selfConditioning.clusters : undefined;
    this.netsConfig = this.clusters === undefined ? config : { ...config, numClasses: this.clusters, conditioning: 'concat' };
    this.nets = buildGANNets({ ...this.netsConfig, critic: isCritic(config.loss), doubleBackprop: config.loss === 'wgan-gp' });
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

  get clusterSizes(): readonly number[] | undefined {
    return this.table && [...this.table.sizes];
  }

  /** The epochs trained and the update counts (and a self-conditioned GAN's clusters), saved with the weights. */
  override trainingState(): Record<string, unknown> {
    return { ...super.trainingState(), updates: { ...this.counts }, ...(this.table ? { clusters: this.table.state() } : {}) };
  }

  /** @throws InputError when a self-conditioned GAN's saved clusters do not fit its config. */
  override restoreTrainingState(state: Readonly<Record<string, unknown>>): void {
    super.restoreTrainingState(state);
    if (this.clusters !== undefined && state['clusters'] !== undefined) {
      const table = ClusterTable.restore(state['clusters'], this.clusters, this.dataShape.reduce((a, b) => a * b, 1));
      this.table?.dispose();
      this.table = table;
    }
    const u = state['updates'] as Partial<GANUpdateCounts> | undefined;
    const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (u !== undefined && count(u.discriminator) && count(u.generator)) Object.assign(this.counts, { discriminator: u.discriminator, generator: u.generator });
  }

  /** One-hot labels `[n, numClasses]` for a conditional GAN (undefined otherwise), checking their presence. */
  private oneHotLabels(labels: GANLabelInput | undefined, n: number, parameter: string): tf.Tensor | undefined {
    const k = this.numClasses ?? this.clusters;
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

  /** A self-conditioned GAN's clusters for `n` samples: in proportion to the clusters' sizes (uniform before the first fit). */
  private drawClusters(n: number, seed: number): Int32Array | undefined {
    if (this.clusters === undefined) return undefined;
    return this.table ? this.table.draw(n, seed) : ClusterTable.uniform(n, this.clusters, seed);
  }

  /** A self-conditioned GAN's cluster of each example of `x`: its nearest centre. */
  private nearestClusters(x: tf.Tensor, method: string): Int32Array | undefined {
    if (this.clusters === undefined) return undefined;
    if (!this.table) {
      throw new ConfigError(`${method}.labels`, undefined, 'the cluster of each example: this self-conditioned GAN has no clusters to assign examples to before its first fit');
    }
    return this.table.assign(x);
  }

  /** Frees the weights and a self-conditioned GAN's clusters. */
  override dispose(): void {
    super.dispose();
    this.table?.dispose();
    this.table = undefined;
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
    const y = this.oneHotLabels(o.labels ?? this.drawClusters(n, seed), n, 'sample.labels');
    try {
      return tf.tidy(() => {
        const z = randomNormal([n, this.zDim], 0, 1, seed);
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
    if (!discriminatorTakesLabel(this.netsConfig) && this.numClasses !== undefined && o.labels !== undefined) {
      throw new ConfigError(`${method}.labels`, o.labels, "to be left out: an ACGAN's discriminator sees only the examples (it names their class itself)");
    }
    const xs = toExamples(x, 'x', this.dataShape);
    const m = c.packing;
    const n = xs.tensor.shape[0]!;
    let y: tf.Tensor | undefined;
    try {
      if (n % m !== 0) throw new InputError('x', xs.tensor, `a multiple of ${m} examples (packing ${m}: the discriminator judges ${m} consecutive examples at once)`);
      if (discriminatorTakesLabel(this.netsConfig)) y = this.oneHotLabels(o.labels ?? this.nearestClusters(xs.tensor, method), n, `${method}.labels`);
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
      const why = this.clusters === undefined ? 'this GAN was built without numClasses' : 'a self-conditioned GAN labels each example with its cluster';
      throw new ConfigError('fit.labels', o.labels, `to be left out: ${why}`);
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
    // Self-conditioning: the clusters the first fit makes, kept only once the fit has started.
    let fresh: ClusterTable | undefined;
    try {
      const arrays: FitArray[] = [{ parameter: 'x', data: x, exampleShape: this.dataShape }];
      if (k !== undefined) {
        const labels = labelTensor(o.labels!, k, 'fit.labels');
        owned.push(labels);
        arrays.push({ parameter: 'fit.labels', data: labels.tensor, exampleShape: [] });
      } else if (this.clusters !== undefined) {
        const xs = toExamples(x, 'x', this.dataShape);
        owned.push(xs);
        arrays[0] = { parameter: 'x', data: xs.tensor, exampleShape: this.dataShape };
        let ids: Int32Array;
        if (this.table) ids = this.table.assign(xs.tensor);
        else ({ table: fresh, ids } = ClusterTable.fit(xs.tensor, this.clusters, o.seed ?? this.stream.nextSeed(), 'x'));
        const labels = { tensor: tf.tensor1d(ids, 'int32'), created: true };
        owned.push(labels);
        arrays.push({ parameter: 'fit.labels', data: labels.tensor, exampleShape: [] });
      }
      const validation = this.validationArrays(o.validationData, owned, this.table ?? fresh);
      if (fresh) [this.table, fresh] = [fresh, undefined];
      const settings: GANTaskSettings = {
        loss: c.loss,
        gradientPenalty: c.gradientPenalty,
        clipValue: c.clipValue,
        zDim: c.zDim,
        numClasses: k ?? this.clusters,
        conditioning: this.netsConfig.conditioning,
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
      fresh?.dispose();
      owned.forEach(release);
    }
  }

  /**
   * The validation arrays: real examples, and their labels for a conditional GAN, or their nearest clusters
   * in `table` for a self-conditioned one (recorded in `owned`).
   */
  private validationArrays(v: DataInput | GANValidationData | undefined, owned: OwnedTensor[], table: ClusterTable | undefined): FitArray[] | undefined {
    if (v === undefined) return undefined;
    const k = this.numClasses;
    const pair = typeof v === 'object' && v !== null && !(v instanceof tf.Tensor) && !Array.isArray(v) && !ArrayBuffer.isView(v) && 'x' in v;
    if (k !== undefined && !pair) throw new ConfigError('fit.validationData', v, '{ x, labels } for a conditional GAN');
    if (table) {
      if (pair) throw new ConfigError('fit.validationData', v, 'examples alone for a self-conditioned GAN (it assigns each its nearest cluster)');
      const xs = toExamples(v as DataInput, 'fit.validationData', this.dataShape);
      owned.push(xs);
      const labels = { tensor: tf.tensor1d(table.assign(xs.tensor), 'int32'), created: true };
      owned.push(labels);
      return [
        { parameter: 'fit.validationData', data: xs.tensor, exampleShape: this.dataShape },
        { parameter: 'fit.validationData.labels', data: labels.tensor, exampleShape: [] },
      ];
    }
    const validation: FitArray[] = [{ parameter: 'fit.validationData', data: pair ? (v as GANValidationData).x : (v as DataInput), exampleShape: this.dataShape }];
    if (k !== undefined) {
      const labels = labelTensor((v as GANValidationData).labels, k, 'fit.validationData.labels');
      owned.push(labels);
      validation.push({ parameter: 'fit.validationData.labels', data: labels.tensor, exampleShape: [] });
    }
    return validation;
  }
}
