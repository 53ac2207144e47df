/**
 * Generated cases for the convolution kernels latentkit adds or replaces on wasm: tiny shapes, batches 1-3,
 * strides 1-4 (often larger than the kernel), pads 'same' / 'valid' / a number / explicit pairs, rounding
 * modes, dilations where tfjs allows them, and dy larger than the output size implies.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { randomTensor, runKernel } from './harness.js';
import type { HostTensor, KernelCase, Outcome, Rng } from './harness.js';
import type { KernelSpec } from './spec.js';

type Shape4 = [number, number, number, number];
type Pad = 'same' | 'valid' | number | backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil';

/** A forward convolution's geometry, as tfjs computes it. */
export interface Geometry {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  strides: [number, number];
  dilations: [number, number];
  pad: Pad;
  dimRoundingMode?: Rounding;
  info: backend_util.Conv2DInfo;
  tags: string[];
}

interface GeometryOptions {
  depthwise: boolean;
  /** Allow dilations > 1 (with strides 1, as tfjs requires). */
  dilations: boolean;
  /** Output channels (or the channel multiplier when depthwise) for a given input channel count. */
  outChannels: number;
  /** Input channels. */
  c: number;
  /** Force both strides to 1. */
  unitStrides?: boolean;
}

const kernelSize = (rng: Rng) => rng.weighted([[1, 15], [2, 25], [3, 40], [4, 20]] as const);
const strideSize = (rng: Rng) => rng.weighted([[1, 40], [2, 35], [3, 15], [4, 10]] as const);

/** TensorFlow's total 'same' padding along one axis (negative where a stride exceeds the kernel). */
const sameTotal = (size: number, k: number, s: number) => (Math.ceil(size / s) - 1) * s + k - size;

/** A random valid geometry (output at least 1x1). */
export function geometry(rng: Rng, o: GeometryOptions): Geometry {
  for (let attempt = 0; ; attempt++) {
    const tags: string[] = [];
    const n = rng.weighted([[1, 40], [2, 40], [3, 20]] as const);
    const h = rng.int(1, 10);
    const w = rng.chance(0.6) ? h : rng.int(1, 10);
    const kh = kernelSize(rng);
    const kw = rng.chance(0.7) ? kh : kernelSize(rng);
    let strides: [number, number] = [1, 1];
    let pad: Pad;
    let dimRoundingMode: Rounding | undefined;
    const wideSame = !o.unitStrides && rng.chance(0.2);
    if (wideSame) {
      // 'same' with a stride larger than the kernel: tfjs clamps a negative padding to 0.
      strides = [kh + rng.int(1, 2), kw + rng.int(1, 2)];
      pad = 'same';
    } else {
      if (!o.unitStrides) {
        const sh = strideSize(rng);
        strides = [sh, rng.chance(0.7) ? sh : strideSize(rng)];
      }
      const kind = rng.weighted([['same', 35], ['valid', 30], ['number', 15], ['explicit', 20]] as const);
      if (kind === 'number') {
        pad = rng.int(0, 2);
        if (rng.chance(0.4)) dimRoundingMode = rng.pick(['floor', 'round', 'ceil'] as const);
      } else if (kind === 'explicit') {
        pad = [[0, 0], [rng.int(0, 2), rng.int(0, 2)], [rng.int(0, 2), rng.int(0, 2)], [0, 0]];
      } else {
        pad = kind;
      }
    }
    let dilations: [number, number] = [1, 1];
    if (o.dilations && strides[0] === 1 && strides[1] === 1 && rng.chance(0.3)) dilations = [rng.int(1, 3), rng.int(1, 3)];
    const filterShape: Shape4 = [kh, kw, o.c, o.outChannels];
    const info = backend_util.computeConv2DInfo([n, h, w, o.c], filterShape, strides, dilations, pad, dimRoundingMode, o.depthwise);
    if (info.outHeight < 1 || info.outWidth < 1) {
      if (attempt > 200) throw new Error('no valid geometry');
      continue;
    }
    tags.push(`pad ${typeof pad === 'object' ? 'explicit' : typeof pad === 'number' ? 'number' : pad}`);
    if (dimRoundingMode) tags.push(`rounding ${dimRoundingMode}`);
    if (n > 1) tags.push('batch > 1');
    if (strides[0] > kh || strides[1] > kw) tags.push('stride > kernel');
    const [ekh, ekw] = [(kh - 1) * dilations[0] + 1, (kw - 1) * dilations[1] + 1];
    if (pad === 'same' && (sameTotal(h, ekh, strides[0]) < 0 || sameTotal(w, ekw, strides[1]) < 0)) tags.push('same, negative padding');
    if (dilations[0] > 1 || dilations[1] > 1) tags.push('dilated');
    // XNNPACK sizes its output from the input and padding; tfjs by its own rules (a numeric pad uses the
    // height's kernel and stride for the width too; 'ceil'/'round' rounding).
    const p = info.padInfo;
    // XNNPACK's rule: max(0, padded - kernel) / stride + 1, so a padded input smaller than the kernel still
    // gives one output, whose window reads past the input.
    const natural = (size: number, a: number, b: number, k: number, s: number) => Math.floor(Math.max(0, size + a + b - k) / s) + 1;
    const short = h + p.top + p.bottom < ekh || w + p.left + p.right < ekw;
    if (pad !== 'same' && (short || natural(h, p.top, p.bottom, ekh, strides[0]) !== info.outHeight || natural(w, p.left, p.right, ekw, strides[1]) !== info.outWidth)) {
      tags.push('tfjs size differs from XNNPACK size');
      const [nh, nw] = [natural(h, p.top, p.bottom, ekh, strides[0]), natural(w, p.left, p.right, ekw, strides[1])];
      if (nh * nw > info.outHeight * info.outWidth) tags.push('stock kernel writes past its output');
    }
    if (kh !== kw || strides[0] !== strides[1]) tags.push('non-square');
    return { n, h, w, c: o.c, kh, kw, strides, dilations, pad, ...(dimRoundingMode ? { dimRoundingMode } : {}), info, tags };
  }
}

/** dy for the geometry: the implied [N, outH, outW, channels], or (with probability p) larger. */
function dyFor(rng: Rng, g: Geometry, channels: number, p: number, tags: string[]): HostTensor {
  let [eh, ew] = [0, 0];
  if (rng.chance(p)) {
    eh = rng.int(0, 3);
    ew = rng.int(eh === 0 ? 1 : 0, 3);
    tags.push('dy larger than implied');
  }
  return randomTensor(rng, [g.n, g.info.outHeight + eh, g.info.outWidth + ew, channels]);
}

const common = (g: Geometry) => ({ strides: g.strides, pad: g.pad, ...(g.dimRoundingMode ? { dimRoundingMode: g.dimRoundingMode } : {}) });
const ACTIVATIONS = ['linear', 'relu', 'relu6', 'prelu', 'leakyrelu', 'sigmoid', 'elu'] as const;

/** Conv2D and FusedConv2D (forward). */
function forwardConv(fused: boolean, depthwise: boolean) {
  return (rng: Rng): KernelCase => {
    const c = rng.pick([1, 2, 3, 4, 6]);
    const out = depthwise ? rng.pick([1, 2, 3]) : rng.pick([1, 2, 3, 5, 8]);
    const g = geometry(rng, { depthwise, dilations: true, c, outChannels: out });
    const channels = depthwise ? c * out : out;
    const inputs: Record<string, HostTensor> = {
      x: randomTensor(rng, [g.n, g.h, g.w, c]),
      filter: randomTensor(rng, [g.kh, g.kw, c, out]),
    };
    const attrs: Record<string, unknown> = { ...common(g), dataFormat: 'NHWC', dilations: g.dilations };
    if (fused) {
      const activation = rng.pick(ACTIVATIONS);
      attrs['activation'] = activation;
      if (rng.chance(0.7)) inputs['bias'] = randomTensor(rng, [channels]);
      if (activation === 'prelu') inputs['preluActivationWeights'] = randomTensor(rng, [channels], 'float32', 0, 0.5);
      if (activation === 'leakyrelu') attrs['leakyreluAlpha'] = 0.05 + 0.3 * rng.float();
      g.tags.push(`activation ${activation}`);
    }
    return { inputs, attrs, tags: g.tags };
  };
}

/** Whether latentkit's Conv2DBackpropFilter takes its swapped path (kept in step with the kernel's rule). */
function swappedFits(g: Geometry, f: number): boolean {
  const { info } = g;
  const p = info.padInfo;
  return (
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    f * 4 <= g.c &&
    g.kh - 1 - p.top >= 0 &&
    g.h - info.outHeight + p.top >= 0 &&
    g.kw - 1 - p.left >= 0 &&
    g.w - info.outWidth + p.left >= 0
  );
}

/** Whether latentkit's Conv2DBackpropFilter takes its gathered-patches path (kept in step with the kernel's rule). */
function gatheredFits(g: Geometry): boolean {
  const [sh, sw] = [g.info.strideHeight, g.info.strideWidth];
  return (sh > 1 || sw > 1) && g.kh * g.kw <= 3 * sh * sw;
}

/**
 * A 1x1 convolution's filter gradient with C > 16 (SeparableConv2D's pointwise half): latentkit's matmul path
 * when it is stride 1 and unpadded ('valid', 'same', 0 or zero pairs), the other paths otherwise (a stride,
 * or a padding, makes it not pointwise).
 */
function pointwiseFilterCase(rng: Rng): KernelCase {
  const c = rng.pick([17, 20, 24, 33]);
  const f = rng.pick([1, 2, 5, 8, 19]);
  const n = rng.int(1, 3);
  const [h, w] = [rng.int(1, 7), rng.int(1, 7)];
  const strides: [number, number] = rng.chance(0.8) ? [1, 1] : [rng.int(1, 3), rng.int(1, 3)];
  const pad: Pad = rng.pick(['valid', 'same', 0, [[0, 0], [0, 0], [0, 0], [0, 0]], 1, [[0, 0], [1, 0], [0, 2], [0, 0]]] as const) as Pad;
  const info = backend_util.computeConv2DInfo([n, h, w, c], [1, 1, c, f], strides, 1, pad, undefined, false);
  const tags = [`pad ${typeof pad === 'object' ? 'explicit' : typeof pad === 'number' ? 'number' : pad}`];
  const p = info.padInfo;
  const pointwise = strides[0] === 1 && strides[1] === 1 && p.top === 0 && p.left === 0 && info.outHeight === h && info.outWidth === w;
  const g: Geometry = { n, h, w, c, kh: 1, kw: 1, strides, dilations: [1, 1], pad, info, tags };
  tags.push(pointwise ? 'path pointwise' : swappedFits(g, f) ? 'path swapped' : gatheredFits(g) ? 'path gathered' : 'path dilated', '1x1, C > 16');
  const inputs = { x: randomTensor(rng, [n, h, w, c]), dy: dyFor(rng, g, f, 0.25, tags) };
  return { inputs, attrs: { ...common(g), dataFormat: 'NHWC', filterShape: [1, 1, c, f] }, tags };
}

function conv2DBackpropFilterCase(rng: Rng): KernelCase {
  if (rng.chance(0.2)) return pointwiseFilterCase(rng);
  // Aim at each of the kernel's other paths: im2col (kh*kw*C <= 16), the SIMD loop (stride 1, F = 4, C a
  // multiple of 8), swapped (stride 1, C >= 4F), gathered (a stride, kh*kw <= 3*sh*sw) or dilated.
  const path = rng.pick(['im2col', 'direct', 'swapped', 'dilated'] as const);
  const c = path === 'im2col' ? rng.pick([1, 1, 2]) : path === 'direct' ? rng.pick([8, 16, 24]) : path === 'swapped' ? rng.pick([4, 6, 8]) : rng.pick([2, 3, 4, 5]);
  const f = path === 'direct' ? 4 : path === 'swapped' ? rng.pick([1, 1, 2]) : rng.pick([1, 2, 3, 5, 8]);
  const g = geometry(rng, { depthwise: false, dilations: false, c, outChannels: f, unitStrides: (path === 'swapped' || path === 'direct') && rng.chance(0.8) });
  const tags = g.tags;
  const direct = g.strides[0] === 1 && g.strides[1] === 1 && f === 4 && c % 8 === 0;
  tags.push(g.kh * g.kw * c <= 16 ? 'path im2col' : direct ? 'path direct F=4' : swappedFits(g, f) ? 'path swapped' : gatheredFits(g) ? 'path gathered' : 'path dilated');
  const inputs = { x: randomTensor(rng, [g.n, g.h, g.w, c]), dy: dyFor(rng, g, f, 0.25, tags) };
  return { inputs, attrs: { ...common(g), dataFormat: 'NHWC', filterShape: [g.kh, g.kw, c, f] }, tags };
}

function conv2DBackpropInputCase(rng: Rng): KernelCase {
  const c = rng.pick([1, 1, 2, 3, 4, 6, 8]);
  const f = rng.pick([1, 2, 3, 5, 8]);
  const g = geometry(rng, { depthwise: false, dilations: false, c, outChannels: f });
  const tags = g.tags;
  // Strided: a product and col2im (kept in step with the kernel's rule; the sub-pixel phases, joined or not,
  // are tested with the col2im switches off in wasmKernels.test.ts), 4 channels a step or one.
  const [sh, sw] = [g.info.strideHeight, g.info.strideWidth];
  if (sh * sw > 1) tags.push(c % 4 === 0 ? 'path col2im' : 'path col2im, one channel a step');
  const inputs = { dy: dyFor(rng, g, f, 0.25, tags), filter: randomTensor(rng, [g.kh, g.kw, c, f]) };
  return { inputs, attrs: { ...common(g), dataFormat: 'NHWC', inputShape: [g.n, g.h, g.w, c] }, tags };
}

function depthwiseBackpropCase(which: 'filter' | 'input') {
  return (rng: Rng): KernelCase => {
    // Channel counts that are multiples of 4 with multiplier 1 take the filter gradient's SIMD loop.
    const c = rng.pick([1, 2, 3, 4, 5, 8, 12]);
    const m = rng.pick([1, 1, 2, 3]);
    const g = geometry(rng, { depthwise: true, dilations: true, c, outChannels: m });
    const tags = g.tags;
    if (m > 1) tags.push('channel multiplier > 1');
    if (m === 1 && c % 4 === 0) tags.push('C a multiple of 4, multiplier 1');
    const dy = dyFor(rng, g, c * m, 0.25, tags);
    const attrs = { ...common(g), dilations: g.dilations };
    return which === 'filter'
      ? { inputs: { x: randomTensor(rng, [g.n, g.h, g.w, c]), dy }, attrs: { ...attrs, filterShape: [g.kh, g.kw, c, m] }, tags }
      : { inputs: { dy, filter: randomTensor(rng, [g.kh, g.kw, c, m]) }, attrs: { ...attrs, inputShape: [g.n, g.h, g.w, c] }, tags };
  };
}

/**
 * The depthwise gradients from their definition, for dilated cases: tfjs's cpu kernels ignore the dilation
 * (tfjs's depthwise gradient refuses dilations > 1, so they are never asked), latentkit's honour it.
 * dW[i,j,c,q] = sum x[b, y*sh - top + i*dh, x*sw - left + j*dw, c] * dy[b, y, x, c*M + q], and dx the adjoint.
 */
function depthwiseByDefinition(which: 'filter' | 'input') {
  return (c: KernelCase, cpuStock: KernelFunc): Outcome => {
    const a = c.attrs as { strides: [number, number]; dilations: [number, number]; pad: Pad; dimRoundingMode?: Rounding; filterShape?: Shape4; inputShape?: Shape4 };
    if (a.dilations[0] === 1 && a.dilations[1] === 1) return runKernel('cpu', cpuStock, c);
    const dy = c.inputs['dy']!;
    const xShape = which === 'filter' ? (c.inputs['x']!.shape as Shape4) : a.inputShape!;
    const fShape = which === 'filter' ? a.filterShape! : (c.inputs['filter']!.shape as Shape4);
    const info = backend_util.computeConv2DInfo(xShape, fShape, a.strides, a.dilations, a.pad, a.dimRoundingMode, true);
    const [n, h, w, ch] = xShape;
    const [kh, kw, , m] = fShape;
    const [dyH, dyW, dyC] = [dy.shape[1]!, dy.shape[2]!, dy.shape[3]!];
    const other = which === 'filter' ? c.inputs['x']!.values : c.inputs['filter']!.values;
    const out = new Float64Array(which === 'filter' ? kh * kw * ch * m : n * h * w * ch);
    for (let b = 0; b < n; b++)
      for (let y = 0; y < info.outHeight; y++)
        for (let x = 0; x < info.outWidth; x++)
          for (let i = 0; i < kh; i++) {
            const iy = y * info.strideHeight - info.padInfo.top + i * info.dilationHeight;
            if (iy < 0 || iy >= h) continue;
            for (let j = 0; j < kw; j++) {
              const ix = x * info.strideWidth - info.padInfo.left + j * info.dilationWidth;
              if (ix < 0 || ix >= w) continue;
              for (let k = 0; k < ch; k++)
                for (let q = 0; q < m; q++) {
                  const g = dy.values[((b * dyH + y) * dyW + x) * dyC + k * m + q]!;
                  const xi = ((b * h + iy) * w + ix) * ch + k;
                  const wi = ((i * kw + j) * ch + k) * m + q;
                  if (which === 'filter') out[wi] += other[xi]! * g;
                  else out[xi] += other[wi]! * g;
                }
            }
          }
    return { shape: which === 'filter' ? [kh, kw, ch, m] : [n, h, w, ch], dtype: 'float32', values: out };
  };
}

/**
 * tfjs-backend-wasm 4.22's forward convolutions are wrong where tfjs's padding for 'same' is negative, and
 * where tfjs's output size is not the one XNNPACK computes (and then may write past the output buffer).
 */
const negativeSame = (c: KernelCase) => c.tags.includes('same, negative padding') || c.tags.includes('tfjs size differs from XNNPACK size');

/** Cases where tfjs-backend-wasm's own forward convolution writes past its output buffer (not run: it corrupts the heap). */
const overflows = (c: KernelCase) => c.tags.includes('stock kernel writes past its output');

export const CONV_SPECS: KernelSpec[] = [
  {
    kernel: 'Conv2D',
    backend: 'wasm',
    generate: forwardConv(false, false),
    stockWrong: negativeSame,
    stockUnsafe: overflows,
    mustCover: { 'same, negative padding': 20, dilated: 10, 'pad explicit': 20, 'tfjs size differs from XNNPACK size': 10 },
  },
  {
    kernel: 'FusedConv2D',
    backend: 'wasm',
    generate: forwardConv(true, false),
    stockWrong: negativeSame,
    stockUnsafe: overflows,
    mustCover: { 'same, negative padding': 20, 'activation prelu': 10, 'tfjs size differs from XNNPACK size': 10 },
  },
  {
    kernel: 'DepthwiseConv2dNative',
    backend: 'wasm',
    generate: forwardConv(false, true),
    stockWrong: negativeSame,
    stockUnsafe: overflows,
    mustCover: { 'same, negative padding': 20, dilated: 10, 'tfjs size differs from XNNPACK size': 10 },
  },
  {
    kernel: 'FusedDepthwiseConv2D',
    backend: 'wasm',
    generate: forwardConv(true, true),
    stockWrong: negativeSame,
    stockUnsafe: overflows,
    mustCover: { 'same, negative padding': 20, 'tfjs size differs from XNNPACK size': 10 },
  },
  {
    kernel: 'Conv2DBackpropInput',
    backend: 'wasm',
    fixed: [
      // tfjs's conv2d_transpose spec that latentkit 0.1's kernel failed: dy 8x8 where 4x4 is implied.
      {
        inputs: { dy: seq([1, 8, 8, 8], 0.1), filter: seq([8, 8, 8, 8], 0.37) },
        attrs: { strides: 1, pad: 'same', dataFormat: 'NHWC', inputShape: [1, 4, 4, 8] },
        tags: ['dy larger than implied', 'issue 15'],
      },
      {
        inputs: { dy: seq([1, 5, 5, 2], 0.2), filter: seq([3, 3, 2, 2], 0.5) },
        attrs: { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 4, 4, 2] },
        tags: ['dy larger than implied', 'issue 15'],
      },
    ],
    generate: conv2DBackpropInputCase,
    mustCover: { 'dy larger than implied': 40, 'stride > kernel': 20, 'pad explicit': 20, 'path col2im, one channel a step': 30, 'path col2im': 30 },
  },
  {
    kernel: 'Conv2DBackpropFilter',
    backend: 'wasm',
    generate: conv2DBackpropFilterCase,
    mustCover: { 'path im2col': 40, 'path direct F=4': 40, 'path swapped': 20, 'path gathered': 30, 'path dilated': 40, 'path pointwise': 30, '1x1, C > 16': 50, 'dy larger than implied': 40 },
  },
  {
    kernel: 'DepthwiseConv2dNativeBackpropFilter',
    backend: 'wasm',
    generate: depthwiseBackpropCase('filter'),
    reference: depthwiseByDefinition('filter'),
    mustCover: { 'dy larger than implied': 40, 'channel multiplier > 1': 40, dilated: 10, 'C a multiple of 4, multiplier 1': 50 },
  },
  {
    kernel: 'DepthwiseConv2dNativeBackpropInput',
    backend: 'wasm',
    generate: depthwiseBackpropCase('input'),
    reference: depthwiseByDefinition('input'),
    mustCover: { 'dy larger than implied': 40, 'channel multiplier > 1': 40, dilated: 10 },
  },
];

/** A deterministic float32 tensor (sin pattern) for hand-written cases. */
function seq(shape: number[], phase: number): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = Math.sin(i * 0.731 + phase);
  return { shape, dtype: 'float32', values };
}
