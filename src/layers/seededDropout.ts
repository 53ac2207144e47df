/**
 * Dropout whose masks are reproducible from a seed yet fresh at every training call. tfjs-layers' own
 * Dropout passes one fixed seed to every call (the same mask each step) or none (Math.random).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../core/seed.js';
import { numberIn } from '../core/options.js';
import type { LayerArgs } from './layerArgs.js';

/** Arguments of {@link SeededDropout}: its own, and tfjs-layers' base layer arguments (`name`, `trainable`...). */
export interface SeededDropoutArgs extends LayerArgs {
  /** Fraction of units dropped while training, in [0, 1). */
  rate: number;
  /** Seed of the mask sequence. */
  seed: number;
}

/**
 * Inverted dropout, active only when called with `training: true`; each training call draws the next
 * seed of the layer's own {@link SeedStream}.
 *
 * @example
 * ```ts
 * const drop = new SeededDropout({ rate: 0.2, seed: 7 });
 * const y = drop.apply(x, { training: true }) as tf.Tensor;
 * ```
 */
export class SeededDropout extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitDropout';
  readonly rate: number;
  readonly seed: number;
  private readonly stream: SeedStream;

  constructor(args: SeededDropoutArgs) {
    // All base arguments, so that a saved `trainable: false` (a frozen transfer base) loads back.
    super(args);
    this.rate = numberIn('dropout.rate', args.rate, 0, 1, { maxOpen: true });
    this.seed = args.seed;
    this.stream = new SeedStream(args.seed);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return x;
    return tf.dropout(x, this.rate, undefined, this.stream.nextSeed());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
tf.serialization.registerClass(SeededDropout);
