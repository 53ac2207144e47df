export { interpolate } from './interpolate.js';
export type { InterpolateOptions } from './interpolate.js';
export { embeddingOf } from './embedding.js';
export { reconstructionError } from './reconstructionError.js';
