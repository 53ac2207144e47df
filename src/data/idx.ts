/**
 * A parser for the IDX format in which MNIST is distributed: a big-endian header (two zero bytes, a
 * type byte, the number of dimensions, then one 32-bit size per dimension) followed by the values.
 * latentkit reads only unsigned-byte files (type 0x08): magic 2049 for label files (1 dimension) and
 * 2051 for image files (3 dimensions). The result is a view on the input bytes, not a copy.
 *
 * @example
 * ```ts
 * const labels = parseIdx(bytes, 'train-labels-idx1-ubyte', IDX_LABELS_MAGIC);
 * labels.dims;    // [60000]
 * labels.data[0]; // 5
 * ```
 * @module
 */
import { LatentkitError } from '../core/errors.js';

/** Magic number of an IDX file of unsigned bytes with one dimension (MNIST labels). */
export const IDX_LABELS_MAGIC = 2049;
/** Magic number of an IDX file of unsigned bytes with three dimensions (MNIST images). */
export const IDX_IMAGES_MAGIC = 2051;

/** A parsed unsigned-byte IDX file. */
export interface IdxArray {
  /** The sizes from the header, e.g. `[60000, 28, 28]`. */
  dims: number[];
  /** The values, row-major; a view on the bytes given to {@link parseIdx}. */
  data: Uint8Array;
}

/**
 * Parses an unsigned-byte IDX file.
 *
 * @param bytes - the whole file.
 * @param file - the file's name or path, used in error messages.
 * @param expectedMagic - {@link IDX_LABELS_MAGIC} or {@link IDX_IMAGES_MAGIC}.
 * @throws LatentkitError naming the file when the magic number is wrong or the file is truncated.
 * @example
 * ```ts
 * const images = parseIdx(bytes, 't10k-images-idx3-ubyte', IDX_IMAGES_MAGIC); // dims [10000, 28, 28]
 * ```
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedMagic: number): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4) {
    throw new LatentkitError(`latentkit: ${file} is truncated: ${bytes.byteLength} bytes, expected at least the 4-byte IDX magic number.`);
  }
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new LatentkitError(
      `latentkit: ${file} has IDX magic number ${magic}, expected ${expectedMagic} ` +
        `(${expectedMagic === IDX_IMAGES_MAGIC ? 'unsigned-byte images, 3 dimensions' : 'unsigned-byte labels, 1 dimension'}).`,
    );
  }
  const rank = magic & 0xff;
  const headerBytes = 4 + 4 * rank;
  if (bytes.byteLength < headerBytes) {
    throw new LatentkitError(
      `latentkit: ${file} is truncated: ${bytes.byteLength} bytes, expected a ${headerBytes}-byte IDX header.`,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength < headerBytes + size) {
    throw new LatentkitError(
      `latentkit: ${file} is truncated: its header announces ${dims.join(' x ')} = ${size} values after ` +
        `${headerBytes} header bytes, but the file has ${bytes.byteLength} bytes in all (expected ${headerBytes + size}).`,
    );
  }
  return { dims, data: bytes.subarray(headerBytes, headerBytes + size) };
}
