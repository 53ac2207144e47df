/**
 * Measures of generative models: mode coverage on toy mixtures (and the ring-of-Gaussians data), a
 * classifier's view of generated images, and a scatter plot of 2-D samples.
 *
 * @example
 * ```ts
 * import { ringOfGaussians, modeCoverage } from 'latentkit';
 *
 * const ring = ringOfGaussians({ modes: 8, radius: 2, stddev: 0.02, n: 2000, seed: 1 });
 * const samples = gan.sample(1000);
 * const { modesHit, highQualityShare } = modeCoverage(samples, ring.centers, { radius: 3 * ring.stddev });
 * ```
 * @module
 */
export { ringOfGaussians } from './toyData.js';
export type { RingOfGaussians, RingOfGaussiansOptions } from './toyData.js';
export { modeCoverage } from './modeCoverage.js';
export type { ModeCoverage, ModeCoverageOptions } from './modeCoverage.js';
export { sampleQuality } from './sampleQuality.js';
export type { SampleClassifier, SampleQuality, SampleQualityOptions } from './sampleQuality.js';
export { scatterPlot } from './scatterPlot.js';
export type { ScatterPlotOptions } from './scatterPlot.js';
