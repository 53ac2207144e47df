/**
 * The training step of every autoencoder: corrupt the input (a denoising model), encode, decode, score
 * the reconstruction against the target, and add each penalty on the code (a sparse model's L1 activity
 * penalty). Corruptions and penalties are pluggable, so a new regulariser needs no new kind of task.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { reconstructionLoss, type ReconstructionLoss } from '../../losses/reconstruction.js';
import type { NoiseFn } from '../../noise/injectors.js';
import { gradientStep, variablesOf } from '../../train/gradientStep.js';
import { releaseOptimizer, type ResolvedOptimizer } from '../../train/optimizers.js';
import type { StepContext, StepLogs, TrainingTask } from '../../train/task.js';
import { DATA_INPUT, applyModel } from '../nets/apply.js';

/**
 * A term added to the reconstruction loss, computed from a batch of codes; logged under its `name`.
 *
 * @example
 * ```ts
 * const penalty: CodePenalty = { name: 'sparsity', apply: (code) => tf.mul(1e-4, tf.mean(tf.sum(tf.abs(code), 1))) };
 * ```
 */
export interface CodePenalty {
  /** The log name of the term (`'sparsity'`). */
  readonly name: string;
  /** The term for a batch of codes `[N, ...codeShape]`: a scalar. */
  apply(code: tf.Tensor): tf.Scalar;
}

/**
 * The L1 activity penalty of a sparse autoencoder, `weight * mean over examples of sum |code|` (Keras's
 * `activity_regularizer=l1(weight)`), logged as `sparsity`. tfjs-layers' own activity regularizers cannot
 * be trained (tfjs issue 8022), so the task adds it.
 */
export function l1ActivityPenalty(weight: number): CodePenalty {
  return {
    name: 'sparsity',
    apply: (code) => tf.mul(weight, tf.mean(tf.sum(tf.abs(tf.reshape(code, [code.shape[0]!, -1])), 1))) as tf.Scalar,
  };
}

/** What an autoencoder task trains and how. */
export interface AutoencoderObjective {
  /** The full model: its trainable weights are the ones trained. */
  model: tfl.LayersModel;
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  loss: ReconstructionLoss;
  /** Terms added to the loss. */
  penalties: readonly CodePenalty[];
  /** Corruption of the input at each step (validation: one fixed seed per run). */
  corruption?: NoiseFn;
}

/**
 * The {@link TrainingTask} of an autoencoder. Logs `loss`; with penalties also `reconstruction` and each
 * penalty's term.
 */
export class AutoencoderTask implements TrainingTask {
  constructor(
    private readonly objective: AutoencoderObjective,
    private readonly optimizer: ResolvedOptimizer,
  ) {}

  dispose(): void {
    releaseOptimizer(this.optimizer);
  }

  private terms(x: tf.Tensor, target: tf.Tensor, training: boolean, seed: number, extra: StepLogs): tf.Scalar {
    const { encoder, decoder, loss, penalties, corruption } = this.objective;
    const input = corruption ? corruption(x, seed) : x;
    // The input is data (a constant of the step): no gradient flows to it.
    const code = applyModel(encoder, input, training, DATA_INPUT);
    const output = applyModel(decoder, code, training);
    const rec = reconstructionLoss(target, output, loss);
    if (penalties.length === 0) return rec;
    extra['reconstruction'] = tf.keep(rec);
    let total: tf.Scalar = rec;
    for (const penalty of penalties) {
      const term = penalty.apply(code);
      extra[penalty.name] = tf.keep(term);
      total = tf.add(total, term);
    }
    return total;
  }

  trainStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const [x, target] = batch as [tf.Tensor, tf.Tensor?];
    const extra: StepLogs = {};
    const loss = gradientStep(this.optimizer.optimizer, variablesOf(this.objective.model, true), () => this.terms(x, target ?? x, true, ctx.seed, extra), extra);
    return { loss, ...extra };
  }

  evalStep(batch: tf.Tensor[], ctx: StepContext): StepLogs {
    const [x, target] = batch as [tf.Tensor, tf.Tensor?];
    const extra: StepLogs = {};
    const loss = this.terms(x, target ?? x, false, ctx.seed, extra);
    return { loss, ...extra };
  }

  variables(): tf.Variable[] {
    return variablesOf(this.objective.model);
  }
}
