/**
 * The config field of the minibatch standard deviation feature (Karras et al.), a remedy for mode
 * collapse; the layer itself is `layers/minibatchStddev.ts`.
 * @module
 */
import { is, optionsSchema } from '../../core/options.js';

/**
 * Options of the minibatch standard deviation feature; see {@link GANConfig.minibatchStddev}.
 * @category Models
 */
export interface GANMinibatchStddevOptions {
  /** Examples per group (a batch that does not divide ends with a smaller group). Default 4. */
  groupSize?: number;
}

const MINIBATCH_STDDEV = optionsSchema<GANMinibatchStddevOptions>()('GAN.minibatchStddev', {
  groupSize: is.intAtLeast(2, 'at least 2 examples per group (a spread needs two)').default(4),
});

/** The config field: `true` is `{ groupSize: 4 }`. */
export const MINIBATCH_STDDEV_FIELD = is.switchable(MINIBATCH_STDDEV).default(false);
