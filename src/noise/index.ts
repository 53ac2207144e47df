/**
 * Noise injectors: pure functions `(x, seed) => noisy x`, their JSON form ({@link NoiseSpec}) and a
 * layer that applies them while training.
 *
 * @example
 * ```ts
 * import { maskingNoise, noiseLayer } from 'latentkit';
 *
 * const noisy = maskingNoise({ rate: 0.3 })(images, 42);
 * const layer = noiseLayer({ noise: { kind: 'masking', rate: 0.3 }, seed: 42, inputShape: [784] });
 * ```
 * @module
 */
export { gaussianNoise, maskingNoise, saltAndPepperNoise, uniformNoise } from './injectors.js';
export type {
  NoiseFn,
  ClipRange,
  GaussianNoiseOptions,
  MaskingNoiseOptions,
  SaltAndPepperNoiseOptions,
  UniformNoiseOptions,
} from './injectors.js';
export { noiseFromSpec, normaliseNoiseSpec, applyNoise, NOISE_KINDS } from './spec.js';
export type {
  NoiseSpec,
  NoiseKind,
  GaussianNoiseSpec,
  MaskingNoiseSpec,
  SaltAndPepperNoiseSpec,
  UniformNoiseSpec,
  ApplyNoiseOptions,
} from './spec.js';
export { NoiseLayer, noiseLayer } from './layer.js';
export type { NoiseLayerArgs } from './layer.js';
