/**
 * `transferHead`: a frozen base (BatchNorm included) keeps every weight and statistic bit for bit while
 * the head trains, on cpu and wasm; `unfreeze` lets it change; the base it came from is never touched;
 * `fromLayer` by name or index (a wrong name lists the layers); every latentkit handle and a plain
 * tf.LayersModel as a base; a head on a small split beats chance widely; save/load keeps the weights and
 * what is frozen.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifier, GAN, imageClassifier, load, save, transferHead, undercompleteAE, useBackend, VAE, type Classifier, type LayerSpec, type TransferBase } from '../../../src/index.js';
import { quadrants, weightBytes } from '../../helpers/classes.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latentkit-transfer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const BASE_LAYERS: LayerSpec[] = [
  { type: 'conv2d', filters: 4, padding: 'same', activation: 'linear' },
  { type: 'batchNorm', momentum: 0.8 },
  { type: 'activation', activation: 'relu' },
  { type: 'separableConv2d', filters: 6, padding: 'same' },
  { type: 'globalAvgPool2d' },
  { type: 'dense', units: 8 },
];

/** The bytes of the weights of the named layers of a model (trainable and not: BatchNorm statistics too). */
function layerBytes(model: tfl.LayersModel, names: readonly string[]): string[] {
  return names.flatMap((n) => weightBytes(model.getLayer(n).weights.map((w) => w.read())));
}

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  let data: { x: tf.Tensor4D; y: tf.Tensor1D };
  let test: { x: tf.Tensor4D; y: tf.Tensor1D };
  let base: Classifier;
  beforeAll(async () => {
    await useBackend(backend);
    data = quadrants(64, 1);
    test = quadrants(40, 2);
    base = imageClassifier({ inputShape: [8, 8, 1], numClasses: 4, layers: BASE_LAYERS, seed: 1 });
    await base.fit(data.x, data.y, { epochs: 3, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.02 }, verbose: 0 });
  });
  afterAll(() => {
    tf.dispose([data.x, data.y, test.x, test.y]);
    base.dispose();
  });

  it('a frozen base (with BatchNorm) stays bitwise unchanged while the head trains; the original is never touched; unfreeze lets it change', async () => {
    const original = weightBytes(base.model.getWeights());
    const head = transferHead(base, { numClasses: 2, hiddenUnits: 4, dropout: 0.2, seed: 3 });
    expect(head.kind).toBe('transferHead');
    expect(head.config.fromLayer).toBe('dense_1');
    expect(head.baseLayers).toEqual(['conv2d_1', 'batchNorm_1', 'activation_1', 'separableConv2d_1', 'globalAvgPool2d_1', 'dense_1']);
    expect(head.frozenLayers).toBe(6);
    const halves = tf.tidy(() => tf.cast(tf.greater(data.y, 1), 'int32'));
    const frozenBefore = layerBytes(head.model, head.baseLayers);
    const headBefore = layerBytes(head.model, ['head_dense_1', 'logits']);
    const before = tf.memory().numTensors;
    await head.fit(data.x, halves, { epochs: 2, batchSize: 16, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(layerBytes(head.model, head.baseLayers)).toEqual(frozenBefore);
    expect(layerBytes(head.model, ['head_dense_1', 'logits'])).not.toEqual(headBefore);
    head.unfreeze(2);
    expect(head.frozenLayers).toBe(4);
    await head.fit(data.x, halves, { epochs: 1, batchSize: 16, verbose: 0 });
    const after = layerBytes(head.model, head.baseLayers);
    expect(after.slice(0, 6)).toEqual(frozenBefore.slice(0, 6)); // conv2d_1 (2) and batchNorm_1 (4): still frozen
    expect(layerBytes(head.model, ['globalAvgPool2d_1', 'dense_1'])).not.toEqual(layerBytes(base.model, ['globalAvgPool2d_1', 'dense_1']));
    head.unfreeze();
    expect(head.frozenLayers).toBe(0);
    await head.fit(data.x, halves, { epochs: 1, batchSize: 16, verbose: 0 });
    const bn = (m: tfl.LayersModel) => weightBytes(m.getLayer('batchNorm_1').weights.map((w) => w.read()));
    expect(bn(head.model).slice(2)).not.toEqual(bn(base.model).slice(2)); // moving statistics move once unfrozen
    expect(weightBytes(base.model.getWeights())).toEqual(original);
    halves.dispose();
    head.dispose();
  });

  it('a head on a small split beats chance widely; save/load is bit-exact and keeps what is frozen', async () => {
    const halves = tf.tidy(() => tf.cast(tf.greater(data.y, 1), 'int32'));
    const testHalves = tf.tidy(() => tf.cast(tf.greater(test.y, 1), 'int32'));
    const head = transferHead(base, { numClasses: 2, freeze: 3, seed: 4 });
    expect(head.frozenLayers).toBe(3);
    await head.fit(tf.slice(data.x, 0, 32), tf.slice(halves, 0, 32), { epochs: 12, batchSize: 8, optimizer: { name: 'adam', learningRate: 0.01 }, verbose: 0 });
    expect(head.evaluate(test.x, testHalves).accuracy).toBeGreaterThan(0.85);
    head.unfreeze(1);
    const where = join(dir, `head-${backend}`);
    await save(head, where);
    const back = await load<Classifier>(where);
    expect([back.kind, back.frozenLayers, back.baseLayers]).toEqual(['transferHead', 2, head.baseLayers]);
    expect(back.config).toEqual(head.config);
    expect(weightBytes(back.model.getWeights())).toEqual(weightBytes(head.model.getWeights()));
    const [p, q] = [head.predict(test.x), back.predict(test.x)];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([p, q, halves, testHalves]);
    head.dispose();
    back.dispose();
  });
});

describe('bases and layers', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it('starts where each kind keeps its features, or at the layer asked for by name or index', () => {
    const ae = undercompleteAE({ inputDim: 6, hiddenUnits: [5], codeDim: 2, seed: 1 });
    const vae = VAE({ inputShape: [6], hiddenUnits: [4], latentDim: 2, seed: 1 });
    const gan = GAN({ dataShape: [6], zDim: 2, generatorUnits: [3], discriminatorUnits: [5, 3], seed: 1 });
    const clf = classifier({ inputShape: [6], numClasses: 3, layers: [{ type: 'dense', units: 4 }, { type: 'dropout', rate: 0.1 }], seed: 1 });
    const input = tfl.input({ shape: [6] });
    const hidden = tfl.layers.dense({ units: 3, name: 'hidden' }).apply(input) as tfl.SymbolicTensor;
    const plain = tfl.model({ inputs: input, outputs: tfl.layers.dense({ units: 2, name: 'out' }).apply(hidden) as tfl.SymbolicTensor });
    const x = tf.randomUniform([5, 6], 0, 1, 'float32', 1);
    const cases: Array<[TransferBase, string, tf.Tensor]> = [
      [ae, 'code', ae.encode(x)],
      [vae, 'mean', vae.encode(x).mean],
      [gan, 'embedding', gan.embed(x)],
      [clf, 'dropout_1', tf.tidy(() => tfl.model({ inputs: clf.model.inputs, outputs: clf.model.getLayer('dropout_1').output as tfl.SymbolicTensor }).predict(x) as tf.Tensor)],
      [plain, 'hidden', tf.tidy(() => tfl.model({ inputs: input, outputs: hidden }).predict(x) as tf.Tensor)],
    ];
    for (const [b, layer, features] of cases) {
      const head = transferHead(b, { numClasses: 2, seed: 2 });
      expect(head.config.fromLayer).toBe(layer);
      // The copied base computes the same features as the original.
      const copied = tf.tidy(() => tfl.model({ inputs: head.model.inputs, outputs: head.model.getLayer(layer).output as tfl.SymbolicTensor }).predict(x) as tf.Tensor);
      expect(Array.from(copied.dataSync())).toEqual(Array.from(features.dataSync()));
      tf.dispose([copied, features]);
      head.dispose();
    }
    const byIndex = transferHead(gan, { fromLayer: 1, numClasses: 2 });
    const byNegative = transferHead(gan, { fromLayer: -4, numClasses: 2 });
    expect([byIndex.config.fromLayer, byNegative.config.fromLayer]).toEqual(['discriminator_1', 'discriminator_1']);
    for (const h of [byIndex, byNegative]) h.dispose();
    const conditional = GAN({ dataShape: [6], zDim: 2, numClasses: 3, seed: 1 });
    const before = tf.memory().numTensors;
    expect(() => transferHead(ae, { fromLayer: 'cod', numClasses: 2 })).toThrow(/transferHead.fromLayer = "cod": expected one of the base's layers: "input", "encoder_1", "code"/);
    expect(() => transferHead(ae, { fromLayer: 0, numClasses: 2 })).toThrow(/a layer after the base's input/);
    expect(() => transferHead(ae, { fromLayer: 9, numClasses: 2 })).toThrow(/transferHead.fromLayer = 9: expected an index in \[-3, 2\]/);
    expect(() => transferHead(ae, { numClasses: 2, freeze: 3 })).toThrow(/transferHead.freeze = 3: expected at most 2/);
    expect(() => transferHead({} as never, { numClasses: 2 })).toThrow(/transferHead.base = \{\}: expected a tf.LayersModel, a latentkit model handle/);
    expect(() => transferHead(conditional, { numClasses: 2 })).toThrow(/transferHead.base = "gan: discriminator": expected a network with one input; it has 2/);
    expect(tf.memory().numTensors).toBe(before);
    for (const h of [ae, vae, gan, clf, conditional]) h.dispose();
    plain.dispose();
    x.dispose();
  });

  it('the single-object form and the resolved config rebuild the same head', () => {
    const ae = undercompleteAE({ inputDim: 6, hiddenUnits: [5], codeDim: 2, seed: 1 });
    const a = transferHead(ae, { numClasses: 3, hiddenUnits: [4], dropout: 0.3, freeze: 1, seed: 5 });
    const b = transferHead({ base: ae, numClasses: 3, hiddenUnits: [4], dropout: 0.3, freeze: 1, seed: 5 });
    const c = transferHead(a.config as never);
    expect(b.config).toEqual(a.config);
    expect(c.config).toEqual(a.config);
    expect(a.config.freeze).toBe(1);
    expect(a.config.base.source).toBe('undercomplete: encoder');
    expect(weightBytes(b.model.getWeights())).toEqual(weightBytes(a.model.getWeights()));
    expect(weightBytes(c.model.getWeights())).toEqual(weightBytes(a.model.getWeights()));
    for (const h of [ae, a, b, c]) h.dispose();
  });
});
