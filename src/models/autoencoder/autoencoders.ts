/**
 * The autoencoder builders, each with its save kind defined next to it: `undercompleteAE`,
 * `overcompleteSparseAE` (an L1 activity penalty on a code at least as wide as the input), `denoisingAE`
 * (any dense or conv autoencoder trained to undo a corruption) and `convAE`. Every one takes the same code
 * options (`codeActivation`, `loss`, `l1`, `dropoutBeforeCode`, `seed`) and returns an {@link Autoencoder}
 * whose resolved config rebuilds it.
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { is, optionsSchema } from '../../core/options.js';
import { defineModelKind, type ModelParts } from '../../io/registry.js';
import type { NoiseFn } from '../../noise/injectors.js';
import { buildConvAutoencoder, buildDenseAutoencoder } from './build.js';
import {
  resolveConvAEConfig,
  resolveDenoisingConfig,
  resolveDenseConfig,
  type ConvAEConfig,
  type DenoisingAEConfig,
  type OvercompleteSparseAEConfig,
  type ResolvedAutoencoderOptions,
  type ResolvedConvAEConfig,
  type ResolvedDenoisingAEConfig,
  type ResolvedDenseAEConfig,
  type UndercompleteAEConfig,
} from './config.js';
import { AutoencoderHandle, type Autoencoder, type AutoencoderTraining } from './handle.js';
import { l1ActivityPenalty } from './task.js';

/** The penalties a resolved config asks for. */
function training(c: ResolvedAutoencoderOptions, corruption?: NoiseFn): AutoencoderTraining {
  return { penalties: c.l1 > 0 ? [l1ActivityPenalty(c.l1)] : [], corruption };
}

const parts = (ae: Autoencoder): ModelParts => ({ model: ae.model });

/** Makes a builder's kind savable: rebuilt by the builder from the saved config; the full model holds every weight. */
function defineAutoencoderKind(kind: string, build: (config: never) => Autoencoder): void {
  defineModelKind<Autoencoder>({ kind, rebuild: (config) => build(config as never), parts });
}

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
 * @category Models
 */
export function undercompleteAE(config: UndercompleteAEConfig): Autoencoder<ResolvedDenseAEConfig> {
  const c = resolveDenseConfig('undercompleteAE', config);
  return new AutoencoderHandle('undercomplete', c, buildDenseAutoencoder(c), training(c));
}

defineAutoencoderKind('undercomplete', undercompleteAE);

/**
 * Builds a dense overcomplete autoencoder (`codeDim >= inputDim`) with an L1 penalty on the code's
 * activity (`l1`, default 1e-4), the course's sparse autoencoder; `dropoutBeforeCode` adds dropout on the
 * layer feeding the code.
 *
 * @throws ConfigError when `codeDim < inputDim` (use {@link undercompleteAE}), `l1 < 0`, or the dropout
 *   rate is outside [0, 1).
 * @example
 * ```ts
 * const sae = overcompleteSparseAE({ inputDim: 784, codeDim: 1024, l1: 1e-4, dropoutBeforeCode: 0.1, seed: 3 });
 * await sae.fit(images, { epochs: 10 });
 * ```
 * @category Models
 */
export function overcompleteSparseAE(config: OvercompleteSparseAEConfig): Autoencoder<ResolvedDenseAEConfig> {
  const c = resolveDenseConfig('overcompleteSparseAE', config);
  return new AutoencoderHandle('overcompleteSparse', c, buildDenseAutoencoder(c), training(c));
}

defineAutoencoderKind('overcompleteSparse', overcompleteSparseAE);

/**
 * Builds a convolutional autoencoder: Conv2D layers (with optional max-pooling), Flatten, a Dense layer
 * named `code`; the decoder mirrors it (Dense, Reshape, Conv2DTranspose or UpSampling2D + Conv2D,
 * UpSampling2D for each pooling) and crops or pads where the mirror does not land on the encoder's size,
 * so the output shape equals the input shape for any image size the encoder accepts (28x28x1, 32x32x3,
 * 27x27x1...). It returns the same {@link Autoencoder} handle as the dense builders.
 *
 * @throws ConfigError for invalid fields, or an image too small for the layers (saying which layer).
 * @example
 * ```ts
 * // The course's exercise 8: two stride-2 convolutions, one pooling, a 32-d code.
 * const ae = convAE({ inputShape: [28, 28, 1], filters: [32, 32], strides: 2, padding: ['same', 'valid'],
 *   pooling: [0, 2], codeDim: 32, seed: 1 });
 * await ae.fit(images, { epochs: 25, batchSize: 32, optimizer: { name: 'sgd', learningRate: 0.01, momentum: 0.95 } });
 * ```
 * @category Models
 */
export function convAE(config: ConvAEConfig): Autoencoder<ResolvedConvAEConfig> {
  const { resolved, spec } = resolveConvAEConfig(config);
  return new AutoencoderHandle('conv', resolved, buildConvAutoencoder(resolved, spec), training(resolved));
}

defineAutoencoderKind('conv', convAE);

/**
 * Builds a denoising autoencoder, dense (config with `inputDim`, as {@link undercompleteAE}) or
 * convolutional (config with `inputShape`, as {@link convAE}): during training each batch is corrupted by
 * `noise` and the model learns to output the clean batch; `encode`, `reconstruct` and `evaluate` see the
 * input as given. A dense code may be narrower (undercomplete) or wider (overcomplete) than the input.
 *
 * Validation data is corrupted the same way with one fixed seed per run, so `valLoss` measures denoising
 * and is comparable across epochs.
 *
 * @throws ConfigError when `noise` is missing or invalid, or any other field is.
 * @example
 * ```ts
 * const dae = denoisingAE({ inputDim: 784, hiddenUnits: [256], codeDim: 64,
 *   noise: { kind: 'gaussian', stddev: 0.5, clip: [0, 1] }, seed: 2 });
 * await dae.fit(images, { epochs: 10 });
 * const cleaned = dae.reconstruct(noisyImages);
 * ```
 * @category Models
 */
export function denoisingAE(config: DenoisingAEConfig): Autoencoder<ResolvedDenoisingAEConfig> {
  const { resolved, spec, noise } = resolveDenoisingConfig(config);
  const nets = resolved.architecture === 'conv' ? buildConvAutoencoder(resolved, spec!) : buildDenseAutoencoder(resolved);
  return new AutoencoderHandle('denoising', resolved, nets, training(resolved, noise));
}

/**
 * Options of {@link load} for a denoising model.
 * @category Save and load
 */
export interface DenoisingLoadOptions {
  /**
   * The noise function to train with. Required when the model was saved with a custom noise function (its
   * config records `noise: { kind: 'custom' }`, since a function cannot be saved); when it was saved with
   * a noise spec, a function given here replaces it (and the loaded config records `{ kind: 'custom' }`).
   */
  noise?: NoiseFn;
}

defineModelKind<Autoencoder>({
  kind: 'denoising',
  loadOptions: optionsSchema<DenoisingLoadOptions>()('load', { noise: is.func<NoiseFn>('a noise function (x, seed) => tensor') }),
  rebuild: (config, options) => {
    const noise = (options as DenoisingLoadOptions).noise;
    if (noise !== undefined) return denoisingAE({ ...(config as unknown as DenoisingAEConfig), noise });
    if ((config['noise'] as { kind?: unknown } | undefined)?.kind === 'custom') {
      throw new ConfigError(
        'load.noise',
        undefined,
        'the noise function this denoising model was trained with: it was saved with a custom noise function, ' +
          'which cannot be stored (pass it again: load(dir, { noise: myNoise }))',
      );
    }
    return denoisingAE(config as unknown as DenoisingAEConfig);
  },
  parts,
});
