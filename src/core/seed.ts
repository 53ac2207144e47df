/**
 * The one seeded source of randomness. Every initializer, noise draw, shuffle and sample in latentkit
 * takes its seed from a {@link SeedStream}; a builder or trainer given `seed` makes its own stream, and
 * one given none draws a seed from the global stream set by {@link setSeed}.
 *
 * @example
 * ```ts
 * import { setSeed } from 'latentkit';
 * setSeed(42); // everything built or trained after this is reproducible on the same backend
 * ```
 * @module
 */
import seedrandom from 'seedrandom';
import { ConfigError } from './errors.js';

const UINT32 = 0x1_0000_0000;

/** Checks that `seed` is a usable seed: a finite integer in [0, 2^32). */
export function assertSeed(seed: unknown, parameter = 'seed'): asserts seed is number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed >= UINT32) {
    throw new ConfigError(parameter, seed, 'an integer in [0, 4294967295]');
  }
}

/**
 * A deterministic stream of random numbers and of seeds for tfjs ops and initializers.
 * Two streams made from the same seed produce the same sequence.
 *
 * @example
 * ```ts
 * const s = new SeedStream(7);
 * const initSeed = s.nextSeed();      // an integer for tfl.initializers.glorotUniform({ seed })
 * const order = s.permutation(100);   // a seeded shuffle
 * ```
 * @category Training
 */
export class SeedStream {
  /** The seed this stream started from. */
  readonly seed: number;
  private readonly prng: seedrandom.PRNG;

  constructor(seed: number) {
    assertSeed(seed);
    this.seed = seed;
    this.prng = seedrandom.alea(String(seed));
  }

  /** A float in [0, 1). */
  uniform(): number {
    return this.prng();
  }

  /** An integer seed in [0, 2^31), suitable for tfjs ops (`tf.randomNormal(..., seed)`) and initializers. */
  nextSeed(): number {
    return Math.floor(this.prng() * 0x8000_0000);
  }

  /** A new independent stream seeded from this one. */
  fork(): SeedStream {
    return new SeedStream(this.nextSeed());
  }

  /** A uniformly random permutation of `0 .. n-1` (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

let globalStream: SeedStream | undefined;

/**
 * Sets the global seed. Builders and trainers called without their own `seed` draw one from the global
 * stream, so a program that calls `setSeed` once at the start is reproducible as a whole.
 *
 * @param seed - an integer in [0, 2^32).
 * @example
 * ```ts
 * setSeed(1234);
 * ```
 * @category Training
 */
export function setSeed(seed: number): void {
  globalStream = new SeedStream(seed);
}

/**
 * The seed last given to {@link setSeed}, or `undefined` when none was set.
 * @category Training
 */
export function getSeed(): number | undefined {
  return globalStream?.seed;
}

/**
 * Resolves an optional seed: the given one, else the next seed of the global stream, else (no global seed
 * set) a fresh non-reproducible one.
 *
 * @example
 * ```ts
 * const stream = new SeedStream(resolveSeed(config.seed));
 * ```
 */
export function resolveSeed(seed?: number, parameter = 'seed'): number {
  if (seed !== undefined) {
    assertSeed(seed, parameter);
    return seed;
  }
  if (globalStream) return globalStream.nextSeed();
  return Math.floor(Math.random() * 0x8000_0000);
}

/** A new stream for the given optional seed; see {@link resolveSeed}. */
export function seedStream(seed?: number, parameter = 'seed'): SeedStream {
  return new SeedStream(resolveSeed(seed, parameter));
}
