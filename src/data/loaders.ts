/**
 * The public names of the data loaders and scaling helpers, for `src/data/index.ts` to re-export.
 *
 * @example
 * ```ts
 * import { loadMnist, oneHot, toRange } from 'latentkit';
 * const mnist = await loadMnist({ train: 2000, test: 500, seed: 1 });
 * const y = oneHot(mnist.yTrain, 10);
 * const x = toRange(mnist.xTrain, [-1, 1]);
 * ```
 * @module
 */
export { loadMnist, loadFashionMnist, oneHot, MNIST_CLASS_NAMES, FASHION_MNIST_CLASS_NAMES } from './images.js';
export type { ImageDataset, ImageLoadOptions, MnistOptions, FashionMnistOptions } from './images.js';
export { toRange, fromRange, standardize, unstandardize, STD_FLOOR } from './scale.js';
export type { ValueRange, StandardizeStats } from './scale.js';
export { loadCsv } from './csv.js';
export type { LoadCsvOptions, CsvDataset } from './csv.js';
