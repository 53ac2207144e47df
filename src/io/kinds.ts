/**
 * Registers latentkit's dense autoencoder kinds with the io registry: each rebuilds by calling its
 * builder with the saved config (whose `seed` makes the layers and their names the same) and saves the
 * full `model`, whose weights the encoder and decoder share. Imported for its effect by `save.ts`.
 *
 * @example
 * ```ts
 * import './kinds.js';
 * registeredModelKinds(); // ['denoising', 'overcompleteSparse', 'undercomplete']
 * ```
 * @module
 */
import { ConfigError } from '../errors.js';
import type { Autoencoder } from '../models/autoencoder.js';
import { convAE, type ConvAEConfig } from '../models/conv.js';
import { denoisingAE, type DenoisingAEConfig } from '../models/denoising.js';
import { overcompleteSparseAE, type OvercompleteSparseAEConfig } from '../models/sparse.js';
import { undercompleteAE, type UndercompleteAEConfig } from '../models/undercomplete.js';
import { registerModelKind, type LoadOptions, type ModelParts } from './registry.js';

const autoencoderParts = (ae: Autoencoder): ModelParts => ({ model: ae.model });

function rebuildDenoising(config: Record<string, unknown>, options: LoadOptions): Autoencoder {
  const saved = config.noise as { kind?: unknown } | undefined;
  if (options.noise !== undefined) {
    if (typeof options.noise !== 'function') throw new ConfigError('load.noise', options.noise, 'a noise function (x, seed) => tensor');
    return denoisingAE({ ...(config as unknown as DenoisingAEConfig), noise: options.noise });
  }
  if (saved?.kind === 'custom') {
    throw new ConfigError(
      'load.noise',
      undefined,
      'the noise function this denoising model was trained with: it was saved with a custom noise function, ' +
        'which cannot be stored (pass it again: load(dir, { noise: myNoise }))',
    );
  }
  return denoisingAE(config as unknown as DenoisingAEConfig);
}

registerModelKind<Autoencoder>('undercomplete', {
  rebuild: (config) => undercompleteAE(config as unknown as UndercompleteAEConfig),
  parts: autoencoderParts,
});

registerModelKind<Autoencoder>('overcompleteSparse', {
  rebuild: (config) => overcompleteSparseAE(config as unknown as OvercompleteSparseAEConfig),
  parts: autoencoderParts,
});

registerModelKind<Autoencoder>('denoising', {
  rebuild: rebuildDenoising,
  parts: autoencoderParts,
});

registerModelKind<Autoencoder>('conv', {
  rebuild: (config) => convAE(config as unknown as ConvAEConfig),
  parts: autoencoderParts,
});
