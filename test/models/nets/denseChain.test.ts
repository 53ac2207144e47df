/**
 * The dense-chain fast path (`src/models/nets/denseChain.ts`): which models it takes, and that it gives
 * `model.apply`'s values and tfjs's gradients bit for bit, on cpu and on wasm, without leaking tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import { GAN, VAE, undercompleteAE, useBackend } from '../../../src/index.js';
import { kernelOptions } from '../../../src/backend/wasm/util.js';
import { denseChainOf } from '../../../src/models/nets/denseChain.js';
import { applyModel } from '../../../src/models/nets/apply.js';
import { onBackend } from '../../helpers/wasmKernels.js';

const glorot = (seed: number) => tfl.initializers.glorotUniform({ seed });
const biased = (seed: number) => tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed });

/** A sequential-style functional model of `layers` on `inputUnits` features. */
function chainModel(inputUnits: number, layers: tfl.layers.Layer[]): tfl.LayersModel {
  const input = tfl.input({ shape: [inputUnits] });
  const out = layers.reduce<tfl.SymbolicTensor>((h, l) => l.apply(h) as tfl.SymbolicTensor, input);
  return tfl.model({ inputs: input, outputs: out });
}

const dense = (units: number, activation: string, seed: number, useBias = true) =>
  tfl.layers.dense({ units, activation: activation as 'linear', useBias, kernelInitializer: glorot(seed), biasInitializer: biased(seed + 100) });

/** Every activation the chain knows, fused and not, as Dense activations and as layers of their own. */
function everyActivation(): tfl.LayersModel {
  return chainModel(6, [
    dense(7, 'tanh', 1),
    dense(5, 'relu', 2),
    dense(6, 'sigmoid', 3, false),
    dense(4, 'linear', 4),
    tfl.layers.leakyReLU({ alpha: 0.2 }),
    dense(5, 'linear', 5, false),
    tfl.layers.activation({ activation: 'tanh' }),
    dense(3, 'relu', 6),
    tfl.layers.activation({ activation: 'sigmoid' }),
  ]);
}

/** The loss's value, then its gradients with respect to x and to every trainable weight, as arrays. */
function valueAndGrads(model: tfl.LayersModel, x: tf.Tensor, chain: boolean): Float32Array[] {
  const saved = kernelOptions.denseChain;
  kernelOptions.denseChain = chain;
  try {
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const xv = tf.variable(x, true, `x_${Math.random()}`);
    // A weighted sum, so that every output feeds the gradient differently.
    const weights = tf.linspace(-1, 1, model.outputs[0]!.shape[1] as number);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(applyModel(model, xv, true), weights)) as tf.Scalar, [xv, ...vars]);
    const out = [value, grads[xv.name]!, ...vars.map((v) => grads[v.name]!)].map((t) => t.dataSync() as Float32Array);
    tf.dispose([value, ...Object.values(grads), xv, weights]);
    return out;
  } finally {
    kernelOptions.denseChain = saved;
  }
}

function specs(backend: 'cpu' | 'wasm'): void {
  describe(`on ${backend}`, () => {
    onBackend(backend);

    it('gives model.apply\'s values and the tape\'s gradients bit for bit, for every activation', () => {
      const model = everyActivation();
      expect(denseChainOf(model)?.steps).toHaveLength(9);
      const x = tf.randomNormal([9, 6], 0, 1, 'float32', 3);
      const viaTape = valueAndGrads(model, x, false);
      const viaChain = valueAndGrads(model, x, true);
      expect(viaChain).toHaveLength(2 + model.trainableWeights.length);
      viaChain.forEach((a, i) => expect(a, `output ${i}`).toEqual(viaTape[i]));
      // The gradients are not trivially equal: every weight moved the loss.
      for (const g of viaChain.slice(1)) expect(g.some((v) => v !== 0)).toBe(true);
      const y = applyModel(model, x, false);
      const yApply = model.apply(x) as tf.Tensor;
      expect(y.dataSync()).toEqual(yApply.dataSync());
      tf.dispose([x, y, yApply]);
      model.dispose();
    });

    it('leaves no tensor behind, with and without a gradient, and with a constant input', () => {
      const model = everyActivation();
      const x = tf.randomNormal([4, 6], 0, 1, 'float32', 5);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      valueAndGrads(model, x, true); // first use: caches, scalars
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        applyModel(model, x, false);
      });
      const { value, grads } = tf.variableGrads(() => tf.sum(applyModel(model, x, true, { input: false, weights: true })) as tf.Scalar, vars);
      // With a constant input only the weights have gradients (and the same ones as through the tape).
      expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose(x);
      model.dispose();
    });

    it("is how the dense GAN's nets train: the same weights after two epochs with the fast path on and off", async () => {
      const x = tf.randomUniform([48, 12], -1, 1, 'float32', 9);
      const weightsAfter = async (chain: boolean) => {
        const saved = kernelOptions.denseChain;
        kernelOptions.denseChain = chain;
        try {
          const gan = GAN({ dataShape: [12], zDim: 4, generatorUnits: [8], discriminatorUnits: [6], seed: 11 });
          await gan.fit(x, { epochs: 2, batchSize: 16, verbose: 0, balanceMonitor: false });
          const w = [...gan.generator.getWeights(), ...gan.discriminator.getWeights()].map((t) => Array.from(t.dataSync()));
          gan.dispose();
          return w;
        } finally {
          kernelOptions.denseChain = saved;
        }
      };
      const on = await weightsAfter(true);
      const off = await weightsAfter(false);
      expect(on).toEqual(off);
      x.dispose();
    });

    it('is how a dense autoencoder and a dense VAE train: the same weights with the fast path on and off', async () => {
      const x = tf.randomUniform([40, 10], 0, 1, 'float32', 4);
      const weightsAfter = async (chain: boolean) => {
        const saved = kernelOptions.denseChain;
        kernelOptions.denseChain = chain;
        try {
          const ae = undercompleteAE({ inputDim: 10, hiddenUnits: [6], codeDim: 3, seed: 2 });
          const vae = VAE({ inputShape: [10], hiddenUnits: [6], latentDim: 2, seed: 3 });
          await ae.fit(x, { epochs: 2, batchSize: 16, verbose: 0 });
          await vae.fit(x, { epochs: 2, batchSize: 16, verbose: 0 });
          const w = [...ae.model.getWeights(), ...vae.model.getWeights()].map((t) => Array.from(t.dataSync()));
          ae.dispose();
          vae.dispose();
          return w;
        } finally {
          kernelOptions.denseChain = saved;
        }
      };
      const on = await weightsAfter(true);
      expect(on).toEqual(await weightsAfter(false));
      x.dispose();
    });
  });
}

describe('denseChainOf', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it("takes a dense GAN's generator and discriminator score", () => {
    const gan = GAN({ dataShape: [20], zDim: 4, seed: 1 });
    const nets = (gan as unknown as { nets: { generator: tfl.LayersModel; score: tfl.LayersModel } }).nets;
    expect(denseChainOf(nets.generator)).toBeDefined();
    expect(denseChainOf(nets.score)).toBeDefined();
    gan.dispose();
  });

  it("takes a dense autoencoder's encoder and decoder, whose layers the whole model shares", () => {
    const ae = undercompleteAE({ inputDim: 12, hiddenUnits: [8], codeDim: 3, seed: 1 });
    expect(denseChainOf(ae.encoder)?.steps).toHaveLength(2);
    expect(denseChainOf(ae.decoder)?.steps).toHaveLength(2);
    // The whole model is a chain too (encoder and decoder layers in one line).
    expect(denseChainOf(ae.model)?.steps).toHaveLength(4);
    ae.dispose();
  });

  it('declines what it cannot compute: other layers, regularizers, constraints, several inputs, images', () => {
    const declined: Array<[string, tfl.LayersModel]> = [
      ['dropout', chainModel(4, [dense(3, 'tanh', 1), tfl.layers.dropout({ rate: 0.5 }), dense(2, 'linear', 2)])],
      ['batch norm', chainModel(4, [dense(3, 'linear', 1), tfl.layers.batchNormalization({})])],
      ['softmax', chainModel(4, [dense(3, 'softmax', 1)])],
      ['regularizer', chainModel(4, [tfl.layers.dense({ units: 3, kernelRegularizer: tfl.regularizers.l2({ l2: 0.1 }) })])],
      ['constraint', chainModel(4, [tfl.layers.dense({ units: 3, kernelConstraint: tfl.constraints.maxNorm({ maxValue: 1 }) })])],
      ['image input', tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [2, 4] })] })],
    ];
    const a = tfl.input({ shape: [3] });
    const b = tfl.input({ shape: [2] });
    const joined = tfl.layers.concatenate().apply([a, b]) as tfl.SymbolicTensor;
    declined.push(['two inputs', tfl.model({ inputs: [a, b], outputs: dense(2, 'linear', 3).apply(joined) as tfl.SymbolicTensor })]);
    for (const [what, model] of declined) {
      expect(denseChainOf(model), what).toBeUndefined();
      model.dispose();
    }
  });

  it('is off when its switch is off, and model.apply serves', () => {
    const model = chainModel(3, [dense(2, 'tanh', 1)]);
    const saved = kernelOptions.denseChain;
    kernelOptions.denseChain = false;
    try {
      expect(denseChainOf(model)).toBeUndefined();
    } finally {
      kernelOptions.denseChain = saved;
    }
    expect(denseChainOf(model)).toBeDefined();
    model.dispose();
  });

  it('leaves a second-order gradient (a gradient penalty) to the layers', () => {
    const model = chainModel(3, [dense(4, 'tanh', 1), dense(1, 'linear', 2)]);
    const x = tf.randomNormal([5, 3], 0, 1, 'float32', 2);
    const penalty = (chain: boolean) => {
      const saved = kernelOptions.denseChain;
      kernelOptions.denseChain = chain;
      try {
        const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(() => {
          const dx = tf.grad((xi: tf.Tensor) => tf.sum(applyModel(model, xi, true)))(x);
          return tf.sum(tf.square(dx)) as tf.Scalar;
        }, vars);
        // Only the weights tfjs can differentiate dD/dx by have a gradient (not the last bias).
        const out = [value, ...vars.filter((v) => grads[v.name]).map((v) => grads[v.name]!)].map((t) => Array.from(t.dataSync()));
        expect(out.length).toBeGreaterThan(1);
        tf.dispose([value, ...Object.values(grads)]);
        return out;
      } finally {
        kernelOptions.denseChain = saved;
      }
    };
    expect(penalty(true)).toEqual(penalty(false));
    x.dispose();
    model.dispose();
  });
});

specs('cpu');
specs('wasm');
