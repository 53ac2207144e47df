/**
 * A faster `Conv2DBackpropInput` for the wasm backend (the input gradient of Conv2D, the forward pass of
 * Conv2DTranspose): the backend's own kernel is a scalar C++ loop. Internal: registered by `../kernels.ts`.
 * @module
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { JOIN_PHASES_MAX_CHANNELS, constant, free, kernelOptions, leadingBlock, padOrCrop, run, view } from './util.js';
import { simdKernels } from './simdKernels.js';
import { byteOffset, type Heap } from './movementKernels.js';
import type { PadAttr, Rounding, Shape4, WasmBackend } from './util.js';

/**
 * The stride-1 filter of row phase `rh` of the sub-pixel decomposition of a stride-(sh, sw) transposed
 * convolution, built on the host (the filter is small): the row taps t < ceil((kh - rh) / sh) of that phase,
 * all sw column phases side by side in the output channels:
 * out[a, b', f, rw*C + c] = W[(T-1-a)*sh + rh, (tw-1-b')*sw + rw, c, f] (zero past the filter's columns).
 */
function rowPhaseFilter(b: WasmBackend, filter: TensorInfo, sh: number, sw: number, rh: number): TensorInfo {
  const [kh, kw, c, f] = filter.shape as Shape4;
  const t = Math.ceil((kh - rh) / sh);
  const tw = Math.ceil(kw / sw);
  const k = sw * c;
  const out = constant(b, [t, tw, f, k], 0);
  const src = b.typedArrayFromHeap(filter);
  const dst = b.typedArrayFromHeap(out);
  for (let ta = 0; ta < t; ta++) {
    const i = (t - 1 - ta) * sh + rh;
    for (let j = 0; j < kw; j++) {
      const tb = tw - 1 - Math.floor(j / sw);
      const rw = j % sw;
      const dstBase = (ta * tw + tb) * f * k + rw * c;
      const srcBase = (i * kw + j) * c * f;
      for (let ci = 0; ci < c; ci++) {
        for (let fi = 0; fi < f; fi++) dst[dstBase + fi * k + ci] = src[srcBase + ci * f + fi]!;
      }
    }
  }
  return out;
}

/**
 * All row phases' filters as one stride-1 filter [T, tw, F, sh*sw*C] (T = ceil(kh / sh), the most taps a
 * phase has): phase rh's taps are its {@link rowPhaseFilter}'s, placed last (a phase with fewer taps reads
 * zeros from the rows before), its sw column phases at output channels rh*sw*C ...
 */
function joinedPhaseFilter(b: WasmBackend, filter: TensorInfo, sh: number, sw: number): TensorInfo {
  const [kh, kw, c, f] = filter.shape as Shape4;
  const tMax = Math.ceil(kh / sh);
  const tw = Math.ceil(kw / sw);
  const k = sw * c;
  const out = constant(b, [tMax, tw, f, sh * k], 0);
  const dst = b.typedArrayFromHeap(out);
  for (let rh = 0; rh < sh; rh++) {
    const phase = rowPhaseFilter(b, filter, sh, sw, rh); // [t, tw, F, k]
    const src = b.typedArrayFromHeap(phase);
    const t = phase.shape[0]!;
    for (let a = 0; a < t; a++) {
      for (let p = 0; p < tw * f; p++) {
        const from = (a * tw * f + p) * k;
        dst.set(src.subarray(from, from + k), ((a + tMax - t) * tw * f + p) * sh * k + rh * k);
      }
    }
    free(b, phase);
  }
  return out;
}

/**
 * Input gradient of a convolution (also the forward pass of Conv2DTranspose) by sub-pixel decomposition.
 * With h + padTop = q*sh + rh, dx[h] = sum_t dy[q - t] * W[t*sh + rh]: for each row phase rh a stride-1
 * correlation of dy with ceil((kh - rh) / sh) row taps, its sw column phases side by side in the output
 * channels (rw, c). Each row phase is one XNNPACK convolution [N, qh, qw, sw*C]; concatenated along a new
 * axis after qh they are [N, qh, sh, qw, sw, C], i.e. dx (before a crop to the padded window). For a
 * 3x3 stride-2 filter this computes 12 of every 9 useful multiply-adds (zero-insertion would do 36).
 * The wasm backend's own kernel is a scalar C++ loop, 5-10x slower.
 *
 * With few channels (sh*sw*C at most 8: an image decoder's output stage) all row phases are one convolution
 * ({@link joinedPhaseFilter}) and one transpose instead of a convolution per phase and a concatenation:
 * XNNPACK takes about as long for 2, 4 or 8 output channels. The zero taps add +0 products before a
 * phase's own, so for finite dy the sums are the separate phases' bit for bit (an infinite dy gives NaN
 * where the zero taps meet it).
 *
 * Every size comes from `computeConv2DInfo`, as in tfjs's kernels: a dy larger than the output size that
 * `inputShape`, strides and padding imply is read through its leading block. The cases this does not cover
 * (NCHW, non-float32 operands, a dy smaller than implied, channels that disagree with the filter) go to
 * `original`, the backend's own kernel.
 */
export function conv2DBackpropInput(original: KernelFunc): KernelFunc {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const b = backend as WasmBackend;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = attrs as unknown as {
      strides: number | [number, number];
      pad: PadAttr;
      dataFormat?: 'NHWC' | 'NCHW';
      dimRoundingMode?: Rounding;
      inputShape: Shape4;
    };
    if (a.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32' || filter.shape.length !== 4) {
      return original(args);
    }
    const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
    if (filter.shape[2] !== info.inChannels) return original(args);
    const dyUsed = leadingBlock(b, dy, [info.batchSize, info.outHeight, info.outWidth, info.outChannels]);
    if (dyUsed === undefined) return original(args);
    try {
      return col2imInputGrad(b, dyUsed, filter, info) ?? subPixelInputGrad(b, dyUsed, filter, info);
    } finally {
      if (dyUsed !== dy) free(b, dyUsed);
    }
  };
}

/** The largest product [N*oh*ow, kh*kw*C] {@link col2imInputGrad} forms (64 MiB); larger ones take the phases. */
const COL2IM_MAX_ELEMENTS = 1 << 24;

/**
 * dx of a strided convolution as latentkit's product of dy [N*oh*ow, F] with the filter [kh*kw*C, F]
 * transposed (every tap's contribution of every dy pixel, [N*oh*ow, kh*kw*C]) added into place by `col2im`
 * (SIMD, 4 channels a step where C is a multiple of 4, else one). Output stages (C not a multiple of 4, or
 * sh*sw*C at most `JOIN_PHASES_MAX_CHANNELS`) take it only with `kernelOptions.col2imOutputStages`, else the
 * joined phases. Against the sub-pixel phases it multiplies no zero taps (3x3 stride 2:
 * 16 multiply-adds for every 9 there) and no row or column past the output (4x4 stride 2 'same': 8 rows of
 * 7 there), in one threaded product rather than an XNNPACK convolution per phase, each packing its filter:
 * 1.4-2.2x on DCGAN's, the conv AE's and the conv VAE's shapes. The sums are the same products added in
 * another order: values within float32 rounding of the phases', not bit for bit. Undefined where it does not
 * apply (or `kernelOptions.col2imInputGrad` is off, or the SIMD module cannot run).
 */
function col2imInputGrad(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow, strideHeight: sh, strideWidth: sw } = info;
  const [kh, kw, , f] = filter.shape as Shape4;
  const rows = n * oh * ow;
  const outputStage = c % 4 !== 0 || sh * sw * c <= JOIN_PHASES_MAX_CHANNELS;
  if (!kernelOptions.col2imInputGrad || sh * sw === 1 || (outputStage && !kernelOptions.col2imOutputStages)) return undefined;
  if (rows === 0 || rows * kh * kw * c > COL2IM_MAX_ELEMENTS) return undefined;
  const simd = simdKernels(b);
  if (simd === undefined) return undefined;
  const col = run(b, 'BatchMatMul', { a: view(dy, [1, rows, f]), b: view(filter, [1, kh * kw * c, f]) }, { transposeA: false, transposeB: true });
  try {
    const dx = constant(b, [n, h, w, c], 0);
    const at = (t: TensorInfo) => byteOffset(b as unknown as Heap, t);
    simd.col2im(at(col), at(dx), n, oh, ow, kh, kw, sh, sw, c, h, w, info.padInfo.top, info.padInfo.left);
    return dx;
  } finally {
    free(b, col);
  }
}

/** A stride-1 convolution of dy padded (or cropped, where an amount is negative) by `amounts`. */
function phaseConv(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, amounts: Array<[number, number]>): TensorInfo {
  const convAttrs = { strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC' };
  if (amounts.every(([p, q]) => p >= 0 && q >= 0)) return run(b, 'Conv2D', { x: dy, filter }, { ...convAttrs, pad: amounts });
  const dp = padOrCrop(b, dy, amounts);
  try {
    return run(b, 'Conv2D', { x: dp, filter }, { ...convAttrs, pad: 'valid' });
  } finally {
    if (dp !== dy) free(b, dp);
  }
}

/** {@link conv2DBackpropInput} for a dy of exactly the implied shape [N, outHeight, outWidth, F]. */
function subPixelInputGrad(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const [kh, kw] = filter.shape as Shape4;
  const { strideHeight: sh, strideWidth: sw } = info;
  const pads = info.padInfo;
  const tw = Math.ceil(kw / sw);
  // Phase rows q in [q0, q1) cover the padded rows padTop .. padTop + h - 1.
  const q0h = Math.floor(pads.top / sh);
  const q1h = Math.ceil((pads.top + h) / sh);
  const q0w = Math.floor(pads.left / sw);
  const q1w = Math.ceil((pads.left + w) / sw);
  const qh = q1h - q0h;
  const qw = q1w - q0w;
  const offH = pads.top - q0h * sh;
  const offW = pads.left - q0w * sw;
  const crop = (full: TensorInfo): TensorInfo => {
    const out = padOrCrop(b, full, [
      [0, 0],
      [-offH, h + offH - qh * sh],
      [-offW, w + offW - qw * sw],
      [0, 0],
    ]);
    if (out !== full) free(b, full);
    return out;
  };
  // dy correlated with a phase filter of T row taps: output rows q0h .. q1h - 1, columns q0w .. q1w - 1.
  const correlate = (wt: TensorInfo): TensorInfo => {
    const t = wt.shape[0]!;
    return phaseConv(b, dy, wt, [
      [0, 0],
      [t - 1 - q0h, q1h - oh],
      [tw - 1 - q0w, q1w - ow],
      [0, 0],
    ]);
  };
  if (kernelOptions.joinInputGradPhases && sh > 1 && kh >= sh && sh * sw * c <= JOIN_PHASES_MAX_CHANNELS) {
    const wt = joinedPhaseFilter(b, filter, sh, sw); // [T, tw, F, sh*sw*C]
    const joined = correlate(wt);
    free(b, wt);
    // [N, qh, qw, sh, sw*C] -> [N, qh, sh, qw, sw*C]: the phases' rows interleaved.
    const rows = run(b, 'Transpose', { x: view(joined, [n, qh, qw, sh, sw * c]) }, { perm: [0, 1, 3, 2, 4] });
    free(b, joined);
    return crop(view(rows, [n, qh * sh, qw * sw, c]));
  }
  const phases: TensorInfo[] = [];
  for (let rh = 0; rh < sh; rh++) {
    if (rh >= kh) {
      phases.push(constant(b, [n, qh, qw, sw * c], 0)); // no filter row falls in this phase
      continue;
    }
    const wt = rowPhaseFilter(b, filter, sh, sw, rh); // [T, tw, F, sw*C]
    phases.push(correlate(wt));
    free(b, wt);
  }
  let full = phases[0]!; // [N, qh*sh, qw*sw, C]
  if (sh > 1) {
    const rows = phases.map((p) => view(p, [n * qh, 1, qw * sw * c]));
    full = view(run(b, 'Concat', rows as unknown as NamedTensorInfoMap, { axis: 1 }), [n, qh * sh, qw * sw, c]);
    free(b, ...phases);
  } else {
    full = view(full, [n, qh, qw * sw, c]);
  }
  return crop(full);
}
