/**
 * The GAN's training step for latentkit's loop: alternating discriminator and generator updates with
 * their own optimizers, the update ratio (`dStepsPerG`, `gStepsPerD`), the losses (minimax,
 * non-saturating, WGAN with weight clipping, WGAN-GP with its gradient penalty), an ACGAN's auxiliary
 * classification, PacGAN packing, one-sided label smoothing and instance noise.
 *
 * Every random draw of a step (z, instance noise, the interpolation weights of the gradient penalty) comes
 * from the step's `ctx.seed`, so a run is reproducible from its seed.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '../../core/randomNormal.js';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../../core/seed.js';
import { clipWeights, gradientStep, variablesOf, type GradientStepOptions } from '../../train/gradientStep.js';
import { learningRateOf, releaseOptimizer, setLearningRate, type ResolvedOptimizer } from '../../train/optimizers.js';
import type { StepContext, StepLogs, TrainingTask } from '../../train/task.js';
import type { GANArchitecture, GANConditioning } from './config.js';
import { classAccuracy, classLoss, discriminatorLoss, generatorLoss, isCritic, type GANLoss } from './losses.js';
import { fillRows, packExamples, packLabels } from './packing.js';
import { ALL_GRADIENTS, CONSTANT_WEIGHTS, DATA_INPUT, applyModel, applyModelOutputs, type GradientWants } from '../nets/apply.js';


/**
 * Instance noise as the task uses it: Gaussian noise added to every input of the discriminator while training.
 */
export interface InstanceNoiseSchedule {
  /** Standard deviation at the first epoch, in data units (0: none). */
  stddev: number;
  /** Decay linearly per epoch: epoch e of E uses `stddev * (1 - e / E)`. */
  anneal: boolean;
}

/**
 * Resolved training settings of one `fit`.
 */
export interface GANTaskSettings {
  loss: GANLoss;
  /** Weight of the gradient penalty (wgan-gp). */
  gradientPenalty: number;
  /** wgan: every critic weight is clipped to [-clipValue, clipValue] after each critic update. */
  clipValue: number | undefined;
  zDim: number;
  numClasses: number | undefined;
  conditioning: GANConditioning | undefined;
  architecture: GANArchitecture;
  /** The discriminator judges this many examples at once (PacGAN). */
  packing: number;
  /**
   * The discriminator computes statistics over its batch (minibatch standard deviation): real and
   * generated examples are then scored in separate passes, so that no statistic mixes them.
   */
  batchStatistics: boolean;
  /** One generator round every `dStepsPerG` discriminator updates (one discriminator update per batch). */
  dStepsPerG: number;
  /** Generator updates per generator round. */
  gStepsPerD: number;
  /** One-sided label smoothing: the discriminator's target for real examples is `1 - labelSmoothing`. */
  labelSmoothing: number;
  instanceNoise: InstanceNoiseSchedule;
  /** Both learning rates fall geometrically to this factor of their start by the last epoch (1: constant). */
  learningRateDecay: number;
}

/**
 * Updates applied so far, counted by the task (the handle exposes them as `gan.updates`).
 * @category Models
 */
export interface GANUpdateCounts {
  discriminator: number;
  generator: number;
}

/**
 * The networks the task trains.
 */
export interface GANTaskNets {
  generator: tfl.LayersModel;
  /** The discriminator's pre-sigmoid logit (or the critic's score), and an ACGAN's class logits. */
  score: tfl.LayersModel;
}

/** What the discriminator says of a batch: its scores, and an ACGAN's class logits. */
interface Judgement {
  score: tf.Tensor;
  classLogits?: tf.Tensor;
}

/** The order logs are reported in (history keys, progress lines). */
const LOG_ORDER = [
  'dLoss',
  'gLoss',
  'dAccuracyReal',
  'dAccuracyFake',
  'auxLoss',
  'auxAccuracyReal',
  'auxAccuracyFake',
  'gradientPenalty',
  'wassersteinEstimate',
  'dUpdates',
  'gUpdates',
];

function ordered(logs: StepLogs): StepLogs {
  const out: StepLogs = {};
  for (const k of LOG_ORDER) if (logs[k] !== undefined) out[k] = logs[k]!;
  return out;
}

const share = (b: tf.Tensor) => tf.mean(tf.cast(b, 'float32')) as tf.Scalar;

/**
 * The {@link TrainingTask} of a GAN: per batch, one discriminator update; every `dStepsPerG`-th batch,
 * also `gStepsPerD` generator updates. Logs `dLoss`, `gLoss`, `dAccuracyReal`, `dAccuracyFake`,
 * `dUpdates`, `gUpdates` (this batch's counts, summed over the epoch: see `summedLogs`); for the
 * Wasserstein losses `wassersteinEstimate`, for wgan-gp `gradientPenalty`; for an ACGAN `auxLoss`,
 * `auxAccuracyReal` and `auxAccuracyFake`.
 *
 * @example
 * ```ts
 * return fitArrays(arrays, undefined, options, seed, () => new GANTask(nets, settings, dOpt, gOpt, counts));
 * ```
 */
export class GANTask implements TrainingTask {
  /** A GAN has no single loss to early-stop on: `earlyStopping` must name a log (`valDLoss`, say). */
  readonly defaultMonitor = null;
  /** `dUpdates` and `gUpdates` are counts: an epoch's history holds how many updates it applied. */
  readonly summedLogs = ['dUpdates', 'gUpdates'] as const;
  private step = 0;
  private readonly criticStep: GradientStepOptions;
  /** The optimizers' rates at the start of the fit (decayed from, when `learningRateDecay` < 1). */
  private readonly startRates: { d: number; g: number };
  private rateEpoch = -1;

  constructor(
    private readonly nets: GANTaskNets,
    private readonly settings: GANTaskSettings,
    private readonly dOptimizer: ResolvedOptimizer,
    private readonly gOptimizer: ResolvedOptimizer,
    private readonly counts: GANUpdateCounts,
  ) {
    // Weight clipping is part of the critic's step, so early stopping's snapshots are clipped weights.
    this.criticStep = settings.clipValue === undefined ? {} : { constraint: clipWeights(settings.clipValue) };
    this.startRates = { d: learningRateOf(dOptimizer.optimizer), g: learningRateOf(gOptimizer.optimizer) };
  }

  /** Sets both rates for this epoch (learningRateDecay; the optimizers are latentkit's, the handle checked). */
  private decayRates(ctx: StepContext): void {
    const decay = this.settings.learningRateDecay;
    if (decay === 1 || ctx.epoch === this.rateEpoch) return;
    this.rateEpoch = ctx.epoch;
    const factor = decay ** (ctx.epoch / Math.max(1, ctx.epochs - 1));
    setLearningRate(this.dOptimizer.optimizer, this.startRates.d * factor);
    setLearningRate(this.gOptimizer.optimizer, this.startRates.g * factor);
  }

  dispose(): void {
    releaseOptimizer(this.dOptimizer);
    releaseOptimizer(this.gOptimizer);
  }

  variables(): tf.Variable[] {
    return [...variablesOf(this.nets.generator), ...variablesOf(this.nets.score)];
  }

  /** Instance-noise standard deviation at this step. */
  private noiseStddev(ctx: StepContext): number {
    const { stddev, anneal } = this.settings.instanceNoise;
    return anneal ? stddev * (1 - ctx.epoch / ctx.epochs) : stddev;
  }

  private withNoise(x: tf.Tensor, stddev: number, seed: number): tf.Tensor {
    return stddev > 0 ? tf.add(x, randomNormal(x.shape, 0, stddev, seed)) : x;
  }

  private oneHot(labels: tf.Tensor | undefined): tf.Tensor | undefined {
    const k = this.settings.numClasses;
    return labels === undefined || k === undefined ? undefined : tf.cast(tf.oneHot(tf.cast(labels, 'int32'), k), 'float32');
  }

  private generate(n: number, y: tf.Tensor | undefined, seed: number, training: boolean): tf.Tensor {
    const z = randomNormal([n, this.settings.zDim], 0, 1, seed);
    // z is a constant of the step: no gradient flows to it.
    return y ? (this.nets.generator.apply([z, y], { training }) as tf.Tensor) : applyModel(this.nets.generator, z, training, DATA_INPUT);
  }

  /** Examples as the discriminator takes them: in packs. */
  private pack(x: tf.Tensor): tf.Tensor {
    return packExamples(x, this.settings.packing, this.settings.architecture);
  }

  /** The label input of the discriminator (concat conditioning only), packed like the examples. */
  private labelInput(y: tf.Tensor | undefined): tf.Tensor | undefined {
    return y && this.settings.conditioning === 'concat' ? packLabels(y, this.settings.packing) : undefined;
  }

  /**
   * The discriminator's judgement of x, with the gradients the step wants: in its own step x is a constant
   * (the data, and fakes made outside its gradient); in the generator's step its weights are.
   */
  private judge(x: tf.Tensor, yIn: tf.Tensor | undefined, training: boolean, wants: GradientWants = ALL_GRADIENTS): Judgement {
    const out = yIn ? (this.nets.score.apply([x, yIn], { training }) as tf.Tensor | tf.Tensor[]) : applyModelOutputs(this.nets.score, x, training, wants);
    // ACGAN's discriminator has two outputs: the score and the class logits.
    const [score, classLogits] = Array.isArray(out) ? out : [out];
    return classLogits ? { score: score!, classLogits } : { score: score! };
  }

  /**
   * The real and the generated batch judged: in one pass, or two when the discriminator has batch statistics.
   * Both are constants of the discriminator's step (the generated batch is made outside it).
   */
  private judgeBoth(real: tf.Tensor, fake: tf.Tensor, yIn: tf.Tensor | undefined, training: boolean): [Judgement, Judgement] {
    if (this.settings.batchStatistics) return [this.judge(real, yIn, training, DATA_INPUT), this.judge(fake, yIn, training, DATA_INPUT)];
    const n = real.shape[0]!;
    const both = this.judge(tf.concat([real, fake], 0), yIn ? tf.concat([yIn, yIn], 0) : undefined, training, DATA_INPUT);
    const half = (t: tf.Tensor, start: number) => tf.slice(t, [start, 0], [n, t.shape[1]!]);
    const part = (start: number): Judgement => ({
      score: half(both.score, start),
      ...(both.classLogits ? { classLogits: half(both.classLogits, start) } : {}),
    });
    return [part(0), part(n)];
  }

  /**
   * The discriminator's loss on a real and a generated batch (examples, not yet packed; `y` their one-hot
   * labels), with its accuracies and the generator's loss on these fakes written to `extra` (kept, so that
   * they survive `variableGrads`).
   */
  private discriminatorLoss(realX: tf.Tensor, fakeX: tf.Tensor, y: tf.Tensor | undefined, seed: number, training: boolean, extra: StepLogs): tf.Scalar {
    const real = this.pack(realX);
    const fake = this.pack(fakeX);
    const yIn = this.labelInput(y);
    const [r, f] = this.judgeBoth(real, fake, yIn, training);
    const { loss, labelSmoothing, gradientPenalty } = this.settings;
    let total = discriminatorLoss(loss, r.score, f.score, 1 - labelSmoothing);
    let gLoss = generatorLoss(loss, f.score);
    if (!isCritic(loss)) {
      extra['dAccuracyReal'] = tf.keep(share(tf.greater(r.score, 0)));
      extra['dAccuracyFake'] = tf.keep(share(tf.lessEqual(f.score, 0)));
    } else {
      const meanReal = tf.mean(r.score);
      const meanFake = tf.mean(f.score);
      // A critic has no threshold of its own: call "real" whatever scores above the midpoint of the two means.
      const midpoint = tf.div(tf.add(meanReal, meanFake), 2);
      extra['dAccuracyReal'] = tf.keep(share(tf.greater(r.score, midpoint)));
      extra['dAccuracyFake'] = tf.keep(share(tf.lessEqual(f.score, midpoint)));
      extra['wassersteinEstimate'] = tf.keep(tf.sub(meanReal, meanFake) as tf.Scalar);
    }
    if (loss === 'wgan-gp') {
      const penalty = this.gradientPenalty(real, fake, yIn, seed, training);
      extra['gradientPenalty'] = tf.keep(penalty);
      total = tf.add(total, tf.mul(gradientPenalty, penalty)) as tf.Scalar;
    }
    if (r.classLogits && f.classLogits && y) {
      // ACGAN (Odena et al.): the discriminator also names the class of real and generated examples.
      const auxLoss = tf.add(classLoss(r.classLogits, y), classLoss(f.classLogits, y)) as tf.Scalar;
      extra['auxLoss'] = tf.keep(auxLoss);
      extra['auxAccuracyReal'] = tf.keep(classAccuracy(r.classLogits, y));
      extra['auxAccuracyFake'] = tf.keep(classAccuracy(f.classLogits, y));
      total = tf.add(total, auxLoss) as tf.Scalar;
      gLoss = tf.add(gLoss, classLoss(f.classLogits, y)) as tf.Scalar;
    }
    extra['gLoss'] = tf.keep(gLoss);
    return total;
  }

  /** WGAN-GP's penalty `mean((||dD/dx|| - 1)^2)` on random interpolates of the real and generated packs. */
  private gradientPenalty(real: tf.Tensor, fake: tf.Tensor, yIn: tf.Tensor | undefined, seed: number, training: boolean): tf.Scalar {
    const n = real.shape[0]!;
    const eps = tf.randomUniform([n, ...real.shape.slice(1).map(() => 1)], 0, 1, 'float32', seed);
    const interpolated = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
    // A second-order gradient: dD/dx inside the loss. The critic's activations are DoubleBackpropActivation
    // layers, whose gradients tfjs can differentiate again (see layers/doubleBackprop.ts).
    const dScore = tf.grad((xh: tf.Tensor) => tf.sum(this.judge(xh, yIn, training).score))(interpolated);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(tf.reshape(dScore, [n, -1])), 1), 1e-12));
    return tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
  }

  /** The generator's loss on fresh samples (an ACGAN's includes their classification). */
  private generatorStepLoss(n: number, y: tf.Tensor | undefined, seed: number, noiseSeed: number, sigma: number): tf.Scalar {
    const samples = this.withNoise(this.generate(n, y, seed, true), sigma, noiseSeed);
    const j = this.judge(this.pack(samples), this.labelInput(y), true, CONSTANT_WEIGHTS);
    const adversarial = generatorLoss(this.settings.loss, j.score);
    return j.classLogits && y ? (tf.add(adversarial, classLoss(j.classLogits, y)) as tf.Scalar) : adversarial;
  }

  /** Rows to generate per batch of `n`: whole packs, the last one filled by repeating the batch's first rows. */
  private rowsFor(n: number): number {
    const m = this.settings.packing;
    return Math.ceil(n / m) * m;
  }

  trainStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const [x, labels] = batch as [tf.Tensor, tf.Tensor?];
    const n = this.rowsFor(x.shape[0]!);
    const seeds = new SeedStream(ctx.seed);
    const [zSeed, realNoiseSeed, fakeNoiseSeed, penaltySeed] = [seeds.nextSeed(), seeds.nextSeed(), seeds.nextSeed(), seeds.nextSeed()];
    const oneHot = this.oneHot(labels);
    const y = oneHot && fillRows(oneHot, n);
    const sigma = this.noiseStddev(ctx);
    this.decayRates(ctx);
    const { generator, score } = this.nets;

    // Discriminator: the fakes are made outside its gradient, so that only its own weights are tracked.
    const fake = this.generate(n, y, zSeed, true);
    const real = this.withNoise(fillRows(x, n), sigma, realNoiseSeed);
    const fakeIn = this.withNoise(fake, sigma, fakeNoiseSeed);
    const logs: StepLogs = {};
    const dLoss = () => this.discriminatorLoss(real, fakeIn, y, penaltySeed, true, logs);
    logs['dLoss'] = gradientStep(this.dOptimizer.optimizer, variablesOf(score, true), dLoss, logs, this.criticStep);
    this.counts.discriminator++;

    // Generator: `gStepsPerD` updates every `dStepsPerG`-th batch, each on fresh z.
    const { dStepsPerG, gStepsPerD } = this.settings;
    const rounds = this.step % dStepsPerG === dStepsPerG - 1 ? gStepsPerD : 0;
    const gVars = variablesOf(generator, true);
    for (let i = 0; i < rounds; i++) {
      const gSeed = seeds.nextSeed();
      const gNoiseSeed = seeds.nextSeed();
      const gLoss = gradientStep(this.gOptimizer.optimizer, gVars, () => this.generatorStepLoss(n, y, gSeed, gNoiseSeed, sigma), logs);
      this.counts.generator++;
      // The last update's loss replaces the estimate from the discriminator's pass.
      tf.dispose(logs['gLoss']);
      logs['gLoss'] = gLoss;
    }
    this.step++;
    logs['dUpdates'] = tf.scalar(1);
    logs['gUpdates'] = tf.scalar(rounds);
    return ordered(logs);
  }

  evalStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const [x, labels] = batch as [tf.Tensor, tf.Tensor?];
    const n = this.rowsFor(x.shape[0]!);
    const seeds = new SeedStream(ctx.seed);
    const [zSeed, penaltySeed] = [seeds.nextSeed(), seeds.nextSeed()];
    const oneHot = this.oneHot(labels);
    const y = oneHot && fillRows(oneHot, n);
    const fake = this.generate(n, y, zSeed, false);
    const logs: StepLogs = {};
    logs['dLoss'] = this.discriminatorLoss(fillRows(x, n), fake, y, penaltySeed, false, logs);
    return ordered(logs);
  }
}
