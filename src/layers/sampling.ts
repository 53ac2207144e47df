/**
 * The two custom layers of latentkit's VAE, serialisable like tfjs-layers' own (each has a `static
 * className`, `getConfig()` and is registered with `tf.serialization.registerClass`, so saved models load):
 *
 * - {@link GaussianSampling}: the reparameterization trick, `z = mean + exp(logVar / 2) * eps`.
 * - {@link OutputLogVariance}: an identity layer holding the learned global log-variance of a Gaussian
 *   decoder, so that the weight lives in the model (trained, saved and loaded with it).
 *
 * @example
 * ```ts
 * const sampling = new GaussianSampling({ seed: 7, name: 'z' });
 * const z = sampling.apply([mean, logVar], { training: true }) as tf.Tensor; // fresh, seeded noise
 * const zMean = sampling.apply([mean, logVar]) as tf.Tensor;                  // inference: the mean
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { randomNormal } from '../core/randomNormal.js';
import * as tfl from '@tensorflow/tfjs-layers';
import { InputError } from '../core/errors.js';
import { SeedStream } from '../core/seed.js';

/** tfjs-layers' base layer arguments (`name`, `trainable`, ...). */
type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;

/**
 * One reparameterized draw from `N(mean, exp(logVar))`: `mean + exp(0.5 * logVar) * eps` with
 * `eps ~ N(0, I)` drawn from `seed` (the same seed gives the same noise on every backend). Differentiable
 * in `mean` and `logVar`.
 *
 * @param mean - `[N, d]`.
 * @param logVar - `[N, d]`, natural log of the variance.
 * @param seed - integer seed of the noise.
 * @returns a new tensor `[N, d]`.
 * @example
 * ```ts
 * const z = reparameterize(mean, logVar, ctx.seed);
 * ```
 */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const eps = randomNormal(mean.shape, 0, 1, seed);
    return tf.add(mean, tf.mul(tf.exp(tf.mul(0.5, logVar)), eps));
  });
}

/**
 * Arguments of {@link GaussianSampling}.
 */
export interface GaussianSamplingArgs extends BaseLayerArgs {
  /** Seed of the layer's own noise sequence, used when a call gives no `seed`. Default 0. */
  seed?: number;
}

/**
 * Samples `z ~ N(mean, exp(logVar))` by the reparameterization trick. Input: `[mean, logVar]`, each
 * `[N, d]`; output `[N, d]`.
 *
 * - `training: true` (or `sample: true`): a draw, with noise from the call's `seed` keyword when given
 *   (latentkit's VAE passes the training step's seed), else from the layer's next seed: fresh at every
 *   call yet reproducible from the layer's `seed`.
 * - otherwise (inference, `model.predict`): the mean itself, so that predictions are deterministic.
 *
 * @example
 * ```ts
 * const z = new GaussianSampling({ seed: 3, name: 'z' }).apply([mean, logVar]) as tfl.SymbolicTensor;
 * ```
 */
export class GaussianSampling extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitGaussianSampling';
  /** Seed of the layer's own noise sequence. */
  readonly seed: number;
  private readonly stream: SeedStream;

  constructor(args: GaussianSamplingArgs = {}) {
    super(args);
    this.seed = args.seed ?? 0;
    this.stream = new SeedStream(this.seed);
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    if (!Array.isArray(inputShape[0])) {
      throw new InputError('GaussianSampling inputs', inputShape, 'two inputs, [mean, logVar], of the same shape');
    }
    return inputShape[0] as tfl.Shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new InputError('GaussianSampling inputs', inputs, 'two tensors, [mean, logVar]');
    }
    const [mean, logVar] = inputs as [tf.Tensor, tf.Tensor];
    const draw = kwargs['training'] === true || kwargs['sample'] === true;
    if (!draw) return mean;
    const given = kwargs['seed'];
    const seed = typeof given === 'number' ? given : this.stream.nextSeed();
    return reparameterize(mean, logVar, seed);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), seed: this.seed };
  }
}
tf.serialization.registerClass(GaussianSampling);

/**
 * Arguments of {@link OutputLogVariance}.
 */
export interface OutputLogVarianceArgs extends BaseLayerArgs {
  /** Initial log-variance (natural log). Default 0 (unit variance). */
  initialLogVariance?: number;
}

/**
 * An identity layer that owns one trainable scalar, the decoder's global log-variance `log sigma^2`
 * (weight `log_variance`, shape `[1]`). The VAE's Gaussian likelihood reads it through
 * {@link OutputLogVariance.logVariance}; placing the layer at the end of the model makes the weight part of
 * the model, so training, saving and loading need nothing special.
 *
 * @example
 * ```ts
 * const head = new OutputLogVariance({ name: 'output_log_variance' });
 * const out = head.apply(reconstruction) as tfl.SymbolicTensor; // same tensor values
 * ```
 */
export class OutputLogVariance extends tfl.layers.Layer {
  /** Registered class name, used when a saved model is loaded. */
  static className = 'LatentkitOutputLogVariance';
  /** The initial value of the weight. */
  readonly initialLogVariance: number;
  private weight: tfl.LayerVariable | undefined;

  constructor(args: OutputLogVarianceArgs = {}) {
    super(args);
    this.initialLogVariance = args.initialLogVariance ?? 0;
  }

  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    this.weight = this.addWeight('log_variance', [1], 'float32', tfl.initializers.constant({ value: this.initialLogVariance }));
    super.build(inputShape);
  }

  /** The current log-variance as a scalar tensor (differentiable in the weight); the caller disposes it. */
  logVariance(): tf.Scalar {
    if (!this.weight) throw new InputError('OutputLogVariance', this.name, 'a layer that has been applied (built) first');
    return tf.reshape(this.weight.read(), []) as tf.Scalar;
  }

  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape | tfl.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return Array.isArray(inputs) ? inputs[0]! : inputs;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), initialLogVariance: this.initialLogVariance };
  }
}
tf.serialization.registerClass(OutputLogVariance);
