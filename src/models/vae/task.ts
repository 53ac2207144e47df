/**
 * The VAE's training step for latentkit's loop (its `train_step`, as the Keras VAE example overrides it):
 * encode, sample `z` by the reparameterization trick with the step's seed, decode, and minimize
 * `reconstruction + beta * KL` with `tf.variableGrads` over the model's trainable weights.
 *
 * Logs (per epoch in the history, each averaged over the examples, all in nats per example):
 * `loss` (what is minimized: reconstruction + effective beta x KL term, free bits applied),
 * `reconstruction` (`-log p(x|z)`, one sample), `kl` (`KL(q(z|x) || p(z))`, closed form, no free bits),
 * `elbo` (`-(reconstruction + kl)`, whatever beta is) and, in training only, `beta` (the effective KL
 * weight of the epoch). Validation adds `valLoss`, `valReconstruction`, `valKl`, `valElbo`.
 *
 * @example
 * ```ts
 * const task = new VaeTask(networks, { beta: 1, klWarmupEpochs: 5, freeBits: 0, startEpoch: 0 }, resolveOptimizer('adam'));
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GaussianSampling, OutputLogVariance } from '../../layers/sampling.js';
import { betaAt, gaussianKlPerDim, klObjective, type BetaSchedule } from '../../losses/kl.js';
import { bernoulliNll, gaussianNll } from '../../losses/likelihood.js';
import { gradientStep, variablesOf } from '../../train/gradientStep.js';
import { releaseOptimizer, type ResolvedOptimizer } from '../../train/optimizers.js';
import type { StepContext, StepLogs, TrainingTask } from '../../train/task.js';
import type { VAELikelihood } from './config.js';
import { DATA_INPUT, applyModel, applyModelOutputs } from '../nets/apply.js';

/**
 * The models and layers a VAE step needs (the VAE builder assembles them).
 */
export interface VaeNetworks {
  /** The whole VAE: input -> reconstruction; its trainable weights are the ones trained. */
  model: tfl.LayersModel;
  /** input -> `[mean, logVar]`. */
  encoder: tfl.LayersModel;
  /** The reparameterization layer. */
  sampling: GaussianSampling;
  /** z -> the likelihood's parameter: logits for `bernoulli`, the mean for `gaussian`. */
  decoderParams: tfl.LayersModel;
  likelihood: VAELikelihood;
  /** The learned global log-variance of a Gaussian decoder, if learned (else unit variance). */
  outputLogVariance?: OutputLogVariance;
}

/**
 * Per-example terms of one pass, in nats.
 */
export interface VaeTerms {
  /** `-log p(target | z)` per example, `[N]`. */
  reconstruction: tf.Tensor1D;
  /** KL per example and latent dimension, `[N, d]`. */
  klPerDim: tf.Tensor2D;
}

/**
 * One pass through the VAE: encode `x`, draw one `z` per example with noise from `seed`, decode, score
 * `target`. x is data: no gradient flows to it. Call inside `tf.tidy` (or dispose the result).
 *
 * @param training - the layers' training flag (dropout and the like); `z` is sampled either way.
 * @example
 * ```ts
 * const { reconstruction, klPerDim } = tf.tidy(() => vaeTerms(networks, x, x, false, 7));
 * ```
 */
export function vaeTerms(net: VaeNetworks, x: tf.Tensor, target: tf.Tensor, training: boolean, seed: number): VaeTerms {
  // x is data: no gradient flows to it.
  const [mean, logVar] = applyModelOutputs(net.encoder, x, training, DATA_INPUT) as [tf.Tensor, tf.Tensor];
  const z = net.sampling.apply([mean, logVar], { training, sample: true, seed }) as tf.Tensor;
  const params = applyModel(net.decoderParams, z, training);
  return { reconstruction: reconstructionNll(net, target, params), klPerDim: gaussianKlPerDim(mean, logVar) };
}

/**
 * `-log p(target | z)` per example, in nats, from the decoder's parameters for `z` (logits for a
 * Bernoulli decoder, means for a Gaussian one, whose learned variance the networks hold).
 *
 * @example
 * ```ts
 * const rec = reconstructionNll(net, x, net.decoderParams.apply(z) as tf.Tensor); // [N]
 * ```
 */
export function reconstructionNll(net: VaeNetworks, target: tf.Tensor, params: tf.Tensor): tf.Tensor1D {
  if (net.likelihood === 'bernoulli') return bernoulliNll(target, params);
  const logVariance = net.outputLogVariance?.logVariance();
  try {
    return gaussianNll(target, params, logVariance ?? 0);
  } finally {
    logVariance?.dispose();
  }
}

/**
 * How a VAE weighs its KL term; see {@link betaAt} and {@link klObjective}.
 */
export interface VaeObjective extends BetaSchedule {
  /** Free bits in nats per latent dimension (0: off). */
  freeBits: number;
  /** Epochs this model trained before this run: the warm-up continues from there. */
  startEpoch: number;
}

/**
 * The VAE's {@link TrainingTask}: a custom gradient step on the negative ELBO (with beta), for
 * `fitArrays`.
 *
 * @example
 * ```ts
 * return fitArrays(arrays, validation, options, seed, () => new VaeTask(net, objective, resolveOptimizer('adam')));
 * ```
 */
export class VaeTask implements TrainingTask {

  constructor(
    private readonly net: VaeNetworks,
    private readonly objective: VaeObjective,
    private readonly resolved: ResolvedOptimizer,
  ) {}

  /** The KL weight in effect during the run's `epoch` (0-based). */
  betaAt(epoch: number): number {
    return betaAt(this.objective.startEpoch + epoch, this.objective);
  }

  /** Computes every log; `keep` marks the ones that must outlive a `variableGrads` scope. */
  private logs(batch: tf.Tensor[], ctx: StepContext, training: boolean, keep: boolean): { loss: tf.Scalar; extra: StepLogs } {
    const [x, target] = batch as [tf.Tensor, tf.Tensor?];
    const { reconstruction, klPerDim } = vaeTerms(this.net, x, target ?? x, training, ctx.seed);
    const rec = tf.mean(reconstruction) as tf.Scalar;
    const kl = tf.mean(tf.sum(klPerDim, 1)) as tf.Scalar;
    const beta = this.betaAt(ctx.epoch);
    const klTerm = beta === 0 ? tf.scalar(0) : tf.mul(beta, klObjective(klPerDim, this.objective.freeBits));
    const loss = tf.add(rec, klTerm) as tf.Scalar;
    const elbo = tf.neg(tf.add(rec, kl)) as tf.Scalar;
    const mark = (t: tf.Scalar) => (keep ? tf.keep(t) : t);
    return { loss, extra: { reconstruction: mark(rec), kl: mark(kl), elbo: mark(elbo) } };
  }

  trainStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const extra: StepLogs = {};
    const loss = gradientStep(
      this.resolved.optimizer,
      variablesOf(this.net.model, true),
      () => {
        const out = this.logs(batch, ctx, true, true);
        Object.assign(extra, out.extra);
        return out.loss;
      },
      extra,
    );
    return { loss, ...extra, beta: tf.scalar(this.betaAt(ctx.epoch)) };
  }

  evalStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const { loss, extra } = this.logs(batch, ctx, false, false);
    return { loss, ...extra };
  }

  variables(): tf.Variable[] {
    return variablesOf(this.net.model);
  }

  dispose(): void {
    releaseOptimizer(this.resolved);
  }
}
