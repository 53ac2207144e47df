/**
 * The standard normal quantile function (inverse CDF), for laying out latent grids that follow the prior:
 * points at equal steps of probability rather than of distance, as in the classic VAE manifold plots.
 *
 * @example
 * ```ts
 * const ticks = normalQuantiles(20);       // 20 values from about -1.96 to 1.96
 * normalQuantile(0.975);                   // 1.959963...
 * ```
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { checkGeneratedSize, positiveInt } from '../../core/options.js';

// Peter Acklam's rational approximation: relative error below 1.2e-9 over (0, 1).
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function tail(q: number): number {
  return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
}

/**
 * The `p`-quantile of the standard normal distribution: the `x` with `P(Z <= x) = p`.
 *
 * @param p - a probability in (0, 1) (0 and 1 give -Infinity and Infinity).
 * @returns the quantile, accurate to about 1e-9 relative.
 * @throws ConfigError when `p` is not a number in [0, 1].
 * @example
 * ```ts
 * normalQuantile(0.5);   // 0
 * normalQuantile(0.05);  // -1.6448536...
 * ```
 * @category Latent
 */
export function normalQuantile(p: number): number {
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw new ConfigError('normalQuantile.p', p, 'a probability in [0, 1]');
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p < P_LOW) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - P_LOW) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
    (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1)
  );
}

/**
 * `n` standard normal quantiles at the probabilities `(i + 0.5) / n`, `i = 0 .. n-1` (ascending): the
 * centres of `n` equal-probability bins, so the grid spans the prior without reaching its infinite ends.
 *
 * @param n - number of points (>= 1).
 * @example
 * ```ts
 * normalQuantiles(3); // [-0.967, 0, 0.967]
 * ```
 * @category Latent
 */
export function normalQuantiles(n: number): number[] {
  positiveInt('normalQuantiles.n', n);
  checkGeneratedSize('normalQuantiles.n', n);
  return Array.from({ length: n }, (_, i) => normalQuantile((i + 0.5) / n));
}
