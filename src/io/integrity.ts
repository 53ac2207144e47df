/**
 * What makes a save trustworthy on load: SHA-256 checksums (Web Crypto's `crypto.subtle`, in Node 20 and
 * in browsers' secure contexts) of every file a folder save writes and of every stored part's topology and
 * weights, and the refusal of weights that are NaN or infinite. A file changed or damaged after the save
 * fails its checksum; a weight that is not finite is refused even where no checksum was stored.
 *
 * @example
 * ```ts
 * const hex = await sha256Hex(new TextEncoder().encode('abc'));
 * // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { isRecord } from '../core/options.js';
import { ModelFileError } from './errors.js';

/** The checksum algorithm latentkit records, as Web Crypto names it. */
export const CHECKSUM_ALGORITHM = 'SHA-256';

/** Web Crypto's digest, where it exists (Node 20, browsers in secure contexts). */
function subtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: { subtle?: SubtleCrypto } }).crypto;
  return c?.subtle;
}

/** True when checksums can be computed here. */
export function checksumsAvailable(): boolean {
  return subtle() !== undefined;
}

/** The SHA-256 of `data` as 64 lower-case hex digits. */
export async function sha256Hex(data: Uint8Array | ArrayBuffer | string): Promise<string> {
  const s = subtle();
  if (s === undefined) throw new Error('Web Crypto (crypto.subtle) is not available');
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const digest = await s.digest(CHECKSUM_ALGORITHM, bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The checksums of one stored part, carried in its `userDefinedMetadata.latentkitIntegrity`, so that saves
 * to browser storage and to IOHandlers are checked on load as folder saves are.
 */
export interface PartIntegrity {
  algorithm: typeof CHECKSUM_ALGORITHM;
  /** Of the weights' bytes, in manifest order. */
  weights: string;
  /** Of `JSON.stringify([modelTopology, weightSpecs])`. */
  topology: string;
}

function weightBytes(artifacts: tf.io.ModelArtifacts): ArrayBuffer {
  return artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
}

/** The checksums of a part's artifacts. */
export async function partIntegrity(artifacts: tf.io.ModelArtifacts): Promise<PartIntegrity> {
  return {
    algorithm: CHECKSUM_ALGORITHM,
    weights: await sha256Hex(weightBytes(artifacts)),
    topology: await sha256Hex(JSON.stringify([artifacts.modelTopology ?? null, artifacts.weightSpecs ?? []])),
  };
}

/**
 * Checks a loaded part against the checksums it carries (none: nothing to check).
 * @throws ModelFileError naming `where` when the weights or the topology differ from what was saved.
 */
export async function verifyPartIntegrity(artifacts: tf.io.ModelArtifacts, where: string, weightsWhere = where): Promise<void> {
  const stored = artifacts.userDefinedMetadata?.['latentkitIntegrity'];
  if (stored === undefined) return;
  if (!isRecord(stored) || stored['algorithm'] !== CHECKSUM_ALGORITHM || typeof stored['weights'] !== 'string' || typeof stored['topology'] !== 'string') {
    throw new ModelFileError(where, `its latentkitIntegrity record is damaged: expected { algorithm: '${CHECKSUM_ALGORITHM}', weights, topology }`);
  }
  if (!checksumsAvailable()) return;
  const actual = await partIntegrity(artifacts);
  if (actual.weights !== stored['weights']) {
    throw new ModelFileError(weightsWhere, `its weights do not match the SHA-256 checksum stored with them: they were changed or damaged after the save`);
  }
  if (actual.topology !== stored['topology']) {
    throw new ModelFileError(where, `its topology or weight list does not match the SHA-256 checksum stored with it: it was changed or damaged after the save`);
  }
}

/**
 * Refuses weights holding NaN or ±Infinity (float32 weights; quantized and other dtypes are left alone).
 *
 * @param where - the file or location named in the error.
 * @throws ModelFileError naming the weight, the value and its position.
 */
export function assertFiniteWeights(specs: readonly tf.io.WeightsManifestEntry[], data: ArrayBuffer, where: string): void {
  const view = new DataView(data);
  let offset = 0;
  for (const spec of specs) {
    // Strings have no fixed size in the manifest: the offsets of what follows are unknown, stop there.
    if (spec.dtype === 'string') return;
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const per = spec.quantization ? ({ uint8: 1, uint16: 2, float16: 2 } as Record<string, number>)[spec.quantization.dtype] ?? 1 : spec.dtype === 'bool' ? 1 : spec.dtype === 'complex64' ? 8 : 4;
    if (spec.dtype === 'float32' && !spec.quantization && offset + count * 4 <= data.byteLength) {
      for (let i = 0; i < count; i++) {
        const v = view.getFloat32(offset + 4 * i, true);
        if (!Number.isFinite(v)) {
          throw new ModelFileError(where, `weight '${spec.name}' holds ${v} at index ${i} of ${count}: a saved model must have finite weights (the file is damaged, or was saved from a diverged model)`);
        }
      }
    }
    offset += count * per;
  }
}

/** {@link assertFiniteWeights} for a part's artifacts. */
export function assertFiniteArtifacts(artifacts: tf.io.ModelArtifacts, where: string): void {
  assertFiniteWeights(artifacts.weightSpecs ?? [], weightBytes(artifacts), where);
}
