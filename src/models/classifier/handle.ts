/**
 * The `Classifier` interface that `classifier`, `imageClassifier` and `transferHead` return, and the
 * handle behind it: training on integer or one-hot labels through latentkit's loop, evaluation with a
 * confusion matrix, probabilities and classes, and (for a transfer head) freezing the base from the
 * input side.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.js';
import { exclusive, field, is, isRecord, optionsSchema, type DeepReadonly } from '../../core/options.js';
import { release, toExamples, type DataInput } from '../../data/input.js';
import { accuracyOfIds, classLabels, confusionMatrix } from '../../data/labels.js';
import { softmaxCrossEntropyPerExample } from '../../losses/classification.js';
import { BatchSource } from '../../train/batches.js';
import type { FitArray } from '../../train/fit.js';
import { FIT_FIELDS, type FitOptions } from '../../train/fitOptions.js';
import { OPTIMIZER_FIELD, resolveOptimizer, type OptimizerSpec } from '../../train/optimizers.js';
import { ModelHandle, PREDICT_BATCH, type FeatureNetwork } from '../base/handle.js';
import type { ClassifierNets } from './build.js';
import { classWeightsOf, FrozenBase, type ClassWeight } from './freeze.js';
import { ClassifierTask } from './task.js';

/**
 * Held-out examples and their labels: `{ x, y }` or `[x, y]` (Keras's form).
 * @category Models
 */
export type ClassifierValidationData = { x: DataInput; y: DataInput } | readonly [DataInput, DataInput];

/**
 * Options of {@link Classifier.fit}.
 * @category Models
 */
export interface ClassifierFitOptions extends FitOptions {
  /** Held-out examples and labels. Exclusive with `validationSplit`. */
  validationData?: ClassifierValidationData;
  /** Optimizer name, config or instance. Default `'adam'`. A new one is made per `fit` unless you pass an instance. */
  optimizer?: OptimizerSpec;
  /** Learning rate of the optimizer latentkit creates. Default: the optimizer's (adam 1e-3, adadelta 1). */
  learningRate?: number;
  /** A weight per class for the training loss (Keras's `class_weight`): an array, or `{ classId: weight }` (others 1). */
  classWeight?: ClassWeight;
}

/**
 * What {@link Classifier.fit} returns: per epoch, the cross-entropy `loss` (nats, class-weighted if asked)
 * and `accuracy`, and with validation data `valLoss` and `valAccuracy`.
 * @category Models
 */
export type ClassifierHistory = {
  epoch: number[];
  loss: number[];
  accuracy: number[];
  valLoss?: number[];
  valAccuracy?: number[];
};

/**
 * What {@link Classifier.evaluate} returns.
 * @category Models
 */
export interface ClassifierEvaluation {
  /** Mean cross-entropy, nats per example. */
  loss: number;
  /** Fraction of examples whose most probable class is their label. */
  accuracy: number;
  /** `confusion[trueClass][predictedClass]`: counts. */
  confusion: number[][];
  /** Examples evaluated. */
  count: number;
}

/**
 * Options of {@link Classifier.evaluate}, {@link Classifier.predict} and {@link Classifier.predictClasses}.
 * @category Models
 */
export interface ClassifierPredictOptions {
  /** Examples per forward pass. Default 256. */
  batchSize?: number;
}

/**
 * A classifier: a model from examples to class probabilities, trained with latentkit's loop.
 *
 * @typeParam C - its resolved config.
 * @example
 * ```ts
 * const clf = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
 * await clf.fit(mnist.xTrain, mnist.yTrain, { epochs: 5, batchSize: 128, optimizer: 'adadelta' });
 * const { accuracy, confusion } = clf.evaluate(mnist.xTest, mnist.yTest);
 * ```
 * @category Models
 */
export interface Classifier<C extends object = object> {
  /** `'classifier'`, or `'transferHead'` for a head on another network. */
  readonly kind: string;
  /** The builder's config with every default filled in (frozen plain data); the builder rebuilds the same network from it. */
  readonly config: DeepReadonly<C>;
  /** input -> class probabilities `[N, numClasses]`; its layer `logits` holds the scores before the softmax. */
  readonly model: tfl.LayersModel;
  /** Shape of one example. */
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** A transfer head's base layers, from the input side (empty for other classifiers). */
  readonly baseLayers: readonly string[];
  /** How many of `baseLayers`, from the input side, are frozen (their weights and batch-norm statistics do not change). */
  readonly frozenLayers: number;
  /** Trains on examples `x` and labels `y`: class ids `[N]` or one-hot rows `[N, numClasses]`. */
  fit(x: DataInput, y: DataInput, options?: ClassifierFitOptions): Promise<ClassifierHistory>;
  /** Loss, accuracy and confusion matrix on labelled examples (inference mode). */
  evaluate(x: DataInput, y: DataInput, options?: ClassifierPredictOptions): ClassifierEvaluation;
  /** Class probabilities `[N, numClasses]`: a new tensor the caller disposes. */
  predict(x: DataInput, options?: ClassifierPredictOptions): tf.Tensor2D;
  /** The most probable class of each example, int32 `[N]`: a new tensor the caller disposes. */
  predictClasses(x: DataInput, options?: ClassifierPredictOptions): tf.Tensor1D;
  /**
   * Unfreezes the `n` frozen base layers nearest the head (default: all), for a fine-tuning phase; train
   * on with a learning rate about 10x lower than the head's (`{ optimizer: 'adam', learningRate: 1e-4 }`)
   * so that the large early gradients of a new head do not wreck the base's features.
   */
  unfreeze(n?: number): void;
  /** The network and layer a transfer head on this classifier starts from: the layer feeding `logits`. */
  featureNetwork(): FeatureNetwork;
  /** The layer table of `model` (with trainable and non-trainable parameter counts), as text. */
  summary(): string;
  /** Frees every weight. The handle is unusable afterwards. */
  dispose(): void;
}

const validationField = field((v, p): ClassifierValidationData => {
  const ok = (Array.isArray(v) && v.length === 2) || (isRecord(v) && 'x' in v && 'y' in v && Object.keys(v).length === 2);
  if (!ok) throw new ConfigError(p, v, '{ x, y } or [x, y]: held-out examples and their labels');
  return v as ClassifierValidationData;
});

const FIT = optionsSchema<ClassifierFitOptions>()(
  'fit',
  {
    ...FIT_FIELDS,
    validationData: validationField,
    optimizer: OPTIMIZER_FIELD,
    learningRate: is.number({ min: 0, minOpen: true }),
    classWeight: is.any<ClassWeight>(),
  },
  { rules: [exclusive('validationData', 'validationSplit')] },
);
const predictOptions = (method: string) => optionsSchema<ClassifierPredictOptions>()(method, { batchSize: is.positiveInt().default(PREDICT_BATCH) });
const EVALUATE = predictOptions('evaluate');
const PREDICT = predictOptions('predict');
const PREDICT_CLASSES = predictOptions('predictClasses');
const UNFREEZE = is.nonNegativeInt();

/** The handle every classifier builder returns (build one through a builder). */
export class ClassifierHandle<C extends { seed: number; numClasses: number }> extends ModelHandle<C> implements Classifier<C> {
  readonly model: tfl.LayersModel;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  private readonly logits: tfl.LayersModel;
  private readonly penultimate: string;
  private readonly base: FrozenBase;

  /**
   * @param baseLayers - a transfer head's base layers, from the input side, and how many are frozen.
   */
  constructor(kind: string, config: C, nets: ClassifierNets, title: string, baseLayers: tfl.layers.Layer[] = [], frozen = 0) {
    super(kind, config, title);
    this.model = nets.model;
    this.logits = nets.logits;
    this.penultimate = nets.penultimate;
    this.numClasses = config.numClasses;
    this.inputShape = Object.freeze(nets.model.inputs[0]!.shape.slice(1) as number[]);
    this.base = new FrozenBase(nets.model, baseLayers);
    this.base.freeze(frozen);
  }

  protected namedModels() {
    return [['model', this.model]] as const;
  }

  protected override otherModels(): tfl.LayersModel[] {
    return [this.logits];
  }

  get baseLayers(): readonly string[] {
    return this.base.names;
  }

  get frozenLayers(): number {
    return this.base.frozen;
  }

  featureNetwork(): FeatureNetwork {
    this.assertLive();
    return { model: this.model, layer: this.penultimate };
  }

  unfreeze(n?: number): void {
    this.assertLive();
    const count = n === undefined ? this.base.frozen : UNFREEZE.check(n, 'unfreeze.n');
    if (count > this.base.frozen) throw new ConfigError('unfreeze.n', n, `at most ${this.base.frozen}, the number of frozen layers`);
    this.base.freeze(this.base.frozen - count);
  }

  /** Freezes the first `n` base layers and unfreezes the others (used by `load` to restore a saved state). */
  setFrozenLayers(n: number): void {
    this.base.freeze(n);
  }

  /** Checked labels as one-hot rows (recorded for release by the caller). */
  private labelRows(y: DataInput, parameter: string): tf.Tensor2D {
    return classLabels(y, parameter, { numClasses: this.numClasses }).oneHot;
  }

  async fit(x: DataInput, y: DataInput, options: ClassifierFitOptions = {}): Promise<ClassifierHistory> {
    this.assertLive();
    const o = FIT.check(options);
    const weights = o.classWeight === undefined ? undefined : classWeightsOf(o.classWeight, this.numClasses, 'fit.classWeight');
    const made: tf.Tensor[] = [];
    try {
      made.push(this.labelRows(y, 'y'));
      const arrays: FitArray[] = [
        { parameter: 'x', data: x, exampleShape: this.inputShape },
        { parameter: 'y', data: made[0]!, exampleShape: [this.numClasses] },
      ];
      let validation: FitArray[] | undefined;
      if (o.validationData !== undefined) {
        const v = o.validationData;
        const [vx, vy] = Array.isArray(v) ? (v as [DataInput, DataInput]) : [(v as { x: DataInput }).x, (v as { y: DataInput }).y];
        made.push(this.labelRows(vy, 'fit.validationData.y'));
        validation = [
          { parameter: 'fit.validationData.x', data: vx, exampleShape: this.inputShape },
          { parameter: 'fit.validationData.y', data: made[1]!, exampleShape: [this.numClasses] },
        ];
      }
      const history = await this.fitWith(arrays, validation, o, () => new ClassifierTask(this.model, this.logits, resolveOptimizer(o.optimizer, o.learningRate, 'fit.optimizer'), weights));
      return history as unknown as ClassifierHistory;
    } finally {
      tf.dispose(made);
    }
  }

  evaluate(x: DataInput, y: DataInput, options: ClassifierPredictOptions = {}): ClassifierEvaluation {
    this.assertLive();
    const { batchSize } = EVALUATE.check(options);
    const xs = toExamples(x, 'x', this.inputShape);
    let rows: tf.Tensor2D | undefined;
    try {
      const n = xs.tensor.shape[0]!;
      const labels = classLabels(y, 'y', { numClasses: this.numClasses, count: n });
      rows = labels.oneHot;
      const source = new BatchSource([xs.tensor, rows]);
      const predicted = new Int32Array(n);
      let lossSum = 0;
      for (let start = 0; start < n; start += batchSize) {
        const size = Math.min(batchSize, n - start);
        const [sum, classes] = tf.tidy(() => {
          const [xb, yb] = source.take(null, start, size) as [tf.Tensor, tf.Tensor];
          const logits = this.logits.apply(xb, { training: false }) as tf.Tensor;
          return [tf.sum(softmaxCrossEntropyPerExample(yb, logits)).dataSync()[0]!, tf.argMax(logits, -1).dataSync()] as const;
        });
        lossSum += sum;
        predicted.set(classes, start);
      }
      return { loss: lossSum / n, accuracy: accuracyOfIds(labels.ids, predicted), confusion: confusionMatrix(labels.ids, predicted, this.numClasses), count: n };
    } finally {
      rows?.dispose();
      release(xs);
    }
  }

  predict(x: DataInput, options: ClassifierPredictOptions = {}): tf.Tensor2D {
    const { batchSize } = PREDICT.check(options);
    return this.predictWith(this.model, x, 'x', this.inputShape, batchSize) as tf.Tensor2D;
  }

  predictClasses(x: DataInput, options: ClassifierPredictOptions = {}): tf.Tensor1D {
    const { batchSize } = PREDICT_CLASSES.check(options);
    const classes = (batch: tf.Tensor) => tf.argMax(this.logits.apply(batch, { training: false }) as tf.Tensor, -1);
    return this.predictWith(classes, x, 'x', this.inputShape, batchSize) as tf.Tensor1D;
  }
}
