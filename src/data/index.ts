export { toExamples, release, assertFinite, checkExampleShape } from './input.js';
export type { DataInput, OwnedTensor } from './input.js';
export * from './loaders.js';
