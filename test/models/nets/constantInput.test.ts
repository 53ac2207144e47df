/**
 * The constant-input path (`src/models/nets/constantInput.ts`): which models it takes, that it gives
 * `model.apply`'s values and the tape's weight gradients bit for bit without computing the input's gradient,
 * on cpu and on wasm, that the conv autoencoder and the DCGAN train to the same weights with it on and off,
 * and that it leaves no tensor behind.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { GAN, VAE, convAE } from '../../../src/index.js';
import { kernelOptions } from '../../../src/backend/wasm/util.js';
import { constantInputPlan } from '../../../src/models/nets/constantInput.js';
import { applyModel } from '../../../src/models/nets/apply.js';
import { onBackend } from '../../helpers/wasmKernels.js';

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

/** Runs `f` with the switch set, then restores it. */
function withSwitch<T>(on: boolean, f: () => T): T {
  const saved = kernelOptions.constantInputConv;
  kernelOptions.constantInputConv = on;
  try {
    return f();
  } finally {
    kernelOptions.constantInputConv = saved;
  }
}

/** How many times a kernel ran (through the engine) during `f`. */
function kernelCalls<T>(name: string, f: () => T): [T, number] {
  const engine = tf.engine() as unknown as { runKernel: (n: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  let calls = 0;
  engine.runKernel = function (this: unknown, n: string, ...rest: unknown[]) {
    if (n === name) calls++;
    return original.call(this, n, ...rest);
  };
  try {
    return [f(), calls];
  } finally {
    engine.runKernel = original;
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
      const y = applyModel(model, x, true, false);
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
        expect(constantInputPlan(model), name).toBeDefined();
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
        applyModel(model, data, false, false);
      });
      expect(tf.memory().numTensors).toBe(before);
      data.dispose();
      model.dispose();
    });

    it('is how the conv autoencoder, the DCGAN, the conv VAE and the ACGAN train: the same weights after two epochs with it on and off', async () => {
      const x = tf.randomUniform([24, 8, 8, 1], 0, 1, 'float32', 5);
      const labels = tf.tensor1d(Array.from({ length: 24 }, (_, i) => i % 3), 'int32');
      const weightsAfter = async (on: boolean) => {
        const saved = kernelOptions.constantInputConv;
        kernelOptions.constantInputConv = on;
        try {
          const ae = convAE({ inputShape: [8, 8, 1], filters: [4, 6], strides: 2, decoder: 'transpose', codeDim: 3, seed: 1 });
          const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2 });
          const vae = VAE({ architecture: 'conv', inputShape: [8, 8, 1], filters: [4, 6], latentDim: 2, seed: 3 });
          const acgan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, conditioning: 'acgan', seed: 4 });
          expect(constantInputPlan(ae.encoder) !== undefined).toBe(on);
          await ae.fit(x, { epochs: 2, batchSize: 8, verbose: 0 });
          await gan.fit(x, { epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
          await vae.fit(x, { epochs: 2, batchSize: 8, verbose: 0 });
          await acgan.fit(x, { labels, epochs: 2, batchSize: 8, verbose: 0, balanceMonitor: false });
          const models = [ae.model, gan.generator, gan.discriminator, vae.model, acgan.generator, acgan.discriminator];
          const w = models.flatMap((m) => m.getWeights()).map((t) => Buffer.from(t.dataSync().buffer).toString('hex'));
          ae.dispose();
          gan.dispose();
          vae.dispose();
          acgan.dispose();
          return w;
        } finally {
          kernelOptions.constantInputConv = saved;
        }
      };
      const on = await weightsAfter(true);
      expect(on).toEqual(await weightsAfter(false));
      tf.dispose([x, labels]);
    });
  });
}

specs('cpu');
specs('wasm');

describe('constantInputPlan', () => {
  it("takes a conv autoencoder's encoder, a DCGAN's discriminator score, a conv VAE's encoder and an ACGAN's discriminator (two heads)", () => {
    const ae = convAE({ inputShape: [8, 8, 1], filters: [4], codeDim: 3, seed: 1 });
    const gan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], seed: 2 });
    const vae = VAE({ architecture: 'conv', inputShape: [8, 8, 1], filters: [4], latentDim: 2, seed: 3 });
    expect(constantInputPlan(ae.encoder)).toBeDefined();
    expect(constantInputPlan(gan.discriminator)).toBeDefined();
    expect(constantInputPlan(vae.encoder)?.outputs.length).toBe(2);
    const acgan = GAN({ architecture: 'dcgan', dataShape: [8, 8, 1], zDim: 4, generatorFilters: [8, 4], discriminatorFilters: [4, 8], numClasses: 3, conditioning: 'acgan', seed: 4 });
    expect(constantInputPlan(acgan.discriminator)?.outputs.length).toBe(2);
    acgan.dispose();
    ae.dispose();
    gan.dispose();
    vae.dispose();
  });

  it('declines what tfjs already prunes or it cannot compute: relu in the product, regularizers, dilations, a dense first layer, other readers of the input, several inputs', () => {
    const input = tfl.input({ shape: [6, 6, 1] });
    const first = conv({ padding: 'same' }, 1).apply(input) as tfl.SymbolicTensor;
    const skip = tfl.layers.add().apply([first, conv({ filters: 3, kernelSize: 1 }, 2).apply(input) as tfl.SymbolicTensor]) as tfl.SymbolicTensor;
    const a = tfl.input({ shape: [6, 6, 1] });
    const b = tfl.input({ shape: [6, 6, 1] });
    const declined: Array<[string, tfl.LayersModel]> = [
      ['relu fused into the product (unfused under a gradient: the tape prunes)', chainModel([6, 6, 1], [conv({ activation: 'relu' }, 1)])],
      ['kernel regularizer', chainModel([6, 6, 1], [conv({ kernelRegularizer: tfl.regularizers.l2() }, 1)])],
      ['dilation', chainModel([9, 9, 1], [conv({ dilationRate: 2 }, 1)])],
      ['dense first', chainModel([6, 6, 1], [tfl.layers.flatten(), tfl.layers.dense({ units: 2 })])],
      ['a second layer reading the input', tfl.model({ inputs: input, outputs: skip })],
      ['two inputs', tfl.model({ inputs: [a, b], outputs: tfl.layers.add().apply([conv({ filters: 1, padding: 'same' }, 3).apply(a) as tfl.SymbolicTensor, b]) as tfl.SymbolicTensor })],
    ];
    for (const [name, model] of declined) {
      expect(constantInputPlan(model), name).toBeUndefined();
      model.dispose();
    }
  });

  it('is off when its switch is off, and with an input gradient asked for model.apply serves', () => {
    const model = chainModel([6, 6, 1], [conv({}, 1), tfl.layers.flatten()]);
    withSwitch(false, () => expect(constantInputPlan(model)).toBeUndefined());
    expect(constantInputPlan(model)).toBeDefined();
    const data = tf.ones([2, 6, 6, 1]);
    const [, withGrad] = kernelCalls('Conv2DBackpropInput', () => tf.grad((x: tf.Tensor) => tf.sum(applyModel(model, x, true, true)))(data).dispose());
    expect(withGrad).toBe(1);
    data.dispose();
    model.dispose();
  });
});
