/**
 * What a GAN handle offers ({@link GenerativeAdversarialNetwork}) and the options of its methods; the
 * handle itself is `./handle.ts`.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { DeepReadonly } from '../../core/options.js';
import type { DataInput } from '../../data/input.js';
import type { FeatureNetwork } from '../base/handle.js';
import type { GANArchitecture, ResolvedGANConfig } from './config.js';
import type { GANFitOptions, GANHistory, GANLabelInput } from './fitOptions.js';
import type { GANUpdateCounts } from './task.js';

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
  /**
   * A self-conditioned GAN's clusters (see {@link GANConfig.selfConditioning}): how many training examples
   * of its first `fit` each holds. Undefined before that fit, and without self-conditioning.
   */
  readonly clusterSizes: readonly number[] | undefined;
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
  /**
   * Conditional GANs: the class of each sample, or one class for all. Required when the GAN has
   * `numClasses`. Self-conditioned GANs: the cluster of each sample, or one for all; left out, each
   * sample's cluster is drawn in proportion to the clusters' sizes (uniformly before the first `fit`).
   */
  labels?: GANLabelInput;
  /** Seed of z (and of the clusters a self-conditioned GAN draws). Default: the next seed of the GAN's own stream (so successive calls differ, reproducibly). */
  seed?: number;
}

/**
 * Options of {@link GenerativeAdversarialNetwork.discriminate} and {@link GenerativeAdversarialNetwork.embed}.
 * @category Models
 */
export interface GANDiscriminateOptions {
  /**
   * Conditional GANs: the class of each example, or one class for all. Self-conditioned GANs: the cluster of
   * each example, or one for all; left out, each example's nearest cluster (after the first `fit`).
   */
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
