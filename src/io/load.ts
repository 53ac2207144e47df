/**
 * `load` for latentkit model handles: reads the record of a save, rebuilds the handle with the kind's
 * builder and the saved config, and copies the saved weights into it.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, LatentkitError } from '../core/errors.js';
import { OptionsSchema, isRecord } from '../core/options.js';
import { ModelFileError } from './errors.js';
import { MODEL_JSON, WEIGHTS_BIN } from './fileSystem.js';
import { assertFiniteArtifacts, verifyPartIntegrity } from './integrity.js';
import { loadArtifacts, partStorage, type ModelLocation } from './location.js';
import { openSave, type SavedModelInfo } from './record.js';
import { checkPartNames, copyLayersModelWeights, listKinds, modelKind, type LoadOptions, type SavableHandle } from './registry.js';

/** The load options of a kind that takes none. */
const NO_OPTIONS = new OptionsSchema<object>('load', {});

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** JSON equality of plain data. */
function sameData(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Checks a part read from storage: its checksums, finite weights, and that the record it carries is the
 * save's (a part of another save, or metadata edited apart from the rest, is refused).
 */
async function checkPart(artifacts: tf.io.ModelArtifacts, where: string, info: SavedModelInfo, infoFile: string): Promise<void> {
  // In a folder the weights are in weights.bin beside model.json: name that file.
  const weights = where.endsWith(MODEL_JSON) ? `${where.slice(0, -MODEL_JSON.length)}${WEIGHTS_BIN}` : where;
  assertFiniteArtifacts(artifacts, weights);
  await verifyPartIntegrity(artifacts, where, weights);
  const own = artifacts.userDefinedMetadata?.['latentkit'];
  if (own === undefined) return;
  const o = own as Partial<SavedModelInfo>;
  const differs = o.kind !== info.kind || !sameData(o.config, info.config) || (info.saveId !== undefined && o.saveId !== info.saveId) || (info.format >= 2 && !sameData(o.state, info.state));
  if (differs) {
    throw new ModelFileError(
      where,
      `carries a latentkit record (kind, config or save id) that differs from ${infoFile}'s: the parts come from different saves, or a file was edited`,
    );
  }
}

/**
 * Loads a handle written by {@link save}: reads the record, rebuilds the handle with the builder
 * registered for its kind and the saved config (the saved seed rebuilds the same layers), then
 * overwrites every weight of every part with the saved values, checking that names and shapes match.
 * The result is the same kind of handle, with the same config, computing bitwise the same outputs on
 * the same backend.
 *
 * Some kinds take options: a denoising model saved with a custom noise function (its config records
 * `noise: { kind: 'custom' }`) cannot restore that function, so pass it again as `options.noise`, or
 * loading throws a ConfigError naming `load.noise`. An option the saved kind does not take is an error.
 * Saves written by earlier versions (a GAN saved under the kind `'dense'` or `'dcgan'`) load through
 * their kind's upgrade. Model kinds from elsewhere must be defined (`defineModelKind`) before their
 * saves load.
 *
 * @typeParam H - the handle type you expect (`Autoencoder` for latentkit's autoencoders); not checked,
 *   use {@link readModelInfo} first or check `handle.kind` when unsure.
 * @param location - a folder in Node (or its `latentkit.json` / `model.json`), a browser storage URL, an
 *   IOHandler or one IOHandler per part; see {@link ModelLocation}.
 * @param options - the saved kind's load options; see {@link LoadOptions}.
 * @returns a new handle; the caller disposes it.
 * @throws ModelFileError for a missing file (named), a file that fails its SHA-256 checksum (save format
 *   2), a non-finite weight, parts of different saves, a truncated weights file (expected and found bytes),
 *   corrupt JSON, an unknown kind (listing the known ones), a newer save format, a config the builder
 *   rejects, or saved weights that do not fit the rebuilt model.
 * @throws ConfigError for a bad `location` or option (`load.noise`).
 * @example
 * ```ts
 * const ae = await load<Autoencoder>('models/digits');
 * const codes = ae.encode(images);
 * await ae.fit(moreImages, { epochs: 2 });   // training continues from the saved weights
 * const dae = await load<Autoencoder>('models/dae-custom', { noise: myNoise });
 * ```
 * @category Save and load
 */
export async function load<H extends SavableHandle = SavableHandle>(location: ModelLocation, options: LoadOptions = {}): Promise<H> {
  if (!isRecord(options)) throw new ConfigError('load.options', options, 'an options object such as { noise }');
  const { store, info, infoFile, read, files } = await openSave(location);
  const kind = modelKind(info.kind);
  if (kind === undefined) {
    throw new ModelFileError(
      infoFile,
      `unknown kind '${info.kind}': known kinds ${listKinds()} (a kind from another module must be defined with defineModelKind before load)`,
    );
  }
  const given = (kind.loadOptions ?? NO_OPTIONS).check(options, 'load') as Record<string, unknown>;
  let handle: SavableHandle;
  try {
    const config = structuredClone(info.config);
    handle = await kind.rebuild(kind.upgradeConfig ? kind.upgradeConfig(config, info.kind) : config, given);
  } catch (e) {
    if (e instanceof ConfigError && !e.parameter.startsWith('load.')) {
      throw new ModelFileError(infoFile, `its config does not build a '${info.kind}' model: ${e.message}`, { cause: e });
    }
    throw e;
  }
  try {
    const parts = kind.parts(handle);
    const names = checkPartNames(parts, `${kind.kind} parts`);
    if (info.parts.length > 0 && !sameNames(info.parts, names)) {
      throw new ModelFileError(
        infoFile,
        `lists the parts [${info.parts.join(', ')}] but a '${kind.kind}' model has [${names.join(', ')}]: the save does not match this kind`,
      );
    }
    for (const [index, name] of names.entries()) {
      const storage = await partStorage(store, name, index, 'load', names.length, files);
      const artifacts = read.get(storage.where) ?? (await loadArtifacts(storage));
      await checkPart(artifacts, storage.where, info, infoFile);
      let saved: tfl.LayersModel;
      try {
        saved = await tfl.loadLayersModel({ load: async () => artifacts });
      } catch (e) {
        if (e instanceof LatentkitError) throw e;
        const detail = e instanceof Error ? e.message : String(e);
        throw new ModelFileError(storage.where, `does not load as a tfjs layers model (${detail})`, { cause: e });
      }
      try {
        if (kind.receiveWeights) kind.receiveWeights(handle, name, saved, storage.where);
        else copyLayersModelWeights(saved, parts[name]!, storage.where);
      } finally {
        saved.dispose();
      }
    }
    if (info.state !== undefined && typeof handle.restoreTrainingState === 'function') handle.restoreTrainingState(info.state);
  } catch (e) {
    handle.dispose();
    throw e;
  }
  return handle as H;
}
