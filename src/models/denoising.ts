/**
 * `denoisingAE`: any dense autoencoder trained to undo a corruption of its input.
 * @module
 */
import { ConfigError } from '../errors.js';
import { noiseFromSpec, type NoiseFn, type NoiseSpec } from '../noise/index.js';
import { numberIn } from '../validate.js';
import { AutoencoderModel, type Autoencoder } from './autoencoder.js';
import { buildConvAutoencoder, resolveConvAEConfig, type ConvAEConfig } from './conv.js';
import { buildDenseAutoencoder, dropoutRate, resolveDenseConfig, type DenseAEConfig } from './dense.js';

/** What a denoising autoencoder adds to the autoencoder it is built on. */
export interface DenoisingOptions {
  /**
   * The corruption applied to each training batch, fresh at every step (so fresh every epoch) and drawn
   * from the run's seed: a {@link NoiseSpec} such as `{ kind: 'masking', rate: 0.3 }` (kept in the config,
   * so saved models record it) or a noise function from `gaussianNoise`, `maskingNoise`, ... Required.
   */
  noise: NoiseSpec | NoiseFn;
  /** L1 activity penalty on the code, as in {@link OvercompleteSparseAEConfig.l1}. Default 0. */
  l1?: number;
  /** Dense only: dropout rate on the layer feeding the code. Default 0. */
  dropoutBeforeCode?: number;
}

/** A dense denoising config: see {@link DenseAEConfig} and {@link DenoisingOptions}. */
export interface DenseDenoisingAEConfig extends DenseAEConfig, DenoisingOptions {}

/** A convolutional denoising config: see {@link ConvAEConfig} and {@link DenoisingOptions}. */
export interface ConvDenoisingAEConfig extends ConvAEConfig, Omit<DenoisingOptions, 'dropoutBeforeCode'> {}

/** Config of {@link denoisingAE}: a dense config (with `inputDim`) or a conv config (with `inputShape`), plus `noise`. */
export type DenoisingAEConfig = DenseDenoisingAEConfig | ConvDenoisingAEConfig;

/**
 * Builds a denoising autoencoder, dense (config with `inputDim`, as {@link undercompleteAE}) or
 * convolutional (config with `inputShape`, as {@link convAE}): during training each batch is corrupted by
 * `noise` and the model learns to output the clean batch; `encode`, `reconstruct` and `evaluate` see the
 * input as given. A dense code may be narrower (undercomplete) or wider (overcomplete) than the input.
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
  if (typeof config === 'object' && config !== null && 'inputShape' in config) return convDenoisingAE(config);
  const c = resolveDenseConfig(config, 'denoisingAE');
  const noise = resolveNoise(config.noise);
  const l1 = numberIn('denoisingAE.l1', config.l1 ?? 0, 0, Infinity);
  const dropout = dropoutRate('denoisingAE.dropoutBeforeCode', config.dropoutBeforeCode ?? 0);
  const parts = buildDenseAutoencoder(c, dropout);
  return new AutoencoderModel({
    kind: 'denoising',
    config: { ...c, architecture: 'dense', l1, dropoutBeforeCode: dropout, noise: noiseConfigOf(config.noise) },
    loss: c.loss,
    seed: c.seed,
    activityL1: l1,
    noise,
    ...parts,
  });
}

function resolveNoise(noise: NoiseSpec | NoiseFn | undefined): NoiseFn {
  if (noise === undefined) {
    throw new ConfigError('denoisingAE.noise', undefined, "a noise spec such as { kind: 'masking', rate: 0.3 } or a noise function");
  }
  return typeof noise === 'function' ? noise : noiseFromSpec(noise, 'denoisingAE.noise');
}

/** The noise as it goes into the saved config: its spec, or `{ kind: 'custom' }` for a function. */
function noiseConfigOf(noise: NoiseSpec | NoiseFn): Record<string, unknown> {
  return typeof noise === 'function' ? { kind: 'custom' } : { ...noise };
}

function convDenoisingAE(config: ConvDenoisingAEConfig): Autoencoder {
  const { resolved, spec } = resolveConvAEConfig(config, 'denoisingAE');
  const noise = resolveNoise(config.noise);
  const l1 = numberIn('denoisingAE.l1', config.l1 ?? 0, 0, Infinity);
  return new AutoencoderModel({
    kind: 'denoising',
    config: { ...resolved, architecture: 'conv', l1, noise: noiseConfigOf(config.noise) },
    loss: resolved.loss,
    seed: resolved.seed,
    activityL1: l1,
    noise,
    ...buildConvAutoencoder(resolved, spec),
  });
}
