/**
 * The pruned path (`src/models/nets/pruned.ts`, and the dense chain's pruning): which models it takes; that
 * with a constant input it gives `model.apply`'s values and the tape's weight gradients bit for bit without
 * the input's gradient, and with constant weights the value and the input's gradient without the weights';
 * on cpu and on wasm; that the conv autoencoder, the GANs and the conv VAE train to the same weights with it
 * on and off; and that it leaves no tensor behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { GAN, VAE, convAE, undercompleteAE } from '../../../src/index.js';
import { kernelOptions } from '../../../src/backend/wasm/util.js';
import { prunedPlan } from '../../../src/models/nets/pruned.js';
import { applyModel } from '../../../src/models/nets/apply.js';
import { kernelCalls, onBackend } from '../../helpers/wasmKernels.js';

const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });
const biased = (seed: number) => tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed });

type ConvArgs = Parameters<typeof tfl.layers.conv2d>[0];
const conv = (args: Partial<ConvArgs>, seed: number) =>
  tfl.layers.conv2d({ filters: 3, kernelSize: 3, kernelInitializer: glorot(seed), biasInitializer: biased(seed + 100), ...args } as ConvArgs);

/** A chain of `layers` on [h, w, c] images. */
function chainModel(shape: number[], layers: tfl.layers.Layer[]): tfl.LayersModel {
  const input = tfl.input({ shape });
  const out = layers.reduce<tfl.SymbolicTensor>((h, l) => l.apply(h) as tfl.SymbolicTensor, input);
  return tfl.model({ inputs: input, outputs: out });
}

type Switch = 'constantInputProducts' | 'constantWeightProducts' | 'denseChain';
const SWITCHES: Switch[] = ['constantInputProducts', 'constantWeightProducts', 'denseChain'];

/** Runs `f` with the switches set (all of them by default), then restores them. */
function withSwitch<T>(on: boolean, f: () => T, names: readonly Switch[] = SWITCHES): T {
  const saved = names.map((n) => kernelOptions[n]);
  for (const n of names) kernelOptions[n] = on;
  try {
    return f();
  } finally {
    names.forEach((n, i) => (kernelOptions[n] = saved[i]!));
  }
}
/** {@link withSwitch} for an async `f`. */
async function withSwitchAsync<T>(on: boolean, f: () => Promise<T>): Promise<T> {
  const saved = SWITCHES.map((n) => kernelOptions[n]);
  for (const n of SWITCHES) kernelOptions[n] = on;
  try {
    return await f();
  } finally {
    SWITCHES.forEach((n, i) => (kernelOptions[n] = saved[i]!));
  }
}

/**
 * The loss's value and its gradients with respect to every trainable weight, as arrays, and the number of
 * input gradients of convolutions computed. x is made inside the gradient's function (an intermediate of the
 * step, as a discriminator's packed batch is) and is a constant of it.
 */
function valueAndGrads(model: tfl.LayersModel, data: tf.Tensor): [Float32Array[], number] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const weights = tf.linspace(-1, 1, outputSize(model));
  const [{ value, grads }, inputGrads] = kernelCalls('Conv2DBackpropInput', () =>
    tf.variableGrads(() => {
      const x = tf.mul(data, 1);
      const y = applyModel(model, x, true, { input: false, weights: true });
      return tf.sum(tf.mul(tf.reshape(y, [y.shape[0]!, -1]), weights)) as tf.Scalar;
    }, vars),
  );
  const out = [value, ...vars.map((v) => grads[v.name]!)].map((t) => t.dataSync() as Float32Array);
  tf.dispose([value, ...Object.values(grads), weights]);
  return [out, inputGrads];
}
const outputSize = (model: tfl.LayersModel) => (model.outputs[0]!.shape.slice(1) as number[]).reduce((a, b) => a * b, 1);

function specs(backend: 'cpu' | 'wasm'): void {
  describe(`on ${backend}`, () => {
    onBackend(backend);

    it("gives model.apply's value and weight gradients bit for bit, and computes no input gradient", () => {
      const cases: Array<[string, () => tfl.LayersModel]> = [
        ['linear, stride 2 same, bias', () => chainModel([9, 9, 2], [conv({ strides: 2, padding: 'same' }, 1), tfl.layers.activation({ activation: 'relu' }), conv({ filters: 2 }, 2), tfl.layers.flatten()])],
        ['tanh after the product, valid, no bias', () => chainModel([8, 7, 1], [conv({ activation: 'tanh', useBias: false }, 3), tfl.layers.maxPooling2d({ poolSize: 2 }), tfl.layers.flatten(), tfl.layers.dense({ units: 3, kernelInitializer: glorot(4) })])],
        ['sigmoid, 5x5 stride 3, batch norm after', () => chainModel([11, 11, 3], [conv({ kernelSize: 5, strides: 3, activation: 'sigmoid', padding: 'same' }, 5), tfl.layers.batchNormalization(), tfl.layers.leakyReLU({ alpha: 0.2 })])],
      ];
      for (const [name, build] of cases) {
        const model = build();
        expect(prunedPlan(model)?.productOnInput, name).toBe(true);
        const data = tf.randomUniform([4, ...(model.inputs[0]!.shape.slice(1) as number[])], -1, 1, 'float32', 7);
        const [fast, fastInputGrads] = withSwitch(true, () => valueAndGrads(model, data));
        const [tape, tapeInputGrads] = withSwitch(false, () => valueAndGrads(model, data));
        expect(fast.length, name).toBe(tape.length);
        fast.forEach((a, i) => expect(Buffer.from(a.buffer).equals(Buffer.from(tape[i]!.buffer)), `${name}: value/gradient ${i}`).toBe(true));
        // The tape's fused convolution computes the first layer's input gradient; the constant-input path does not.
        expect(fastInputGrads, name).toBe(tapeInputGrads - 1);
        data.dispose();
        model.dispose();
      }
    });

    it('leaves no tensor behind, in training and in inference', () => {
      const model = chainModel([6, 6, 1], [conv({ strides: 2, padding: 'same' }, 8), tfl.layers.flatten()]);
      const data = tf.randomUniform([3, 6, 6, 1], 0, 1, 'float32', 1);
      valueAndGrads(model, data); // warm up
      const before = tf.memory().numTensors;
      const [values] = valueAndGrads(model, data);
      expect(values.length).toBe(3);
      tf.tidy(() => {
        applyModel(model, data, false, { input: false, weights: true });
      });
      expect(tf.memory().numTensors).toBe(before);
      data.dispose();
      model.dispose();
    });

    it('with constant weights gives the value and the input gradient bit for bit, and computes no weight gradient', () => {
      const cases: Array<[string, () => tfl.LayersModel, number]> = [
        // A DCGAN discriminator's shape: conv, LeakyReLU, strided conv, batch norm, flatten, dense score.
        ['conv, conv, batch norm, dense', () => chainModel([8, 8, 1], [conv({ strides: 2, padding: 'same' }, 1), tfl.layers.leakyReLU({ alpha: 0.2 }), conv({ kernelSize: 4, strides: 2, padding: 'same', filters: 4 }, 2), tfl.layers.batchNormalization(), tfl.layers.flatten(), tfl.layers.dense({ units: 2, kernelInitializer: glorot(3) })]), 3],
        ['tanh after the product, no bias; dense with sigmoid (bias added after)', () => chainModel([7, 6, 2], [conv({ activation: 'tanh', useBias: false }, 4), tfl.layers.flatten(), tfl.layers.dense({ units: 3, activation: 'sigmoid', kernelInitializer: glorot(5), biasInitializer: biased(6) })]), 2],
      ];
      for (const [name, build, products] of cases) {
        const model = build();
        expect(prunedPlan(model)?.hasProducts, name).toBe(true);
        const data = tf.randomUniform([4, ...(model.inputs[0]!.shape.slice(1) as number[])], -1, 1, 'float32', 7);
        const inputGrad = (): [Float32Array[], number] => {
          const weights = tf.linspace(-1, 1, outputSize(model));
          const [{ value, grad }, weightGrads] = kernelCalls(['Conv2DBackpropFilter', 'BatchMatMul'], () =>
            tf.valueAndGrad((x: tf.Tensor) => {
              const y = applyModel(model, x, true, { input: true, weights: false });
              return tf.sum(tf.mul(tf.reshape(y, [y.shape[0]!, -1]), weights)) as tf.Scalar;
            })(data),
          );
          const out = [value, grad].map((t) => t.dataSync() as Float32Array);
          tf.dispose([value, grad, weights]);
          return [out, weightGrads];
        };
        const [fast, fastCalls] = withSwitch(true, inputGrad);
        const [tape, tapeCalls] = withSwitch(false, inputGrad);
        fast.forEach((a, i) => expect(Buffer.from(a.buffer).equals(Buffer.from(tape[i]!.buffer)), `${name}: ${i ? 'input gradient' : 'value'}`).toBe(true));
        // The tape's fused products compute their weights' gradients (a filter gradient or a product each).
        expect(fastCalls, name).toBe(tapeCalls - products);
        data.dispose();
        model.dispose();
      }
    });

    it("computes no gradient for a frozen layer's weights, nor the input gradient that only reaches it", () => {
      const model = chainModel([6, 6, 1], [conv({ padding: 'same' }, 1), tfl.layers.leakyReLU({ alpha: 0.1 }), conv({ strides: 2 }, 2), tfl.layers.flatten()]);
      model.layers[1]!.trainable = false; // the first convolution, reading the data
      const data = tf.randomUniform([3, 6, 6, 1], -1, 1, 'float32', 2);
      const [fast, fastCalls] = withSwitch(true, () => valueAndGrads(model, data));
      const [tape, tapeCalls] = withSwitch(false, () => valueAndGrads(model, data));
      expect(fast.length).toBe(3); // the value, the second convolution's kernel and bias
      fast.forEach((a, i) => expect(Buffer.from(a.buffer).equals(Buffer.from(tape[i]!.buffer)), `value/gradient ${i}`).toBe(true));
      // The tape's second convolution computes its input gradient, which nothing trainable before it needs.
      expect(fastCalls).toBe(tapeCalls - 1);
      expect(fastCalls).toBe(0);
      const [, filterGrads] = withSwitch(true, () => kernelCalls('Conv2DBackpropFilter', () => valueAndGrads(model, data)));
      expect(filterGrads).toBe(1);
      data.dispose();
      model.dispose();
    });

    it('is how the autoencoders, the GANs and the conv VAE train: the same weights after two epochs with it on and off', async () => {
      const x = tf.randomUniform([24, 8, 8, 1], 0, 1, 'float32', 5);
      const flat = tf.reshape(x, [24, 64]);
      const labels = tf.tensor1d(Array.from({ length: 24 }, (_, i) => i % 3), 'int32');
      const weightsAfter = (on: boolean) =>
        withSwitchAsync(on, async () => {
          const ae = convAE({ inputShape: [8, 8, 1], filters: [4, 6], strides: 2, decoder: 'transpose', codeDim: 3, seed: 1 });
          const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2 });
          const vae = VAE({ architecture: 'conv', inputShape: [8, 8, 1], filters: [4, 6], latentDim: 2, seed: 3 });
          const acgan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, conditioning: 'acgan', seed: 4 });
          const denseGan = GAN({ dataShape: [64], zDim: 4, generatorUnits: [8], discriminatorUnits: [6], seed: 5 });
          const denseAe = undercompleteAE({ inputDim: 64, hiddenUnits: [6], codeDim: 3, seed: 6 });
          expect(prunedPlan(ae.encoder)?.productOnInput).toBe(true);
          await ae.fit(x, { epochs: 2, batchSize: 8, verbose: 0 });
          await gan.fit(x, { epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
          await vae.fit(x, { epochs: 2, batchSize: 8, verbose: 0 });
          await acgan.fit(x, { labels, epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
          await denseGan.fit(flat, { epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
          await denseAe.fit(flat, { epochs: 2, batchSize: 8, verbose: 0 });
          const nets = [ae.model, gan.generator, gan.discriminator, vae.model, acgan.generator, acgan.discriminator, denseGan.generator, denseGan.discriminator, denseAe.model];
          const w = nets.flatMap((m) => m.getWeights()).map((t) => Buffer.from(t.dataSync().buffer).toString('hex'));
          for (const m of [ae, gan, vae, acgan, denseGan, denseAe]) m.dispose();
          return w;
        });
      const on = await weightsAfter(true);
      expect(on).toEqual(await weightsAfter(false));
      tf.dispose([x, flat, labels]);
    });
  });
}

specs('cpu');
specs('wasm');

describe('prunedPlan', () => {
  it("takes a conv autoencoder's encoder, a DCGAN's generator and discriminator, a conv VAE's encoder and an ACGAN's discriminator (two heads)", () => {
    const ae = convAE({ inputShape: [8, 8, 1], filters: [4], codeDim: 3, seed: 1 });
    const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2 });
    const vae = VAE({ architecture: 'conv', inputShape: [8, 8, 1], filters: [4], latentDim: 2, seed: 3 });
    const acgan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, conditioning: 'acgan', seed: 4 });
    expect(prunedPlan(ae.encoder)?.productOnInput).toBe(true);
    expect(prunedPlan(gan.discriminator)?.productOnInput).toBe(true);
    // The generator's first layer is a Dense product on z.
    expect(prunedPlan(gan.generator)?.productOnInput).toBe(true);
    expect(prunedPlan(vae.encoder)?.outputs.length).toBe(2);
    expect(prunedPlan(acgan.discriminator)?.outputs.length).toBe(2);
    for (const m of [ae, gan, vae, acgan]) m.dispose();
  });

  it('leaves to tfjs what it already prunes or what it cannot compute: relu in the product, regularizers, constraints, dilations; declines several inputs', () => {
    const a = tfl.input({ shape: [6, 6, 1] });
    const b = tfl.input({ shape: [6, 6, 1] });
    const noProduct: Array<[string, tfl.LayersModel]> = [
      ['relu fused into the product (unfused under a gradient: the tape prunes)', chainModel([6, 6, 1], [conv({ activation: 'relu' }, 1)])],
      ['kernel constraint', chainModel([6, 6, 1], [conv({ kernelConstraint: tfl.constraints.maxNorm({ maxValue: 2 }) }, 1)])],
      ['kernel regularizer', chainModel([6, 6, 1], [conv({ kernelRegularizer: tfl.regularizers.l2() }, 1)])],
      ['dilation', chainModel([9, 9, 1], [conv({ dilationRate: 2 }, 1)])],
      ['dense relu after a flatten', chainModel([6, 6, 1], [tfl.layers.flatten(), tfl.layers.dense({ units: 2, activation: 'relu' })])],
    ];
    for (const [name, model] of noProduct) {
      expect(prunedPlan(model)?.hasProducts, name).toBe(false);
      model.dispose();
    }
    const twoInputs = tfl.model({ inputs: [a, b], outputs: tfl.layers.add().apply([conv({ filters: 1, padding: 'same' }, 3).apply(a) as tfl.SymbolicTensor, b]) as tfl.SymbolicTensor });
    expect(prunedPlan(twoInputs), 'two inputs').toBeUndefined();
    twoInputs.dispose();
  });

  it('is off when its switches are off, and with both gradients asked for model.apply serves', () => {
    const model = chainModel([6, 6, 1], [conv({}, 1), tfl.layers.flatten()]);
    const data = tf.ones([2, 6, 6, 1]);
    const inputGrads = (wants: { input: boolean; weights: boolean }, on: boolean) =>
      withSwitch(on, () => kernelCalls('Conv2DBackpropInput', () => tf.variableGrads(() => tf.sum(applyModel(model, tf.mul(data, 1), true, wants)) as tf.Scalar).grads))[1];
    expect(inputGrads({ input: false, weights: true }, true)).toBe(0);
    expect(inputGrads({ input: false, weights: true }, false)).toBe(1);
    expect(inputGrads({ input: true, weights: true }, true)).toBe(1);
    const [, withGrad] = kernelCalls('Conv2DBackpropInput', () => tf.grad((x: tf.Tensor) => tf.sum(applyModel(model, x, true)))(data).dispose());
    expect(withGrad).toBe(1);
    data.dispose();
    model.dispose();
  });
});
