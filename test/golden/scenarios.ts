/**
 * The golden behaviour of latentkit: a representative set of tiny models, each built and trained with
 * fixed seeds for a few steps, recorded as histories, a SHA-256 of every weight's bytes and a few
 * predictions. `generate.ts` writes the record (`fixture.json`) from the code as it is; `golden.test.ts`
 * runs the same scenarios and compares bit for bit, so that a refactor that changes any number fails.
 *
 * The scenarios use only the public API; each names every seed, so nothing depends on the global stream.
 */
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import * as lk from '../../src/index.js';

/** What one scenario recorded on one backend. */
export interface GoldenRecord {
  history: Record<string, number[]>;
  /** One entry per weight of the model(s), in order: `originalName [shape] sha256`. */
  weights: string[];
  /** Named predictions: `sha256` of the float32 bytes and the first values. */
  predictions: Record<string, { shape: number[]; sha256: string; head: number[] }>;
  /** Extra numbers (GAN update counts, evaluate means). */
  numbers: Record<string, number>;
}

/** A trained handle, as the save fixture needs it. */
export interface Trained {
  handle: { dispose(): void };
  record: GoldenRecord;
}

export function sha256(t: tf.Tensor): string {
  const v = t.dataSync() as Float32Array;
  return createHash('sha256').update(Buffer.from(v.buffer, v.byteOffset, v.byteLength)).digest('hex');
}

function weightLines(models: tfl.LayersModel[]): string[] {
  return models.flatMap((m) => m.weights.map((w) => `${w.originalName} [${w.shape.join(',')}] ${sha256(w.read())}`));
}

function prediction(t: tf.Tensor): { shape: number[]; sha256: string; head: number[] } {
  const out = { shape: [...t.shape], sha256: sha256(t), head: Array.from(t.dataSync().slice(0, 4)) };
  t.dispose();
  return out;
}

/** Uniform values in [lo, hi) from a SeedStream: the same numbers on every backend. */
function uniform(seed: number, shape: number[], lo = 0, hi = 1): tf.Tensor {
  const s = new lk.SeedStream(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Float32Array.from({ length: n }, () => lo + (hi - lo) * s.uniform());
  return tf.tensor(values, shape);
}

function plainHistory(h: Readonly<Record<string, readonly number[] | undefined>>): Record<string, number[]> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k, [...v!]]));
}

type Scenario = () => Promise<Trained>;

const N = 24;

/** Predictions and numbers of a trained (or loaded) autoencoder on `x`: deterministic, no stream used. */
export function autoencoderOutputs(ae: lk.Autoencoder, x: tf.Tensor): Pick<GoldenRecord, 'predictions' | 'numbers' | 'weights'> {
  const head = tf.slice(x, 0, 4);
  const predictions = {
    encode: prediction(ae.encode(head)),
    reconstruct: prediction(ae.reconstruct(head)),
  };
  const numbers = { evaluate: ae.evaluate(x).mean, evaluateMse: ae.evaluate(x, { metric: 'mse' }).mean };
  head.dispose();
  return { predictions, numbers, weights: weightLines([ae.model]) };
}

/** The same for a VAE. */
export function vaeOutputs(v: lk.VariationalAutoencoder, x: tf.Tensor): Pick<GoldenRecord, 'predictions' | 'numbers' | 'weights'> {
  const head = tf.slice(x, 0, 4);
  const enc = v.encode(head, { sample: true, seed: 3 });
  const predictions = {
    mean: prediction(enc.mean),
    logVar: prediction(enc.logVar),
    z: prediction(enc.z!),
    reconstruct: prediction(v.reconstruct(head)),
    sample: prediction(v.sample(3, { seed: 4 })),
  };
  const elbo = v.elbo(x, { seed: 1, samples: 2 });
  const numbers = { elbo: elbo.mean, elboKl: elbo.kl, evaluate: v.evaluate(x).mean };
  head.dispose();
  return { predictions, numbers, weights: weightLines([v.model]) };
}

/** The same for a GAN (`labels`: a conditional GAN's labels of `x`). */
export function ganOutputs(
  g: lk.GenerativeAdversarialNetwork,
  x: tf.Tensor,
  labels?: number[],
): Pick<GoldenRecord, 'predictions' | 'weights'> {
  const head = tf.slice(x, 0, 4);
  const cond = labels === undefined ? {} : { labels: labels.slice(0, 4) };
  const predictions = {
    sample: prediction(g.sample(4, { seed: 6, ...(labels === undefined ? {} : { labels: [0, 1, 2, 0] }) })),
    discriminate: prediction(g.discriminate(head, cond)),
    embed: prediction(g.embed(head, cond)),
  };
  head.dispose();
  return { predictions, weights: weightLines([g.generator, g.discriminator]) };
}

async function autoencoder(ae: lk.Autoencoder, x: tf.Tensor, fit: Record<string, unknown>): Promise<Trained> {
  const history = await ae.fit(x, { verbose: 0, ...fit } as lk.AutoencoderFitOptions);
  const out = autoencoderOutputs(ae, x);
  x.dispose();
  return { handle: ae, record: { history: plainHistory(history), ...out } };
}

async function vae(v: lk.VariationalAutoencoder, x: tf.Tensor, fit: Record<string, unknown>): Promise<Trained> {
  const history = await v.fit(x, { verbose: 0, ...fit } as lk.AutoencoderFitOptions);
  const out = vaeOutputs(v, x);
  x.dispose();
  return { handle: v, record: { history: plainHistory(history), ...out } };
}

async function gan(
  g: lk.GenerativeAdversarialNetwork,
  x: tf.Tensor,
  fit: Record<string, unknown>,
  labels?: number[],
): Promise<Trained> {
  const history = await g.fit(x, { verbose: 0, balanceMonitor: false, ...fit } as lk.GANFitOptions);
  const out = ganOutputs(g, x, labels);
  x.dispose();
  const numbers = { dUpdates: g.updates.discriminator, gUpdates: g.updates.generator };
  return { handle: g, record: { history: plainHistory(history), ...out, numbers } };
}

/** The data each scenario trains on (rebuilt on demand, so that a loaded model can be checked on it). */
export const DATA: Record<string, () => tf.Tensor> = {
  undercomplete: () => uniform(1, [N, 12]),
  sparse: () => uniform(2, [N, 12]),
  denseDenoising: () => uniform(3, [N, 12]),
  convTranspose: () => uniform(4, [N, 8, 8, 1]),
  convUpsample: () => uniform(5, [N, 8, 8, 1]),
  convDenoising: () => uniform(6, [N, 8, 8, 1]),
  convDefaults: () => uniform(7, [N, 8, 8, 1]),
  denseVAE: () => uniform(8, [N, 12]),
  convVAE: () => uniform(9, [N, 8, 8, 1]),
  denseGAN: () => uniform(10, [N, 2], -1, 1),
  dcgan: () => uniform(11, [16, 8, 8, 1], -1, 1),
  conditionalGAN: () => uniform(12, [N, 4], -1, 1),
  wganGP: () => uniform(13, [N, 2], -1, 1),
};

/** The conditional GAN's labels. */
export const CONDITIONAL_LABELS = Array.from({ length: N }, (_, i) => i % 3);

/** The scenarios, by name. Each returns its trained handle (the caller disposes it) and its record. */
export const SCENARIOS: Record<string, Scenario> = {
  undercomplete: () =>
    autoencoder(lk.undercompleteAE({ inputDim: 12, hiddenUnits: [8], codeDim: 3, seed: 11 }), DATA.undercomplete!(), {
      epochs: 2,
      batchSize: 8,
      validationSplit: 0.25,
      seed: 5,
    }),
  sparse: () =>
    autoencoder(
      lk.overcompleteSparseAE({ inputDim: 12, hiddenUnits: [10], codeDim: 16, l1: 1e-3, dropoutBeforeCode: 0.25, seed: 12 }),
      DATA.sparse!(),
      { epochs: 2, batchSize: 8, optimizer: { name: 'sgd', learningRate: 0.1, momentum: 0.9 }, seed: 6 },
    ),
  denseDenoising: async () => {
    const val = uniform(30, [8, 12]);
    const out = await autoencoder(
      lk.denoisingAE({ inputDim: 12, hiddenUnits: [8], codeDim: 4, noise: { kind: 'masking', rate: 0.3 }, l1: 1e-4, seed: 13 }),
      DATA.denseDenoising!(),
      { epochs: 2, batchSize: 8, validationData: val, seed: 7 },
    );
    val.dispose();
    return out;
  },
  convTranspose: () =>
    autoencoder(
      lk.convAE({ inputShape: [8, 8, 1], filters: [4, 4], pooling: [0, 2], codeDim: 3, codeActivation: 'linear', decoder: 'transpose', seed: 14 }),
      DATA.convTranspose!(),
      { epochs: 2, batchSize: 8, seed: 8 },
    ),
  convUpsample: () =>
    autoencoder(
      lk.convAE({
        inputShape: [8, 8, 1],
        filters: [4, 4],
        padding: ['same', 'valid'],
        decoder: 'upsample',
        activation: 'leakyRelu',
        codeActivation: 'linear',
        codeDim: 3,
        loss: 'binaryCrossentropy',
        seed: 15,
      }),
      DATA.convUpsample!(),
      { epochs: 2, batchSize: 8, seed: 9 },
    ),
  convDenoising: () =>
    autoencoder(
      lk.denoisingAE({ inputShape: [8, 8, 1], filters: [4], codeDim: 3, codeActivation: 'linear', noise: { kind: 'gaussian', stddev: 0.2, clip: [0, 1] }, seed: 16 }),
      DATA.convDenoising!(),
      { epochs: 2, batchSize: 8, validationSplit: 0.25, seed: 10 },
    ),
  /** convAE with its defaults: the code activation default is one of the things issue 8 changes. */
  convDefaults: () =>
    autoencoder(lk.convAE({ inputShape: [8, 8, 1], filters: [4], codeDim: 3, seed: 17 }), DATA.convDefaults!(), {
      epochs: 2,
      batchSize: 8,
      seed: 11,
    }),
  denseVAE: async () => {
    const val = uniform(31, [8, 12]);
    const out = await vae(lk.VAE({ inputShape: [12], hiddenUnits: [8], latentDim: 2, seed: 18 }), DATA.denseVAE!(), {
      epochs: 2,
      batchSize: 8,
      validationData: val,
      seed: 12,
    });
    val.dispose();
    return out;
  },
  convVAE: () =>
    vae(
      lk.VAE({
        architecture: 'conv',
        inputShape: [8, 8, 1],
        filters: [4, 4],
        latentDim: 2,
        likelihood: 'gaussian',
        gaussianVariance: 'learned',
        klWarmupEpochs: 2,
        freeBits: 0.01,
        seed: 19,
      }),
      DATA.convVAE!(),
      { epochs: 3, batchSize: 8, seed: 13 },
    ),
  denseGAN: () =>
    gan(
      lk.GAN({ dataShape: [2], zDim: 3, generatorUnits: [8], discriminatorUnits: [6], outputActivation: 'linear', seed: 20 }),
      DATA.denseGAN!(),
      { epochs: 2, batchSize: 8, labelSmoothing: 0.1, instanceNoise: { stddev: 0.1, anneal: true }, seed: 14 },
    ),
  dcgan: () =>
    gan(
      lk.GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 21 }),
      DATA.dcgan!(),
      { epochs: 1, batchSize: 8, gStepsPerD: 1, seed: 15 },
    ),
  conditionalGAN: () => {
    const labels = CONDITIONAL_LABELS;
    const vx = uniform(32, [6, 4], -1, 1);
    return gan(
      lk.GAN({ dataShape: [4], zDim: 3, numClasses: 3, generatorUnits: [8], discriminatorUnits: [6], seed: 22 }),
      DATA.conditionalGAN!(),
      { epochs: 2, batchSize: 8, labels, gStepsPerD: 2, validationData: { x: vx, labels: [0, 1, 2, 0, 1, 2] }, seed: 16 },
      labels,
    ).finally(() => vx.dispose());
  },
  wganGP: () =>
    gan(
      lk.GAN({
        dataShape: [2],
        zDim: 3,
        generatorUnits: [8],
        discriminatorUnits: [6],
        loss: 'wgan-gp',
        discriminatorActivation: 'leakyRelu',
        outputActivation: 'linear',
        seed: 23,
      }),
      DATA.wganGP!(),
      { epochs: 2, batchSize: 8, dStepsPerG: 2, seed: 17 },
    ),
};

/** The backends every scenario runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;

/** Runs one scenario on the active backend and returns its record, disposing the handle. */
export async function runScenario(name: string): Promise<GoldenRecord> {
  const { handle, record } = await SCENARIOS[name]!();
  handle.dispose();
  return record;
}
