/**
 * `overcompleteSparseAE`: a code at least as wide as the input, kept sparse by an L1 activity penalty.
 * @module
 */
import { ConfigError } from '../errors.js';
import { numberIn } from '../validate.js';
import { AutoencoderModel, type Autoencoder } from './autoencoder.js';
import { buildDenseAutoencoder, dropoutRate, resolveDenseConfig, type DenseAEConfig } from './dense.js';

/** Config of {@link overcompleteSparseAE}. Other fields: see {@link DenseAEConfig}. */
export interface OvercompleteSparseAEConfig extends DenseAEConfig {
  /**
   * Weight of the L1 activity penalty `l1 * mean over examples of sum |code|` added to the loss (Keras's
   * `activity_regularizer=l1(l1)`, which is also averaged over the batch). Default `1e-4`; 0 turns it off.
   */
  l1?: number;
  /** Dropout rate on the layer feeding the code, while training. Default 0 (none). */
  dropoutBeforeCode?: number;
}

/**
 * Builds a dense overcomplete autoencoder (`codeDim >= inputDim`) with an L1 penalty on the code's
 * activity, the course's sparse autoencoder. tfjs-layers' own `activityRegularizer` cannot be trained
 * (tfjs issue 8022), so latentkit adds the penalty in its training step.
 *
 * @throws ConfigError when `codeDim < inputDim` (use {@link undercompleteAE}), `l1 < 0`, or the dropout
 *   rate is outside [0, 1).
 * @example
 * ```ts
 * const sae = overcompleteSparseAE({ inputDim: 784, codeDim: 1024, l1: 1e-4, dropoutBeforeCode: 0.1, seed: 3 });
 * await sae.fit(images, { epochs: 10 });
 * ```
 */
export function overcompleteSparseAE(config: OvercompleteSparseAEConfig): Autoencoder {
  const c = resolveDenseConfig(config, 'overcompleteSparseAE');
  if (c.codeDim < c.inputDim) {
    throw new ConfigError(
      'overcompleteSparseAE.codeDim',
      c.codeDim,
      `at least inputDim (${c.inputDim}) for an overcomplete code; for a narrower code use undercompleteAE`,
    );
  }
  const l1 = numberIn('overcompleteSparseAE.l1', config.l1 ?? 1e-4, 0, Infinity);
  const dropout = dropoutRate('overcompleteSparseAE.dropoutBeforeCode', config.dropoutBeforeCode ?? 0);
  const parts = buildDenseAutoencoder(c, dropout);
  return new AutoencoderModel({
    kind: 'overcompleteSparse',
    config: { ...c, l1, dropoutBeforeCode: dropout },
    loss: c.loss,
    seed: c.seed,
    activityL1: l1,
    ...parts,
  });
}
