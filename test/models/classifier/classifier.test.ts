/**
 * `classifier` and `imageClassifier`: the course's networks build from presets; bad configs name the
 * field; a small CNN with BatchNorm and SeparableConv2D learns on cpu and wasm with agreeing results;
 * integer and one-hot labels train identically; class weights weigh the loss; evaluate, predict and
 * predictClasses agree; nothing leaks; save/load is bit-exact.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifier, ConfigError, imageClassifier, InputError, load, oneHot, save, useBackend, type Classifier } from '../../../src/index.js';
import { quadrants, weightBytes } from '../../helpers/classes.js';
import { SMALL_CNN } from '../../helpers/smallCnn.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'latentkit-classifier-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});


describe('building', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it("builds the CNN lecture's network by default and the assessment's from its preset", () => {
    const lecture = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    expect(lecture.model.layers.map((l) => l.getClassName())).toEqual(['InputLayer', 'Conv2D', 'MaxPooling2D', 'LatentkitDropout', 'Flatten', 'Dense', 'LatentkitDropout', 'Dense', 'Activation']);
    expect(lecture.model.countParams()).toBe(160 + 13 * 13 * 16 * 10 + 10 + 110);
    expect(lecture.featureNetwork().layer).toBe('dropout_2');
    const assessment = imageClassifier({ inputShape: [28, 28, 1], numClasses: 10, layers: 'assessment', seed: 1 });
    expect(assessment.model.layers.map((l) => l.getClassName()).slice(1, -2)).toEqual([
      'LatentkitRandomZoom', 'LatentkitRandomContrast', 'Conv2D', 'BatchNormalization', 'SeparableConv2D', 'MaxPooling2D',
      'BatchNormalization', 'SeparableConv2D', 'MaxPooling2D', 'GlobalAveragePooling2D', 'LatentkitDropout',
    ]);
    expect(assessment.model.outputs[0]!.shape).toEqual([null, 10]);
    expect(assessment.featureNetwork().layer).toBe('dropout_1');
    expect(assessment.summary()).toMatch(/separableConv2d_2 \(Separab/);
    expect(assessment.config.layers[0]).toEqual({ type: 'randomZoom', name: 'randomZoom_1', factor: 0.1, widthFactor: null, fillMode: 'reflect', interpolation: 'bilinear', fillValue: 0 });
    const logistic = classifier({ inputShape: [5], numClasses: 3, seed: 1 });
    expect(logistic.model.layers.map((l) => l.name)).toEqual(['input', 'logits', 'probabilities']);
    for (const c of [lecture, assessment, logistic]) c.dispose();
  });

  it('refuses bad configs, naming the field', () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => classifier({ inputShape: [4], numClasses: 1 }), /classifier.numClasses = 1: expected at least 2 classes/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'dense2' }] as never }), /classifier.layers\[0\].type = "dense2": expected one of "dense", "conv2d"/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'dense', unit: 3 }] as never }), /classifier.layers\[0\].unit = 3: unknown option; did you mean `units`\?/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'conv2d', filters: 2 }] }), /classifier.layers\[0\] = .*expected a layer that accepts its input of shape \[4\]/],
      [() => imageClassifier({ inputShape: [4, 4, 1], numClasses: 2, layers: [{ type: 'maxPool2d', poolSize: 5 }] }), /imageClassifier.layers\[0\] = .*expected a layer that leaves at least one value per example \(it outputs \[0, 0, 1\] from \[4, 4, 1\]\)/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'dense', units: 2, name: 'logits' }] }), /classifier.layers\[0\].name = "logits": expected a name no other layer/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'dense', units: 2, name: 'a' }, { type: 'dense', units: 2, name: 'a' }] }), /layers\[1\].name = "a"/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: 'lecturer' as never }), /classifier.layers = "lecturer": expected an array of layer specs or a preset name \("lecture", "assessment"\)/],
      [() => classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'dropout', rate: 1 }] }), /classifier.layers\[0\].rate = 1/],
      [() => classifier({ inputShape: [4, 4, 1], numClasses: 2, layers: [{ type: 'randomZoom', factor: 2 }] }), /classifier.layers\[0\].factor = 2/],
      [() => imageClassifier({ inputShape: [784], numClasses: 10 } as never), /imageClassifier.inputShape = \[784\]: expected \[height, width, channels\]/],
    ];
    const before = tf.memory().numTensors;
    for (const [build, message] of bad) expect(build, String(message)).toThrow(message);
    expect(() => bad[0]![0]()).toThrow(ConfigError);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(['cpu', 'wasm'] as const)('training on %s', (backend) => {
  let data: { x: tf.Tensor4D; y: tf.Tensor1D };
  let test: { x: tf.Tensor4D; y: tf.Tensor1D };
  beforeAll(async () => {
    await useBackend(backend);
    data = quadrants(96, 1);
    test = quadrants(40, 2);
  });
  afterAll(() => tf.dispose([data.x, data.y, test.x, test.y]));

  it('a CNN with BatchNorm and SeparableConv2D learns; history, evaluate, predict and predictClasses agree; nothing leaks', async () => {
    const clf = imageClassifier({ inputShape: [8, 8, 1], numClasses: 4, layers: SMALL_CNN, seed: 3 });
    const before = tf.memory().numTensors;
    const history = await clf.fit(data.x, data.y, { epochs: 8, batchSize: 16, optimizer: { name: 'adam', learningRate: 0.02 }, validationData: [test.x, test.y], verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Object.keys(history).sort()).toEqual(['accuracy', 'epoch', 'loss', 'valAccuracy', 'valLoss']);
    expect(history.loss.at(-1)!).toBeLessThan(history.loss[0]! * 0.6);
    expect(history.accuracy.at(-1)!).toBeGreaterThan(0.8);
    const report = clf.evaluate(test.x, test.y);
    expect(report.accuracy).toBeGreaterThan(0.8);
    expect(report.count).toBe(40);
    expect(report.accuracy).toBeCloseTo(history.valAccuracy!.at(-1)!, 6);
    expect(report.loss).toBeCloseTo(history.valLoss!.at(-1)!, 4);
    const probabilities = clf.predict(test.x);
    const classes = clf.predictClasses(test.x, { batchSize: 7 });
    expect(probabilities.shape).toEqual([40, 4]);
    expect(classes.dtype).toBe('int32');
    const [rowSums, argMax] = tf.tidy(() => [tf.sum(probabilities, 1).dataSync(), tf.argMax(probabilities, 1).dataSync()]);
    rowSums!.forEach((s) => expect(s).toBeCloseTo(1, 5));
    expect(Array.from(classes.dataSync())).toEqual(Array.from(argMax!));
    const truth = test.y.dataSync();
    const confusionFromClasses = Array.from({ length: 4 }, (_, t) => Array.from({ length: 4 }, (_, p) => truth.filter((v, i) => v === t && classes.dataSync()[i] === p).length));
    expect(report.confusion).toEqual(confusionFromClasses);
    tf.dispose([probabilities, classes]);
    expect(tf.memory().numTensors).toBe(before);
    clf.dispose();
  });

  it('integer and one-hot labels train the same; a seed reproduces the weights bit for bit', async () => {
    const run = async (labels: tf.Tensor) => {
      const clf = classifier({ inputShape: [8, 8, 1], numClasses: 4, layers: [{ type: 'flatten' }, { type: 'dense', units: 8 }, { type: 'dropout', rate: 0.2 }], seed: 5 });
      const h = await clf.fit(data.x, labels, { epochs: 2, batchSize: 32, verbose: 0, seed: 9 });
      const w = weightBytes(clf.model.getWeights());
      clf.dispose();
      return { h, w };
    };
    const hot = oneHot(data.y, 4);
    const [a, b, c] = [await run(data.y), await run(hot), await run(data.y)];
    hot.dispose();
    expect(b.h).toEqual(a.h);
    expect(b.w).toEqual(a.w);
    expect(c.w).toEqual(a.w);
  });

  it('class weights scale the training loss per class (Keras class_weight), not the validation loss', async () => {
    const losses = async (classWeight?: number[] | Record<number, number>) => {
      const clf = classifier({ inputShape: [8, 8, 1], numClasses: 4, layers: [{ type: 'flatten' }], seed: 2 });
      // A learning rate so small that the weights stay put: the loss is the initial one.
      const h = await clf.fit(data.x, data.y, { epochs: 1, batchSize: 96, optimizer: { name: 'sgd', learningRate: 1e-12 }, validationSplit: 0.25, classWeight, verbose: 0 });
      clf.dispose();
      return h;
    };
    const plain = await losses();
    const doubled = await losses([2, 2, 2, 2]);
    const onlyFirst = await losses({ 1: 0, 2: 0, 3: 0 });
    expect(doubled.loss[0]!).toBeCloseTo(2 * plain.loss[0]!, 5);
    expect(doubled.valLoss![0]!).toBeCloseTo(plain.valLoss![0]!, 6);
    expect(onlyFirst.loss[0]!).toBeLessThan(plain.loss[0]! * 0.5);
  });

  it('saves and loads bit-exact: weights, predictions, config', async () => {
    const clf = imageClassifier({ inputShape: [8, 8, 1], numClasses: 4, layers: SMALL_CNN, seed: 4 });
    await clf.fit(data.x, data.y, { epochs: 1, batchSize: 32, verbose: 0 });
    await save(clf, join(dir, `clf-${backend}`));
    const back = await load<Classifier>(join(dir, `clf-${backend}`));
    expect(back.kind).toBe('classifier');
    expect(back.config).toEqual(clf.config);
    expect(weightBytes(back.model.getWeights())).toEqual(weightBytes(clf.model.getWeights()));
    const [p, q] = [clf.predict(test.x), back.predict(test.x)];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([p, q]);
    clf.dispose();
    back.dispose();
  });
});

describe('fit and evaluate refuse bad labels and options', () => {
  it('names the argument, leaks nothing', async () => {
    await useBackend('cpu');
    const { x, y } = quadrants(8, 1);
    const clf = classifier({ inputShape: [8, 8, 1], numClasses: 4, layers: [{ type: 'flatten' }], seed: 1 });
    const before = tf.memory().numTensors;
    await expect(clf.fit(x, [0, 1, 2], { verbose: 0 })).rejects.toThrow(/y = tensor of shape \[3, 4\] \(float32\): expected 8 examples, as many as x/);
    await expect(clf.fit(x, [0, 1, 2, 3, 4, 0, 1, 2], { verbose: 0 })).rejects.toThrow(/y\[4\] = 4: expected an integer class id in \[0, 3\]/);
    await expect(clf.fit(x, y, { validationData: { x } as never, verbose: 0 })).rejects.toThrow(/fit.validationData = .*expected \{ x, y \} or \[x, y\]/);
    await expect(clf.fit(x, y, { classWeight: [1, 2], verbose: 0 })).rejects.toThrow(/fit.classWeight = \[1, 2\]: expected 4 weights, one per class/);
    await expect(clf.fit(x, y, { classWeight: { 7: 1 }, verbose: 0 })).rejects.toThrow(/fit.classWeight.7 = 1: expected a key that is a class id in \[0, 3\]/);
    expect(() => clf.evaluate(x, [0, 1])).toThrow(InputError);
    expect(() => clf.evaluate(x, [0, 1])).toThrow(/expected 8 labels, one per example of x/);
    expect(() => clf.unfreeze(1)).toThrow(/unfreeze.n = 1: expected at most 0/);
    expect(tf.memory().numTensors).toBe(before);
    clf.dispose();
    expect(() => clf.predict(x)).toThrow(/has been disposed/);
    tf.dispose([x, y]);
  });
});
