/**
 * `save` for latentkit model handles: each part of the handle (its named `tf.LayersModel`s, see
 * {@link ModelParts}) with the handle's kind and config, so that {@link load} rebuilds it.
 *
 * In a Node folder a save writes:
 * ```
 * <dir>/latentkit.json          { format, kind, config, latentkitVersion, savedAt, parts, saveId, state,
 *                               files: { <path>: SHA-256 }, checksum }, human-readable
 * <dir>/model.json, weights.bin the first part (the full model of an autoencoder), as tfjs writes them
 * <dir>/<part>/model.json, ...  each further part (a GAN's discriminator, say)
 * ```
 * Every `model.json` also carries the same record in `userDefinedMetadata.latentkit` and the SHA-256 of
 * its topology and weights in `userDefinedMetadata.latentkitIntegrity`, so that saves to browser storage
 * (`indexeddb://name`, `localstorage://name`) or to any `tf.io.IOHandler` load, and are checked, too.
 *
 * A folder save is all or nothing (see `atomicFolder.ts`): written beside the folder, swapped in by
 * rename. The weights of all parts are read in one synchronous pass first, so a save made while the model
 * trains (from a callback, or concurrently) holds the weights of one moment, never a mix.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, LatentkitError } from '../core/errors.js';
import { isRecord } from '../core/options.js';
import { queued, writeFolderAtomically, type FolderFile } from './atomicFolder.js';
import { MODEL_JSON, WEIGHTS_BIN, folderAccess, modelFiles } from './fileSystem.js';
import { assertFiniteArtifacts, checksumsAvailable, partIntegrity, sha256Hex } from './integrity.js';
import { partStorage, resolveStore, type ModelLocation, type Store } from './location.js';
import { LATENTKIT_JSON, folderRecordText, jsonData, type SavedModelInfo } from './record.js';
import { checkPartNames, listKinds, modelKind, type ModelKindDefinition, type ModelParts, type SavableHandle } from './registry.js';
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
  const h = handle as Partial<SavableHandle> & { isDisposed?: unknown };
  if (typeof h.kind !== 'string' || !isRecord(h.config)) {
    const hint = handle instanceof tfl.LayersModel ? ' (this is a tf.LayersModel: save the handle it came from, or use model.save(fileSystemHandler(dir)))' : '';
    throw new ConfigError(parameter, handle, `a latentkit model handle with a kind and a config (from undercompleteAE, denoisingAE, ...)${hint}`);
  }
  if (h.isDisposed === true) throw new ConfigError(parameter, 'a disposed handle', 'a handle that has not been disposed');
  const kind = modelKind(h.kind);
  if (kind === undefined) {
    throw new ConfigError(`${parameter}.kind`, h.kind, `a registered model kind (known kinds ${listKinds()}; see defineModelKind)`);
  }
  return { handle: h as SavableHandle, kind };
}

/**
 * The artifacts of every part, from one synchronous read of all their weights (clones share the weights'
 * data, so training may go on while they are encoded).
 */
async function snapshot(parts: ModelParts, names: readonly string[]): Promise<tf.io.ModelArtifacts[]> {
  const taken = names.map((name) => {
    const model = parts[name]!;
    try {
      return {
        model,
        topology: model.toJSON(null, false) as object,
        weights: model.weights.map((w) => ({ name: w.originalName, tensor: tf.clone(w.read()) })),
      };
    } catch (e) {
      throw new LatentkitError(`latentkit: save: the part '${name}' cannot be read (${e instanceof Error ? e.message : String(e)}); was the model disposed?`);
    }
  });
  try {
    return await Promise.all(
      taken.map(async ({ model, topology, weights }) => {
        const { data, specs } = await tf.io.encodeWeights(weights);
        const own = model.getUserDefinedMetadata();
        return {
          modelTopology: topology,
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
          convertedBy: null,
          weightData: data,
          weightSpecs: specs,
          ...(own ? { userDefinedMetadata: own } : {}),
        } as tf.io.ModelArtifacts;
      }),
    );
  } finally {
    tf.dispose(taken.flatMap((t) => t.weights.map((w) => w.tensor)));
  }
}

/** A part's artifacts with latentkit's record and their checksums in `userDefinedMetadata`. */
async function withRecord(artifacts: tf.io.ModelArtifacts, info: SavedModelInfo): Promise<tf.io.ModelArtifacts> {
  const userDefinedMetadata: Record<string, unknown> = { ...(artifacts.userDefinedMetadata ?? {}), latentkit: info };
  if (checksumsAvailable()) userDefinedMetadata['latentkitIntegrity'] = await partIntegrity(artifacts);
  return { ...artifacts, userDefinedMetadata: userDefinedMetadata as {} };
}

/** A random id for one save (format 2 records it in every part). */
function newSaveId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  return c?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

/** Writes a folder save, all or nothing: every part's files, then latentkit.json, swapped in at once. */
async function saveToFolder(dir: string, names: readonly string[], artifacts: tf.io.ModelArtifacts[], info: SavedModelInfo): Promise<Record<string, string>> {
  const node = await folderAccess('save');
  const files: FolderFile[] = [];
  const stored: Record<string, string> = {};
  names.forEach((name, i) => {
    const prefix = i === 0 ? '' : `${name}/`;
    const { modelJson, weights } = modelFiles(artifacts[i]!);
    files.push({ path: `${prefix}${WEIGHTS_BIN}`, data: weights }, { path: `${prefix}${MODEL_JSON}`, data: modelJson });
    stored[name] = node.path.join(dir, ...(i === 0 ? [] : [name]), MODEL_JSON);
  });
  const checksums: Record<string, string> = {};
  for (const f of files) checksums[f.path] = await sha256Hex(typeof f.data === 'string' ? f.data : f.data);
  // Written last: a folder with a latentkit.json holds a complete save.
  files.push({ path: LATENTKIT_JSON, data: await folderRecordText(info, checksums) });
  await writeFolderAtomically(node, dir, files);
  return stored;
}

/** Writes each part through its handler (browser storage, IOHandlers), one save to a location at a time. */
async function saveToHandlers(store: Store, names: readonly string[], artifacts: tf.io.ModelArtifacts[]): Promise<Record<string, string>> {
  const write = async () => {
    const stored: Record<string, string> = {};
    for (const [index, name] of names.entries()) {
      const { handler, where } = await partStorage(store, name, index, 'save', names.length);
      if (typeof handler.save !== 'function') throw new ConfigError('save.location', handler, 'a tf.io.IOHandler with a save method');
      await handler.save(artifacts[index]!);
      stored[name] = where;
    }
    return stored;
  };
  if (store.type !== 'url') return write();
  // Two saves to one URL must not interleave their parts: queued here, and across tabs by the Web Locks API where there is one.
  const locks = (globalThis as { navigator?: { locks?: { request(name: string, fn: () => Promise<unknown>): Promise<unknown> } } }).navigator?.locks;
  const run = () => (locks ? (locks.request(`latentkit-save:${store.url}`, write) as Promise<Record<string, string>>) : write());
  return queued(`url:${store.url}`, run);
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
  const state = typeof h.trainingState === 'function' ? (jsonData(h.trainingState(), 'save.handle.trainingState') as Record<string, unknown>) : undefined;
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
    saveId: newSaveId(),
    ...(state === undefined ? {} : { state }),
  };
  // The weights are read now, synchronously; the rest waits for earlier saves to the same location, so that
  // saves to one location complete in call order (the last call's model is what stays there).
  const taken = snapshot(parts, names);
  taken.catch(() => undefined); // awaited by finishSave; a rejection while queued is not unhandled
  const queueKey = store.type === 'folder' ? `folder:${store.dir}` : store.type === 'url' ? `url:${store.url}` : undefined;
  const finish = () => finishSave(h.kind, names, taken, info, store);
  return queueKey === undefined ? finish() : queued(`save:${queueKey}`, finish);
}

/** The part of {@link save} after its synchronous weight snapshot: checks, records, writes. */
async function finishSave(kind: string, names: readonly string[], taken: Promise<tf.io.ModelArtifacts[]>, info: SavedModelInfo, store: Store): Promise<SaveSummary> {
  const raw = await taken;
  names.forEach((name, i) => {
    try {
      assertFiniteArtifacts(raw[i]!, `${kind} part '${name}'`);
    } catch (e) {
      throw new ConfigError('save.handle', `a '${kind}' model with non-finite weights`, `finite weights, which load() requires (${(e as Error).message.replace(/^latentkit: /, '')})`);
    }
  });
  const artifacts = await Promise.all(raw.map((a) => withRecord(a, info)));
  const stored = store.type === 'folder' ? await saveToFolder(store.dir, names, artifacts, info) : await saveToHandlers(store, names, artifacts);
  const weightBytes = artifacts.reduce((sum, a) => sum + (a.weightData === undefined ? 0 : tf.io.CompositeArrayBuffer.join(a.weightData).byteLength), 0);
  return { info, parts: stored, weightBytes };
}
