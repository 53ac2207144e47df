/**
 * `VAE`: variational autoencoders, dense or convolutional, with a Bernoulli or Gaussian decoder, trained
 * by latentkit's loop on the negative ELBO (optionally beta-weighted, warmed up and with free bits); and
 * its save kind, `'vae'`.
 *
 * Units: every likelihood, KL and ELBO value is in nats per example (summed over the example's values
 * and latent dimensions, not averaged), so numbers compare with the VAE literature (about -100 nats for
 * a good binarized-MNIST model).
 * @module
 */
import { defineModelKind } from '../../io/registry.js';
import { buildVAE } from './build.js';
import { resolveVAEConfig, type VAEConfig } from './config.js';
import { VAEHandle, type VariationalAutoencoder } from './handle.js';

/**
 * Builds a variational autoencoder (Kingma & Welling 2014). The encoder ends in two Dense layers named
 * `mean` and `logVar` (the diagonal Gaussian posterior `q(z|x)`); a `GaussianSampling` layer draws
 * `z = mean + exp(logVar / 2) * eps` (the reparameterization trick) with noise from latentkit's seeds, never
 * `Math.random`; the decoder maps `z` back to the likelihood's parameters. Training minimizes
 * `reconstruction + beta * KL` per example (closed-form KL against `N(0, I)`), all in nats, through
 * latentkit's loop: `fit` takes the usual options and returns a history with `loss`, `reconstruction`,
 * `kl`, `elbo`, `beta` and, with validation data, `valLoss`, `valReconstruction`, `valKl`, `valElbo`.
 *
 * - `architecture: 'dense'` (default): `inputShape` (`[784]` or `[28, 28, 1]`), `hiddenUnits` (default `[512]`).
 * - `architecture: 'conv'`: the conv stack of {@link ConvStackConfig}, mirrored in the decoder, output the input's shape.
 *
 * @param config - see {@link DenseVAEConfig}, {@link ConvVAEConfig}; defaults: `likelihood: 'bernoulli'`,
 *   `beta: 1`, `klWarmupEpochs: 0`, `freeBits: 0`, `activation: 'relu'`.
 * @returns a {@link VariationalAutoencoder} (`kind: 'vae'`).
 * @throws ConfigError naming the field at fault (`VAE.latentDim`, `VAE.filters`, ...).
 *
 * Saved and loaded as the kind `'vae'`, with the number of epochs trained, so a loaded VAE's KL warm-up
 * continues where it was.
 *
 * @example
 * ```ts
 * const vae = VAE({ architecture: 'conv', inputShape: [28, 28, 1], filters: [32, 64], latentDim: 16, klWarmupEpochs: 5, seed: 1 });
 * const history = await vae.fit(images, { epochs: 20, batchSize: 128, validationSplit: 0.1 });
 * const { perExample, mean } = vae.elbo(testImages);   // nats
 * const samples = vae.sample(64, { seed: 2 });          // [64, 28, 28, 1]
 * ```
 * @category Models
 */
export function VAE(config: VAEConfig): VariationalAutoencoder {
  const { resolved, spec } = resolveVAEConfig(config);
  return new VAEHandle(resolved, buildVAE(resolved, spec));
}

defineModelKind<VariationalAutoencoder>({
  kind: 'vae',
  // latentkit 0.1.0 saved the architecture as `kind`.
  upgradeConfig: ({ kind, ...config }) => (kind === undefined || 'architecture' in config ? config : { architecture: kind, ...config }),
  rebuild: (config) => VAE(config as unknown as VAEConfig),
  // The full model holds every weight (encoder and decoder share them; a learned variance is a weight of its last layer).
  parts: (vae) => ({ model: vae.model }),
});

