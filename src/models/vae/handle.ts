/**
 * The VAE's handle: an autoencoder ({@link AutoencoderBase}: full model, encoder, decoder, decode,
 * reconstruct, evaluate) whose encoder gives a distribution, with sampling, the ELBO, the
 * importance-sampled NLL and latent traversals, trained on the negative ELBO by the {@link VaeTask}.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '../../core/randomNormal.js';
import { ConfigError, InputError } from '../../core/errors.js';
import { checkGeneratedSize, field, is, optionsSchema } from '../../core/options.js';
import { assertFinite, assertWithin, release, tensorFromNested, toExamples, type DataInput, type ValueBounds } from '../../data/input.js';
import { reparameterize } from '../../layers/sampling.js';
import { predictInBatches } from '../../train/batches.js';
import { resolveOptimizer } from '../../train/optimizers.js';
import { AUTOENCODER_FIT, AutoencoderBase, type Autoencoder, type AutoencoderFitOptions } from '../autoencoder/handle.js';
import { PREDICT_BATCH } from '../base/handle.js';
import type { VaeBuild } from './build.js';
import type { ResolvedVAEConfig, VAELikelihood } from './config.js';
import { ELBO_OPTIONS, NLL_OPTIONS, elboOf, importanceSampledNll, type ElboOptions, type ElboReport, type NllOptions, type NllReport } from './estimates.js';
import { VaeTask } from './task.js';

/**
 * Options of {@link VariationalAutoencoder.fit}: those of every autoencoder. With `target`, the
 * likelihood scores the target instead of `x` (a denoising VAE).
 * @category Models
 */
export type VAEFitOptions = AutoencoderFitOptions;

/**
 * What {@link VariationalAutoencoder.fit} returns, per epoch and in nats per example: `loss` (minimized:
 * reconstruction + beta x KL term), `reconstruction`, `kl`, `elbo`, `beta` (the effective KL weight), and
 * with validation data `valLoss`, `valReconstruction`, `valKl`, `valElbo`.
 * @category Models
 */
export type VAEHistory = {
  epoch: number[];
  loss: number[];
  reconstruction: number[];
  kl: number[];
  elbo: number[];
  beta: number[];
  valLoss?: number[];
  valReconstruction?: number[];
  valKl?: number[];
  valElbo?: number[];
  [log: string]: number[] | undefined;
};

/**
 * Options of {@link VariationalAutoencoder.encode}.
 * @category Models
 */
export interface VAEEncodeOptions {
  /** Also draw `z ~ q(z|x)` (reparameterized). Default false. */
  sample?: boolean;
  /** Seed of that draw. Default: the next seed of the handle's stream (reproducible from the config seed). */
  seed?: number;
}

/**
 * What {@link VariationalAutoencoder.encode} returns; the caller disposes every tensor.
 * @category Models
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
 * @category Models
 */
export interface VAESampleOptions {
  /** Seed of the prior draws. Default: the next seed of the handle's stream. */
  seed?: number;
}

/**
 * Options of {@link VariationalAutoencoder.latentTraversal}.
 * @category Models
 */
export interface LatentTraversalOptions {
  /** Latent dimensions to vary, one row each. Default: all, `0 .. d-1`. */
  dims?: readonly number[];
  /** Values each varied dimension takes, from `range[0]` to `range[1]`. Default `[-3, 3]` (prior std units). */
  range?: readonly [number, number];
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
 * @category Models
 */
export interface VariationalAutoencoder extends Omit<Autoencoder<ResolvedVAEConfig>, 'encode' | 'fit'> {
  /** Always `'vae'`. */
  readonly kind: 'vae';
  /** Latent dimensions. */
  readonly latentDim: number;
  /** The decoder's distribution. */
  readonly likelihood: VAELikelihood;
  /** Epochs trained by this handle's `fit` calls so far, and before a save it was loaded from (the KL warm-up continues from here). */
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
  /**
   * Importance-sampled negative log-likelihood `-log p(x)` of each example of `x`, in nats (Burda et al.
   * 2016): `-log (1/K) sum_k p(x|z_k) p(z_k) / q(z_k|x)` over `K = samples` draws from the encoder's
   * posterior (default 200), per example and as a mean; see {@link NllOptions} and {@link NllReport}.
   * At most the negative ELBO (in expectation), smaller with more samples. With a Bernoulli decoder it is
   * a likelihood of binary data: binarize `x` (e.g. a seeded Bernoulli draw of the grey levels) first.
   */
  nll(x: DataInput, options?: NllOptions): NllReport;
  /** Decoded sweeps along latent dimensions: `[dims.length * steps, ...inputShape]`, one row per dimension. */
  latentTraversal(options?: LatentTraversalOptions): tf.Tensor;
  /**
   * Trains on `x` with latentkit's loop. The history holds, per epoch and in nats per example: `loss`
   * (minimized: reconstruction + beta x KL term), `reconstruction`, `kl`, `elbo` and `beta` (effective KL
   * weight), and with validation data `valLoss`, `valReconstruction`, `valKl`, `valElbo`. With `target`,
   * the likelihood scores the target instead of `x` (a denoising VAE). Under a KL warm-up `valLoss` rises
   * with beta: early-stop on `{ monitor: 'valElbo', mode: 'max' }` instead.
   */
  fit(x: DataInput, options?: VAEFitOptions): Promise<VAEHistory>;
}


const ENCODE = optionsSchema<VAEEncodeOptions>()('encode', { sample: is.boolean().default(false), seed: is.seed() });
const SAMPLE = optionsSchema<VAESampleOptions>()('sample', { seed: is.seed() });
const TRAVERSAL = optionsSchema<LatentTraversalOptions>()('latentTraversal', {
  dims: is.any<unknown>(),
  range: field((v, p): [number, number] => {
    if (!Array.isArray(v) || v.length !== 2 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new ConfigError(p, v, 'two finite numbers [from, to], e.g. [-3, 3]');
    }
    return [v[0] as number, v[1] as number];
  }).default(() => [-3, 3]),
  steps: is.intAtLeast(2, 'at least 2 (both ends are included)').default(9),
  base: is.any<DataInput>(),
});

/** One latent point, `[d]` or `[1, d]`, as values; the caller's tensor is read, never disposed. */
function latentPoint(value: DataInput, parameter: string, d: number): Float32Array {
  if (value instanceof tf.Tensor && value.isDisposed) throw new InputError(parameter, 'a disposed tensor', 'a live tensor');
  if (!(value instanceof tf.Tensor) && !Array.isArray(value) && !ArrayBuffer.isView(value)) throw new InputError(parameter, value, `${d} numbers`);
  const t = value instanceof tf.Tensor ? value : ArrayBuffer.isView(value) ? tf.tensor(Float32Array.from(value as unknown as ArrayLike<number>)) : tensorFromNested(value, parameter);
  try {
    const ok = (t.rank === 1 && t.shape[0] === d) || (t.rank === 2 && t.shape[0] === 1 && t.shape[1] === d);
    if (!ok) throw new InputError(parameter, t, `one latent point, shape [${d}] or [1, ${d}]`);
    assertFinite(t, parameter);
    return Float32Array.from(t.dataSync());
  } finally {
    if (t !== value) t.dispose();
  }
}


/** The handle {@link VAE} returns (build one through {@link VAE}). */
export class VAEHandle extends AutoencoderBase<ResolvedVAEConfig> implements VariationalAutoencoder {
  override readonly kind = 'vae' as const;
  readonly latentDim: number;
  readonly likelihood: VAELikelihood;

  constructor(
    config: ResolvedVAEConfig,
    private readonly net: VaeBuild,
  ) {
    // The reconstruction measure `evaluate` reports by default, closest to each likelihood.
    super('vae', config, 'vae', net, config.likelihood === 'bernoulli' ? 'binaryCrossentropy' : 'mse');
    this.latentDim = config.latentDim;
    this.likelihood = config.likelihood;
  }

  /** A Bernoulli decoder scores probabilities: its data must be in [0, 1]. */
  protected override targetBounds(): ValueBounds | undefined {
    return this.likelihood === 'bernoulli'
      ? {
          min: 0,
          max: 1,
          why:
            "likelihood 'bernoulli' models values in [0, 1] (outside it the ELBO is meaningless, even positive); " +
            "scale the data with toRange(x, [0, 1]), or build the VAE with likelihood: 'gaussian' (and outputActivation: 'linear' for unbounded data)",
        }
      : undefined;
  }

  encode(x: DataInput, options: VAEEncodeOptions = {}): VAEEncoding {
    this.assertLive();
    const o = ENCODE.check(options);
    const seed = o.sample ? o.seed ?? this.stream.nextSeed() : 0;
    const owned = toExamples(x, 'x', this.inputShape);
    try {
      // One pass per batch for both heads: [mean | logVar] side by side, split afterwards.
      const both = predictInBatches((b) => tf.concat(this.encoder.apply(b, { training: false }) as tf.Tensor[], 1), owned.tensor, PREDICT_BATCH);
      const [mean, logVar] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      both.dispose();
      if (!o.sample) return { mean, logVar };
      return { mean, logVar, z: reparameterize(mean, logVar, seed) as tf.Tensor2D };
    } finally {
      release(owned);
    }
  }

  generate(z: DataInput): tf.Tensor {
    return this.decode(z);
  }

  sample(n: number, options: VAESampleOptions = {}): tf.Tensor {
    this.assertLive();
    const count = is.positiveInt().check(n, 'sample.n');
    checkGeneratedSize('sample.n', count, this.inputShape.reduce((a, b) => a * b, 1) + this.latentDim);
    const seed = SAMPLE.check(options).seed ?? this.stream.nextSeed();
    const z = randomNormal([count, this.latentDim], 0, 1, seed);
    try {
      return this.decode(z);
    } finally {
      z.dispose();
    }
  }

  elbo(x: DataInput, options: ElboOptions = {}): ElboReport {
    this.assertLive();
    const o = ELBO_OPTIONS.check(options);
    return this.estimate(x, (data) => elboOf(this.net, data, { ...o, seed: o.seed ?? this.config.seed }));
  }

  nll(x: DataInput, options: NllOptions = {}): NllReport {
    this.assertLive();
    const o = NLL_OPTIONS.check(options);
    return this.estimate(x, (data) => importanceSampledNll(this.net, data, { ...o, seed: o.seed ?? this.config.seed }));
  }

  /** Runs an estimate on `x` as examples, checked against the likelihood's range, and frees what it made. */
  private estimate<R>(x: DataInput, run: (data: tf.Tensor) => R): R {
    const owned = toExamples(x, 'x', this.inputShape);
    try {
      const bounds = this.targetBounds();
      if (bounds) assertWithin(owned.tensor, 'x', bounds);
      return run(owned.tensor);
    } finally {
      release(owned);
    }
  }

  latentTraversal(options: LatentTraversalOptions = {}): tf.Tensor {
    this.assertLive();
    const o = TRAVERSAL.check(options);
    const d = this.latentDim;
    const dims = o.dims === undefined ? Array.from({ length: d }, (_, i) => i) : o.dims;
    if (!Array.isArray(dims) || dims.length === 0) throw new ConfigError('latentTraversal.dims', dims, `a non-empty array of latent dimensions in [0, ${d - 1}]`);
    dims.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= d) {
        throw new ConfigError(`latentTraversal.dims[${i}]`, v, `a latent dimension in [0, ${d - 1}]`);
      }
    });
    const { steps } = o;
    const base = o.base === undefined ? new Float32Array(d) : latentPoint(o.base, 'latentTraversal.base', d);
    const [from, to] = o.range;
    const rows = dims.length * steps;
    checkGeneratedSize('latentTraversal.steps', rows, this.inputShape.reduce((a, b) => a * b, 1) + d);
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
      return this.decode(z);
    } finally {
      z.dispose();
    }
  }

  async fit(x: DataInput, options: VAEFitOptions = {}): Promise<VAEHistory> {
    this.assertLive();
    const o = AUTOENCODER_FIT.check(options);
    const [arrays, validation] = this.fitArraysOf(x, o);
    const { beta, klWarmupEpochs, freeBits } = this.config;
    const startEpoch = this.epochsTrained;
    const history = await this.fitWith(arrays, validation, o, () => {
      const resolved = resolveOptimizer(o.optimizer, o.learningRate, 'fit.optimizer');
      return new VaeTask(this.net, { beta, klWarmupEpochs, freeBits, startEpoch }, resolved);
    });
    return history as VAEHistory;
  }
}
