/**
 * The GAN's training step for latentkit's loop: alternating discriminator and generator updates with
 * their own optimizers, the update ratio (`dStepsPerG`, `gStepsPerD`), the three losses (minimax,
 * non-saturating, WGAN-GP with its gradient penalty), one-sided label smoothing and instance noise.
 *
 * Every random draw of a step (z, instance noise, the interpolation weights of the gradient penalty) comes
 * from the step's `ctx.seed`, so a run is reproducible from its seed.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../../core/seed.js';
import { bceWithLogits } from '../../losses/likelihood.js';
import { gradientStep, variablesOf } from '../../train/gradientStep.js';
import { releaseOptimizer, type ResolvedOptimizer } from '../../train/optimizers.js';
import type { StepContext, StepLogs, TrainingTask } from '../../train/task.js';

/**
 * The GAN losses latentkit implements.
 * @category Models
 */
export const GAN_LOSSES = ['minimax', 'nonSaturating', 'wgan-gp'] as const;
/**
 * A GAN loss: `minimax` (Goodfellow et al.: G minimises log(1 - D(G(z)))), `nonSaturating` (G maximises
 * log D(G(z)), the usual choice) or `wgan-gp` (Wasserstein critic with a gradient penalty).
 *
 * With `minimax` and `nonSaturating`, the logged `dLoss` is the discriminator's binary cross-entropy on a
 * real batch plus that on a generated batch, `BCE(D(x), 1) + BCE(D(G(z)), 0)`: the sum of the two terms,
 * twice the course's `J(D)`, which averages them. At the game's equilibrium (D outputs 1/2 everywhere) it
 * is `2 log 2 = 1.386`.
 * @category Models
 */
export type GANLoss = (typeof GAN_LOSSES)[number];

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
  zDim: number;
  numClasses: number | undefined;
  /** One generator round every `dStepsPerG` discriminator updates (one discriminator update per batch). */
  dStepsPerG: number;
  /** Generator updates per generator round. */
  gStepsPerD: number;
  /** One-sided label smoothing: the discriminator's target for real examples is `1 - labelSmoothing`. */
  labelSmoothing: number;
  instanceNoise: InstanceNoiseSchedule;
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
  /** The discriminator's pre-sigmoid logit (or the critic's score for wgan-gp). */
  score: tfl.LayersModel;
}

/** The generator's loss from the discriminator's scores of its samples. */
function generatorLoss(loss: GANLoss, fakeScore: tf.Tensor): tf.Scalar {
  switch (loss) {
    case 'nonSaturating':
      return tf.mean(bceWithLogits(fakeScore, 1)) as tf.Scalar;
    case 'minimax':
      // log(1 - D(G(z))) = -BCE(logit, 0): G pushes the discriminator's own loss on fakes up.
      return tf.neg(tf.mean(bceWithLogits(fakeScore, 0))) as tf.Scalar;
    case 'wgan-gp':
      return tf.neg(tf.mean(fakeScore)) as tf.Scalar;
  }
}

/** The order logs are reported in (history keys, progress lines). */
const LOG_ORDER = ['dLoss', 'gLoss', 'dAccuracyReal', 'dAccuracyFake', 'gradientPenalty', 'wassersteinEstimate', 'dUpdates', 'gUpdates'];

function ordered(logs: StepLogs): StepLogs {
  const out: StepLogs = {};
  for (const k of LOG_ORDER) if (logs[k] !== undefined) out[k] = logs[k]!;
  return out;
}

const share = (b: tf.Tensor) => tf.mean(tf.cast(b, 'float32')) as tf.Scalar;

/**
 * The {@link TrainingTask} of a GAN: per batch, one discriminator update; every `dStepsPerG`-th batch,
 * also `gStepsPerD` generator updates. Logs `dLoss`, `gLoss`, `dAccuracyReal`, `dAccuracyFake`,
 * `dUpdates`, `gUpdates` (this batch's counts, summed over the epoch: see `summedLogs`), and for wgan-gp `gradientPenalty` and
 * `wassersteinEstimate`.
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

  constructor(
    private readonly nets: GANTaskNets,
    private readonly settings: GANTaskSettings,
    private readonly dOptimizer: ResolvedOptimizer,
    private readonly gOptimizer: ResolvedOptimizer,
    private readonly counts: GANUpdateCounts,
  ) {}

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
    return stddev > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, stddev, 'float32', seed)) : x;
  }

  private oneHot(labels: tf.Tensor | undefined): tf.Tensor | undefined {
    const k = this.settings.numClasses;
    return labels === undefined || k === undefined ? undefined : tf.cast(tf.oneHot(tf.cast(labels, 'int32'), k), 'float32');
  }

  private generate(n: number, y: tf.Tensor | undefined, seed: number, training: boolean): tf.Tensor {
    const z = tf.randomNormal([n, this.settings.zDim], 0, 1, 'float32', seed);
    return this.nets.generator.apply(y ? [z, y] : z, { training }) as tf.Tensor;
  }

  private scoreOf(x: tf.Tensor, y: tf.Tensor | undefined, training: boolean): tf.Tensor {
    return this.nets.score.apply(y ? [x, y] : x, { training }) as tf.Tensor;
  }

  /**
   * The discriminator's loss on a real and a fake batch (scored in one pass), with its accuracies and the
   * generator's loss on these fakes written to `extra` (kept, so that they survive `variableGrads`).
   */
  private discriminatorLoss(real: tf.Tensor, fake: tf.Tensor, y: tf.Tensor | undefined, seed: number, training: boolean, extra: StepLogs): tf.Scalar {
    const n = real.shape[0]!;
    const both = tf.concat([real, fake], 0);
    const scores = this.scoreOf(both, y ? tf.concat([y, y], 0) : undefined, training);
    const sr = tf.slice(scores, [0, 0], [n, 1]);
    const sf = tf.slice(scores, [n, 0], [n, 1]);
    const { loss, labelSmoothing, gradientPenalty } = this.settings;
    extra['gLoss'] = tf.keep(generatorLoss(loss, sf));
    if (loss !== 'wgan-gp') {
      extra['dAccuracyReal'] = tf.keep(share(tf.greater(sr, 0)));
      extra['dAccuracyFake'] = tf.keep(share(tf.lessEqual(sf, 0)));
      return tf.add(tf.mean(bceWithLogits(sr, 1 - labelSmoothing)), tf.mean(bceWithLogits(sf, 0))) as tf.Scalar;
    }
    const meanReal = tf.mean(sr);
    const meanFake = tf.mean(sf);
    // A critic has no threshold of its own: call "real" whatever scores above the midpoint of the two means.
    const midpoint = tf.div(tf.add(meanReal, meanFake), 2);
    extra['dAccuracyReal'] = tf.keep(share(tf.greater(sr, midpoint)));
    extra['dAccuracyFake'] = tf.keep(share(tf.lessEqual(sf, midpoint)));
    extra['wassersteinEstimate'] = tf.keep(tf.sub(meanReal, meanFake) as tf.Scalar);
    const eps = tf.randomUniform([n, ...real.shape.slice(1).map(() => 1)], 0, 1, 'float32', seed);
    const interpolated = tf.add(tf.mul(eps, real), tf.mul(tf.sub(1, eps), fake));
    // A second-order gradient: dD/dx inside the loss. The critic's activations are DoubleBackpropActivation
    // layers, whose gradients tfjs can differentiate again (see ./layers.ts).
    const dScore = tf.grad((xh: tf.Tensor) => tf.sum(this.scoreOf(xh, y, training)))(interpolated);
    const norms = tf.sqrt(tf.add(tf.sum(tf.square(tf.reshape(dScore, [n, -1])), 1), 1e-12));
    const penalty = tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
    extra['gradientPenalty'] = tf.keep(penalty);
    return tf.add(tf.sub(meanFake, meanReal), tf.mul(gradientPenalty, penalty)) as tf.Scalar;
  }

  trainStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const [x, labels] = batch as [tf.Tensor, tf.Tensor?];
    const n = x.shape[0]!;
    const seeds = new SeedStream(ctx.seed);
    const [zSeed, realNoiseSeed, fakeNoiseSeed, penaltySeed] = [seeds.nextSeed(), seeds.nextSeed(), seeds.nextSeed(), seeds.nextSeed()];
    const y = this.oneHot(labels);
    const sigma = this.noiseStddev(ctx);
    const { generator, score } = this.nets;

    // Discriminator: the fakes are made outside its gradient, so that only its own weights are tracked.
    const fake = this.generate(n, y, zSeed, true);
    const real = this.withNoise(x, sigma, realNoiseSeed);
    const fakeIn = this.withNoise(fake, sigma, fakeNoiseSeed);
    const logs: StepLogs = {};
    logs['dLoss'] = gradientStep(this.dOptimizer.optimizer, variablesOf(score, true), () => this.discriminatorLoss(real, fakeIn, y, penaltySeed, true, logs), logs);
    this.counts.discriminator++;

    // Generator: `gStepsPerD` updates every `dStepsPerG`-th batch, each on fresh z.
    const { dStepsPerG, gStepsPerD, loss } = this.settings;
    const rounds = this.step % dStepsPerG === dStepsPerG - 1 ? gStepsPerD : 0;
    const gVars = variablesOf(generator, true);
    for (let i = 0; i < rounds; i++) {
      const gSeed = seeds.nextSeed();
      const gNoiseSeed = seeds.nextSeed();
      const gLoss = gradientStep(this.gOptimizer.optimizer, gVars, () => {
        const samples = this.withNoise(this.generate(n, y, gSeed, true), sigma, gNoiseSeed);
        return generatorLoss(loss, this.scoreOf(samples, y, true));
      }, logs);
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
    const seeds = new SeedStream(ctx.seed);
    const [zSeed, penaltySeed] = [seeds.nextSeed(), seeds.nextSeed()];
    const y = this.oneHot(labels);
    const fake = this.generate(x.shape[0]!, y, zSeed, false);
    const logs: StepLogs = {};
    logs['dLoss'] = this.discriminatorLoss(x, fake, y, penaltySeed, false, logs);
    return ordered(logs);
  }
}
