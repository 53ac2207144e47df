/**
 * The classifier builders, `classifier` (any input, hidden layers as data) and `imageClassifier` (an
 * image input, the CNN lecture's network by default), with their save kind `'classifier'`.
 * @module
 */
import { defineModelKind } from '../../io/registry.js';
import { buildClassifier } from './build.js';
import { resolveClassifierConfig, type ClassifierConfig, type ResolvedClassifierConfig } from './config.js';
import { ClassifierHandle, type Classifier } from './handle.js';

/**
 * Builds a classifier: the input, the hidden `layers` (plain-data {@link LayerSpec}s or a preset), then a
 * Dense `logits` layer and a softmax. With no layers it is multinomial logistic regression.
 *
 * @throws ConfigError naming the field (`classifier.layers[2].filters`), or the layer that cannot take
 *   the shape it gets.
 * @example
 * ```ts
 * const mlp = classifier({ inputShape: [784], numClasses: 10, seed: 1,
 *   layers: [{ type: 'dense', units: 128 }, { type: 'dropout', rate: 0.2 }] });
 * await mlp.fit(x, labels, { epochs: 5, validationSplit: 0.1 });
 * ```
 * @category Models
 */
export function classifier(config: ClassifierConfig): Classifier<ResolvedClassifierConfig> {
  const c = resolveClassifierConfig('classifier', config);
  return new ClassifierHandle('classifier', c, buildClassifier(c, 'classifier'), 'classifier');
}

/**
 * Builds an image classifier: a {@link classifier} whose input is `[height, width, channels]` and whose
 * layers default to the CNN lecture's network (`'lecture'`); `layers: 'assessment'` gives the
 * transfer-learning assessment's CNN, with its training-only random zoom and contrast. Its config (with
 * the layers written out) also rebuilds it through `classifier`.
 *
 * @example
 * ```ts
 * // The CNN lecture: Conv2D 16, MaxPool 2, Dropout 0.25, Flatten, Dense 10, Dropout 0.5, softmax; Adadelta, batch 128.
 * const cnn = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
 * await cnn.fit(mnist.xTrain, mnist.yTrain, { epochs: 12, batchSize: 128, optimizer: 'adadelta' });
 * const fashion = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, layers: 'assessment', seed: 2 });
 * ```
 * @category Models
 */
export function imageClassifier(config: ClassifierConfig): Classifier<ResolvedClassifierConfig> {
  const c = resolveClassifierConfig('imageClassifier', config);
  return new ClassifierHandle('classifier', c, buildClassifier(c, 'imageClassifier'), 'image classifier');
}

defineModelKind<Classifier>({
  kind: 'classifier',
  rebuild: (config) => classifier(config as unknown as ClassifierConfig),
  parts: (c) => ({ model: c.model }),
});
