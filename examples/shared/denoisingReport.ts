/**
 * The pictures and report of a denoising story: clean, noisy and denoised test digits, the same under a
 * stronger noise, a walk through the code space between two test digits, the loss curve, and what the
 * denoiser does measured against the clean digits (input and output MSE for each noise), in one folder.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyNoise, interpolate, lossCurve, saveImageGrid, writeReport, type Autoencoder, type AutoencoderHistory, type NoiseSpec } from '../../src/index.js';

/** A noise the trained denoiser is measured on, with the words the report and the console use for it. */
export interface NamedNoise {
  /** Short name, e.g. `Gaussian 0.3, clipped`. */
  label: string;
  /** File-name tag of its pictures, e.g. `gaussian`. */
  tag: string;
  noise: NoiseSpec;
}

/** Two noises stronger than the course's, on which the examples measure their denoisers (never trained on them). */
export const STRONGER_NOISES: readonly NamedNoise[] = [
  { label: 'masking 0.3 (30% of the pixels set to 0)', tag: 'masking', noise: { kind: 'masking', rate: 0.3 } },
  { label: 'Gaussian 0.3, clipped to [0, 1]', tag: 'gaussian', noise: { kind: 'gaussian', stddev: 0.3, clip: [0, 1] } },
];

/** What the report shows. */
export interface DenoisingStory {
  title: string;
  /** Paragraph describing the model and its training. */
  modelText: string;
  ae: Autoencoder;
  history: AutoencoderHistory;
  /** The training noise. */
  noise: NamedNoise;
  /** A paragraph on what the training noise does to a digit (shown above the figures). */
  noiseText: string;
  /** Stronger noises the same model is measured on (it was not trained on them). */
  otherNoises: readonly NamedNoise[];
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

/** MSE against the clean test digits: of the noisy input, and of the denoiser's output from it. */
export interface NoiseFigures {
  label: string;
  noisyMse: number;
  denoisedMse: number;
}

/** What {@link writeDenoisingReport} measured. */
export interface DenoisingFigures {
  page: string;
  /** The training noise first, then the other noises. */
  noises: NoiseFigures[];
  /** MSE of the output from the clean digits: the reconstruction error, the floor of any denoised output. */
  cleanMse: number;
}

const GRID = { shape: [28, 28], rows: 4, cols: 8, scale: 2, padding: 1, background: 0.5 } as const;

/** Measures the model on one noise (drawn once with a fixed seed) and draws the first 32 digits, noisy and denoised. */
async function measure(s: DenoisingStory, n: NamedNoise, seed: number, files: [string, string]): Promise<NoiseFigures> {
  const noisy = applyNoise(s.xTest, n.noise, { seed });
  try {
    const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisy, s.xTest)).dataSync()[0]!);
    const denoisedMse = s.ae.evaluate(noisy, { target: s.xTest, metric: 'mse' }).mean;
    const [shown, denoised] = tf.tidy(() => {
      const first = tf.slice(noisy, 0, 32);
      return [first, s.ae.reconstruct(first)];
    });
    await saveImageGrid(join(s.out, files[0]), shown!, GRID);
    await saveImageGrid(join(s.out, files[1]), denoised!, GRID);
    tf.dispose([shown!, denoised!]);
    return { label: n.label, noisyMse, denoisedMse };
  } finally {
    noisy.dispose();
  }
}

/** `0.0300 -> 0.0390` */
export const arrow = (f: NoiseFigures): string => `${f.noisyMse.toFixed(4)} -> ${f.denoisedMse.toFixed(4)}`;

/** Writes the pictures and `index.html`; returns the report's path and the figures. */
export async function writeDenoisingReport(s: DenoisingStory): Promise<DenoisingFigures> {
  const { ae, xTest } = s;
  const trained = await measure(s, s.noise, s.seed + 1, ['noisy.png', 'denoised.png']);
  const others: NoiseFigures[] = [];
  for (const [i, n] of s.otherNoises.entries()) others.push(await measure(s, n, s.seed + 2 + i, [`noisy-${n.tag}.png`, `denoised-${n.tag}.png`]));
  const cleanMse = ae.evaluate(xTest, { metric: 'mse' }).mean;

  const clean = tf.slice(xTest, 0, 32);
  const frames = tf.tidy(() => {
    const codeFrom = ae.encode(tf.slice(xTest, s.from, 1));
    const codeTo = ae.encode(tf.slice(xTest, s.to, 1));
    return ae.decode(interpolate(codeFrom, codeTo, { steps: 10 }));
  });
  await saveImageGrid(join(s.out, 'clean.png'), clean, GRID);
  await saveImageGrid(join(s.out, 'interpolation.png'), frames, { ...GRID, rows: 1, cols: 10 });
  tf.dispose([clean, frames]);

  const svg = lossCurve(s.history, { title: `${s.title}: reconstruction MSE` });
  await writeFile(join(s.out, 'loss.svg'), svg, 'utf8');

  const last = (name: string) => s.history[name]![s.history[name]!.length - 1]!;
  const figures: Record<string, number> = {};
  for (const f of [trained, ...others]) {
    figures[`${f.label}: noisy input vs clean`] = f.noisyMse;
    figures[`${f.label}: denoised output vs clean`] = f.denoisedMse;
  }
  figures['no noise: output vs clean (the reconstruction error)'] = cleanMse;
  const metrics: Record<string, string | number> = {
    'train loss (MSE, noisy in)': last('loss'),
    ...(s.history['valLoss'] ? { 'val loss (MSE, noisy in)': last('valLoss') } : {}),
    ...s.extraMetrics,
  };
  const otherImages = s.otherNoises.flatMap((n) => [
    { file: `noisy-${n.tag}.png`, caption: `${n.label} (not seen in training)` },
    { file: `denoised-${n.tag}.png`, caption: 'what the autoencoder gives back' },
  ]);
  const page = await writeReport(s.out, {
    title: s.title,
    sections: [
      { heading: 'The model', text: s.modelText },
      { heading: 'The noise', text: s.noiseText },
      {
        heading: 'What the denoiser does (test MSE against the clean digits)',
        text:
          'For each noise: the error of the noisy input, and of what the network gives back from it. Every output is ' +
          `bounded below by the network's reconstruction error on clean digits (${cleanMse.toFixed(4)}, last row): an output ` +
          'error near that floor means the noise was removed, whatever it cost the input.',
        table: figures,
      },
      {
        heading: 'Test digits: clean, noisy, denoised',
        images: [
          { file: 'clean.png', caption: 'the first 32 test digits' },
          { file: 'noisy.png', caption: `with the training noise (${s.noise.label}): the input` },
          { file: 'denoised.png', caption: 'what the autoencoder gives back' },
          ...otherImages,
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
  return { page, noises: [trained, ...others], cleanMse };
}
