/**
 * Save and load for GANs: the generator and the discriminator are saved as two parts (the generator at
 * the location, the discriminator in its `discriminator/` subfolder), and the handle is rebuilt from the
 * saved config. A GAN's kind is its architecture (`dense` or `dcgan`), so both names are registered.
 * @module
 */
import { GAN, type GANConfig, type GenerativeAdversarialNetwork } from '../models/gan.js';
import { registerModelKind } from './registry.js';

/** Fields the resolved config writes out for every GAN but the builder accepts only for the other kind. */
const OTHER_KIND_FIELDS: Record<'dense' | 'dcgan', string[]> = {
  dense: ['generatorFilters', 'discriminatorFilters', 'kernelSize'],
  dcgan: ['generatorUnits', 'discriminatorUnits'],
};

for (const kind of ['dense', 'dcgan'] as const) {
  registerModelKind<GenerativeAdversarialNetwork>(kind, {
    rebuild: (config) => {
      const own = Object.fromEntries(Object.entries(config).filter(([k]) => !OTHER_KIND_FIELDS[kind].includes(k)));
      return GAN(own as unknown as GANConfig);
    },
    parts: (gan) => ({ generator: gan.generator, discriminator: gan.discriminator }),
  });
}
