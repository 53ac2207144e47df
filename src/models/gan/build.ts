/**
 * The two networks of a GAN, dense or DCGAN-style, built from a resolved config: the generator
 * (`z [, one-hot label] -> x`) and the discriminator (`x [, one-hot label] -> probability`, or a linear
 * critic score for the Wasserstein losses; an ACGAN's also has a softmax over the classes), plus views
 * sharing the discriminator's layers: its pre-sigmoid score (what the losses use, for numerical
 * stability), its `embedding` layer, and an ACGAN's classifier.
 *
 * A conditional GAN's label (one-hot) joins z at the generator's input. With `conditioning: 'concat'` it
 * also joins the data at the discriminator's input: concatenated to the flattened example (dense), or as
 * constant channels beside the image's (dcgan). With `'acgan'` the discriminator sees only the example.
 * The remedies for mode collapse change the discriminator: `packing` widens its input to that many
 * examples side by side, `minibatchStddev` adds one feature before its last hidden layer.
 *
 * Every kernel initializer is seeded from one {@link SeedStream}, generator first, so that a seed gives
 * the same weights on every run.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream } from '../../core/seed.js';
import type { Activation } from '../../layers/activations.js';
import { MinibatchStddev } from '../../layers/minibatchStddev.js';
import { SeededDropout } from '../../layers/seededDropout.js';
import { activationLayers, applyLayers, denseBlock, seededGlorot } from '../nets/blocks.js';
import type { ResolvedDCGANConfig, ResolvedDenseGANConfig, ResolvedGANConfig } from './config.js';

/** What the networks are built from: the resolved config, plus what the loss needs of the discriminator. */
export type GANNetSpec = ResolvedGANConfig & {
  /** The discriminator is a critic: a linear score, no sigmoid (the Wasserstein losses). */
  critic: boolean;
  /** Its activations support second-order gradients (the gradient penalty). */
  doubleBackprop: boolean;
};

/**
 * The built networks.
 */
export interface GANNets {
  /** `z` (and the one-hot label) -> a sample of shape `dataShape`. */
  generator: tfl.LayersModel;
  /**
   * The saved discriminator: x (and the one-hot label, concat conditioning) -> probability of being real
   * (sigmoid), or the critic's score; an ACGAN's has a second output, the class probabilities (softmax).
   */
  discriminator: tfl.LayersModel;
  /** x (and label) -> the probability or critic score alone (the discriminator itself unless ACGAN). */
  probability: tfl.LayersModel;
  /** x (and label) -> the pre-sigmoid logit (the critic's score); an ACGAN's also gives the class logits. */
  score: tfl.LayersModel;
  /** x (and label) -> the output of the layer named `embeddingLayer`. */
  embedder: tfl.LayersModel;
  /** ACGAN: x -> class probabilities `[N, numClasses]`. */
  classifier?: tfl.LayersModel;
}

const prod = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** An activation as its own layer, named `name`: a gradient-penalty-safe one for a critic. */
function activationLayer(activation: Activation, name: string, critic: boolean): tfl.layers.Layer {
  return activationLayers(activation, name, { doubleBackprop: critic })[0]!;
}

/** `[first]`, or `[first, one-hot label input]` for a conditional GAN. */
function inputs(s: { numClasses?: number }, first: tfl.SymbolicTensor, labelName: string): tfl.SymbolicTensor[] {
  return s.numClasses === undefined ? [first] : [first, tfl.input({ shape: [s.numClasses], name: labelName })];
}

function withLabel(x: tfl.SymbolicTensor, ins: tfl.SymbolicTensor[], name: string): tfl.SymbolicTensor {
  return ins.length === 1 ? x : (tfl.layers.concatenate({ name }).apply([x, ins[1]!]) as tfl.SymbolicTensor);
}

function denseGenerator(s: ResolvedDenseGANConfig, stream: SeedStream): tfl.LayersModel {
  const z = tfl.input({ shape: [s.zDim], name: 'z' });
  const ins = inputs(s, z, 'z_label');
  let h = withLabel(z, ins, 'z_and_label');
  s.generatorUnits.forEach((units, i) => {
    const name = `generator_${i + 1}`;
    if (s.batchNorm) {
      h = tfl.layers.dense({ units, activation: 'linear', useBias: false, kernelInitializer: seededGlorot(stream), name: `${name}_dense` }).apply(h) as tfl.SymbolicTensor;
      h = tfl.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(h) as tfl.SymbolicTensor;
      h = activationLayer(s.generatorActivation, name, false).apply(h) as tfl.SymbolicTensor;
    } else {
      h = applyLayers(denseBlock(units, s.generatorActivation, name, stream), h);
    }
  });
  const flat = s.dataShape.length > 1;
  h = applyLayers(denseBlock(prod(s.dataShape), s.outputActivation, flat ? 'output_flat' : 'output', stream), h);
  if (flat) h = tfl.layers.reshape({ targetShape: s.dataShape, name: 'output' }).apply(h) as tfl.SymbolicTensor;
  return tfl.model({ inputs: ins, outputs: h, name: 'generator' });
}

function dcganGenerator(s: ResolvedDCGANConfig, stream: SeedStream): tfl.LayersModel {
  const [height, width, channels] = s.dataShape as [number, number, number];
  const ups = s.generatorFilters.length;
  const h0 = height / 2 ** ups;
  const w0 = width / 2 ** ups;
  const z = tfl.input({ shape: [s.zDim], name: 'z' });
  const ins = inputs(s, z, 'z_label');
  const first = s.generatorFilters[0]!;
  const bnAct = (x: tfl.SymbolicTensor, name: string): tfl.SymbolicTensor => {
    let y = x;
    if (s.batchNorm) y = tfl.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(y) as tfl.SymbolicTensor;
    return activationLayer(s.generatorActivation, name, false).apply(y) as tfl.SymbolicTensor;
  };
  let h = withLabel(z, ins, 'z_and_label');
  h = tfl.layers
    .dense({ units: h0 * w0 * first, useBias: !s.batchNorm, kernelInitializer: seededGlorot(stream), name: 'project_dense' })
    .apply(h) as tfl.SymbolicTensor;
  h = bnAct(h, 'project_flat');
  h = tfl.layers.reshape({ targetShape: [h0, w0, first], name: 'project' }).apply(h) as tfl.SymbolicTensor;
  s.generatorFilters.slice(1).forEach((filters, i) => {
    const name = `generator_${i + 1}`;
    h = tfl.layers
      .conv2dTranspose({
        filters,
        kernelSize: s.kernelSize,
        strides: 2,
        padding: 'same',
        useBias: !s.batchNorm,
        kernelInitializer: seededGlorot(stream),
        name: `${name}_conv`,
      })
      .apply(h) as tfl.SymbolicTensor;
    h = bnAct(h, name);
  });
  const out = tfl.layers
    .conv2dTranspose({
      filters: channels,
      kernelSize: s.kernelSize,
      strides: 2,
      padding: 'same',
      kernelInitializer: seededGlorot(stream),
      name: 'output_conv',
    })
    .apply(h) as tfl.SymbolicTensor;
  const output = activationLayer(s.outputActivation, 'output', false).apply(out) as tfl.SymbolicTensor;
  return tfl.model({ inputs: ins, outputs: output, name: 'generator' });
}

/** The discriminator's input: `packing` examples side by side (flat for dense, on the channels for dcgan). */
export function discriminatorInputShape(s: ResolvedGANConfig): number[] {
  const m = s.packing;
  if (m === 1) return [...s.dataShape];
  if (s.architecture === 'dense') return [m * prod(s.dataShape)];
  const [height, width, channels] = s.dataShape as [number, number, number];
  return [height, width, m * channels];
}

/** Whether the discriminator takes the one-hot label as an input (`packing` labels side by side). */
export function discriminatorTakesLabel(s: ResolvedGANConfig): boolean {
  return s.numClasses !== undefined && s.conditioning !== 'acgan';
}

function minibatchStddev(s: GANNetSpec, h: tfl.SymbolicTensor): tfl.SymbolicTensor {
  if (s.minibatchStddev === false) return h;
  return new MinibatchStddev({ groupSize: s.minibatchStddev.groupSize, name: 'minibatch_stddev' }).apply(h) as tfl.SymbolicTensor;
}

/** `discriminatorDropout` after a hidden layer of the discriminator (nothing, and no seed drawn, when 0). */
function dropout(s: GANNetSpec, h: tfl.SymbolicTensor, name: string, stream: SeedStream): tfl.SymbolicTensor {
  if (s.discriminatorDropout === 0) return h;
  return new SeededDropout({ rate: s.discriminatorDropout, seed: stream.nextSeed(), name }).apply(h) as tfl.SymbolicTensor;
}

/**
 * The discriminator's body: the embedding layer's output (what `embed` returns), and the features its
 * heads read (the same, or after dropout).
 */
function discriminatorBody(s: GANNetSpec, ins: tfl.SymbolicTensor[], stream: SeedStream): { embedding: tfl.SymbolicTensor; features: tfl.SymbolicTensor } {
  const x = ins[0]!;
  if (s.architecture === 'dense') {
    let embedding = x;
    let h = x.shape.length > 2 ? (tfl.layers.flatten({ name: 'x_flat' }).apply(x) as tfl.SymbolicTensor) : x;
    h = withLabel(h, ins, 'x_and_label');
    const n = s.discriminatorUnits.length;
    s.discriminatorUnits.forEach((units, i) => {
      const name = i === n - 1 ? s.embeddingLayer : `discriminator_${i + 1}`;
      if (i === n - 1) h = minibatchStddev(s, h);
      if (s.discriminatorBatchNorm && i > 0) {
        h = tfl.layers.dense({ units, useBias: false, kernelInitializer: seededGlorot(stream), name: `${name}_dense` }).apply(h) as tfl.SymbolicTensor;
        h = tfl.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(h) as tfl.SymbolicTensor;
        h = activationLayer(s.discriminatorActivation, name, s.doubleBackprop).apply(h) as tfl.SymbolicTensor;
      } else {
        h = applyLayers(denseBlock(units, s.discriminatorActivation, name, stream, { doubleBackprop: s.doubleBackprop }), h);
      }
      embedding = h;
      h = dropout(s, h, `${name}_dropout`, stream);
    });
    return { embedding, features: h };
  }
  let h = x;
  if (ins.length > 1) {
    // The label as K constant channels beside the image's (K per example of a pack), so that every
    // convolution can relate pixels to the label. (Joined only at the flattened features, before a linear
    // head, it could add no more than a per-class bias to the logit.)
    const [height, width] = s.dataShape as [number, number, number];
    const k = s.numClasses! * s.packing;
    const planes = tfl.layers.repeatVector({ n: height * width, name: 'label_repeated' }).apply(ins[1]!) as tfl.SymbolicTensor;
    const channels = tfl.layers.reshape({ targetShape: [height, width, k], name: 'label_channels' }).apply(planes) as tfl.SymbolicTensor;
    h = tfl.layers.concatenate({ axis: -1, name: 'x_and_label' }).apply([x, channels]) as tfl.SymbolicTensor;
  }
  const n = s.discriminatorFilters.length;
  s.discriminatorFilters.forEach((filters, i) => {
    const name = `discriminator_${i + 1}`;
    if (i === n - 1) h = minibatchStddev(s, h);
    const bn = s.discriminatorBatchNorm && i > 0;
    h = tfl.layers
      .conv2d({ filters, kernelSize: s.kernelSize, strides: 2, padding: 'same', useBias: !bn, kernelInitializer: seededGlorot(stream), name: `${name}_conv` })
      .apply(h) as tfl.SymbolicTensor;
    if (bn) h = tfl.layers.batchNormalization({ momentum: 0.9, name: `${name}_bn` }).apply(h) as tfl.SymbolicTensor;
    h = activationLayer(s.discriminatorActivation, name, s.doubleBackprop).apply(h) as tfl.SymbolicTensor;
    h = dropout(s, h, `${name}_dropout`, stream);
  });
  const flat = tfl.layers.flatten({ name: s.embeddingLayer }).apply(h) as tfl.SymbolicTensor;
  return { embedding: flat, features: flat };
}

/**
 * Builds the generator, the discriminator and the views on the discriminator.
 *
 * @example
 * ```ts
 * const nets = buildGANNets({ ...resolveGANConfig({ dataShape: [2], zDim: 8 }), critic: false, doubleBackprop: false });
 * ```
 */
export function buildGANNets(s: GANNetSpec): GANNets {
  const stream = new SeedStream(s.seed);
  const generator = s.architecture === 'dense' ? denseGenerator(s, stream) : dcganGenerator(s, stream);

  const x = tfl.input({ shape: discriminatorInputShape(s), name: 'x' });
  const ins = discriminatorTakesLabel(s) ? [x, tfl.input({ shape: [s.numClasses! * s.packing], name: 'x_label' })] : [x];
  const { embedding, features } = discriminatorBody(s, ins, stream);
  const scoreName = s.critic ? 'score' : 'logit';
  const score = tfl.layers.dense({ units: 1, activation: 'linear', kernelInitializer: seededGlorot(stream), name: scoreName }).apply(features) as tfl.SymbolicTensor;
  const probability = s.critic ? score : (tfl.layers.activation({ activation: 'sigmoid', name: 'probability' }).apply(score) as tfl.SymbolicTensor);
  const embedder = tfl.model({ inputs: ins, outputs: embedding, name: 'discriminator_embedding' });
  if (s.conditioning !== 'acgan') {
    const discriminator = tfl.model({ inputs: ins, outputs: probability, name: 'discriminator' });
    const scoreModel = s.critic ? discriminator : tfl.model({ inputs: ins, outputs: score, name: 'discriminator_score' });
    return { generator, discriminator, probability: discriminator, score: scoreModel, embedder };
  }
  // ACGAN: a second head on the same features names the class.
  const classLogits = tfl.layers
    .dense({ units: s.numClasses!, activation: 'linear', kernelInitializer: seededGlorot(stream), name: 'class_logits' })
    .apply(features) as tfl.SymbolicTensor;
  const classes = tfl.layers.activation({ activation: 'softmax', name: 'class_probabilities' }).apply(classLogits) as tfl.SymbolicTensor;
  return {
    generator,
    discriminator: tfl.model({ inputs: ins, outputs: [probability, classes], name: 'discriminator' }),
    probability: tfl.model({ inputs: ins, outputs: probability, name: 'discriminator_probability' }),
    score: tfl.model({ inputs: ins, outputs: [score, classLogits], name: 'discriminator_score' }),
    embedder,
    classifier: tfl.model({ inputs: ins, outputs: classes, name: 'discriminator_classifier' }),
  };
}
