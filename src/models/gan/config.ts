/**
 * The config of {@link GAN}: its types, its fields for the options checker (dense and dcgan variants,
 * chosen by `architecture`), its resolution, and the upgrade of configs saved by earlier versions (0.1.0
 * called the architecture `kind`; configs from before the mode-collapse remedies lack their fields). A
 * resolved config is itself a valid config.
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { field, is, optionsSchema, positiveIntArray, type Resolved } from '../../core/options.js';
import { resolveSeed } from '../../core/seed.js';
import { checkActivation, type Activation } from '../../layers/activations.js';
import { DOUBLE_BACKPROP_ACTIVATIONS } from '../../layers/doubleBackprop.js';
import { ALLOW_LARGE_FIELD, checkModelSize, convParams, denseChainParams } from '../base/size.js';
import { GAN_LOSSES, type GANLoss } from './losses.js';
import { MINIBATCH_STDDEV_FIELD, type GANMinibatchStddevOptions } from './remedies.js';
import { SELF_CONDITIONING_FIELD, type GANSelfConditioningOptions } from './selfConditioning.js';

export type { GANMinibatchStddevOptions } from './remedies.js';
export type { GANSelfConditioningOptions } from './selfConditioning.js';

/**
 * The network families {@link GAN} builds.
 * @category Models
 */
export const GAN_ARCHITECTURES = ['dense', 'dcgan'] as const;
/**
 * `dense`: multilayer perceptrons (any `dataShape`, flattened). `dcgan`: a transposed-convolution
 * generator and a strided-convolution discriminator (Radford et al.), for images `[H, W, C]`.
 * @category Models
 */
export type GANArchitecture = (typeof GAN_ARCHITECTURES)[number];

/**
 * Config of {@link GAN}. Fields marked dense or dcgan apply to that architecture only (giving them to the
 * other is an error).
 * @category Models
 */
export interface GANConfig {
  /** Network family. Default `'dense'`. */
  architecture?: GANArchitecture;
  /** Shape of one example: `[2]` for points, `[784]` for flattened digits, `[28, 28, 1]` for images (dcgan). Required. */
  dataShape: readonly number[];
  /** Dimensions of the generator's Gaussian input z. Default: dense 256 (the course), dcgan 100. */
  zDim?: number;
  /** dense: widths of the generator's hidden layers. Default `[256, 256]`. */
  generatorUnits?: readonly number[];
  /** dense: widths of the discriminator's hidden layers; the last is named `embeddingLayer`. Default `[32]`. */
  discriminatorUnits?: readonly number[];
  /**
   * dcgan: channels of the generator's feature maps, from the projection of z to the last transposed
   * convolution before the output; each after the first doubles height and width, and so does the output
   * layer, so `H` and `W` must be divisible by `2 ** generatorFilters.length`. Default `[128, 64]`
   * (28x28: 7x7x128 -> 14x14x64 -> 28x28xC).
   */
  generatorFilters?: readonly number[];
  /** dcgan: channels of the discriminator's stride-2 convolutions. Default `[64, 128]`. */
  discriminatorFilters?: readonly number[];
  /** dcgan: kernel size of every convolution. Default 4. */
  kernelSize?: number;
  /** Hidden activation of both networks. Default: dense `'tanh'` (the course); dcgan G `'relu'`, D `'leakyRelu'`. */
  activation?: Activation;
  /** Overrides `activation` for the generator. */
  generatorActivation?: Activation;
  /**
   * Overrides `activation` for the discriminator. With `loss: 'wgan-gp'` it must be one of
   * `'linear'`, `'relu'`, `'leakyRelu'`, `'tanh'`, `'sigmoid'`, `'softplus'`, `'softsign'`, `'gelu'` (the gradient
   * penalty differentiates the critic twice, and tfjs 4.22 gets the second derivative of the others wrong).
   */
  discriminatorActivation?: Activation;
  /** Activation of the generator's output: `'tanh'` for data in [-1, 1], `'sigmoid'` for [0, 1], `'linear'` for unbounded data. Default `'tanh'`. */
  outputActivation?: Activation;
  /** Batch normalization after each hidden layer of the generator (momentum 0.9). Default: dcgan true, dense false. */
  batchNorm?: boolean;
  /**
   * Dropout after each hidden layer of the discriminator (seeded, active only while training), in [0, 1):
   * it keeps the discriminator from memorising the training examples. Default 0.
   */
  discriminatorDropout?: number;
  /**
   * Batch normalization (momentum 0.9) after each hidden layer of the discriminator but the first, as in
   * the DCGAN paper; real and generated batches are then normalised separately. Not with `'wgan-gp'`
   * (the penalty is defined per example). Default false.
   */
  discriminatorBatchNorm?: boolean;
  /** Name of the discriminator's feature layer read by `embed`: dense, its last hidden layer; dcgan, its flattened convolution features. Default `'embedding'`. */
  embeddingLayer?: string;
  /** The adversarial loss; see {@link GANLoss}. Default `'nonSaturating'`. */
  loss?: GANLoss;
  /** wgan-gp: weight of the gradient penalty `(||dD/dx|| - 1)^2` on interpolates. Default 10. */
  gradientPenalty?: number;
  /**
   * wgan (weight clipping, Arjovsky et al.): after every critic update each of its trainable weights is
   * clipped to `[-clipValue, clipValue]`. Default 0.01. Only with `loss: 'wgan'`.
   */
  clipValue?: number;
  /**
   * Makes the GAN conditional on a class label in `[0, numClasses)`; its one-hot code is concatenated to z.
   * How the discriminator sees it depends on `conditioning`. Default: unconditional.
   */
  numClasses?: number;
  /**
   * How a conditional GAN (`numClasses`) uses the label; see {@link GANConditioning}. Default `'concat'`.
   */
  conditioning?: GANConditioning;
  /**
   * Minibatch standard deviation (Karras et al.), a remedy for mode collapse: before its last hidden layer
   * the discriminator gets one more feature (dense) or channel (dcgan), the spread of the features over a
   * group of `groupSize` examples, so that samples that are all alike give themselves away. `true` is
   * `{ groupSize: 4 }`. Default false.
   */
  minibatchStddev?: boolean | GANMinibatchStddevOptions;
  /**
   * Self-conditioning (after Liu et al. 2020), for unlabelled data that falls into kinds, such as digits:
   * the first `fit` clusters its examples by k-means, and the GAN is trained as a conditional GAN (concat)
   * on each example's cluster; `sample` draws each sample's cluster in proportion to the clusters' sizes,
   * and `discriminate` and `embed` give each example its nearest cluster. No labels are ever asked for.
   * `true` is `{ clusters: 40 }`. Not with `numClasses`. Default false.
   */
  selfConditioning?: boolean | GANSelfConditioningOptions;
  /**
   * PacGAN packing (Lin et al.), a remedy for mode collapse: the discriminator judges `packing` examples at
   * once, all real or all generated, so that a generator that covers few modes is caught by the lack of
   * variety within a pack. The discriminator's input becomes the packed examples: dense
   * `[packing * prod(dataShape)]` (flattened examples one after the other), dcgan `[H, W, packing * C]`
   * (stacked on the channels); `discriminate` and `embed` then return one row per pack of consecutive
   * examples. Not with `conditioning: 'acgan'`. Default 1 (no packing).
   */
  packing?: number;
  /** Seed of the initial weights and of every `fit` and `sample` that has no seed of its own. Default: from {@link setSeed}. */
  seed?: number;
  /** Build even when the networks are estimated beyond {@link PARAMETER_LIMIT} parameters. Default false. */
  allowLarge?: boolean;
}

/**
 * How a conditional GAN uses its class label: `'concat'` (a conditional GAN, Mirza and Osindero: the
 * one-hot label is also an input of the discriminator: concatenated to the flattened example, dense, or
 * as `numClasses` constant channels beside the image's, dcgan) or `'acgan'` (an auxiliary classifier GAN,
 * Odena et al.: the discriminator sees only the example, and besides real/fake it names the class with a
 * softmax head; both networks are also trained on that classification).
 * @category Models
 */
export type GANConditioning = (typeof GAN_CONDITIONINGS)[number];
/**
 * The values of {@link GANConditioning}.
 * @category Models
 */
export const GAN_CONDITIONINGS = ['concat', 'acgan'] as const;

/** What every resolved GAN config has, every default filled in. */
export interface ResolvedGANBase {
  dataShape: number[];
  zDim: number;
  generatorActivation: Activation;
  discriminatorActivation: Activation;
  outputActivation: Activation;
  batchNorm: boolean;
  discriminatorDropout: number;
  discriminatorBatchNorm: boolean;
  embeddingLayer: string;
  loss: GANLoss;
  gradientPenalty: number;
  /** wgan only. */
  clipValue?: number;
  /** Classes of a conditional GAN (absent: unconditional). */
  numClasses?: number;
  /** A conditional GAN's use of its label (absent: unconditional). */
  conditioning?: GANConditioning;
  minibatchStddev: false | { groupSize: number };
  selfConditioning: false | { clusters: number };
  packing: number;
  seed: number;
  /** Present (true) only when the config asked for it. */
  allowLarge?: true;
}

/**
 * A dense GAN's config with every default filled in.
 * @category Models
 */
export interface ResolvedDenseGANConfig extends ResolvedGANBase {
  architecture: 'dense';
  generatorUnits: number[];
  discriminatorUnits: number[];
}

/**
 * A DCGAN's config with every default filled in.
 * @category Models
 */
export interface ResolvedDCGANConfig extends ResolvedGANBase {
  architecture: 'dcgan';
  generatorFilters: number[];
  discriminatorFilters: number[];
  kernelSize: number;
}

/**
 * A {@link GANConfig} with every default filled in (plain data, as `gan.config`): `GAN(gan.config)`
 * rebuilds the same networks.
 * @category Models
 */
export type ResolvedGANConfig = ResolvedDenseGANConfig | ResolvedDCGANConfig;

const nonEmpty = (v: unknown, p: string) => {
  const arr = positiveIntArray(p, v);
  if (arr.length === 0) throw new ConfigError(p, v, 'at least one positive integer');
  return arr;
};
const activation = field((v, p) => checkActivation(p, v));

/** The fields both architectures take. */
const COMMON = {
  dataShape: field(nonEmpty).required(),
  zDim: is.positiveInt(),
  activation,
  generatorActivation: activation,
  discriminatorActivation: activation,
  outputActivation: activation.default('tanh'),
  batchNorm: is.boolean(),
  discriminatorDropout: is.number({ min: 0, max: 1, maxOpen: true }),
  discriminatorBatchNorm: is.boolean(),
  embeddingLayer: field((v, p) => {
    if (typeof v !== 'string' || !/^[A-Za-z][\w.-]*$/.test(v)) throw new ConfigError(p, v, 'a layer name: a letter, then letters, digits, _ . or -');
    return v;
  }).default('embedding'),
  loss: is.oneOf(GAN_LOSSES).default('nonSaturating'),
  gradientPenalty: is.number({ min: 0, maxOpen: true }).default(10),
  clipValue: is.number({ min: 0, minOpen: true, maxOpen: true }),
  numClasses: is.intAtLeast(2, 'at least 2 classes (leave it out for an unconditional GAN)'),
  conditioning: is.oneOf(GAN_CONDITIONINGS),
  minibatchStddev: MINIBATCH_STDDEV_FIELD,
  selfConditioning: SELF_CONDITIONING_FIELD,
  packing: is.positiveInt().default(1),
  seed: field((v, p) => resolveSeed(v as number, p)).default(() => resolveSeed(undefined)),
  allowLarge: ALLOW_LARGE_FIELD,
};

const elsewhere = (mine: GANArchitecture, other: GANArchitecture, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, `to be left out for architecture "${mine}" (it applies to ${other} GANs)`]));
/** Fields only dense GANs take. */
export const DENSE_ONLY = ['generatorUnits', 'discriminatorUnits'];
/** Fields only DCGANs take. */
export const DCGAN_ONLY = ['generatorFilters', 'discriminatorFilters', 'kernelSize'];
const EXPECTED = "a config object such as { dataShape: [784] } or { architecture: 'dcgan', dataShape: [28, 28, 1] }";

const DENSE = optionsSchema<GANConfig>()(
  'GAN',
  {
    ...COMMON,
    architecture: is.oneOf(['dense'] as const).default('dense'),
    generatorUnits: is.positiveIntArray().default(() => [256, 256]),
    discriminatorUnits: field(nonEmpty).default(() => [32]),
    generatorFilters: is.any<never>(),
    discriminatorFilters: is.any<never>(),
    kernelSize: is.any<never>(),
  },
  { expected: EXPECTED, renamed: { kind: 'architecture' } },
);

const DCGAN = optionsSchema<GANConfig>()(
  'GAN',
  {
    ...COMMON,
    architecture: is.oneOf(['dcgan'] as const).required(),
    generatorFilters: field(nonEmpty).default(() => [128, 64]),
    discriminatorFilters: field(nonEmpty).default(() => [64, 128]),
    kernelSize: is.positiveInt().default(4),
    generatorUnits: is.any<never>(),
    discriminatorUnits: is.any<never>(),
  },
  { expected: EXPECTED, renamed: { kind: 'architecture' } },
);

const ZDIM: Record<GANArchitecture, number> = { dense: 256, dcgan: 100 };

/** Refuses the fields of the other architecture (they are declared in both schemas so that the message can say why). */
function noneOf(config: Record<string, unknown>, keys: string[], mine: GANArchitecture, other: GANArchitecture): void {
  const why = elsewhere(mine, other, keys);
  for (const k of keys) if (config[k] !== undefined) throw new ConfigError(`GAN.${k}`, config[k], why[k]!);
}

/** The generator's and discriminator's activations, from `activation` and the overrides, checked for the loss. */
function activations(c: Resolved<typeof COMMON>, config: Record<string, unknown>, dense: boolean): { generatorActivation: Activation; discriminatorActivation: Activation } {
  const generatorActivation = c.generatorActivation ?? c.activation ?? (dense ? 'tanh' : 'relu');
  const dParameter = config['discriminatorActivation'] !== undefined || c.activation === undefined ? 'GAN.discriminatorActivation' : 'GAN.activation';
  const discriminatorActivation = c.discriminatorActivation ?? c.activation ?? (dense ? 'tanh' : 'leakyRelu');
  if (c.loss === 'wgan-gp' && !(DOUBLE_BACKPROP_ACTIVATIONS as readonly string[]).includes(discriminatorActivation)) {
    throw new ConfigError(
      dParameter,
      discriminatorActivation,
      `with loss "wgan-gp", an activation whose gradient tfjs can differentiate again: one of ${DOUBLE_BACKPROP_ACTIVATIONS.map((a) => `"${a}"`).join(', ')}`,
    );
  }
  return { generatorActivation, discriminatorActivation };
}

/** `clipValue` for loss 'wgan' (refused with the other losses, which would ignore it). */
function lossExtras(c: Resolved<typeof COMMON>): { clipValue?: number } {
  if (c.loss === 'wgan') return { clipValue: c.clipValue ?? 0.01 };
  if (c.clipValue !== undefined) throw new ConfigError('GAN.clipValue', c.clipValue, `to be left out with loss "${c.loss}" (weight clipping is WGAN's, loss "wgan")`);
  return {};
}

/** `discriminatorBatchNorm`, refused with the gradient penalty. */
function discriminatorBatchNormOf(c: Resolved<typeof COMMON>): boolean {
  const bn = c.discriminatorBatchNorm ?? false;
  if (bn && c.loss === 'wgan-gp') {
    throw new ConfigError('GAN.discriminatorBatchNorm', bn, 'false with loss "wgan-gp" (its gradient penalty is per example; batch normalization mixes the examples)');
  }
  return bn;
}

/** `numClasses` and `conditioning`, checked together. */
function conditioningOf(c: Resolved<typeof COMMON>): { numClasses?: number; conditioning?: GANConditioning } {
  const { numClasses, conditioning, packing, selfConditioning } = c;
  if (numClasses !== undefined && selfConditioning !== false) {
    throw new ConfigError('GAN.selfConditioning', selfConditioning, 'false with numClasses (a conditional GAN has its labels; self-conditioning makes its own)');
  }
  if (numClasses === undefined) {
    if (conditioning !== undefined) throw new ConfigError('GAN.conditioning', conditioning, 'to be left out without numClasses (it says how a class label conditions the GAN)');
    return {};
  }
  const resolved = conditioning ?? 'concat';
  if (resolved === 'acgan' && packing > 1) {
    throw new ConfigError('GAN.packing', packing, "1 with conditioning 'acgan' (its auxiliary classifier names the class of one example, not of a pack)");
  }
  return { numClasses, conditioning: resolved };
}

/**
 * Checks a {@link GANConfig} and fills in its defaults.
 *
 * @throws ConfigError naming the field at fault.
 */
export function resolveGANConfig(config: GANConfig): ResolvedGANConfig {
  const raw = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  const architecture = is.oneOf(GAN_ARCHITECTURES).check(raw['architecture'] ?? 'dense', 'GAN.architecture');
  const dense = architecture === 'dense';
  const c = (dense ? DENSE : DCGAN).check(config);
  noneOf(raw, dense ? DCGAN_ONLY : DENSE_ONLY, architecture, dense ? 'dcgan' : 'dense');
  const { dataShape, embeddingLayer, loss, gradientPenalty, numClasses, minibatchStddev, selfConditioning, packing, seed } = c;
  const base: ResolvedGANBase = {
    dataShape,
    zDim: c.zDim ?? ZDIM[architecture],
    ...activations(c, raw, dense),
    outputActivation: c.outputActivation,
    batchNorm: c.batchNorm ?? !dense,
    discriminatorDropout: c.discriminatorDropout ?? 0,
    discriminatorBatchNorm: discriminatorBatchNormOf(c),
    embeddingLayer,
    loss,
    gradientPenalty,
    ...lossExtras(c),
    ...conditioningOf(c),
    minibatchStddev,
    selfConditioning,
    packing,
    seed,
    ...(c.allowLarge === true ? { allowLarge: true as const } : {}),
  };
  const size = dataShape.reduce((a, b) => a * b, 1);
  const k = numClasses ?? (selfConditioning ? selfConditioning.clusters : 0);
  if (dense) {
    const [gUnits, dUnits] = [c.generatorUnits as number[], c.discriminatorUnits as number[]];
    checkModelSize('GAN', denseChainParams([base.zDim + k, ...gUnits, size]) + denseChainParams([size + k, ...dUnits, 1]), c.allowLarge);
    const { dataShape: d, zDim, ...rest } = base;
    return { architecture, dataShape: d, zDim, generatorUnits: c.generatorUnits as number[], discriminatorUnits: c.discriminatorUnits as number[], ...rest };
  }
  const generatorFilters = c.generatorFilters as number[];
  if (dataShape.length !== 3) {
    throw new ConfigError('GAN.dataShape', config.dataShape, 'images [height, width, channels] for architecture "dcgan" (use architecture "dense" for flat data)');
  }
  const factor = 2 ** generatorFilters.length;
  if (dataShape[0]! % factor !== 0 || dataShape[1]! % factor !== 0) {
    const why = `height and width divisible by ${factor} (2 ** generatorFilters.length, with generatorFilters ${JSON.stringify(generatorFilters)})`;
    throw new ConfigError('GAN.dataShape', config.dataShape, why);
  }
  const [dFilters, kernel] = [c.discriminatorFilters as number[], c.kernelSize as number];
  const ups = generatorFilters.length;
  const gParams =
    (base.zDim + k + 1) * (dataShape[0]! / 2 ** ups) * (dataShape[1]! / 2 ** ups) * generatorFilters[0]! +
    generatorFilters.slice(1).reduce((sum, f, i) => sum + convParams(kernel, generatorFilters[i]!, f), 0) +
    convParams(kernel, generatorFilters[ups - 1]!, dataShape[2]!);
  const dParams =
    dFilters.reduce((sum, f, i) => sum + convParams(kernel, i === 0 ? dataShape[2]! + k : dFilters[i - 1]!, f), 0) +
    Math.ceil(dataShape[0]! / 2 ** dFilters.length) * Math.ceil(dataShape[1]! / 2 ** dFilters.length) * dFilters[dFilters.length - 1]! + 1;
  checkModelSize('GAN', gParams + dParams, c.allowLarge);
  const { dataShape: d, zDim, ...rest } = base;
  return { architecture, dataShape: d, zDim, generatorFilters, discriminatorFilters: dFilters, kernelSize: kernel, ...rest };
}
