/**
 * Self-conditioning, after Liu et al. 2020 ("Diverse Image Generation via Self-Conditioned GANs"): a GAN
 * for unlabelled data conditions both networks on a cluster of the training examples instead of a class
 * label. Here the clusters come from k-means on the examples themselves (k-means++ start, Lloyd
 * iterations), made by the first `fit` and kept with the model; training is then a conditional GAN's
 * (concat conditioning) on the cluster ids, and a sample draws its cluster in proportion to the clusters'
 * sizes, so the samples follow the whole data distribution and no label is ever asked for. (Liu et al.
 * cluster the discriminator's features and re-cluster during training; clustering the examples once is
 * the simple form, and on digits its clusters are largely digits and styles.)
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../core/errors.js';
import { is, isRecord, optionsSchema } from '../../core/options.js';
import { SeedStream } from '../../core/seed.js';

/**
 * Options of self-conditioning; see {@link GANConfig.selfConditioning}.
 * @category Models
 */
export interface GANSelfConditioningOptions {
  /** Clusters of the training examples (k of k-means), at least 2. Default 40 (more than the kinds the data has: Liu et al. over-cluster too; on MNIST 40 clusters beat 20 and 10). */
  clusters?: number;
}

/** Lloyd iterations of the k-means (it stops earlier when no example changes cluster). */
const ITERATIONS = 30;
/** Examples per block of the distance computations (bounds the [block, k] and [block, D] temporaries). */
const BLOCK = 4096;

const OPTIONS = optionsSchema<GANSelfConditioningOptions>()('GAN.selfConditioning', {
  clusters: is.intAtLeast(2, 'at least 2 clusters').default(40),
});

/** The config field: `true` is `{ clusters: 40 }`. */
export const SELF_CONDITIONING_FIELD = is.switchable(OPTIONS).default(false);

/** What a self-conditioned GAN keeps of its clustering (saved with its training state). */
export interface ClusterState {
  /** Cluster centres, `[clusters, prod(dataShape)]` row-major. */
  centres: number[];
  /** Training examples per cluster. */
  sizes: number[];
}

/** For each row of `x` ([n, d]), the nearest of `centres` ([k, d]) in squared Euclidean distance. */
function nearest(x: tf.Tensor2D, centres: tf.Tensor2D): Int32Array {
  const n = x.shape[0];
  const out = new Int32Array(n);
  for (let start = 0; start < n; start += BLOCK) {
    const size = Math.min(BLOCK, n - start);
    const ids = tf.tidy(() => {
      const block = tf.slice(x, [start, 0], [size, -1]);
      // ||x - c||² = ||x||² - 2 x·c + ||c||²; ||x||² is the same for every c of a row.
      const scores = tf.sub(tf.sum(tf.square(centres), 1), tf.mul(2, tf.matMul(block, centres, false, true)));
      return tf.argMin(scores, 1);
    });
    out.set(ids.dataSync() as Int32Array, start);
    ids.dispose();
  }
  return out;
}

/**
 * An index drawn in proportion to `weights` (summing to `total`) by the uniform number `u` in [0, 1); the
 * last index when rounding leaves none.
 */
function pickWeighted(weights: ArrayLike<number>, total: number, u: number): number {
  let r = u * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i]!;
    if (r < 0) return i;
  }
  return weights.length - 1;
}

/** `n` indices drawn in proportion to `weights`, from `seed`. */
function drawWeighted(weights: readonly number[], n: number, seed: number): Int32Array {
  const rng = new SeedStream(seed);
  const total = weights.reduce((a, b) => a + b, 0);
  return Int32Array.from({ length: n }, () => pickWeighted(weights, total, rng.uniform()));
}

/** Squared distance of every row of `x` to one centre ([1, d]), read back. */
function distancesTo(x: tf.Tensor2D, centre: tf.Tensor2D): Float32Array {
  return tf.tidy(() => tf.sum(tf.squaredDifference(x, centre), 1).dataSync() as Float32Array);
}

/**
 * The clustering of a self-conditioned GAN: k-means of its first training set, the clusters' sizes, and
 * the assignment of new examples (validation data, `discriminate`, `embed`) to their nearest centre.
 */
export class ClusterTable {
  private constructor(
    /** `[k, d]`, owned by the table. */
    private readonly centres: tf.Tensor2D,
    readonly sizes: readonly number[],
  ) {}

  /**
   * k-means of `x` (`[n, ...]`, flattened per example) into `k` clusters: a k-means++ start drawn from
   * `seed`, then Lloyd iterations until no example changes cluster (at most 30). Returns the table and
   * each example's cluster.
   * @throws InputError when `x` has fewer examples than clusters.
   */
  static fit(x: tf.Tensor, k: number, seed: number, parameter: string): { table: ClusterTable; ids: Int32Array } {
    const n = x.shape[0]!;
    if (n < k) throw new InputError(parameter, x, `at least ${k} examples (selfConditioning clusters them into ${k} clusters)`);
    const rng = new SeedStream(seed);
    const flat = tf.tidy(() => tf.reshape(tf.cast(x, 'float32'), [n, -1]) as tf.Tensor2D);
    let centres: tf.Tensor2D | undefined;
    try {
      // k-means++: each next centre is an example drawn with probability proportional to its squared
      // distance to the nearest centre so far.
      const picks = [Math.floor(rng.uniform() * n)];
      const best = new Float64Array(n).fill(Infinity);
      for (let c = 1; c < k; c++) {
        const row = tf.slice(flat, [picks[c - 1]!, 0], [1, -1]);
        const d = distancesTo(flat, row);
        row.dispose();
        let total = 0;
        for (let i = 0; i < n; i++) total += best[i] = Math.min(best[i]!, d[i]!);
        picks.push(pickWeighted(best, total, rng.uniform()));
      }
      centres = tf.gather(flat, picks) as tf.Tensor2D;
      let ids = nearest(flat, centres);
      for (let it = 0; it < ITERATIONS; it++) {
        const next = ClusterTable.means(flat, ids, centres, k);
        centres.dispose();
        centres = next;
        const moved = nearest(flat, centres);
        const same = moved.every((v, i) => v === ids[i]);
        ids = moved;
        if (same) break;
      }
      const sizes = new Array<number>(k).fill(0);
      for (const id of ids) sizes[id]!++;
      const table = new ClusterTable(centres, sizes);
      centres = undefined;
      return { table, ids };
    } finally {
      centres?.dispose();
      flat.dispose();
    }
  }

  /** The mean of each cluster's examples; an empty cluster keeps its centre. */
  private static means(flat: tf.Tensor2D, ids: Int32Array, centres: tf.Tensor2D, k: number): tf.Tensor2D {
    return tf.tidy(() => {
      const oneHot = tf.cast(tf.oneHot(tf.tensor1d(ids, 'int32'), k), 'float32');
      const counts = tf.sum(oneHot, 0);
      const sums = tf.matMul(oneHot, flat, true, false);
      const empty = tf.broadcastTo(tf.reshape(tf.equal(counts, 0), [k, 1]), centres.shape);
      return tf.where(empty, centres, tf.div(sums, tf.reshape(tf.maximum(counts, 1), [k, 1]))) as tf.Tensor2D;
    });
  }

  /** A table read back from a save. @throws InputError when the saved state does not fit `dim` and `k`. */
  static restore(state: unknown, k: number, dim: number): ClusterTable {
    const s = state as Partial<ClusterState> | undefined;
    const ok =
      isRecord(s) &&
      Array.isArray(s.centres) &&
      Array.isArray(s.sizes) &&
      s.sizes.length === k &&
      s.centres.length === k * dim &&
      s.sizes.every((v) => Number.isInteger(v) && v >= 0) &&
      s.centres.every((v) => typeof v === 'number' && Number.isFinite(v));
    if (!ok) throw new InputError('clusters', state, `the saved clustering of a self-conditioned GAN: { centres: ${k} x ${dim} numbers, sizes: ${k} counts }`);
    return new ClusterTable(tf.tensor2d(s.centres!, [k, dim]), [...s.sizes!]);
  }

  /** The nearest centre of each example of `x` (`[n, ...]`). */
  assign(x: tf.Tensor): Int32Array {
    const flat = tf.tidy(() => tf.reshape(tf.cast(x, 'float32'), [x.shape[0]!, -1]) as tf.Tensor2D);
    try {
      return nearest(flat, this.centres);
    } finally {
      flat.dispose();
    }
  }

  /** `n` cluster ids drawn uniformly from `k`, from `seed` (a self-conditioned GAN before its first fit). */
  static uniform(n: number, k: number, seed: number): Int32Array {
    return drawWeighted(new Array<number>(k).fill(1), n, seed);
  }

  /** `n` cluster ids drawn in proportion to the clusters' sizes, from `seed`. */
  draw(n: number, seed: number): Int32Array {
    return drawWeighted(this.sizes, n, seed);
  }

  /** The state saved with the model. */
  state(): ClusterState {
    return { centres: Array.from(this.centres.dataSync()), sizes: [...this.sizes] };
  }

  dispose(): void {
    this.centres.dispose();
  }
}
