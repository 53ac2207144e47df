/**
 * Reconstruction error of any autoencoder on data, per example and on average.
 * @module
 */
import { ConfigError } from '../core/errors.js';
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
  if (typeof ae !== 'object' || ae === null || typeof (ae as Partial<Autoencoder>).evaluate !== 'function' || !('encoder' in ae)) {
    const model = typeof ae === 'object' && ae !== null && 'layers' in ae && 'predict' in ae;
    const hint = model ? ' (this is a tf.LayersModel: pass the latentkit handle it belongs to)' : '';
    throw new ConfigError('reconstructionError.ae', ae, `an autoencoder or VAE handle (from undercompleteAE, VAE, ...)${hint}`);
  }
  return ae.evaluate(x, options);
}
