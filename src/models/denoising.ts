/**
 * `denoisingAE`: any dense autoencoder trained to undo a corruption of its input.
 * @module
 */
import { ConfigError } from '../errors.js';
import { noiseFromSpec, type NoiseFn, type NoiseSpec } from '../noise/index.js';
import { numberIn } from '../validate.js';
import { AutoencoderModel, type Autoencoder } from './autoencoder.js';
import { buildDenseAutoencoder, dropoutRate, resolveDenseConfig, type DenseAEConfig } from './dense.js';

/** Config of {@link denoisingAE}: a dense config plus the corruption. Other fields: see {@link DenseAEConfig}. */
export interface DenoisingAEConfig extends DenseAEConfig {
  /**
   * The corruption applied to each training batch, fresh at every step (so fresh every epoch) and drawn
   * from the run's seed: a {@link NoiseSpec} such as `{ kind: 'masking', rate: 0.3 }` (kept in the config,
   * so saved models record it) or a noise function from `gaussianNoise`, `maskingNoise`, ... Required.
   */
  noise: NoiseSpec | NoiseFn;
  /** L1 activity penalty on the code, as in {@link OvercompleteSparseAEConfig.l1}. Default 0. */
  l1?: number;
  /** Dropout rate on the layer feeding the code. Default 0. */
  dropoutBeforeCode?: number;
}

/**
 * Builds a dense denoising autoencoder: during training each batch is corrupted by `noise` and the model
 * learns to output the clean batch; `encode`, `reconstruct` and `evaluate` see the input as given.
 * The code may be narrower (undercomplete) or wider (overcomplete) than the input.
 *
 * Validation data is corrupted the same way with one fixed seed per run, so `valLoss` measures denoising
 * and is comparable across epochs.
 *
 * @throws ConfigError when `noise` is missing or invalid, or any dense field is.
 * @example
 * ```ts
 * const dae = denoisingAE({ inputDim: 784, hiddenUnits: [256], codeDim: 64,
 *   noise: { kind: 'gaussian', stddev: 0.5, clip: [0, 1] }, seed: 2 });
 * await dae.fit(images, { epochs: 10 });
 * const cleaned = dae.reconstruct(noisyImages);
 * ```
 */
export function denoisingAE(config: DenoisingAEConfig): Autoencoder {
  const c = resolveDenseConfig(config, 'denoisingAE');
  if (config.noise === undefined) {
    throw new ConfigError('denoisingAE.noise', undefined, "a noise spec such as { kind: 'masking', rate: 0.3 } or a noise function");
  }
  const noise = typeof config.noise === 'function' ? config.noise : noiseFromSpec(config.noise, 'denoisingAE.noise');
  const l1 = numberIn('denoisingAE.l1', config.l1 ?? 0, 0, Infinity);
  const dropout = dropoutRate('denoisingAE.dropoutBeforeCode', config.dropoutBeforeCode ?? 0);
  const parts = buildDenseAutoencoder(c, dropout);
  const noiseConfig = typeof config.noise === 'function' ? { kind: 'custom' } : { ...config.noise };
  return new AutoencoderModel({
    kind: 'denoising',
    config: { ...c, l1, dropoutBeforeCode: dropout, noise: noiseConfig },
    loss: c.loss,
    seed: c.seed,
    activityL1: l1,
    noise,
    ...parts,
  });
}
