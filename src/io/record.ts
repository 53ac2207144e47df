/**
 * latentkit's record of a save (format, kind, config, version, date, parts): written as `latentkit.json`
 * in a folder and as `userDefinedMetadata.latentkit` in every stored `model.json`, and read back from
 * either.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { ConfigError, describeValue } from '../core/errors.js';
import { isRecord } from '../core/options.js';
import { setAsideSave } from './atomicFolder.js';
import { ModelFileError } from './errors.js';
import { MODEL_JSON, folderAccess, parseModelJson, readModelFile } from './fileSystem.js';
import { checksumsAvailable, sha256Hex } from './integrity.js';
import { loadArtifacts, partStorage, resolveStore, type ModelLocation, type Store } from './location.js';
import { LATENTKIT_VERSION, SAVE_FORMAT } from './version.js';

/** File name of latentkit's own record in a save folder. */
export const LATENTKIT_JSON = 'latentkit.json';

/**
 * latentkit's record of a save: `latentkit.json` in a folder, and `userDefinedMetadata.latentkit` in
 * every stored `model.json`.
 * @category Save and load
 */
export interface SavedModelInfo {
  /** Save format: 2 for this latentkit (which reads any format up to its own; 1 had no checksums). */
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
  /** Format 2: a random id shared by every part of one save, so that parts of different saves are told apart. */
  saveId?: string;
  /** Format 2: training progress the handle restores on load (`epochsTrained`, a GAN's update counts...). */
  state?: Record<string, unknown>;
}

/**
 * `latentkit.json` of a folder save: the record, the SHA-256 of every other file of the save (paths
 * relative to the folder), and the SHA-256 of the record itself (see {@link recordChecksum}).
 */
export interface FolderRecord extends SavedModelInfo {
  files: Record<string, string>;
  checksum: string;
}

/** The SHA-256 of a record without its `checksum`, as `JSON.stringify(record, null, 2)` writes it. */
export function recordChecksum(record: Omit<FolderRecord, 'checksum'>): Promise<string> {
  return sha256Hex(JSON.stringify(record, null, 2));
}

/** The text of `latentkit.json`: the record, the files' checksums, the record's own checksum. */
export async function folderRecordText(info: SavedModelInfo, files: Record<string, string>): Promise<string> {
  const record = { ...info, files };
  return `${JSON.stringify({ ...record, checksum: await recordChecksum(record) }, null, 2)}\n`;
}

/** A deep copy of `value` if it is JSON data; otherwise a ConfigError naming the first bad entry. */
export function jsonData(value: unknown, parameter: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (Array.isArray(value)) {
    return value.map((v, i) => jsonData(v, `${parameter}[${i}]`));
  } else if (isRecord(value)) {
    // A plain object of any realm (a worker's, an iframe's): its prototype is a root prototype, or none.
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === null || Object.getPrototypeOf(proto) === null) {
      const out: Record<string, unknown> = {};
      // An absent optional field (undefined) is left out, as JSON.stringify does.
      for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = jsonData(v, `${parameter}.${k}`);
      return out;
    }
  }
  throw new ConfigError(parameter, value, 'JSON data (finite numbers, strings, booleans, null, arrays, plain objects) so that it can be saved');
}

/** Wraps a handler so that the artifacts it saves carry latentkit's record, without touching the model. */
export function withLatentkitMetadata(handler: tf.io.IOHandler, info: SavedModelInfo): tf.io.IOHandler {
  return {
    save: (artifacts) =>
      handler.save!({
        ...artifacts,
        userDefinedMetadata: { ...(artifacts.userDefinedMetadata ?? {}), latentkit: info as unknown as {} },
      }),
  };
}

/** Checks a parsed record and returns it typed; `file` is named in errors. */
export function checkInfo(raw: unknown, file: string): SavedModelInfo {
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
  const { saveId, state } = raw;
  if (format >= 2 && (typeof saveId !== 'string' || saveId === '')) {
    throw new ModelFileError(file, `saveId = ${describeValue(saveId)}: expected the id that save format ${format} gives every save`);
  }
  if (state !== undefined && !isRecord(state)) throw new ModelFileError(file, `state = ${describeValue(state)}: expected an object such as { epochsTrained: 3 }`);
  return {
    format,
    kind,
    config,
    latentkitVersion: typeof raw.latentkitVersion === 'string' ? raw.latentkitVersion : 'unknown',
    savedAt: typeof raw.savedAt === 'string' ? raw.savedAt : 'unknown',
    parts: (parts as string[] | undefined) ?? [],
    ...(typeof saveId === 'string' ? { saveId } : {}),
    ...(isRecord(state) ? { state } : {}),
  };
}

/** Checks the checksums a format-2 `latentkit.json` carries: its own, and the list of the other files'. */
async function checkFolderRecord(raw: Record<string, unknown>, info: SavedModelInfo, file: string): Promise<Record<string, string> | undefined> {
  if (info.format < 2) return undefined;
  const { files, checksum, ...rest } = raw;
  if (!isRecord(files) || !Object.values(files).every((v) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v)) || typeof checksum !== 'string') {
    throw new ModelFileError(file, 'has no valid files and checksum entries: expected the SHA-256 of every file of the save, as save format 2 writes them');
  }
  if (checksumsAvailable() && (await recordChecksum({ ...rest, files } as Omit<FolderRecord, 'checksum'>)) !== checksum) {
    throw new ModelFileError(file, 'does not match its own SHA-256 checksum: it was edited or damaged after the save');
  }
  return files as Record<string, string>;
}

/** A save whose record has been read. */
export interface OpenedSave {
  store: Store;
  info: SavedModelInfo;
  /** The file the record came from, named in errors about it. */
  infoFile: string;
  /** Artifacts already read (the first part, when the record came from its metadata), by `where`. */
  read: Map<string, tf.io.ModelArtifacts>;
  /** A folder save of format 2: the SHA-256 of each of its files, by path relative to the folder. */
  files?: Record<string, string>;
}

/** Reads latentkit's record: `latentkit.json` in a folder, else the first part's `userDefinedMetadata.latentkit`. */
export async function openSave(location: unknown): Promise<OpenedSave> {
  const store = resolveStore(location, 'load');
  const read = new Map<string, tf.io.ModelArtifacts>();
  let missingJson: string | undefined;
  if (store.type === 'folder') {
    const node = await folderAccess('load');
    // A path to one of the save's files stands for its folder.
    const base = node.path.basename(store.dir);
    if (base === LATENTKIT_JSON || base === MODEL_JSON) store.dir = node.path.dirname(store.dir);
    // A save interrupted between its two renames left the previous save complete beside the folder.
    store.dir = (await setAsideSave(node, node.path.resolve(store.dir))) ?? store.dir;
    const file = node.path.join(store.dir, LATENTKIT_JSON);
    const bytes = await readModelFile(node, file, LATENTKIT_JSON, true);
    if (bytes !== undefined) {
      const raw = parseModelJson(bytes, file);
      const info = checkInfo(raw, file);
      const files = await checkFolderRecord(raw as Record<string, unknown>, info, file);
      return { store, info, infoFile: file, read, ...(files ? { files } : {}) };
    }
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
 * @category Save and load
 */
export async function readModelInfo(location: ModelLocation): Promise<SavedModelInfo> {
  return (await openSave(location)).info;
}
