/**
 * Training callbacks: the hooks the loop calls, and the control they get to stop training or snapshot
 * weights.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';

/**
 * Numbers logged by a step or an epoch: `loss`, and model-specific terms (`kl`, `dLoss`, `valLoss`...).
 * @category Training
 */
export type Logs = Record<string, number>;

/**
 * Handed to every callback hook: lets it stop training and read or restore the trained weights.
 * @category Training
 */
export interface TrainingControl {
  /** Asks the loop to stop after the current batch (from `onBatchEnd`) or epoch. */
  stop(reason?: string): void;
  /** True once `stop` has been called. */
  readonly stopRequested: boolean;
  /** Why training was stopped, if it was. */
  readonly stopReason: string | undefined;
  /** Copies of the current values of every weight being trained; the caller owns (and disposes) them. */
  snapshotWeights(): tf.Tensor[];
  /** Writes weights taken by `snapshotWeights` back (does not dispose them). */
  restoreWeights(weights: tf.Tensor[]): void;
  /** Total epochs asked for. */
  readonly epochs: number;
  /** Batches per epoch. */
  readonly batchesPerEpoch: number;
}

/**
 * A training callback: any subset of the hooks, sync or async. Epochs and batches are 0-based, as in
 * Keras and tfjs-layers.
 *
 * @example
 * ```ts
 * const stopAtLoss: Callback = {
 *   onEpochEnd(epoch, logs, control) { if (logs.loss < 0.01) control.stop('loss below 0.01'); },
 * };
 * await ae.fit(x, { epochs: 50, callbacks: [stopAtLoss] });
 * ```
 * @category Training
 */
export interface Callback {
  onTrainBegin?(logs: Logs, control: TrainingControl): void | Promise<void>;
  onTrainEnd?(logs: Logs, control: TrainingControl): void | Promise<void>;
  onEpochBegin?(epoch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onBatchBegin?(batch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  onBatchEnd?(batch: number, logs: Logs, control: TrainingControl): void | Promise<void>;
  /** Called once when training ends, normally or by an error: free anything the callback holds. */
  dispose?(): void;
}
