/**
 * Scratch benchmark: training throughput (examples/s, batch 32, SGD lr 0.01 momentum 0.95, MSE) of the
 * "exercise 8" conv autoencoder on wasm and cpu.
 *
 *   npx tsx bench/wasmConv.ts [--steps 40] [--backends wasm,cpu] [--models convT,upsample,separable] [--real]
 *     [--variant default|pad|noim2col|noswap|slowbpi|slowmatmul|slowresize|slowsum|original]
 *
 * Models (encoder Conv2D 32 3x3 s2 same relu -> Conv2D 32 3x3 s2 valid relu -> MaxPooling2D 2 -> Flatten ->
 * Dense 32 'code'; decoder Dense 7*7*32 relu -> Reshape [7,7,32] -> ... -> 28x28x1 sigmoid):
 *   convT      decoder Conv2DTranspose 32 3x3 s2 same relu -> Conv2DTranspose 1 3x3 s2 same sigmoid
 *   upsample   decoder UpSampling2D -> Conv2D 32 3x3 same relu -> UpSampling2D -> Conv2D 1 3x3 same sigmoid
 *   separable  encoder SeparableConv2D instead of Conv2D, decoder as upsample
 *   library, libraryUpsample  latentkit's convAE with these settings (decoder 'transpose' / 'upsample')
 * Wall-clock figures depend on what else runs on the machine; "per CPU-second" (examples / process CPU time)
 * is close to the figure on an idle core, since the wasm backend computes on one thread.
 * --variant switches the kernel decompositions (see kernelOptions in src/backend/wasm/util.ts);
 * 'original' keeps tfjs's own Conv2DBackpropInput, BatchMatMul, ResizeNearestNeighborGrad, Sum and Mean
 * (the missing kernels and the MaxPoolGrad / 'same'-padding corrections stay).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { useBackend, type BackendName } from '../src/backend/useBackend.js';
import { kernelOptions } from '../src/backend/wasm/util.js';
import { convAE } from '../src/index.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const BATCH = 32;
const steps = Number(opt('steps', '40'));
const backends = opt('backends', 'wasm,cpu').split(',') as BackendName[];
const models = opt('models', 'convT,upsample,separable,library,libraryUpsample').split(',');
const variant = opt('variant', 'default');
if (variant === 'pad') kernelOptions.filterGradPadding = 'pad';
if (variant === 'noim2col') kernelOptions.im2colMaxPatch = 0;
if (variant === 'slowbpi' || variant === 'original') kernelOptions.fastConv2DBackpropInput = false;
if (variant === 'slowmatmul' || variant === 'original') kernelOptions.fastBatchMatMul = false;
if (variant === 'slowresize' || variant === 'original') kernelOptions.fastResizeNearestNeighborGrad = false;
if (variant === 'slowsum' || variant === 'original') kernelOptions.fastLeadingReductions = false;
if (variant === 'noswap') kernelOptions.swapRatio = Infinity;
const real = args.includes('--real');

type Kind = 'convT' | 'upsample' | 'separable' | 'library' | 'libraryUpsample';

function build(kind: Kind, seed: number): tfl.LayersModel {
  if (kind === 'library' || kind === 'libraryUpsample') {
    // latentkit's own builder with the exercise-8 settings (its decoder mirrors the encoder and ends with a
    // 3x3 Conv2D to 1 channel).
    return convAE({
      inputShape: [28, 28, 1],
      filters: [32, 32],
      strides: 2,
      padding: ['same', 'valid'],
      pooling: [0, 2],
      codeDim: 32,
      seed,
      decoder: kind === 'library' ? 'transpose' : 'upsample',
    }).model;
  }
  let s = seed;
  const init = () => tfl.initializers.glorotUniform({ seed: s++ });
  const input = tfl.input({ shape: [28, 28, 1] });
  let h: tfl.SymbolicTensor;
  if (kind === 'separable') {
    h = tfl.layers
      .separableConv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', depthwiseInitializer: init(), pointwiseInitializer: init() })
      .apply(input) as tfl.SymbolicTensor;
    h = tfl.layers
      .separableConv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', depthwiseInitializer: init(), pointwiseInitializer: init() })
      .apply(h) as tfl.SymbolicTensor;
  } else {
    h = tfl.layers
      .conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() })
      .apply(input) as tfl.SymbolicTensor; // 14x14x32
    h = tfl.layers
      .conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: 'valid', activation: 'relu', kernelInitializer: init() })
      .apply(h) as tfl.SymbolicTensor; // 6x6x32
  }
  h = tfl.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tfl.SymbolicTensor; // 3x3x32
  h = tfl.layers.flatten().apply(h) as tfl.SymbolicTensor;
  const code = tfl.layers.dense({ units: 32, name: 'code', kernelInitializer: init() }).apply(h) as tfl.SymbolicTensor;
  let d = tfl.layers.dense({ units: 7 * 7 * 32, activation: 'relu', kernelInitializer: init() }).apply(code) as tfl.SymbolicTensor;
  d = tfl.layers.reshape({ targetShape: [7, 7, 32] }).apply(d) as tfl.SymbolicTensor;
  if (kind === 'convT') {
    d = tfl.layers
      .conv2dTranspose({ filters: 32, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() })
      .apply(d) as tfl.SymbolicTensor; // 14x14x32
    d = tfl.layers
      .conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same', activation: 'sigmoid', kernelInitializer: init() })
      .apply(d) as tfl.SymbolicTensor; // 28x28x1
  } else {
    d = tfl.layers.upSampling2d({ size: [2, 2] }).apply(d) as tfl.SymbolicTensor; // 14
    d = tfl.layers
      .conv2d({ filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() })
      .apply(d) as tfl.SymbolicTensor;
    d = tfl.layers.upSampling2d({ size: [2, 2] }).apply(d) as tfl.SymbolicTensor; // 28
    d = tfl.layers
      .conv2d({ filters: 1, kernelSize: 3, padding: 'same', activation: 'sigmoid', kernelInitializer: init() })
      .apply(d) as tfl.SymbolicTensor;
  }
  return tfl.model({ inputs: input, outputs: d });
}

function loadData(n: number): Float32Array {
  const out = new Float32Array(n * 784);
  if (real) {
    const require = createRequire(import.meta.url);
    const dir = require.resolve('mnist/package.json').replace(/package\.json$/, 'src/digits/');
    let k = 0;
    for (let digit = 0; k < n; digit = (digit + 1) % 10) {
      const flat = JSON.parse(readFileSync(`${dir}${digit}.json`, 'utf8')).data as number[];
      const count = Math.min(flat.length / 784, Math.ceil(n / 10));
      for (let i = 0; i < count && k < n; i++, k++) out.set(flat.slice(i * 784, (i + 1) * 784), k * 784);
    }
  } else {
    let s = 12345;
    for (let i = 0; i < out.length; i++) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      out[i] = s / 0x7fffffff;
    }
  }
  return out;
}

async function bench(backend: BackendName, kind: Kind, data: Float32Array, nSteps: number): Promise<{ exPerSec: number; medianExPerSec: number; cpuExPerSec: number; first: number; last: number }> {
  await useBackend(backend);
  const model = build(kind, 7);
  const optimizer = tf.train.momentum(0.01, 0.95);
  const vars = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const nBatches = data.length / 784 / BATCH;
  const step = (i: number): number => {
    const b = i % nBatches;
    const loss = tf.tidy(() => {
      const x = tf.tensor4d(data.subarray(b * BATCH * 784, (b + 1) * BATCH * 784), [BATCH, 28, 28, 1]);
      const cost = optimizer.minimize(() => {
        const y = model.apply(x, { training: true }) as tf.Tensor;
        return tf.mean(tf.squaredDifference(y, x)) as tf.Scalar;
      }, true, vars);
      return cost!;
    });
    const v = loss.dataSync()[0]!;
    loss.dispose();
    return v;
  };
  const warm = 3;
  let first = 0;
  for (let i = 0; i < warm; i++) first = step(i);
  const times: number[] = [];
  let last = 0;
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < nSteps; i++) {
    const t0 = performance.now();
    last = step(warm + i);
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  model.dispose();
  optimizer.dispose();
  const total = times.reduce((a, b) => a + b, 0) / 1000;
  const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)]! / 1000;
  return { exPerSec: (nSteps * BATCH) / total, medianExPerSec: BATCH / median, cpuExPerSec: (nSteps * BATCH) / cpuSeconds, first, last };
}

const data = loadData(BATCH * 20);
const load = (await import('node:os')).loadavg()[0]!;
console.log(`variant ${variant}, ${real ? 'real MNIST digits' : 'random data'}, load average ${load.toFixed(2)} on ${(await import('node:os')).cpus().length} cores`);
for (const kind of models as Kind[]) {
  for (const backend of backends) {
    const n = backend === 'cpu' ? Math.max(2, Math.ceil(steps / 10)) : steps;
    const r = await bench(backend, kind, data, n);
    console.log(
      `${kind.padEnd(10)} ${backend.padEnd(5)} ${r.exPerSec.toFixed(0).padStart(6)} examples/s mean, ${r.medianExPerSec.toFixed(0).padStart(6)} from the median step, ${r.cpuExPerSec.toFixed(0).padStart(6)} per CPU-second  (batch ${BATCH}, ${n} steps; loss ${r.first.toFixed(4)} -> ${r.last.toFixed(4)})`,
    );
  }
}
