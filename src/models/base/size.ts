/**
 * A model's size, estimated from its resolved config before anything is allocated, and the limit past
 * which a builder refuses to build unless asked (`allowLarge: true`): a typo such as `inputDim: 1e9`
 * would otherwise allocate for minutes and then run out of memory. The estimates count the weights of
 * the layers that dominate (dense layers exactly, convolutions by their kernels and biases), so they are
 * close to `model.countParams()` (a test holds them within a factor of 2 over generated configs).
 *
 * @example
 * ```ts
 * checkModelSize('undercompleteAE', denseChainParams([784, 256, 32, 256, 784]), false); // 402,992: fine
 * ```
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { is } from '../../core/options.js';

/**
 * Builders refuse configs whose estimated parameter count exceeds this (100 million: 400 MB of float32
 * weights, about 1.6 GB with gradients and Adam's moments) unless the config says `allowLarge: true`.
 * @category Models
 */
export const PARAMETER_LIMIT = 100_000_000;

/** The `allowLarge` field every builder's config takes. */
export const ALLOW_LARGE_FIELD = is.boolean().default(false);

/** Weights of dense layers `sizes[0] -> sizes[1] -> ...` (kernels and biases). */
export function denseChainParams(sizes: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < sizes.length; i++) total += (sizes[i - 1]! + 1) * sizes[i]!;
  return total;
}

/** Weights of a convolution (or its transpose) with square `kernel`, `cin` -> `cout` channels. */
export function convParams(kernel: number, cin: number, cout: number): number {
  return kernel * kernel * cin * cout + cout;
}

/**
 * Weights of the conv stack `channels -> filters[0] -> ...` and of its mirror back to `channels`.
 *
 * @param kernels - one kernel size per convolution.
 */
export function convStackParams(channels: number, filters: readonly number[], kernels: readonly number[]): { encoder: number; decoder: number } {
  let encoder = 0;
  let decoder = 0;
  filters.forEach((f, i) => {
    const cin = i === 0 ? channels : filters[i - 1]!;
    encoder += convParams(kernels[i]!, cin, f);
    decoder += convParams(kernels[i]!, f, i === 0 ? f : cin);
  });
  decoder += convParams(kernels[0]!, filters[0]!, channels);
  return { encoder, decoder };
}

/**
 * Refuses to build a model whose estimated size is beyond {@link PARAMETER_LIMIT}, unless `allowLarge`.
 * @throws ConfigError naming `<builder>.allowLarge`, with the estimate and the limit.
 */
export function checkModelSize(builder: string, estimate: number, allowLarge: boolean | undefined): void {
  if (allowLarge === true || estimate <= PARAMETER_LIMIT) return;
  const millions = (v: number) => (v >= 1e6 ? `${(v / 1e6).toPrecision(3)} million` : String(v));
  throw new ConfigError(
    `${builder}.allowLarge`,
    allowLarge ?? false,
    `true to build a model this large: the config describes about ${millions(estimate)} parameters (${millions(estimate * 4)} bytes of float32 weights), ` +
      `beyond the limit of ${millions(PARAMETER_LIMIT)}; check the sizes (inputDim, inputShape, hiddenUnits...) or pass allowLarge: true`,
  );
}
