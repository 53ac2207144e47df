/**
 * `transferHead`: a new softmax head on a chosen layer of a trained network, frozen then fine-tuned, as
 * the course's transfer-learning activities do in Keras. The base is copied (topology and weights) up to
 * that layer, so training the head never changes the network it came from; the copy's topology is kept
 * in the config, so that `save`/`load` (kind `'transferHead'`) and `transferHead(head.config)` rebuild it.
 * @module
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError } from '../../core/errors.js';
import { field, is, isRecord, optionsSchema } from '../../core/options.js';
import { resolveSeed, SeedStream } from '../../core/seed.js';
import { checkActivation, type Activation } from '../../layers/activations.js';
import { copyLayersModelWeights, defineModelKind } from '../../io/registry.js';
import { jsonData } from '../../io/record.js';
import type { FeatureNetwork, FeatureSource } from '../base/handle.js';
import { attachHead, headLayerNames, type HeadSpec } from './build.js';
import { numClassesField } from './config.js';
import { ClassifierHandle, type Classifier } from './handle.js';

/**
 * A base network as a transfer head's config stores it: where it came from and the tfjs topology of the
 * copied part (input to the feature layer), as `model.getConfig()` gives it.
 * @category Models
 */
export interface SavedBase {
  /** What the base was (`'conv: encoder'`, `'tf.LayersModel: model3'`), for people reading the config. */
  source: string;
  /** The copied network's tfjs-layers topology (JSON). */
  topology: Record<string, unknown>;
}

/**
 * What `transferHead` starts from: a `tf.LayersModel` (with one input), a latentkit handle (an
 * autoencoder: its encoder's `code`; a GAN: its discriminator's `embeddingLayer`; a VAE: its encoder's
 * `mean`; a classifier: the layer feeding its `logits`), or a {@link SavedBase} from a head's config.
 * @category Models
 */
export type TransferBase = tfl.LayersModel | FeatureSource | SavedBase;

/**
 * Options of {@link transferHead}.
 * @category Models
 */
export interface TransferHeadOptions {
  /**
   * The layer whose output feeds the head: its name, or its index in the base's `layers` (negative counts
   * from the end). Default: the handle's feature layer (see {@link TransferBase}); for a `tf.LayersModel`
   * the layer before its last one; for a saved base its output.
   */
  fromLayer?: string | number;
  /** Number of classes of the new softmax. Required. */
  numClasses: number;
  /** Widths of hidden Dense layers of the head (`head_dense_<i>`). Default none. */
  hiddenUnits?: number | readonly number[];
  /** Their activation. Default `'relu'`. */
  activation?: Activation;
  /** Dropout rate before the logits (`head_dropout`). Default 0. */
  dropout?: number;
  /**
   * Which base layers are frozen: `true` all (default), `false` none, `n` the first `n` from the input
   * side. Frozen layers keep their weights bit for bit; a frozen BatchNormalization runs in inference mode.
   */
  freeze?: boolean | number;
  /** Seed of the head's initial weights, its dropout and every `fit` without a seed. Default: from {@link setSeed}. */
  seed?: number;
}

/**
 * {@link transferHead}'s options together with its base, as one config.
 * @category Models
 */
export interface TransferHeadConfig extends TransferHeadOptions {
  base: TransferBase;
}

/**
 * A transfer head's config with every default filled in: the base as a {@link SavedBase}, the layer as a
 * name, the hidden widths as a list, and `freeze` as the number of frozen base layers it was built with.
 * @category Models
 */
export interface ResolvedTransferHeadConfig {
  base: SavedBase;
  fromLayer: string;
  numClasses: number;
  hiddenUnits: number[];
  activation: Activation;
  dropout: number;
  freeze: number;
  seed: number;
}

const OPTIONS = {
  fromLayer: field((v, p): string | number => {
    if ((typeof v === 'string' && v !== '') || (typeof v === 'number' && Number.isInteger(v))) return v;
    throw new ConfigError(p, v, "a layer name or an integer index into the base's layers");
  }),
  numClasses: numClassesField.required(),
  hiddenUnits: field((v, p) => (typeof v === 'number' ? is.positiveIntArray().check([v], p) : is.positiveIntArray().check(v, p))).default(() => []),
  activation: field((v, p) => checkActivation(p, v)).default('relu'),
  dropout: is.number({ min: 0, max: 1, maxOpen: true }).default(0),
  freeze: field((v, p): boolean | number => (typeof v === 'boolean' ? v : is.nonNegativeInt().check(v, p))).default(true),
  seed: field((v, p) => resolveSeed(v as number, p)).default(() => resolveSeed(undefined)),
};
const TRANSFER_OPTIONS = optionsSchema<TransferHeadOptions>()('transferHead', OPTIONS, { expected: 'options such as { numClasses: 10, freeze: true }' });
const TRANSFER_CONFIG = optionsSchema<TransferHeadConfig>()('transferHead', { base: is.any<TransferBase>().required(), ...OPTIONS }, {
  expected: 'a config such as { base, numClasses: 10 }',
});

const isLayersModel = (v: unknown): v is tfl.LayersModel => v instanceof tfl.LayersModel;
const isSavedBase = (v: unknown): v is SavedBase => isRecord(v) && typeof v['source'] === 'string' && isRecord(v['topology']);
const isFeatureSource = (v: unknown): v is FeatureSource => isRecord(v) && typeof (v as { featureNetwork?: unknown }).featureNetwork === 'function';

/** The network the base stands for, where its features are by default, and what to call it. */
function baseNetwork(base: unknown): FeatureNetwork & { source: string; copyWeights: boolean } {
  const expected = 'a tf.LayersModel, a latentkit model handle (autoencoder, VAE, GAN, classifier) or a saved base { source, topology }';
  if (isLayersModel(base)) {
    const layers = base.layers;
    return { model: base, layer: layers[Math.max(0, layers.length - 2)]!.name, source: `tf.LayersModel: ${base.name}`, copyWeights: true };
  }
  if (isFeatureSource(base)) {
    const { model, layer } = base.featureNetwork();
    return { model, layer, source: `${base.kind}: ${model.name}`, copyWeights: true };
  }
  if (isSavedBase(base)) {
    let model: tfl.LayersModel;
    try {
      model = tfl.LayersModel.fromConfig(tfl.LayersModel, structuredClone(base.topology) as never) as tfl.LayersModel;
    } catch (e) {
      throw new ConfigError('transferHead.base.topology', base.topology, `a tfjs-layers model topology (${(e as Error).message.split('\n')[0]})`);
    }
    return { model, layer: model.layers[model.layers.length - 1]!.name, source: base.source, copyWeights: false };
  }
  throw new ConfigError('transferHead.base', base, expected);
}

/** The layer `fromLayer` names (or the default), checked. */
function chooseLayer(model: tfl.LayersModel, fromLayer: string | number | undefined, fallback: string): tfl.layers.Layer {
  const layers = model.layers;
  const names = layers.map((l) => `"${l.name}"`).join(', ');
  let layer: tfl.layers.Layer | undefined;
  if (typeof fromLayer === 'number') {
    layer = layers[fromLayer < 0 ? layers.length + fromLayer : fromLayer];
    if (!layer) throw new ConfigError('transferHead.fromLayer', fromLayer, `an index in [${-layers.length}, ${layers.length - 1}] of the base's layers (${names})`);
  } else {
    const wanted = fromLayer ?? fallback;
    layer = layers.find((l) => l.name === wanted);
    if (!layer) throw new ConfigError('transferHead.fromLayer', wanted, `one of the base's layers: ${names}`);
  }
  if (model.inputLayers.includes(layer as never)) throw new ConfigError('transferHead.fromLayer', fromLayer ?? layer.name, `a layer after the base's input (${names})`);
  return layer;
}

/** The output of `layer` in `model`'s own graph (a layer shared with other models has several). */
function outputIn(model: tfl.LayersModel, layer: tfl.layers.Layer): tfl.SymbolicTensor {
  const nodes = new Set<unknown>(Object.values(model.nodesByDepth).flat());
  const index = layer.inboundNodes.findIndex((n) => nodes.has(n));
  const out = layer.getOutputAt(Math.max(index, 0));
  if (Array.isArray(out)) throw new ConfigError('transferHead.fromLayer', layer.name, 'a layer with a single output');
  return out as tfl.SymbolicTensor;
}

/** The copied base (its own layers and weights) and its topology. */
function copyBase(base: unknown, fromLayer: string | number | undefined): { copy: tfl.LayersModel; saved: SavedBase; fromLayer: string } {
  const net = baseNetwork(base);
  if (net.model.inputs.length !== 1) {
    throw new ConfigError('transferHead.base', net.source, `a network with one input; it has ${net.model.inputs.length} (${net.model.inputs.map((t) => t.name).join(', ')}), as a conditional GAN's discriminator does`);
  }
  const layer = chooseLayer(net.model, fromLayer, net.layer);
  // A view on the base's own layers (no new weights: never disposed, the base stays the caller's).
  const part = tfl.model({ inputs: net.model.inputs, outputs: outputIn(net.model, layer), name: 'base' });
  const topology = jsonData(part.getConfig(), 'transferHead.base topology') as Record<string, unknown>;
  const copy = tfl.LayersModel.fromConfig(tfl.LayersModel, structuredClone(topology) as never) as tfl.LayersModel;
  if (net.copyWeights) copy.setWeights(part.getWeights());
  else if (copy !== net.model) net.model.dispose();
  return { copy, saved: { source: net.source, topology }, fromLayer: layer.name };
}

/**
 * Puts a new softmax head on a layer of a trained network: the base is copied up to `fromLayer` (so the
 * original is never changed), frozen as asked, and followed by optional hidden Dense layers, dropout, a
 * Dense `logits` layer and a softmax. Train the head with the base frozen, then {@link Classifier.unfreeze}
 * and fine-tune with a lower learning rate. Returns the same {@link Classifier} handle as `classifier`
 * (kind `'transferHead'`), whose `baseLayers` and `frozenLayers` say what is frozen.
 *
 * `transferHead(head.config)` rebuilds the same network; its base then starts from the weights its
 * layers' initializers give (seeded for latentkit's models), not from the copied ones: `save` and `load`
 * keep those, and which layers are frozen.
 *
 * @param base - see {@link TransferBase}; never changed or disposed.
 * @throws ConfigError naming the option: a `fromLayer` that is not a layer of the base (the message lists
 *   them), a base with several inputs, a `freeze` beyond the base's layers.
 * @example
 * ```ts
 * const head = transferHead(fashionCnn, { numClasses: 10, freeze: true, seed: 1 });   // on its Dropout output
 * await head.fit(digits, digitLabels, { epochs: 3, batchSize: 16, optimizer: { name: 'adam', learningRate: 2e-3 } });
 * head.unfreeze();
 * await head.fit(digits, digitLabels, { epochs: 3, batchSize: 16, optimizer: { name: 'adam', learningRate: 2e-4 } });
 * const probe = transferHead(ae, { numClasses: 10 });   // on the autoencoder's `code`
 * ```
 * @category Models
 */
export function transferHead(base: TransferBase, options: TransferHeadOptions): Classifier<ResolvedTransferHeadConfig>;
export function transferHead(config: TransferHeadConfig): Classifier<ResolvedTransferHeadConfig>;
export function transferHead(first: TransferBase | TransferHeadConfig, options?: TransferHeadOptions): Classifier<ResolvedTransferHeadConfig> {
  const single = options === undefined && isRecord(first) && 'base' in first && 'numClasses' in first;
  const o = single ? TRANSFER_CONFIG.check(first) : { ...TRANSFER_OPTIONS.check(options), base: first as TransferBase };
  const { copy, saved, fromLayer } = copyBase(o.base, o.fromLayer);
  try {
    const baseLayers = copy.layers.filter((l) => !copy.inputLayers.includes(l as never));
    const frozen = o.freeze === true ? baseLayers.length : o.freeze === false ? 0 : o.freeze;
    if (frozen > baseLayers.length) throw new ConfigError('transferHead.freeze', o.freeze, `at most ${baseLayers.length}, the number of base layers up to ${fromLayer}`);
    const head: HeadSpec = { numClasses: o.numClasses, hiddenUnits: o.hiddenUnits, activation: o.activation, dropout: o.dropout };
    const clash = baseLayers.find((l) => headLayerNames(head).includes(l.name));
    if (clash) throw new ConfigError('transferHead.base', saved.source, `a base without a layer named "${clash.name}" before fromLayer (the head's layers use that name)`);
    const nets = attachHead(copy.inputs[0]!, copy.outputs[0]!, head, new SeedStream(o.seed), 'transfer_head');
    const config: ResolvedTransferHeadConfig = { base: saved, fromLayer, ...head, hiddenUnits: [...head.hiddenUnits], freeze: frozen, seed: o.seed };
    return new ClassifierHandle('transferHead', config, nets, 'transfer head', baseLayers, frozen);
  } catch (e) {
    copy.dispose();
    throw e;
  }
}

defineModelKind<Classifier>({
  kind: 'transferHead',
  rebuild: (config) => transferHead(config as unknown as TransferHeadConfig),
  parts: (c) => ({ model: c.model }),
  receiveWeights: (handle, _part, saved, where) => {
    const target = handle.model;
    copyLayersModelWeights(saved, target, where);
    // Which base layers were frozen travels in the saved topology (each layer's `trainable`).
    const trainable = new Map(saved.layers.map((l) => [l.name, l.trainable]));
    const frozen = handle.baseLayers.findIndex((name) => trainable.get(name) !== false);
    (handle as ClassifierHandle<ResolvedTransferHeadConfig>).setFrozenLayers(frozen < 0 ? handle.baseLayers.length : frozen);
  },
});
