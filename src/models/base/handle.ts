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
import { disposeModelWeights } from './disposeModels.js';
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
   * the handle's stream.
   */
  protected fitWith(arrays: FitArray[], validation: FitArray[] | undefined, options: FitOptions, makeTask: () => TrainingTask): Promise<History> {
    this.assertLive();
    return fitArrays(arrays, validation, options, this.stream.nextSeed(), makeTask);
  }

  /** The layer table of each of the handle's models, as text. */
  summary(): string {
    this.assertLive();
    return this.namedModels()
      .flatMap(([name, model]) => [`${this.title}: ${name}`, ...layerTable(model)])
      .join('\n');
  }

  /** Frees every weight (once, however the models share them). The handle is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeModelWeights([...this.namedModels().map(([, m]) => m), ...this.otherModels()]);
  }
}
