/**
 * Version numbers written into every save: the latentkit release, and the save format it writes.
 *
 * @example
 * ```ts
 * console.log(`latentkit ${LATENTKIT_VERSION} writes save format ${SAVE_FORMAT}`);
 * ```
 * @module
 */

/**
 * The latentkit release, recorded in `latentkit.json` as `latentkitVersion`. A test checks that it
 * equals `package.json`'s version (kept as a constant so that browser bundles need no JSON import).
 */
export const LATENTKIT_VERSION = '0.1.0';

/**
 * The save format this latentkit writes and the newest it reads. Raise it when a change to the saved
 * files would make an older latentkit misread them; `load` refuses files with a larger number.
 * - 1 (latentkit 0.1.0): the record, the parts as tfjs writes them.
 * - 2: SHA-256 checksums of every file (`latentkit.json`'s `files` and `checksum`) and of every part's
 *   topology and weights (`userDefinedMetadata.latentkitIntegrity`), a `saveId` shared by the parts of one
 *   save, the handle's training `state` (`epochsTrained`, ...).
 */
export const SAVE_FORMAT = 2;
