/**
 * `save` and `load` for latentkit model handles. A save stores each part of the handle (its named
 * `tf.LayersModel`s, see {@link ModelParts}) with the handle's kind and config; a load rebuilds the
 * handle from the config with the registered builder and copies the saved weights into it.
 *
 * In a Node folder a save writes:
 * ```
 * <dir>/latentkit.json          { format, kind, config, latentkitVersion, savedAt, parts }, human-readable
 * <dir>/model.json, weights.bin the first part (the full model of an autoencoder), as tfjs writes them
 * <dir>/<part>/model.json, ...  each further part (a GAN's discriminator, say)
 * ```
 * Every `model.json` also carries the same record in `userDefinedMetadata.latentkit`, so that saves to
 * browser storage (`indexeddb://name`, `localstorage://name`) or to any `tf.io.IOHandler` load too.
 *
 * @example
 * ```ts
 * import { save, load, undercompleteAE, type Autoencoder } from 'latentkit';
 *
 * const ae = undercompleteAE({ inputDim: 784, codeDim: 32, seed: 1 });
 * await ae.fit(images, { epochs: 5 });
 * await save(ae, 'models/digits');                 // Node; 'indexeddb://digits' in a browser
 * const again = await load<Autoencoder>('models/digits');
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, LatentkitError, describeValue } from '../errors.js';
import { disposeModelWeights } from '../models/disposeModels.js';
import { ModelFileError } from './errors.js';
import {
  MODEL_JSON,
  fileSystemHandler,
  nodeModules,
  parseModelJson,
  readModelFile,
  stripFileScheme,
  writeFileAtomically,
} from './fileSystem.js';
import './kinds.js';
import './vaeKind.js';
import './ganKind.js';
import {
  checkPartNames,
  copyLayersModelWeights,
  listKinds,
  modelKind,
  type LoadOptions,
  type ModelKind,
  type SavableHandle,
} from './registry.js';
import { LATENTKIT_VERSION, SAVE_FORMAT } from './version.js';

/** File name of latentkit's own record in a save folder. */
export const LATENTKIT_JSON = 'latentkit.json';

/**
 * Where a model is saved or loaded from:
 * - a folder path in Node (or a `file://` URL of it);
 * - a tfjs storage URL such as `'indexeddb://name'` or `'localstorage://name'` in a browser (any URL a
 *   registered `tf.io` router accepts);
 * - a `tf.io.IOHandler` (for kinds with a single part);
 * - an object giving one `tf.io.IOHandler` per part name (`{ generator: h1, discriminator: h2 }`).
 *
 * With a folder or URL, the first part is stored at the location itself and each further part at
 * `<location>/<part>`.
 *
 * @example
 * ```ts
 * const places: ModelLocation[] = ['models/ae', 'indexeddb://ae', tf.io.withSaveHandler(async (a) => ...)];
 * ```
 */
export type ModelLocation = string | tf.io.IOHandler | Readonly<Record<string, tf.io.IOHandler>>;

/**
 * latentkit's record of a save: `latentkit.json` in a folder, and `userDefinedMetadata.latentkit` in
 * every stored `model.json`.
 *
 * @example
 * ```ts
 * const info: SavedModelInfo = await readModelInfo('models/ae');
 * info.kind;   // 'undercomplete'
 * info.config; // { inputDim: 784, hiddenUnits: [], codeDim: 32, ..., seed: 1 }
 * ```
 */
export interface SavedModelInfo {
  /** Save format; this latentkit writes and reads {@link SAVE_FORMAT}. */
  format: number;
  /** The registered kind that rebuilds the handle. */
  kind: string;
  /** The builder's config with every default filled in (JSON data). */
  config: Record<string, unknown>;
  /** The latentkit release that saved it. */
  latentkitVersion: string;
  /** When it was saved, ISO 8601. */
  savedAt: string;
  /** The part names, in storage order (the first at the location itself). */
  parts: string[];
}

/**
 * What {@link save} stored.
 *
 * @example
 * ```ts
 * const { parts, weightBytes } = await save(ae, 'models/ae');
 * parts.model; // 'models/ae/model.json'
 * ```
 */
export interface SaveSummary {
  /** The record written (also the content of `latentkit.json` in a folder). */
  info: SavedModelInfo;
  /** Where each part went: its `model.json` path, its URL, or `'(IOHandler)'`. */
  parts: Record<string, string>;
  /** Bytes of weights written over all parts. */
  weightBytes: number;
}

type Store =
  | { type: 'folder'; dir: string }
  | { type: 'url'; url: string }
  | { type: 'handler'; handler: tf.io.IOHandler }
  | { type: 'handlers'; handlers: Readonly<Record<string, tf.io.IOHandler>> };

type Mode = 'save' | 'load';

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIOHandler(value: unknown): value is tf.io.IOHandler {
  return isRecord(value) && (typeof value.save === 'function' || typeof value.load === 'function');
}

function resolveStore(location: unknown, mode: Mode): Store {
  const parameter = `${mode}.location`;
  if (typeof location === 'string') {
    if (location.trim() === '') throw new ConfigError(parameter, location, "a folder path, a URL such as 'indexeddb://name', or a tf.io.IOHandler");
    if (URL_SCHEME.test(location) && !location.startsWith('file://')) return { type: 'url', url: location };
    return { type: 'folder', dir: stripFileScheme(location) };
  }
  if (isIOHandler(location)) return { type: 'handler', handler: location };
  if (isRecord(location) && Object.keys(location).length > 0 && Object.values(location).every(isIOHandler)) {
    return { type: 'handlers', handlers: location as Record<string, tf.io.IOHandler> };
  }
  throw new ConfigError(
    parameter,
    location,
    "a folder path, a URL such as 'indexeddb://name', a tf.io.IOHandler, or { <part>: tf.io.IOHandler }",
  );
}

function urlHandler(url: string, mode: Mode): tf.io.IOHandler {
  const handlers = mode === 'save' ? tf.io.getSaveHandlers(url) : tf.io.getLoadHandlers(url);
  if (handlers.length === 0) {
    throw new ConfigError(
      `${mode}.location`,
      url,
      `a URL some tf.io handler can ${mode} here (indexeddb:// and localstorage:// need a browser; in Node pass a folder path)`,
    );
  }
  if (handlers.length > 1) {
    throw new ConfigError(`${mode}.location`, url, `a URL exactly one tf.io handler accepts (${handlers.length} do); pass a tf.io.IOHandler instead`);
  }
  return handlers[0]!;
}

interface PartStorage {
  handler: tf.io.IOHandler;
  /** Names the stored part in messages and in {@link SaveSummary.parts}. */
  where: string;
}

/**
 * The storage of the part `name`, stored `index`-th. `name` may be omitted for the first part, which is
 * stored at the location itself (or, for a per-part handler object, under its first key).
 */
async function partStorage(store: Store, name: string | undefined, index: number, mode: Mode, partCount: number): Promise<PartStorage> {
  switch (store.type) {
    case 'folder': {
      const { path } = await nodeModules(mode);
      const folder = index === 0 ? store.dir : path.join(store.dir, name!);
      return { handler: fileSystemHandler(folder), where: path.join(folder, MODEL_JSON) };
    }
    case 'url': {
      const url = index === 0 ? store.url : `${store.url.replace(/\/+$/, '')}/${name}`;
      return { handler: urlHandler(url, mode), where: url };
    }
    case 'handler':
      if (index > 0) {
        throw new ConfigError(
          `${mode}.location`,
          store.handler,
          `a folder, a URL, or one tf.io.IOHandler per part ({ ${name}: handler, ... }): this model has ${partCount} parts`,
        );
      }
      return { handler: store.handler, where: '(IOHandler)' };
    case 'handlers': {
      const key = name ?? Object.keys(store.handlers)[0]!;
      const handler = store.handlers[key];
      if (handler === undefined) {
        throw new ConfigError(`${mode}.location.${key}`, undefined, `a tf.io.IOHandler for the part '${key}'`);
      }
      return { handler, where: `(IOHandler for part '${key}')` };
    }
  }
}

/** A deep copy of `value` if it is JSON data; otherwise a ConfigError naming the first bad entry. */
function jsonData(value: unknown, parameter: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (Array.isArray(value)) {
    return value.map((v, i) => jsonData(v, `${parameter}[${i}]`));
  } else if (isRecord(value)) {
    const proto = Object.getPrototypeOf(value) as unknown;
    if (proto === Object.prototype || proto === null) {
      const out: Record<string, unknown> = {};
      // An absent optional field (undefined) is left out, as JSON.stringify does.
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonData(v, `${parameter}.${k}`);
      return out;
    }
  }
  throw new ConfigError(parameter, value, 'JSON data (finite numbers, strings, booleans, null, arrays, plain objects) so that it can be saved');
}

function checkHandle(handle: unknown, parameter: string): { handle: SavableHandle; kind: ModelKind } {
  if (typeof handle !== 'object' || handle === null) {
    throw new ConfigError(parameter, handle, 'a latentkit model handle (from undercompleteAE, denoisingAE, ...)');
  }
  const h = handle as Partial<SavableHandle>;
  if (typeof h.kind !== 'string' || !isRecord(h.config)) {
    throw new ConfigError(parameter, handle, 'a latentkit model handle with a kind and a config (from undercompleteAE, denoisingAE, ...)');
  }
  const kind = modelKind(h.kind);
  if (kind === undefined) {
    throw new ConfigError(`${parameter}.kind`, h.kind, `a registered model kind (known kinds ${listKinds()}; see registerModelKind)`);
  }
  return { handle: h as SavableHandle, kind };
}

/** Wraps a handler so that the artifacts it saves carry latentkit's record, without touching the model. */
function withLatentkitMetadata(handler: tf.io.IOHandler, info: SavedModelInfo): tf.io.IOHandler {
  return {
    save: (artifacts) =>
      handler.save!({
        ...artifacts,
        userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), latentkit: info as unknown as {} },
      }),
  };
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
    const { fs, path } = await nodeModules('save');
    await writeFileAtomically(fs, path.join(store.dir, LATENTKIT_JSON), `${JSON.stringify(info, null, 2)}\n`);
  }
  return { info, parts: stored, weightBytes };
}

/** Checks a parsed record and returns it typed; `file` is named in errors. */
function checkInfo(raw: unknown, file: string): SavedModelInfo {
  if (!isRecord(raw)) {
    throw new ModelFileError(file, `holds ${describeValue(raw)}: expected an object { format, kind, config, ... } written by latentkit's save()`);
  }
  const { format, kind, config, parts } = raw;
  if (typeof format === 'number' && Number.isInteger(format) && format > SAVE_FORMAT) {
    throw new ModelFileError(
      file,
      `file format ${format}, this latentkit (${LATENTKIT_VERSION}) reads format ${SAVE_FORMAT}: upgrade latentkit to load it`,
    );
  }
  if (typeof format !== 'number' || !Number.isInteger(format) || format < 1) {
    throw new ModelFileError(file, `format = ${describeValue(format)}: expected the integer ${SAVE_FORMAT}`);
  }
  if (typeof kind !== 'string' || kind === '') {
    throw new ModelFileError(file, `kind = ${describeValue(kind)}: expected the name of a model kind such as 'undercomplete'`);
  }
  if (!isRecord(config)) {
    throw new ModelFileError(file, `config = ${describeValue(config)}: expected the builder's config object`);
  }
  if (parts !== undefined && (!Array.isArray(parts) || parts.length === 0 || !parts.every((p) => typeof p === 'string'))) {
    throw new ModelFileError(file, `parts = ${describeValue(parts)}: expected a list of part names such as ['model']`);
  }
  return {
    format,
    kind,
    config,
    latentkitVersion: typeof raw.latentkitVersion === 'string' ? raw.latentkitVersion : 'unknown',
    savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : 'unknown',
    parts: (parts as string[] | undefined) ?? [],
  };
}

interface OpenedSave {
  store: Store;
  info: SavedModelInfo;
  /** The file the record came from, named in errors about it. */
  infoFile: string;
  /** Artifacts already read (the first part, when the record came from its metadata), by `where`. */
  read: Map<string, tf.io.ModelArtifacts>;
}

async function loadArtifacts(storage: PartStorage): Promise<tf.io.ModelArtifacts> {
  if (typeof storage.handler.load !== 'function') {
    throw new ConfigError('load.location', storage.handler, 'a tf.io.IOHandler with a load method');
  }
  return storage.handler.load();
}

/** Reads latentkit's record: `latentkit.json` in a folder, else the first part's `userDefinedMetadata.latentkit`. */
async function openSave(location: unknown): Promise<OpenedSave> {
  const store = resolveStore(location, 'load');
  const read = new Map<string, tf.io.ModelArtifacts>();
  let missingJson: string | undefined;
  if (store.type === 'folder') {
    const node = await nodeModules('load');
    // A path to one of the save's files stands for its folder.
    const base = node.path.basename(store.dir);
    if (base === LATENTKIT_JSON || base === MODEL_JSON) store.dir = node.path.dirname(store.dir);
    const file = node.path.join(store.dir, LATENTKIT_JSON);
    const bytes = await readModelFile(node, file, LATENTKIT_JSON, true);
    if (bytes !== undefined) return { store, info: checkInfo(parseModelJson(bytes, file), file), infoFile: file, read };
    missingJson = file;
  }
  // No latentkit.json (browser storage, an IOHandler, or a folder whose latentkit.json was lost): the
  // same record travels in the first part's model.json.
  const first = await partStorage(store, undefined, 0, 'load', 1);
  const artifacts = await loadArtifacts(first);
  read.set(first.where, artifacts);
  const meta = artifacts.userDefinedMetadata?.['latentkit'];
  if (meta === undefined) {
    if (missingJson !== undefined) {
      throw new ModelFileError(
        missingJson,
        `not found, and ${first.where} carries no latentkit record (userDefinedMetadata.latentkit): expected a folder written by latentkit's save()`,
      );
    }
    throw new ModelFileError(first.where, "carries no latentkit record (userDefinedMetadata.latentkit): expected a model written by latentkit's save()");
  }
  return { store, info: checkInfo(meta, first.where), infoFile: first.where, read };
}

/**
 * Reads the record of a save (kind, config, format, version, date, parts) without loading any weights
 * when the location is a folder with a `latentkit.json`.
 *
 * @param location - as for {@link load}.
 * @throws ModelFileError when the record is missing, corrupt or from a newer save format.
 * @example
 * ```ts
 * const { kind, config } = await readModelInfo('models/dae');
 * if (kind === 'denoising' && (config.noise as { kind: string }).kind === 'custom') { ... }
 * ```
 */
export async function readModelInfo(location: ModelLocation): Promise<SavedModelInfo> {
  return (await openSave(location)).info;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Loads a handle written by {@link save}: reads the record, rebuilds the handle with the builder
 * registered for its kind and the saved config (the saved seed rebuilds the same layers), then
 * overwrites every weight of every part with the saved values, checking that names and shapes match.
 * The result is the same kind of handle, with the same config, computing bitwise the same outputs on
 * the same backend.
 *
 * A denoising model saved with a custom noise function (its config records `noise: { kind: 'custom' }`)
 * cannot restore that function: pass it again as `options.noise`, or loading throws a ConfigError
 * naming `load.noise`. Model kinds from elsewhere must be registered ({@link registerModelKind}) before
 * their saves load.
 *
 * @typeParam H - the handle type you expect (`Autoencoder` for latentkit's autoencoders); not checked,
 *   use {@link readModelInfo} first or check `handle.kind` when unsure.
 * @param location - a folder in Node (or its `latentkit.json` / `model.json`), a browser storage URL, an
 *   IOHandler or one IOHandler per part; see {@link ModelLocation}.
 * @param options - see {@link LoadOptions}.
 * @returns a new handle; the caller disposes it.
 * @throws ModelFileError for a missing file (named), a truncated weights file (expected and found bytes),
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
 */
export async function load<H extends SavableHandle = SavableHandle>(location: ModelLocation, options: LoadOptions = {}): Promise<H> {
  if (!isRecord(options)) throw new ConfigError('load.options', options, 'an options object such as { noise }');
  const { store, info, infoFile, read } = await openSave(location);
  const kind = modelKind(info.kind);
  if (kind === undefined) {
    throw new ModelFileError(
      infoFile,
      `unknown kind '${info.kind}': known kinds ${listKinds()} (a kind from another module must be registered with registerModelKind before load)`,
    );
  }
  let handle: SavableHandle;
  try {
    handle = await kind.rebuild(structuredClone(info.config), options);
  } catch (e) {
    if (e instanceof ConfigError && !e.parameter.startsWith('load.')) {
      throw new ModelFileError(infoFile, `its config does not build a '${info.kind}' model: ${e.message}`, { cause: e });
    }
    throw e;
  }
  try {
    const parts = kind.parts(handle);
    const names = checkPartNames(parts, `${info.kind} parts`);
    if (info.parts.length > 0 && !sameNames(info.parts, names)) {
      throw new ModelFileError(
        infoFile,
        `lists the parts [${info.parts.join(', ')}] but a '${info.kind}' model has [${names.join(', ')}]: the save does not match this kind`,
      );
    }
    for (const [index, name] of names.entries()) {
      const storage = await partStorage(store, name, index, 'load', names.length);
      const artifacts = read.get(storage.where) ?? (await loadArtifacts(storage));
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
        disposeModelWeights([saved]);
      }
    }
  } catch (e) {
    handle.dispose();
    throw e;
  }
  return handle as H;
}
