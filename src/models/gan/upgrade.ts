/**
 * Configs saved by earlier versions of latentkit, in today's form: `GAN(upgradeGANConfig(saved))` builds
 * the networks the save was made from, whatever defaults have changed since.
 * @module
 */
import { DCGAN_ONLY, DENSE_ONLY, type GANArchitecture } from './config.js';

/**
 * Fields added after configs could be saved, with the value that builds what a save without them was
 * made from (a resolved config holds every field, so a missing one means an older save).
 */
const ADDED: Readonly<Record<string, unknown>> = { minibatchStddev: false, packing: 1, discriminatorDropout: 0, discriminatorBatchNorm: false, selfConditioning: false };

/**
 * A saved config in today's form: a config of latentkit 0.1.0 (saved under the kind `'dense'` or
 * `'dcgan'`) gets its `kind` as the `architecture` and loses the fields it wrote out for the other
 * architecture (empty lists, `kernelSize: 0`); fields added since get the values that rebuild the saved
 * networks, not today's defaults.
 */
export function upgradeGANConfig(config: Record<string, unknown>, savedKind: string): Record<string, unknown> {
  let c = config;
  if (c['architecture'] === undefined) {
    const { kind, ...rest } = c;
    const architecture = (kind ?? savedKind) as GANArchitecture;
    const drop = architecture === 'dense' ? DCGAN_ONLY : DENSE_ONLY;
    c = { architecture, ...Object.fromEntries(Object.entries(rest).filter(([k]) => !drop.includes(k))) };
  }
  const missing = Object.entries(ADDED).filter(([k]) => c[k] === undefined);
  if (c['numClasses'] !== undefined && c['conditioning'] === undefined) missing.push(['conditioning', 'concat']);
  return missing.length === 0 ? c : { ...c, ...Object.fromEntries(missing) };
}
