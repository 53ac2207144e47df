/**
 * The pictures and report of a denoising story: clean, noisy and denoised test digits, a walk through the
 * code space between two test digits, the loss curve, and what the denoiser does measured against the
 * clean digits (the MSE of the noisy input and of the output, for the training noise, for noises the model
 * never saw, for clean input, and optionally for a second model trained on a strong noise), in one folder.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { applyNoise, interpolate, lossCurve, saveImageGrid, writeReport, type Autoencoder, type AutoencoderHistory, type NoiseSpec } from '../../src/index.js';

/** A noise, with the words the report and the console use for it. */
export interface NamedNoise {
  /** Short name, e.g. `Gaussian 0.3, clipped to [0, 1]`. */
  label: string;
  /** File-name tag of its pictures, e.g. `gaussian`. */
  tag: string;
  noise: NoiseSpec;
}

/** Noises the examples measure their denoisers on without training on them. */
export const UNSEEN_NOISES: readonly NamedNoise[] = [
  { label: 'masking 0.3 (30% of the pixels set to 0)', tag: 'masking', noise: { kind: 'masking', rate: 0.3 } },
  { label: 'Gaussian 0.3, clipped to [0, 1]', tag: 'gaussian', noise: { kind: 'gaussian', stddev: 0.3, clip: [0, 1] } },
];

/** A noise whose error is well above these small networks' reconstruction error (about 0.115 MSE on MNIST). */
export const STRONG_NOISE: NamedNoise = { label: 'Gaussian 0.5, clipped to [0, 1]', tag: 'strong', noise: { kind: 'gaussian', stddev: 0.5, clip: [0, 1] } };

/** What the report shows. */
export interface DenoisingStory {
  title: string;
  /** Paragraph describing the model and its training. */
  modelText: string;
  ae: Autoencoder;
  history: AutoencoderHistory;
  /** The training noise. */
  noise: NamedNoise;
  /** A paragraph on what the training noise does to a digit. */
  noiseText: string;
  /** Noises the model is measured on without having been trained on them. */
  otherNoises: readonly NamedNoise[];
  /** The same network trained on {@link STRONG_NOISE} (or another strong noise), measured on it. */
  strong?: { ae: Autoencoder; noise: NamedNoise };
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
  /** The training noise first, then the other noises; all on the main model. */
  noises: NoiseFigures[];
  /** MSE of the main model's output from the clean digits (its reconstruction error). */
  cleanMse: number;
  /** The strong-noise model on its noise, and its reconstruction error. */
  strong?: NoiseFigures & { cleanMse: number };
}

const GRID = { shape: [28, 28], rows: 4, cols: 8, scale: 2, padding: 1, background: 0.5 } as const;

/** Measures `ae` on one noise (drawn once with a fixed seed) and draws the first 32 digits, noisy and denoised. */
async function measure(s: DenoisingStory, ae: Autoencoder, n: NamedNoise, seed: number, files: [string, string]): Promise<NoiseFigures> {
  const noisy = applyNoise(s.xTest, n.noise, { seed });
  try {
    const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisy, s.xTest)).dataSync()[0]!);
    const denoisedMse = ae.evaluate(noisy, { target: s.xTest, metric: 'mse' }).mean;
    const [shown, denoised] = tf.tidy(() => {
      const first = tf.slice(noisy, 0, 32);
      return [first, ae.reconstruct(first)];
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

const f4 = (v: number) => v.toFixed(4);

/** What the figures say, in words that follow the numbers measured (not the ones expected). */
function reading(trained: NoiseFigures, cleanMse: number, strong?: NoiseFigures & { cleanMse: number }): string {
  const out: string[] = [];
  if (trained.denoisedMse > trained.noisyMse) {
    out.push(
      `With the training noise, the output (${f4(trained.denoisedMse)}) is further from the clean digits than the noisy input ` +
        `(${f4(trained.noisyMse)}). That is not noise left in: fed the clean digits themselves, the network gives back ${f4(cleanMse)}. ` +
        'Its output error is its reconstruction error, the blur of squeezing a digit through its code after this much ' +
        'training, and this noise costs less than that blur.',
    );
  } else {
    out.push(`With the training noise, the error falls from ${f4(trained.noisyMse)} (noisy input) to ${f4(trained.denoisedMse)} (output); from the clean digits the output error is ${f4(cleanMse)}.`);
  }
  if (cleanMse > trained.denoisedMse) {
    out.push('It does better from noisy digits than from clean ones: it has learned to take away the shift the training noise adds, and takes it away from clean digits too.');
  }
  if (strong) {
    out.push(
      `With a noise stronger than that blur (${strong.label}), the same network trained on it brings the error down from ` +
        `${f4(strong.noisyMse)} to ${f4(strong.denoisedMse)}, near its own reconstruction error (${f4(strong.cleanMse)}): there the denoising shows in the MSE.`,
    );
  }
  return out.join(' ');
}

/** Writes the pictures and `index.html`; returns the report's path and the figures. */
export async function writeDenoisingReport(s: DenoisingStory): Promise<DenoisingFigures> {
  const { ae, xTest } = s;
  const trained = await measure(s, ae, s.noise, s.seed + 1, ['noisy.png', 'denoised.png']);
  const others: NoiseFigures[] = [];
  for (const [i, n] of s.otherNoises.entries()) others.push(await measure(s, ae, n, s.seed + 2 + i, [`noisy-${n.tag}.png`, `denoised-${n.tag}.png`]));
  const cleanMse = ae.evaluate(xTest, { metric: 'mse' }).mean;
  let strong: DenoisingFigures['strong'];
  if (s.strong) {
    const f = await measure(s, s.strong.ae, s.strong.noise, s.seed + 9, [`noisy-${s.strong.noise.tag}.png`, `denoised-${s.strong.noise.tag}.png`]);
    strong = { ...f, cleanMse: s.strong.ae.evaluate(xTest, { metric: 'mse' }).mean };
  }

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
  for (const [f, seen] of [[trained, 'trained on it'], ...others.map((o) => [o, 'never seen in training'] as const)] as const) {
    figures[`${f.label} (${seen}): noisy input vs clean`] = f.noisyMse;
    figures[`${f.label} (${seen}): denoised output vs clean`] = f.denoisedMse;
  }
  figures['no noise: output vs clean (the reconstruction error)'] = cleanMse;
  if (strong) {
    figures[`the same network trained on ${strong.label}: noisy input vs clean`] = strong.noisyMse;
    figures[`the same network trained on ${strong.label}: denoised output vs clean`] = strong.denoisedMse;
    figures[`the same network trained on ${strong.label}: output from clean digits vs clean`] = strong.cleanMse;
  }
  const metrics: Record<string, string | number> = {
    'train loss (MSE, noisy in)': last('loss'),
    ...(s.history['valLoss'] ? { 'val loss (MSE, noisy in)': last('valLoss') } : {}),
    ...s.extraMetrics,
  };
  const picture = (tag: string, label: string, note: string) => [
    { file: `noisy-${tag}.png`, caption: `${label} (${note})` },
    { file: `denoised-${tag}.png`, caption: 'what the autoencoder gives back' },
  ];
  const page = await writeReport(s.out, {
    title: s.title,
    sections: [
      { heading: 'The model', text: s.modelText },
      { heading: 'The noise', text: s.noiseText },
      {
        heading: 'What the denoiser does (test MSE against the clean digits)',
        text: `${reading(trained, cleanMse, strong)}\n\nFor each noise: the error of the noisy input and of what the network gives back from it.`,
        table: figures,
      },
      {
        heading: 'Test digits: clean, noisy, denoised',
        images: [
          { file: 'clean.png', caption: 'the first 32 test digits' },
          { file: 'noisy.png', caption: `with the training noise (${s.noise.label}): the input` },
          { file: 'denoised.png', caption: 'what the autoencoder gives back' },
          ...(s.strong ? picture(s.strong.noise.tag, s.strong.noise.label, 'the second network, trained on it') : []),
          ...s.otherNoises.flatMap((n) => picture(n.tag, n.label, 'never seen in training')),
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
  return { page, noises: [trained, ...others], cleanMse, strong };
}
