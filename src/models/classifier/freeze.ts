/**
 * Freezing a transfer head's base from the input side, as Keras does: a frozen layer's weights leave
 * the trainable set, and a frozen BatchNormalization runs in inference mode (its moving statistics are
 * used and left alone, also while the rest of the model trains). tfjs-layers only does the first: its
 * BatchNormalization normalises with the batch's statistics and updates its moving ones whenever it is
 * called with `training: true`, trainable or not. So each batch-norm layer of a classifier is made to
 * pass `training: false` on while it is frozen.
 *
 * Also here: class weights for the loss, from an array or a `{ classId: weight }` record.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.js';
import { isRecord } from '../../core/options.js';
import { FOLLOWS_TRAINABLE } from '../nets/batchNorm.js';

/**
 * A weight per class for the training loss: an array with one weight per class, or `{ classId: weight }`
 * (classes left out weigh 1), as Keras's `class_weight`.
 * @category Models
 */
export type ClassWeight = readonly number[] | Readonly<Record<number, number>>;


type Call = (inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/**
 * Makes a BatchNormalization layer run in inference mode whenever it is frozen (`trainable` false), as a
 * Keras BatchNormalization does. Other layers are left alone (a frozen dropout still drops, as in Keras).
 */
export function inferenceWhenFrozen(layer: tfl.layers.Layer): void {
  const marked = layer as unknown as Record<symbol, boolean> & { call: Call };
  if (layer.getClassName() !== 'BatchNormalization' || marked[FOLLOWS_TRAINABLE]) return;
  const call = marked.call.bind(layer);
  marked.call = (inputs, kwargs) => call(inputs, layer.trainable ? kwargs : { ...kwargs, training: false });
  marked[FOLLOWS_TRAINABLE] = true;
}

/** The base layers of a classifier (a transfer head's copied network) and how many are frozen. */
export class FrozenBase {
  /** The base layers' names, from the input side. */
  readonly names: readonly string[];
  private count = 0;

  constructor(
    model: tfl.LayersModel,
    private readonly layers: readonly tfl.layers.Layer[],
  ) {
    this.names = Object.freeze(layers.map((l) => l.name));
    model.layers.forEach(inferenceWhenFrozen);
  }

  /** How many base layers, from the input side, are frozen. */
  get frozen(): number {
    return this.count;
  }

  /** Freezes the first `n` base layers and unfreezes the rest. */
  freeze(n: number): void {
    this.layers.forEach((layer, i) => (layer.trainable = i >= n));
    this.count = n;
  }
}

/** Class weights as one float per class, checked. */
export function classWeightsOf(value: unknown, numClasses: number, parameter: string): Float32Array {
  const weights = new Float32Array(numClasses).fill(1);
  const check = (at: string, w: unknown): number => {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) throw new ConfigError(at, w, 'a finite weight >= 0');
    return w;
  };
  if (Array.isArray(value)) {
    if (value.length !== numClasses) throw new ConfigError(parameter, value, `${numClasses} weights, one per class`);
    value.forEach((w, i) => (weights[i] = check(`${parameter}[${i}]`, w)));
  } else if (isRecord(value)) {
    for (const [key, w] of Object.entries(value)) {
      const id = Number(key);
      if (!Number.isInteger(id) || id < 0 || id >= numClasses) throw new ConfigError(`${parameter}.${key}`, w, `a key that is a class id in [0, ${numClasses - 1}]`);
      weights[id] = check(`${parameter}.${key}`, w);
    }
  } else {
    throw new ConfigError(parameter, value, 'an array of one weight per class, or { classId: weight }');
  }
  if (weights.every((w) => w === 0)) throw new ConfigError(parameter, value, 'at least one weight above 0');
  return weights;
}
