/**
 * Prototypes that size the phase-2 training-step levers of issue 12 before they are built into
 * `src/train` and `src/models` (each prints the time of today's way and of the lever's way, same shapes as
 * the suites, forward + backward where the lever touches the gradient):
 *
 * - fused: Dense layers as matMul + add(bias) + activation (three kernels and their gradients, tfjs-layers'
 *   way when it does not fuse) against `tf.fused.matMul({ a, b, bias, activation })`, on the dense AE's
 *   layers at batch 64;
 * - adam: `tf.train.adam().applyGradients` on the dense AE's 8 variables (about 12 kernels per variable)
 *   against one Adam update over all parameters packed in one flat buffer (the same ~12 kernels once),
 *   against a plain loop over Float32Arrays (a lower bound for a fused wasm kernel is below this);
 * - upsample: exercise 8's UpSampling2D(2) + Conv2D 3x3 'same' against the equivalent convolution on the
 *   low-resolution input with 4x the output channels followed by a pixel shuffle (same FLOPs, no resize),
 *   and against four 2x2 convolutions, one per output phase (4/9 of the FLOPs);
 * - batchnorm: tfjs's batch-norm gradient (it tiles the scale to the input's shape) against the same
 *   arithmetic in broadcasting ops, on the DCGAN generator's batch norms;
 * - read: one `dataSync` of the loss scalar per step.
 *
 *   npx tsx bench/levers.ts [--threads 1] [--reps 30]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import * as os from 'node:os';
import { useBackend } from '../src/index.js';
import { FusedAdam } from '../src/advanced.js';
import { median } from './lib/harness.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPS = opt('reps', 30);

/**
 * Median ms of each of `fns` over REPS rounds (after 3 warm-up rounds), the functions interleaved within a
 * round and their order reversed every other round, so that load from other jobs hits all alike.
 * Each function must dispose what it makes.
 */
function times(...fns: Array<() => void>): number[] {
  for (let i = 0; i < 3; i++) fns.forEach((f) => f());
  const t: number[][] = fns.map(() => []);
  for (let r = 0; r < REPS; r++) {
    const order = fns.map((_, i) => i);
    if (r % 2) order.reverse();
    for (const i of order) {
      const t0 = performance.now();
      fns[i]!();
      t[i]!.push(performance.now() - t0);
    }
  }
  return t.map(median);
}

const report: string[] = [];
const line = (s: string) => {
  report.push(s);
  process.stdout.write(s + '\n');
};

type Act = 'relu' | 'sigmoid';
const DENSE: Array<[number, number, Act]> = [[784, 256, 'relu'], [256, 32, 'relu'], [32, 256, 'relu'], [256, 784, 'sigmoid']];

function fusedLever(): void {
  const B = 64;
  const x = tf.randomUniform([B, 784], 0, 1, 'float32', 1);
  const ws = DENSE.map(([i, o], k) => tf.variable(tf.randomNormal([i, o], 0, 0.05, 'float32', k + 2)));
  const bs = DENSE.map(([, o]) => tf.variable(tf.zeros([o])));
  const vars = [...ws, ...bs];
  const act = (t: tf.Tensor, a: Act) => (a === 'relu' ? tf.relu(t) : tf.sigmoid(t));
  const loss = (fused: boolean) => () => {
    let h: tf.Tensor = x;
    DENSE.forEach(([, , a], k) => {
      h = fused
        ? tf.fused.matMul({ a: h as tf.Tensor2D, b: ws[k]!, bias: bs[k], activation: a })
        : act(tf.add(tf.matMul(h as tf.Tensor2D, ws[k]!), bs[k]!), a);
    });
    return tf.mean(tf.squaredDifference(h, x)) as tf.Scalar;
  };
  const step = (fused: boolean) => () => {
    const { value, grads } = tf.variableGrads(loss(fused), vars);
    value.dispose();
    tf.dispose(Object.values(grads));
  };
  const [separate, fused] = times(step(false), step(true)) as [number, number];
  line(`| fused Dense (dense AE, 4 layers, batch 64, forward + gradients) | matMul + add + activation: ${separate.toFixed(2)} ms | tf.fused.matMul: ${fused.toFixed(2)} ms | ${(separate - fused).toFixed(2)} ms/step (${((100 * (separate - fused)) / separate).toFixed(0)}% of the layers' time) |`);
  tf.dispose([x, ...vars]);
}

function adamLever(): void {
  const shapes = DENSE.flatMap(([i, o]) => [[i, o], [o]]);
  const vars = shapes.map((s, k) => tf.variable(tf.randomNormal(s, 0, 0.05, 'float32', k), true, `lever_w${k}`));
  const grads = shapes.map((s, k) => tf.randomNormal(s, 0, 0.01, 'float32', 100 + k));
  const adam = tf.train.adam(1e-3);
  const named: tf.NamedTensorMap = Object.fromEntries(vars.map((v, k) => [v.name, grads[k]!]));
  const applyAdam = () => adam.applyGradients(named as Record<string, tf.Variable>);
  // latentkit's FusedAdam (lever 1, landed): one SIMD kernel per variable, on a second copy of the variables.
  const vars2 = shapes.map((s, k) => tf.variable(tf.randomNormal(s, 0, 0.05, 'float32', k), true, `lever_f${k}`));
  const fused = new FusedAdam(1e-3, 0.9, 0.999);
  const named2: tf.NamedTensorMap = Object.fromEntries(vars2.map((v, k) => [v.name, grads[k]!]));
  const applyFused = () => fused.applyGradients(named2 as Record<string, tf.Variable>);

  // One flat Adam over every parameter: pack the gradients, update flat m, v and weights with the same
  // ops tfjs's Adam uses, unpack into the variables (the packing and unpacking are counted).
  const sizes = shapes.map((s) => s.reduce((a, b) => a * b, 1));
  const total = sizes.reduce((a, b) => a + b, 0);
  const flatW = tf.variable(tf.concat(vars.map((v) => tf.reshape(v, [-1]))));
  const m = tf.variable(tf.zeros([total]));
  const v = tf.variable(tf.zeros([total]));
  let t = 0;
  const flatAdam = () => {
    t++;
    tf.tidy(() => {
      const g = tf.concat(grads.map((x) => tf.reshape(x, [-1])));
      const b1 = 0.9;
      const b2 = 0.999;
      m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
      const mHat = tf.div(m, 1 - b1 ** t);
      const vHat = tf.div(v, 1 - b2 ** t);
      flatW.assign(tf.sub(flatW, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-7)), 1e-3)));
      const parts = tf.split(flatW, sizes);
      parts.forEach((p, k) => vars[k]!.assign(tf.reshape(p, shapes[k]!)));
    });
  };

  // A plain loop over the same number of parameters (what one fused kernel has to do).
  const w = new Float32Array(total).fill(0.1);
  const gm = new Float32Array(total).fill(0.01);
  const mm = new Float32Array(total);
  const vv = new Float32Array(total);
  let tt = 0;
  const loopAdam = () => {
    tt++;
    const c1 = 1 / (1 - 0.9 ** tt);
    const c2 = 1 / (1 - 0.999 ** tt);
    for (let i = 0; i < total; i++) {
      const g = gm[i]!;
      const mi = (mm[i] = 0.9 * mm[i]! + 0.1 * g);
      const vi = (vv[i] = 0.999 * vv[i]! + 0.001 * g * g);
      w[i] = w[i]! - (1e-3 * mi * c1) / (Math.sqrt(vi * c2) + 1e-7);
    }
  };
  const [perVariable, flat, loop, fusedMs] = times(applyAdam, flatAdam, loopAdam, applyFused) as [number, number, number, number];
  line(
    `| Adam update (dense AE, 8 variables, ${total.toLocaleString('en-US')} parameters) | tf.train.adam: ${perVariable.toFixed(2)} ms | one flat Adam with tfjs ops: ${flat.toFixed(2)} ms; a JS loop over Float32Arrays: ${loop.toFixed(2)} ms; latentkit's FusedAdam (SIMD): ${fusedMs.toFixed(2)} ms | ${(perVariable - fusedMs).toFixed(2)} ms/step |`,
  );
  adam.dispose();
  fused.dispose();
  tf.dispose([...vars, ...vars2, ...grads, flatW, m, v]);
}

/** [B, H, W, 4C] -> [B, 2H, 2W, C], channel block (a, b) going to output phase (a, b). */
function pixelShuffle(x: tf.Tensor4D, c: number): tf.Tensor4D {
  const [b, h, w] = x.shape;
  const t = tf.reshape(x, [b, h, w, 2, 2, c]);
  return tf.reshape(tf.transpose(t, [0, 1, 3, 2, 4, 5]), [b, 2 * h, 2 * w, c]);
}

function upsampleLever(): void {
  const B = 32;
  const cases: Array<[string, number, number, number]> = [
    ['decoder stage 2: 6x6x32 -> 12x12x32', 6, 32, 32],
    ['output stage: 14x14x32 -> 28x28x1', 14, 32, 1],
  ];
  for (const [label, hw, cin, cout] of cases) {
    const x = tf.variable(tf.randomUniform([B, hw, hw, cin], 0, 1, 'float32', 3));
    const k3 = tf.variable(tf.randomNormal([3, 3, cin, cout], 0, 0.1, 'float32', 4));
    const k3x4 = tf.variable(tf.randomNormal([3, 3, cin, 4 * cout], 0, 0.1, 'float32', 5));
    const k2 = [0, 1, 2, 3].map((i) => tf.variable(tf.randomNormal([2, 2, cin, cout], 0, 0.1, 'float32', 6 + i)));
    const run = (f: () => tf.Scalar, vars: tf.Variable[]) => () => {
      const { value, grads } = tf.variableGrads(f, vars);
      value.dispose();
      tf.dispose(Object.values(grads));
    };
    const today = run(
      () => tf.sum(tf.conv2d(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2 * hw, 2 * hw]), k3 as tf.Tensor4D, 1, 'same')) as tf.Scalar,
      [x, k3],
    );
    const shuffled = run(() => tf.sum(pixelShuffle(tf.conv2d(x as tf.Tensor4D, k3x4 as tf.Tensor4D, 1, 'same'), cout)) as tf.Scalar, [x, k3x4]);
    // Output phase (a, b) reads low-res rows i-1+a..i+a and columns j-1+b..j+b: a 2x2 'valid' conv on the input padded by one.
    const phases = run(() => {
      const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      const outs = [0, 1].flatMap((a) =>
        [0, 1].map((b) => {
          const win = tf.slice(padded, [0, a, b, 0], [B, hw + 1, hw + 1, cin]);
          return tf.slice(tf.conv2d(win as tf.Tensor4D, k2[2 * a + b] as tf.Tensor4D, 1, 'valid'), [0, 0, 0, 0], [B, hw, hw, cout]);
        }),
      );
      return tf.sum(pixelShuffle(tf.concat(outs, 3) as tf.Tensor4D, cout)) as tf.Scalar;
    }, [x, ...k2]);
    const [tToday, tShuffled, tPhases] = times(today, shuffled, phases) as [number, number, number];
    line(
      `| UpSampling2D + Conv2D 3x3, ${label}, batch ${B} (forward + gradients) | resize + conv: ${tToday.toFixed(2)} ms | conv to 4x channels + pixel shuffle: ${tShuffled.toFixed(2)} ms; four 2x2 phase convs: ${tPhases.toFixed(2)} ms | ${(tToday - Math.min(tShuffled, tPhases)).toFixed(2)} ms/step |`,
    );
    tf.dispose([x, k3, k3x4, ...k2]);
  }
}

/**
 * Batch norm in training mode as tfjs-layers runs it (moments, then `tf.batchNorm`, whose gradient tiles
 * the scale to the input's shape) against the same arithmetic in broadcasting ops (whose gradients reduce
 * instead of tiling), on the DCGAN generator's two batch norms at batch 64.
 */
function batchNormLever(): void {
  for (const shape of [[64, 3136], [64, 14, 14, 32]]) {
    const c = shape.at(-1)!;
    const axes = shape.slice(0, -1).map((_, i) => i);
    const x = tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 9));
    const gamma = tf.variable(tf.ones([c]));
    const beta = tf.variable(tf.zeros([c]));
    const vars = [x, gamma, beta];
    const run = (f: () => tf.Scalar) => () => {
      const { value, grads } = tf.variableGrads(f, vars);
      value.dispose();
      tf.dispose(Object.values(grads));
    };
    // A loss that weighs outputs unevenly, so that no gradient is zero by symmetry.
    const w = tf.randomNormal(shape, 0, 1, 'float32', 10);
    const fused = run(() => {
      const { mean, variance } = tf.moments(x, axes);
      return tf.sum(tf.mul(tf.batchNorm(x, mean, variance, beta, gamma, 1e-3), w)) as tf.Scalar;
    });
    const broadcast = run(() => {
      const { mean, variance } = tf.moments(x, axes);
      const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-3))), gamma), beta);
      return tf.sum(tf.mul(y, w)) as tf.Scalar;
    });
    const [a, b] = times(fused, broadcast) as [number, number];
    line(`| batch norm, training mode, input ${JSON.stringify(shape)} (forward + gradients) | moments + tf.batchNorm: ${a.toFixed(2)} ms | broadcasting ops: ${b.toFixed(2)} ms | ${(a - b).toFixed(2)} ms per layer and step |`);
    tf.dispose([...vars, w]);
  }
}

function readLever(): void {
  const a = tf.randomUniform([64, 784]);
  const [each, none] = times(
    () => {
      const l = tf.mean(a);
      l.dataSync();
      l.dispose();
    },
    () => {
      tf.mean(a).dispose();
    },
  ) as [number, number];
  line(`| a per-step dataSync of the loss | mean + dataSync: ${each.toFixed(3)} ms | mean alone: ${none.toFixed(3)} ms | ${(each - none).toFixed(3)} ms/step |`);
  a.dispose();
}

async function main(): Promise<void> {
  const info = await useBackend('wasm', { threads: opt('threads', 1) });
  line(`Measured ${new Date().toISOString().slice(0, 16)} by \`npx tsx bench/levers.ts --threads ${info.threads}\` (wasm ${info.threads} thread(s), median of ${REPS}); load average ${os.loadavg().map((v) => v.toFixed(2)).join('/')}.`);
  line('');
  line('| lever | today | with the lever | saving |');
  line('| --- | --- | --- | --- |');
  fusedLever();
  adamLever();
  upsampleLever();
  batchNormLever();
  readLever();
}

await main();
