/**
 * The pre-apply finiteness check of `gradientStep`: a step whose loss or gradients are not finite is not
 * applied, for every model kind (autoencoders, VAEs, the GAN's discriminator and generator steps), on cpu
 * and wasm. After the TrainingError the weights and the optimizer's state are bitwise those from just
 * before the failing step, and no tensor is leaked.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GAN, TrainingError, VAE, denoisingAE, undercompleteAE, useBackend, type Callback } from '../../src/index.js';
import { FusedAdam, FusedMomentum, FusedRMSProp, FusedSGD, NonFiniteStepError, gradientStep } from '../../src/advanced.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';

/**
 * tfjs's own optimizer (what a user passes) and latentkit's fused ones (what `'adam'`, `'momentum'`,
 * `'sgd'`, `'rmsprop'` make): a refused step must leave the fused kernels' state untouched too.
 */
const OPTIMIZERS: Array<{ name: string; make: () => tf.Optimizer }> = [
  { name: 'tf.train.adam', make: () => tf.train.adam(0.01) },
  { name: 'FusedAdam', make: () => new FusedAdam(0.01, 0.9, 0.999, 1e-7) },
  { name: 'FusedMomentum', make: () => new FusedMomentum(0.01, 0.9) },
  { name: 'FusedRMSProp', make: () => new FusedRMSProp(0.01, 0.9, 0.1, 1e-7) },
  { name: 'FusedSGD', make: () => new FusedSGD(0.01) },
];

/** Every weight's bytes, and the optimizers' state's bytes. */
async function state(models: tfl.LayersModel[], optimizers: tf.Optimizer[]): Promise<string[]> {
  const bytes = (t: tf.Tensor) => Buffer.from((t.dataSync() as Float32Array).buffer.slice(0)).toString('base64');
  const weights = models.flatMap((m) => m.weights.map((w) => `${w.originalName} ${bytes(w.read())}`));
  const opt: string[] = [];
  for (const o of optimizers) {
    for (const w of await o.getWeights()) {
      opt.push(`${w.name} ${bytes(w.tensor)}`);
      // The iteration count comes as a new scalar; the moments are the optimizer's own variables.
      if (w.name === 'iter') w.tensor.dispose();
    }
  }
  return [...weights, ...opt];
}

/**
 * Makes `model.apply`'s `call`-th call (1-based, counted from now) return NaN, as a broken layer would.
 * Returns a function that undoes it.
 */
function poisonApply(model: tfl.LayersModel, call: number): () => void {
  const own = model.apply.bind(model);
  let calls = 0;
  model.apply = ((inputs: never, kwargs: never) => {
    const out = own(inputs, kwargs) as tf.Tensor | tf.Tensor[];
    if (++calls !== call) return out;
    return Array.isArray(out) ? out.map((t) => tf.mul(t, NaN)) : tf.mul(out, NaN);
  }) as typeof model.apply;
  return () => {
    model.apply = own;
  };
}

/** A callback that records the state at the beginning of batch `batch` (0-based) of the first epoch. */
function recorder(batch: number, models: () => tfl.LayersModel[], optimizers: tf.Optimizer[], calls: { arm(): void }) {
  const seen: { before?: string[] } = {};
  const cb: Callback = {
    async onBatchBegin(b) {
      if (b !== batch) return;
      seen.before = await state(models(), optimizers);
      calls.arm();
    },
  };
  return { cb, seen };
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`a non-finite step is not applied (${backend})`, () => {
    const x = () => tf.randomUniform([12, 4], 0, 1, 'float32', 3);
    // The models are applied by \`model.apply\` here (the dense-chain and pruned paths off), so that poisoning a
    // model's \`apply\` reaches the step; the chain's own cases are in the next describe.
    const paths = ['denseChain', 'constantInputProducts', 'constantWeightProducts'] as const;
    let saved = paths.map(() => true);
    beforeAll(() => {
      saved = paths.map((p) => kernelOptions[p]);
      for (const p of paths) kernelOptions[p] = false;
    });
    afterAll(() => {
      paths.forEach((p, i) => (kernelOptions[p] = saved[i]!));
    });

    it.each(OPTIMIZERS)('autoencoder, $name: the weights and the optimizer are those before the step, bitwise', async ({ make }) => {
      await useBackend(backend);
      const ae = undercompleteAE({ inputDim: 4, hiddenUnits: [3], codeDim: 2, seed: 1 });
      const data = x();
      const opt = make();
      // One epoch first, so that the optimizer holds its moments (they are the caller's, as the optimizer is).
      await ae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, verbose: 0 });
      let undo = () => {};
      const { cb, seen } = recorder(2, () => [ae.model], [opt], { arm: () => (undo = poisonApply(ae.encoder, 1)) });
      const before = tf.memory().numTensors;
      const err = await ae.fit(data, { epochs: 2, batchSize: 4, shuffle: false, optimizer: opt, callbacks: cb, verbose: 0 }).catch((e: unknown) => e);
      undo();
      expect(err).toBeInstanceOf(TrainingError);
      expect((err as TrainingError).message).toMatch(/loss is NaN at epoch 1, batch 3 of 3; that step was not applied/);
      expect([(err as TrainingError).epoch, (err as TrainingError).batch]).toEqual([1, 3]);
      expect(await state([ae.model], [opt])).toEqual(seen.before);
      expect(tf.memory().numTensors).toBe(before);
      // The model trains on from where it was.
      const h = await ae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, verbose: 0 });
      expect(Number.isFinite(h.loss[0])).toBe(true);
      opt.dispose();
      ae.dispose();
      data.dispose();
    });

    it('denoising autoencoder with an L1 penalty (kept logs are freed too)', async () => {
      await useBackend(backend);
      const ae = denoisingAE({ inputDim: 4, codeDim: 6, l1: 1e-3, noise: { kind: 'masking', rate: 0.2 }, seed: 2 });
      const data = x();
      const opt = tf.train.sgd(0.1);
      let undo = () => {};
      const { cb, seen } = recorder(1, () => [ae.model], [opt], { arm: () => (undo = poisonApply(ae.decoder, 1)) });
      const before = tf.memory().numTensors;
      const err = await ae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, callbacks: cb, verbose: 0 }).catch((e: unknown) => e);
      undo();
      expect(err).toBeInstanceOf(TrainingError);
      expect((err as Error).cause).toBeInstanceOf(NonFiniteStepError);
      expect(await state([ae.model], [opt])).toEqual(seen.before);
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      ae.dispose();
      data.dispose();
    });

    it('VAE: the weights and the optimizer are those before the step, bitwise', async () => {
      await useBackend(backend);
      const vae = VAE({ inputShape: [4], hiddenUnits: [3], latentDim: 2, klWarmupEpochs: 2, seed: 3 });
      const data = x();
      const opt = tf.train.adam(0.01);
      await vae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, verbose: 0 });
      let undo = () => {};
      const { cb, seen } = recorder(1, () => [vae.model], [opt], { arm: () => (undo = poisonApply(vae.encoder, 1)) });
      const before = tf.memory().numTensors;
      const err = await vae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, callbacks: cb, verbose: 0 }).catch((e: unknown) => e);
      undo();
      expect(err).toBeInstanceOf(TrainingError);
      expect(await state([vae.model], [opt])).toEqual(seen.before);
      expect(tf.memory().numTensors).toBe(before);
      opt.dispose();
      vae.dispose();
      data.dispose();
    });

    for (const [step, call] of [['discriminator', 1], ['generator', 2]] as const) {
      it(`GAN, ${step} step: nothing of that step is applied, bitwise`, async () => {
        await useBackend(backend);
        const gan = GAN({ dataShape: [2], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 4 });
        const data = tf.randomNormal([8, 2], 0, 1, 'float32', 5);
        const [dOpt, gOpt] = [tf.train.adam(0.01), tf.train.adam(0.01)];
        await gan.fit(data, { epochs: 1, batchSize: 4, dOptimizer: dOpt, gOptimizer: gOpt, verbose: 0 });
        const counts = { ...gan.updates };
        let undo = () => {};
        // In a batch the generator runs first for the discriminator's fakes, then for its own step.
        const g = recorder(1, () => [gan.generator], [gOpt], { arm: () => undefined });
        const d = recorder(1, () => [gan.discriminator], [dOpt], { arm: () => (undo = poisonApply(gan.generator, call)) });
        const before = tf.memory().numTensors;
        const err = await gan
          .fit(data, { epochs: 1, batchSize: 4, dOptimizer: dOpt, gOptimizer: gOpt, callbacks: [g.cb, d.cb], balanceMonitor: false, verbose: 0 })
          .catch((e: unknown) => e);
        undo();
        expect(err).toBeInstanceOf(TrainingError);
        expect((err as Error).message).toMatch(/NaN at epoch 1, batch 2 of 2; that step was not applied/);
        expect(tf.memory().numTensors).toBe(before);
        expect(await state([gan.generator], [gOpt])).toEqual(g.seen.before);
        if (step === 'discriminator') {
          expect(await state([gan.discriminator], [dOpt])).toEqual(d.seen.before);
          expect(gan.updates).toEqual({ discriminator: counts.discriminator + 1, generator: counts.generator + 1 });
        } else {
          // The discriminator's update of the batch came first, was finite, and stays.
          expect(await state([gan.discriminator], [dOpt])).not.toEqual(d.seen.before);
          expect(gan.updates).toEqual({ discriminator: counts.discriminator + 2, generator: counts.generator + 1 });
        }
        dOpt.dispose();
        gOpt.dispose();
        gan.dispose();
        data.dispose();
      });
    }
  });
}

/** Sets `kernel` to NaN when armed; the returned undo puts its values back. */
function poisonWeight(kernel: tf.Variable): { arm(): void; undo(): void } {
  let undo = () => {};
  return {
    arm: () => {
      const good = kernel.clone();
      const nan = tf.fill(kernel.shape, NaN);
      kernel.assign(nan);
      nan.dispose();
      undo = () => {
        kernel.assign(good);
        good.dispose();
      };
    },
    undo: () => undo(),
  };
}

describe('a non-finite step through the dense-chain and pruned paths is not applied', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`autoencoder with dense-chain encoder and decoder, a NaN encoder weight: the step is refused (${backend})`, async () => {
      await useBackend(backend);
      const ae = undercompleteAE({ inputDim: 4, hiddenUnits: [3], codeDim: 2, seed: 1 });
      const data = tf.randomUniform([12, 4], 0, 1, 'float32', 3);
      const opt = tf.train.adam(0.01);
      await ae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, verbose: 0 });
      const poison = poisonWeight(ae.encoder.trainableWeights[0]!.read() as tf.Variable);
      const { cb, seen } = recorder(1, () => [ae.model], [opt], poison);
      const before = tf.memory().numTensors;
      const err = await ae.fit(data, { epochs: 1, batchSize: 4, optimizer: opt, callbacks: cb, verbose: 0 }).catch((e: unknown) => e);
      poison.undo();
      expect(err).toBeInstanceOf(TrainingError);
      expect((err as Error).message).toMatch(/loss is NaN at epoch 1, batch 2 of 3; that step was not applied/);
      expect(tf.memory().numTensors).toBe(before);
      expect(await state([ae.model], [opt])).toEqual(seen.before);
      data.dispose();
      opt.dispose();
      ae.dispose();
    });

    it(`GAN with dense-chain nets, a NaN generator weight: the discriminator step is refused (${backend})`, async () => {
      await useBackend(backend);
      const gan = GAN({ dataShape: [2], zDim: 2, generatorUnits: [3], discriminatorUnits: [3], seed: 4 });
      await discriminatorStepRefused(gan, tf.randomNormal([8, 2], 0, 1, 'float32', 5));
    });

    it(`DCGAN through the pruned path (src/models/nets/pruned.ts), a NaN generator weight: the discriminator step is refused (${backend})`, async () => {
      await useBackend(backend);
      const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 4 });
      // Batch norm's moving statistics, which the generator's forward pass writes before any check, are put
      // back too: the whole state is compared.
      await discriminatorStepRefused(gan, tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 5));
    });
  }
});

/**
 * After a first epoch, a NaN in the generator's first weight from the second batch on: the epoch ends in a
 * TrainingError at batch 2 with both nets and optimizers as before that batch (lines matching `unchecked`
 * left out), and no tensor left behind. Disposes the GAN and the data.
 */
async function discriminatorStepRefused(gan: ReturnType<typeof GAN>, data: tf.Tensor, unchecked?: RegExp): Promise<void> {
  const [dOpt, gOpt] = [tf.train.adam(0.01), tf.train.adam(0.01)];
  await gan.fit(data, { epochs: 1, batchSize: 4, dOptimizer: dOpt, gOptimizer: gOpt, verbose: 0, balanceMonitor: false });
  const poison = poisonWeight(gan.generator.trainableWeights[0]!.read() as tf.Variable);
  const g = recorder(1, () => [gan.generator], [gOpt], { arm: () => undefined });
  const d = recorder(1, () => [gan.discriminator], [dOpt], poison);
  const before = tf.memory().numTensors;
  const err = await gan
    .fit(data, { epochs: 1, batchSize: 4, dOptimizer: dOpt, gOptimizer: gOpt, callbacks: [g.cb, d.cb], balanceMonitor: false, verbose: 0 })
    .catch((e: unknown) => e);
  poison.undo();
  expect(err).toBeInstanceOf(TrainingError);
  expect((err as Error).message).toMatch(/NaN at epoch 1, batch 2 of 2; that step was not applied/);
  expect(tf.memory().numTensors).toBe(before);
  const checked = (lines: string[] | undefined) => (unchecked ? lines?.filter((l) => !unchecked.test(l)) : lines);
  expect(checked(await state([gan.generator], [gOpt]))).toEqual(checked(g.seen.before));
  expect(await state([gan.discriminator], [dOpt])).toEqual(d.seen.before);
  data.dispose();
  dOpt.dispose();
  gOpt.dispose();
  gan.dispose();
}

describe('gradientStep on its own', () => {
  it('refuses a NaN loss and an infinite gradient, naming them, applying nothing and freeing the kept logs', async () => {
    await useBackend('cpu');
    const v = tf.variable(tf.tensor1d([1, 2, 3]), true, 'v');
    const w = tf.variable(tf.tensor1d([4]), true, 'w');
    const opt = tf.train.adam(0.1);
    const before = tf.memory().numTensors;
    const kept: Record<string, tf.Tensor> = {};
    expect(() =>
      gradientStep(opt, [v, w], () => {
        kept['extra'] = tf.keep(tf.scalar(1));
        return tf.mul(tf.sum(v), NaN) as tf.Scalar;
      }, kept),
    ).toThrow(/a gradient step was not applied: loss is NaN/);
    expect(kept['extra']!.isDisposed).toBe(true);
    // sqrt at 0 has an infinite derivative: the loss is finite, the gradient of w is not.
    const err = (() => {
      try {
        gradientStep(opt, [v, w], () => tf.reshape(tf.add(tf.sum(v), tf.sqrt(tf.sub(w, 4))), []) as tf.Scalar);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(NonFiniteStepError);
    expect((err as NonFiniteStepError).what).toMatch(/the gradient of 'w' is not finite \(Infinity; the loss is 6\)/);
    expect(Array.from(v.dataSync())).toEqual([1, 2, 3]);
    expect(Array.from(w.dataSync())).toEqual([4]);
    expect((opt as unknown as { iterations_?: number }).iterations_ ?? 0).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const loss = gradientStep(opt, [v], () => tf.sum(tf.square(v)) as tf.Scalar);
    expect(loss.dataSync()[0]).toBe(14);
    expect(v.dataSync()[0]).not.toBe(1);
    loss.dispose();
    opt.dispose();
    tf.dispose([v, w]);
  });
});
