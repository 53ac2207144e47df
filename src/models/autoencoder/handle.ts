/**
 * The `Autoencoder` interface every autoencoder builder returns, and the handle behind it: a model split
 * into a standalone encoder and decoder that share its weights, trained by latentkit's loop. The VAE's
 * handle extends {@link AutoencoderBase} too (it encodes to a distribution instead of a code).
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.js';
import { exclusive, is, optionsSchema, type DeepReadonly } from '../../core/options.js';
import { assertWithin, release, toExamples, type DataInput, type ValueBounds } from '../../data/input.js';
import { RECONSTRUCTION_LOSSES, reconstructionLossPerExample, type ReconstructionLoss } from '../../losses/reconstruction.js';
import type { NoiseFn } from '../../noise/injectors.js';
import { BatchSource } from '../../train/batches.js';
import type { FitArray } from '../../train/fit.js';
import { FIT_FIELDS, type FitOptions } from '../../train/fitOptions.js';
import { OPTIMIZER_FIELD, resolveOptimizer, type OptimizerSpec } from '../../train/optimizers.js';
import { ModelHandle, PREDICT_BATCH } from '../base/handle.js';
import type { AutoencoderNetworks } from './build.js';
import { AutoencoderTask, type CodePenalty } from './task.js';

/**
 * Options of {@link Autoencoder.fit}.
 * @category Models
 */
export interface AutoencoderFitOptions extends FitOptions {
  /** Held-out examples (inputs; the targets are the same examples). Exclusive with `validationSplit`. */
  validationData?: DataInput;
  /**
   * What the output should reproduce, when it is not the input itself (for example clean images for
   * inputs you corrupted yourself). Same shape as `x`. Default: `x`.
   */
  target?: DataInput;
  /** Optimizer name, config or instance. Default `'adam'`. A new one is made per `fit` unless you pass an instance. */
  optimizer?: OptimizerSpec;
  /** Learning rate of the optimizer latentkit creates. Default: the optimizer's default (adam 1e-3). */
  learningRate?: number;
}

/**
 * What {@link Autoencoder.fit} returns: per epoch, `loss` and, with validation data, `valLoss`; with a
 * code penalty (`l1`), also `reconstruction` and `sparsity` (and their `val` forms).
 * @category Models
 */
export type AutoencoderHistory = {
  epoch: number[];
  loss: number[];
  reconstruction?: number[];
  sparsity?: number[];
  valLoss?: number[];
  valReconstruction?: number[];
  valSparsity?: number[];
  /** Logs of other code penalties. */
  [log: string]: number[] | undefined;
};

/**
 * Result of {@link Autoencoder.evaluate}.
 * @category Models
 */
export interface ReconstructionReport {
  /** The measure used: the model's loss, or the one asked for. */
  metric: ReconstructionLoss;
  /** Mean over examples. */
  mean: number;
  /** One value per example. */
  perExample: Float32Array;
}

/**
 * Options of {@link Autoencoder.evaluate}.
 * @category Models
 */
export interface EvaluateOptions {
  /** Measure to report. Default: the loss the model trains with. */
  metric?: ReconstructionLoss;
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
  /** What the output should match; default the input. */
  target?: DataInput;
}

/** The checker's fields of {@link AutoencoderFitOptions} (also the VAE's `fit`). */
export const AUTOENCODER_FIT = optionsSchema<AutoencoderFitOptions>()(
  'fit',
  {
    ...FIT_FIELDS,
    validationData: is.any<DataInput>(),
    target: is.any<DataInput>(),
    optimizer: OPTIMIZER_FIELD,
    learningRate: is.number({ min: 0, minOpen: true }),
  },
  { rules: [exclusive('validationData', 'validationSplit')] },
);

const EVALUATE = optionsSchema<EvaluateOptions>()('evaluate', {
  metric: is.oneOf(RECONSTRUCTION_LOSSES),
  batchSize: is.positiveInt().default(PREDICT_BATCH),
  target: is.any<DataInput>(),
});

/**
 * What every latentkit autoencoder is: a trainable model with a standalone encoder and decoder.
 *
 * @typeParam C - its resolved config.
 * @example
 * ```ts
 * const ae = undercompleteAE({ inputDim: 784, codeDim: 32, seed: 1 });
 * await ae.fit(x, { epochs: 10, batchSize: 64, validationSplit: 0.1 });
 * const z = ae.encode(x);             // [N, 32]
 * const xHat = ae.decode(z);          // [N, 784]
 * console.log(ae.evaluate(x).mean);   // mean reconstruction error
 * tf.dispose([z, xHat]); ae.dispose();
 * ```
 * @category Models
 */
export interface Autoencoder<C extends object = object> {
  /** Which builder made it (`undercomplete`, `overcompleteSparse`, `denoising`, `conv`). */
  readonly kind: string;
  /** The builder's config with every default filled in (frozen plain data): the builder rebuilds the same model from it. */
  readonly config: DeepReadonly<C>;
  /** input -> reconstruction. */
  readonly model: tfl.LayersModel;
  /** input -> code (its last layer is named `code`). A standalone model sharing weights with `model`. */
  readonly encoder: tfl.LayersModel;
  /** code -> reconstruction. A standalone model sharing weights with `model`. */
  readonly decoder: tfl.LayersModel;
  /** Shape of one input example (no batch axis). */
  readonly inputShape: readonly number[];
  /** Shape of one code (no batch axis). */
  readonly codeShape: readonly number[];
  /** The reconstruction loss it trains with. */
  readonly loss: ReconstructionLoss;
  /** Epochs completed by every `fit` of this handle (and of the save it was loaded from). */
  readonly epochsTrained: number;
  /** Codes of `x`: a new tensor `[N, ...codeShape]` that the caller disposes. */
  encode(x: DataInput): tf.Tensor;
  /** Reconstructions from codes `z`: a new tensor `[N, ...inputShape]`. */
  decode(z: DataInput): tf.Tensor;
  /** `decode(encode(x))` in one pass. */
  reconstruct(x: DataInput): tf.Tensor;
  /** Trains on `x` with latentkit's loop; see {@link AutoencoderFitOptions}. */
  fit(x: DataInput, options?: AutoencoderFitOptions): Promise<AutoencoderHistory>;
  /** Reconstruction error per example and on average. */
  evaluate(x: DataInput, options?: EvaluateOptions): ReconstructionReport;
  /** The layer table of `model`, encoder and decoder, as text. */
  summary(): string;
  /** Frees every weight. The handle is unusable afterwards. */
  dispose(): void;
}

/**
 * What autoencoders and VAEs share: three models (full, encoder, decoder) over the same weights,
 * decoding, reconstructing and the reconstruction report.
 */
export abstract class AutoencoderBase<C extends { seed: number }> extends ModelHandle<C> {
  readonly model: tfl.LayersModel;
  readonly encoder: tfl.LayersModel;
  readonly decoder: tfl.LayersModel;
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
  /** The reconstruction measure `evaluate` reports by default. */
  readonly loss: ReconstructionLoss;

  protected constructor(kind: string, config: C, title: string, nets: AutoencoderNetworks, loss: ReconstructionLoss) {
    super(kind, config, title);
    this.model = nets.model;
    this.encoder = nets.encoder;
    this.decoder = nets.decoder;
    this.loss = loss;
    this.inputShape = Object.freeze(nets.model.inputs[0]!.shape.slice(1) as number[]);
    this.codeShape = Object.freeze(nets.encoder.outputs[0]!.shape.slice(1) as number[]);
  }

  protected namedModels() {
    return [['model', this.model], ['encoder', this.encoder], ['decoder', this.decoder]] as const;
  }

  decode(z: DataInput): tf.Tensor {
    return this.predictWith(this.decoder, z, 'z', this.codeShape);
  }

  reconstruct(x: DataInput): tf.Tensor {
    return this.predictWith(this.model, x, 'x', this.inputShape);
  }

  evaluate(x: DataInput, options: EvaluateOptions = {}): ReconstructionReport {
    this.assertLive();
    const o = EVALUATE.check(options);
    const metric = o.metric ?? this.loss;
    const xs = toExamples(x, 'x', this.inputShape);
    const ys = o.target === undefined ? undefined : toExamples(o.target, 'evaluate.target', this.inputShape);
    try {
      const n = xs.tensor.shape[0]!;
      if (ys && ys.tensor.shape[0] !== n) throw new ConfigError('evaluate.target', ys.tensor, `${n} examples, as many as x`);
      if (metric === 'binaryCrossentropy') {
        assertWithin((ys ?? xs).tensor, ys ? 'evaluate.target' : 'x', { min: 0, max: 1, why: "metric 'binaryCrossentropy' compares probabilities; ask for metric 'mse' or 'mae' instead" });
      }
      const source = new BatchSource(ys ? [xs.tensor, ys.tensor] : [xs.tensor]);
      const perExample = new Float32Array(n);
      for (let start = 0; start < n; start += o.batchSize) {
        const size = Math.min(o.batchSize, n - start);
        const values = tf.tidy(() => {
          const [xb, yb = xb] = source.take(null, start, size) as [tf.Tensor, tf.Tensor?];
          const out = this.model.apply(xb, { training: false }) as tf.Tensor;
          return reconstructionLossPerExample(yb, out, metric).dataSync();
        });
        perExample.set(values, start);
      }
      let sum = 0;
      for (const v of perExample) sum += v;
      return { metric, mean: sum / n, perExample };
    } finally {
      release(xs);
      if (ys) release(ys);
    }
  }

  /**
   * The range the values this model scores must be in, if its loss needs one (binary cross-entropy, a
   * Bernoulli likelihood: [0, 1]).
   */
  protected targetBounds(): ValueBounds | undefined {
    return this.loss === 'binaryCrossentropy'
      ? { min: 0, max: 1, why: "loss 'binaryCrossentropy' compares probabilities; scale the data with toRange(x, [0, 1]), or use loss 'mse'" }
      : undefined;
  }

  /** The training arrays of `fit`: `x`, and `target` when given; and the validation arrays. */
  protected fitArraysOf(x: DataInput, o: { target?: DataInput; validationData?: DataInput }): [FitArray[], FitArray[] | undefined] {
    const within = this.targetBounds();
    const scored = (a: FitArray): FitArray => (within ? { ...a, within } : a);
    const arrays: FitArray[] = [o.target === undefined ? scored({ parameter: 'x', data: x, exampleShape: this.inputShape }) : { parameter: 'x', data: x, exampleShape: this.inputShape }];
    if (o.target !== undefined) arrays.push(scored({ parameter: 'fit.target', data: o.target, exampleShape: this.inputShape }));
    const validation = o.validationData === undefined ? undefined : [scored({ parameter: 'fit.validationData', data: o.validationData, exampleShape: this.inputShape })];
    return [arrays, validation];
  }
}

/** How an autoencoder trains besides its networks: its penalties on the code and its input corruption. */
export interface AutoencoderTraining {
  penalties: readonly CodePenalty[];
  corruption?: NoiseFn;
}

/** The handle every autoencoder builder returns (build one through a builder). */
export class AutoencoderHandle<C extends { seed: number; loss: ReconstructionLoss }> extends AutoencoderBase<C> implements Autoencoder<C> {
  constructor(
    kind: string,
    config: C,
    nets: AutoencoderNetworks,
    private readonly training: AutoencoderTraining,
  ) {
    super(kind, config, `${kind} autoencoder`, nets, config.loss);
  }

  encode(x: DataInput): tf.Tensor {
    return this.predictWith(this.encoder, x, 'x', this.inputShape);
  }

  async fit(x: DataInput, options: AutoencoderFitOptions = {}): Promise<AutoencoderHistory> {
    this.assertLive();
    const o = AUTOENCODER_FIT.check(options);
    const [arrays, validation] = this.fitArraysOf(x, o);
    const history = await this.fitWith(arrays, validation, o, () => {
      const optimizer = resolveOptimizer(o.optimizer, o.learningRate, 'fit.optimizer');
      const { model, encoder, decoder, loss } = this;
      return new AutoencoderTask({ model, encoder, decoder, loss, ...this.training }, optimizer);
    });
    return history as AutoencoderHistory;
  }
}
