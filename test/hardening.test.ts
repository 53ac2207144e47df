/**
 * The cases of issue 11's defect classes 5-7 (wrong results without an error, misuse that was allowed, raw
 * errors), each asserting the latentkit error that names the parameter, and no tensor leaked.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lk from '../src/index.js';

let dir: string;
let x: tf.Tensor2D;

beforeAll(async () => {
  await lk.useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'latentkit-hardening-'));
  x = tf.randomUniform([8, 4], 0, 1, 'float32', 1) as tf.Tensor2D;
});

afterAll(async () => {
  x.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The error `call` throws (or rejects with), checking that no tensor is left behind. */
async function errorOf(call: () => unknown): Promise<Error> {
  const before = tf.memory().numTensors;
  let error: unknown;
  try {
    await call();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(lk.LatentkitError);
  expect(tf.memory().numTensors).toBe(before);
  return error as Error;
}

describe('wrong results without an error', () => {
  it('evaluate honours metric, for autoencoders and VAEs', async () => {
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
    const vae = lk.VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 1 });
    for (const m of [ae, vae]) {
      const out = m.reconstruct(x);
      const mse = tf.tidy(() => tf.mean(tf.square(tf.sub(x, out))).dataSync()[0]!);
      const eps = 1e-7;
      const p = tf.tidy(() => tf.clipByValue(out, eps, 1 - eps));
      const bce = tf.tidy(() => tf.neg(tf.mean(tf.add(tf.mul(x, tf.log(p)), tf.mul(tf.sub(1, x), tf.log(tf.sub(1, p)))))).dataSync()[0]!);
      const asked = m.evaluate(x, { metric: 'mse' });
      expect(asked.metric).toBe('mse');
      expect(asked.mean).toBeCloseTo(mse, 6);
      expect(lk.reconstructionError(m as lk.Autoencoder, x, { metric: 'binaryCrossentropy' }).mean).toBeCloseTo(bce, 4);
      expect(m.evaluate(x, { metric: 'binaryCrossentropy' }).mean).not.toBeCloseTo(asked.mean, 3);
      expect(() => m.evaluate(x, { metric: 'mae' as never })).toThrow(/evaluate.metric = "mae": expected one of "mse", "binaryCrossentropy"/);
      tf.dispose([out, p]);
    }
    ae.dispose();
    vae.dispose();
  });

  it('ragged, deeper and null-containing nested arrays are refused with the path of the bad element', async () => {
    const ae = lk.undercompleteAE({ inputDim: 2, codeDim: 1, seed: 1 });
    const cases: Array<[unknown, RegExp]> = [
      [[[1, 2], [3]], /x\[1\] = "an array of 1 values": expected 2 values, as x\[0\] has/],
      [[[1, 2], [3, [4]]], /x\[1\]\[1\] = \[4\]: expected a number at this depth, as x\[0\]\[0\] is \(found an array nested deeper/],
      [[[1, null]], /x\[0\]\[1\] = null: expected a number at this depth/],
      [[['a', 'b']], /x\[0\]\[0\] = "a": expected a number/],
      [[[1, 2], 3], /x\[1\] = 3: expected an array of 2 values at this depth/],
    ];
    for (const [data, message] of cases) {
      const e = await errorOf(() => ae.encode(data as never));
      expect(e).toBeInstanceOf(lk.InputError);
      expect(e.message).toMatch(message);
      expect((await errorOf(() => ae.fit(data as never, { verbose: 0 }))).message).toMatch(message);
    }
    const strings = tf.tensor([['a', 'b']]);
    expect((await errorOf(() => ae.encode(strings))).message).toMatch(/x = tensor of shape \[1, 2\] \(string\): expected a numeric tensor/);
    strings.dispose();
    ae.dispose();
  });

  it('interpolate refuses codes of different shapes', async () => {
    const e = await errorOf(() => lk.interpolate([[1, 2, 3, 4], [5, 6, 7, 8]], [1, 2, 3, 4, 5, 6, 7, 8]));
    expect(e.message).toMatch(/b = "a code of shape \[8\]": expected the shape of a, \[2, 4\]/);
    const ok = lk.interpolate([[1, 2]], [3, 4], { steps: 3 });
    expect(ok.shape).toEqual([3, 2]);
    ok.dispose();
  });

  it('a Bernoulli VAE refuses data outside [0, 1], saying which likelihood fits; a Gaussian one trains on it', async () => {
    const vae = lk.VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2, seed: 2 });
    const wide = tf.sub(tf.mul(x, 4), 2);
    for (const call of [() => vae.fit(wide, { verbose: 0 }), () => vae.elbo(wide)]) {
      const e = await errorOf(call);
      expect(e.message).toMatch(/x = .*: expected values in \[0, 1\] \(found min -\d.*, max \d.*\): likelihood 'bernoulli' .* likelihood: 'gaussian'/);
    }
    const gaussian = lk.VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2, likelihood: 'gaussian', outputActivation: 'linear', seed: 2 });
    const h = await gaussian.fit(wide, { epochs: 1, verbose: 0 });
    expect(Number.isFinite(h.loss[0])).toBe(true);
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, loss: 'binaryCrossentropy', seed: 1 });
    expect((await errorOf(() => ae.fit(wide, { verbose: 0 }))).message).toMatch(/loss 'binaryCrossentropy' compares probabilities/);
    expect((await errorOf(() => ae.evaluate(wide))).message).toMatch(/metric 'binaryCrossentropy' compares probabilities/);
    tf.dispose(wide);
    [vae, gaussian, ae].forEach((m) => m.dispose());
  });

  it('loadCsv refuses a value that float32 turns into Infinity, naming row and column', async () => {
    const e = await errorOf(() => lk.loadCsv('a,b\n1,2\n3,1e39\n'));
    expect(e.message).toMatch(/loadCsv row 2 \(line 3\), column "b" = "1e39": expected a number within float32 range/);
    const labels = await errorOf(() => lk.loadCsv('a,y\n1,0.5\n2,-4e38\n', { labelColumn: 'y' }));
    expect(labels.message).toMatch(/row 2 \(line 3\), column "y" = "-4e38"/);
  });

  it('a config is deeply frozen: mutating it throws, and the model still saves and loads', async () => {
    const ae = lk.undercompleteAE({ inputDim: 4, hiddenUnits: [3], codeDim: 2, seed: 1 });
    expect(() => (ae.config.hiddenUnits as number[]).push(5)).toThrow(TypeError);
    expect(() => ((ae.config as { codeDim: number }).codeDim = 3)).toThrow(TypeError);
    expect(ae.config.hiddenUnits).toEqual([3]);
    await lk.save(ae, join(dir, 'frozen'));
    const loaded = await lk.load<lk.Autoencoder>(join(dir, 'frozen'));
    expect(loaded.config).toEqual(ae.config);
    loaded.dispose();
    ae.dispose();
  });
});

describe('misuse that was allowed', () => {
  it('a second fit while one runs is refused', async () => {
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
    const first = ae.fit(x, { epochs: 2, verbose: 0 });
    const e = await errorOf(() => ae.fit(x, { epochs: 1, verbose: 0 }));
    expect(e.message).toMatch(/is already training: a fit call has not finished/);
    await first;
    expect(ae.epochsTrained).toBe(2);
    await ae.fit(x, { epochs: 1, verbose: 0 });
    expect(ae.epochsTrained).toBe(3);
    ae.dispose();
  });

  it('dispose during fit stops the training before its next step and frees everything', async () => {
    const before = tf.memory().numTensors;
    const gan = lk.GAN({ dataShape: [4], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 1 });
    let batches = 0;
    const running = gan.fit(x, {
      epochs: 5,
      batchSize: 2,
      verbose: 0,
      callbacks: {
        onBatchEnd: () => {
          if (++batches === 3) gan.dispose();
        },
      },
    });
    const e = await running.then(() => undefined, (err: unknown) => err as Error);
    expect(e).toBeInstanceOf(lk.LatentkitError);
    expect(e!.message).toMatch(/was disposed during fit: training stopped before its next step/);
    expect(batches).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("the tfjs models of a disposed handle throw latentkit's error", async () => {
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
    const { model, encoder } = ae;
    ae.dispose();
    for (const call of [() => model.predict(x), () => encoder.apply(x), () => model.getWeights(), () => model.save('x')]) {
      expect(call).toThrow(/latentkit: this model belongs to a undercomplete autoencoder that has been disposed/);
    }
    expect(() => ae.encode(x)).toThrow(/has been disposed/);
  });

  it('noise, early-stopping and fit options that make no sense are refused', async () => {
    expect(() => lk.saltAndPepperNoise({ rate: 0.1, low: 1, high: 0 })).toThrow(/saltAndPepperNoise.low = 1: expected at most high \(0\)/);
    expect(() => lk.noiseFromSpec({ kind: 'saltAndPepper', rate: 0.1, low: 2 })).toThrow(/noise.low = 2: expected at most high \(1\)/);
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
    expect((await errorOf(() => ae.fit(x, { earlyStopping: { minDelta: -0.1 }, verbose: 0 }))).message).toMatch(/fit.earlyStopping.minDelta = -0.1: expected a finite number in \[0, Infinity\]/);
    expect((await errorOf(() => ae.fit(x, { shuffle: 'no' as never }))).message).toMatch(/fit.shuffle = "no": expected true or false/);
    expect((await errorOf(() => ae.fit(x, 'fast' as never))).message).toMatch(/fit = "fast": expected an options object/);
    ae.dispose();
  });

  it('a config far beyond the parameter limit is refused before anything is allocated, unless allowLarge', async () => {
    const t0 = Date.now();
    const e = await errorOf(() => lk.undercompleteAE({ inputDim: 1e9, codeDim: 32 }));
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(e).toBeInstanceOf(lk.ConfigError);
    expect((e as lk.ConfigError).parameter).toBe('undercompleteAE.allowLarge');
    expect(e.message).toMatch(/about 6\.50e\+4 million parameters .* beyond the limit of 100 million/);
    expect((await errorOf(() => lk.VAE({ inputShape: [100000, 1000], latentDim: 2 }))).message).toMatch(/VAE.allowLarge/);
    expect((await errorOf(() => lk.GAN({ dataShape: [1e6], generatorUnits: [256] }))).message).toMatch(/GAN.allowLarge/);
    expect((await errorOf(() => lk.convAE({ inputShape: [4096, 4096, 3], filters: [8], strides: 1, codeDim: 64 }))).message).toMatch(/convAE.allowLarge/);
    // allowLarge is kept in the resolved config only when true, so that X(handle.config) rebuilds.
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, allowLarge: true, seed: 1 });
    expect(ae.config).toMatchObject({ allowLarge: true });
    const again = lk.undercompleteAE(ae.config);
    expect(again.config).toEqual(ae.config);
    [ae, again].forEach((m) => m.dispose());
  });
});

describe('raw errors turned into latentkit errors', () => {
  it('a handle where a model is expected, a model where a handle is expected', async () => {
    const ae = lk.undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
    expect((await errorOf(() => lk.embeddingOf(ae as never, 'code', x))).message).toMatch(/embeddingOf.model = .*this is a latentkit handle: pass its model/);
    expect((await errorOf(() => lk.reconstructionError(ae.model as never, x))).message).toMatch(/reconstructionError.ae = .*this is a tf.LayersModel/);
    ae.dispose();
  });

  it('a custom noise function returning the wrong shape: a ConfigError each time, and no tensor leaked', async () => {
    const dae = lk.denoisingAE({ inputDim: 4, codeDim: 2, noise: (t) => tf.slice(t, [0, 0], [-1, 3]), seed: 1 });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const e = await errorOf(() => dae.fit(x, { epochs: 1, verbose: 0 }));
      expect(e).toBeInstanceOf(lk.ConfigError);
      expect(e.message).toMatch(/denoisingAE.noise = function .*: expected a noise function returning a tensor of the input's shape \[\d+, 4\] \(it returned \[\d+, 3\]\)/);
    }
    expect(tf.memory().numTensors).toBe(before);
    dae.dispose();
  });

  it('file paths that are folders or run through files', async () => {
    const img = tf.zeros([1, 2, 2, 1]);
    const folder = join(dir, 'a-folder');
    await mkdir(folder, { recursive: true });
    expect((await errorOf(() => lk.saveImageGrid(folder, img))).message).toMatch(/saveImageGrid.path = .*a-folder": expected a path where a file can be written \(EISDIR/);
    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    expect((await errorOf(() => lk.writeReport(file, { title: 't', sections: [] }))).message).toMatch(/writeReport.dir = .*a-file\/index.html": expected a path where a file can be written \((ENOTDIR|EEXIST)/);
    expect((await errorOf(() => lk.loadCsv(folder))).message).toMatch(/loadCsv.textOrPath = .*EISDIR/);
    img.dispose();
  });
});

describe('oneHot on wasm', () => {
  it('gives ones and zeros (wasm ignored the float32 dtype of tf.oneHot)', async () => {
    await lk.useBackend('wasm');
    const y = lk.oneHot([0, 2, 1], 3);
    expect(y.dtype).toBe('float32');
    expect(Array.from(y.dataSync())).toEqual([1, 0, 0, 0, 0, 1, 0, 1, 0]);
    y.dispose();
    await lk.useBackend('cpu');
  });
});
