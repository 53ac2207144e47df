/**
 * Corrupt or edited saves are refused on load, naming the file: a flipped byte (SHA-256 of every file, and
 * of every part's weights in IOHandler and browser stores), a NaN weight (also in format-1 saves, which
 * have no checksums), metadata that disagrees with latentkit.json, parts of two different saves. And what
 * a save carries besides the weights: the epochs trained (a VAE's KL warm-up continues) and a GAN's counts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, GAN, ModelFileError, VAE, load, save, undercompleteAE, useBackend, type Autoencoder, type GenerativeAdversarialNetwork, type VariationalAutoencoder } from '../../src/index.js';
import { reseal } from '../helpers/saves.js';

let root: string;
let x: tf.Tensor2D;
let n = 0;
const newDir = () => join(root, `m-${++n}`);

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'latentkit-integrity-'));
  x = tf.randomUniform([12, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
});

afterAll(async () => {
  x.dispose();
  await rm(root, { recursive: true, force: true });
});

async function savedAE(): Promise<string> {
  const ae = undercompleteAE({ inputDim: 6, codeDim: 2, seed: 1 });
  await ae.fit(x, { epochs: 1, batchSize: 4, verbose: 0 });
  const dir = newDir();
  await save(ae, dir);
  ae.dispose();
  return dir;
}

async function loadError(where: Parameters<typeof load>[0]): Promise<ModelFileError> {
  const before = tf.memory().numTensors;
  const err = await load(where).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ModelFileError);
  expect(tf.memory().numTensors).toBe(before);
  return err as ModelFileError;
}

/** Writes `value` as the float32 at `index` of weights.bin. */
async function setWeight(file: string, index: number, value: number): Promise<void> {
  const bytes = await readFile(file);
  bytes.writeFloatLE(value, index * 4);
  await writeFile(file, bytes);
}

describe('corrupt files are refused, naming the file', () => {
  it('a flipped exponent byte in weights.bin', async () => {
    const dir = await savedAE();
    const file = join(dir, 'weights.bin');
    const bytes = await readFile(file);
    bytes[3] = bytes[3]! ^ 0x40;
    await writeFile(file, bytes);
    const err = await loadError(dir);
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/does not match the SHA-256 checksum recorded when it was saved/);
  });

  it('a NaN or an Infinity in weights.bin, even with the checksums recomputed', async () => {
    const dir = await savedAE();
    await setWeight(join(dir, 'weights.bin'), 5, NaN);
    await reseal(dir);
    let err = await loadError(dir);
    expect(err.file).toBe(join(dir, 'weights.bin'));
    expect(err.message).toMatch(/weight '.*kernel' holds NaN at index 5 of \d+/);
    await setWeight(join(dir, 'weights.bin'), 5, -Infinity);
    await reseal(dir);
    err = await loadError(dir);
    expect(err.message).toMatch(/holds -Infinity/);
  });

  it('a NaN in a format-1 save (no checksums)', async () => {
    const dir = newDir();
    await cp(fileURLToPath(new URL('./fixtures/saves-format1/undercomplete', import.meta.url)), dir, { recursive: true });
    await setWeight(join(dir, 'weights.bin'), 0, NaN);
    const err = await loadError(dir);
    expect(err.message).toMatch(/holds NaN at index 0/);
  });

  it('an edited latentkit.json (a config value changed by hand)', async () => {
    const dir = await savedAE();
    const file = join(dir, 'latentkit.json');
    await writeFile(file, (await readFile(file, 'utf8')).replace('"loss": "mse"', '"loss": "mae"'));
    const err = await loadError(dir);
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/does not match its own SHA-256 checksum: it was edited or damaged/);
  });

  it("model.json's record disagreeing with latentkit.json", async () => {
    const dir = await savedAE();
    const file = join(dir, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8'));
    json.userDefinedMetadata.latentkit.config.loss = 'mae';
    await writeFile(file, JSON.stringify(json));
    await reseal(dir);
    const err = await loadError(dir);
    expect(err.file).toBe(file);
    expect(err.message).toMatch(/differs from .*latentkit\.json's: the parts come from different saves, or a file was edited/);
  });

  it("a GAN whose discriminator comes from another save", async () => {
    const make = async (seed: number) => {
      const gan = GAN({ dataShape: [2], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 3 });
      const data = tf.randomNormal([8, 2], 0, 1, 'float32', seed);
      await gan.fit(data, { epochs: 1, batchSize: 4, verbose: 0 });
      const dir = newDir();
      await save(gan, dir);
      gan.dispose();
      data.dispose();
      return dir;
    };
    const [one, two] = [await make(1), await make(2)];
    await rm(join(one, 'discriminator'), { recursive: true });
    await cp(join(two, 'discriminator'), join(one, 'discriminator'), { recursive: true });
    await reseal(one);
    const err = await loadError(one);
    expect(err.file).toBe(join(one, 'discriminator', 'model.json'));
    expect(err.message).toMatch(/different saves/);
  });

  it('weights changed in an IOHandler store (the checksum travels in the metadata)', async () => {
    const ae = undercompleteAE({ inputDim: 6, codeDim: 2, seed: 1 });
    let stored: tf.io.ModelArtifacts | undefined;
    const memory: tf.io.IOHandler = {
      save: async (artifacts) => {
        stored = artifacts;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      },
      load: async () => stored!,
    };
    await save(ae, memory);
    const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(stored!.weightData!));
    bytes[10] = bytes[10]! ^ 1;
    stored = { ...stored!, weightData: bytes.buffer };
    const err = await loadError(memory);
    expect(err.file).toBe('(IOHandler)');
    expect(err.message).toMatch(/its weights do not match the SHA-256 checksum stored with them/);
    ae.dispose();
  });

  it('a model with non-finite weights is not saved', async () => {
    const ae = undercompleteAE({ inputDim: 6, codeDim: 2, seed: 1 });
    const w = ae.model.getWeights();
    ae.model.setWeights([tf.fill(w[0]!.shape, NaN), ...w.slice(1)]);
    const dir = newDir();
    const err = await save(ae, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/save\.handle = .*non-finite weights.*holds NaN at index 0/);
    ae.dispose();
  });
});

describe('training state', () => {
  it('a reloaded VAE continues its KL warm-up where it was, as the original does', async () => {
    const vae = VAE({ inputShape: [6], hiddenUnits: [4], latentDim: 2, klWarmupEpochs: 4, seed: 5 });
    await vae.fit(x, { epochs: 2, batchSize: 6, verbose: 0 });
    expect(vae.epochsTrained).toBe(2);
    const dir = newDir();
    await save(vae, dir);
    const loaded = await load<VariationalAutoencoder>(dir);
    expect(loaded.epochsTrained).toBe(2);
    const [h1, h2] = [await vae.fit(x, { epochs: 2, batchSize: 6, verbose: 0, seed: 9 }), await loaded.fit(x, { epochs: 2, batchSize: 6, verbose: 0, seed: 9 })];
    expect(h2.beta).toEqual([0.5, 0.75]);
    expect(h2.beta).toEqual(h1.beta);
    expect(h2.loss).toEqual(h1.loss);
    expect(loaded.epochsTrained).toBe(4);
    vae.dispose();
    loaded.dispose();
  });

  it("a GAN's update counts and an autoencoder's epochs come back", async () => {
    const gan = GAN({ dataShape: [2], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 3 });
    const data = tf.randomNormal([8, 2], 0, 1, 'float32', 1);
    await gan.fit(data, { epochs: 3, batchSize: 4, dStepsPerG: 2, verbose: 0 });
    const dir = newDir();
    await save(gan, dir);
    const loaded = await load<GenerativeAdversarialNetwork>(dir);
    expect(loaded.updates).toEqual({ discriminator: 6, generator: 3 });
    loaded.dispose();
    gan.dispose();
    data.dispose();
    const ae = await load<Autoencoder & { epochsTrained: number }>(await savedAE());
    expect(ae.epochsTrained).toBe(1);
    ae.dispose();
  });
});
