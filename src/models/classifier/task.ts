/**
 * The training step of a classifier: softmax cross-entropy on the logits (optionally weighted per class,
 * as Keras's `class_weight`), and the accuracy, for every classifier and transfer head.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { categoricalAccuracy, softmaxCrossEntropy } from '../../losses/classification.js';
import { gradientStep, variablesOf } from '../../train/gradientStep.js';
import { DATA_INPUT, applyModel } from '../nets/apply.js';
import { releaseOptimizer, type ResolvedOptimizer } from '../../train/optimizers.js';
import type { StepLogs, TrainingTask } from '../../train/task.js';

/**
 * The {@link TrainingTask} of a classifier: batches are `[x, one-hot labels]`. Logs `loss` (weighted by
 * `classWeights` while training; unweighted in evaluation, as Keras) and `accuracy`. Only the model's
 * trainable weights change: a frozen layer's weights (and a frozen batch norm's statistics, since it runs
 * in inference mode) stay as they are.
 */
export class ClassifierTask implements TrainingTask {
  private readonly classWeights: tf.Tensor1D | undefined;

  constructor(
    private readonly model: tfl.LayersModel,
    private readonly logits: tfl.LayersModel,
    private readonly optimizer: ResolvedOptimizer,
    classWeights?: Float32Array,
  ) {
    this.classWeights = classWeights ? tf.tensor1d(classWeights) : undefined;
  }

  trainStep(batch: tf.Tensor[]): StepLogs {
    const [x, y] = batch as [tf.Tensor, tf.Tensor];
    let accuracy: tf.Scalar | undefined;
    const loss = gradientStep(this.optimizer.optimizer, variablesOf(this.model, true), () => {
      // The input is data: no gradient for it (`../nets/apply.ts`).
      const logits = applyModel(this.logits, x, true, DATA_INPUT);
      accuracy = tf.keep(categoricalAccuracy(y, logits));
      return softmaxCrossEntropy(y, logits, this.classWeights);
    });
    return { loss, accuracy: accuracy! };
  }

  evalStep(batch: tf.Tensor[]): StepLogs {
    const [x, y] = batch as [tf.Tensor, tf.Tensor];
    const logits = this.logits.apply(x, { training: false }) as tf.Tensor;
    return { loss: softmaxCrossEntropy(y, logits), accuracy: categoricalAccuracy(y, logits) };
  }

  variables(): tf.Variable[] {
    return variablesOf(this.model);
  }

  dispose(): void {
    releaseOptimizer(this.optimizer);
    this.classWeights?.dispose();
  }
}
