/**
 * Saving and loading models: {@link save} and {@link load} for latentkit handles (a Node folder, browser
 * storage URLs, or `tf.io.IOHandler`s), {@link fileSystemHandler} for plain tfjs models in Node without
 * the native binding, and {@link registerModelKind} for new model kinds.
 *
 * @example
 * ```ts
 * import { save, load, type Autoencoder } from 'latentkit';
 *
 * await save(ae, 'models/digits');
 * const again = await load<Autoencoder>('models/digits');
 * ```
 * @module
 */
export { save, load, readModelInfo, LATENTKIT_JSON } from './saveLoad.js';
export type { ModelLocation, SavedModelInfo, SaveSummary } from './saveLoad.js';
export { fileSystemHandler, MODEL_JSON, WEIGHTS_BIN } from './fileSystem.js';
export type { FileSystemIOHandler } from './fileSystem.js';
export { registerModelKind, registeredModelKinds, modelKind, copyLayersModelWeights } from './registry.js';
export type { SavableHandle, LoadOptions, ModelParts, ModelKind, RegisterModelKindOptions } from './registry.js';
export { ModelFileError } from './errors.js';
export { LATENTKIT_VERSION, SAVE_FORMAT } from './version.js';
