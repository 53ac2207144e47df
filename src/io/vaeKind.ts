/**
 * Registers the `'vae'` model kind with the io registry, so that {@link save} and {@link load} handle
 * {@link VAE} handles: the rebuild calls `VAE` with the saved config (whose `seed` makes the same layers
 * with the same names), and the one saved part is the full `model`, which holds every weight (the encoder
 * and decoder share them; a learned Gaussian variance is a weight of its last layer). The model's custom
 * layers (`LatentkitGaussianSampling`, `LatentkitOutputLogVariance`) register themselves with tfjs when
 * the VAE module loads, so its `model.json` also loads with plain `tfl.loadLayersModel`.
 *
 * Not saved, as for every kind: the optimizer state and the handle's random streams; nor the number of
 * epochs trained, so a loaded VAE's KL warm-up (if any) starts again at its next `fit`.
 *
 * @example
 * ```ts
 * import './vaeKind.js';
 * await save(vae, 'models/vae');
 * const again = await load<VariationalAutoencoder>('models/vae');
 * ```
 * @module
 */
import { VAE, type VAEConfig, type VariationalAutoencoder } from '../models/vae.js';
import { registerModelKind } from './registry.js';

registerModelKind<VariationalAutoencoder>('vae', {
  rebuild: (config) => VAE(config as unknown as VAEConfig),
  parts: (vae) => ({ model: vae.model }),
});
