/**
 * `modeCoverage`: how many modes of a known mixture a generator reproduces, and how many of its samples
 * are good ones, the standard measures on toy mixtures (Srivastava et al., "VEEGAN"; Lin et al., "PacGAN").
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { release, toExamples, type DataInput } from '../data/input.js';
import { ConfigError, InputError } from '../core/errors.js';
import { is, optionsSchema } from '../core/options.js';

/**
 * Options of {@link modeCoverage}.
 * @category Models
 */
export interface ModeCoverageOptions {
  /** A sample is high-quality when it lies within this Euclidean distance of some centre (often 3 standard deviations). Required. */
  radius: number;
  /** A mode counts as hit when at least this many high-quality samples are nearest to it. Default 1. */
  minCount?: number;
}

/**
 * What {@link modeCoverage} found.
 * @category Models
 */
export interface ModeCoverage {
  /** Modes with at least `minCount` high-quality samples. */
  modesHit: number;
  /** Number of modes (centres). */
  modes: number;
  /** Share of the samples, in [0, 1], within `radius` of some centre. */
  highQualityShare: number;
  /** High-quality samples per mode (nearest centre), in centre order. */
  counts: number[];
  /** Number of samples. */
  samples: number;
}

const MODE_COVERAGE = optionsSchema<ModeCoverageOptions>()('modeCoverage', {
  radius: is.number({ min: 0, minOpen: true, maxOpen: true }).required(),
  minCount: is.positiveInt().default(1),
});

/**
 * Assigns each sample to its nearest centre and counts those within `radius` of it.
 *
 * @param samples - generated points `[N, d]` (tensor or arrays; never disposed).
 * @param centers - the mixture's centres, `[K][d]` (arrays or a `[K, d]` tensor).
 * @throws ConfigError for a bad radius or minCount; InputError when shapes disagree.
 * @example
 * ```ts
 * const samples = gan.sample(2000);
 * const c = modeCoverage(samples, ring.centers, { radius: 3 * ring.stddev });
 * console.log(`${c.modesHit}/${c.modes} modes, ${(100 * c.highQualityShare).toFixed(1)}% high quality`);
 * samples.dispose();
 * ```
 * @category Models
 */
export function modeCoverage(samples: DataInput, centers: DataInput, options: ModeCoverageOptions): ModeCoverage {
  const { radius, minCount } = MODE_COVERAGE.check(options);
  const c = toExamples(centers, 'centers', inferDims(centers, 'centers'));
  let s: ReturnType<typeof toExamples> | undefined;
  try {
    const d = c.tensor.shape[1]!;
    s = toExamples(samples, 'samples', [d]);
    return cover(s.tensor, c.tensor, radius, minCount);
  } finally {
    release(c);
    if (s) release(s);
  }
}

/** The per-example shape of `[K, d]` centres, read from the data (so any dimension works). */
function inferDims(x: DataInput, parameter: string): number[] {
  const shape = (x as tf.Tensor).shape ?? (Array.isArray(x) && Array.isArray(x[0]) ? [x.length, (x[0] as unknown[]).length] : undefined);
  if (!shape || shape.length !== 2 || !(shape[1]! > 0)) throw new InputError(parameter, x, 'centres of shape [K, d], K >= 1 and d >= 1');
  return [shape[1]!];
}

function cover(samples: tf.Tensor, centers: tf.Tensor, radius: number, minCount: number): ModeCoverage {
  const [n, d] = samples.shape as [number, number];
  const k = centers.shape[0]!;
  const xs = samples.dataSync();
  const cs = centers.dataSync();
  const counts = new Array<number>(k).fill(0);
  const r2 = radius * radius;
  let good = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity;
    let bestK = -1;
    for (let j = 0; j < k; j++) {
      let dist = 0;
      for (let a = 0; a < d; a++) {
        const diff = xs[i * d + a]! - cs[j * d + a]!;
        dist += diff * diff;
      }
      if (dist < best) {
        best = dist;
        bestK = j;
      }
    }
    if (best <= r2) {
      good++;
      counts[bestK]!++;
    }
  }
  return { modesHit: counts.filter((c) => c >= minCount).length, modes: k, highQualityShare: n ? good / n : 0, counts, samples: n };
}
