/**
 * The configs of the autoencoder builders (`undercompleteAE`, `overcompleteSparseAE`, `denoisingAE`,
 * `convAE`): their types, their fields for the options checker, and their resolution. Every builder
 * takes the same code options ({@link AutoencoderOptions}: code activation, loss, L1 activity penalty,
 * dropout before the code, seed); a resolved config is itself a valid config of its builder.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, describeValue } from '../../core/errors.js';
import { field, is, optionsSchema } from '../../core/options.js';
import { resolveSeed } from '../../core/seed.js';
import { checkActivation, type Activation } from '../../layers/activations.js';
import { RECONSTRUCTION_LOSSES, type ReconstructionLoss } from '../../losses/reconstruction.js';
import type { NoiseFn } from '../../noise/injectors.js';
import { noiseFromSpec, type NoiseSpec } from '../../noise/spec.js';
import { ALLOW_LARGE_FIELD, checkModelSize, convStackParams, denseChainParams } from '../base/size.js';
import { CONV_STACK_FIELDS, convStackSpec, type ConvStackConfig, type ConvStackSpec, type ResolvedConvStack } from '../nets/convStack.js';

/**
 * What every autoencoder builder takes besides its network: the code layer's activation, the loss, the
 * regularisers of the code and the seed.
 * @category Models
 */
export interface AutoencoderOptions {
  /** Activation of the code layer. Default `'relu'` (as the Keras tutorial, and the course: every encoder layer is relu). */
  codeActivation?: Activation;
  /** Reconstruction loss. Default `'mse'`. */
  loss?: ReconstructionLoss;
  /**
   * Weight of the L1 activity penalty `l1 * mean over examples of sum |code|` added to the loss (Keras's
   * `activity_regularizer=l1(l1)`, also averaged over the batch). Default 0 (off); `overcompleteSparseAE` 1e-4.
   */
  l1?: number;
  /** Dropout rate, in [0, 1), on the layer feeding the code, while training. Default 0 (none). */
  dropoutBeforeCode?: number;
  /** Seed of the initial weights and of every `fit` that has no seed of its own. Default: from {@link setSeed}. */
  seed?: number;
  /** Build even when the model is estimated beyond {@link PARAMETER_LIMIT} parameters. Default false. */
  allowLarge?: boolean;
}

/**
 * What every dense autoencoder config has.
 * @category Models
 */
export interface DenseAEConfig extends AutoencoderOptions {
  /** Values per example (784 for flattened 28x28 digits). Required. */
  inputDim: number;
  /** Widths of the hidden layers between input and code; the decoder mirrors them. Default `[]`. */
  hiddenUnits?: readonly number[];
  /** Width of the code layer (named `code`). Required. */
  codeDim: number;
  /** Activation of the hidden layers. Default `'relu'`. */
  activation?: Activation;
  /** Activation of the output layer. Default `'sigmoid'` (inputs in [0, 1]). */
  outputActivation?: Activation;
}

/**
 * Config of {@link undercompleteAE}; see {@link DenseAEConfig}.
 * @category Models
 */
export type UndercompleteAEConfig = DenseAEConfig;

/**
 * Config of {@link overcompleteSparseAE}; see {@link DenseAEConfig} (`l1` defaults to 1e-4 here).
 * @category Models
 */
export type OvercompleteSparseAEConfig = DenseAEConfig;

/**
 * Config of {@link convAE}. The convolution fields are in {@link ConvStackConfig}.
 * @category Models
 */
export interface ConvAEConfig extends ConvStackConfig, AutoencoderOptions {
  /** Width of the dense code layer (named `code`). Default 32. */
  codeDim?: number;
}

/**
 * A saved denoising model's noise when it was a function (which cannot be stored).
 * @category Models
 */
export interface CustomNoise {
  kind: 'custom';
}

/**
 * What a denoising autoencoder adds to the autoencoder it is built on.
 * @category Models
 */
export interface DenoisingOptions {
  /**
   * The corruption applied to each training batch, fresh at every step and drawn from the run's seed: a
   * {@link NoiseSpec} such as `{ kind: 'masking', rate: 0.3 }` (kept in the config, so saved models record
   * it) or a noise function from `gaussianNoise`, `maskingNoise`, ... Required.
   */
  noise: NoiseSpec | NoiseFn | CustomNoise;
}

/**
 * @category Models
 * @category Models
 */
export interface DenseDenoisingAEConfig extends DenseAEConfig, DenoisingOptions {
  /** `'dense'` (implied by `inputDim`). */
  architecture?: 'dense';
}

/**
 * @category Models
 * @category Models
 */
export interface ConvDenoisingAEConfig extends ConvAEConfig, DenoisingOptions {
  /** `'conv'` (implied by `inputShape`). */
  architecture?: 'conv';
}

/**
 * Config of {@link denoisingAE}: a dense config (with `inputDim`) or a conv config (with `inputShape`), plus `noise`.
 * @category Models
 */
export type DenoisingAEConfig = DenseDenoisingAEConfig | ConvDenoisingAEConfig;

/**
 * The code options with every default filled in.
 * @category Models
 */
export interface ResolvedAutoencoderOptions {
  codeActivation: Activation;
  loss: ReconstructionLoss;
  l1: number;
  dropoutBeforeCode: number;
  seed: number;
  /** Present (true) only when the config asked for it. */
  allowLarge?: true;
}

/**
 * A dense config with every default filled in.
 * @category Models
 */
export interface ResolvedDenseAEConfig extends ResolvedAutoencoderOptions {
  inputDim: number;
  hiddenUnits: number[];
  codeDim: number;
  activation: Activation;
  outputActivation: Activation;
}

/**
 * A conv AE config with every default filled in (per-layer lists written out).
 * @category Models
 */
export interface ResolvedConvAEConfig extends ResolvedConvStack, ResolvedAutoencoderOptions {
  codeDim: number;
}

/**
 * A denoising config with every default filled in.
 * @category Models
 */
export type ResolvedDenoisingAEConfig =
  | (ResolvedDenseAEConfig & { architecture: 'dense'; noise: NoiseSpec | CustomNoise })
  | (ResolvedConvAEConfig & { architecture: 'conv'; noise: NoiseSpec | CustomNoise });

const activation = field((v, p) => checkActivation(p, v));

/** The fields every autoencoder config has. */
function codeFields(l1: number) {
  return {
    codeActivation: activation.default('relu'),
    loss: is.oneOf(RECONSTRUCTION_LOSSES).default('mse'),
    l1: is.number({ min: 0 }).default(l1),
    dropoutBeforeCode: is.number({ min: 0, max: 1, maxOpen: true }).default(0),
    seed: field((v, p) => resolveSeed(v as number, p)).default(() => resolveSeed(undefined)),
    allowLarge: ALLOW_LARGE_FIELD,
  };
}

function denseFields(l1: number) {
  return {
    inputDim: is.positiveInt().required(),
    hiddenUnits: is.positiveIntArray().default(() => []),
    codeDim: is.positiveInt().required(),
    activation: activation.default('relu'),
    outputActivation: activation.default('sigmoid'),
    ...codeFields(l1),
  };
}

const convFields = () => ({ ...CONV_STACK_FIELDS, codeDim: is.positiveInt().default(32), ...codeFields(0) });

/** The noise of a denoising config: a spec, a function, or (a saved function) `{ kind: 'custom' }`. */
const noiseField = field((v, p): NoiseSpec | NoiseFn | CustomNoise => {
  if (v === undefined) throw new ConfigError(p, v, "a noise spec such as { kind: 'masking', rate: 0.3 } or a noise function");
  if (typeof v === 'function' || (typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'custom')) return v as NoiseFn | CustomNoise;
  noiseFromSpec(v as NoiseSpec, p);
  return { ...(v as NoiseSpec) };
}).required();

const expected = (example: string) => `a config object such as ${example}`;
const DENSE_EXAMPLE = '{ inputDim: 784, codeDim: 32 }';
const CONV_EXAMPLE = '{ inputShape: [28, 28, 1], codeDim: 32 }';
const otherArchitecture = (mine: string, theirs: string) => `to be left out with architecture '${mine}' (it configures '${theirs}' autoencoders)`;
const CONV_ONLY = Object.fromEntries(['inputShape', 'filters', 'kernelSize', 'strides', 'padding', 'pooling', 'decoder'].map((k) => [k, otherArchitecture('dense', 'conv')]));
const DENSE_ONLY = Object.fromEntries(['inputDim', 'hiddenUnits'].map((k) => [k, otherArchitecture('conv', 'dense')]));

/** The schemas, by builder. */
export const SCHEMAS = {
  undercompleteAE: optionsSchema<UndercompleteAEConfig>()('undercompleteAE', denseFields(0), {
    expected: expected(DENSE_EXAMPLE),
    elsewhere: CONV_ONLY,
    rules: [
      (c) => {
        if (c.codeDim >= c.inputDim) {
          throw new ConfigError('undercompleteAE.codeDim', c.codeDim, `less than inputDim (${c.inputDim}) for an undercomplete code; for a wider code use overcompleteSparseAE`);
        }
      },
    ],
  }),
  overcompleteSparseAE: optionsSchema<OvercompleteSparseAEConfig>()('overcompleteSparseAE', denseFields(1e-4), {
    expected: expected(DENSE_EXAMPLE),
    elsewhere: CONV_ONLY,
    rules: [
      (c) => {
        if (c.codeDim < c.inputDim) {
          throw new ConfigError('overcompleteSparseAE.codeDim', c.codeDim, `at least inputDim (${c.inputDim}) for an overcomplete code; for a narrower code use undercompleteAE`);
        }
      },
    ],
  }),
  convAE: optionsSchema<ConvAEConfig>()('convAE', convFields(), { expected: expected(CONV_EXAMPLE), elsewhere: DENSE_ONLY }),
  denseDenoisingAE: optionsSchema<DenseDenoisingAEConfig>()(
    'denoisingAE',
    { ...denseFields(0), noise: noiseField, architecture: is.oneOf(['dense'] as const).default('dense') },
    { expected: expected("{ inputDim: 784, codeDim: 32, noise: { kind: 'masking', rate: 0.3 } }"), elsewhere: CONV_ONLY },
  ),
  convDenoisingAE: optionsSchema<ConvDenoisingAEConfig>()(
    'denoisingAE',
    { ...convFields(), noise: noiseField, architecture: is.oneOf(['conv'] as const).default('conv') },
    { expected: expected(CONV_EXAMPLE), elsewhere: DENSE_ONLY },
  ),
};

type Checked<K extends keyof typeof SCHEMAS> = ReturnType<(typeof SCHEMAS)[K]['check']>;

/** A dense config resolved by its builder's schema. */
export function resolveDenseConfig(schema: 'undercompleteAE' | 'overcompleteSparseAE', config: DenseAEConfig): ResolvedDenseAEConfig {
  const c: Checked<'undercompleteAE'> = SCHEMAS[schema].check(config);
  return denseConfig({ ...c, caller: schema });
}

/** `allowLarge` as a resolved config holds it: only when true. */
const large = (allowLarge: boolean | undefined): { allowLarge?: true } => (allowLarge === true ? { allowLarge: true } : {});

function denseConfig(c: Checked<'undercompleteAE'> & { caller: string }): ResolvedDenseAEConfig {
  const { inputDim, hiddenUnits, codeDim, activation, codeActivation, outputActivation, loss, seed, l1, dropoutBeforeCode } = c;
  const resolved = { inputDim, hiddenUnits, codeDim, activation, codeActivation, outputActivation, loss, seed, l1, dropoutBeforeCode, ...large(c.allowLarge) };
  checkModelSize(c.caller, denseChainParams([inputDim, ...hiddenUnits, codeDim, ...[...hiddenUnits].reverse(), inputDim]), c.allowLarge);
  return resolved;
}

/** A conv config resolved, with the stack's computed shapes. */
export function resolveConvAEConfig(config: ConvAEConfig): { resolved: ResolvedConvAEConfig; spec: ConvStackSpec } {
  return convConfig(SCHEMAS.convAE.check(config), 'convAE');
}

function convConfig(c: Checked<'convAE'>, prefix: string): { resolved: ResolvedConvAEConfig; spec: ConvStackSpec } {
  const spec = convStackSpec(c, prefix);
  const { stageSizes: _sizes, featureShape: _feature, ...stack } = spec;
  const { codeDim, codeActivation, loss, seed, l1, dropoutBeforeCode } = c;
  const features = spec.featureShape.reduce((a, b) => a * b, 1);
  const conv = convStackParams(spec.inputShape[2], spec.filters, spec.kernelSize);
  checkModelSize(prefix, conv.encoder + conv.decoder + denseChainParams([features, codeDim, features]), c.allowLarge);
  return { spec, resolved: { ...stack, inputShape: [...stack.inputShape], codeDim, codeActivation, loss, seed, l1, dropoutBeforeCode, ...large(c.allowLarge) } };
}

/** A denoising config resolved: its architecture (from `architecture`, else `inputShape`), the net and the noise. */
export function resolveDenoisingConfig(config: DenoisingAEConfig): {
  resolved: ResolvedDenoisingAEConfig;
  spec?: ConvStackSpec;
  noise: NoiseFn;
} {
  const conv = typeof config === 'object' && config !== null && (config.architecture === 'conv' || (config.architecture === undefined && 'inputShape' in config));
  if (conv) {
    const c = SCHEMAS.convDenoisingAE.check(config);
    const { resolved, spec } = convConfig(c, 'denoisingAE');
    return { resolved: { ...resolved, architecture: 'conv', noise: savedNoise(c.noise) }, spec, noise: noiseFunction(c.noise) };
  }
  const c = SCHEMAS.denseDenoisingAE.check(config);
  return { resolved: { ...denseConfig({ ...c, caller: 'denoisingAE' }), architecture: 'dense', noise: savedNoise(c.noise) }, noise: noiseFunction(c.noise) };
}

/** The noise as it goes into the saved config: its spec, or `{ kind: 'custom' }` for a function. */
function savedNoise(noise: NoiseSpec | NoiseFn | CustomNoise): NoiseSpec | CustomNoise {
  return typeof noise === 'function' ? { kind: 'custom' } : noise;
}

/**
 * A user's noise function, checked at each call: it must return a numeric tensor of the input's shape
 * (anything else would surface as a tfjs error deep inside the training step).
 */
function checkedNoise(fn: NoiseFn, parameter: string): NoiseFn {
  return (x, seed) => {
    const out = fn(x, seed) as unknown;
    if (!(out instanceof tf.Tensor) || out.isDisposed || out.dtype === 'string' || out.dtype === 'complex64') {
      throw new ConfigError(parameter, fn, `a noise function returning a new numeric tf.Tensor of the input's shape [${x.shape.join(', ')}] (it returned ${describeValue(out)})`);
    }
    const same = out.rank === x.rank && out.shape.every((d: number, i: number) => d === x.shape[i]);
    if (!same) {
      if (out !== x) out.dispose();
      throw new ConfigError(parameter, fn, `a noise function returning a tensor of the input's shape [${x.shape.join(', ')}] (it returned [${out.shape.join(', ')}])`);
    }
    return out.dtype === 'float32' ? out : tf.cast(out, 'float32');
  };
}

function noiseFunction(noise: NoiseSpec | NoiseFn | CustomNoise): NoiseFn {
  if (typeof noise === 'function') return checkedNoise(noise, 'denoisingAE.noise');
  if (noise.kind === 'custom') {
    throw new ConfigError(
      'denoisingAE.noise',
      noise,
      'a noise spec or a noise function: { kind: \'custom\' } stands for a function that could not be saved (pass the function again)',
    );
  }
  return noiseFromSpec(noise, 'denoisingAE.noise');
}

