/**
 * Every public function that takes a config or options refuses an unknown key with a ConfigError naming
 * the key (its full path) and, where one is near, the valid key it was probably meant to be.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lk from '../src/index.js';
import { EarlyStopping, gradientStep } from '../src/advanced.js';

let dir: string;
let x4: tf.Tensor2D;
let img: tf.Tensor4D;
let ae: lk.Autoencoder;
let dae: lk.Autoencoder;
let vae: lk.VariationalAutoencoder;
let gan: lk.GenerativeAdversarialNetwork;
let clf: lk.Classifier;
let labels: tf.Tensor1D;
let acgan: lk.GenerativeAdversarialNetwork;
let sgd: tf.Optimizer;
const masking: lk.NoiseSpec = { kind: 'masking', rate: 0.2 };

beforeAll(async () => {
  await lk.useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'latentkit-keys-'));
  x4 = tf.randomUniform([6, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
  img = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 2) as tf.Tensor4D;
  ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
  dae = lk.denoisingAE({ inputDim: 4, codeDim: 2, noise: masking, seed: 1 });
  vae = lk.VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 1 });
  gan = lk.GAN({ dataShape: [4], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 1 });
  clf = lk.classifier({ inputShape: [4], numClasses: 2, seed: 1 });
  labels = tf.tensor1d([0, 1, 0, 1, 0, 1], 'int32');
  sgd = tf.train.sgd(0.1);
  acgan = lk.GAN({ dataShape: [4], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], numClasses: 2, conditioning: 'acgan', seed: 1 });
  await lk.save(ae, join(dir, 'ae'));
  await lk.save(dae, join(dir, 'dae'));
});

afterAll(async () => {
  for (const h of [ae, dae, vae, gan, clf, acgan]) h.dispose();
  sgd.dispose();
  tf.dispose([x4, img, labels]);
  await rm(dir, { recursive: true, force: true });
});

/** [call, the parameter the error names, the suggestion it makes (if any)]. */
type Case = [string, () => unknown, string, string?];

const fn = ((t: tf.Tensor) => tf.clone(t)) as lk.NoiseFn;

const cases: Case[] = [
  ['undercompleteAE', () => lk.undercompleteAE({ inputDim: 4, codeDim: 2, hiddenUnit: [3] } as never), 'undercompleteAE.hiddenUnit', 'hiddenUnits'],
  ['overcompleteSparseAE', () => lk.overcompleteSparseAE({ inputDim: 2, codeDim: 4, l2: 1 } as never), 'overcompleteSparseAE.l2', 'l1'],
  ['denoisingAE (dense)', () => lk.denoisingAE({ inputDim: 4, codeDim: 2, noise: masking, nosie: 1 } as never), 'denoisingAE.nosie', 'noise'],
  ['denoisingAE (conv)', () => lk.denoisingAE({ inputShape: [4, 4, 1], filters: [2], codeDim: 2, noise: masking, filter: [2] } as never), 'denoisingAE.filter', 'filters'],
  ['convAE', () => lk.convAE({ inputShape: [4, 4, 1], filters: [2], codeDim: 2, kernel: 3 } as never), 'convAE.kernel', 'kernelSize'],
  ['VAE (dense)', () => lk.VAE({ inputShape: [4], latentDim: 2, latentDims: 3 } as never), 'VAE.latentDims', 'latentDim'],
  ['VAE (conv)', () => lk.VAE({ architecture: 'conv', inputShape: [4, 4, 1], latentDim: 2, stride: 2 } as never), 'VAE.stride', 'strides'],
  ['GAN', () => lk.GAN({ dataShape: [2], zdim: 3 } as never), 'GAN.zdim', 'zDim'],
  ['GAN (acgan)', () => lk.GAN({ dataShape: [2], numClasses: 3, conditoning: 'acgan' } as never), 'GAN.conditoning', 'conditioning'],
  ['GAN (wgan)', () => lk.GAN({ dataShape: [2], loss: 'wgan', clipValu: 0.1 } as never), 'GAN.clipValu', 'clipValue'],
  ['GAN (packing)', () => lk.GAN({ dataShape: [2], packng: 2 } as never), 'GAN.packng', 'packing'],
  ['GAN (dropout)', () => lk.GAN({ dataShape: [2], discriminatorDropOut: 0.3 } as never), 'GAN.discriminatorDropOut', 'discriminatorDropout'],
  ['GAN (discriminator batch norm)', () => lk.GAN({ dataShape: [2], discriminatorBatchnorm: true } as never), 'GAN.discriminatorBatchnorm', 'discriminatorBatchNorm'],
  ['GAN.minibatchStddev', () => lk.GAN({ dataShape: [2], minibatchStddev: { groupsize: 4 } } as never), 'GAN.minibatchStddev.groupsize', 'groupSize'],
  ['Autoencoder.evaluate', () => ae.evaluate(x4, { metrc: 'mse' } as never), 'evaluate.metrc', 'metric'],
  ['Autoencoder.fit', () => ae.fit(x4, { epoch: 3, verbose: 0 } as never), 'fit.epoch', 'epochs'],
  ['fit.earlyStopping', () => ae.fit(x4, { earlyStopping: { patinece: 3 }, verbose: 0 } as never), 'fit.earlyStopping.patinece', 'patience'],
  ['fit.optimizer', () => ae.fit(x4, { optimizer: { name: 'adam', lerningRate: 0.1 }, verbose: 0 } as never), 'fit.optimizer.lerningRate', 'learningRate'],
  ['VAE.fit', () => vae.fit(x4, { epochz: 1, verbose: 0 } as never), 'fit.epochz', 'epochs'],
  ['VAE.encode', () => vae.encode(x4, { sampel: true } as never), 'encode.sampel', 'sample'],
  ['VAE.sample', () => vae.sample(2, { sed: 1 } as never), 'sample.sed', 'seed'],
  ['VAE.elbo', () => vae.elbo(x4, { sample: 2 } as never), 'elbo.sample', 'samples'],
  ['VAE.nll', () => vae.nll(x4, { sample: 2 } as never), 'nll.sample', 'samples'],
  ['VAE.nll batch', () => vae.nll(x4, { batch: 2 } as never), 'nll.batch', 'batchSize'],
  ['VAE.latentTraversal', () => vae.latentTraversal({ step: 3 } as never), 'latentTraversal.step', 'steps'],
  ['GAN.fit', () => gan.fit(x4, { labelSmooth: 0.1, verbose: 0 } as never), 'fit.labelSmooth', 'labelSmoothing'],
  ['GAN.fit instanceNoise', () => gan.fit(x4, { instanceNoise: { stdev: 0.1 }, verbose: 0 } as never), 'fit.instanceNoise.stdev', 'stddev'],
  ['GAN.fit balanceMonitor', () => gan.fit(x4, { balanceMonitor: { patients: 3 }, verbose: 0 } as never), 'fit.balanceMonitor.patients', 'patience'],
  ['GAN.sample', () => gan.sample(2, { label: 1 } as never), 'sample.label', 'labels'],
  ['GAN.discriminate', () => gan.discriminate(x4, { batch: 2 } as never), 'discriminate.batch', 'batchSize'],
  ['GAN.embed', () => gan.embed(x4, { batch: 2 } as never), 'embed.batch', 'batchSize'],
  ['classifier', () => lk.classifier({ inputShape: [4], numClasses: 2, layer: [] } as never), 'classifier.layer', 'layers'],
  ['classifier layer spec', () => lk.classifier({ inputShape: [4], numClasses: 2, layers: [{ type: 'dense', units: 2, activaton: 'relu' }] } as never), 'classifier.layers[0].activaton', 'activation'],
  ['imageClassifier', () => lk.imageClassifier({ inputShape: [4, 4, 1], numClass: 2 } as never), 'imageClassifier.numClass', 'numClasses'],
  ['transferHead', () => lk.transferHead(ae, { numClasses: 2, frezze: true } as never), 'transferHead.frezze', 'freeze'],
  ['transferHead (one config)', () => lk.transferHead({ base: ae, numClasses: 2, fromLayr: 'code' } as never), 'transferHead.fromLayr', 'fromLayer'],
  ['Classifier.fit', () => clf.fit(x4, labels, { clasWeight: [1, 1], verbose: 0 } as never), 'fit.clasWeight', 'classWeight'],
  ['Classifier.evaluate', () => clf.evaluate(x4, labels, { batch: 2 } as never), 'evaluate.batch', 'batchSize'],
  ['Classifier.predict', () => clf.predict(x4, { batchsize: 2 } as never), 'predict.batchsize', 'batchSize'],
  ['Classifier.predictClasses', () => clf.predictClasses(x4, { batchSze: 2 } as never), 'predictClasses.batchSze', 'batchSize'],
  ['linearProbe', () => lk.linearProbe(x4, labels, x4, labels, { step: 10 } as never), 'linearProbe.step', 'steps'],
  ['knnProbe', () => lk.knnProbe(x4, labels, x4, labels, { kk: 3 } as never), 'knnProbe.kk', 'k'],
  ['randomZoom', () => lk.randomZoom({ factor: 0.1, fillmode: 'reflect' } as never), 'randomZoom.fillmode', 'fillMode'],
  ['randomContrast', () => lk.randomContrast({ factor: 0.1, valuRange: [0, 1] } as never), 'randomContrast.valuRange', 'valueRange'],
  ['GAN.classify', () => acgan.classify(x4, { batch: 2 } as never), 'classify.batch', 'batchSize'],
  ['gradientStep', () => gradientStep(sgd, [], () => tf.scalar(0), undefined, { constrain: (v: tf.Tensor) => v } as never), 'gradientStep.options.constrain', 'constraint'],
  ['ganBalanceMonitor', () => lk.ganBalanceMonitor({ patince: 2 } as never), 'ganBalanceMonitor.patince', 'patience'],
  ['EarlyStopping', () => new EarlyStopping({ monitor: 'loss', patinece: 1 } as never), 'earlyStopping.patinece', 'patience'],
  ['gaussianNoise', () => lk.gaussianNoise({ stddev: 1, clips: [0, 1] } as never), 'gaussianNoise.clips', 'clip'],
  ['maskingNoise', () => lk.maskingNoise({ rate: 0.1, rat: 1 } as never), 'maskingNoise.rat', 'rate'],
  ['saltAndPepperNoise', () => lk.saltAndPepperNoise({ rate: 0.1, lo: 0 } as never), 'saltAndPepperNoise.lo', 'low'],
  ['uniformNoise', () => lk.uniformNoise({ scale: 1, scal: 1 } as never), 'uniformNoise.scal', 'scale'],
  ['noiseFromSpec', () => lk.noiseFromSpec({ kind: 'masking', rate: 0.1, clip2: [0, 1] } as never), 'noise.clip2', 'clip'],
  ['applyNoise', () => lk.applyNoise(x4, masking, { sead: 1 } as never), 'applyNoise.sead', 'seed'],
  ['noiseLayer', () => lk.noiseLayer({ noise: masking, sed: 1 } as never), 'noiseLayer.sed', 'seed'],
  ['interpolate', () => lk.interpolate([0], [1], { step: 3 } as never), 'interpolate.step', 'steps'],
  ['embeddingOf', () => lk.embeddingOf(ae.model, 'code', x4, { batch: 2 } as never), 'embeddingOf.batch', 'batchSize'],
  ['reconstructionError', () => lk.reconstructionError(ae, x4, { batchsize: 3 } as never), 'evaluate.batchsize', 'batchSize'],
  ['loadMnist', () => lk.loadMnist({ trian: 1 } as never), 'loadMnist.trian', 'train'],
  ['loadFashionMnist', () => lk.loadFashionMnist({ tset: 1 } as never), 'loadFashionMnist.tset', 'test'],
  ['loadCsv', () => lk.loadCsv('a,b\n1,2\n', { labelCol: 'a' } as never), 'loadCsv.labelCol', 'labelColumn'],
  ['toRange', () => lk.toRange(x4, [-1, 1], { form: [0, 1] } as never), 'toRange.form', 'from'],
  ['fromRange', () => lk.fromRange(x4, [-1, 1], { too: [0, 1] } as never), 'fromRange.too', 'to'],
  ['imageGrid', () => lk.imageGrid(img, { colums: 2 } as never), 'imageGrid.colums', 'cols'],
  ['saveImageGrid', () => lk.saveImageGrid(join(dir, 'g.png'), img, { scal: 2 } as never), 'imageGrid.scal', 'scale'],
  ['lossCurve', () => lk.lossCurve({ epoch: [0, 1], loss: [1, 0.5] }, { titel: 'x' } as never), 'lossCurve.titel', 'title'],
  ['scatterPlot', () => lk.scatterPlot([[0, 0]], { colour: 'red' } as never), 'scatterPlot.colour', 'color'],
  ['confusionPlot', () => lk.confusionPlot([[1, 0], [0, 1]], { classNamse: ['a', 'b'] } as never), 'confusionPlot.classNamse', 'classNames'],
  ['writeReport', () => lk.writeReport(join(dir, 'r'), { title: 'x', sections: [], subtitle: 'y' } as never), 'writeReport.subtitle'],
  ['writeReport section', () => lk.writeReport(join(dir, 'r'), { title: 'x', sections: [{ heading: 'h', txt: 'y' }] } as never), 'writeReport.sections[0].txt', 'text'],
  ['modeCoverage', () => lk.modeCoverage([[0, 0]], [[0, 0]], { radius: 1, mincount: 1 } as never), 'modeCoverage.mincount', 'minCount'],
  ['sampleQuality', () => lk.sampleQuality((t) => tf.softmax(t), x4, { confidance: 0.9 } as never), 'sampleQuality.confidance', 'confidence'],
  ['sampleQuality labels', () => lk.sampleQuality((t) => tf.softmax(t), x4, { label: [0, 1, 2, 3, 0, 1] } as never), 'sampleQuality.label', 'labels'],
  ['ringOfGaussians', () => lk.ringOfGaussians({ mode: 8 } as never), 'ringOfGaussians.mode', 'modes'],
  ['load (a kind with options)', () => lk.load(join(dir, 'dae'), { nosie: fn }), 'load.nosie', 'noise'],
  ['load (a kind without options)', () => lk.load(join(dir, 'ae'), { noise: fn }), 'load.noise'],
  ['useBackend', () => lk.useBackend('cpu', { thread: 2 } as never), 'useBackend.thread', 'threads'],
];

describe('every public function refuses an unknown option key', () => {
  it.each(cases)('%s', async (_name, call, parameter, suggestion) => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      await call();
    } catch (e) {
      error = e;
    }
    expect(error, parameter).toBeInstanceOf(lk.ConfigError);
    expect((error as lk.ConfigError).parameter).toBe(parameter);
    expect((error as Error).message).toContain(`${parameter} = `);
    if (suggestion !== undefined) expect((error as Error).message).toContain(`did you mean \`${suggestion}\`?`);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('refuses a non-object where options belong', async () => {
    await expect(ae.fit(x4, 'fast' as never)).rejects.toThrow(/fit = "fast": expected an options object/);
    expect(() => vae.encode(x4, 3 as never)).toThrow(/encode = 3: expected an options object/);
  });
});
