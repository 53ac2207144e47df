/**
 * The config of {@link VAE}: its types, its fields for the options checker (dense and conv variants,
 * chosen by `architecture`) and its resolution. A resolved config is itself a valid config.
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { field, is, nonNegativeInt, optionsSchema } from '../../core/options.js';
import { resolveSeed } from '../../core/seed.js';
import { checkActivation, type Activation } from '../../layers/activations.js';
import { ALLOW_LARGE_FIELD, checkModelSize, convStackParams, denseChainParams } from '../base/size.js';
import { CONV_STACK_FIELDS, convStackSpec, type ConvStackConfig, type ConvStackSpec } from '../nets/convStack.js';

/**
 * Output distributions a VAE's decoder can model.
 * @category Models
 */
export const VAE_LIKELIHOODS = ['bernoulli', 'gaussian'] as const;
/**
 * `bernoulli`: each value is the probability of a pixel being on (values in [0, 1]; exact for binary
 * data, the usual surrogate for grey levels). `gaussian`: each value is Gaussian around the decoder's
 * output, with unit or learned global variance.
 * @category Models
 */
export type VAELikelihood = (typeof VAE_LIKELIHOODS)[number];

/**
 * How a Gaussian decoder's variance is set: 1 for every value, or one global value learned in training.
 * @category Models
 */
export type GaussianVariance = 'unit' | 'learned';

/**
 * What every VAE config has (dense or conv).
 * @category Models
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
  /** Build even when the model is estimated beyond {@link PARAMETER_LIMIT} parameters. Default false. */
  allowLarge?: boolean;
}

/**
 * Config of a dense VAE: `input -> hiddenUnits -> (mean, logVar) -> z -> reversed hiddenUnits -> output`.
 * @category Models
 */
export interface DenseVAEConfig extends VAEBaseConfig {
  /** `'dense'` (the default). */
  architecture?: 'dense';
  /** Shape of one example: `[784]`, or an image shape such as `[28, 28, 1]` (flattened inside). Required. */
  inputShape: readonly number[];
  /** Widths of the encoder's hidden layers; the decoder mirrors them. Default `[512]`. */
  hiddenUnits?: readonly number[];
}

/**
 * Config of a convolutional VAE: the conv stack of {@link ConvStackConfig} (`inputShape`, `filters`,
 * `kernelSize`, `strides`, `padding`, `pooling`, `decoder`, `activation`), Flatten, Dense `mean` and
 * `logVar`; the decoder mirrors the stack from `z` and ends in a linear conv named `reconstruction`.
 * @category Models
 */
export interface ConvVAEConfig extends VAEBaseConfig, Omit<ConvStackConfig, 'outputActivation' | 'activation'> {
  architecture: 'conv';
}

/**
 * Config of {@link VAE}: dense (the default `architecture`) or conv.
 * @category Models
 */
export type VAEConfig = DenseVAEConfig | ConvVAEConfig;

/**
 * The fields every resolved VAE config has, every default filled in.
 * @category Models
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
  /** Present (true) only when the config asked for it. */
  allowLarge?: true;
};

/**
 * A dense VAE config with every default filled in.
 * @category Models
 */
export type ResolvedDenseVAEConfig = ResolvedVAEBase & { architecture: 'dense'; inputShape: number[]; hiddenUnits: number[] };

/**
 * A conv VAE config with every default filled in (per-layer lists written out).
 * @category Models
 */
export type ResolvedConvVAEConfig = ResolvedVAEBase & {
  architecture: 'conv';
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
 * @category Models
 */
export type ResolvedVAEConfig = ResolvedDenseVAEConfig | ResolvedConvVAEConfig;

const activation = field((v, p) => checkActivation(p, v));

/** The fields of {@link VAEBaseConfig}. */
const BASE_FIELDS = {
  latentDim: is.positiveInt().required(),
  likelihood: is.oneOf(VAE_LIKELIHOODS).default('bernoulli'),
  gaussianVariance: is.oneOf(['unit', 'learned'] as const).default('unit'),
  beta: is.number({ min: 0 }).default(1),
  klWarmupEpochs: field((v, p) => nonNegativeInt(p, v)).default(0),
  freeBits: is.number({ min: 0 }).default(0),
  activation: activation.default('relu'),
  outputActivation: activation.default('sigmoid'),
  seed: field((v, p) => resolveSeed(v as number, p)).default(() => resolveSeed(undefined)),
  allowLarge: ALLOW_LARGE_FIELD,
};

const { activation: _a, outputActivation: _o, inputShape: _i, ...CONV_FIELDS } = CONV_STACK_FIELDS;

/** The likelihood's rules: a Bernoulli decoder has no variance to set, and its means are always a sigmoid. */
function likelihoodRules(c: { likelihood: VAELikelihood; gaussianVariance: GaussianVariance; outputActivation: Activation }): void {
  if (c.likelihood === 'bernoulli' && c.gaussianVariance !== 'unit') {
    throw new ConfigError('VAE.gaussianVariance', c.gaussianVariance, "to be left out with likelihood 'bernoulli' (it sets a Gaussian decoder's variance)");
  }
  if (c.likelihood === 'bernoulli' && c.outputActivation !== 'sigmoid') {
    throw new ConfigError(
      'VAE.outputActivation',
      c.outputActivation,
      "'sigmoid' or nothing with likelihood 'bernoulli' (the decoder outputs logits; its means are their sigmoid)",
    );
  }
}

/** `allowLarge` as a resolved config holds it: only when true. */
const large = (allowLarge: boolean | undefined): { allowLarge?: true } => (allowLarge === true ? { allowLarge: true } : {});

const EXPECTED = "a config object such as { architecture: 'dense', inputShape: [784], latentDim: 2 }";
const RENAMED = { kind: 'architecture' };

const DENSE = optionsSchema<DenseVAEConfig>()(
  'VAE',
  {
    architecture: is.oneOf(['dense'] as const).default('dense'),
    inputShape: field((v, p) => {
      if (!Array.isArray(v) || v.length === 0) throw new ConfigError(p, v, 'the shape of one example, e.g. [784] or [28, 28, 1]');
      return v.map((d, i) => is.positiveInt().check(d, `${p}[${i}]`));
    }).required(),
    hiddenUnits: is.positiveIntArray().default(() => [512]),
    ...BASE_FIELDS,
  },
  {
    expected: EXPECTED,
    renamed: RENAMED,
    elsewhere: Object.fromEntries(Object.keys(CONV_FIELDS).map((k) => [k, "to be left out with architecture 'dense' (it configures architecture 'conv')"])),
    rules: [likelihoodRules],
  },
);

const CONV = optionsSchema<ConvVAEConfig>()(
  'VAE',
  { architecture: is.oneOf(['conv'] as const).required(), inputShape: CONV_STACK_FIELDS.inputShape, ...CONV_FIELDS, ...BASE_FIELDS },
  { expected: EXPECTED, renamed: RENAMED, elsewhere: { hiddenUnits: "to be left out with architecture 'conv' (use filters)" }, rules: [likelihoodRules] },
);

/**
 * Checks a VAE config and fills in its defaults.
 *
 * @returns the resolved config, and the conv stack's computed shapes for `architecture: 'conv'`.
 * @throws ConfigError naming the field (`VAE.latentDim`, `VAE.beta`, ...), its value and what is expected.
 */
export function resolveVAEConfig(config: VAEConfig): { resolved: ResolvedVAEConfig; spec?: ConvStackSpec } {
  const architecture = typeof config === 'object' && config !== null ? (config as { architecture?: unknown }).architecture ?? 'dense' : 'dense';
  is.oneOf(['dense', 'conv'] as const).check(architecture, 'VAE.architecture');
  if (architecture === 'dense') {
    const c = DENSE.check(config);
    const { latentDim, likelihood, gaussianVariance, beta, klWarmupEpochs, freeBits, activation, outputActivation, seed } = c;
    const base = { latentDim, likelihood, gaussianVariance, beta, klWarmupEpochs, freeBits, activation, outputActivation, seed, ...large(c.allowLarge) };
    const size = c.inputShape.reduce((a, b) => a * b, 1);
    const last = c.hiddenUnits[c.hiddenUnits.length - 1] ?? size;
    const estimate = denseChainParams([size, ...c.hiddenUnits]) + 2 * (last + 1) * latentDim + denseChainParams([latentDim, ...[...c.hiddenUnits].reverse(), size]);
    checkModelSize('VAE', estimate, c.allowLarge);
    return { resolved: { architecture: 'dense', inputShape: c.inputShape, hiddenUnits: c.hiddenUnits, ...base } };
  }
  const c = CONV.check(config);
  const { latentDim, likelihood, gaussianVariance, beta, klWarmupEpochs, freeBits, activation, outputActivation, seed } = c;
  const base = { latentDim, likelihood, gaussianVariance, beta, klWarmupEpochs, freeBits, activation, outputActivation, seed, ...large(c.allowLarge) };
  const spec = convStackSpec({ ...c, activation, outputActivation: 'linear' }, 'VAE');
  const features = spec.featureShape.reduce((a, b) => a * b, 1);
  const conv = convStackParams(spec.inputShape[2], spec.filters, spec.kernelSize);
  checkModelSize('VAE', conv.encoder + conv.decoder + 2 * (features + 1) * latentDim + (latentDim + 1) * features, c.allowLarge);
  const { inputShape, filters, kernelSize, strides, padding, pooling, decoder } = spec;
  return { resolved: { architecture: 'conv', inputShape: [...inputShape], filters, kernelSize, strides, padding, pooling, decoder, ...base }, spec };
}
