/**
 * The wasm training kernels (src/backend/wasmTrainingKernels.ts): gradients of tiny tfjs-layers models on
 * wasm agree with cpu to 1e-4 for every layer kind that needs them, conv models train on wasm, nothing
 * leaks, registration is idempotent.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { useBackend } from '../../src/backend/useBackend.js';
import { ensureTrainingKernels, setKernelReplacements } from '../../src/backend/kernels.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { countingConv2D, fixed, wasmDataIds } from '../helpers/wasmKernels.js';

const TOL = 1e-4;

type Init = ReturnType<typeof tfl.initializers.glorotUniform>;

type Build = () => tfl.LayersModel;

/** Seeded glorot-uniform initializers, seeds 1, 2, 3, ... in the order asked. */
function seeds(): () => Init {
  let s = 0;
  return () => tfl.initializers.glorotUniform({ seed: ++s });
}

/** Builds with `build` on the active backend and gives it the weights `from` (so every backend starts equal). */
function buildWith(build: Build, from?: Float32Array[]): tfl.LayersModel {
  const model = build();
  if (from) {
    const ws = model.getWeights().map((w, i) => tf.tensor(from[i]!, w.shape));
    model.setWeights(ws);
    tf.dispose(ws);
  }
  return model;
}

interface StepResult {
  weights: Float32Array[];
  grads: Float32Array[];
  loss: number;
}

/** Gradients of one MSE step on a fixed input/target, in `model.trainableWeights` order. */
function gradStep(model: tfl.LayersModel, inputShape: number[], positive = false): StepResult {
  const x = fixed(inputShape, 0, positive);
  const outShape = (model.outputs[0]!.shape as number[]).map((d, i) => (i === 0 ? inputShape[0]! : d));
  const target = fixed(outShape, 1, true);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const { value, grads } = tf.variableGrads(() => {
    const y = model.apply(x, { training: true }) as tf.Tensor;
    return tf.mean(tf.squaredDifference(y, target)) as tf.Scalar;
  }, vars);
  const result: StepResult = {
    weights: model.getWeights().map((w) => w.dataSync() as Float32Array),
    grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array),
    loss: value.dataSync()[0]!,
  };
  tf.dispose([x, target, value, ...Object.values(grads)]);
  return result;
}

/** max over elements of |a - b| / max(1, |a|): absolute for small values, relative for large ones. */
function maxDiff(a: Float32Array, b: Float32Array): number {
  expect(b.length).toBe(a.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return d;
}

/** Gradients on cpu and on wasm from the same weights; returns the worst disagreement. */
async function compareGrads(build: Build, inputShape: number[], positive = false): Promise<number> {
  await useBackend('cpu');
  const cpuModel = buildWith(build);
  const cpu = gradStep(cpuModel, inputShape, positive);
  cpuModel.dispose();
  await useBackend('wasm');
  const wasmModel = buildWith(build, cpu.weights);
  const wasm = gradStep(wasmModel, inputShape, positive);
  wasmModel.dispose();
  expect(Math.abs(wasm.loss - cpu.loss) / Math.max(1, Math.abs(cpu.loss))).toBeLessThan(TOL);
  let worst = 0;
  cpu.grads.forEach((g, i) => {
    expect(g.some((v) => v !== 0)).toBe(true); // a real gradient, not an all-zero placeholder
    worst = Math.max(worst, maxDiff(g, wasm.grads[i]!));
  });
  return worst;
}

/** A functional model: the layers applied in order to an input of the given shape (no batch dimension). */
function seq(inputShape: number[], layers: (init: () => Init) => tfl.layers.Layer[]): Build {
  return () => {
    const input = tfl.input({ shape: inputShape });
    let h: tfl.SymbolicTensor = input;
    for (const layer of layers(seeds())) h = layer.apply(h) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: h });
  };
}

type ConvArgs = Parameters<typeof tfl.layers.conv2d>[0];
/** Conv2D with a seeded kernel and a non-zero (seeded) bias. */
const conv = (init: () => Init, o: Omit<ConvArgs, 'kernelInitializer'>) =>
  tfl.layers.conv2d({ kernelInitializer: init(), biasInitializer: init(), ...o });

interface Case {
  name: string;
  inputShape: number[]; // with the batch dimension
  build: Build;
  positive?: boolean;
}

const CASES: Case[] = [
  ...(['same', 'valid'] as const).flatMap((padding) =>
    [1, 2].map((strides) => ({
      name: `Conv2D stride ${strides} ${padding} 27x27`,
      inputShape: [2, 27, 27, 3],
      build: seq([27, 27, 3], (init) => [conv(init, { filters: 4, kernelSize: 3, strides, padding, activation: 'relu' })]),
    })),
  ),
  ...(['same', 'valid'] as const).flatMap((padding) =>
    [1, 2].map((strides) => ({
      name: `Conv2D 3x2 kernel stride ${strides} ${padding} 7x5`,
      inputShape: [3, 7, 5, 2],
      build: seq([7, 5, 2], (init) => [conv(init, { filters: 5, kernelSize: [3, 2], strides, padding, activation: 'tanh' })]),
    })),
  ),
  {
    name: 'Conv2D stride [2,1], 1 input channel (im2col path), then 1 output channel (swapped path)',
    inputShape: [3, 11, 9, 1],
    build: seq([11, 9, 1], (init) => [
      conv(init, { filters: 8, kernelSize: 3, strides: [2, 1], padding: 'same', activation: 'relu' }),
      conv(init, { filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
    ]),
  },
  ...(['same', 'valid'] as const).map((padding) => ({
    name: `Conv2DTranspose stride 2 ${padding}`,
    inputShape: [2, 7, 5, 4],
    build: seq([7, 5, 4], (init) => [
      tfl.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding, activation: 'relu', kernelInitializer: init() }),
      tfl.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding, activation: 'sigmoid', kernelInitializer: init() }),
    ]),
  })),
  {
    name: 'SeparableConv2D (depth multiplier 2, stride 2 and 1)',
    inputShape: [2, 13, 11, 3],
    build: seq([13, 11, 3], (init) => [
      tfl.layers.separableConv2d({
        filters: 6,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        depthMultiplier: 2,
        activation: 'relu',
        depthwiseInitializer: init(),
        pointwiseInitializer: init(),
      }),
      tfl.layers.separableConv2d({
        filters: 4,
        kernelSize: 3,
        padding: 'valid',
        depthwiseInitializer: init(),
        pointwiseInitializer: init(),
      }),
    ]),
  },
  {
    name: 'DepthwiseConv2D (stride 2 same, stride 1 valid, multiplier 3)',
    inputShape: [2, 9, 10, 4],
    build: seq([9, 10, 4], (init) => [
      tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthwiseInitializer: init(), activation: 'relu' }),
      tfl.layers.depthwiseConv2d({ kernelSize: [2, 3], depthMultiplier: 3, padding: 'valid', depthwiseInitializer: init() }),
    ]),
  },
  {
    // Batch 1: tfjs-backend-cpu 4.22's ResizeNearestNeighborGrad is wrong for batch > 1 (it offsets dy by the
    // images' batch stride); wasm is checked against the exact adjoint below. BatchNormalization comes
    // before the activation so that max pooling sees no ties (cpu and wasm break ties differently).
    name: 'conv autoencoder: Conv2D, BatchNormalization, ZeroPadding2D, MaxPooling2D, UpSampling2D, Cropping2D',
    inputShape: [1, 14, 14, 1],
    positive: true,
    build: seq([14, 14, 1], (init) => [
      conv(init, { filters: 4, kernelSize: 3, strides: 2, padding: 'same' }), // 7x7
      tfl.layers.batchNormalization(),
      tfl.layers.activation({ activation: 'tanh' }),
      tfl.layers.zeroPadding2d({ padding: 1 }), // 9x9
      tfl.layers.maxPooling2d({ poolSize: 2 }), // 4x4
      tfl.layers.upSampling2d({ size: [2, 2] }), // 8x8
      conv(init, { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tfl.layers.upSampling2d({ size: [2, 2] }), // 16x16
      tfl.layers.cropping2D({ cropping: 1 }), // 14x14
      conv(init, { filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }),
    ]),
  },
  {
    name: 'dense autoencoder with leakyRelu and Reshape/Flatten',
    inputShape: [5, 4, 3],
    build: seq([4, 3], (init) => [
      tfl.layers.flatten(),
      tfl.layers.dense({ units: 6, kernelInitializer: init() }),
      tfl.layers.leakyReLU({ alpha: 0.2 }),
      tfl.layers.dense({ units: 2, activation: 'tanh', kernelInitializer: init() }),
      tfl.layers.dense({ units: 12, activation: 'sigmoid', kernelInitializer: init() }),
      tfl.layers.reshape({ targetShape: [4, 3] }),
    ]),
  },
];

describe('wasm training kernels', () => {
  it('the missing kernels are registered; useBackend("wasm") replaces the others; a second registration adds nothing', async () => {
    const info = await useBackend('wasm');
    for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput', 'UnsortedSegmentSum']) {
      expect(tf.getKernel(name, 'wasm')).toBeDefined();
    }
    expect(ensureTrainingKernels()).toEqual([]);
    expect(ensureTrainingKernels('wasm')).toEqual([]);
    expect((await useBackend('wasm')).addedKernels).toEqual([]);
    expect(info.name).toBe('wasm');
  });

  for (const c of CASES) {
    it(`gradients agree with cpu: ${c.name}`, async () => {
      const worst = await compareGrads(c.build, c.inputShape, c.positive);
      expect(worst).toBeLessThan(TOL);
    });
  }

  it('gradients agree with cpu: tf.gather (UnsortedSegmentSum), axis 0 and 1, repeated indices', async () => {
    const run = (): Float32Array[] => {
      const init = fixed([6, 5, 3], 0.3);
      const table = tf.variable(init);
      init.dispose();
      const idx0 = tf.tensor1d([4, 0, 4, 2, 5, 4], 'int32');
      const idx1 = tf.tensor2d([[1, 1], [4, 0]], [2, 2], 'int32');
      const weights = fixed([6, 2, 2, 3], 2);
      const { grads, value } = tf.variableGrads(() => {
        const a = tf.gather(table, idx0, 0);
        const b = tf.gather(table, idx1, 1);
        return tf.add(tf.sum(tf.square(a)), tf.sum(tf.mul(b, weights))) as tf.Scalar;
      }, [table]);
      const g = grads[table.name]!.dataSync() as Float32Array;
      tf.dispose([table, idx0, idx1, weights, value, ...Object.values(grads)]);
      return [g];
    };
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    const [tensors, dataIds] = [tf.memory().numTensors, wasmDataIds()];
    const wasm = run();
    expect(tf.memory().numTensors).toBe(tensors);
    expect(wasmDataIds()).toBe(dataIds);
    expect(maxDiff(cpu[0]!, wasm[0]!)).toBeLessThan(TOL);
    // Embedding (a gather of its table) trains on wasm
    const model = tfl.sequential({
      layers: [
        tfl.layers.embedding({ inputDim: 10, outputDim: 4, inputLength: 3, embeddingsInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
        tfl.layers.flatten(),
        tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
      ],
    });
    const ids = tf.tensor2d([[1, 2, 1], [9, 0, 2]], [2, 3], 'int32');
    const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
    const { grads, value } = tf.variableGrads(() => tf.mean(tf.square(model.apply(ids) as tf.Tensor)) as tf.Scalar, vars);
    const gEmb = grads[vars[0]!.name]!.arraySync() as number[][];
    expect(gEmb[1]!.some((v) => v !== 0)).toBe(true);
    expect(gEmb[3]!.every((v) => v === 0)).toBe(true); // row 3 was never looked up
    tf.dispose([ids, value, ...Object.values(grads)]);
    model.dispose();
  });

  it('UpSampling2D gradient (ResizeNearestNeighborGrad) on wasm is the exact adjoint, batch 3, factors 2 and 3', async () => {
    await useBackend('wasm');
    for (const [fh, fw] of [
      [2, 2],
      [3, 2],
    ] as const) {
      const [n, h, w, c] = [3, 5, 4, 2];
      const weights = fixed([n, h * fh, w * fw, c], 0.5);
      const wv = weights.dataSync();
      const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [h * fh, w * fw]), weights)))(
        tf.zeros([n, h, w, c]) as tf.Tensor4D,
      );
      const want = new Float32Array(n * h * w * c);
      for (let b = 0; b < n; b++)
        for (let y = 0; y < h * fh; y++)
          for (let x = 0; x < w * fw; x++)
            for (let k = 0; k < c; k++) {
              want[((b * h + Math.floor(y / fh)) * w + Math.floor(x / fw)) * c + k]! += wv[((b * h * fh + y) * w * fw + x) * c + k]!;
            }
      expect(maxDiff(want, g.dataSync() as Float32Array)).toBeLessThan(TOL);
      tf.dispose([weights, g]);
    }
  });

  it("UpSampling2D gradient's box sums are bit for bit the depthwise convolution with a ones filter they replace", async () => {
    await useBackend('wasm');
    // Blocks with XNNPACK's column-major kernels (2x2, 3x3, 5x5) and its row-major ones.
    for (const [shape, [fh, fw]] of [
      [[32, 3, 3, 32], [2, 2]],
      [[2, 4, 5, 3], [3, 2]],
      [[3, 2, 3, 5], [2, 3]],
      [[2, 3, 2, 9], [3, 3]],
      [[2, 2, 3, 4], [4, 4]],
      [[1, 2, 2, 3], [5, 5]],
      [[2, 3, 3, 4], [4, 2]],
      [[1, 2, 2, 4], [7, 7]],
      [[2, 3, 4, 4], [1, 2]],
    ] as Array<[[number, number, number, number], [number, number]]>) {
      const dy = tf.tidy(() => tf.mul(fixed([shape[0], shape[1] * fh, shape[2] * fw, shape[3]], 2), 1e3));
      const images = tf.zeros(shape);
      const sums = tf.engine().runKernel('ResizeNearestNeighborGrad', { images, dy }, { alignCorners: false, halfPixelCenters: false }) as tf.Tensor;
      const conv = tf.depthwiseConv2d(dy as tf.Tensor4D, tf.ones([fh, fw, shape[3], 1]) as tf.Tensor4D, [fh, fw], 'valid');
      expect(sums.shape).toEqual(shape);
      expect(Buffer.from(sums.dataSync().buffer).equals(Buffer.from(conv.dataSync().buffer)), `${shape} ${fh}x${fw}`).toBe(true);
      tf.dispose([dy, images, sums, conv]);
    }
  });

  it('MaxPooling2D gradient reaches windows whose values are all negative (wrong in tfjs-backend-wasm 4.22)', async () => {
    const run = (): Float32Array => {
      const x = tf.tensor4d([-3, -1, -2, -5, 4, -1, -7, -2, -0.5, -9, -8, -6, -1, -2, -3, -4, -4, -2], [1, 3, 6, 1]);
      const w = tf.tensor4d([1, 10, 100, 1000, 1e4, 1e5], [1, 3, 2, 1]);
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, [1, 3], 'same'), w)))(x);
      const out = g.dataSync() as Float32Array;
      tf.dispose([x, w, g]);
      return out;
    };
    await useBackend('cpu');
    const cpu = run();
    await useBackend('wasm');
    const wasm = run();
    expect(Array.from(wasm)).toEqual(Array.from(cpu));
    expect(wasm.reduce((a, v) => a + v, 0)).toBe(111111); // every window passed its gradient on
  });

  it('a transposed matMul gives the same bits whether latentkit computes C or Cᵀ (Dense gradients at batch 64)', async () => {
    await useBackend('wasm');
    const dy = fixed([64, 784], 1);
    const w = fixed([256, 784], 2);
    const x = fixed([64, 256], 3);
    // dX = dY·Wᵀ (latentkit computes (W·dYᵀ)ᵀ: less to move), dW = Xᵀ·dY, and Wᵀ·Xᵀ, each both ways.
    const products = () => [tf.matMul(dy, w, false, true), tf.matMul(x, dy, true, false), tf.matMul(w, x, true, true)];
    const chosen = products();
    kernelOptions.matMulOrientation = false;
    try {
      const direct = products();
      chosen.forEach((c, i) => expect(Buffer.from(c.dataSync().buffer).equals(Buffer.from(direct[i]!.dataSync().buffer)), `product ${i}`).toBe(true));
      tf.dispose(direct);
    } finally {
      kernelOptions.matMulOrientation = true;
    }
    setKernelReplacements(true);
    tf.dispose([...chosen, dy, w, x]);
  });

  it('an output stage\'s transposed convolution with its row phases joined is bit for bit the phases one by one, and leaves nothing behind', async () => {
    await useBackend('wasm');
    // The phases serve output stages with col2im's output stages off.
    kernelOptions.col2imOutputStages = false;
    onTestFinished(() => {
      kernelOptions.col2imOutputStages = true;
    });
    // [output shape, filter shape, strides, pad]: exercise 8's 3x3/2 'same' to one channel, DCGAN's 4x4/2,
    // 'valid' with odd sizes and 2 channels, unequal strides with a 5-row kernel (phases of 2 and 1 taps).
    const cases: Array<[[number, number, number, number], [number, number, number, number], [number, number], 'same' | 'valid']> = [
      [[4, 28, 28, 1], [3, 3, 1, 8], [2, 2], 'same'],
      [[3, 28, 28, 1], [4, 4, 1, 6], [2, 2], 'same'],
      [[3, 11, 9, 2], [3, 3, 2, 5], [2, 2], 'valid'],
      [[2, 13, 10, 1], [5, 4, 1, 3], [3, 2], 'same'],
    ];
    for (const [xs, fs, strides, pad] of cases) {
      const y = tf.conv2d(tf.zeros(xs) as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, strides, pad);
      const dy = fixed(y.shape, 3);
      const w = fixed(fs, 4);
      const tensors = tf.memory().numTensors;
      const dataIds = wasmDataIds();
      const [joined, joinedConvolutions] = countingConv2D(() => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, xs, strides, pad));
      expect(joinedConvolutions).toBe(1);
      kernelOptions.joinInputGradPhases = false;
      try {
        const [separate, phaseConvolutions] = countingConv2D(() => tf.conv2dTranspose(dy as tf.Tensor4D, w as tf.Tensor4D, xs, strides, pad));
        expect(phaseConvolutions).toBe(strides[0]);
        expect(joined.shape).toEqual(xs);
        expect(Buffer.from(joined.dataSync().buffer).equals(Buffer.from(separate.dataSync().buffer)), `${xs} ${fs} ${strides} ${pad}`).toBe(true);
        tf.dispose([joined, separate]);
      } finally {
        kernelOptions.joinInputGradPhases = true;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(wasmDataIds()).toBe(dataIds);
      tf.dispose([y, dy, w]);
    }
  });

  it('a filter gradient from gathered patches is bit for bit the dilated convolution\'s (or the one-hot convolution\'s patches), and leaves nothing behind', async () => {
    await useBackend('wasm');
    // [x shape, filter shape, strides, pad]: the conv VAE's 3x3/2 'same' (padding below and right), the conv
    // AE's 'valid' on 13x13 (rows never read), 'same' with padding on every side (odd sizes), stride 3 with a
    // non-square kernel, unequal strides, a strided 1x1.
    const cases: Array<[number[], [number, number, number, number], [number, number], 'same' | 'valid']> = [
      [[16, 14, 14, 32], [3, 3, 32, 64], [2, 2], 'same'],
      [[8, 13, 13, 32], [3, 3, 32, 32], [2, 2], 'valid'],
      [[3, 11, 9, 6], [3, 3, 6, 7], [2, 2], 'same'],
      [[2, 10, 11, 5], [4, 3, 5, 3], [3, 3], 'same'],
      [[2, 9, 12, 4], [2, 3, 4, 5], [1, 2], 'valid'],
      [[3, 8, 8, 20], [1, 1, 20, 9], [2, 2], 'valid'],
      // Small patches (kh*kw*C <= 16: a first layer on 1-channel images), gathered instead of a one-hot convolution.
      [[5, 28, 28, 1], [3, 3, 1, 8], [2, 2], 'same'],
      [[4, 28, 28, 1], [4, 4, 1, 6], [2, 2], 'same'],
      [[2, 9, 9, 1], [3, 3, 1, 4], [1, 1], 'same'],
    ];
    for (const [xs, fs, strides, pad] of cases) {
      const x = fixed(xs, 1);
      const y = tf.conv2d(x as tf.Tensor4D, tf.zeros(fs) as tf.Tensor4D, strides, pad);
      const dy = fixed(y.shape, 2);
      const grad = () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape: fs }) as tf.Tensor;
      const tensors = tf.memory().numTensors;
      const dataIds = wasmDataIds();
      const [gathered, convolutions] = countingConv2D(grad);
      expect(convolutions, 'the gathered path runs no convolution').toBe(0);
      kernelOptions.gatheredFilterGrad = false;
      try {
        const [dilated, dilatedConvolutions] = countingConv2D(grad);
        expect(dilatedConvolutions).toBe(1);
        expect(gathered.shape).toEqual(fs);
        expect(Buffer.from(gathered.dataSync().buffer).equals(Buffer.from(dilated.dataSync().buffer)), `${xs} ${fs} ${strides} ${pad}`).toBe(true);
        tf.dispose([gathered, dilated]);
      } finally {
        kernelOptions.gatheredFilterGrad = true;
      }
      expect(tf.memory().numTensors).toBe(tensors);
      expect(wasmDataIds()).toBe(dataIds);
      tf.dispose([x, y, dy]);
    }
  });

  it('no tensor leaks: engine and wasm heap hold the same tensors before and after the gradients', async () => {
    await useBackend('wasm');
    const picked = ['Conv2D stride 2 same 27x27', 'Conv2D stride [2,1]', 'Conv2DTranspose stride 2 same', 'SeparableConv2D', 'DepthwiseConv2D', 'conv autoencoder'];
    const builds = picked.map((p) => CASES.find((c) => c.name.startsWith(p))!);
    expect(builds.every((c) => c !== undefined)).toBe(true);
    for (const c of builds) {
      const model = buildWith(c.build);
      gradStep(model, c.inputShape, c.positive); // warm up (tfjs-layers caches some tensors on first use)
      const tensors = tf.memory().numTensors;
      const dataIds = wasmDataIds();
      gradStep(model, c.inputShape, c.positive);
      expect(tf.memory().numTensors, c.name).toBe(tensors);
      expect(wasmDataIds(), c.name).toBe(dataIds);
      model.dispose();
    }
  });

  it('three SGD steps of a conv autoencoder on wasm lower the loss', async () => {
    await useBackend('wasm');
    const init = seeds();
    const input = tfl.input({ shape: [12, 12, 1] });
    let h = conv(init, { filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    h = tfl.layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', depthwiseInitializer: init(), pointwiseInitializer: init() }).apply(h) as tfl.SymbolicTensor;
    h = tfl.layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(h) as tfl.SymbolicTensor;
    const out = conv(init, { filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid' }).apply(h) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: out });
    const x = fixed([8, 12, 12, 1], 0, true);
    const optimizer = tf.train.momentum(0.05, 0.9);
    const losses: number[] = [];
    for (let step = 0; step < 4; step++) {
      const loss = optimizer.minimize(() => tf.mean(tf.squaredDifference(model.apply(x, { training: true }) as tf.Tensor, x)) as tf.Scalar, true);
      losses.push(loss!.dataSync()[0]!);
      loss!.dispose();
    }
    expect(losses[3]!).toBeLessThan(losses[0]!);
    tf.dispose(x);
    optimizer.dispose();
    model.dispose();
  });
});
