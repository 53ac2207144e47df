/**
 * The layer form of the noise injectors: a tfjs-layers layer that corrupts its input while training
 * (`training: true`, as in `model.fit`) and passes it through unchanged otherwise (`predict`, `evaluate`).
 * It saves with the model and loads back (`className` `'LatentkitNoise'`).
 *
 * @example
 * ```ts
 * import * as tfl from '@tensorflow/tfjs-layers';
 * import { noiseLayer } from 'latentkit';
 *
 * const model = tfl.sequential({
 *   layers: [
 *     noiseLayer({ noise: { kind: 'masking', rate: 0.3 }, seed: 42, inputShape: [784] }),
 *     tfl.layers.dense({ units: 32, activation: 'relu' }),
 *     tfl.layers.dense({ units: 784, activation: 'sigmoid' }),
 *   ],
 * });
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { is, optionsSchema } from '../core/options.js';
import { resolveSeed, SeedStream } from '../core/seed.js';
import type { NoiseFn } from '../noise/injectors.js';
import { LAYER_BASE_FIELDS, type LayerArgs } from './layerArgs.js';
import { noiseFromSpec, normaliseNoiseSpec, type NoiseSpec } from '../noise/spec.js';


/**
 * Arguments of {@link noiseLayer} and {@link NoiseLayer}.
 * @category Noise
 */
export interface NoiseLayerArgs extends LayerArgs {
  /** The noise to inject while training, as data (so that the layer can be saved). */
  noise: NoiseSpec;
  /**
   * Seed of the layer's noise, an integer in [0, 2^32). Each training call takes the next seed of a
   * stream started from it, so noise is fresh on every batch and the whole sequence is reproducible.
   * Default: the next seed of the global stream ({@link setSeed}), else a random one. The resolved seed
   * is saved with the model.
   */
  seed?: number;
}

/** The keys of {@link NoiseLayerArgs}: its own, and tfjs-layers' base layer arguments (passed on unchecked). */
const NOISE_LAYER_ARGS = optionsSchema<NoiseLayerArgs>()(
  'noiseLayer',
  {
    noise: is.any<NoiseSpec>(),
    seed: is.any<number>(),
    ...LAYER_BASE_FIELDS,
  },
  { expected: 'an arguments object { noise, seed?, name? }' },
);

/**
 * A layer that adds noise to its input during training and is the identity otherwise.
 *
 * Input shape: any. Output shape: the input shape. The output is float32 while training.
 *
 * The layer holds a {@link SeedStream} started from `seed` and takes one seed from it on each call with
 * `training: true`, so two layers made with the same seed inject the same sequence of noise. A model
 * loaded from disk restarts the stream from the saved seed.
 *
 * @example
 * ```ts
 * const layer = new NoiseLayer({ noise: { kind: 'uniform', scale: 0.3, clip: [0, 1] }, seed: 1 });
 * const noisy = layer.apply(x, { training: true }) as tf.Tensor;
 * const same = layer.apply(x) as tf.Tensor; // identity outside training
 * ```
 * @category Noise
 */
export class NoiseLayer extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitNoise';
  /** The noise injected while training, in canonical form (defaults written out). */
  readonly noise: NoiseSpec;
  /** The seed the layer's stream started from. */
  readonly seed: number;
  private readonly noiseFn: NoiseFn;
  private readonly stream: SeedStream;

  constructor(args: NoiseLayerArgs) {
    if (typeof args !== 'object' || args === null) NOISE_LAYER_ARGS.check(args);
    super(args);
    this.supportsMasking = true;
    this.noise = normaliseNoiseSpec(args.noise, 'noiseLayer.noise');
    this.noiseFn = noiseFromSpec(this.noise, 'noiseLayer.noise');
    // A saved config carries the seed as a number; `null` would mean it was lost, so treat it as absent.
    this.seed = resolveSeed(args.seed ?? undefined, 'noiseLayer.seed');
    this.stream = new SeedStream(this.seed);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const input = Array.isArray(inputs) ? inputs[0]! : inputs;
      if (kwargs['training'] !== true) return input;
      return this.noiseFn(input, this.stream.nextSeed());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      noise: { ...this.noise } as unknown as tf.serialization.ConfigDict,
      seed: this.seed,
    };
    Object.assign(config, super.getConfig());
    return config;
  }
}
tf.serialization.registerClass(NoiseLayer);

/**
 * Creates a {@link NoiseLayer}: noise while training, identity in inference.
 *
 * @param args - `noise` (a {@link NoiseSpec}), `seed` (default: from the global stream), `name`, and any
 *   other tfjs-layers layer argument such as `inputShape`.
 * @returns the layer.
 * @throws ConfigError naming `noiseLayer.noise.<option>` or `noiseLayer.seed` when invalid.
 * @example
 * ```ts
 * const corrupt = noiseLayer({ noise: { kind: 'gaussian', stddev: 0.5, clip: [0, 1] }, seed: 42, name: 'corrupt' });
 * model.add(corrupt);
 * ```
 * @category Noise
 */
export function noiseLayer(args: NoiseLayerArgs): NoiseLayer {
  // Checked here, not in the constructor, which tfjs also calls with its own keys when a model loads.
  NOISE_LAYER_ARGS.check(args);
  return new NoiseLayer(args);
}
