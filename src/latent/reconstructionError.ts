/**
 * Reconstruction error of any autoencoder on data, per example and on average.
 * @module
 */
import type { DataInput } from '../data/input.js';
import type { Autoencoder, EvaluateOptions, ReconstructionReport } from '../models/autoencoder/handle.js';

/**
 * The reconstruction error of `ae` on `x`: one value per example and the mean, in the model's loss unless
 * `options.metric` says otherwise. Handy for anomaly scores: high error = unlike the training data.
 *
 * @example
 * ```ts
 * const { mean, perExample } = reconstructionError(ae, testImages, { metric: 'mse' });
 * ```
 * @category Latent
 */
export function reconstructionError(ae: Autoencoder, x: DataInput, options: EvaluateOptions = {}): ReconstructionReport {
  return ae.evaluate(x, options);
}
