/**
 * Save locations: a folder in Node, a browser storage URL, one `tf.io.IOHandler`, or one handler per part;
 * and where each part of a model goes in each of them.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError } from '../core/errors.js';
import { isRecord } from '../core/options.js';
import { MODEL_JSON, folderAccess, folderHandler, stripFileScheme } from './fileSystem.js';

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
 * @category Save and load
 */
export type ModelLocation = string | tf.io.IOHandler | Readonly<Record<string, tf.io.IOHandler>>;

/** Where a save goes, once the location is understood. */
export type Store =
  | { type: 'folder'; dir: string }
  | { type: 'url'; url: string }
  | { type: 'handler'; handler: tf.io.IOHandler }
  | { type: 'handlers'; handlers: Readonly<Record<string, tf.io.IOHandler>> };

/** Which way the data flows. */
export type Mode = 'save' | 'load';

const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function isIOHandler(value: unknown): value is tf.io.IOHandler {
  return isRecord(value) && (typeof value.save === 'function' || typeof value.load === 'function');
}

/** Understands a save location, naming `<mode>.location` when it is none of the accepted forms. */
export function resolveStore(location: unknown, mode: Mode): Store {
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

/** Where one part of a model is stored. */
export interface PartStorage {
  handler: tf.io.IOHandler;
  /** Names the stored part in messages and in {@link SaveSummary.parts}. */
  where: string;
}

/** The checksums of one part's files (relative to the part's folder) among a folder save's. */
function partChecksums(files: Readonly<Record<string, string>> | undefined, prefix: string): Record<string, string> | undefined {
  if (files === undefined) return undefined;
  const own = Object.entries(files).filter(([k]) => k.startsWith(prefix) && !k.slice(prefix.length).includes('/'));
  return Object.fromEntries(own.map(([k, v]) => [k.slice(prefix.length), v]));
}

/**
 * The storage of the part `name`, stored `index`-th. `name` may be omitted for the first part, which is
 * stored at the location itself (or, for a per-part handler object, under its first key). `files` are a
 * folder save's checksums, verified as the part's files are read.
 */
export async function partStorage(
  store: Store,
  name: string | undefined,
  index: number,
  mode: Mode,
  partCount: number,
  files?: Readonly<Record<string, string>>,
): Promise<PartStorage> {
  switch (store.type) {
    case 'folder': {
      const { path } = await folderAccess(mode);
      const folder = index === 0 ? store.dir : path.join(store.dir, name!);
      return { handler: folderHandler(folder, partChecksums(files, index === 0 ? '' : `${name}/`)), where: path.join(folder, MODEL_JSON) };
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

/** Reads one stored part. */
export async function loadArtifacts(storage: PartStorage): Promise<tf.io.ModelArtifacts> {
  if (typeof storage.handler.load !== 'function') {
    throw new ConfigError('load.location', storage.handler, 'a tf.io.IOHandler with a load method');
  }
  return storage.handler.load();
}
