/**
 * UpsampledConv2D against the two layers it replaces (UpSampling2D + Conv2D 'same'), on cpu and wasm: the
 * same output and the same gradients with respect to the input, the kernel and the bias, for kernel sizes 1-5
 * (odd and even), factors 2, 3, 4 and unequal ones, several channel counts and activations; its weights are
 * the Conv2D's (names, shapes, initial values), and it saves and loads as a layer of its own. Stages with
 * filters x factor² <= 8 run all row phases as one convolution: the cases with 1 or 2 filters at factor 2 cover it.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, describe, expect, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { UpsampledConv2D } from '../../src/layers/upsampledConv.js';

interface Case {
  size: [number, number];
  k: number | [number, number];
  hw: [number, number];
  c: number;
  f: number;
  activation: 'linear' | 'relu' | 'sigmoid' | 'tanh';
}

const CASES: Case[] = [
  { size: [2, 2], k: 3, hw: [5, 4], c: 3, f: 2, activation: 'relu' },
  { size: [2, 2], k: 3, hw: [3, 3], c: 8, f: 1, activation: 'sigmoid' },
  { size: [4, 4], k: 3, hw: [3, 3], c: 4, f: 5, activation: 'relu' },
  { size: [2, 2], k: 1, hw: [4, 5], c: 2, f: 3, activation: 'linear' },
  { size: [2, 2], k: 2, hw: [4, 3], c: 2, f: 2, activation: 'tanh' },
  { size: [3, 3], k: 4, hw: [3, 4], c: 3, f: 2, activation: 'linear' },
  { size: [2, 2], k: 5, hw: [4, 4], c: 2, f: 3, activation: 'relu' },
  { size: [3, 2], k: [3, 2], hw: [3, 5], c: 2, f: 2, activation: 'linear' },
  { size: [1, 2], k: 3, hw: [4, 4], c: 2, f: 2, activation: 'linear' },
  { size: [2, 2], k: 3, hw: [1, 1], c: 2, f: 2, activation: 'linear' },
  // filters x factor² <= 8: all row phases as one convolution (kernelOptions.upsampledConvJoinPhases), unequal factors too.
  { size: [2, 3], k: [2, 3], hw: [3, 4], c: 3, f: 1, activation: 'sigmoid' },
  { size: [4, 2], k: 5, hw: [2, 3], c: 2, f: 1, activation: 'relu' },
];

const label = (c: Case) => `size [${c.size}], kernel ${c.k}, input ${c.hw.join('x')}x${c.c}, ${c.f} filters, ${c.activation}`;

/** The fused layer and the two-layer form as models with the same weights. */
function models(c: Case, seed: number): { fused: tfl.LayersModel; pair: tfl.LayersModel } {
  const input = tfl.input({ shape: [c.hw[0], c.hw[1], c.c] });
  const fusedOut = new UpsampledConv2D({
    size: c.size, filters: c.f, kernelSize: c.k, activation: c.activation, kernelInitializer: tfl.initializers.glorotUniform({ seed }), name: 'stage_conv',
  }).apply(input) as tfl.SymbolicTensor;
  const fused = tfl.model({ inputs: input, outputs: fusedOut });
  const input2 = tfl.input({ shape: [c.hw[0], c.hw[1], c.c] });
  const up = tfl.layers.upSampling2d({ size: c.size }).apply(input2) as tfl.SymbolicTensor;
  const conv = tfl.layers.conv2d({ filters: c.f, kernelSize: c.k, padding: 'same', activation: c.activation, name: 'pair_conv' }).apply(up) as tfl.SymbolicTensor;
  const pair = tfl.model({ inputs: input2, outputs: conv });
  // A non-zero bias, so that its gradient and its place in the sum are checked.
  const bias = tf.randomNormal([c.f], 0, 0.3, 'float32', seed + 1);
  fused.layers[1]!.setWeights([fused.layers[1]!.getWeights()[0]!, bias]);
  pair.layers[2]!.setWeights(fused.layers[1]!.getWeights());
  bias.dispose();
  return { fused, pair };
}

/** Output, and gradients of sum(output * r) with respect to the input, the kernel and the bias. */
function run(model: tfl.LayersModel, x: tf.Tensor, r: tf.Tensor): Float32Array[] {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const y = model.predict(x) as tf.Tensor;
  const xVar = tf.variable(x);
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(xVar) as tf.Tensor, r)) as tf.Scalar, [xVar, ...vars]);
  const out = [y, grads[xVar.name]!, ...vars.map((v) => grads[v.name]!)].map((t) => t.dataSync() as Float32Array);
  tf.dispose([y, xVar, value, ...Object.values(grads)]);
  return out;
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return diff / (1 + scale);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`UpsampledConv2D on ${backend}`, () => {
    it.each(CASES)('equals UpSampling2D + Conv2D forward and backward: $size $k $hw $c $f $activation', async (c) => {
      await useBackend(backend);
      const { fused, pair } = models(c, 3);
      const x = tf.randomNormal([2, c.hw[0], c.hw[1], c.c], 0, 1, 'float32', 5);
      const r = tf.randomNormal([2, c.hw[0] * c.size[0], c.hw[1] * c.size[1], c.f], 0, 1, 'float32', 6);
      const before = tf.memory().numTensors;
      const got = run(fused, x, r);
      expect(tf.memory().numTensors, 'no tensor left behind').toBe(before);
      const want = run(pair, x, r);
      const names = ['output', 'input gradient', 'kernel gradient', 'bias gradient'];
      got.forEach((g, i) => {
        expect(g.length, `${label(c)}: ${names[i]} size`).toBe(want[i]!.length);
        expect(maxRelDiff(g, want[i]!), `${label(c)}: ${names[i]}`).toBeLessThan(2e-6);
      });
      fused.dispose();
      pair.dispose();
      tf.dispose([x, r]);
    });
  });
}

describe('UpsampledConv2D weights and saving', () => {
  it("has the Conv2D's weights: names, shapes, order and seeded initial values", async () => {
    await useBackend('cpu');
    const input = tfl.input({ shape: [4, 4, 3] });
    const seeded = () => tfl.initializers.glorotUniform({ seed: 11 });
    const a = new UpsampledConv2D({ size: [2, 2], filters: 5, kernelSize: 3, kernelInitializer: seeded(), name: 'decoder_1_conv' });
    const b = tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', kernelInitializer: seeded(), name: 'decoder_1_conv' });
    tfl.model({ inputs: input, outputs: a.apply(input) as tfl.SymbolicTensor });
    tfl.model({ inputs: input, outputs: b.apply(tfl.layers.upSampling2d({ size: [2, 2] }).apply(input)) as tfl.SymbolicTensor });
    expect(a.weights.map((w) => [w.originalName, w.shape])).toEqual(b.weights.map((w) => [w.originalName, w.shape]));
    a.getWeights().forEach((w, i) => expect(Array.from(w.dataSync())).toEqual(Array.from(b.getWeights()[i]!.dataSync())));
  });

  it('saves and loads as its own layer class, predicting the same', async () => {
    await useBackend('cpu');
    const c = CASES[0]!;
    const { fused, pair } = models(c, 9);
    let artifacts: tf.io.ModelArtifacts | undefined;
    await fused.save({ save: async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }) });
    expect(JSON.stringify(artifacts!.modelTopology)).toContain('LatentkitUpsampledConv2D');
    const loaded = await tfl.loadLayersModel({ load: async () => artifacts! });
    const x = tf.randomNormal([1, c.hw[0], c.hw[1], c.c], 0, 1, 'float32', 2);
    const [p, q] = [fused.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(q.dataSync())).toEqual(Array.from(p.dataSync()));
    tf.dispose([x, p, q]);
    for (const m of [fused, pair, loaded]) m.dispose();
  });
});

afterAll(async () => {
  await useBackend('cpu');
});

describe('UpsampledConv2D arguments', () => {
  it('rejects a bad size, kernel size or filter count, naming it', () => {
    expect(() => new UpsampledConv2D({ size: [2, 0], filters: 2, kernelSize: 3 })).toThrow(/UpsampledConv2D\.size = \[2, 0\]: expected two positive integers/);
    expect(() => new UpsampledConv2D({ size: [2, 2], filters: 2, kernelSize: 2.5 })).toThrow(/UpsampledConv2D\.kernelSize = 2\.5/);
    expect(() => new UpsampledConv2D({ size: [2, 2], filters: 0, kernelSize: 3 })).toThrow(/UpsampledConv2D\.filters = 0/);
  });
});
