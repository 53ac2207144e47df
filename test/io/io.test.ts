/**
 * save/load of latentkit handles and the file-system IOHandler: bitwise round trips on cpu and wasm,
 * training after load, tensor hygiene, plain tfjs use of the handler, the registry, and every error.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cp, mkdtemp, readFile, readdir, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  LatentkitError,
  convAE,
  denoisingAE,
  maskingNoise,
  overcompleteSparseAE,
  undercompleteAE,
  useBackend,
  type Autoencoder,
} from '../../src/index.js';
import { ModelFileError, fileSystemHandler, load, readModelInfo, save, type SavableHandle } from '../../src/index.js';
import { LATENTKIT_VERSION, defineModelKind, registeredModelKinds } from '../../src/advanced.js';
import { reseal, sha256 } from '../helpers/saves.js';

const INPUT_DIM = 16;
let root: string;
let x: tf.Tensor2D;
let counter = 0;

const newDir = () => join(root, `save-${++counter}`);

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'latentkit-io-'));
  x = tf.randomUniform([64, INPUT_DIM], 0, 1, 'float32', 7) as tf.Tensor2D;
});

afterAll(async () => {
  x.dispose();
  await rm(root, { recursive: true, force: true });
});

/** The raw bytes of a tensor's values, so that equality is bitwise (NaN and -0 included). */
function bytesOf(t: tf.Tensor): Buffer {
  const values = t.dataSync() as Float32Array;
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
}

function expectBitwiseEqual(a: tf.Tensor, b: tf.Tensor): void {
  expect(a.shape).toEqual(b.shape);
  expect(bytesOf(a).equals(bytesOf(b))).toBe(true);
}

async function expectFileError(promise: Promise<unknown>, fileEnd: string, message: RegExp): Promise<ModelFileError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelFileError);
  const e = err as ModelFileError;
  expect(e).toBeInstanceOf(LatentkitError);
  expect(e.file.endsWith(fileEnd)).toBe(true);
  expect(e.message).toMatch(message);
  return e;
}

const builders: Record<string, () => Autoencoder> = {
  undercomplete: () => undercompleteAE({ inputDim: INPUT_DIM, hiddenUnits: [8], codeDim: 4, seed: 11 }),
  overcompleteSparse: () =>
    overcompleteSparseAE({ inputDim: INPUT_DIM, hiddenUnits: [12], codeDim: 24, l1: 1e-3, dropoutBeforeCode: 0.2, activation: 'leakyRelu', seed: 12 }),
  denoising: () =>
    denoisingAE({ inputDim: INPUT_DIM, codeDim: 6, noise: { kind: 'masking', rate: 0.3 }, loss: 'binaryCrossentropy', seed: 13 }),
};

async function trained(kind: string): Promise<Autoencoder> {
  const ae = builders[kind]!();
  await ae.fit(x, { epochs: 2, batchSize: 16, verbose: 0 });
  return ae;
}

describe.each(Object.keys(builders))('%s: save, load', (kind) => {
  it('loads the same kind and config, reconstructs and encodes bitwise the same, without leaking tensors', async () => {
    const ae = await trained(kind);
    const dir = newDir();
    const tensorsBefore = tf.memory().numTensors;

    const summary = await save(ae, dir);
    expect(summary.parts).toEqual({ model: join(dir, 'model.json') });
    expect((await readdir(dir)).sort()).toEqual(['latentkit.json', 'model.json', 'weights.bin']);
    const record = JSON.parse(await readFile(join(dir, 'latentkit.json'), 'utf8'));
    expect(record).toMatchObject({ format: 2, kind, config: { ...ae.config }, latentkitVersion: LATENTKIT_VERSION, parts: ['model'], state: { epochsTrained: 2 } });
    expect(record.saveId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(record.files).sort()).toEqual(['model.json', 'weights.bin']);
    expect(record.files['weights.bin']).toBe(sha256(await readFile(join(dir, 'weights.bin'))));
    expect(record.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(Number.isNaN(Date.parse(record.savedAt))).toBe(false);

    const loaded = await load<Autoencoder>(dir);
    expect(loaded.kind).toBe(kind);
    expect(loaded.config).toEqual(ae.config);
    expect(loaded.inputShape).toEqual(ae.inputShape);
    expect(loaded.codeShape).toEqual(ae.codeShape);

    const [r1, r2] = [ae.reconstruct(x), loaded.reconstruct(x)];
    expectBitwiseEqual(r1, r2);
    // The loaded encoder alone (the standalone model, not the handle's helper) matches the original.
    const [z1, z2] = [ae.encode(x), loaded.encoder.predict(x) as tf.Tensor];
    expectBitwiseEqual(z1, z2);
    // ... and so does the decoder, which shares the loaded weights.
    const [d1, d2] = [ae.decode(z1), loaded.decoder.predict(z1) as tf.Tensor];
    expectBitwiseEqual(d1, d2);

    tf.dispose([r1, r2, z1, z2, d1, d2]);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    ae.dispose();
  });

  it('trains after loading', async () => {
    const ae = await trained(kind);
    const dir = newDir();
    await save(ae, dir);
    const loaded = await load<Autoencoder>(dir);
    const before = loaded.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
    const history = await loaded.fit(x, { epochs: 1, batchSize: 16, verbose: 0 });
    expect(Number.isFinite(history.loss[0])).toBe(true);
    const after = loaded.model.getWeights().map((w) => w.dataSync() as Float32Array);
    expect(after.some((w, i) => w.some((v, j) => v !== before[i]![j]))).toBe(true);
    // Training the loaded model leaves the original alone: they share no weights.
    const r = ae.reconstruct(x);
    const r2 = loaded.reconstruct(x);
    expect(bytesOf(r).equals(bytesOf(r2))).toBe(false);
    tf.dispose([r, r2]);
    loaded.dispose();
    ae.dispose();
  });
});

describe('continuing training', () => {
  it('a loaded undercomplete AE trains on to bitwise the same weights as the original', async () => {
    const ae = await trained('undercomplete');
    const dir = newDir();
    await save(ae, dir);
    const loaded = await load<Autoencoder>(dir);
    await ae.fit(x, { epochs: 1, batchSize: 16, verbose: 0, seed: 99 });
    await loaded.fit(x, { epochs: 1, batchSize: 16, verbose: 0, seed: 99 });
    const a = ae.model.getWeights();
    const b = loaded.model.getWeights();
    a.forEach((w, i) => expectBitwiseEqual(w, b[i]!));
    loaded.dispose();
    ae.dispose();
  });
});

describe('other locations', () => {
  it('saves to and loads from a tf.io.IOHandler, the record travelling in userDefinedMetadata', async () => {
    const ae = await trained('denoising');
    let stored: tf.io.ModelArtifacts | undefined;
    const memory: tf.io.IOHandler = {
      save: async (artifacts) => {
        stored = artifacts;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      },
      load: async () => stored!,
    };
    const summary = await save(ae, memory);
    expect(summary.parts).toEqual({ model: '(IOHandler)' });
    expect(stored!.userDefinedMetadata!['latentkit']).toMatchObject({ format: 2, kind: 'denoising', config: { ...ae.config } });
    expect(stored!.userDefinedMetadata!['latentkitIntegrity']).toMatchObject({ algorithm: 'SHA-256', weights: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(await readModelInfo(memory)).toMatchObject({ kind: 'denoising', parts: ['model'] });
    const loaded = await load<Autoencoder>(memory);
    expect(loaded.config).toEqual(ae.config);
    const [r1, r2] = [ae.reconstruct(x), loaded.reconstruct(x)];
    expectBitwiseEqual(r1, r2);
    tf.dispose([r1, r2]);
    loaded.dispose();
    ae.dispose();
  });

  it('accepts a file:// URL, the path of latentkit.json or model.json, and loads without latentkit.json', async () => {
    const ae = builders['undercomplete']!();
    const dir = newDir();
    await save(ae, `file://${dir}`);
    for (const where of [dir, `file://${dir}`, join(dir, 'latentkit.json'), join(dir, 'model.json')]) {
      const loaded = await load<Autoencoder>(where);
      expect(loaded.kind).toBe('undercomplete');
      loaded.dispose();
    }
    await unlink(join(dir, 'latentkit.json'));
    const loaded = await load<Autoencoder>(dir);
    expect(loaded.config).toEqual(ae.config);
    const [r1, r2] = [ae.reconstruct(x), loaded.reconstruct(x)];
    expectBitwiseEqual(r1, r2);
    tf.dispose([r1, r2]);
    loaded.dispose();
    ae.dispose();
  });

  it('saves to and loads from localstorage:// URLs (browser storage emulated)', async () => {
    const items = new Map<string, string>();
    const localStorage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, v),
      removeItem: (k: string) => void items.delete(k),
      get length() {
        return items.size;
      },
      key: (i: number) => [...items.keys()][i] ?? null,
    };
    const g = globalThis as Record<string, unknown>;
    const wasBrowser = tf.env().getBool('IS_BROWSER');
    g['window'] = { localStorage };
    tf.env().set('IS_BROWSER', true);
    try {
      const ae = await trained('overcompleteSparse');
      const summary = await save(ae, 'localstorage://sparse');
      expect(summary.parts).toEqual({ model: 'localstorage://sparse' });
      expect([...items.keys()].some((k) => k.includes('sparse'))).toBe(true);
      const loaded = await load<Autoencoder>('localstorage://sparse');
      expect(loaded.config).toEqual(ae.config);
      const [r1, r2] = [ae.reconstruct(x), loaded.reconstruct(x)];
      expectBitwiseEqual(r1, r2);
      tf.dispose([r1, r2]);
      loaded.dispose();
      ae.dispose();
    } finally {
      tf.env().set('IS_BROWSER', wasBrowser);
      delete g['window'];
    }
  });

  it('refuses browser URLs in Node with a ConfigError', async () => {
    const ae = builders['undercomplete']!();
    await expect(save(ae, 'indexeddb://ae')).rejects.toThrow(ConfigError);
    await expect(load('localstorage://ae')).rejects.toThrow(/need a browser/);
    ae.dispose();
  });
});

describe('fileSystemHandler with plain tfjs', () => {
  it('model.save and tfl.loadLayersModel round-trip a plain layers model', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 5, inputShape: [INPUT_DIM], activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.dense({ units: 3, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const dir = newDir();
    const result = await model.save(fileSystemHandler(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((INPUT_DIM * 5 + 5 + 5 * 3 + 3) * 4);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(Object.keys(json).slice(0, 5)).toEqual(['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy']);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v/);
    expect(json.convertedBy).toBeNull();
    expect(json.weightsManifest).toHaveLength(1);
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual([
      expect.stringMatching(/kernel$/),
      expect.stringMatching(/bias$/),
      expect.stringMatching(/kernel$/),
      expect.stringMatching(/bias$/),
    ]);
    expect((await stat(join(dir, 'weights.bin'))).size).toBe(result.modelArtifactsInfo.weightDataBytes);

    for (const where of [dir, join(dir, 'model.json')]) {
      const again = await tfl.loadLayersModel(fileSystemHandler(where));
      const [a, b] = [model.predict(x) as tf.Tensor, again.predict(x) as tf.Tensor];
      expectBitwiseEqual(a, b);
      tf.dispose([a, b]);
      again.dispose();
    }
    model.dispose();
  });

  it("loads an autoencoder save's model.json as a plain layers model (custom layers included)", async () => {
    const ae = await trained('overcompleteSparse');
    const dir = newDir();
    await save(ae, dir);
    const plain = await tfl.loadLayersModel(fileSystemHandler(dir));
    expect(plain.layers.some((l) => l.getClassName() === 'LatentkitDropout')).toBe(true);
    const [a, b] = [ae.reconstruct(x), plain.predict(x) as tf.Tensor];
    expectBitwiseEqual(a, b);
    tf.dispose([a, b]);
    plain.dispose();
    ae.dispose();
  });
});

describe('errors', () => {
  let base: string;
  let weightBytes: number;

  beforeAll(async () => {
    const ae = await trained('undercomplete');
    base = newDir();
    weightBytes = (await save(ae, base)).weightBytes;
    ae.dispose();
  });

  async function copyOfBase(): Promise<string> {
    const dir = newDir();
    await cp(base, dir, { recursive: true });
    return dir;
  }

  /** Edits the record in latentkit.json and in model.json alike, and reseals the checksums. */
  async function editRecord(dir: string, edit: (record: Record<string, unknown>) => void): Promise<void> {
    const file = join(dir, 'latentkit.json');
    const record = JSON.parse(await readFile(file, 'utf8'));
    edit(record);
    await writeFile(file, JSON.stringify(record));
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    edit(modelJson.userDefinedMetadata.latentkit);
    await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
    await reseal(dir);
  }

  it('names a missing weights.bin or model.json', async () => {
    const dir = await copyOfBase();
    await unlink(join(dir, 'weights.bin'));
    await expectFileError(load(dir), 'weights.bin', /weights\.bin: not found/);
    await unlink(join(dir, 'model.json'));
    await expectFileError(load(dir), 'model.json', /model\.json: not found/);
  });

  it('names latentkit.json when the folder holds no latentkit save, and a missing folder', async () => {
    const dir = newDir();
    const model = tfl.sequential({ layers: [tfl.layers.dense({ units: 2, inputShape: [3] })] });
    await model.save(fileSystemHandler(dir));
    model.dispose();
    await expectFileError(load(dir), 'latentkit.json', /latentkit\.json: not found.*carries no latentkit record/);
    await expectFileError(load(join(root, 'nowhere')), 'model.json', /the folder .*nowhere does not exist/);
  });

  it('reports a truncated weights file with the expected and found sizes', async () => {
    const dir = await copyOfBase();
    await truncate(join(dir, 'weights.bin'), weightBytes - 100);
    await expectFileError(load(dir), 'weights.bin', /does not match the SHA-256 checksum recorded when it was saved/);
    await reseal(dir);
    await expectFileError(load(dir), 'weights.bin', new RegExp(`expected ${weightBytes} bytes .*found ${weightBytes - 100}: the file is truncated`));
    await expectFileError(tfl.loadLayersModel(fileSystemHandler(dir)), 'weights.bin', /truncated/);
  });

  it('reports an unknown kind, listing the known ones', async () => {
    const dir = await copyOfBase();
    await editRecord(dir, (r) => (r.kind = 'x'));
    await expectFileError(load(dir), 'latentkit.json', /unknown kind 'x': known kinds 'conv', 'denoising', 'gan', 'overcompleteSparse', 'undercomplete', 'vae'/);
  });

  it('refuses a newer save format', async () => {
    const dir = await copyOfBase();
    await editRecord(dir, (r) => (r.format = 3));
    await expectFileError(load(dir), 'latentkit.json', /file format 3, this latentkit \(0\.1\.0\) reads format 2: upgrade latentkit/);
    await editRecord(dir, (r) => (r.format = 'one'));
    await expectFileError(load(dir), 'latentkit.json', /format = "one": expected the integer 2/);
  });

  it('reports corrupt JSON in latentkit.json and model.json', async () => {
    const dir = await copyOfBase();
    const modelJson = await readFile(join(dir, 'model.json'), 'utf8');
    await writeFile(join(dir, 'model.json'), modelJson.slice(0, modelJson.length / 2));
    await expectFileError(load(dir), 'model.json', /does not match the SHA-256 checksum/);
    await reseal(dir);
    await expectFileError(load(dir), 'model.json', /is not valid JSON/);
    await writeFile(join(dir, 'latentkit.json'), '{ "format": 1, "kind": ');
    await expectFileError(load(dir), 'latentkit.json', /is not valid JSON/);
  });

  it('reports a config the builder rejects, and weights that do not fit the config, without leaking', async () => {
    const dir = await copyOfBase();
    await editRecord(dir, (r) => ((r.config as Record<string, unknown>).codeDim = 99));
    await expectFileError(load(dir), 'latentkit.json', /does not build a 'undercomplete' model: .*codeDim = 99/);
    const before = tf.memory().numTensors;
    await editRecord(dir, (r) => ((r.config as Record<string, unknown>).codeDim = 3));
    await expectFileError(load(dir), 'model.json', /rebuilt model expects 'code\/kernel' \[8, 3\]/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('requires the noise function of a denoising AE saved with a custom one', async () => {
    const noise = maskingNoise({ rate: 0.25 });
    const dae = denoisingAE({ inputDim: INPUT_DIM, codeDim: 4, noise, seed: 5 });
    await dae.fit(x, { epochs: 1, batchSize: 32, verbose: 0 });
    const dir = newDir();
    await save(dae, dir);
    expect((await readModelInfo(dir)).config['noise']).toEqual({ kind: 'custom' });
    const err = await load(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).parameter).toBe('load.noise');
    expect((err as Error).message).toMatch(/custom noise function/);
    const loaded = await load<Autoencoder>(dir, { noise });
    expect(loaded.config).toEqual(dae.config);
    const [r1, r2] = [dae.reconstruct(x), loaded.reconstruct(x)];
    expectBitwiseEqual(r1, r2);
    await loaded.fit(x, { epochs: 1, batchSize: 32, verbose: 0 });
    tf.dispose([r1, r2]);
    loaded.dispose();
    dae.dispose();
  });

  it('refuses to save what it could not load', async () => {
    const ae = builders['undercomplete']!();
    const stranger = { kind: 'stranger', config: {}, dispose() {} };
    await expect(save(stranger, newDir())).rejects.toThrow(/save\.handle\.kind = "stranger": expected a registered model kind/);
    const withFunction = Object.assign(Object.create(Object.getPrototypeOf(ae) as object), ae, { config: { ...ae.config, hook: () => 1 } });
    await expect(save(withFunction as Autoencoder, newDir())).rejects.toThrow(/save\.handle\.config\.hook = function hook: expected JSON data/);
    ae.dispose();
  });
});

describe('registry', () => {
  /** A GAN-shaped handle: two models, no model/encoder/decoder. */
  interface Pair extends SavableHandle {
    readonly generator: tfl.LayersModel;
    readonly critic: tfl.LayersModel;
  }
  function pair(config: { units: number; seed: number }): Pair {
    const dense = (name: string, seed: number) =>
      tfl.sequential({
        name,
        layers: [tfl.layers.dense({ units: config.units, inputShape: [INPUT_DIM], name: `${name}_dense`, kernelInitializer: tfl.initializers.glorotUniform({ seed }) })],
      });
    const generator = dense('generator', config.seed);
    const critic = dense('critic', config.seed + 1);
    return {
      kind: 'pair',
      config: { ...config },
      generator,
      critic,
      dispose: () => {
        generator.dispose();
        critic.dispose();
      },
    };
  }

  it('saves and loads a kind with two parts (first at the top, the second in a subfolder)', async () => {
    defineModelKind<Pair>({
      kind: 'pair',
      rebuild: (config) => pair(config as { units: number; seed: number }),
      parts: (p) => ({ generator: p.generator, critic: p.critic }),
    });
    expect(registeredModelKinds()).toContain('pair');
    expect(() => defineModelKind<Pair>({ kind: 'pair', rebuild: (c) => pair(c as never), parts: () => ({}) })).toThrow(ConfigError);

    const original = pair({ units: 3, seed: 4 });
    // Different weights from what the rebuild initialises, so that the copy is what makes them equal.
    original.generator.setWeights(original.generator.getWeights().map((w) => tf.mul(w, 2)));
    original.critic.setWeights(original.critic.getWeights().map((w) => tf.add(w, 1)));
    const dir = newDir();
    const summary = await save(original, dir);
    expect(summary.parts).toEqual({ generator: join(dir, 'model.json'), critic: join(dir, 'critic', 'model.json') });
    expect((await readdir(join(dir, 'critic'))).sort()).toEqual(['model.json', 'weights.bin']);

    const loaded = await load<Pair>(dir);
    for (const part of ['generator', 'critic'] as const) {
      const [a, b] = [original[part].predict(x) as tf.Tensor, loaded[part].predict(x) as tf.Tensor];
      expectBitwiseEqual(a, b);
      tf.dispose([a, b]);
    }
    loaded.dispose();

    // A single IOHandler cannot hold two parts; one per part can.
    const memory = new Map<string, tf.io.ModelArtifacts>();
    const handler = (name: string): tf.io.IOHandler => ({
      save: async (a) => {
        memory.set(name, a);
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      },
      load: async () => memory.get(name)!,
    });
    await expect(save(original, handler('one'))).rejects.toThrow(/one tf\.io\.IOHandler per part .*2 parts/);
    await save(original, { generator: handler('g'), critic: handler('c') });
    const fromMemory = await load<Pair>({ generator: handler('g'), critic: handler('c') });
    const [a, b] = [original.critic.predict(x) as tf.Tensor, fromMemory.critic.predict(x) as tf.Tensor];
    expectBitwiseEqual(a, b);
    tf.dispose([a, b]);
    fromMemory.dispose();

    // Losing the subfolder is reported by file.
    await rm(join(dir, 'critic'), { recursive: true });
    await expectFileError(load(dir), join('critic', 'model.json'), /the folder .*critic does not exist/);
    original.dispose();
  });
});

describe('version', () => {
  it("LATENTKIT_VERSION is package.json's version", () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(LATENTKIT_VERSION).toBe(pkg.version);
  });
});

describe('wasm backend', () => {
  it('round-trips an undercomplete AE bitwise on wasm', async () => {
    await useBackend('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const data = tf.randomUniform([32, INPUT_DIM], 0, 1, 'float32', 8);
    const ae = undercompleteAE({ inputDim: INPUT_DIM, hiddenUnits: [8], codeDim: 4, seed: 21 });
    await ae.fit(data, { epochs: 2, batchSize: 8, verbose: 0 });
    const dir = newDir();
    const tensorsBefore = tf.memory().numTensors;
    await save(ae, dir);
    const loaded = await load<Autoencoder>(dir);
    const [r1, r2] = [ae.reconstruct(data), loaded.reconstruct(data)];
    expectBitwiseEqual(r1, r2);
    const [z1, z2] = [ae.encode(data), loaded.encoder.predict(data) as tf.Tensor];
    expectBitwiseEqual(z1, z2);
    tf.dispose([r1, r2, z1, z2]);
    await loaded.fit(data, { epochs: 1, batchSize: 8, verbose: 0 });
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    ae.dispose();
    data.dispose();
  });
});

describe('conv autoencoders', () => {
  it('a conv AE and a conv denoising AE round-trip: same kind, config and reconstruction bitwise', async () => {
    const x = tf.randomUniform([4, 12, 10, 1], 0, 1, 'float32', 3);
    for (const ae of [
      convAE({ inputShape: [12, 10, 1], filters: [4, 4], padding: ['same', 'valid'], pooling: [0, 2], codeDim: 3, seed: 2 }),
      denoisingAE({ inputShape: [12, 10, 1], filters: [4], decoder: 'upsample', codeDim: 3, noise: { kind: 'masking', rate: 0.2 }, seed: 5 }),
    ]) {
      await ae.fit(x, { epochs: 1, verbose: 0 });
      const dir = newDir();
      await save(ae, dir);
      const loaded = await load<Autoencoder>(dir);
      expect(loaded.kind).toBe(ae.kind);
      expect(loaded.config).toEqual(ae.config);
      const [a, b] = [ae.reconstruct(x), loaded.reconstruct(x)];
      expect(Buffer.from((a.dataSync() as Float32Array).buffer).equals(Buffer.from((b.dataSync() as Float32Array).buffer))).toBe(true);
      tf.dispose([a, b]);
      loaded.dispose();
      ae.dispose();
    }
    x.dispose();
  });
});
