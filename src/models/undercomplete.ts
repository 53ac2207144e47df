/**
 * `undercompleteAE`: the plain dense autoencoder whose code is narrower than its input.
 * @module
 */
import { ConfigError } from '../errors.js';
import { AutoencoderModel, type Autoencoder } from './autoencoder.js';
import { buildDenseAutoencoder, resolveDenseConfig, type DenseAEConfig } from './dense.js';

/** Config of {@link undercompleteAE}; see {@link DenseAEConfig} for each field and its default. */
export type UndercompleteAEConfig = DenseAEConfig;

/**
 * Builds a dense undercomplete autoencoder: `inputDim -> hiddenUnits -> codeDim -> reversed hiddenUnits
 * -> inputDim`, with `codeDim < inputDim`.
 *
 * With every activation `'linear'` and the MSE loss it learns the top-`codeDim` principal subspace of the
 * data (the classic linear-autoencoder/PCA result).
 *
 * @throws ConfigError when `codeDim >= inputDim` (use {@link overcompleteSparseAE}) or a field is invalid.
 * @example
 * ```ts
 * const ae = undercompleteAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32, seed: 1 });
 * await ae.fit(images, { epochs: 20, batchSize: 64, validationSplit: 0.1 });
 * const codes = ae.encode(images); // [N, 32]
 * ```
 */
export function undercompleteAE(config: UndercompleteAEConfig): Autoencoder {
  const c = resolveDenseConfig(config, 'undercompleteAE');
  if (c.codeDim >= c.inputDim) {
    throw new ConfigError(
      'undercompleteAE.codeDim',
      c.codeDim,
      `less than inputDim (${c.inputDim}) for an undercomplete code; for a wider code use overcompleteSparseAE`,
    );
  }
  const parts = buildDenseAutoencoder(c);
  return new AutoencoderModel({ kind: 'undercomplete', config: { ...c }, loss: c.loss, seed: c.seed, ...parts });
}
