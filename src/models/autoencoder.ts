/**
 * The `Autoencoder` interface every autoencoder builder returns, and the one implementation behind it:
 * a model split into a standalone encoder and decoder that share its weights, trained by latentkit's loop.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { toExamples, release, type DataInput } from '../data/input.js';
import { ConfigError, LatentkitError } from '../errors.js';
import type { NoiseFn } from '../noise/index.js';
import { SeedStream } from '../random/seed.js';
import { BatchSource, predictInBatches } from '../train/batches.js';
import { fitArrays, type DisposableTask, type FitArray } from '../train/fit.js';
import type { FitOptions, History, StepLogs } from '../train/loop.js';
import { releaseOptimizer, resolveOptimizer, type OptimizerSpec, type ResolvedOptimizer } from '../train/optimizers.js';
import { positiveInt } from '../validate.js';
import { disposeModelWeights } from './disposeModels.js';
import { reconstructionLoss, reconstructionLossPerExample, type ReconstructionLoss } from './losses.js';

/** Options of {@link Autoencoder.fit}. */
export interface AutoencoderFitOptions extends FitOptions {
  /** Held-out examples (inputs; the targets are the same examples). */
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

/** Result of {@link Autoencoder.evaluate}. */
export interface ReconstructionReport {
  /** The measure used: the model's loss, or the one asked for. */
  metric: ReconstructionLoss;
  /** Mean over examples. */
  mean: number;
  /** One value per example. */
  perExample: Float32Array;
}

/** Options of {@link Autoencoder.evaluate}. */
export interface EvaluateOptions {
  /** Measure to report. Default: the loss the model trains with. */
  metric?: ReconstructionLoss;
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
  /** What the output should match; default the input. */
  target?: DataInput;
}

/**
 * What every latentkit autoencoder is: a trainable model with a standalone encoder and decoder.
 *
 * @example
 * ```ts
 * const ae = undercompleteAE({ inputDim: 784, codeDim: 32, seed: 1 });
 * await ae.fit(x, { epochs: 10, batchSize: 64, validationSplit: 0.1 });
 * const z = ae.encode(x);             // [N, 32]
 * const xHat = ae.decode(z);          // [N, 784]
 * console.log(ae.evaluate(x).mean);   // mean reconstruction error
 * tf.dispose([z, xHat]); ae.dispose();
 * ```
 */
export interface Autoencoder {
  /** Which builder made it (`undercomplete`, `overcompleteSparse`, `denoising`, `conv`...). */
  readonly kind: string;
  /** The builder's config with every default filled in (plain data). */
  readonly config: Readonly<Record<string, unknown>>;
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
  /** Codes of `x`: a new tensor `[N, ...codeShape]` that the caller disposes. */
  encode(x: DataInput): tf.Tensor;
  /** Reconstructions from codes `z`: a new tensor `[N, ...inputShape]`. */
  decode(z: DataInput): tf.Tensor;
  /** `decode(encode(x))` in one pass. */
  reconstruct(x: DataInput): tf.Tensor;
  /** Trains on `x` with latentkit's loop; see {@link AutoencoderFitOptions}. */
  fit(x: DataInput, options?: AutoencoderFitOptions): Promise<History>;
  /** Reconstruction error per example and on average. */
  evaluate(x: DataInput, options?: EvaluateOptions): ReconstructionReport;
  /** The layer table of `model`, encoder and decoder, as text. */
  summary(): string;
  /** Frees every weight. The handle is unusable afterwards. */
  dispose(): void;
}

/** What a builder hands to {@link AutoencoderModel}. */
export interface AutoencoderParts {
  kind: string;
  config: Record<string, unknown>;
  model: tfl.LayersModel;
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  loss: ReconstructionLoss;
  /** L1 activity penalty on the code: adds `activityL1 * mean over examples of sum |code|` to the loss. */
  activityL1?: number;
  /** Corruption applied to the input at each training step (denoising). */
  noise?: NoiseFn;
  /** The builder's seed: the default seed of every `fit` comes from it. */
  seed: number;
}

function layerVariables(model: tfl.LayersModel, trainableOnly: boolean): tf.Variable[] {
  const weights = trainableOnly ? model.trainableWeights : model.weights;
  return weights.map((w) => w.read() as tf.Variable);
}

/** The training step of an autoencoder: reconstruction loss, plus the L1 code penalty, on noisy input if any. */
class AutoencoderTask implements DisposableTask {
  private readonly optimizer: tf.Optimizer;
  constructor(
    private readonly ae: AutoencoderModel,
    private readonly resolved: ResolvedOptimizer,
  ) {
    this.optimizer = resolved.optimizer;
  }

  dispose(): void {
    releaseOptimizer(this.resolved);
  }

  private terms(x: tf.Tensor, target: tf.Tensor, training: boolean, seed: number, extra: StepLogs): tf.Scalar {
    const { encoder, decoder, loss } = this.ae;
    const l1 = this.ae.activityL1;
    const noise = this.ae.noise;
    const input = noise ? noise(x, seed) : x;
    const code = encoder.apply(input, { training }) as tf.Tensor;
    const output = decoder.apply(code, { training }) as tf.Tensor;
    const rec = reconstructionLoss(target, output, loss);
    if (l1 <= 0) return rec;
    const penalty = tf.mul(l1, tf.mean(tf.sum(tf.abs(tf.reshape(code, [code.shape[0]!, -1])), 1))) as tf.Scalar;
    extra['reconstruction'] = tf.keep(rec);
    extra['sparsity'] = tf.keep(penalty);
    return tf.add(rec, penalty);
  }

  trainStep(batch: tf.Tensor[], ctx: { seed: number }): StepLogs {
    const [x, target] = batch as [tf.Tensor, tf.Tensor?];
    const extra: StepLogs = {};
    const vars = layerVariables(this.ae.model, true);
    const { value, grads } = tf.variableGrads(() => this.terms(x, target ?? x, true, ctx.seed, extra), vars);
    this.optimizer.applyGradients(grads);
    tf.dispose(grads);
    return { loss: value, ...extra };
  }

  evalStep(batch: tf.Tensor[], ctx: { seed: number }): StepLogs {
    const [x, target] = batch as [tf.Tensor, tf.Tensor?];
    const extra: StepLogs = {};
    const loss = this.terms(x, target ?? x, false, ctx.seed, extra);
    return { loss, ...extra };
  }

  variables(): tf.Variable[] {
    return layerVariables(this.ae.model, false);
  }
}

/**
 * The implementation of {@link Autoencoder} that every builder returns. Builders make the three models;
 * this class trains, evaluates and disposes them.
 */
export class AutoencoderModel implements Autoencoder {
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly model: tfl.LayersModel;
  readonly encoder: tfl.LayersModel;
  readonly decoder: tfl.LayersModel;
  readonly loss: ReconstructionLoss;
  readonly inputShape: readonly number[];
  readonly codeShape: readonly number[];
  /** L1 penalty weight on the code (0: none). */
  readonly activityL1: number;
  /** Training-time corruption, if any. */
  readonly noise: NoiseFn | undefined;
  private readonly stream: SeedStream;
  private disposed = false;

  constructor(parts: AutoencoderParts) {
    this.kind = parts.kind;
    this.config = Object.freeze({ ...parts.config });
    this.model = parts.model;
    this.encoder = parts.encoder;
    this.decoder = parts.decoder;
    this.loss = parts.loss;
    this.activityL1 = parts.activityL1 ?? 0;
    this.noise = parts.noise;
    this.inputShape = Object.freeze(parts.model.inputs[0]!.shape.slice(1) as number[]);
    this.codeShape = Object.freeze(parts.encoder.outputs[0]!.shape.slice(1) as number[]);
    this.stream = new SeedStream(parts.seed);
  }

  private assertLive(): void {
    if (this.disposed) throw new LatentkitError(`latentkit: this ${this.kind} autoencoder has been disposed.`);
  }

  private predictWith(model: tfl.LayersModel, x: DataInput, parameter: string, shape: readonly number[]): tf.Tensor {
    this.assertLive();
    const owned = toExamples(x, parameter, shape);
    try {
      return predictInBatches((batch) => model.apply(batch, { training: false }) as tf.Tensor, owned.tensor, 256);
    } finally {
      release(owned);
    }
  }

  encode(x: DataInput): tf.Tensor {
    return this.predictWith(this.encoder, x, 'x', this.inputShape);
  }

  decode(z: DataInput): tf.Tensor {
    return this.predictWith(this.decoder, z, 'z', this.codeShape);
  }

  reconstruct(x: DataInput): tf.Tensor {
    return this.predictWith(this.model, x, 'x', this.inputShape);
  }

  async fit(x: DataInput, options: AutoencoderFitOptions = {}): Promise<History> {
    this.assertLive();
    const arrays: FitArray[] = [{ parameter: 'x', data: x, exampleShape: this.inputShape }];
    if (options.target !== undefined) arrays.push({ parameter: 'fit.target', data: options.target, exampleShape: this.inputShape });
    const validation: FitArray[] | undefined =
      options.validationData === undefined
        ? undefined
        : [{ parameter: 'fit.validationData', data: options.validationData, exampleShape: this.inputShape }];
    return fitArrays(arrays, validation, options, this.stream.nextSeed(), () => {
      const resolved = resolveOptimizer(options.optimizer, options.learningRate, 'fit.optimizer');
      return new AutoencoderTask(this, resolved);
    });
  }

  evaluate(x: DataInput, options: EvaluateOptions = {}): ReconstructionReport {
    this.assertLive();
    const metric = options.metric ?? this.loss;
    const batchSize = positiveInt('evaluate.batchSize', options.batchSize ?? 256);
    const xs = toExamples(x, 'x', this.inputShape);
    const ys = options.target === undefined ? undefined : toExamples(options.target, 'evaluate.target', this.inputShape);
    try {
      const n = xs.tensor.shape[0]!;
      if (ys && ys.tensor.shape[0] !== n) throw new ConfigError('evaluate.target', ys.tensor, `${n} examples, as many as x`);
      const source = new BatchSource(ys ? [xs.tensor, ys.tensor] : [xs.tensor]);
      const perExample = new Float32Array(n);
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
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

  summary(): string {
    this.assertLive();
    const lines: string[] = [];
    const print = (...msg: unknown[]) => lines.push(msg.join(' '));
    for (const [title, m] of [['model', this.model], ['encoder', this.encoder], ['decoder', this.decoder]] as const) {
      lines.push(`${this.kind} autoencoder: ${title}`);
      m.summary(100, undefined, print);
    }
    return lines.join('\n');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeModelWeights([this.model, this.encoder, this.decoder]);
  }
}
