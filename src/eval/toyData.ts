/**
 * `ringOfGaussians`: the toy mixture on which mode collapse is easy to see (Metz et al., "Unrolled GANs";
 * Srivastava et al., "VEEGAN"): equal-weight 2-D Gaussians centred on a circle.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

import { resolveSeed, SeedStream } from '../core/seed.js';
import { checkGeneratedSize, is, optionsSchema } from '../core/options.js';

/**
 * Options of {@link ringOfGaussians}.
 * @category Data
 */
export interface RingOfGaussiansOptions {
  /** Number of Gaussians, evenly spaced on the circle (the first at angle 0). Default 8. */
  modes?: number;
  /** Radius of the circle. Default 2. */
  radius?: number;
  /** Standard deviation of each Gaussian (both axes). Default 0.02. */
  stddev?: number;
  /** Number of points. Default 1000. */
  n?: number;
  /** Seed of the draw (which mode, then the offset). Default: from {@link setSeed}. */
  seed?: number;
}

const RING = optionsSchema<RingOfGaussiansOptions>()('ringOfGaussians', {
  modes: is.positiveInt().default(8),
  radius: is.number({ min: 0, minOpen: true, maxOpen: true }).default(2),
  stddev: is.number({ min: 0, maxOpen: true }).default(0.02),
  n: is.positiveInt().default(1000),
  seed: is.seed(),
});

/**
 * The points of {@link ringOfGaussians} and where they came from.
 * @category Data
 */
export interface RingOfGaussians {
  /** The points, `[n, 2]` (the caller disposes it). */
  x: tf.Tensor2D;
  /** The same points as plain numbers, `[x0, y0, x1, y1, ...]`. */
  points: Float32Array;
  /** Index of the Gaussian each point was drawn from. */
  mode: Int32Array;
  /** The centres `[cx, cy]`, in mode order. */
  centers: [number, number][];
  /** The standard deviation used (for a "within 3 standard deviations" radius). */
  stddev: number;
}

/**
 * Draws `n` points from a mixture of `modes` equal-weight Gaussians centred on a circle of `radius`.
 * The draw is done in JavaScript from the seed, so it is the same on every backend.
 *
 * @example
 * ```ts
 * const ring = ringOfGaussians({ modes: 8, radius: 2, stddev: 0.02, n: 2000, seed: 1 });
 * await gan.fit(ring.x, { epochs: 50 });
 * const cover = modeCoverage(gan.sample(1000), ring.centers, { radius: 3 * ring.stddev });
 * ring.x.dispose();
 * ```
 * @category Data
 */
export function ringOfGaussians(options: RingOfGaussiansOptions = {}): RingOfGaussians {
  const { modes, radius, stddev, n, seed } = RING.check(options);
  checkGeneratedSize('ringOfGaussians.n', n, 2);
  checkGeneratedSize('ringOfGaussians.modes', modes, 2);
  const stream = new SeedStream(resolveSeed(seed, 'ringOfGaussians.seed'));
  const centers: [number, number][] = [];
  for (let k = 0; k < modes; k++) {
    const angle = (2 * Math.PI * k) / modes;
    centers.push([radius * Math.cos(angle), radius * Math.sin(angle)]);
  }
  const points = new Float32Array(2 * n);
  const mode = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = Math.min(modes - 1, Math.floor(stream.uniform() * modes));
    // Box-Muller: two independent standard normals from two uniforms.
    const u1 = Math.max(stream.uniform(), Number.MIN_VALUE);
    const u2 = stream.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    mode[i] = k;
    points[2 * i] = centers[k]![0] + stddev * r * Math.cos(2 * Math.PI * u2);
    points[2 * i + 1] = centers[k]![1] + stddev * r * Math.sin(2 * Math.PI * u2);
  }
  return { x: tf.tensor2d(points, [n, 2]), points, mode, centers, stddev };
}
