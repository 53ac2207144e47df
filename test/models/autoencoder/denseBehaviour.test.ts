/**
 * Behaviour of the dense autoencoders that does not need real data: the PCA subspace of a linear AE,
 * seeds, tensor hygiene, encoder/decoder consistency and errors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  useBackend,
  undercompleteAE,
  overcompleteSparseAE,
  denoisingAE,
  setSeed,
  ConfigError,
  InputError,
  TrainingError,
  type Autoencoder,
  type NoiseFn,
} from '../../../src/index.js';
import { largestPrincipalAngle, orthonormalColumns, symmetricEigen } from '../../helpers/linalg.js';

beforeAll(async () => {
  await useBackend('wasm');
});

function weightsOf(ae: Autoencoder): Float32Array[] {
  return ae.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

describe('linear undercomplete AE vs PCA', () => {
  it('spans the top-k principal subspace of rank-k data (largest principal angle < 5 degrees)', async () => {
    const d = 20;
    const k = 3;
    const n = 1000;
    const data = tf.tidy(() => {
      const z = tf.mul(tf.randomNormal([n, k], 0, 1, 'float32', 1), tf.tensor1d([3, 2, 1.2]));
      const mixing = tf.randomNormal([k, d], 0, 1, 'float32', 2);
      const offset = tf.randomNormal([1, d], 0, 1, 'float32', 3);
      const noise = tf.randomNormal([n, d], 0, 0.01, 'float32', 4);
      return tf.add(tf.add(tf.matMul(z, mixing), offset), noise) as tf.Tensor2D;
    });
    // Top-k PCA subspace from the covariance of the centred data.
    const cov = tf.tidy(() => {
      const centred = tf.sub(data, tf.mean(data, 0, true));
      return tf.div(tf.matMul(centred, centred, true, false), n - 1);
    });
    const eig = symmetricEigen(Float64Array.from(cov.dataSync()), d);
    cov.dispose();
    const pca = new Float64Array(d * k);
    for (let r = 0; r < d; r++) for (let c = 0; c < k; c++) pca[r * k + c] = eig.vectors[r * d + c]!;

    const ae = undercompleteAE({
      inputDim: d,
      codeDim: k,
      activation: 'linear',
      codeActivation: 'linear',
      outputActivation: 'linear',
      loss: 'mse',
      seed: 21,
    });
    await ae.fit(data, { epochs: 60, batchSize: 32, optimizer: 'adam', learningRate: 0.01, verbose: 0 });
    // The decoder's kernel [k, d]: its rows span the learned subspace.
    const kernel = ae.decoder.getLayer('reconstruction').getWeights()[0]!;
    const w = kernel.dataSync();
    const learned = new Float64Array(d * k);
    for (let r = 0; r < d; r++) for (let c = 0; c < k; c++) learned[r * k + c] = w[c * d + r]!;
    const angle = largestPrincipalAngle(orthonormalColumns(pca, d, k), orthonormalColumns(learned, d, k), d, k);
    ae.dispose();
    data.dispose();
    expect(angle).toBeLessThan(5);
  });
});

describe('one seed', () => {
  const x = () => tf.randomUniform([96, 16], 0, 1, 'float32', 77);

  async function trainedTwice(build: () => Autoencoder, fitSeed?: number) {
    const data = x();
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const ae = build();
      const history = await ae.fit(data, { epochs: 3, batchSize: 16, verbose: 0, validationSplit: 0.25, seed: fitSeed });
      runs.push({ weights: weightsOf(ae), history });
      ae.dispose();
    }
    data.dispose();
    return runs;
  }

  const builders: Record<string, (seed: number) => Autoencoder> = {
    undercomplete: (seed) => undercompleteAE({ inputDim: 16, hiddenUnits: [12], codeDim: 4, seed }),
    'sparse with dropout': (seed) => overcompleteSparseAE({ inputDim: 16, codeDim: 20, l1: 1e-3, dropoutBeforeCode: 0.3, seed }),
    denoising: (seed) => denoisingAE({ inputDim: 16, codeDim: 8, noise: { kind: 'saltAndPepper', rate: 0.2 }, seed }),
  };

  for (const [name, build] of Object.entries(builders)) {
    it(`${name}: the same seed gives bit-identical weights and history; another seed differs`, async () => {
      const [a, b] = await trainedTwice(() => build(123));
      expect(a!.history).toEqual(b!.history);
      a!.weights.forEach((w, i) => expect(Buffer.from(w.buffer).equals(Buffer.from(b!.weights[i]!.buffer))).toBe(true));
      const [c] = await trainedTwice(() => build(124));
      expect(c!.weights[0]).not.toEqual(a!.weights[0]);
    });
  }

  it('setSeed makes builders and fit reproducible without explicit seeds', async () => {
    const run = async () => {
      setSeed(99);
      const data = x();
      const ae = undercompleteAE({ inputDim: 16, codeDim: 4 });
      const h = await ae.fit(data, { epochs: 2, batchSize: 8, verbose: 0 });
      const w = weightsOf(ae);
      ae.dispose();
      data.dispose();
      return { h, w };
    };
    const first = await run();
    const second = await run();
    expect(second.h).toEqual(first.h);
    expect(second.w).toEqual(first.w);
  });
});

describe('tensor hygiene', () => {
  it('fit, encode, decode, reconstruct, evaluate and dispose leave no tensor behind, and never dispose the input', async () => {
    const data = tf.randomUniform([64, 16], 0, 1, 'float32', 5);
    const start = tf.memory().numTensors;
    for (const build of [
      () => undercompleteAE({ inputDim: 16, hiddenUnits: [8], codeDim: 4, seed: 1 }),
      () => overcompleteSparseAE({ inputDim: 16, codeDim: 24, l1: 1e-3, dropoutBeforeCode: 0.2, seed: 2 }),
      () => denoisingAE({ inputDim: 16, codeDim: 6, noise: { kind: 'masking', rate: 0.3 }, seed: 3 }),
    ]) {
      const ae = build();
      const built = tf.memory().numTensors;
      await ae.fit(data, { epochs: 2, batchSize: 16, verbose: 0, validationSplit: 0.25, earlyStopping: { restoreBestWeights: true } });
      expect(tf.memory().numTensors).toBe(built);
      const z = ae.encode(data);
      expect(z.shape).toEqual([64, ...ae.codeShape]);
      const y = ae.decode(z);
      expect(y.shape).toEqual([64, 16]);
      const r = ae.reconstruct(data);
      ae.evaluate(data);
      expect(tf.memory().numTensors).toBe(built + 3);
      tf.dispose([z, y, r]);
      ae.dispose();
      expect(tf.memory().numTensors).toBe(start);
      expect(data.isDisposed).toBe(false);
    }
    data.dispose();
  });

  it('a flat Float32Array is read as examples one after the other; a length that does not split is an error', async () => {
    const ae = undercompleteAE({ inputDim: 3, codeDim: 2, seed: 1 });
    const before = tf.memory().numTensors;
    const z = ae.encode(new Float32Array([0, 0.5, 1, 1, 0.5, 0]));
    expect(z.shape).toEqual([2, 2]);
    z.dispose();
    expect(() => ae.encode(new Float32Array(4))).toThrow(/x = .*expected numbers forming shape \[\?, 3\] \(4 values do not split into examples of 3\)/);
    expect(tf.memory().numTensors).toBe(before);
    ae.dispose();
  });

  it('array input works and is not kept', async () => {
    const ae = undercompleteAE({ inputDim: 3, codeDim: 2, seed: 1 });
    const before = tf.memory().numTensors;
    await ae.fit([[0, 0.5, 1], [1, 0.5, 0], [0.2, 0.2, 0.2]], { epochs: 1, verbose: 0 });
    const z = ae.encode([[0, 0.5, 1]]);
    expect(z.shape).toEqual([1, 2]);
    z.dispose();
    expect(tf.memory().numTensors).toBe(before);
    ae.dispose();
  });
});

describe('encoder and decoder are standalone models sharing the weights', () => {
  it('decode(encode(x)) equals reconstruct(x), and training the model changes the encoder', async () => {
    const x = tf.randomUniform([20, 10], 0, 1, 'float32', 8);
    const ae = undercompleteAE({ inputDim: 10, hiddenUnits: [8], codeDim: 3, seed: 4 });
    expect(ae.encoder.layers.at(-1)!.name).toBe('code');
    const before = ae.encode(x);
    await ae.fit(x, { epochs: 2, batchSize: 5, verbose: 0 });
    const z = ae.encode(x);
    const twoStep = ae.decode(z);
    const oneStep = ae.reconstruct(x);
    expect(tf.max(tf.abs(tf.sub(twoStep, oneStep))).dataSync()[0]).toBeLessThan(1e-6);
    expect(tf.max(tf.abs(tf.sub(before, z))).dataSync()[0]).toBeGreaterThan(0);
    expect(ae.summary()).toContain('code');
    tf.dispose([x, before, z, twoStep, oneStep]);
    ae.dispose();
    expect(() => ae.encode([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]])).toThrow(/disposed/);
  });
});

describe('bad input gets an error naming the parameter and the value', () => {
  const ae = () => undercompleteAE({ inputDim: 8, codeDim: 2, seed: 1 });

  it('wrong input width', async () => {
    const m = ae();
    const x = tf.zeros([4, 7]);
    await expect(m.fit(x, { verbose: 0 })).rejects.toThrow(InputError);
    await expect(m.fit(x, { verbose: 0 })).rejects.toThrow(/x = tensor of shape \[4, 7\].*expected shape \[\?, 8\]/);
    expect(() => m.encode(x)).toThrow(/shape \[\?, 8\]/);
    expect(() => m.decode(tf.zeros([1, 3]))).toThrow(/z = tensor of shape \[1, 3\].*\[\?, 2\]/);
    x.dispose();
    m.dispose();
  });

  it('non-finite data, with where it is', async () => {
    const m = ae();
    const x = tf.tensor2d([[0, 0, 0, 0, 0, 0, 0, 0], [0, 0, NaN, 0, 0, 0, 0, 0]]);
    await expect(m.fit(x, { verbose: 0 })).rejects.toThrow(/finite values \(NaN in example 1, flat index 10\)/);
    x.dispose();
    m.dispose();
  });

  it('impossible code sizes', () => {
    expect(() => undercompleteAE({ inputDim: 10, codeDim: 10 })).toThrow(ConfigError);
    expect(() => undercompleteAE({ inputDim: 10, codeDim: 12 })).toThrow(/undercompleteAE.codeDim = 12: expected less than inputDim \(10\)/);
    expect(() => overcompleteSparseAE({ inputDim: 10, codeDim: 4 })).toThrow(/overcompleteSparseAE.codeDim = 4: expected at least inputDim \(10\)/);
    expect(() => undercompleteAE({ inputDim: 0, codeDim: 1 })).toThrow(/undercompleteAE.inputDim = 0/);
    expect(() => undercompleteAE({ inputDim: 10, codeDim: 2, hiddenUnits: [4, -1] })).toThrow(/hiddenUnits\[1\] = -1/);
    expect(() => overcompleteSparseAE({ inputDim: 4, codeDim: 8, l1: -1 })).toThrow(/overcompleteSparseAE.l1 = -1/);
    expect(() => overcompleteSparseAE({ inputDim: 4, codeDim: 8, dropoutBeforeCode: 1 })).toThrow(/dropoutBeforeCode = 1/);
    expect(() => undercompleteAE({ inputDim: 10, codeDim: 2, activation: 'rleu' as never })).toThrow(/activation = "rleu": expected one of/);
  });

  it('noise rate outside [0, 1]', () => {
    expect(() => denoisingAE({ inputDim: 10, codeDim: 4, noise: { kind: 'masking', rate: 1.5 } })).toThrow(
      /denoisingAE.noise.rate = 1.5/,
    );
    expect(() => denoisingAE({ inputDim: 10, codeDim: 4 } as never)).toThrow(/denoisingAE.noise = undefined/);
  });

  it('fit options', async () => {
    const m = ae();
    const x = tf.zeros([10, 8]);
    await expect(m.fit(x, { epochs: 0 })).rejects.toThrow(/fit.epochs = 0: expected a positive integer/);
    await expect(m.fit(x, { batchSize: 2.5 })).rejects.toThrow(/fit.batchSize = 2.5/);
    await expect(m.fit(x, { validationSplit: 1 })).rejects.toThrow(/fit.validationSplit = 1/);
    await expect(m.fit(x, { optimizer: 'adamw' as never })).rejects.toThrow(/fit.optimizer.name = "adamw"/);
    await expect(m.fit(x, { learningRate: -1 })).rejects.toThrow(/learningRate = -1/);
    await expect(m.fit(x, { verbose: 0, earlyStopping: { monitor: 'valAccuracy' } })).rejects.toThrow(
      /earlyStopping.monitor = "valAccuracy": expected one of the epoch logs: "loss"/,
    );
    x.dispose();
    m.dispose();
  });
});

describe('a non-finite loss stops training', () => {
  it('with an error naming the epoch and batch, and without leaking', async () => {
    let calls = 0;
    // A corruption that turns the 7th training batch into NaN: epoch 2 (batches 1-4 are epoch 1), batch 3.
    const poison: NoiseFn = (x) => tf.tidy(() => (++calls === 7 ? tf.mul(x, NaN) : tf.clone(x)));
    const m = denoisingAE({ inputDim: 4, codeDim: 2, noise: poison, seed: 1 });
    const x = tf.randomUniform([16, 4], 0, 1, 'float32', 1);
    const before = tf.memory().numTensors;
    const err = await m.fit(x, { epochs: 3, batchSize: 4, verbose: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingError);
    expect((err as TrainingError).message).toMatch(/loss is NaN at epoch 2, batch 3 of 4/);
    expect((err as TrainingError).epoch).toBe(2);
    expect((err as TrainingError).batch).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });
});
