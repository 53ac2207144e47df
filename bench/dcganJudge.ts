/**
 * Judges generated digits (files of 1,000 samples, [1000, 28, 28] float32 in [-1, 1], as written by
 * `bench/peers/dcgan_recipes.py` and `bench/dcganExplore.ts --out`) with two classifiers, and writes the
 * example's training digits for the PyTorch peer:
 *
 * - the examples' judge (`examples/shared/digitJudge.ts`: 784-128-10 on 4,000 digits; 92.0% right on its
 *   1,000 held-out digits, and confident (>= 0.9) on 78.4% of them);
 * - a CNN judge (conv 32 3x3, max-pool, conv 64 3x3, max-pool, dense 128, softmax; 2 epochs of Adam 1e-3 on
 *   the 60,000 official training digits): 98.4% on the 10,000 test digits, confident on 95.4% of them.
 *   Trained once (about 3 minutes on one wasm thread) and kept in `out/dcgan-judge/cnn.bin`.
 *
 *   npx tsx bench/dcganJudge.ts --dump /tmp/dcgan            # x.f32: the 6,000 digits of examples/gan-mnist.ts
 *   npx tsx bench/dcganJudge.ts /tmp/dcgan/r-*.f32           # one line per file: both judges' figures
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadMnist, sampleQuality, useBackend, type SampleQuality } from '../src/index.js';
import { packageDigits, toUnit, trainDigitJudge } from '../examples/shared/digitJudge.js';

const CACHE = 'out/dcgan-judge/cnn.bin';

/** The CNN judge, trained (seeded, no shuffling) or read back from the cache. */
async function cnnJudge(): Promise<tfl.LayersModel> {
  const g = (seed: number) => tfl.initializers.glorotUniform({ seed });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: g(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: g(2) }),
      tfl.layers.maxPooling2d({ poolSize: 2 }),
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: g(3) }),
      tfl.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: g(4) }),
    ],
  });
  const cached = existsSync(CACHE);
  // The training digits only when the judge is trained (loadMnist takes at least one).
  const mnist = await loadMnist({ source: 'full', order: 'official', train: cached ? 1 : 60000, test: 10000 });
  if (cached) {
    const buf = readFileSync(CACHE);
    let at = 0;
    const weights = model.getWeights().map((w) => {
      const t = tf.tensor(new Float32Array(buf.buffer.slice(buf.byteOffset + at * 4, buf.byteOffset + (at + w.size) * 4)), w.shape);
      at += w.size;
      return t;
    });
    model.setWeights(weights); // copies the values into the model's variables
    tf.dispose(weights);
  } else {
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
    const y = tf.cast(mnist.yTrain, 'float32');
    await model.fit(mnist.xTrain, y, { epochs: 2, batchSize: 128, shuffle: false, verbose: 0 });
    y.dispose();
    mkdirSync('out/dcgan-judge', { recursive: true });
    writeFileSync(CACHE, Buffer.concat(model.getWeights().map((w) => Buffer.from((w.dataSync() as Float32Array).buffer))));
  }
  const real = sampleQuality(model, mnist.xTest, { labels: (await mnist.yTest.data()) as Int32Array });
  console.log(`CNN judge: ${(100 * real.agreement!).toFixed(2)}% right on the 10,000 test digits, confident on ${(100 * real.confidentShare).toFixed(1)}% of them`);
  tf.dispose([mnist.xTrain, mnist.yTrain, mnist.xTest, mnist.yTest]);
  return model;
}

await useBackend('wasm');
const args = process.argv.slice(2);
if (args[0] === '--dump') {
  const digits = packageDigits(600, 0);
  mkdirSync(args[1]!, { recursive: true });
  writeFileSync(`${args[1]}/x.f32`, Buffer.from(((await digits.x.data()) as Float32Array).buffer));
  console.log(`${args[1]}/x.f32: ${digits.x.shape.join('x')}`);
  digits.x.dispose();
} else {
  const mlp = await trainDigitJudge(42);
  console.log(`MLP judge (the examples'): confident on ${(100 * mlp.real.confidentShare).toFixed(1)}% of its held-out real digits`);
  const cnn = await cnnJudge();
  const show = (q: SampleQuality) => `${(100 * q.confidentShare).toFixed(1)}% (entropy ${q.labelEntropy.toFixed(2)})`;
  for (const file of args) {
    const buf = readFileSync(file);
    const samples = tf.tensor4d(new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)), [buf.length / 4 / 784, 28, 28, 1]);
    const unit = toUnit(samples);
    console.log(`${file}: confident MLP ${show(sampleQuality(mlp.model, unit))}, CNN ${show(sampleQuality(cnn, unit))}`);
    tf.dispose([samples, unit]);
  }
}
