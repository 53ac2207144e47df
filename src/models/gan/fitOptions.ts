/**
 * How a GAN trains: the options of its `fit` (their types and their fields for the options checker), the
 * class labels of a conditional GAN, and the default optimizers and rates of each loss.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError } from '../../core/errors.js';
import { exclusive, field, is, isRecord, optionsSchema } from '../../core/options.js';
import { release, toExamples, type DataInput, type OwnedTensor } from '../../data/input.js';
import { FIT_FIELDS, type FitOptions } from '../../train/fitOptions.js';
import { OPTIMIZER_FIELD, resolveOptimizer, type OptimizerConfig, type OptimizerSpec, type ResolvedOptimizer } from '../../train/optimizers.js';
import { BALANCE_MONITOR_OPTIONS, type GANBalanceMonitorOptions } from './balanceMonitor.js';
import type { ResolvedGANConfig } from './config.js';
import { isCritic } from './losses.js';

/**
 * Class labels: one integer per example (array, typed array or 1-D tensor), or one integer for all.
 * @category Models
 */
export type GANLabelInput = number | DataInput;

/**
 * Held-out real examples of a conditional GAN, with their labels.
 * @category Models
 */
export interface GANValidationData {
  x: DataInput;
  labels: GANLabelInput;
}

/**
 * Instance noise: Gaussian noise of standard deviation `stddev` (data units) added to every input the
 * discriminator sees while training, real and generated, so that the two distributions overlap.
 * @category Models
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
 * | loss | dOptimizer, gOptimizer | dLearningRate | gLearningRate | dStepsPerG | gStepsPerD | batchSize |
 * | --- | --- | --- | --- | --- | --- | --- |
 * | minimax, nonSaturating (dense) | adam | 1e-4 | 1e-3 | 1 | 1 | 32 |
 * | minimax, nonSaturating (dcgan) | adam, beta1 0.5 | 2e-4 | 2e-4 | 1 | 2 | 16 |
 * | wgan (Arjovsky et al.) | rmsprop | 5e-5 | 5e-5 | 5 | 1 | 32 |
 * | wgan-gp | adam, beta1 0.5, beta2 0.9 | 1e-4 | 1e-4 | 5 | 1 | 32 |
 *
 * The dcgan defaults of `gStepsPerD` and `batchSize` (2 and 16, where the other GANs take 1 and 32) are what
 * `bench/dcganExplore.ts` and its PyTorch peer measured best on 28x28 digits for a fixed number of epochs:
 * more, smaller steps and a generator that keeps up with its discriminator (see the README's GAN section).
 *
 * The default rates apply when the optimizer is left out or given by name; an {@link OptimizerConfig}
 * keeps its own `learningRate` (or its optimizer's default) unless `dLearningRate`/`gLearningRate` is set.
 * `earlyStopping` needs an explicit `monitor` (a GAN has no single `loss`), e.g. `{ monitor: 'valDLoss' }`.
 * @category Models
 */
export interface GANFitOptions extends FitOptions {
  /** Conditional GANs: the class of each example of `x`. Required when the GAN has `numClasses`. */
  labels?: GANLabelInput;
  /** Held-out real examples (with `labels` for a conditional GAN); the losses and accuracies are reported as `valDLoss`... */
  validationData?: DataInput | GANValidationData;
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
   * every `dStepsPerG`-th batch. Default 1 (wgan and wgan-gp 5).
   */
  dStepsPerG?: number;
  /** Generator updates per round (each on fresh z). Default 1 (dcgan with minimax or nonSaturating: 2). */
  gStepsPerD?: number;
  /** One-sided label smoothing: the discriminator's target for real examples is `1 - labelSmoothing`, in [0, 1). Not for wgan or wgan-gp. Default 0. */
  labelSmoothing?: number;
  /** Instance noise: a standard deviation, or {@link GANInstanceNoiseOptions}. Default 0 (none). */
  instanceNoise?: number | GANInstanceNoiseOptions;
  /**
   * Learning-rate decay within this `fit`: both rates fall geometrically, epoch by epoch, from their start
   * value to `learningRateDecay` times it at the last epoch (epoch e of E, counted from 0, uses
   * `rate * learningRateDecay ** (e / (E - 1))`). In (0, 1]; 1 keeps the rates constant. Only for
   * optimizers latentkit creates (a name or a config), not a `tf.Optimizer` instance of yours, whose rate it
   * does not change. Default 1.
   */
  learningRateDecay?: number;
  /** Warn when the discriminator wins (see {@link ganBalanceMonitor}): `true`, `false`, or its options. Default true. */
  balanceMonitor?: boolean | GANBalanceMonitorOptions;
}

/**
 * What {@link GenerativeAdversarialNetwork.fit} returns, per epoch: `dLoss` (the discriminator's loss: for
 * minimax and non-saturating GANs the sum of its binary cross-entropies on a real and a generated batch,
 * twice the course's `J(D)`; an ACGAN's adds `auxLoss`), `gLoss` (an ACGAN's includes the classification of
 * its samples), `dAccuracyReal`, `dAccuracyFake`, the updates applied (`dUpdates`, `gUpdates`); with the
 * Wasserstein losses `wassersteinEstimate` (the critic's mean score on real minus generated examples), with
 * `loss: 'wgan-gp'` also `gradientPenalty`; an ACGAN's (`conditioning: 'acgan'`) `auxLoss` (the
 * discriminator's class cross-entropy on real plus generated examples), `auxAccuracyReal` and
 * `auxAccuracyFake` (how often its classifier names the class of real examples, and the requested class of
 * generated ones); with validation data the same losses and accuracies prefixed `val`
 * (`valAuxAccuracyReal`: the auxiliary classifier's accuracy on held-out real examples).
 * @category Models
 */
export type GANHistory = {
  epoch: number[];
  dLoss: number[];
  gLoss: number[];
  dAccuracyReal: number[];
  dAccuracyFake: number[];
  dUpdates: number[];
  gUpdates: number[];
  gradientPenalty?: number[];
  wassersteinEstimate?: number[];
  auxLoss?: number[];
  auxAccuracyReal?: number[];
  auxAccuracyFake?: number[];
  valDLoss?: number[];
  valGLoss?: number[];
  valDAccuracyReal?: number[];
  valDAccuracyFake?: number[];
  valGradientPenalty?: number[];
  valWassersteinEstimate?: number[];
  valAuxLoss?: number[];
  valAuxAccuracyReal?: number[];
  valAuxAccuracyFake?: number[];
  [log: string]: number[] | undefined;
};

const INSTANCE_NOISE = optionsSchema<GANInstanceNoiseOptions>()('fit.instanceNoise', {
  stddev: is.number({ min: 0, maxOpen: true }).required(),
  anneal: is.boolean().default(false),
});

/** The checker's fields of {@link GANFitOptions}. */
export const GAN_FIT = optionsSchema<GANFitOptions>()(
  'fit',
  {
    ...FIT_FIELDS,
    labels: is.any<GANLabelInput>(),
    validationData: is.any<DataInput | GANValidationData>(),
    dOptimizer: OPTIMIZER_FIELD,
    gOptimizer: OPTIMIZER_FIELD,
    dLearningRate: is.number({ min: 0, minOpen: true, maxOpen: true }),
    gLearningRate: is.number({ min: 0, minOpen: true, maxOpen: true }),
    dStepsPerG: is.positiveInt(),
    gStepsPerD: is.positiveInt(),
    // Default by architecture and loss (see defaultSteps): 16 for dcgan, else 32.
    batchSize: is.positiveInt(),
    labelSmoothing: is.number({ min: 0, max: 1, maxOpen: true }).default(0),
    learningRateDecay: is.number({ min: 0, max: 1, minOpen: true }).default(1),
    instanceNoise: field((v, p) => {
      if (typeof v === 'number') return { stddev: is.number({ min: 0, maxOpen: true }).check(v, p), anneal: false };
      if (!isRecord(v)) throw new ConfigError(p, v, 'a standard deviation >= 0 or { stddev, anneal }');
      return INSTANCE_NOISE.check(v, p);
    }).default(() => ({ stddev: 0, anneal: false })),
    balanceMonitor: field((v, p): GANBalanceMonitorOptions | false => {
      if (v === true) return {};
      if (v === false) return false;
      if (!isRecord(v)) throw new ConfigError(p, v, 'true, false or ganBalanceMonitor options');
      BALANCE_MONITOR_OPTIONS.check(v, p);
      return v as GANBalanceMonitorOptions;
    }).default(() => ({})),
  },
  { rules: [exclusive('validationData', 'validationSplit')] },
);

/**
 * Checks class labels and returns them as an int32 tensor `[n]` (new, or the caller's own int32 tensor).
 * `n` is required when `labels` is a single integer.
 */
export function labelTensor(labels: GANLabelInput, numClasses: number, parameter: string, n?: number): OwnedTensor {
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
  if (c.loss === 'wgan') return { name: 'rmsprop' };
  if (c.loss === 'wgan-gp') return { name: 'adam', beta1: 0.5, beta2: 0.9 };
  return c.architecture === 'dcgan' ? { name: 'adam', beta1: 0.5 } : { name: 'adam' };
}

/** The default batch size and update ratio (see the table of {@link GANFitOptions}). */
export function defaultSteps(c: ResolvedGANConfig): { batchSize: number; dStepsPerG: number; gStepsPerD: number } {
  if (isCritic(c.loss)) return { batchSize: 32, dStepsPerG: 5, gStepsPerD: 1 };
  return c.architecture === 'dcgan' ? { batchSize: 16, dStepsPerG: 1, gStepsPerD: 2 } : { batchSize: 32, dStepsPerG: 1, gStepsPerD: 1 };
}

/** The default learning rates of the discriminator and the generator. */
export function defaultRates(c: ResolvedGANConfig): { d: number; g: number } {
  if (c.loss === 'wgan') return { d: 5e-5, g: 5e-5 };
  if (c.loss === 'wgan-gp') return { d: 1e-4, g: 1e-4 };
  return c.architecture === 'dcgan' ? { d: 2e-4, g: 2e-4 } : { d: 1e-4, g: 1e-3 };
}

/** The optimizer of one network, from its spec and rate or the defaults of the config's loss. */
export function optimizerFor(c: ResolvedGANConfig, spec: OptimizerSpec | undefined, rate: number | undefined, defaultRate: number, which: 'd' | 'g'): ResolvedOptimizer {
  const rateName = `fit.${which}LearningRate`;
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
