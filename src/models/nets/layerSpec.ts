/**
 * A small, typed layer vocabulary: layers described as plain data (`{ type: 'conv2d', filters: 16 }`), so
 * that a network written in a config is checked (unknown keys, ranges, shapes), saved with the model and
 * rebuilt from it. It covers what the course's classifiers use (dense, Conv2D, SeparableConv2D, pooling,
 * batch norm, dropout, flatten, reshape, activations) and latentkit's training-time layers (random zoom,
 * random contrast, noise). Weights are initialised from one seed stream, in order.
 *
 * @example
 * ```ts
 * const lecture: LayerSpec[] = [
 *   { type: 'conv2d', filters: 16, kernelSize: 3 },
 *   { type: 'maxPool2d', poolSize: 2 },
 *   { type: 'dropout', rate: 0.25 },
 *   { type: 'flatten' },
 *   { type: 'dense', units: 10 },
 *   { type: 'dropout', rate: 0.5 },
 * ];
 * ```
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, LatentkitError } from '../../core/errors.js';
import { field, is, isRecord, oneOf, optionsSchema, positiveInt, type OptionsSchema } from '../../core/options.js';
import type { SeedStream } from '../../core/seed.js';
import { checkActivation, type Activation } from '../../layers/activations.js';
import { NoiseLayer } from '../../layers/noise.js';
import { checkValueRange, contrastRange, RandomContrast } from '../../layers/randomContrast.js';
import { FILL_MODES, INTERPOLATIONS, RandomZoom, zoomRange, type FillMode, type Interpolation } from '../../layers/randomZoom.js';
import { SeededDropout } from '../../layers/seededDropout.js';
import { normaliseNoiseSpec, type NoiseSpec } from '../../noise/spec.js';
import { activationLayers, seededGlorot } from './blocks.js';

/** @category Models */
export type ConvSize = number | readonly [number, number];
/** @category Models */
export type Padding = 'same' | 'valid';

/** What every layer spec may have. @category Models */
export interface LayerSpecBase {
  /** Layer name, unique in the model. Default: `<type>_<n>`, counting each type from 1 (`conv2d_1`, `dropout_2`). */
  name?: string;
}
/** A dense layer. @category Models */
export interface DenseLayerSpec extends LayerSpecBase {
  type: 'dense';
  units: number;
  /** Default `'relu'`. */
  activation?: Activation;
}
/** What 2-d convolutions share. @category Models */
export interface ConvLayerSpecBase extends LayerSpecBase {
  filters: number;
  /** Default 3. */
  kernelSize?: ConvSize;
  /** Default 1. */
  strides?: ConvSize;
  /** Default `'valid'` (as Keras). */
  padding?: Padding;
  /** Default `'relu'`; `'linear'` before a batch norm. */
  activation?: Activation;
  /** Default true. */
  useBias?: boolean;
}
/** A Conv2D layer. @category Models */
export interface Conv2DLayerSpec extends ConvLayerSpecBase {
  type: 'conv2d';
}
/** A SeparableConv2D layer (depthwise then pointwise). @category Models */
export interface SeparableConv2DLayerSpec extends ConvLayerSpecBase {
  type: 'separableConv2d';
  /** Depthwise channels per input channel. Default 1. */
  depthMultiplier?: number;
}
/** Max or average pooling. @category Models */
export interface Pool2DLayerSpec extends LayerSpecBase {
  type: 'maxPool2d' | 'avgPool2d';
  /** Default 2. */
  poolSize?: ConvSize;
  /** Default: `poolSize`. */
  strides?: ConvSize;
  /** Default `'valid'`. */
  padding?: Padding;
}
/** Global average or max pooling over height and width. @category Models */
export interface GlobalPool2DLayerSpec extends LayerSpecBase {
  type: 'globalAvgPool2d' | 'globalMaxPool2d';
}
/** Batch normalization (over the last axis). A frozen one runs in inference mode, as in Keras. @category Models */
export interface BatchNormLayerSpec extends LayerSpecBase {
  type: 'batchNorm';
  /** Default 0.99. */
  momentum?: number;
  /** Default 1e-3. */
  epsilon?: number;
}
/** Seeded dropout, active while training. @category Models */
export interface DropoutLayerSpec extends LayerSpecBase {
  type: 'dropout';
  /** In [0, 1). */
  rate: number;
}
/** @category Models */
export interface FlattenLayerSpec extends LayerSpecBase {
  type: 'flatten';
}
/** An activation as its own layer. @category Models */
export interface ActivationLayerSpec extends LayerSpecBase {
  type: 'activation';
  activation: Activation;
}
/** Reshapes each example (`[784]` -> `[28, 28, 1]`). @category Models */
export interface ReshapeLayerSpec extends LayerSpecBase {
  type: 'reshape';
  targetShape: readonly number[];
}
/** Random zoom while training ({@link RandomZoom}); put it first. @category Models */
export interface RandomZoomLayerSpec extends LayerSpecBase {
  type: 'randomZoom';
  factor: number | readonly [number, number];
  widthFactor?: number | readonly [number, number] | null;
  /** Default `'reflect'`. */
  fillMode?: FillMode;
  /** Default `'bilinear'`. */
  interpolation?: Interpolation;
  /** Default 0. */
  fillValue?: number;
}
/** Random contrast while training ({@link RandomContrast}); put it first. @category Models */
export interface RandomContrastLayerSpec extends LayerSpecBase {
  type: 'randomContrast';
  factor: number | readonly [number, number];
  /** Default `[0, 1]`; `null`: no clipping. */
  valueRange?: readonly [number, number] | null;
}
/** Noise while training ({@link NoiseLayer}). @category Models */
export interface NoiseLayerSpec extends LayerSpecBase {
  type: 'noise';
  noise: NoiseSpec;
}

/**
 * One layer of a network described as data; see the module notes.
 * @category Models
 */
export type LayerSpec =
  | DenseLayerSpec
  | Conv2DLayerSpec
  | SeparableConv2DLayerSpec
  | Pool2DLayerSpec
  | GlobalPool2DLayerSpec
  | BatchNormLayerSpec
  | DropoutLayerSpec
  | FlattenLayerSpec
  | ActivationLayerSpec
  | ReshapeLayerSpec
  | RandomZoomLayerSpec
  | RandomContrastLayerSpec
  | NoiseLayerSpec;

/** @category Models */
export type LayerType = LayerSpec['type'];

/** A layer spec with every default written out (and its name). @category Models */
export type ResolvedLayerSpec = LayerSpec & { name: string };

const activation = field((v, p) => checkActivation(p, v));
const convSize = field((v, p): number | [number, number] => {
  if (Array.isArray(v)) {
    if (v.length !== 2) throw new ConfigError(p, v, 'a positive integer or a pair [height, width]');
    return [positiveInt(`${p}[0]`, v[0]), positiveInt(`${p}[1]`, v[1])];
  }
  return positiveInt(p, v);
});
const padding = is.oneOf(['same', 'valid'] as const).default('valid');
const name = field((v, p) => {
  if (typeof v !== 'string' || !/^[A-Za-z][A-Za-z0-9_-]*$/.test(v)) throw new ConfigError(p, v, 'a layer name of letters, digits, _ and - starting with a letter');
  return v;
});
const conv = { filters: is.positiveInt().required(), kernelSize: convSize.default(3), strides: convSize.default(1), padding, activation: activation.default('relu'), useBias: is.boolean().default(true) };
/** A field checked by `check(parameter, value)`, keeping the value as given. */
const checkedBy = <T>(check: (parameter: string, value: unknown) => unknown) =>
  field((v, p) => {
    check(p, v);
    return v as T;
  });
const pool = { poolSize: convSize.default(2), strides: convSize, padding };

/** The checker of each layer type (the `type` key is checked first). */
const SCHEMAS: Record<LayerType, Pick<OptionsSchema<unknown>, 'check'>> = {
  dense: optionsSchema<DenseLayerSpec>()('dense', { type: is.any(), name, units: is.positiveInt().required(), activation: activation.default('relu') }),
  conv2d: optionsSchema<Conv2DLayerSpec>()('conv2d', { type: is.any(), name, ...conv }),
  separableConv2d: optionsSchema<SeparableConv2DLayerSpec>()('separableConv2d', { type: is.any(), name, ...conv, depthMultiplier: is.positiveInt().default(1) }),
  maxPool2d: optionsSchema<Pool2DLayerSpec>()('maxPool2d', { type: is.any(), name, ...pool }),
  avgPool2d: optionsSchema<Pool2DLayerSpec>()('avgPool2d', { type: is.any(), name, ...pool }),
  globalAvgPool2d: optionsSchema<GlobalPool2DLayerSpec>()('globalAvgPool2d', { type: is.any(), name }),
  globalMaxPool2d: optionsSchema<GlobalPool2DLayerSpec>()('globalMaxPool2d', { type: is.any(), name }),
  batchNorm: optionsSchema<BatchNormLayerSpec>()('batchNorm', {
    type: is.any(),
    name,
    momentum: is.number({ min: 0, max: 1 }).default(0.99),
    epsilon: is.number({ min: 0, minOpen: true }).default(1e-3),
  }),
  dropout: optionsSchema<DropoutLayerSpec>()('dropout', { type: is.any(), name, rate: is.number({ min: 0, max: 1, maxOpen: true }).required() }),
  flatten: optionsSchema<FlattenLayerSpec>()('flatten', { type: is.any(), name }),
  activation: optionsSchema<ActivationLayerSpec>()('activation', { type: is.any(), name, activation: activation.required() }),
  reshape: optionsSchema<ReshapeLayerSpec>()('reshape', { type: is.any(), name, targetShape: is.positiveIntArray().required() }),
  randomZoom: optionsSchema<RandomZoomLayerSpec>()('randomZoom', {
    type: is.any(),
    name,
    factor: checkedBy<number | [number, number]>(zoomRange).required(),
    widthFactor: checkedBy<number | [number, number] | null>((p, v) => v === null || zoomRange(p, v)).default(null),
    fillMode: is.oneOf(FILL_MODES).default('reflect'),
    interpolation: is.oneOf(INTERPOLATIONS).default('bilinear'),
    fillValue: is.number().default(0),
  }),
  randomContrast: optionsSchema<RandomContrastLayerSpec>()('randomContrast', {
    type: is.any(),
    name,
    factor: checkedBy<number | [number, number]>((p, v) => contrastRange(v, p)).required(),
    valueRange: checkedBy<[number, number] | null>((p, v) => checkValueRange(v, p)).default(() => [0, 1]),
  }),
  noise: optionsSchema<NoiseLayerSpec>()('noise', { type: is.any(), name, noise: field((v, p) => normaliseNoiseSpec(v as NoiseSpec, p)).required() }),
};

/**
 * Every layer type of the vocabulary.
 * @category Models
 */
export const LAYER_TYPES = Object.keys(SCHEMAS) as LayerType[];

/**
 * Checks a list of layer specs and returns them with every default and name written out (new objects).
 * The layers' own argument checks (a zoom factor's range) run too, by building them once unattached.
 *
 * @param parameter - the list's name in errors (`classifier.layers`).
 * @param reserved - names the caller's own layers use, refused here.
 */
export function resolveLayerSpecs(parameter: string, value: unknown, reserved: readonly string[] = []): ResolvedLayerSpec[] {
  if (!Array.isArray(value)) throw new ConfigError(parameter, value, `an array of layer specs such as { type: 'dense', units: 64 }`);
  const counts: Record<string, number> = {};
  const names = new Set(reserved);
  return value.map((spec, i) => {
    const at = `${parameter}[${i}]`;
    if (!isRecord(spec)) throw new ConfigError(at, spec, `a layer spec such as { type: 'dense', units: 64 }`);
    const type = oneOf(`${at}.type`, spec['type'], LAYER_TYPES);
    const resolved = SCHEMAS[type].check(spec, at) as Record<string, unknown>;
    counts[type] = (counts[type] ?? 0) + 1;
    resolved['type'] = type;
    resolved['name'] ??= `${type}_${counts[type]}`;
    const layerName = resolved['name'] as string;
    if (names.has(layerName)) throw new ConfigError(`${at}.name`, layerName, `a name no other layer of the model has (taken: ${[...names].join(', ')})`);
    names.add(layerName);
    return resolved as unknown as ResolvedLayerSpec;
  });
}

/** The tfjs layers of one resolved spec (an activation other than the layer's own becomes a second layer). */
function makeLayers(s: ResolvedLayerSpec, stream: SeedStream): tfl.layers.Layer[] {
  const init = () => seededGlorot(stream);
  const nextSeed = () => stream.nextSeed();
  const withActivation = (make: (own: Activation, layerName: string) => tfl.layers.Layer, act: Activation): tfl.layers.Layer[] =>
    act === 'leakyRelu' ? [make('linear', `${s.name}_linear`), ...activationLayers(act, s.name)] : [make(act, s.name)];
  switch (s.type) {
    case 'dense':
      return withActivation((a, n) => tfl.layers.dense({ units: s.units, activation: a as never, kernelInitializer: init(), name: n }), s.activation!);
    case 'conv2d':
      return withActivation(
        (a, n) => tfl.layers.conv2d({ filters: s.filters, kernelSize: s.kernelSize as never, strides: s.strides as never, padding: s.padding, activation: a as never, useBias: s.useBias, kernelInitializer: init(), name: n }),
        s.activation!,
      );
    case 'separableConv2d':
      return withActivation(
        (a, n) =>
          tfl.layers.separableConv2d({
            filters: s.filters,
            kernelSize: s.kernelSize as never,
            strides: s.strides as never,
            padding: s.padding,
            depthMultiplier: s.depthMultiplier,
            activation: a as never,
            useBias: s.useBias,
            depthwiseInitializer: init(),
            pointwiseInitializer: init(),
            name: n,
          }),
        s.activation!,
      );
    case 'maxPool2d':
    case 'avgPool2d': {
      const args = { poolSize: s.poolSize as never, strides: (s.strides ?? s.poolSize) as never, padding: s.padding, name: s.name };
      return [s.type === 'maxPool2d' ? tfl.layers.maxPooling2d(args) : tfl.layers.averagePooling2d(args)];
    }
    case 'globalAvgPool2d':
      return [tfl.layers.globalAveragePooling2d({ name: s.name })];
    case 'globalMaxPool2d':
      return [tfl.layers.globalMaxPooling2d({ name: s.name })];
    case 'batchNorm':
      return [tfl.layers.batchNormalization({ momentum: s.momentum, epsilon: s.epsilon, name: s.name })];
    case 'dropout':
      return [new SeededDropout({ rate: s.rate, seed: nextSeed(), name: s.name })];
    case 'flatten':
      return [tfl.layers.flatten({ name: s.name })];
    case 'activation':
      return activationLayers(s.activation, s.name);
    case 'reshape':
      return [tfl.layers.reshape({ targetShape: [...s.targetShape], name: s.name })];
    case 'randomZoom':
      return [new RandomZoom({ ...s, widthFactor: s.widthFactor ?? undefined, seed: nextSeed() })];
    case 'randomContrast':
      return [new RandomContrast({ ...s, seed: nextSeed() })];
    case 'noise':
      return [new NoiseLayer({ noise: s.noise, seed: nextSeed(), name: s.name })];
  }
}

/** Shape of a symbolic tensor without the batch axis, as text. */
export function exampleShapeText(t: tfl.SymbolicTensor): string {
  return `[${t.shape.slice(1).map((d) => d ?? '?').join(', ')}]`;
}

/**
 * The number of weights `layer` will create on an input of `shape` (`[batch, ...]`), read from its config
 * before it is built: kernels and biases of Dense and the convolutions, a BatchNormalization's four
 * vectors; 0 for layers without weights.
 */
export function weightCount(layer: tfl.layers.Layer, shape: readonly (number | null)[]): number {
  const c = layer.getConfig() as Record<string, unknown>;
  const last = shape[shape.length - 1] ?? 0;
  const bias = (n: number) => (c['useBias'] === false ? 0 : n);
  const area = () => (Array.isArray(c['kernelSize']) ? (c['kernelSize'] as number[]) : [c['kernelSize'] as number, c['kernelSize'] as number]).reduce((a, b) => a * b, 1);
  switch (layer.getClassName()) {
    case 'Dense':
      return last * (c['units'] as number) + bias(c['units'] as number);
    case 'Conv2D':
      return area() * last * (c['filters'] as number) + bias(c['filters'] as number);
    case 'SeparableConv2D': {
      const depth = last * ((c['depthMultiplier'] as number | undefined) ?? 1);
      return area() * depth + depth * (c['filters'] as number) + bias(c['filters'] as number);
    }
    case 'DepthwiseConv2D': {
      const depth = last * ((c['depthMultiplier'] as number | undefined) ?? 1);
      return area() * depth + bias(depth);
    }
    case 'BatchNormalization':
      return 4 * last;
    default:
      return 0;
  }
}

/**
 * Applies resolved layer specs to `input` in order, initialising weights and seeding random layers
 * from `stream`. A layer that cannot take its input (a convolution after a flatten, a pooling larger than
 * the image) is a ConfigError naming its spec and the shape it got.
 */
export function applyLayerSpecs(
  specs: readonly ResolvedLayerSpec[],
  input: tfl.SymbolicTensor,
  stream: SeedStream,
  parameter: string,
  budget?: (weights: number) => void,
): tfl.SymbolicTensor {
  const made: tfl.layers.Layer[] = [];
  try {
    return specs.reduce((x, spec, i) => {
      const layers = makeLayers(spec, stream);
      made.push(...layers);
      let out: tfl.SymbolicTensor;
      try {
        out = layers.reduce((h, layer) => {
          budget?.(weightCount(layer, h.shape));
          return layer.apply(h) as tfl.SymbolicTensor;
        }, x);
      } catch (e) {
        if (e instanceof LatentkitError) throw e;
        const detail = (e as Error).message.split('\n')[0];
        throw new ConfigError(`${parameter}[${i}]`, spec, `a layer that accepts its input of shape ${exampleShapeText(x)} (tfjs: ${detail})`);
      }
      if (out.shape.slice(1).some((d) => d !== null && d < 1)) {
        throw new ConfigError(`${parameter}[${i}]`, spec, `a layer that leaves at least one value per example (it outputs ${exampleShapeText(out)} from ${exampleShapeText(x)})`);
      }
      return out;
    }, input);
  } catch (e) {
    // Weights of the layers built before the failure (a layer may create them and then refuse its input).
    for (const layer of made) for (const w of layer.weights) if (!w.read().isDisposed) w.dispose();
    throw e;
  }
}
