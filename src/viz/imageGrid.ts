/**
 * Image grids: a batch of images laid out as one PNG (digits, reconstructions, interpolations).
 *
 * @example
 * ```ts
 * import { imageGrid, saveImageGrid } from 'latentkit';
 *
 * const png = imageGrid(digits, { shape: [28, 28], cols: 8, scale: 2 });   // Uint8Array (PNG bytes)
 * await saveImageGrid('out/digits.png', digits, { shape: [28, 28], cols: 8, scale: 2 });
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { encode } from 'fast-png';
import { ConfigError, InputError } from '../core/errors.js';
import { MAX_GENERATED_VALUES, field, is, optionsSchema, positiveInt } from '../core/options.js';
import { nodeFileSystem, writeOut } from './nodeFs.js';

/**
 * Options of {@link imageGrid} and {@link saveImageGrid}.
 * @category Pictures
 */
export interface ImageGridOptions {
  /** Rows of the grid. Default: `ceil(N / cols)`. */
  rows?: number;
  /** Columns of the grid. Default: `ceil(sqrt(N))`, or `ceil(N / rows)` when `rows` is given. */
  cols?: number;
  /** Integer upscaling factor (nearest neighbour): each pixel becomes a `scale` x `scale` block. Default 1. */
  scale?: number;
  /** Pixels of background between images and around the grid, in output pixels (not scaled). Default 1. */
  padding?: number;
  /** Gray level of the padding and of empty cells, in [0, 1] (0 black, 1 white). Default 0. */
  background?: number;
  /**
   * Shape of one image, `[H, W]` (grayscale) or `[H, W, C]` with C 1 or 3, for flattened images such as
   * `[N, 784]` digits (`shape: [28, 28]`). Any tensor whose examples hold `H * W * C` values is read with it.
   */
  shape?: readonly number[];
}

/** The grid geometry and the pixels, as {@link imageGrid} resolved them. */
interface GridLayout {
  n: number;
  height: number;
  width: number;
  channels: 1 | 3;
  rows: number;
  cols: number;
  scale: number;
  padding: number;
  background: number;
}

function checkShapeOption(shape: unknown): [number, number, 1 | 3] {
  const expected = '[H, W] or [H, W, C] with positive integers H, W and C = 1 or 3';
  if (!Array.isArray(shape) || (shape.length !== 2 && shape.length !== 3)) throw new ConfigError('imageGrid.shape', shape, expected);
  shape.forEach((d, i) => positiveInt(`imageGrid.shape[${i}]`, d));
  const c = shape.length === 3 ? (shape[2] as number) : 1;
  if (c !== 1 && c !== 3) throw new ConfigError('imageGrid.shape[2]', c, '1 (grayscale) or 3 (RGB) channels');
  return [shape[0] as number, shape[1] as number, c];
}

/** Reads the image geometry from the tensor's shape and the `shape` option. */
function imageGeometry(images: tf.Tensor, shape: readonly number[] | undefined): [number, number, 1 | 3] {
  if (shape !== undefined) {
    const [h, w, c] = checkShapeOption(shape);
    const perImage = images.rank >= 2 ? images.size / images.shape[0]! : NaN;
    if (perImage !== h * w * c) {
      throw new InputError(
        'images',
        images,
        `${h * w * c} values per image to match shape = [${shape.join(', ')}] (a tensor [N, ${h * w * c}] or [N, ${shape.join(', ')}])`,
      );
    }
    return [h, w, c];
  }
  if (images.rank === 3) return [images.shape[1]!, images.shape[2]!, 1];
  if (images.rank === 4) {
    const c = images.shape[3]!;
    if (c !== 1 && c !== 3) throw new InputError('images', images, 'shape [N, H, W, C] with C = 1 (grayscale) or 3 (RGB)');
    return [images.shape[1]!, images.shape[2]!, c];
  }
  const hint = images.rank === 2 ? ' (for flattened images pass shape, e.g. shape: [28, 28] for [N, 784])' : '';
  throw new InputError('images', images, `shape [N, H, W, C] with C 1 or 3, or [N, H, W], or [N, D] with the shape option${hint}`);
}

function gridSize(n: number, rowsOpt: unknown, colsOpt: unknown): [number, number] {
  const rows = rowsOpt === undefined ? undefined : positiveInt('imageGrid.rows', rowsOpt);
  const cols = colsOpt === undefined ? undefined : positiveInt('imageGrid.cols', colsOpt);
  const c = cols ?? (rows === undefined ? Math.ceil(Math.sqrt(n)) : Math.ceil(n / rows));
  const r = rows ?? Math.ceil(n / c);
  // Only reachable when both are given: a computed side always makes enough cells.
  if (r * c < n) {
    throw new ConfigError('imageGrid.rows', r, `rows * cols >= ${n} (one cell per image), but ${r} rows x ${c} cols = ${r * c} cells`);
  }
  return [r, c];
}

const IMAGE_GRID = optionsSchema<ImageGridOptions>()('imageGrid', {
  rows: is.any<number>(),
  cols: is.any<number>(),
  scale: is.positiveInt().default(1),
  padding: field((v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(p, v, 'a non-negative integer (pixels)');
    return v;
  }).default(1),
  background: is.number({ min: 0, max: 1 }).default(0),
  shape: is.any<readonly number[]>(),
});

function resolveLayout(images: unknown, given: ImageGridOptions): GridLayout {
  const options = IMAGE_GRID.check(given);
  if (!(images instanceof tf.Tensor)) throw new InputError('images', images, 'a tf.Tensor of images');
  if (images.isDisposed) throw new InputError('images', 'a disposed tensor', 'a live tensor');
  if (images.dtype === 'string' || images.dtype === 'complex64') {
    throw new InputError('images', images, 'a numeric tensor (float32, int32 or bool) with values in [0, 1]');
  }
  const [height, width, channels] = imageGeometry(images, options.shape);
  const n = images.shape[0]!;
  if (n < 1) throw new InputError('images', images, 'at least one image on the first axis');
  const [rows, cols] = gridSize(n, options.rows, options.cols);
  const { scale, padding, background } = options;
  return { n, height, width, channels, rows, cols, scale, padding, background };
}

function toByte(v: number): number {
  return Math.round((v <= 0 ? 0 : v >= 1 ? 1 : v) * 255);
}

/**
 * Lays out a batch of images as a grid and encodes it as an 8-bit PNG (grayscale or RGB, as the input).
 *
 * The output is `cols * W * scale + (cols + 1) * padding` pixels wide and
 * `rows * H * scale + (rows + 1) * padding` high; images fill the grid row by row, and unused cells
 * show the background.
 *
 * @param images - `[N, H, W, C]` with C = 1 (grayscale) or 3 (RGB), `[N, H, W]` (grayscale), or
 *   `[N, D]` with `shape`. Values are intensities in [0, 1]: anything outside is clipped to the range
 *   (0 is black, 1 is white). Any numeric dtype. Read, never disposed or changed.
 * @param options - see {@link ImageGridOptions}: `rows`, `cols`, `scale` (default 1), `padding`
 *   (default 1), `background` (default 0), `shape`.
 * @returns the PNG file's bytes.
 * @throws InputError when `images` is not a live numeric tensor of a supported shape, or holds NaN or
 *   ±Infinity; ConfigError when an option is out of range or `rows * cols < N`.
 * @example
 * ```ts
 * const png = imageGrid(reconstructions, { shape: [28, 28], rows: 4, cols: 8, scale: 2 });
 * fs.writeFileSync('recon.png', png);
 * ```
 * @category Pictures
 */
export function imageGrid(images: tf.Tensor, options: ImageGridOptions = {}): Uint8Array {
  const g = resolveLayout(images, options);
  const values = images.dataSync();
  const perImage = g.height * g.width * g.channels;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) {
      throw new InputError('images', images, `finite values (${v} in image ${Math.floor(i / perImage)}, flat index ${i})`);
    }
  }
  const cellW = g.width * g.scale;
  const cellH = g.height * g.scale;
  const outW = g.cols * cellW + (g.cols + 1) * g.padding;
  const outH = g.rows * cellH + (g.rows + 1) * g.padding;
  const ch = g.channels;
  if (outW * outH * ch > MAX_GENERATED_VALUES) {
    throw new ConfigError('imageGrid.scale', g.scale, `a smaller scale (or fewer rows and cols): the picture would be ${outW}x${outH} pixels, more than latentkit draws in one call`);
  }
  const data = new Uint8Array(outW * outH * ch).fill(toByte(g.background));
  for (let k = 0; k < g.n; k++) {
    const top = g.padding + Math.floor(k / g.cols) * (cellH + g.padding);
    const left = g.padding + (k % g.cols) * (cellW + g.padding);
    for (let y = 0; y < cellH; y++) {
      const srcRow = k * perImage + Math.floor(y / g.scale) * g.width * ch;
      const dstRow = ((top + y) * outW + left) * ch;
      for (let x = 0; x < cellW; x++) {
        const src = srcRow + Math.floor(x / g.scale) * ch;
        const dst = dstRow + x * ch;
        for (let c = 0; c < ch; c++) data[dst + c] = toByte(values[src + c] as number);
      }
    }
  }
  return encode({ width: outW, height: outH, data, channels: ch, depth: 8 });
}

/**
 * Node only: writes {@link imageGrid}'s PNG to `path`, creating missing parent directories.
 *
 * @param path - the file to write (overwritten if it exists).
 * @param images - as {@link imageGrid}; never disposed.
 * @param options - as {@link imageGrid}.
 * @returns `path`, once the file is written.
 * @throws as {@link imageGrid}; a LatentkitError outside Node.
 * @example
 * ```ts
 * const file = await saveImageGrid('out/demo/clean.png', testDigits, { shape: [28, 28], rows: 4, cols: 8, scale: 2 });
 * ```
 * @category Pictures
 */
export async function saveImageGrid(path: string, images: tf.Tensor, options: ImageGridOptions = {}): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) throw new ConfigError('saveImageGrid.path', path, 'a non-empty file path');
  const png = imageGrid(images, options);
  await writeOut(await nodeFileSystem('saveImageGrid'), 'saveImageGrid.path', path, png);
  return path;
}
