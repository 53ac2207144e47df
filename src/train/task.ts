/**
 * The contract between a model and latentkit's one training loop: a {@link TrainingTask} is a model's own
 * training step (as a Keras model overrides `train_step`), the loop does everything else. A new model kind
 * brings a task; the loop never learns its name.
 *
 * @example
 * ```ts
 * class MyTask implements TrainingTask {
 *   constructor(private model: tfl.LayersModel, private optimizer: tf.Optimizer) {}
 *   trainStep([x]: tf.Tensor[]) {
 *     return { loss: gradientStep(this.optimizer, variablesOf(this.model, true), () => myLoss(this.model, x)) };
 *   }
 *   evalStep([x]: tf.Tensor[]) { return { loss: myLoss(this.model, x) }; }
 *   variables() { return variablesOf(this.model); }
 * }
 * ```
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

/** Scalars returned by a step; the loop reads and disposes them. */
export type StepLogs = Record<string, tf.Scalar>;

/** What a step knows about where it is. Epochs and batches are 0-based. */
export interface StepContext {
  epoch: number;
  batch: number;
  epochs: number;
  /** A fresh seed for this step's random draws (noise, sampling), from the run's seed stream. */
  seed: number;
}

/**
 * One model's way of training: what a step does and what an evaluation computes. Both are called inside
 * `tf.tidy`; they return scalar logs, which become the history's keys (`val`-prefixed for validation).
 */
export interface TrainingTask {
  /** Computes the loss on `batch`, applies the gradients (through {@link gradientStep}), returns the logs. */
  trainStep(batch: tf.Tensor[], ctx: StepContext): StepLogs;
  /** Computes the same logs on `batch` without changing any weight (used for validation). */
  evalStep(batch: tf.Tensor[], ctx: StepContext): StepLogs;
  /** Every variable the task changes (snapshotted by early stopping's `restoreBestWeights`). */
  variables(): tf.Variable[];
  /**
   * The log early stopping watches when `earlyStopping` names no `monitor` (`val`-prefixed when there is
   * validation data). Default `'loss'`. `null`: the model has no single measure of progress (a GAN), so
   * `earlyStopping` must name its monitor.
   */
  readonly defaultMonitor?: string | null;
  /**
   * Logs that count events (a GAN's updates per step): summed over an epoch's batches instead of averaged
   * over its examples, so the history holds the epoch's count, and printed as integers. Default none.
   */
  readonly summedLogs?: readonly string[];
  /** Frees what the task created (optimizers it made, not the caller's); called once training ends. */
  dispose?(): void;
}
