/**
 * Convolutional encoder and mirrored decoder stacks, shared by `convAE` and the convolutional VAE.
 * Shapes are computed up front with tfjs's own size rules; where the mirror does not land on the encoder's
 * size (stride-2 'valid' convolutions, odd inputs), a Cropping2D or ZeroPadding2D layer puts it right.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.js';
import { field, is, nonNegativeInt, oneOf, positiveInt, positiveIntArray, type Resolved } from '../../core/options.js';
import type { SeedStream } from '../../core/seed.js';
import { checkActivation, type Activation } from '../../layers/activations.js';
import { kernelOptions } from '../../backend/wasm/util.js';
import { UpsampledConv2D } from '../../layers/upsampledConv.js';
import { activationLayers, seededGlorot } from './blocks.js';

/**
 * Padding of a convolution, as in Keras.
 * @category Models
 */
export type ConvPadding = 'same' | 'valid';
/**
 * How the decoder grows the feature maps back: transposed convolutions, or upsampling then convolution.
 * @category Models
 */
export type DecoderStyle = 'transpose' | 'upsample';

/**
 * The convolutional part of a config, as users write it.
 * @category Models
 */
export interface ConvStackConfig {
  /** Shape of one image, `[height, width, channels]`. Required. */
  inputShape: readonly [number, number, number];
  /** Filters of each encoder convolution; the decoder mirrors them. Default `[32, 32]`. */
  filters?: readonly number[];
  /** Kernel size, one for all layers or one per layer. Default 3. */
  kernelSize?: number | readonly number[];
  /** Stride, one for all layers or one per layer. Default 2. */
  strides?: number | readonly number[];
  /** Padding, one for all layers or one per layer. Default `'same'`. */
  padding?: ConvPadding | readonly ConvPadding[];
  /**
   * Max-pooling after each convolution: one pool size for all layers, or one per layer (0 or 1: none).
   * Default 0 (no pooling). The course's exercise 8 pools once, after its second convolution: `[0, 2]`.
   */
  pooling?: number | readonly number[];
  /** Decoder style. Default `'transpose'`. */
  decoder?: DecoderStyle;
  /** Activation of every convolution and of the decoder's first dense layer. Default `'relu'`. */
  activation?: Activation;
  /** Activation of the output convolution. Default `'sigmoid'` (images in [0, 1]). */
  outputActivation?: Activation;
}

/** A checked conv stack, with every per-layer list written out and the encoder's shapes computed. */
export interface ConvStackSpec {
  inputShape: [number, number, number];
  filters: number[];
  kernelSize: number[];
  strides: number[];
  padding: ConvPadding[];
  pooling: number[];
  decoder: DecoderStyle;
  activation: Activation;
  outputActivation: Activation;
  /** Spatial size `[h, w]` entering each encoder convolution, then after the last stage. */
  stageSizes: Array<[number, number]>;
  /** Shape of the last feature map `[h, w, filters]`. */
  featureShape: [number, number, number];
}

/** A conv stack as a resolved config holds it (the spec without its computed shapes). */
export type ResolvedConvStack = Omit<ConvStackSpec, 'stageSizes' | 'featureShape'>;

/** One value for every layer, or one per layer; a single value is reported as the first layer's. */
const perLayerOr = <T>(check: (p: string, v: unknown) => T) =>
  field((v, p): T | T[] => (Array.isArray(v) ? v.map((x, i) => check(`${p}[${i}]`, x)) : check(`${p}[0]`, v)));

/** The checker's fields of {@link ConvStackConfig}; the per-layer lengths and the shapes are checked by {@link convStackSpec}. */
export const CONV_STACK_FIELDS = {
  inputShape: field((v, p): [number, number, number] => {
    if (!Array.isArray(v) || v.length !== 3) throw new ConfigError(p, v, '[height, width, channels], e.g. [28, 28, 1]');
    return v.map((d, i) => positiveInt(`${p}[${i}]`, d)) as [number, number, number];
  }).required(),
  filters: field((v, p) => {
    const filters = positiveIntArray(p, v);
    if (filters.length === 0) throw new ConfigError(p, filters, 'at least one convolution');
    return filters;
  }).default(() => [32, 32]),
  kernelSize: perLayerOr(positiveInt).default(3),
  strides: perLayerOr(positiveInt).default(2),
  padding: perLayerOr((p, v) => oneOf(p, v, ['same', 'valid'] as const)).default('same'),
  pooling: perLayerOr(nonNegativeInt).default(0),
  decoder: is.oneOf(['transpose', 'upsample'] as const).default('transpose'),
  activation: field((v, p) => checkActivation(p, v)).default('relu'),
  outputActivation: field((v, p) => checkActivation(p, v)).default('sigmoid'),
};

function perLayer<T>(parameter: string, value: T | T[], n: number): T[] {
  const list = Array.isArray(value) ? value : Array.from({ length: n }, () => value);
  if (list.length !== n) throw new ConfigError(parameter, value, `one value, or ${n} (one per entry of filters)`);
  return list;
}

/** Output size of a convolution along one axis, with tfjs's rules. */
export function convOutputSize(size: number, kernel: number, stride: number, padding: ConvPadding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** Output size of a transposed convolution along one axis, with tfjs's rules. */
export function deconvOutputSize(size: number, kernel: number, stride: number, padding: ConvPadding): number {
  return padding === 'same' ? size * stride : size * stride + Math.max(kernel - stride, 0);
}

/**
 * Writes out the per-layer lists of checked conv stack fields and computes the encoder's shapes.
 * @throws ConfigError when a list has the wrong length, or when a layer would shrink the image to nothing
 *   (saying which layer and the sizes involved).
 */
export function convStackSpec(c: Resolved<typeof CONV_STACK_FIELDS>, prefix: string): ConvStackSpec {
  const { inputShape, filters, decoder, activation, outputActivation } = c;
  const n = filters.length;
  const kernelSize = perLayer(`${prefix}.kernelSize`, c.kernelSize, n);
  const strides = perLayer(`${prefix}.strides`, c.strides, n);
  const padding = perLayer(`${prefix}.padding`, c.padding, n);
  const pooling = perLayer(`${prefix}.pooling`, c.pooling, n).map((p) => (p <= 1 ? 0 : p));

  const stageSizes: Array<[number, number]> = [];
  let [h, w] = [inputShape[0], inputShape[1]];
  for (let i = 0; i < n; i++) {
    stageSizes.push([h, w]);
    const [ch, cw] = [convOutputSize(h, kernelSize[i]!, strides[i]!, padding[i]!), convOutputSize(w, kernelSize[i]!, strides[i]!, padding[i]!)];
    if (ch < 1 || cw < 1) {
      throw new ConfigError(
        `${prefix}.inputShape`,
        inputShape,
        `an image large enough for convolution ${i + 1} (kernel ${kernelSize[i]}, stride ${strides[i]}, '${padding[i]}'), ` +
          `which gets ${h}x${w} and would output ${ch}x${cw}: use 'same' padding, smaller strides or fewer layers`,
      );
    }
    [h, w] = [ch, cw];
    const p = pooling[i]!;
    if (p > 0) {
      if (h < p || w < p) {
        throw new ConfigError(`${prefix}.pooling[${i}]`, p, `a pool no larger than the ${h}x${w} feature map it gets`);
      }
      [h, w] = [Math.floor(h / p), Math.floor(w / p)];
    }
  }
  stageSizes.push([h, w]);
  return {
    inputShape,
    filters,
    kernelSize,
    strides,
    padding,
    pooling,
    decoder,
    activation,
    outputActivation,
    stageSizes,
    featureShape: [h, w, filters[n - 1]!],
  };
}

/**
 * The encoder's convolutional layers, ending in a Flatten: apply them to the image input, then add the
 * dense head (`code`, or `mean`/`logVar` for a VAE).
 */
export function convEncoderLayers(spec: ConvStackSpec, stream: SeedStream): tfl.layers.Layer[] {
  const layers: tfl.layers.Layer[] = [];
  spec.filters.forEach((f, i) => {
    layers.push(
      tfl.layers.conv2d({
        filters: f,
        kernelSize: spec.kernelSize[i]!,
        strides: spec.strides[i]!,
        padding: spec.padding[i]!,
        kernelInitializer: seededGlorot(stream),
        name: `encoder_conv_${i + 1}`,
      }),
      ...activationLayers(spec.activation, `encoder_conv_${i + 1}_${spec.activation}`, { omitLinear: true }),
    );
    const p = spec.pooling[i]!;
    if (p > 0) layers.push(tfl.layers.maxPooling2d({ poolSize: p, strides: p, name: `encoder_pool_${i + 1}` }));
  });
  layers.push(tfl.layers.flatten({ name: 'encoder_flatten' }));
  return layers;
}

/**
 * Crops or zero-pads a feature map from `from` to `to` (`[h, w]`), or nothing when they agree. The last
 * layer made is called `lastName` when given.
 */
function fitLayers(from: [number, number], to: [number, number], name: string, lastName?: string): tfl.layers.Layer[] {
  const dh = to[0] - from[0];
  const dw = to[1] - from[1];
  if (dh === 0 && dw === 0) return [];
  const split = (d: number): [number, number] => [Math.floor(Math.abs(d) / 2), Math.abs(d) - Math.floor(Math.abs(d) / 2)];
  // Crop what is too large, pad what is too small; one axis may need each.
  const crop: [[number, number], [number, number]] = [dh < 0 ? split(dh) : [0, 0], dw < 0 ? split(dw) : [0, 0]];
  const pad: [[number, number], [number, number]] = [dh > 0 ? split(dh) : [0, 0], dw > 0 ? split(dw) : [0, 0]];
  const needCrop = dh < 0 || dw < 0;
  const needPad = dh > 0 || dw > 0;
  const layers: tfl.layers.Layer[] = [];
  if (needCrop) layers.push(tfl.layers.cropping2D({ cropping: crop, name: !needPad && lastName ? lastName : `${name}_crop` }));
  if (needPad) layers.push(tfl.layers.zeroPadding2d({ padding: pad, name: lastName ?? `${name}_pad` }));
  return layers;
}

/**
 * One mirrored stage: the transposed (or upsampled) convolution that undoes encoder convolution `i`, from
 * its output channels back to its input channels, with `activation`; the layer that finishes the stage is
 * named `lastName` when given.
 */
function mirrorStage(
  spec: ConvStackSpec,
  i: number,
  size: [number, number],
  filters: number,
  activation: Activation,
  stream: SeedStream,
  lastName?: string,
): { layers: tfl.layers.Layer[]; size: [number, number] } {
  const tag = `decoder_${i + 1}`;
  const layers: tfl.layers.Layer[] = [];
  const p = spec.pooling[i]!;
  const k = spec.kernelSize[i]!;
  const s = spec.strides[i]!;
  const pad = spec.padding[i]!;
  // The upsampling decoder's UpSampling2D layers (the pooling's and the stride's) and its 'same' convolution
  // are one UpsampledConv2D: the same function, computed on the small input (see layers/upsampledConv.ts).
  const factor = (p > 0 ? p : 1) * (spec.decoder === 'upsample' && s > 1 ? s : 1);
  const fused = spec.decoder === 'upsample' && factor > 1 && kernelOptions.upsampledConv;
  if (p > 0 && !fused) layers.push(tfl.layers.upSampling2d({ size: [p, p], name: `${tag}_unpool` }));
  if (p > 0) size = [size[0] * p, size[1] * p];
  if (spec.decoder === 'upsample' && s > 1 && !fused) layers.push(tfl.layers.upSampling2d({ size: [s, s], name: `${tag}_upsample` }));
  if (spec.decoder === 'upsample' && s > 1) size = [size[0] * s, size[1] * s];
  const target = spec.stageSizes[i]!;
  const fitted = (from: [number, number]) => fitLayers(from, target, tag, lastName);
  // The convolution carries the activation itself unless it is leakyRelu (a layer of its own).
  const inline = activation !== 'leakyRelu';
  const convName = (after: tfl.layers.Layer[]) => (lastName && inline && after.length === 0 ? lastName : `${tag}_${spec.decoder === 'transpose' ? 'deconv' : 'conv'}`);
  const outSize: [number, number] =
    spec.decoder === 'transpose' ? [deconvOutputSize(size[0], k, s, pad), deconvOutputSize(size[1], k, s, pad)] : size;
  const fit = fitted(outSize);
  const conv = {
    filters,
    kernelSize: k,
    activation: inline ? activation : 'linear',
    kernelInitializer: seededGlorot(stream),
    name: convName(fit),
  } as const;
  if (spec.decoder === 'transpose') layers.push(tfl.layers.conv2dTranspose({ ...conv, strides: s, padding: pad }));
  else if (fused) layers.push(new UpsampledConv2D({ ...conv, size: [factor, factor] }));
  else layers.push(tfl.layers.conv2d({ ...conv, padding: 'same' }));
  if (!inline) layers.push(...activationLayers('leakyRelu', lastName && fit.length === 0 ? lastName : `${tag}_leakyRelu`));
  layers.push(...fit);
  return { layers, size: target };
}

/**
 * The decoder's layers, from a flat vector (code or latent sample) to an image of `spec.inputShape`:
 * Dense -> Reshape -> one mirrored stage per encoder convolution, last to first (UpSampling2D for each
 * pooling; a Conv2DTranspose, or UpSampling2D + Conv2D, from that convolution's output channels back to its
 * input channels; a crop or pad to the encoder's size at that stage). The first convolution's mirror
 * outputs the image channels with `outputActivation`; the decoder's last layer is named `reconstruction`.
 */
export function convDecoderLayers(spec: ConvStackSpec, stream: SeedStream): tfl.layers.Layer[] {
  const [fh, fw, fc] = spec.featureShape;
  const layers: tfl.layers.Layer[] = [
    tfl.layers.dense({ units: fh * fw * fc, kernelInitializer: seededGlorot(stream), name: 'decoder_dense' }),
    ...activationLayers(spec.activation, `decoder_dense_${spec.activation}`, { omitLinear: true }),
    tfl.layers.reshape({ targetShape: [fh, fw, fc], name: 'decoder_reshape' }),
  ];
  let size: [number, number] = [fh, fw];
  for (let i = spec.filters.length - 1; i >= 0; i--) {
    const last = i === 0;
    const stage = mirrorStage(
      spec,
      i,
      size,
      last ? spec.inputShape[2] : spec.filters[i - 1]!,
      last ? spec.outputActivation : spec.activation,
      stream,
      last ? 'reconstruction' : undefined,
    );
    layers.push(...stage.layers);
    size = stage.size;
  }
  return layers;
}
