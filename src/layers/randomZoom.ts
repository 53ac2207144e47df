/**
 * Random zoom as a training-time augmentation layer, as Keras's `RandomZoom` (tfjs-layers 4.22 has none):
 * each image of a training batch is zoomed about its centre by its own random factor; in inference
 * (`training` not true) the layer is the identity. Seeded, and saved with the model (`className`
 * `'LatentkitRandomZoom'`).
 *
 * @example
 * ```ts
 * const zoom = randomZoom({ factor: 0.1, seed: 1 });            // zoom in or out by up to 10%
 * const augmented = zoom.apply(images, { training: true }) as tf.Tensor4D;
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../core/errors.js';
import { is, oneOf, optionsSchema } from '../core/options.js';
import { resolveSeed, SeedStream } from '../core/seed.js';
import { factorRange, LAYER_BASE_FIELDS, type LayerArgs } from './layerArgs.js';

/**
 * How points outside the image are filled (tfjs's `tf.image.transform` modes; Keras's default `'reflect'`).
 * @category Layers
 */
export const FILL_MODES = ['reflect', 'constant', 'nearest', 'wrap'] as const;
/** @category Layers */
export type FillMode = (typeof FILL_MODES)[number];
/** @category Layers */
export const INTERPOLATIONS = ['bilinear', 'nearest'] as const;
/** @category Layers */
export type Interpolation = (typeof INTERPOLATIONS)[number];

/**
 * Arguments of {@link randomZoom} and {@link RandomZoom}.
 * @category Layers
 */
export interface RandomZoomArgs extends LayerArgs {
  /**
   * Zoom of the height, as a fraction: `f` draws from `[-f, f]`, `[lower, upper]` from that range (each in
   * (-1, 1]). Positive zooms out (the content shrinks: the image covers `1 + z` times the original size),
   * negative zooms in, as Keras's `height_factor`. Required.
   */
  factor: number | readonly [number, number];
  /** Zoom of the width, the same way. Default: the height's zoom for each image (the aspect ratio is kept). */
  widthFactor?: number | readonly [number, number];
  /**
   * How points outside the image are filled, as Keras: `'reflect'` (default) mirrors about the edge,
   * `'wrap'` repeats the image (interpolating across the seam, where TensorFlow clamps), `'nearest'`
   * repeats the edge pixels, `'constant'` is `fillValue`.
   */
  fillMode?: FillMode;
  /** `'bilinear'` (default, as Keras) or `'nearest'`. */
  interpolation?: Interpolation;
  /** Value of the points outside the image with `fillMode: 'constant'`. Default 0. */
  fillValue?: number;
  /** Seed of the zoom draws (each training call takes the next seed of a stream started from it). Default: from {@link setSeed}. */
  seed?: number;
}

const ARGS = optionsSchema<RandomZoomArgs>()(
  'randomZoom',
  {
    factor: is.any(),
    widthFactor: is.any(),
    fillMode: is.any(),
    interpolation: is.any(),
    fillValue: is.any(),
    seed: is.any(),
    ...LAYER_BASE_FIELDS,
  },
  { expected: 'an arguments object { factor, seed?, ... }' },
);

/** Checks a zoom factor (`f` or `[lower, upper]`, each in (-1, 1]) and returns its range `[lower, upper]`. */
export function zoomRange(parameter: string, value: unknown): [number, number] {
  return factorRange(parameter, value, -0.999, 1);
}

/** Pixels of padding that a zoom out to `1 + upper` needs on each side of an axis of `size` pixels. */
function padFor(size: number, [, upper]: readonly [number, number]): number {
  return Math.min(size, Math.ceil((Math.max(0, upper) * (size - 1)) / 2) + 1);
}

/**
 * `image` padded by `ph` rows and `pw` columns on each side, filled as TensorFlow's image transforms fill
 * points outside the image: `reflect` mirrors about the edge ("d c b a | a b c d"), `wrap` repeats the
 * image, `nearest` repeats the edge pixels, `constant` is `value`.
 */
function padImage(image: tf.Tensor4D, ph: number, pw: number, mode: FillMode, value: number): tf.Tensor4D {
  if (mode === 'constant') return tf.pad(image, [[0, 0], [ph, ph], [pw, pw], [0, 0]], value);
  if (mode === 'reflect') return tf.mirrorPad(image, [[0, 0], [ph, ph], [pw, pw], [0, 0]], 'symmetric');
  const along = (t: tf.Tensor4D, axis: 1 | 2, p: number): tf.Tensor4D => {
    const n = t.shape[axis];
    const part = (start: number, size: number) => tf.slice(t, axis === 1 ? [0, start, 0, 0] : [0, 0, start, 0], axis === 1 ? [-1, size, -1, -1] : [-1, -1, size, -1]);
    const reps = (edge: tf.Tensor) => tf.tile(edge, axis === 1 ? [1, p, 1, 1] : [1, 1, p, 1]);
    const [before, after] = mode === 'wrap' ? [part(n - p, p), part(0, p)] : [reps(part(0, 1)), reps(part(n - 1, 1))];
    return tf.concat([before, t, after], axis) as tf.Tensor4D;
  };
  return along(along(image, 1, ph), 2, pw);
}

/**
 * Zooms each image of a training batch by a random factor about its centre (the identity otherwise).
 *
 * Input: `[batch, height, width, channels]`. Output: the same shape, float32.
 *
 * Image `i` gets zoom `z_h` drawn uniformly from `1 + factor` and `z_w` from `1 + widthFactor` (or
 * `z_w = z_h`); output pixel `(x, y)` samples the input at `(x0 + z_w (x - x0), y0 + z_h (y - y0))` with
 * `(x0, y0)` the image centre, the affine map of Keras's `RandomZoom`; points outside the image are
 * filled by `fillMode` as TensorFlow's image transforms fill them. It is computed with `tf.image.cropAndResize`
 * on a padded image: tfjs 4.22's `tf.image.transform` is wrong on cpu for every image after the first of
 * a batch, and on wasm reflects negative coordinates wrongly. No gradient flows through the zoom: put it
 * at the model's input, as augmentation.
 *
 * @example
 * ```ts
 * const layer = new RandomZoom({ factor: [-0.2, 0], seed: 3 }); // zoom in by up to 20%
 * ```
 * @category Layers
 */
export class RandomZoom extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitRandomZoom';
  readonly factor: [number, number];
  readonly widthFactor: [number, number] | undefined;
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly fillValue: number;
  /** The seed the layer's stream started from. */
  readonly seed: number;
  private readonly stream: SeedStream;

  constructor(args: RandomZoomArgs) {
    if (typeof args !== 'object' || args === null) ARGS.check(args);
    super(args);
    this.factor = zoomRange('randomZoom.factor', args.factor);
    this.widthFactor = args.widthFactor === undefined || args.widthFactor === null ? undefined : zoomRange('randomZoom.widthFactor', args.widthFactor);
    this.fillMode = oneOf('randomZoom.fillMode', args.fillMode ?? 'reflect', FILL_MODES);
    this.interpolation = oneOf('randomZoom.interpolation', args.interpolation ?? 'bilinear', INTERPOLATIONS);
    this.fillValue = is.number().check(args.fillValue ?? 0, 'randomZoom.fillValue');
    this.seed = resolveSeed(args.seed ?? undefined, 'randomZoom.seed');
    this.stream = new SeedStream(this.seed);
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape;
    if (shape.length !== 4) {
      throw new ConfigError(`randomZoom (${this.name}) input`, `shape [${shape.map((d) => d ?? '?').join(', ')}]`, 'images [batch, height, width, channels]');
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
      const [batch, height, width] = x.shape as [number, number, number, number];
      const zoomH = tf.add(1, tf.randomUniform([batch, 1], this.factor[0], this.factor[1], 'float32', this.stream.nextSeed()));
      const zoomW = this.widthFactor ? tf.add(1, tf.randomUniform([batch, 1], this.widthFactor[0], this.widthFactor[1], 'float32', this.stream.nextSeed())) : zoomH;
      // Pad wide enough for the largest zoom out, filled as asked, so that no sample falls outside.
      const padH = padFor(height, this.factor);
      const padW = padFor(width, this.widthFactor ?? this.factor);
      const padded = padImage(tf.cast(x, 'float32') as tf.Tensor4D, padH, padW, this.fillMode, this.fillValue);
      // Output row y reads input row z y + (H-1)/2 (1 - z) (+ the padding): a zoom about the centre. In
      // cropAndResize's terms (rows y1 (Hp-1) + y (y2-y1)(Hp-1)/(H-1)) that is the box below.
      const box = (zoom: tf.Tensor, size: number, pad: number) => {
        const full = size + 2 * pad - 1;
        const start = tf.div(tf.add(tf.mul((size - 1) / 2, tf.sub(1, zoom)), pad), full);
        return [start, tf.add(start, tf.mul(zoom, (size - 1) / full))];
      };
      const [y1, y2] = box(zoomH, height, padH);
      const [x1, x2] = box(zoomW, width, padW);
      const boxes = tf.concat([y1!, x1!, y2!, x2!], 1) as tf.Tensor2D;
      const method = this.interpolation === 'bilinear' ? 'bilinear' : 'nearest';
      return tf.image.cropAndResize(padded, boxes, tf.range(0, batch, 1, 'int32') as tf.Tensor1D, [height, width], method, this.fillValue);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      factor: [...this.factor],
      widthFactor: this.widthFactor ? [...this.widthFactor] : null,
      fillMode: this.fillMode,
      interpolation: this.interpolation,
      fillValue: this.fillValue,
      seed: this.seed,
    };
    Object.assign(config, super.getConfig());
    return config;
  }
}
tf.serialization.registerClass(RandomZoom);

/**
 * Creates a {@link RandomZoom} layer: a random zoom of each image while training, the identity in inference.
 *
 * @param args - `factor` (required), `widthFactor`, `fillMode`, `interpolation`, `fillValue`, `seed`, and
 *   any tfjs-layers layer argument such as `name` or `inputShape`.
 * @throws ConfigError naming the argument when it is invalid or unknown.
 * @example
 * ```ts
 * const model = tfl.sequential({ layers: [randomZoom({ factor: 0.1, seed: 1, inputShape: [28, 28, 1] }), ...] });
 * ```
 * @category Layers
 */
export function randomZoom(args: RandomZoomArgs): RandomZoom {
  // Checked here, not in the constructor, which tfjs also calls with its own keys when a model loads.
  ARGS.check(args);
  return new RandomZoom(args);
}
