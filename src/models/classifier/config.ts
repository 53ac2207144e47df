/**
 * The configs of `classifier` and `imageClassifier`: an input shape, the number of classes, and the
 * hidden layers as data ({@link LayerSpec}s, or the name of one of the course's networks); the softmax
 * head is added by the builder. A resolved config is itself a valid config of both builders.
 * @module
 */
import { ConfigError } from '../../core/errors.js';
import { deepFreeze, field, is, optionsSchema, positiveInt } from '../../core/options.js';
import { resolveSeed } from '../../core/seed.js';
import { ALLOW_LARGE_FIELD } from '../base/size.js';
import { resolveLayerSpecs, type LayerSpec, type ResolvedLayerSpec } from '../nets/layerSpec.js';

/**
 * The course's classifiers, as layer lists (the softmax head is added by the builder):
 * - `lecture`: the CNN lecture's small MNIST network: Conv2D 16 3x3 relu, MaxPool 2, Dropout 0.25,
 *   Flatten, Dense 10 relu, Dropout 0.5 (then Dense softmax; trained with Adadelta, batch 128).
 * - `assessment`: the transfer-learning assessment's Fashion-MNIST network: RandomZoom 0.1 and
 *   RandomContrast 0.2 (training only), Conv2D 64 3x3 relu + BatchNorm, SeparableConv2D 64 relu,
 *   MaxPool 3 stride 2, BatchNorm, SeparableConv2D 256 relu, MaxPool 3 stride 2, GlobalAveragePooling,
 *   Dropout 0.2 (then Dense softmax). Convolutions and poolings use 'same' padding.
 * @category Models
 */
export const CLASSIFIER_PRESETS = deepFreeze({
  lecture: [
    { type: 'conv2d', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'dropout', rate: 0.25 },
    { type: 'flatten' },
    { type: 'dense', units: 10, activation: 'relu' },
    { type: 'dropout', rate: 0.5 },
  ],
  assessment: [
    { type: 'randomZoom', factor: 0.1 },
    { type: 'randomContrast', factor: 0.2 },
    { type: 'conv2d', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'batchNorm' },
    { type: 'separableConv2d', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' },
    { type: 'batchNorm' },
    { type: 'separableConv2d', filters: 256, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' },
    { type: 'globalAvgPool2d' },
    { type: 'dropout', rate: 0.2 },
  ],
} satisfies Record<string, LayerSpec[]>);

/**
 * The name of one of {@link CLASSIFIER_PRESETS}.
 * @category Models
 */
export type ClassifierPreset = keyof typeof CLASSIFIER_PRESETS;

/**
 * Config of {@link classifier} and {@link imageClassifier}.
 * @category Models
 */
export interface ClassifierConfig {
  /** Shape of one example: `[features]`, or `[height, width, channels]` for images. Required. */
  inputShape: readonly number[];
  /** Number of classes, at least 2. Required. */
  numClasses: number;
  /**
   * The hidden layers between the input and the head, as {@link LayerSpec}s, or a preset name
   * ({@link CLASSIFIER_PRESETS}). The head is a Dense layer `logits` (one unit per class) and a softmax
   * `probabilities`, with a Flatten `head_flatten` before it when the last layer's output is not flat.
   * Default: `[]` (multinomial logistic regression) for `classifier`, `'lecture'` for `imageClassifier`.
   */
  layers?: readonly LayerSpec[] | ClassifierPreset;
  /** Seed of the initial weights, the random layers and every `fit` without a seed. Default: from {@link setSeed}. */
  seed?: number;
  /** Build even when the model is estimated beyond {@link PARAMETER_LIMIT} parameters. Default false. */
  allowLarge?: boolean;
}

/**
 * A classifier config with every default filled in (presets and layer defaults written out).
 * @category Models
 */
export interface ResolvedClassifierConfig {
  inputShape: number[];
  numClasses: number;
  layers: ResolvedLayerSpec[];
  seed: number;
  /** Present (true) only when the config allowed a model beyond {@link PARAMETER_LIMIT}. */
  allowLarge?: true;
}

/** Layer names the head uses; a hidden layer may not take them. */
export const HEAD_NAMES = ['input', 'head_flatten', 'logits', 'probabilities'] as const;

/** The checker's field of a number of classes. */
export const numClassesField = field((v, p) => {
  const k = positiveInt(p, v);
  if (k < 2) throw new ConfigError(p, v, 'at least 2 classes');
  return k;
});

function layersField(builder: string) {
  return field((v, p): ResolvedLayerSpec[] => {
    const list = typeof v === 'string' && Object.hasOwn(CLASSIFIER_PRESETS, v) ? CLASSIFIER_PRESETS[v as ClassifierPreset] : v;
    if (typeof v === 'string' && list === v) {
      throw new ConfigError(p, v, `an array of layer specs or a preset name (${Object.keys(CLASSIFIER_PRESETS).map((k) => `"${k}"`).join(', ')})`);
    }
    return resolveLayerSpecs(p, list, HEAD_NAMES);
  }).default(() => (builder === 'imageClassifier' ? resolveLayerSpecs(`${builder}.layers`, CLASSIFIER_PRESETS.lecture, HEAD_NAMES) : []));
}

function schema(builder: 'classifier' | 'imageClassifier') {
  return optionsSchema<ClassifierConfig>()(
    builder,
    {
      inputShape: field((v, p): number[] => {
        const shape = is.positiveIntArray().check(v, p);
        const image = shape.length === 3;
        if (builder === 'imageClassifier' ? !image : shape.length === 0) {
          throw new ConfigError(p, v, builder === 'imageClassifier' ? '[height, width, channels], e.g. [28, 28, 1]' : 'the shape of one example, e.g. [784] or [28, 28, 1]');
        }
        return shape;
      }).required(),
      numClasses: numClassesField.required(),
      layers: layersField(builder),
      seed: field((v, p) => resolveSeed(v as number, p)).default(() => resolveSeed(undefined)),
      allowLarge: ALLOW_LARGE_FIELD,
    },
    { expected: `a config object such as { inputShape: [28, 28, 1], numClasses: 10${builder === 'classifier' ? ", layers: 'lecture'" : ''} }` },
  );
}

const SCHEMAS = { classifier: schema('classifier'), imageClassifier: schema('imageClassifier') };

/** A classifier config checked and resolved by its builder's schema. */
export function resolveClassifierConfig(builder: 'classifier' | 'imageClassifier', config: ClassifierConfig): ResolvedClassifierConfig {
  const { inputShape, numClasses, layers, seed, allowLarge } = SCHEMAS[builder].check(config);
  return { inputShape, numClasses, layers, seed, ...(allowLarge === true ? { allowLarge: true as const } : {}) };
}
