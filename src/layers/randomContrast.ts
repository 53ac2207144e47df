/**
 * Random contrast as a training-time augmentation layer, as Keras's `RandomContrast` (tfjs-layers 4.22
 * has none): each image of a training batch has its contrast scaled by its own random factor about its
 * per-channel mean; in inference (`training` not true) the layer is the identity. Seeded, and saved with
 * the model (`className` `'LatentkitRandomContrast'`).
 *
 * @example
 * ```ts
 * const contrast = randomContrast({ factor: 0.2, seed: 1 });   // contrast x [0.8, 1.2]
 * const augmented = contrast.apply(images, { training: true }) as tf.Tensor4D;
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.js';
import { is, optionsSchema } from '../core/options.js';
import { resolveSeed, SeedStream } from '../core/seed.js';
import { LAYER_BASE_FIELDS, type LayerArgs } from './layerArgs.js';

/**
 * Arguments of {@link randomContrast} and {@link RandomContrast}.
 * @category Layers
 */
export interface RandomContrastArgs extends LayerArgs {
  /**
   * The contrast factor's range: `f` draws it from `[1 - f, 1 + f]`, `[lower, upper]` from
   * `[1 - lower, 1 + upper]` (Keras's convention; `lower` at most 1). Required.
   */
  factor: number | readonly [number, number];
  /**
   * The range outputs are clipped to, as Keras 3's `value_range`: `[0, 1]` for images scaled to [0, 1]
   * (default), `[0, 255]` for raw pixels, `null` for no clipping.
   */
  valueRange?: readonly [number, number] | null;
  /** Seed of the factor draws (each training call takes the next seed of a stream started from it). Default: from {@link setSeed}. */
  seed?: number;
}

const ARGS = optionsSchema<RandomContrastArgs>()(
  'randomContrast',
  { factor: is.any(), valueRange: is.any(), seed: is.any(), ...LAYER_BASE_FIELDS },
  { expected: 'an arguments object { factor, seed?, valueRange? }' },
);

/** `f` or `[lower, upper]` (each in [0, 1] for lower, >= 0 for upper) as the factor range `[1 - lower, 1 + upper]`. */
export function contrastRange(value: unknown, parameter = 'randomContrast.factor'): [number, number] {
  const pair = typeof value === 'number' ? [value, value] : Array.isArray(value) && value.length === 2 ? (value as unknown[]) : [];
  const [lower, upper] = pair as number[];
  const ok = typeof lower === 'number' && typeof upper === 'number' && lower >= 0 && lower <= 1 && upper >= 0 && Number.isFinite(upper);
  if (!ok) throw new ConfigError(parameter, value, 'a factor f in [0, 1] (contrast x [1 - f, 1 + f]) or a pair [lower, upper] with lower in [0, 1] and upper >= 0');
  return [1 - lower, 1 + upper];
}

/** Checks a clipping range (`[lo, hi]` or null). */
export function checkValueRange(value: unknown, parameter = 'randomContrast.valueRange'): [number, number] | null {
  if (value === null) return null;
  const ok = Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v)) && value[0] < value[1];
  if (!ok) throw new ConfigError(parameter, value, 'a range [lo, hi] of finite numbers with lo < hi, or null');
  return [value[0], value[1]];
}

/**
 * Scales the contrast of each image of a training batch by a random factor (the identity otherwise).
 *
 * Input: `[batch, height, width, channels]`. Output: the same shape, float32.
 *
 * Image `i` gets a factor `c` drawn uniformly from the range, and each channel becomes
 * `(x - mean) * c + mean` with `mean` that channel's mean over the image (`tf.image.adjust_contrast`),
 * clipped to `valueRange`. Keras 3 draws one factor per image too (Keras 2 drew one per batch).
 *
 * @example
 * ```ts
 * const layer = new RandomContrast({ factor: [0.5, 0], seed: 2 }); // lower the contrast by up to half
 * ```
 * @category Layers
 */
export class RandomContrast extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitRandomContrast';
  /** The range the contrast factor is drawn from, `[1 - lower, 1 + upper]`. */
  readonly factorRange: [number, number];
  readonly valueRange: [number, number] | null;
  /** The seed the layer's stream started from. */
  readonly seed: number;
  private readonly stream: SeedStream;

  constructor(args: RandomContrastArgs) {
    if (typeof args !== 'object' || args === null) ARGS.check(args);
    super(args);
    this.factorRange = contrastRange(args.factor);
    this.valueRange = checkValueRange(args.valueRange === undefined ? [0, 1] : args.valueRange);
    this.seed = resolveSeed(args.seed ?? undefined, 'randomContrast.seed');
    this.stream = new SeedStream(this.seed);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (shape.length !== 4) {
      throw new ConfigError(`randomContrast (${this.name}) input`, `shape [${shape.map((d) => d ?? '?').join(', ')}]`, 'images [batch, height, width, channels]');
    }
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (kwargs['training'] !== true) return x;
      const xf = tf.cast(x, 'float32');
      const [low, high] = this.factorRange;
      const factor = tf.randomUniform([x.shape[0]!, 1, 1, 1], low, high, 'float32', this.stream.nextSeed());
      const mean = tf.mean(xf, [1, 2], true);
      const out = tf.add(tf.mul(tf.sub(xf, mean), factor), mean);
      return this.valueRange ? tf.clipByValue(out, this.valueRange[0], this.valueRange[1]) : out;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const [low, high] = this.factorRange;
    const config: tf.serialization.ConfigDict = {
      // As given to the constructor: [lower, upper] with the range [1 - lower, 1 + upper].
      factor: [1 - low, high - 1],
      valueRange: this.valueRange ? [...this.valueRange] : null,
      seed: this.seed,
    };
    Object.assign(config, super.getConfig());
    return config;
  }
}
tf.serialization.registerClass(RandomContrast);

/**
 * Creates a {@link RandomContrast} layer: a random contrast change of each image while training, the
 * identity in inference.
 *
 * @param args - `factor` (required), `valueRange`, `seed`, and any tfjs-layers layer argument.
 * @throws ConfigError naming the argument when it is invalid or unknown.
 * @example
 * ```ts
 * const layer = randomContrast({ factor: 0.2, seed: 1, name: 'contrast' });
 * ```
 * @category Layers
 */
export function randomContrast(args: RandomContrastArgs): RandomContrast {
  ARGS.check(args);
  return new RandomContrast(args);
}
