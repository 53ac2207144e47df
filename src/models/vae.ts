/**
 * `VAE`: variational autoencoders, dense or convolutional, with a Bernoulli or Gaussian decoder, trained
 * by latentkit's loop on the negative ELBO (optionally beta-weighted, warmed up and with free bits).
 *
 * Units: every likelihood, KL and ELBO value is in nats per example (summed over the example's values
 * and latent dimensions, not averaged), so numbers compare with the VAE literature (about -100 nats for
 * a good binarized-MNIST model).
 *
 * @example
 * ```ts
 * const vae = VAE({ kind: 'dense', inputShape: [784], hiddenUnits: [512], latentDim: 20, seed: 1 });
 * const history = await vae.fit(xTrain, { epochs: 20, batchSize: 128, validationData: xTest });
 * console.log(history.valElbo);                  // nats per example, rising towards 0
 * const digits = vae.sample(16, { seed: 3 });    // [16, 784] pixel means
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { assertFinite, release, toExamples, type DataInput } from '../data/input.js';
import { ConfigError, InputError, LatentkitError } from '../errors.js';
import { SeedStream, assertSeed, resolveSeed } from '../random/seed.js';
import { BatchSource, predictInBatches } from '../train/batches.js';
import { fitArrays, type FitArray } from '../train/fit.js';
import type { History } from '../train/loop.js';
import { resolveOptimizer } from '../train/optimizers.js';
import { numberIn, oneOf, positiveInt, positiveIntArray } from '../validate.js';
import { checkActivation, type Activation } from './activations.js';
import {
  AutoencoderModel,
  type Autoencoder,
  type AutoencoderFitOptions,
  type EvaluateOptions,
  type ReconstructionReport,
} from './autoencoder.js';
import { convDecoderLayers, convEncoderLayers, resolveConvStack, type ConvStackConfig, type ConvStackSpec } from './conv/stack.js';
import { LEAKY_RELU_ALPHA, applyLayers, denseBlock, seededGlorot } from './layers/stack.js';
import type { ReconstructionLoss } from './losses.js';
import { GaussianSampling, OutputLogVariance, reparameterize } from './vae/layers.js';
import { VAE_LIKELIHOODS, type VAELikelihood } from './vae/likelihood.js';
import { VaeTask, vaeTerms, type VaeNetworks } from './vae/task.js';

/**
 * How a Gaussian decoder's variance is set: 1 for every value, or one global value learned in training.
 *
 * @example
 * ```ts
 * VAE({ inputShape: [784], latentDim: 8, likelihood: 'gaussian', gaussianVariance: 'learned' });
 * ```
 */
export type GaussianVariance = 'unit' | 'learned';

/**
 * What every VAE config has (dense or conv).
 *
 * @example
 * ```ts
 * const objective: Partial<VAEBaseConfig> = { latentDim: 16, beta: 4, klWarmupEpochs: 10, freeBits: 0.05 };
 * ```
 */
export interface VAEBaseConfig {
  /** Latent dimensions `d` (the encoder's `mean` and `logVar` layers have `d` units each). Required. */
  latentDim: number;
  /**
   * Decoder distribution. Default `'bernoulli'`: the decoder outputs logits and training uses the binary
   * cross-entropy with logits, summed over values; `decode`/`reconstruct`/`sample` return the sigmoid
   * means. `'gaussian'`: the decoder outputs the mean, scored by a Gaussian NLL summed over values,
   * constant `0.5 log(2 pi)` per value included.
   */
  likelihood?: VAELikelihood;
  /** `'gaussian'` only: `'unit'` variance (default) or one `'learned'` global variance (a model weight). */
  gaussianVariance?: GaussianVariance;
  /** Weight of the KL term (1: the ELBO; > 1: a beta-VAE, more disentangled and blurrier). Default 1. */
  beta?: number;
  /**
   * Epochs over which the KL weight rises linearly from 0 to `beta` (effective weight
   * `beta * min(1, epoch / klWarmupEpochs)`, epoch 0-based and counted over all `fit` calls of the handle),
   * a guard against posterior collapse. Default 0 (no warm-up).
   */
  klWarmupEpochs?: number;
  /**
   * Free bits, in nats per latent dimension: the minimized KL term is `sum_d max(KL_d, freeBits)` with
   * `KL_d` averaged over the batch, so dimensions below the floor are not pushed to the prior. Logged
   * `kl` and `elbo` stay the true values. Default 0 (off).
   */
  freeBits?: number;
  /** Activation of the hidden layers. Default `'relu'`. */
  activation?: Activation;
  /**
   * Activation giving the decoder's output mean. `'bernoulli'`: always `'sigmoid'` (the default; any other
   * value is an error). `'gaussian'`: default `'sigmoid'` (data in [0, 1]); `'linear'` for unbounded data.
   */
  outputActivation?: Activation;
  /** Seed of the initial weights, the sampling noise and every `fit` without its own. Default: from {@link setSeed}. */
  seed?: number;
}

/**
 * Config of a dense VAE: `input -> hiddenUnits -> (mean, logVar) -> z -> reversed hiddenUnits -> output`.
 *
 * @example
 * ```ts
 * const config: DenseVAEConfig = { kind: 'dense', inputShape: [784], hiddenUnits: [512], latentDim: 20, seed: 1 };
 * ```
 */
export interface DenseVAEConfig extends VAEBaseConfig {
  /** `'dense'` (the default). */
  kind?: 'dense';
  /** Shape of one example: `[784]`, or an image shape such as `[28, 28, 1]` (flattened inside). Required. */
  inputShape: number[];
  /** Widths of the encoder's hidden layers; the decoder mirrors them. Default `[512]`. */
  hiddenUnits?: number[];
}

/**
 * Config of a convolutional VAE: the conv stack of {@link ConvStackConfig} (`inputShape`, `filters`,
 * `kernelSize`, `strides`, `padding`, `pooling`, `decoder`, `activation`), Flatten, Dense `mean` and
 * `logVar`; the decoder mirrors the stack from `z` and ends in a linear conv named `reconstruction`.
 *
 * @example
 * ```ts
 * const config: ConvVAEConfig = { kind: 'conv', inputShape: [28, 28, 1], filters: [32, 64], strides: 2, latentDim: 16 };
 * ```
 */
export interface ConvVAEConfig extends VAEBaseConfig, Omit<ConvStackConfig, 'outputActivation' | 'activation'> {
  kind: 'conv';
}

/**
 * Config of {@link VAE}: dense (the default `kind`) or conv.
 *
 * @example
 * ```ts
 * const configs: VAEConfig[] = [{ inputShape: [784], latentDim: 2 }, { kind: 'conv', inputShape: [28, 28, 1], latentDim: 8 }];
 * ```
 */
export type VAEConfig = DenseVAEConfig | ConvVAEConfig;

/**
 * The fields every resolved VAE config has, every default filled in.
 *
 * @example
 * ```ts
 * const { beta, klWarmupEpochs, freeBits }: ResolvedVAEBase = vae.config;
 * ```
 */
export type ResolvedVAEBase = {
  latentDim: number;
  likelihood: VAELikelihood;
  gaussianVariance: GaussianVariance;
  beta: number;
  klWarmupEpochs: number;
  freeBits: number;
  activation: Activation;
  outputActivation: Activation;
  seed: number;
};

/**
 * A dense VAE config with every default filled in.
 *
 * @example
 * ```ts
 * if (vae.config.kind === 'dense') console.log(vae.config.hiddenUnits); // [512]
 * ```
 */
export type ResolvedDenseVAEConfig = ResolvedVAEBase & { kind: 'dense'; inputShape: number[]; hiddenUnits: number[] };

/**
 * A conv VAE config with every default filled in (per-layer lists written out).
 *
 * @example
 * ```ts
 * if (vae.config.kind === 'conv') console.log(vae.config.strides); // [2, 2]
 * ```
 */
export type ResolvedConvVAEConfig = ResolvedVAEBase & {
  kind: 'conv';
  inputShape: [number, number, number];
  filters: number[];
  kernelSize: number[];
  strides: number[];
  padding: Array<'same' | 'valid'>;
  pooling: number[];
  decoder: 'transpose' | 'upsample';
};

/**
 * What `vae.config` holds: plain JSON data from which {@link VAE} rebuilds the same network.
 *
 * @example
 * ```ts
 * const twin = VAE(JSON.parse(JSON.stringify(vae.config))); // same layers, same initial weights
 * ```
 */
export type ResolvedVAEConfig = ResolvedDenseVAEConfig | ResolvedConvVAEConfig;

/**
 * Options of {@link VariationalAutoencoder.encode}.
 *
 * @example
 * ```ts
 * const { mean, logVar, z } = vae.encode(x, { sample: true, seed: 3 });
 * ```
 */
export interface VAEEncodeOptions {
  /** Also draw `z ~ q(z|x)` (reparameterized). Default false. */
  sample?: boolean;
  /** Seed of that draw. Default: the next seed of the handle's stream (reproducible from the config seed). */
  seed?: number;
}

/**
 * What {@link VariationalAutoencoder.encode} returns; the caller disposes every tensor.
 *
 * @example
 * ```ts
 * const enc: VAEEncoding = vae.encode(x);
 * tf.dispose([enc.mean, enc.logVar]);
 * ```
 */
export interface VAEEncoding {
  /** Posterior means `[N, d]`. */
  mean: tf.Tensor2D;
  /** Posterior log-variances `[N, d]` (natural log). */
  logVar: tf.Tensor2D;
  /** One draw per example `[N, d]`, with `{ sample: true }` only. */
  z?: tf.Tensor2D;
}

/**
 * Options of {@link VariationalAutoencoder.sample}.
 *
 * @example
 * ```ts
 * const digits = vae.sample(64, { seed: 7 }); // the same 64 images every time
 * ```
 */
export interface VAESampleOptions {
  /** Seed of the prior draws. Default: the next seed of the handle's stream. */
  seed?: number;
}

/**
 * Options of {@link VariationalAutoencoder.elbo}.
 *
 * @example
 * ```ts
 * const tight = vae.elbo(xTest, { samples: 10, seed: 1 });
 * ```
 */
export interface ElboOptions {
  /** Seed of the posterior draws. Default: the config's `seed`, so that repeated calls agree exactly. */
  seed?: number;
  /** Draws of `z` per example averaged in the reconstruction term (the estimate stays a lower bound). Default 1. */
  samples?: number;
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}

/**
 * What {@link VariationalAutoencoder.elbo} returns, in nats per example.
 *
 * @example
 * ```ts
 * const { mean, reconstruction, kl } = vae.elbo(xTest); // mean = -(reconstruction + kl)
 * ```
 */
export interface ElboReport {
  /** ELBO of each example, `log p(x|z) - KL(q(z|x) || p(z))` (beta plays no part): at most `log p(x)`. */
  perExample: Float32Array;
  /** Mean ELBO over the examples. */
  mean: number;
  /** Mean reconstruction term `-E_q[log p(x|z)]`. */
  reconstruction: number;
  /** Mean KL term. */
  kl: number;
}

/**
 * Options of {@link VariationalAutoencoder.latentTraversal}.
 *
 * @example
 * ```ts
 * const rows = vae.latentTraversal({ dims: [0, 3], range: [-2, 2], steps: 7, base: zOfSomeDigit });
 * ```
 */
export interface LatentTraversalOptions {
  /** Latent dimensions to vary, one row each. Default: all, `0 .. d-1`. */
  dims?: number[];
  /** Values each varied dimension takes, from `range[0]` to `range[1]`. Default `[-3, 3]` (prior std units). */
  range?: [number, number];
  /** Points per row, both ends included (>= 2). Default 9. */
  steps?: number;
  /** The latent point the other dimensions keep, `[d]` or `[1, d]`. Default: zeros (the prior's mean). */
  base?: DataInput;
}

/**
 * A variational autoencoder handle. It has every member of {@link Autoencoder} except `encode`, whose
 * result differs (a VAE encodes to a distribution: `{ mean, logVar }`), hence `Omit<Autoencoder, 'encode'>`
 * plus the VAE's own members. `model` is input -> reconstruction through the posterior mean (its
 * `GaussianSampling` layer returns the mean at inference); `encoder` is input -> `[mean, logVar]`;
 * `decoder` is z -> output means. All three share weights.
 *
 * @example
 * ```ts
 * const vae = VAE({ inputShape: [784], latentDim: 2, seed: 1 });
 * await vae.fit(x, { epochs: 10, batchSize: 128 });
 * const { mean, logVar } = vae.encode(x);
 * const report = vae.elbo(x);                       // nats per example
 * const grid = vae.latentTraversal({ steps: 11 });  // [2 * 11, 784]
 * tf.dispose([mean, logVar, grid]); vae.dispose();
 * ```
 */
export interface VariationalAutoencoder extends Omit<Autoencoder, 'encode'> {
  /** Always `'vae'`. */
  readonly kind: 'vae';
  /** The config with every default filled in; `VAE(vae.config)` rebuilds the same network. */
  readonly config: Readonly<ResolvedVAEConfig>;
  /** Latent dimensions. */
  readonly latentDim: number;
  /** The decoder's distribution. */
  readonly likelihood: VAELikelihood;
  /** Epochs trained by this handle's `fit` calls so far (the KL warm-up continues from here). */
  readonly epochsTrained: number;
  /**
   * Posterior parameters of `x`: `{ mean, logVar }`, each `[N, d]`, plus `z` (one reparameterized draw per
   * example) with `{ sample: true }`. The caller disposes them.
   */
  encode(x: DataInput, options?: VAEEncodeOptions): VAEEncoding;
  /** `n` new examples: `z ~ N(0, I)` from `seed`, decoded to output means `[n, ...inputShape]`. */
  sample(n: number, options?: VAESampleOptions): tf.Tensor;
  /** Output means for latent points `z` `[N, d]`: the same as `decode`, named for generation. */
  generate(z: DataInput): tf.Tensor;
  /** ELBO of each example of `x`, in nats, with its reconstruction and KL terms; see {@link ElboReport}. */
  elbo(x: DataInput, options?: ElboOptions): ElboReport;
  /** Decoded sweeps along latent dimensions: `[dims.length * steps, ...inputShape]`, one row per dimension. */
  latentTraversal(options?: LatentTraversalOptions): tf.Tensor;
  /**
   * Trains on `x` with latentkit's loop. The history holds, per epoch and in nats per example: `loss`
   * (minimized: reconstruction + beta x KL term), `reconstruction`, `kl`, `elbo` and `beta` (effective KL
   * weight), and with validation data `valLoss`, `valReconstruction`, `valKl`, `valElbo`. With `target`,
   * the likelihood scores the target instead of `x` (a denoising VAE). Under a KL warm-up `valLoss` rises
   * with beta: early-stop on `{ monitor: 'valElbo', mode: 'max' }` instead.
   */
  fit(x: DataInput, options?: AutoencoderFitOptions): Promise<History>;
}

const CONV_ONLY = ['filters', 'kernelSize', 'strides', 'padding', 'pooling', 'decoder'] as const;

function nonNegativeInt(parameter: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ConfigError(parameter, value, 'a whole number >= 0');
  return value;
}

/**
 * Checks a VAE config and fills in its defaults.
 *
 * @returns the resolved config, and the conv stack's computed shapes for `kind: 'conv'`.
 * @throws ConfigError naming the field (`VAE.latentDim`, `VAE.beta`, ...), its value and what is expected.
 * @example
 * ```ts
 * const { resolved } = resolveVAEConfig({ inputShape: [784], latentDim: 2 });
 * resolved.hiddenUnits; // [512]
 * ```
 */
export function resolveVAEConfig(config: VAEConfig): { resolved: ResolvedVAEConfig; spec?: ConvStackSpec } {
  const p = 'VAE';
  if (typeof config !== 'object' || config === null) {
    throw new ConfigError(p, config, "a config object such as { kind: 'dense', inputShape: [784], latentDim: 2 }");
  }
  const kind = oneOf(`${p}.kind`, config.kind ?? 'dense', ['dense', 'conv'] as const);
  const likelihood = oneOf(`${p}.likelihood`, config.likelihood ?? 'bernoulli', VAE_LIKELIHOODS);
  const gaussianVariance = oneOf(`${p}.gaussianVariance`, config.gaussianVariance ?? 'unit', ['unit', 'learned'] as const);
  if (likelihood === 'bernoulli' && gaussianVariance !== 'unit') {
    throw new ConfigError(`${p}.gaussianVariance`, gaussianVariance, "to be left out with likelihood 'bernoulli' (it sets a Gaussian decoder's variance)");
  }
  const outputActivation = checkActivation(`${p}.outputActivation`, config.outputActivation ?? 'sigmoid');
  if (likelihood === 'bernoulli' && outputActivation !== 'sigmoid') {
    throw new ConfigError(
      `${p}.outputActivation`,
      outputActivation,
      "'sigmoid' or nothing with likelihood 'bernoulli' (the decoder outputs logits; its means are their sigmoid)",
    );
  }
  const base: ResolvedVAEBase = {
    latentDim: positiveInt(`${p}.latentDim`, config.latentDim),
    likelihood,
    gaussianVariance,
    beta: numberIn(`${p}.beta`, config.beta ?? 1, 0, Infinity),
    klWarmupEpochs: nonNegativeInt(`${p}.klWarmupEpochs`, config.klWarmupEpochs ?? 0),
    freeBits: numberIn(`${p}.freeBits`, config.freeBits ?? 0, 0, Infinity),
    activation: checkActivation(`${p}.activation`, config.activation ?? 'relu'),
    outputActivation,
    seed: resolveSeed(config.seed, `${p}.seed`),
  };
  const fields = config as unknown as Record<string, unknown>;
  if (kind === 'dense') {
    for (const key of CONV_ONLY) {
      if (fields[key] !== undefined) throw new ConfigError(`${p}.${key}`, fields[key], "to be left out with kind 'dense' (it configures kind 'conv')");
    }
    const shape = fields['inputShape'];
    if (!Array.isArray(shape) || shape.length === 0) throw new ConfigError(`${p}.inputShape`, shape, 'the shape of one example, e.g. [784] or [28, 28, 1]');
    const inputShape = shape.map((d, i) => positiveInt(`${p}.inputShape[${i}]`, d));
    const hiddenUnits = positiveIntArray(`${p}.hiddenUnits`, fields['hiddenUnits'] ?? [512]);
    return { resolved: { kind, inputShape, hiddenUnits: [...hiddenUnits], ...base } };
  }
  if (fields['hiddenUnits'] !== undefined) {
    throw new ConfigError(`${p}.hiddenUnits`, fields['hiddenUnits'], "to be left out with kind 'conv' (use filters)");
  }
  const spec = resolveConvStack({ ...(config as ConvVAEConfig), activation: base.activation, outputActivation: 'linear' }, p);
  const { inputShape, filters, kernelSize, strides, padding, pooling, decoder } = spec;
  return { resolved: { kind, inputShape: [...inputShape], filters, kernelSize, strides, padding, pooling, decoder, ...base }, spec };
}

function activationLayers(activation: Activation, name: string): tfl.layers.Layer[] {
  if (activation === 'leakyRelu') return [tfl.layers.leakyReLU({ alpha: LEAKY_RELU_ALPHA, name })];
  return [tfl.layers.activation({ activation, name })];
}

/** The models of a VAE, built from a resolved config. */
interface VaeBuild extends VaeNetworks {
  decoder: tfl.LayersModel;
}

function buildVAE(c: ResolvedVAEConfig, spec: ConvStackSpec | undefined): VaeBuild {
  const stream = new SeedStream(c.seed);
  const input = tfl.input({ shape: c.inputShape, name: 'input' });
  let features: tfl.SymbolicTensor;
  let decoderLayers: tfl.layers.Layer[];
  if (c.kind === 'dense') {
    const encoderLayers: tfl.layers.Layer[] = c.inputShape.length > 1 ? [tfl.layers.flatten({ name: 'encoder_flatten' })] : [];
    c.hiddenUnits.forEach((units, i) => encoderLayers.push(...denseBlock(units, c.activation, `encoder_${i + 1}`, stream)));
    features = applyLayers(encoderLayers, input);
    decoderLayers = [];
    [...c.hiddenUnits].reverse().forEach((units, i) => decoderLayers.push(...denseBlock(units, c.activation, `decoder_${i + 1}`, stream)));
    const size = c.inputShape.reduce((a, b) => a * b, 1);
    decoderLayers.push(tfl.layers.dense({ units: size, kernelInitializer: seededGlorot(stream), name: 'reconstruction' }));
    if (c.inputShape.length > 1) decoderLayers.push(tfl.layers.reshape({ targetShape: c.inputShape, name: 'reconstruction_reshape' }));
  } else {
    features = applyLayers(convEncoderLayers(spec!, stream), input);
    decoderLayers = convDecoderLayers(spec!, stream);
  }
  const meanLayer = tfl.layers.dense({ units: c.latentDim, kernelInitializer: seededGlorot(stream), name: 'mean' });
  const logVarLayer = tfl.layers.dense({ units: c.latentDim, kernelInitializer: seededGlorot(stream), name: 'logVar' });
  const sampling = new GaussianSampling({ seed: stream.nextSeed(), name: 'z' });
  const outputLayers = activationLayers(c.outputActivation, 'reconstruction_mean');
  const mean = meanLayer.apply(features) as tfl.SymbolicTensor;
  const logVar = logVarLayer.apply(features) as tfl.SymbolicTensor;
  const z = sampling.apply([mean, logVar]) as tfl.SymbolicTensor;

  const learned = c.likelihood === 'gaussian' && c.gaussianVariance === 'learned';
  const outputLogVariance = learned ? new OutputLogVariance({ name: 'output_log_variance' }) : undefined;
  let output = applyLayers(outputLayers, applyLayers(decoderLayers, z));
  if (outputLogVariance) output = outputLogVariance.apply(output) as tfl.SymbolicTensor;

  const zInput = tfl.input({ shape: [c.latentDim], name: 'z_input' });
  const params = applyLayers(decoderLayers, zInput);
  const decoder = tfl.model({ inputs: zInput, outputs: applyLayers(outputLayers, params), name: 'decoder' });
  return {
    model: tfl.model({ inputs: input, outputs: output, name: 'vae' }),
    encoder: tfl.model({ inputs: input, outputs: [mean, logVar], name: 'encoder' }),
    decoder,
    decoderParams: c.likelihood === 'bernoulli' ? tfl.model({ inputs: zInput, outputs: params, name: 'decoder_logits' }) : decoder,
    sampling,
    likelihood: c.likelihood,
    outputLogVariance,
  };
}

/** One latent point, `[d]` or `[1, d]`, as values; the caller's tensor is read, never disposed. */
function latentPoint(value: DataInput, parameter: string, d: number): Float32Array {
  let t: tf.Tensor;
  try {
    t = value instanceof tf.Tensor ? value : tf.tensor(value as number[]);
  } catch (cause) {
    throw new InputError(parameter, value, `${d} numbers (${(cause as Error).message})`);
  }
  try {
    if (t.isDisposed) throw new InputError(parameter, 'a disposed tensor', 'a live tensor');
    const ok = (t.rank === 1 && t.shape[0] === d) || (t.rank === 2 && t.shape[0] === 1 && t.shape[1] === d);
    if (!ok) throw new InputError(parameter, t, `one latent point, shape [${d}] or [1, ${d}]`);
    assertFinite(t, parameter);
    return Float32Array.from(t.dataSync());
  } finally {
    if (t !== value) t.dispose();
  }
}

function optionsObject(parameter: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) throw new ConfigError(parameter, options, 'an options object');
  return options as Record<string, unknown>;
}

/** The implementation behind {@link VAE}: the shared parts delegate to an {@link AutoencoderModel}. */
class VAEModel implements VariationalAutoencoder {
  readonly kind = 'vae' as const;
  readonly config: Readonly<ResolvedVAEConfig>;
  readonly model: tfl.LayersModel;
  readonly encoder: tfl.LayersModel;
  readonly decoder: tfl.LayersModel;
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
  readonly loss: ReconstructionLoss;
  readonly latentDim: number;
  readonly likelihood: VAELikelihood;
  private trained = 0;
  private readonly net: VaeBuild;
  private readonly base: AutoencoderModel;
  private readonly stream: SeedStream;
  private disposed = false;

  constructor(config: ResolvedVAEConfig, net: VaeBuild) {
    this.config = Object.freeze(config);
    this.net = net;
    this.model = net.model;
    this.encoder = net.encoder;
    this.decoder = net.decoder;
    this.latentDim = config.latentDim;
    this.likelihood = config.likelihood;
    // The reconstruction measure `evaluate` reports by default, closest to each likelihood.
    this.loss = config.likelihood === 'bernoulli' ? 'binaryCrossentropy' : 'mse';
    this.base = new AutoencoderModel({
      kind: 'vae',
      config: { ...config },
      model: net.model,
      encoder: net.encoder,
      decoder: net.decoder,
      loss: this.loss,
      seed: config.seed,
    });
    this.inputShape = this.base.inputShape;
    this.codeShape = Object.freeze([config.latentDim]);
    // Seeds of fit runs and of encode/sample draws without a seed, as every autoencoder handle does.
    this.stream = new SeedStream(config.seed);
  }

  get epochsTrained(): number {
    return this.trained;
  }

  private assertLive(): void {
    if (this.disposed) throw new LatentkitError('latentkit: this vae has been disposed.');
  }

  private seedOption(parameter: string, value: unknown, fallback: () => number): number {
    if (value === undefined) return fallback();
    assertSeed(value, parameter);
    return value;
  }

  encode(x: DataInput, options: VAEEncodeOptions = {}): VAEEncoding {
    this.assertLive();
    const o = optionsObject('encode options', options);
    const sample = o['sample'] ?? false;
    if (typeof sample !== 'boolean') throw new ConfigError('encode.sample', sample, 'true or false');
    const seed = sample ? this.seedOption('encode.seed', o['seed'], () => this.stream.nextSeed()) : 0;
    const owned = toExamples(x, 'x', this.inputShape);
    try {
      // One pass per batch for both heads: [mean | logVar] side by side, split afterwards.
      const both = predictInBatches((b) => tf.concat(this.encoder.apply(b, { training: false }) as tf.Tensor[], 1), owned.tensor, 256);
      const [mean, logVar] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      both.dispose();
      if (!sample) return { mean, logVar };
      return { mean, logVar, z: reparameterize(mean, logVar, seed) as tf.Tensor2D };
    } finally {
      release(owned);
    }
  }

  decode(z: DataInput): tf.Tensor {
    this.assertLive();
    return this.base.decode(z);
  }

  generate(z: DataInput): tf.Tensor {
    return this.decode(z);
  }

  reconstruct(x: DataInput): tf.Tensor {
    this.assertLive();
    return this.base.reconstruct(x);
  }

  sample(n: number, options: VAESampleOptions = {}): tf.Tensor {
    this.assertLive();
    const count = positiveInt('sample.n', n);
    const o = optionsObject('sample options', options);
    const seed = this.seedOption('sample.seed', o['seed'], () => this.stream.nextSeed());
    const z = tf.randomNormal([count, this.latentDim], 0, 1, 'float32', seed);
    try {
      return this.base.decode(z);
    } finally {
      z.dispose();
    }
  }

  elbo(x: DataInput, options: ElboOptions = {}): ElboReport {
    this.assertLive();
    const o = optionsObject('elbo options', options);
    const seed = this.seedOption('elbo.seed', o['seed'], () => this.config.seed);
    const samples = positiveInt('elbo.samples', o['samples'] ?? 1);
    const batchSize = positiveInt('elbo.batchSize', o['batchSize'] ?? 256);
    const owned = toExamples(x, 'x', this.inputShape);
    try {
      const source = new BatchSource([owned.tensor]);
      const n = source.size;
      const perExample = new Float32Array(n);
      const seeds = new SeedStream(seed);
      let recSum = 0;
      let klSum = 0;
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const draws = Array.from({ length: samples }, () => seeds.nextSeed());
        const [rec, kl] = tf.tidy(() => {
          const xb = source.take(null, start, size)[0]!;
          let recTotal: tf.Tensor1D | undefined;
          let klPerExample: tf.Tensor1D | undefined;
          for (const s of draws) {
            const terms = vaeTerms(this.net, xb, xb, false, s);
            recTotal = recTotal ? (tf.add(recTotal, terms.reconstruction) as tf.Tensor1D) : terms.reconstruction;
            klPerExample ??= tf.sum(terms.klPerDim, 1) as tf.Tensor1D;
          }
          return [tf.div(recTotal!, samples).dataSync() as Float32Array, klPerExample!.dataSync() as Float32Array];
        });
        for (let i = 0; i < size; i++) {
          perExample[start + i] = -(rec[i]! + kl[i]!);
          recSum += rec[i]!;
          klSum += kl[i]!;
        }
      }
      let sum = 0;
      for (const v of perExample) sum += v;
      return { perExample, mean: sum / n, reconstruction: recSum / n, kl: klSum / n };
    } finally {
      release(owned);
    }
  }

  latentTraversal(options: LatentTraversalOptions = {}): tf.Tensor {
    this.assertLive();
    const o = optionsObject('latentTraversal options', options);
    const d = this.latentDim;
    const dims = o['dims'] === undefined ? Array.from({ length: d }, (_, i) => i) : (o['dims'] as unknown);
    if (!Array.isArray(dims) || dims.length === 0) throw new ConfigError('latentTraversal.dims', dims, `a non-empty array of latent dimensions in [0, ${d - 1}]`);
    dims.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= d) {
        throw new ConfigError(`latentTraversal.dims[${i}]`, v, `a latent dimension in [0, ${d - 1}]`);
      }
    });
    const range = (o['range'] ?? [-3, 3]) as unknown;
    if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new ConfigError('latentTraversal.range', range, 'two finite numbers [from, to], e.g. [-3, 3]');
    }
    const steps = positiveInt('latentTraversal.steps', o['steps'] ?? 9);
    if (steps < 2) throw new ConfigError('latentTraversal.steps', steps, 'at least 2 (both ends are included)');
    const base = o['base'] === undefined ? new Float32Array(d) : latentPoint(o['base'] as DataInput, 'latentTraversal.base', d);
    const [from, to] = range as [number, number];
    const rows = dims.length * steps;
    const values = new Float32Array(rows * d);
    (dims as number[]).forEach((dim, r) => {
      for (let s = 0; s < steps; s++) {
        const at = (r * steps + s) * d;
        values.set(base, at);
        values[at + dim] = from + ((to - from) * s) / (steps - 1);
      }
    });
    const z = tf.tensor2d(values, [rows, d]);
    try {
      return this.base.decode(z);
    } finally {
      z.dispose();
    }
  }

  async fit(x: DataInput, options: AutoencoderFitOptions = {}): Promise<History> {
    this.assertLive();
    const arrays: FitArray[] = [{ parameter: 'x', data: x, exampleShape: this.inputShape }];
    if (options.target !== undefined) arrays.push({ parameter: 'fit.target', data: options.target, exampleShape: this.inputShape });
    const validation: FitArray[] | undefined =
      options.validationData === undefined
        ? undefined
        : [{ parameter: 'fit.validationData', data: options.validationData, exampleShape: this.inputShape }];
    const { beta, klWarmupEpochs, freeBits } = this.config;
    const startEpoch = this.trained;
    const history = await fitArrays(arrays, validation, options, this.stream.nextSeed(), () => {
      const resolved = resolveOptimizer(options.optimizer, options.learningRate, 'fit.optimizer');
      return new VaeTask(this.net, { beta, klWarmupEpochs, freeBits, startEpoch }, resolved);
    });
    this.trained += history.epoch.length;
    return history;
  }

  evaluate(x: DataInput, options?: EvaluateOptions): ReconstructionReport {
    this.assertLive();
    return this.base.evaluate(x, options);
  }

  summary(): string {
    this.assertLive();
    return this.base.summary();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.base.dispose();
  }
}

/**
 * Builds a variational autoencoder (Kingma & Welling 2014). The encoder ends in two Dense layers named
 * `mean` and `logVar` (the diagonal Gaussian posterior `q(z|x)`); a {@link GaussianSampling} layer draws
 * `z = mean + exp(logVar / 2) * eps` (the reparameterization trick) with noise from latentkit's seeds, never
 * `Math.random`; the decoder maps `z` back to the likelihood's parameters. Training minimizes
 * `reconstruction + beta * KL` per example (closed-form KL against `N(0, I)`), all in nats, through
 * latentkit's loop: `fit` takes the usual options and returns a history with `loss`, `reconstruction`,
 * `kl`, `elbo`, `beta` and, with validation data, `valLoss`, `valReconstruction`, `valKl`, `valElbo`.
 *
 * - `kind: 'dense'` (default): `inputShape` (`[784]` or `[28, 28, 1]`), `hiddenUnits` (default `[512]`).
 * - `kind: 'conv'`: the conv stack of {@link ConvStackConfig}, mirrored in the decoder, output the input's shape.
 *
 * @param config - see {@link DenseVAEConfig}, {@link ConvVAEConfig}; defaults: `likelihood: 'bernoulli'`,
 *   `beta: 1`, `klWarmupEpochs: 0`, `freeBits: 0`, `activation: 'relu'`.
 * @returns a {@link VariationalAutoencoder} (`kind: 'vae'`).
 * @throws ConfigError naming the field at fault (`VAE.latentDim`, `VAE.filters`, ...).
 * @example
 * ```ts
 * const vae = VAE({ kind: 'conv', inputShape: [28, 28, 1], filters: [32, 64], latentDim: 16, klWarmupEpochs: 5, seed: 1 });
 * const history = await vae.fit(images, { epochs: 20, batchSize: 128, validationSplit: 0.1 });
 * const { perExample, mean } = vae.elbo(testImages);   // nats
 * const samples = vae.sample(64, { seed: 2 });          // [64, 28, 28, 1]
 * ```
 */
export function VAE(config: VAEConfig): VariationalAutoencoder {
  const { resolved, spec } = resolveVAEConfig(config);
  return new VAEModel(resolved, buildVAE(resolved, spec));
}

// Re-exported so that the VAE's parts are reachable from this module.
export { GaussianSampling, OutputLogVariance, reparameterize } from './vae/layers.js';
export type { GaussianSamplingArgs, OutputLogVarianceArgs } from './vae/layers.js';
export { VAE_LIKELIHOODS, bernoulliNll, gaussianNll } from './vae/likelihood.js';
export type { VAELikelihood } from './vae/likelihood.js';
export { betaAt, gaussianKlPerDim, klObjective } from './vae/kl.js';
export type { BetaSchedule } from './vae/kl.js';
export { normalQuantile, normalQuantiles } from './vae/normal.js';
