/**
 * The pictures and report of a denoising story: clean, noisy and denoised test digits, a walk through the
 * code space between two test digits, the loss curve and a table of metrics, in one folder.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyNoise, interpolate, lossCurve, saveImageGrid, writeReport, type Autoencoder, type AutoencoderHistory, type NoiseSpec } from '../../src/index.js';

/** What the report shows. */
export interface DenoisingStory {
  title: string;
  /** Paragraph describing the model and its training. */
  modelText: string;
  ae: Autoencoder;
  history: AutoencoderHistory;
  noise: NoiseSpec;
  xTest: tf.Tensor;
  testLabels: ArrayLike<number>;
  /** Indices of the two test digits to interpolate between. */
  from: number;
  to: number;
  seed: number;
  out: string;
  /** Extra rows of the metrics table (backend, timings...). */
  extraMetrics: Record<string, string | number>;
}

/** Writes the pictures and `index.html`; returns the report's path and the headline metrics. */
export async function writeDenoisingReport(s: DenoisingStory): Promise<{ page: string; noisyMse: number; denoisedMse: number }> {
  const { ae, xTest } = s;
  // The test digits get the same kind of noise, drawn once with a fixed seed.
  const noisyTest = applyNoise(xTest, s.noise, { seed: s.seed + 1 });
  const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisyTest, xTest)).dataSync()[0]!);
  const denoisedMse = ae.evaluate(noisyTest, { target: xTest, metric: 'mse' }).mean;
  const cleanMse = ae.evaluate(xTest, { metric: 'mse' }).mean;

  const grid = { shape: [28, 28], rows: 4, cols: 8, scale: 2, padding: 1, background: 0.5 } as const;
  const shown = tf.tidy(() => {
    const clean = tf.slice(xTest, 0, 32);
    const noisy = tf.slice(noisyTest, 0, 32);
    return { clean, noisy, denoised: ae.reconstruct(noisy) };
  });
  const frames = tf.tidy(() => {
    const codeFrom = ae.encode(tf.slice(xTest, s.from, 1));
    const codeTo = ae.encode(tf.slice(xTest, s.to, 1));
    return ae.decode(interpolate(codeFrom, codeTo, { steps: 10 }));
  });
  await saveImageGrid(join(s.out, 'clean.png'), shown.clean, grid);
  await saveImageGrid(join(s.out, 'noisy.png'), shown.noisy, grid);
  await saveImageGrid(join(s.out, 'denoised.png'), shown.denoised, grid);
  await saveImageGrid(join(s.out, 'interpolation.png'), frames, { ...grid, rows: 1, cols: 10 });
  tf.dispose([noisyTest, shown.clean, shown.noisy, shown.denoised, frames]);

  const svg = lossCurve(s.history, { title: `${s.title}: reconstruction MSE` });
  await writeFile(join(s.out, 'loss.svg'), svg, 'utf8');

  const last = (name: string) => s.history[name]![s.history[name]!.length - 1]!;
  const metrics: Record<string, string | number> = {
    'train loss (MSE, noisy in)': last('loss'),
    ...(s.history['valLoss'] ? { 'val loss (MSE, noisy in)': last('valLoss') } : {}),
    'test MSE, noisy vs clean': noisyMse,
    'test MSE, denoised vs clean': denoisedMse,
    'test MSE, clean in (plain reconstruction)': cleanMse,
    ...s.extraMetrics,
  };
  const page = await writeReport(s.out, {
    title: s.title,
    sections: [
      { heading: 'The model', text: s.modelText },
      {
        heading: 'Test digits: clean, noisy, denoised',
        images: [
          { file: 'clean.png', caption: 'the first 32 test digits' },
          { file: 'noisy.png', caption: 'the same digits with noise (the input)' },
          { file: 'denoised.png', caption: 'what the autoencoder gives back' },
        ],
      },
      {
        heading: 'A walk through the code space',
        text:
          `Test digits ${s.from} (label ${s.testLabels[s.from]}) and ${s.to} (label ${s.testLabels[s.to]}) are encoded; ` +
          'ten evenly spaced points on the straight line between the two codes, both ends included, are decoded.',
        images: [{ file: 'interpolation.png', caption: `decode(interpolate(encode(test[${s.from}]), encode(test[${s.to}])))` }],
      },
      { heading: 'Training', svg },
      { heading: 'Final metrics', table: metrics },
    ],
  });
  return { page, noisyMse, denoisedMse };
}
