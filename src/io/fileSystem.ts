/**
 * A `tf.io.IOHandler` that reads and writes a layers model as files in Node, without the native
 * `@tensorflow/tfjs-node` binding: `model.json` (topology and weights manifest, as tfjs writes it) and
 * `weights.bin` (every weight, concatenated in manifest order). Node's file system is reached through
 * latentkit's platform module only when the handler runs, so this module stays importable in a browser
 * bundle (where the handler throws, saying it needs Node).
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { fileSystemHandler } from 'latentkit';
 *
 * await ae.model.save(fileSystemHandler('models/plain'));
 * const copy = await tfl.loadLayersModel(fileSystemHandler('models/plain'));
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { nodeModules, type NodeModules } from '../core/environment.js';
import { ConfigError, LatentkitError } from '../core/errors.js';
import { isRecord } from '../core/options.js';
import { errorCode, fileError } from './atomicFolder.js';
import { ModelFileError } from './errors.js';
import { sha256Hex } from './integrity.js';

/** File name of the topology and weights manifest, as tfjs names it. */
export const MODEL_JSON = 'model.json';
/** File name of the weights. */
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Node's file system, for `caller` (a public function) that reads or writes folders.
 * @throws LatentkitError outside Node, saying what to use in a browser instead.
 */
export function folderAccess(caller: string): Promise<NodeModules> {
  return nodeModules(caller, 'reads and writes folders', "in a browser use 'indexeddb://name', 'localstorage://name' or a tf.io.IOHandler instead");
}

/** Strips a `file://` scheme: latentkit handles file URLs itself (tfjs needs the native binding for them). */
export function stripFileScheme(location: string): string {
  return location.startsWith('file://') ? location.slice('file://'.length) : location;
}

/** The first existing ancestor of `file` that is not a folder, if any (a path that runs through a file). */
async function fileInTheWay({ fs, path }: NodeModules, file: string): Promise<string | undefined> {
  for (let p = path.dirname(file); p !== path.dirname(p); p = path.dirname(p)) {
    const info = await fs.stat(p).catch(() => undefined);
    if (info !== undefined) return info.isDirectory() ? undefined : p;
  }
  return undefined;
}

/**
 * Reads a whole file, turning "no such file" into a {@link ModelFileError} that names it.
 *
 * @param what - what the file is, for the message (`'the weights listed in model.json'`).
 * @param sha256 - the checksum the file must have, if one was recorded.
 * @returns the bytes, or `undefined` when the file is missing and `optional` is set.
 */
export async function readModelFile(
  node: NodeModules,
  file: string,
  what: string,
  optional = false,
  sha256?: string,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  const { fs, path } = node;
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const code = errorCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      const blocker = await fileInTheWay(node, file);
      if (blocker !== undefined) {
        throw new ModelFileError(blocker, `is a file, not a folder: expected a folder written by latentkit's save() (or a tfjs model folder) holding ${path.basename(file)}`, { cause: e });
      }
      if (optional) return undefined;
      const folder = path.dirname(file);
      const folderExists = await fs.stat(folder).then((s) => s.isDirectory(), () => false);
      throw new ModelFileError(
        file,
        folderExists ? `not found: expected ${what} here` : `not found: the folder ${folder} does not exist`,
        { cause: e },
      );
    }
    if (code === 'EISDIR') throw new ModelFileError(file, `is a folder: expected ${what}`, { cause: e });
    throw fileError(e, file, 'reading');
  }
  if (sha256 !== undefined && (await sha256Hex(bytes)) !== sha256) {
    throw new ModelFileError(file, `does not match the SHA-256 checksum recorded when it was saved: it was changed or damaged since`);
  }
  return bytes;
}

/**
 * Parses JSON text, turning a syntax error into a {@link ModelFileError}.
 *
 * @param bytes - UTF-8 text.
 * @param file - the file it came from, for the message.
 */
export function parseModelJson(bytes: Uint8Array, file: string): unknown {
  const text = new TextDecoder().decode(bytes);
  try {
    return JSON.parse(text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new ModelFileError(file, `is not valid JSON (${detail}); the file is corrupt or was cut short`, { cause: e });
  }
}

/** Writes `data` next to `file` and renames it into place, so that a crash never leaves half a file. */
export async function writeFileAtomically(fs: NodeModules['fs'], file: string, data: string | Uint8Array): Promise<void> {
  const partial = `${file}.${Math.random().toString(36).slice(2, 8)}.partial`;
  try {
    await fs.writeFile(partial, data);
    await fs.rename(partial, file);
  } catch (e) {
    await fs.rm(partial, { force: true }).catch(() => undefined);
    throw fileError(e, file, 'writing');
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** Bytes one weight takes in a weights file; `undefined` for strings, whose length the manifest does not give. */
function weightBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const per = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype] : DTYPE_BYTES[spec.dtype];
  return per === undefined ? undefined : count * per;
}

function checkManifest(manifest: unknown, file: string): tf.io.WeightsManifestConfig {
  const bad = (what: string) => new ModelFileError(file, `weightsManifest ${what}: expected a list of { paths: string[], weights: [...] } groups`);
  if (!Array.isArray(manifest)) throw bad('is not a list');
  manifest.forEach((group: unknown, i) => {
    if (!isRecord(group)) throw bad(`entry ${i} is not an object`);
    const { paths, weights } = group;
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) throw bad(`entry ${i} has no list of paths`);
    if (!Array.isArray(weights)) throw bad(`entry ${i} has no list of weights`);
    for (const w of weights as unknown[]) {
      if (!isRecord(w) || typeof w.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string') {
        throw bad(`entry ${i} lists a weight without name, shape and dtype`);
      }
    }
  });
  return manifest as tf.io.WeightsManifestConfig;
}

/** Reads the weight files of a manifest, checking each group's total size against its weight specs. */
async function readWeights(
  node: NodeModules,
  folder: string,
  manifest: tf.io.WeightsManifestConfig,
  modelJson: string,
  checksums: Readonly<Record<string, string>> | undefined,
): Promise<[tf.io.WeightsManifestEntry[], tf.io.WeightData]> {
  const { path } = node;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    const files: string[] = [];
    let found = 0;
    for (const relative of group.paths) {
      const file = path.resolve(folder, relative);
      const inside = path.relative(path.resolve(folder), file);
      if (path.isAbsolute(relative) || inside.startsWith('..')) {
        throw new ModelFileError(modelJson, `weightsManifest path ${JSON.stringify(relative)} points outside ${folder}: expected a file name in that folder`);
      }
      const bytes = (await readModelFile(node, file, `the weights listed in ${modelJson}`, false, expectedChecksum(checksums, relative, file)))!;
      files.push(file);
      found += bytes.byteLength;
      buffers.push(bytes.buffer);
    }
    const sizes = group.weights.map(weightBytes);
    if (sizes.every((s) => s !== undefined)) {
      const expected = (sizes as number[]).reduce((a, b) => a + b, 0);
      if (found !== expected) {
        const where = files.length === 1 ? files[0]! : files.join(', ');
        const why = found < expected ? 'the file is truncated' : `it is longer than ${MODEL_JSON} describes`;
        throw new ModelFileError(
          where,
          `expected ${expected} bytes (${group.weights.length} weights listed in ${MODEL_JSON}), found ${found}: ${why}`,
        );
      }
    }
    specs.push(...group.weights);
  }
  return [specs, buffers.length === 1 ? buffers[0]! : buffers];
}

/** The checksum recorded for a file of the folder (`undefined`: none recorded); a file not listed is an error. */
function expectedChecksum(checksums: Readonly<Record<string, string>> | undefined, name: string, file: string): string | undefined {
  if (checksums === undefined) return undefined;
  const sha = checksums[name];
  if (sha === undefined) throw new ModelFileError(file, `is not among the files whose checksums the save recorded (${Object.keys(checksums).join(', ')})`);
  return sha;
}

/** The two files of a part, as the handler writes them: `model.json` text and the weights' bytes. */
export function modelFiles(artifacts: tf.io.ModelArtifacts): { modelJson: string; weights: Uint8Array } {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new LatentkitError('latentkit: fileSystemHandler saves JSON model topologies only (layers models), not a binary topology.');
  }
  const manifest: tf.io.WeightsManifestConfig = [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }];
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  return { modelJson: JSON.stringify(modelJsonFor(artifacts, manifest)), weights: new Uint8Array(data) };
}

/** The `model.json` object for some artifacts, with the fields in the order tfjs writes them. */
function modelJsonFor(artifacts: tf.io.ModelArtifacts, manifest: tf.io.WeightsManifestConfig): tf.io.ModelJSON {
  const json: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    weightsManifest: manifest,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
  };
  if (artifacts.trainingConfig != null) json.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature != null) json.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata != null) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer != null) json.modelInitializer = artifacts.modelInitializer;
  if (artifacts.initializerSignature != null) json.initializerSignature = artifacts.initializerSignature;
  return json;
}

/**
 * A `tf.io.IOHandler` whose `save` and `load` are both present, as {@link fileSystemHandler} returns.
 * @category Save and load
 */
export interface FileSystemIOHandler extends tf.io.IOHandler {
  /** The folder the files are in. */
  readonly dir: string;
  save: tf.io.SaveHandler;
  load: tf.io.LoadHandler;
}

/**
 * A `tf.io.IOHandler` for a folder in Node, usable with `model.save(handler)` and
 * `tfl.loadLayersModel(handler)` where `file://` URLs would need `@tensorflow/tfjs-node`.
 *
 * Saving creates the folder if needed and writes `model.json` (`modelTopology`, `weightsManifest` with the
 * path `weights.bin`, `format`, `generatedBy`, `convertedBy`, and `trainingConfig`, `signature`,
 * `userDefinedMetadata` when present) and `weights.bin`; each file is written beside its final name and
 * renamed into place. Loading reads them back and checks that `weights.bin` holds exactly the bytes the
 * manifest describes. Folders written by tfjs-node's `file://` handler (several weight shards) load too.
 *
 * @param dir - the folder, a `file://` URL of it, or the path of its `model.json`.
 * @returns a handler with both `save` and `load`.
 * @throws ConfigError when `dir` is not a non-empty string. The handler's `load` throws
 *   {@link ModelFileError} for a missing, corrupt or truncated file; both throw outside Node.
 * @example
 * ```ts
 * await model.save(fileSystemHandler('out/classifier'));
 * const again = await tfl.loadLayersModel(fileSystemHandler('out/classifier/model.json'));
 * ```
 * @category Save and load
 */
export function fileSystemHandler(dir: string): FileSystemIOHandler {
  if (typeof dir !== 'string' || stripFileScheme(dir) === '') {
    throw new ConfigError('fileSystemHandler.dir', dir, "a folder path such as 'models/ae'");
  }
  return folderHandler(stripFileScheme(dir));
}

/**
 * {@link fileSystemHandler} with latentkit's load checks: `checksums` (file name -> SHA-256) are verified
 * as the files are read, and a file not listed there is refused.
 */
export function folderHandler(given: string, checksums?: Readonly<Record<string, string>>): FileSystemIOHandler {
  const locate = ({ path }: NodeModules) => {
    const isJson = given.toLowerCase().endsWith('.json');
    const folder = isJson ? path.dirname(given) : given;
    return { folder, modelJson: isJson ? given : path.join(given, MODEL_JSON) };
  };
  return {
    dir: given,

    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const files = modelFiles(artifacts);
      const node = await folderAccess('fileSystemHandler.save');
      const { folder, modelJson } = locate(node);
      const info = await node.fs.stat(folder).catch(() => undefined);
      if (info !== undefined && !info.isDirectory()) throw new ModelFileError(folder, 'is a file, not a folder: expected a folder to write model.json and weights.bin into');
      await node.fs.mkdir(folder, { recursive: true }).catch((e: unknown) => {
        throw fileError(e, folder, 'creating the folder');
      });
      await writeFileAtomically(node.fs, node.path.join(folder, WEIGHTS_BIN), files.weights);
      await writeFileAtomically(node.fs, modelJson, files.modelJson);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const node = await folderAccess('fileSystemHandler.load');
      const { folder, modelJson } = locate(node);
      const bytes = (await readModelFile(node, modelJson, 'a tfjs model.json', false, expectedChecksum(checksums, node.path.basename(modelJson), modelJson)))!;
      const json = parseModelJson(bytes, modelJson);
      if (!isRecord(json) || json.modelTopology == null) {
        throw new ModelFileError(modelJson, 'has no modelTopology: expected the model.json of a tfjs layers model');
      }
      if (json.weightsManifest != null) checkManifest(json.weightsManifest, modelJson);
      return tf.io.getModelArtifactsForJSON(json as unknown as tf.io.ModelJSON, (manifest) =>
        readWeights(node, folder, manifest, modelJson, checksums),
      );
    },
  };
}
