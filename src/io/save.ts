/**
 * `save` for latentkit model handles: each part of the handle (its named `tf.LayersModel`s, see
 * {@link ModelParts}) with the handle's kind and config, so that {@link load} rebuilds it.
 *
 * In a Node folder a save writes:
 * ```
 * <dir>/latentkit.json          { format, kind, config, latentkitVersion, savedAt, parts }, human-readable
 * <dir>/model.json, weights.bin the first part (the full model of an autoencoder), as tfjs writes them
 * <dir>/<part>/model.json, ...  each further part (a GAN's discriminator, say)
 * ```
 * Every `model.json` also carries the same record in `userDefinedMetadata.latentkit`, so that saves to
 * browser storage (`indexeddb://name`, `localstorage://name`) or to any `tf.io.IOHandler` load too.
 * @module
 */
import { ConfigError } from '../core/errors.js';
import { isRecord } from '../core/options.js';
import { folderAccess, writeFileAtomically } from './fileSystem.js';
import { partStorage, resolveStore, type ModelLocation } from './location.js';
import { LATENTKIT_JSON, jsonData, withLatentkitMetadata, type SavedModelInfo } from './record.js';
import { checkPartNames, listKinds, modelKind, type ModelKindDefinition, type SavableHandle } from './registry.js';
import { LATENTKIT_VERSION, SAVE_FORMAT } from './version.js';

/**
 * What {@link save} stored.
 * @category Save and load
 */
export interface SaveSummary {
  /** The record written (also the content of `latentkit.json` in a folder). */
  info: SavedModelInfo;
  /** Where each part went: its `model.json` path, its URL, or `'(IOHandler)'`. */
  parts: Record<string, string>;
  /** Bytes of weights written over all parts. */
  weightBytes: number;
}

function checkHandle(handle: unknown, parameter: string): { handle: SavableHandle; kind: ModelKindDefinition } {
  if (typeof handle !== 'object' || handle === null) {
    throw new ConfigError(parameter, handle, 'a latentkit model handle (from undercompleteAE, denoisingAE, ...)');
  }
  const h = handle as Partial<SavableHandle>;
  if (typeof h.kind !== 'string' || !isRecord(h.config)) {
    throw new ConfigError(parameter, handle, 'a latentkit model handle with a kind and a config (from undercompleteAE, denoisingAE, ...)');
  }
  const kind = modelKind(h.kind);
  if (kind === undefined) {
    throw new ConfigError(`${parameter}.kind`, h.kind, `a registered model kind (known kinds ${listKinds()}; see defineModelKind)`);
  }
  return { handle: h as SavableHandle, kind };
}

/**
 * Saves a model handle: every part's topology and weights, and its kind and config, so that
 * {@link load} rebuilds an equal handle. The optimizer state and the position of the handle's random
 * streams are not saved: a loaded model's first `fit` without a seed draws the same seed as the
 * original's first `fit` did.
 *
 * In Node, `location` is a folder (created if needed; files already there are replaced); see
 * {@link ModelLocation} for browser URLs and handlers. The `model.json` of each part is a plain tfjs
 * layers model: `tfl.loadLayersModel(fileSystemHandler(dir))` loads the first part without latentkit's
 * wrapper (latentkit's custom layers such as `SeededDropout` register themselves when latentkit is imported).
 *
 * @param handle - a handle from a latentkit builder (or any registered kind).
 * @param location - where to store it; see {@link ModelLocation}.
 * @returns where each part went and how many weight bytes were written.
 * @throws ConfigError when the handle's kind is not registered, its config is not JSON data, or the
 *   location cannot store it (a single IOHandler for a multi-part kind; a browser URL in Node).
 * @example
 * ```ts
 * const dae = denoisingAE({ inputDim: 784, codeDim: 64, noise: { kind: 'masking', rate: 0.3 }, seed: 2 });
 * await dae.fit(images, { epochs: 10 });
 * await save(dae, 'models/dae');           // models/dae/{latentkit.json, model.json, weights.bin}
 * await save(dae, 'indexeddb://dae');      // in a browser
 * ```
 * @category Save and load
 */
export async function save(handle: SavableHandle, location: ModelLocation): Promise<SaveSummary> {
  const { handle: h, kind } = checkHandle(handle, 'save.handle');
  const config = jsonData(h.config, 'save.handle.config') as Record<string, unknown>;
  const parts = kind.parts(h);
  const names = checkPartNames(parts, `${h.kind} parts`);
  const store = resolveStore(location, 'save');
  const info: SavedModelInfo = {
    format: SAVE_FORMAT,
    kind: h.kind,
    config,
    latentkitVersion: LATENTKIT_VERSION,
    savedAt: new Date().toISOString(),
    parts: names,
  };
  const stored: Record<string, string> = {};
  let weightBytes = 0;
  for (const [index, name] of names.entries()) {
    const { handler, where } = await partStorage(store, name, index, 'save', names.length);
    if (typeof handler.save !== 'function') {
      throw new ConfigError(`save.location`, handler, 'a tf.io.IOHandler with a save method');
    }
    const result = await parts[name]!.save(withLatentkitMetadata(handler, info));
    weightBytes += result.modelArtifactsInfo.weightDataBytes ?? 0;
    stored[name] = where;
  }
  if (store.type === 'folder') {
    // Written last: a folder with a latentkit.json holds a complete save.
    const { fs, path } = await folderAccess('save');
    await writeFileAtomically(fs, path.join(store.dir, LATENTKIT_JSON), `${JSON.stringify(info, null, 2)}\n`);
  }
  return { info, parts: stored, weightBytes };
}
