/**
 * What every latentkit model handle is, whatever its family: a `kind`, a frozen resolved `config`, a seed
 * stream started from the config's seed, a lifecycle (`dispose`, and an error on use afterwards), batched
 * inference, training through the one loop, and a layer summary. A model family's handle extends
 * {@link ModelHandle} and adds its own methods; it never re-implements these.
 *
 * @example
 * ```ts
 * class ClassifierHandle extends ModelHandle<ResolvedClassifierConfig> {
 *   constructor(config: ResolvedClassifierConfig, readonly model: tfl.LayersModel) {
 *     super('classifier', config, 'classifier');
 *   }
 *   protected namedModels() { return [['model', this.model]] as const; }
 *   predict(x: DataInput) { return this.predictWith(this.model, x, 'x', this.inputShape); }
 * }
 * ```
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { LatentkitError } from '../../core/errors.js';
import { deepFreeze, type DeepReadonly } from '../../core/options.js';
import { SeedStream } from '../../core/seed.js';
import { release, toExamples, type DataInput } from '../../data/input.js';
import { predictInBatches } from '../../train/batches.js';
import { fitArrays, type FitArray } from '../../train/fit.js';
import type { FitOptions } from '../../train/fitOptions.js';
import type { History } from '../../train/loop.js';
import type { TrainingTask } from '../../train/task.js';
import type { Callback } from '../../train/callbacks.js';
import { disposeModelWeights, sealModels } from './disposeModels.js';
import { layerTable } from './summary.js';

/** Examples per forward pass of the inference methods, unless an option says otherwise. */
export const PREDICT_BATCH = 256;

/** The base of every model handle; see the module notes. */
export abstract class ModelHandle<C extends { seed: number }> {
  /** The registered kind that made this handle (`'undercomplete'`, `'vae'`, `'gan'`...). */
  readonly kind: string;
  /** The builder's config with every default filled in: plain, frozen data from which the builder rebuilds this model. */
  readonly config: DeepReadonly<C>;
  /** Seeds of `fit` runs and of random draws asked for without a seed, reproducible from `config.seed`. */
  protected readonly stream: SeedStream;
  private disposed = false;
  /** The running `fit`'s way to stop, while one runs. */
  private running: AbortController | undefined;
  /** Epochs completed by every `fit` so far (restored by `load`). */
  private epochs = 0;

  /**
   * @param kind - the handle's kind.
   * @param config - the resolved config (copied and frozen).
   * @param title - how messages and the summary name the model (`'undercomplete autoencoder'`).
   */
  protected constructor(
    kind: string,
    config: C,
    private readonly title: string,
  ) {
    this.kind = kind;
    this.config = deepFreeze(structuredClone(config));
    this.stream = new SeedStream(config.seed);
  }

  /** The models the summary shows, by name; with {@link ModelHandle.otherModels}, every model whose weights `dispose` frees. */
  protected abstract namedModels(): ReadonlyArray<readonly [string, tfl.LayersModel]>;

  /** Further models sharing weights with the named ones (views such as a GAN's score model). */
  protected otherModels(): tfl.LayersModel[] {
    return [];
  }

  /** True once `dispose` has been called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** True while a `fit` call runs. */
  get isTraining(): boolean {
    return this.running !== undefined;
  }

  /** Epochs completed by all `fit` calls of this handle (and, for a loaded handle, of the one saved). */
  get epochsTrained(): number {
    return this.epochs;
  }

  /**
   * The training progress `save` stores with the weights: `{ epochsTrained }`. A family that counts more
   * (a GAN's updates) extends it and {@link ModelHandle.restoreTrainingState}.
   */
  trainingState(): Record<string, unknown> {
    return { epochsTrained: this.epochs };
  }

  /** Puts back what {@link ModelHandle.trainingState} returned (`load` calls it); unknown or invalid entries are ignored. */
  restoreTrainingState(state: Readonly<Record<string, unknown>>): void {
    const epochs = state['epochsTrained'];
    if (typeof epochs === 'number' && Number.isInteger(epochs) && epochs >= 0) this.epochs = epochs;
  }

  /** Throws when the handle has been disposed. */
  protected assertLive(): void {
    if (this.disposed) throw new LatentkitError(`latentkit: this ${this.title} has been disposed.`);
  }

  /**
   * Runs `model` (or `apply`) over the examples `x` in inference mode, in batches: a new tensor the
   * caller disposes.
   *
   * @param parameter - the name of `x` in errors.
   * @param exampleShape - the shape of one example.
   */
  protected predictWith(
    model: tfl.LayersModel | ((batch: tf.Tensor) => tf.Tensor),
    x: DataInput,
    parameter: string,
    exampleShape: readonly number[],
    batchSize = PREDICT_BATCH,
  ): tf.Tensor {
    this.assertLive();
    const owned = toExamples(x, parameter, exampleShape);
    const apply = typeof model === 'function' ? model : (b: tf.Tensor) => model.apply(b, { training: false }) as tf.Tensor;
    try {
      return predictInBatches(apply, owned.tensor, batchSize);
    } finally {
      release(owned);
    }
  }

  /**
   * Trains through the one loop: checks and converts `arrays`, holds out validation data, runs the task
   * `makeTask` makes, frees everything it made. The run's seed is `options.seed`, else the next seed of
   * the handle's stream. One `fit` at a time: a second call while one runs is refused. `dispose()` during
   * the run stops it before its next step (the call rejects) and frees the weights once it has unwound.
   */
  protected async fitWith(arrays: FitArray[], validation: FitArray[] | undefined, options: FitOptions, makeTask: () => TrainingTask): Promise<History> {
    this.assertLive();
    if (this.running !== undefined) {
      throw new LatentkitError(`latentkit: this ${this.title} is already training: a fit call has not finished. Await it before calling fit again (a callback can stop it early).`);
    }
    const controller = new AbortController();
    this.running = controller;
    const counter: Callback = { onEpochEnd: () => void this.epochs++ };
    const given = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
    try {
      return await fitArrays(arrays, validation, { ...options, callbacks: [...given, counter] }, this.stream.nextSeed(), makeTask, controller.signal);
    } finally {
      this.running = undefined;
      if (this.disposed) this.freeWeights();
    }
  }

  /** The layer table of each of the handle's models, as text. */
  summary(): string {
    this.assertLive();
    return this.namedModels()
      .flatMap(([name, model]) => [`${this.title}: ${name}`, ...layerTable(model)])
      .join('\n');
  }

  /**
   * Frees every weight (once, however the models share them). The handle is unusable afterwards, and so
   * are its tfjs models: their methods (`predict`, `apply`, `fit`, `save`, `getWeights`...) throw a
   * LatentkitError. During a `fit`, the training stops before its next step and the weights are freed as
   * soon as it has unwound (the `fit` call rejects, saying so).
   */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.running !== undefined) {
      this.running.abort(new LatentkitError(`latentkit: this ${this.title} was disposed during fit: training stopped before its next step, and its weights were freed.`));
      return;
    }
    this.freeWeights();
  }

  private freeWeights(): void {
    const models = [...this.namedModels().map(([, m]) => m), ...this.otherModels()];
    disposeModelWeights(models);
    sealModels(models, `latentkit: this model belongs to a ${this.title} that has been disposed (dispose() frees the weights of all its models).`);
  }
}
