/**
 * Seeded, stratified selection of disjoint parts (train, test) from a labelled pool: each part holds
 * the classes in the pool's proportions (within one example per class), no row is in two parts, and the
 * rows of each part come out in a seeded random order.
 *
 * @example
 * ```ts
 * const [train, test] = stratifiedSplit(labels, 10, [8000, 2000], new SeedStream(1));
 * ```
 * @module
 */
import type { SeedStream } from '../core/seed.js';

/**
 * Splits `total` among classes in proportion to `weights` (largest remainder, ties to the lower class),
 * never giving a class more than its `capacity`. The caller ensures `sum(capacity) >= total`.
 *
 * @example
 * ```ts
 * allocate(10, [5, 3, 2], [5, 3, 2]); // [5, 3, 2]
 * allocate(3, [1, 1], [1, 5]);        // [1, 2]
 * ```
 */
export function allocate(total: number, weights: readonly number[], capacity: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const ideal = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const out = ideal.map((x, c) => Math.min(Math.floor(x), capacity[c]!));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = ideal
    .map((x, c) => ({ c, frac: x - out[c]! }))
    .sort((a, b) => b.frac - a.frac || a.c - b.c)
    .map((o) => o.c);
  while (left > 0) {
    let gave = false;
    for (const c of order) {
      if (left === 0) break;
      if (out[c]! < capacity[c]!) {
        out[c]!++;
        left--;
        gave = true;
      }
    }
    if (!gave) throw new RangeError(`allocate: ${total} exceeds the total capacity`);
  }
  return out;
}

/**
 * Picks disjoint, stratified, shuffled row indices for each requested part size.
 *
 * @param labels - class id of every row of the pool, in [0, numClasses).
 * @param numClasses - number of classes.
 * @param sizes - rows wanted in each part; their sum must not exceed `labels.length`.
 * @param stream - the seeded source of the permutations.
 * @returns one `Int32Array` of row indices per part.
 * @example
 * ```ts
 * const [only] = stratifiedSplit(labels, 10, [500], new SeedStream(3));
 * ```
 */
export function stratifiedSplit(
  labels: ArrayLike<number>,
  numClasses: number,
  sizes: readonly number[],
  stream: SeedStream,
): Int32Array[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const byClass = counts.map((n) => new Int32Array(n));
  const filled = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    byClass[c]![filled[c]!++] = i;
  }
  const remaining = [...counts];
  const quotas = sizes.map((size) => {
    const q = allocate(size, counts, remaining);
    q.forEach((n, c) => (remaining[c]! -= n));
    return q;
  });
  const parts = sizes.map((size) => new Int32Array(size));
  const at = sizes.map(() => 0);
  for (let c = 0; c < numClasses; c++) {
    const rows = byClass[c]!;
    const perm = stream.permutation(rows.length);
    let taken = 0;
    quotas.forEach((q, p) => {
      for (let k = 0; k < q[c]!; k++) parts[p]![at[p]!++] = rows[perm[taken++]!]!;
    });
  }
  return parts.map((part) => {
    const order = stream.permutation(part.length);
    return part.map((_, i) => part[order[i]!]!);
  });
}
