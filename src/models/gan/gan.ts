/**
 * `GAN`: dense and DCGAN-style generative adversarial networks, unconditional or conditional on a class
 * label, trained by latentkit's loop with the controls that make them train: separate optimizers and
 * learning rates, the update ratio between the two networks, minimax / non-saturating / WGAN-GP losses,
 * one-sided label smoothing, instance noise and a warning when the discriminator wins; and its save kind.
 * @module
 */
import { defineModelKind } from '../../io/registry.js';
import { resolveGANConfig, type GANConfig } from './config.js';
import { upgradeGANConfig } from './upgrade.js';
import { GANHandle, type GenerativeAdversarialNetwork } from './handle.js';

/**
 * Builds a generative adversarial network; see {@link GANConfig} for every field and its default.
 *
 * The defaults are the course's dense GAN: a generator `z(256) -> 256 tanh -> 256 tanh -> data (tanh)` and
 * a discriminator `data -> 32 tanh (named embedding) -> 1 sigmoid`, trained with the non-saturating loss,
 * Adam 1e-4 for the discriminator and 1e-3 for the generator (see {@link GANFitOptions}).
 *
 * Saved as the kind `'gan'`, in two parts (the generator at the location, the discriminator in its
 * `discriminator/` subfolder); saves of latentkit 0.1.0 (kinds `'dense'` and `'dcgan'`) load too.
 *
 * @throws ConfigError naming the field when the config is invalid (zDim 0, an unknown loss, a dcgan
 *   dataShape that is not an image, an activation a wgan-gp critic cannot use...).
 * @example
 * ```ts
 * const gan = GAN({ dataShape: [784], seed: 42 });                     // the course's dense GAN
 * await gan.fit(digitsInMinusOneToOne, { epochs: 30, batchSize: 32 });
 * const wgan = GAN({ architecture: 'dcgan', dataShape: [28, 28, 1], loss: 'wgan-gp', zDim: 64 });
 * ```
 * @category Models
 */
export function GAN(config: GANConfig): GenerativeAdversarialNetwork {
  return new GANHandle(resolveGANConfig(config));
}

defineModelKind<GenerativeAdversarialNetwork>({
  kind: 'gan',
  // latentkit 0.1.0 saved GANs under their architecture's name, with the architecture as `kind`.
  aliases: ['dense', 'dcgan'],
  upgradeConfig: upgradeGANConfig,
  rebuild: (config) => GAN(config as unknown as GANConfig),
  parts: (gan) => ({ generator: gan.generator, discriminator: gan.discriminator }),
});
