/**
 * Minibatch standard deviation (Karras et al., "Progressive Growing of GANs", 2018): a discriminator layer
 * that appends one feature saying how varied its batch is, so that a generator which makes the same
 * sample again and again (mode collapse) is easy to tell from real data.
 *
 * The batch is cut into groups of `groupSize` consecutive examples; for each group, the standard deviation
 * of every feature over the group's examples is averaged into one number, which becomes a new last
 * channel (or a new last feature of a flat input) for every example of the group. A batch that does not
 * divide into groups ends with one smaller group.
 *
 * @example
 * ```ts
 * const layer = new MinibatchStddev({ groupSize: 4, name: 'minibatch_stddev' });
 * const y = layer.apply(tf.randomNormal([8, 7, 7, 16])) as tf.Tensor; // [8, 7, 7, 17]
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { positiveInt } from '../core/options.js';

/** The base arguments every tfjs-layers layer takes (`name`, `inputShape`, `trainable`, ...). */
type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * Arguments of {@link MinibatchStddev}.
 */
export interface MinibatchStddevArgs extends LayerArgs {
  /** Examples per group whose spread is measured together. Default 4 (Karras et al.). */
  groupSize?: number;
}

/** Keeps the square root differentiable where a group has no spread at all. */
const EPSILON = 1e-8;

/**
 * The group statistic of `x` (`groups * size` examples): per group, the mean over features of the
 * standard deviation over the group, broadcast to `[groups * size, ...spatial, 1]`.
 */
function groupSpread(x: tf.Tensor, groups: number, size: number): tf.Tensor {
  const rest = x.shape.slice(1);
  const grouped = tf.reshape(x, [groups, size, ...rest]);
  const mean = tf.mean(grouped, 1, true);
  const variance = tf.mean(tf.square(tf.sub(grouped, mean)), 1);
  const spread = tf.mean(tf.reshape(tf.sqrt(tf.add(variance, EPSILON)), [groups, -1]), 1);
  // The statistic as one more channel: every position of every example of the group gets it.
  const spatial = rest.slice(0, -1);
  const ones = tf.ones([1, size, ...spatial, 1]);
  const perExample = tf.mul(tf.reshape(spread, [groups, 1, ...spatial.map(() => 1), 1]), ones);
  return tf.reshape(perExample, [groups * size, ...spatial, 1]);
}

/**
 * Appends the minibatch standard deviation as one more feature: `[B, ..., C]` -> `[B, ..., C + 1]`. It has
 * no weights. Its output for an example depends on the other examples of its group, in inference too.
 */
export class MinibatchStddev extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitMinibatchStddev';
  readonly groupSize: number;

  constructor(args: MinibatchStddevArgs = {}) {
    super(args);
    this.groupSize = positiveInt('minibatchStddev.groupSize', args.groupSize ?? 4);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    const last = shape[shape.length - 1];
    return [...shape.slice(0, -1), last == null ? null : last + 1];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const n = x.shape[0]!;
      const size = Math.min(this.groupSize, n);
      const full = Math.floor(n / size) * size;
      const parts = [groupSpread(full === n ? x : tf.slice(x, 0, full), full / size, size)];
      if (full < n) parts.push(groupSpread(tf.slice(x, full, n - full), 1, n - full));
      const feature = parts.length === 1 ? parts[0]! : tf.concat(parts, 0);
      return tf.concat([x, feature], -1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groupSize: this.groupSize };
  }
}
tf.serialization.registerClass(MinibatchStddev);
