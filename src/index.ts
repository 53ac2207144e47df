/**
 * latentkit: autoencoders, VAEs and GANs for TypeScript on TensorFlow.js.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { useBackend, setSeed, undercompleteAE } from 'latentkit';
 *
 * await useBackend('wasm');
 * setSeed(42);
 * const ae = undercompleteAE({ inputDim: 784, hiddenUnits: [256], codeDim: 32 });
 * const history = await ae.fit(images, { epochs: 10, batchSize: 64, validationSplit: 0.1 });
 * const codes = ae.encode(images);
 * ```
 * @packageDocumentation
 */
export * from './errors.js';
export * from './backend/index.js';
export * from './random/index.js';
export * from './noise/index.js';
export * from './models/index.js';
export * from './train/index.js';
export * from './latent/index.js';
export * from './data/index.js';
export * from './viz/index.js';
export * from './io/index.js';
export * from './eval/index.js';
