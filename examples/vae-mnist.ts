/**
 * Variational autoencoders on real MNIST digits, the classic pictures of Kingma & Welling (2014) and of
 * the Keras VAE example:
 *
 * 1. A VAE with a 2-d latent space (784 -> 512 -> 2 -> 512 -> 784, Bernoulli decoder), trained on
 *    8,000 digits with 2,000 held out. Its decoder is drawn over the latent plane as a 20 x 20 grid
 *    whose coordinates are standard-normal quantiles (equal steps of prior probability), the test digits'
 *    posterior means are plotted coloured by label, prior samples are decoded, and the ELBO curves
 *    (nats per digit) are drawn.
 * 2. A VAE with a 16-d latent space, trained the same way: sharper prior samples and a higher ELBO.
 *
 * Everything lands in one folder (default `out/vae-mnist/`): `manifold.png`, `latent-means.svg`,
 * `samples-2d.png`, `reconstructions.png`, `samples-16d.png`, `traversal-16d.png`, `elbo.svg` and
 * `index.html`. Pixels are grey levels in [0, 1] scored by the Bernoulli likelihood (the usual surrogate;
 * the ELBO is in nats per digit, summed over the 784 pixels).
 *
 * @example
 * ```sh
 * npx tsx examples/vae-mnist.ts                                  # wasm, about 5 minutes on 2 cores
 * npx tsx examples/vae-mnist.ts --epochs 2 --train 1000 --out /tmp/vae
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  VAE,
  loadMnist,
  lossCurve,
  normalQuantiles,
  saveImageGrid,
  writeReport,
  type VAEHistory,
  type VariationalAutoencoder,
} from '../src/index.js';
import { backendLabel, runExample, startExample, usageText, UsageError, type IntFlag } from './shared/cli.js';

const FLAGS: Record<string, IntFlag> = {
  epochs: { default: 20, min: 1, max: 1000, help: 'passes over the training digits, for each VAE' },
  train: { default: 8000, min: 100, max: 8000, help: 'training digits' },
  test: { default: 2000, min: 100, max: 2000, help: 'held-out digits (validation, scatter plot)' },
  grid: { default: 20, min: 2, max: 40, help: 'rows and columns of the latent-plane grid' },
  seed: { default: 42, min: 0, max: 2 ** 31 - 1, help: 'seed of the split, weights, shuffling and sampling' },
};
const OUT = 'out/vae-mnist';
const USAGE = usageText('vae-mnist.ts', FLAGS, OUT);
const DIGIT_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/**
 * The latent plane decoded on a `n` x `n` grid: column j has z1 = q_j and row i has z2 = q_(n-1-i), with
 * q the standard-normal quantiles at probabilities (k + 0.5) / n, so that each cell holds the same prior
 * mass and "up" is a larger z2, as in the Keras example's plot.
 */
function manifold(vae: VariationalAutoencoder, n: number): tf.Tensor {
  const q = normalQuantiles(n);
  const z: number[][] = [];
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) z.push([q[j]!, q[n - 1 - i]!]);
  return vae.generate(z);
}

/** An SVG scatter plot of 2-d points coloured by their digit label, with axes at 0 and a legend. */
function labelledScatter(points: Float32Array, labels: Int32Array, title: string): string {
  const size = 480;
  const margin = 36;
  let extent = 0;
  for (const v of points) extent = Math.max(extent, Math.abs(v));
  extent = Math.ceil(extent * 1.05 * 2) / 2 || 1;
  const scale = (size - 2 * margin) / (2 * extent);
  const px = (v: number) => (margin + (v + extent) * scale).toFixed(1);
  const py = (v: number) => (size - margin - (v + extent) * scale).toFixed(1);
  const dots: string[] = [];
  for (let i = 0; i < labels.length; i++) {
    dots.push(`<circle cx="${px(points[2 * i]!)}" cy="${py(points[2 * i + 1]!)}" r="1.8" fill="${DIGIT_COLOURS[labels[i]!]}" fill-opacity="0.7"/>`);
  }
  const legend = DIGIT_COLOURS.map(
    (c, d) => `<rect x="${size + 4}" y="${margin + d * 18}" width="10" height="10" fill="${c}"/><text x="${size + 18}" y="${margin + d * 18 + 9}" font-size="12">${d}</text>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size + 40}" height="${size}" viewBox="0 0 ${size + 40} ${size}" font-family="Helvetica, Arial, sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${size / 2}" y="18" font-size="14" text-anchor="middle">${title}</text>`,
    `<rect x="${margin}" y="${margin}" width="${size - 2 * margin}" height="${size - 2 * margin}" fill="none" stroke="#999"/>`,
    `<line x1="${px(0)}" y1="${margin}" x2="${px(0)}" y2="${size - margin}" stroke="#ddd"/>`,
    `<line x1="${margin}" y1="${py(0)}" x2="${size - margin}" y2="${py(0)}" stroke="#ddd"/>`,
    `<text x="${margin}" y="${size - margin + 14}" font-size="11">${-extent}</text>`,
    `<text x="${size - margin}" y="${size - margin + 14}" font-size="11" text-anchor="end">${extent}</text>`,
    `<text x="${size / 2}" y="${size - 8}" font-size="12" text-anchor="middle">z1 (posterior mean)</text>`,
    `<text x="12" y="${size / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 12 ${size / 2})">z2</text>`,
    ...dots,
    ...legend,
    '</svg>',
  ].join('\n');
}

/** The ELBO curves as positive numbers (negative ELBO, nats per digit): lower is better. */
function elboCurves(h2: VAEHistory, h16: VAEHistory): Record<string, number[]> {
  const neg = (v: number[] | undefined) => (v ?? []).map((x) => -x);
  return {
    epoch: h2.epoch,
    '2-d: train −ELBO': neg(h2['elbo']),
    '2-d: test −ELBO': neg(h2['valElbo']),
    '16-d: train −ELBO': neg(h16['elbo']),
    '16-d: test −ELBO': neg(h16['valElbo']),
  };
}

async function trainVAE(latentDim: number, xTrain: tf.Tensor, xTest: tf.Tensor, epochs: number, seed: number) {
  const vae = VAE({ architecture: 'dense', inputShape: [784], hiddenUnits: [512], latentDim, seed });
  const t0 = performance.now();
  const history = await vae.fit(xTrain, { epochs, batchSize: 128, validationData: xTest, verbose: 2 });
  const seconds = (performance.now() - t0) / 1000;
  const test = vae.elbo(xTest, { samples: 10 });
  console.log(
    `${latentDim}-d VAE: ${seconds.toFixed(0)} s; test ELBO ${test.mean.toFixed(1)} nats/digit ` +
      `(reconstruction ${test.reconstruction.toFixed(1)}, KL ${test.kl.toFixed(1)})`,
  );
  return { vae, history, test, seconds };
}

async function main(): Promise<void> {
  const started = performance.now();
  const start = await startExample(FLAGS, OUT, USAGE);
  if (!start) return;
  const { settings: s, backend } = start;
  const { epochs, train, test, grid, seed } = s.ints as Record<'epochs' | 'train' | 'test' | 'grid' | 'seed', number>;
  if (train + test > 10000) throw new UsageError(`--train ${train} + --test ${test}: at most 10,000 (the mnist package's digits)`);
  const out = resolve(s.out);
  const mnist = await loadMnist({ train, test, seed, flat: true });
  console.log(`MNIST: ${train} training digits, ${test} test digits (from the mnist package's 10,000)`);

  // 1. The 2-d VAE and its pictures.
  const two = await trainVAE(2, mnist.xTrain, mnist.xTest, epochs, seed);
  const plane = manifold(two.vae, grid);
  await saveImageGrid(join(out, 'manifold.png'), plane, { shape: [28, 28], rows: grid, cols: grid, padding: 0 });
  const { mean, logVar } = two.vae.encode(mnist.xTest);
  const scatter = labelledScatter(mean.dataSync() as Float32Array, mnist.yTest.dataSync() as Int32Array, `posterior means of ${test} test digits`);
  await writeFile(join(out, 'latent-means.svg'), scatter);
  const samples2 = two.vae.sample(64, { seed: seed + 1 });
  await saveImageGrid(join(out, 'samples-2d.png'), samples2, { shape: [28, 28], cols: 8, scale: 2 });
  const originals = tf.slice(mnist.xTest, 0, 16);
  const recon = two.vae.reconstruct(originals);
  const pairs = tf.concat([originals, recon], 0);
  await saveImageGrid(join(out, 'reconstructions.png'), pairs, { shape: [28, 28], rows: 2, cols: 16, scale: 2 });
  tf.dispose([plane, mean, logVar, samples2, originals, recon, pairs]);

  // 2. The 16-d VAE.
  const sixteen = await trainVAE(16, mnist.xTrain, mnist.xTest, epochs, seed + 1);
  const samples16 = sixteen.vae.sample(64, { seed: seed + 1 });
  await saveImageGrid(join(out, 'samples-16d.png'), samples16, { shape: [28, 28], cols: 8, scale: 2 });
  const traversal = sixteen.vae.latentTraversal({ dims: [0, 1, 2, 3, 4, 5, 6, 7], range: [-2.5, 2.5], steps: 11 });
  await saveImageGrid(join(out, 'traversal-16d.png'), traversal, { shape: [28, 28], rows: 8, cols: 11, scale: 2 });
  tf.dispose([samples16, traversal]);

  const curves = lossCurve(elboCurves(two.history, sixteen.history), { title: 'negative ELBO, nats per digit (lower is better)', yLabel: 'nats' });
  await writeFile(join(out, 'elbo.svg'), curves);
  const page = await writeReport(out, {
    title: 'Variational autoencoders on MNIST',
    sections: [
      {
        heading: 'The latent plane of a 2-d VAE',
        text:
          `784 -> 512 -> (mean, logVar) 2 -> 512 -> 784, Bernoulli decoder, Adam 1e-3, batch 128, ${epochs} epochs on ${train} digits. ` +
          `Left: the decoder over a ${grid} x ${grid} grid of the latent plane at standard-normal quantiles (each cell holds the same prior mass; ` +
          'z1 grows to the right, z2 upwards). Right: where the encoder puts the held-out digits (posterior means), coloured by label.',
        images: [{ file: 'manifold.png', caption: `decoded latent grid, z at normal quantiles (${grid} x ${grid})` }],
        svg: scatter,
      },
      {
        heading: '2-d VAE: samples and reconstructions',
        images: [
          { file: 'samples-2d.png', caption: '64 prior samples, z ~ N(0, I), decoded (pixel means)' },
          { file: 'reconstructions.png', caption: 'test digits (top) and their reconstructions through the posterior mean (bottom)' },
        ],
      },
      {
        heading: 'A 16-d VAE',
        text: 'The same network with a 16-d latent space: the prior samples are sharper and more varied, and the ELBO is higher.',
        images: [
          { file: 'samples-16d.png', caption: '64 prior samples of the 16-d VAE' },
          { file: 'traversal-16d.png', caption: 'latent traversals: dimensions 0-7 (rows) swept from -2.5 to 2.5, the others at 0' },
        ],
      },
      {
        heading: 'Training',
        text: 'Negative ELBO per digit in nats (reconstruction + KL), on the training batches and on the held-out digits after each epoch.',
        svg: curves,
        table: {
          '2-d: test ELBO (nats/digit, 10 draws)': two.test.mean,
          '2-d: reconstruction term': two.test.reconstruction,
          '2-d: KL term': two.test.kl,
          '16-d: test ELBO (nats/digit, 10 draws)': sixteen.test.mean,
          '16-d: reconstruction term': sixteen.test.reconstruction,
          '16-d: KL term': sixteen.test.kl,
          'training time, 2-d (s)': Math.round(two.seconds),
          'training time, 16-d (s)': Math.round(sixteen.seconds),
          backend: `${backend.name}${backend.simd ? ' (SIMD)' : ''}`,
        },
      },
    ],
  });
  two.vae.dispose();
  sixteen.vae.dispose();
  mnist.dispose();
  console.log(`wrote ${page} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

runExample(USAGE, main);
