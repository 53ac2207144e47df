/**
 * Convolution gradient kernels for the wasm backend, composed from its XNNPACK-backed kernels (Conv2D,
 * DepthwiseConv2dNative, BatchMatMul) and data-movement kernels (Transpose, PadV2, Slice, Reverse, Sum).
 * Internal: registered by {@link registerWasmTrainingKernels}.
 * @module
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';
import { constant, free, kernelOptions, padOrCrop, run, transpose2d, view } from './util.js';
import type { PadAttr, Pads, WasmBackend } from './util.js';

type Shape4 = [number, number, number, number];
type Rounding = 'floor' | 'round' | 'ceil' | undefined;

/**
 * Filter gradient as one dilated convolution:
 * dW[i,j,c,f] = sum_{n,y,x} xpad[n, y*sh + i*dh, x*sw + j*dw, c] * dy[n,y,x,f]
 * is a convolution of xᵀ [C, H, W, N] (the batch becomes the channels) with dyᵀ [oh, ow, N, F] as the filter,
 * dilated by the forward stride and strided by the forward dilation; the result [C, kh, kw, F] is transposed
 * to [kh, kw, C, F].
 */
function dilatedConvFilterGrad(
  b: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  kh: number,
  kw: number,
  sh: number,
  sw: number,
  dh: number,
  dw: number,
  pads: Pads,
): TensorInfo {
  const [, h, w] = x.shape as Shape4;
  const [, oh, ow] = dy.shape as Shape4;
  // The input window the forward pass read: pads.top rows above, then needH rows in all (zeros past the end).
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  // Rows past the window (bottom < 0) are not cropped from x: the convolution then yields extra taps
  // (kh + extra rows), cropped from its small output instead.
  const bottom = needH - h - pads.top;
  const right = needW - w - pads.left;
  const amounts: Array<[number, number]> = [
    [0, 0],
    [pads.top, Math.max(0, bottom)],
    [pads.left, Math.max(0, right)],
    [0, 0],
  ];
  const xt = run(b, 'Transpose', { x }, { perm: [3, 1, 2, 0] }); // [C,H,W,N]
  const dyt = run(b, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh,ow,N,F]
  const convAttrs = { strides: [dh, dw], dilations: [sh, sw], dataFormat: 'NHWC' };
  let r: TensorInfo;
  if (kernelOptions.filterGradPadding === 'explicit') {
    r = run(b, 'Conv2D', { x: xt, filter: dyt }, { ...convAttrs, pad: amounts });
    free(b, xt);
  } else {
    const xp = padOrCrop(b, xt, amounts);
    if (xp !== xt) free(b, xt);
    r = run(b, 'Conv2D', { x: xp, filter: dyt }, { ...convAttrs, pad: 'valid' });
    free(b, xp);
  }
  free(b, dyt); // r: [C, kh (+ extra), kw (+ extra), F]
  if (r.shape[1] !== kh || r.shape[2] !== kw) {
    const cropped = padOrCrop(b, r, [
      [0, 0],
      [0, kh - r.shape[1]!],
      [0, kw - r.shape[2]!],
      [0, 0],
    ]);
    free(b, r);
    r = cropped;
  }
  const out = run(b, 'Transpose', { x: r }, { perm: [1, 2, 0, 3] });
  free(b, r);
  return out;
}

/**
 * Filter gradient of a stride-1, dilation-1 convolution with few output channels F, with the roles swapped:
 * dW[i,j,c,f] = sum_{n,u,v} x[n,u,v,c] * dy[n, u + padTop - i, v + padLeft - j, f] is a convolution of
 * dyᵀ [F, oh, ow, N] (zero-padded by XNNPACK) with xᵀ [H, W, N, C] as the filter, giving
 * out[f, kh-1-i, kw-1-j, c]. XNNPACK then produces C output channels instead of F (a matrix-vector product
 * when F = 1), and xᵀ keeps C innermost, a cheap transpose. Returns undefined when the padding does not fit.
 */
function swappedFilterGrad(b: WasmBackend, x: TensorInfo, dy: TensorInfo, kh: number, kw: number, pads: Pads): TensorInfo | undefined {
  const [, h, w, c] = x.shape as Shape4;
  const [, oh, ow, f] = dy.shape as Shape4;
  const top = kh - 1 - pads.top;
  const bottom = h - oh + pads.top;
  const left = kw - 1 - pads.left;
  const right = w - ow + pads.left;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) return undefined;
  const dyt = run(b, 'Transpose', { x: dy }, { perm: [3, 1, 2, 0] }); // [F,oh,ow,N]
  const xt = run(b, 'Transpose', { x }, { perm: [1, 2, 0, 3] }); // [H,W,N,C]
  const pad = [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
  const r = run(b, 'Conv2D', { x: dyt, filter: xt }, { strides: [1, 1], dilations: [1, 1], pad, dataFormat: 'NHWC' });
  free(b, dyt, xt); // [F, kh, kw, C], taps reversed
  const rr = run(b, 'Reverse', { x: r }, { dims: [1, 2] });
  free(b, r);
  if (f === 1) return view(rr, [kh, kw, c, 1]);
  const out = run(b, 'Transpose', { x: rr }, { perm: [1, 2, 3, 0] });
  free(b, rr);
  return out;
}

/**
 * Filter gradient for small patches (kh*kw*C small, e.g. a first layer on 1-channel images): the patches
 * P [N*oh*ow, kh*kw*C] come from a convolution with a one-hot filter (same strides and padding as the forward
 * pass), then dWᵀ = dyᵀ·P is one XNNPACK matmul. Cheaper than the dilated convolution when kh*kw*C is small:
 * XNNPACK repacks the right operand on every call, and P is smaller than dy.
 */
function im2colFilterGrad(
  b: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: Shape4,
  strides: number | [number, number],
  pad: PadAttr,
  dimRoundingMode: Rounding,
): TensorInfo {
  const [kh, kw, c, f] = filterShape;
  const k = kh * kw * c;
  const [n, oh, ow] = dy.shape as Shape4;
  const m = n * oh * ow;
  const eye = new Float32Array(k * k);
  for (let i = 0; i < k; i++) eye[i * k + i] = 1; // [kh,kw,C] position i -> output channel i
  const e = constant(b, [kh, kw, c, k], eye);
  const p = run(b, 'Conv2D', { x, filter: e }, {
    strides,
    pad,
    dilations: [1, 1],
    dataFormat: 'NHWC',
    ...(dimRoundingMode !== undefined ? { dimRoundingMode } : {}),
  });
  free(b, e);
  // dWᵀ = dyᵀ·P: XNNPACK packs its right operand as weights on every call, so that is P (M*K values),
  // the smaller one when K < F.
  const dyt = transpose2d(b, dy, m, f); // [F, M]
  const r = run(b, 'BatchMatMul', { a: view(dyt, [1, f, m]), b: view(p, [1, m, k]) }, { transposeA: false, transposeB: false });
  free(b, dyt, p);
  const out = transpose2d(b, r, f, k); // [K, F]
  free(b, r);
  return view(out, [kh, kw, c, f]);
}

export const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: PadAttr;
    dataFormat?: 'NHWC' | 'NCHW';
    dimRoundingMode?: Rounding;
    filterShape: Shape4;
  };
  if (a.dataFormat === 'NCHW') {
    throw new Error('latentkit: the wasm Conv2DBackpropFilter kernel supports only dataFormat NHWC (as does wasm Conv2D).');
  }
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const [kh, kw, c] = a.filterShape;
  if (kh * kw * c <= kernelOptions.im2colMaxPatch) {
    return im2colFilterGrad(b, x, dy, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
  }
  const f = a.filterShape[3];
  if (info.strideHeight === 1 && info.strideWidth === 1 && f * kernelOptions.swapRatio <= c) {
    const out = swappedFilterGrad(b, x, dy, kh, kw, info.padInfo);
    if (out !== undefined) return out;
  }
  return dilatedConvFilterGrad(b, x, dy, kh, kw, info.strideHeight, info.strideWidth, 1, 1, info.padInfo);
};

interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations?: number | [number, number];
  pad: PadAttr;
  dimRoundingMode?: Rounding;
}

/**
 * Depthwise filter gradient: dW[i,j,c,m] = sum_{n,y,x} xpad[n, y*sh + i*dh, x*sw + j*dw, c] * dy[n,y,x,c*M+m].
 * One image whose channels are the (c, n) pairs, x → [1, H, W, C*N], convolved depthwise with
 * dy → [oh, ow, C*N, M] (dilated by the stride); the sum over n is a Sum kernel.
 */
export const depthwiseConv2dNativeBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: Shape4 };
  const info = backend_util.computeConv2DInfo(x.shape as Shape4, a.filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  const [n, h, w, c] = x.shape as Shape4;
  const [, oh, ow] = dy.shape as Shape4;
  const [kh, kw, , m] = a.filterShape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pads = info.padInfo;
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  const xt = run(b, 'Transpose', { x }, { perm: [1, 2, 3, 0] }); // [H,W,C,N]
  const xp = padOrCrop(b, view(xt, [1, h, w, c * n]), [
    [0, 0],
    [pads.top, needH - h - pads.top],
    [pads.left, needW - w - pads.left],
    [0, 0],
  ]);
  if (xp.dataId !== xt.dataId) free(b, xt);
  const dyt = run(b, 'Transpose', { x: view(dy, [n, oh, ow, c, m]) }, { perm: [1, 2, 3, 0, 4] }); // [oh,ow,C,N,M]
  const r = run(
    b,
    'DepthwiseConv2dNative',
    { x: xp, filter: view(dyt, [oh, ow, c * n, m]) },
    { strides: [dh, dw], dilations: [sh, sw], pad: 'valid' },
  ); // [1,kh,kw,C*N*M]
  free(b, xp, dyt);
  if (n === 1) return view(r, [kh, kw, c, m]);
  const out = run(b, 'Sum', { x: view(r, [kh, kw, c, n, m]) }, { axis: [3], keepDims: false });
  free(b, r);
  return out;
};

/**
 * Depthwise input gradient: dy zero-inserted by the stride (a PadV2 of [N,oh,1,ow,1,K]), padded, then a
 * stride-1 depthwise convolution with the spatially flipped filter [kh, kw, C*M, 1] (dilated by the forward
 * dilation); for a channel multiplier M > 1 the M products per channel are summed.
 */
export const depthwiseConv2dNativeBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: Shape4 };
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  const [n, h, w, c] = a.inputShape;
  const [, oh, ow, k] = dy.shape as Shape4;
  const [kh, kw, , m] = filter.shape as Shape4;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pads = info.padInfo;
  let dz = dy;
  let lh = oh;
  let lw = ow;
  if (sh > 1 || sw > 1) {
    const paddings = [
      [0, 0],
      [0, 0],
      [0, sh - 1],
      [0, 0],
      [0, sw - 1],
      [0, 0],
    ];
    dz = run(b, 'PadV2', { x: view(dy, [n, oh, 1, ow, 1, k]) }, { paddings, constantValue: 0 });
    lh = oh * sh;
    lw = ow * sw;
    dz = view(dz, [n, lh, lw, k]);
  }
  const top = (kh - 1) * dh - pads.top;
  const left = (kw - 1) * dw - pads.left;
  const dp = padOrCrop(b, dz, [
    [0, 0],
    [top, h + (kh - 1) * dh - top - lh],
    [left, w + (kw - 1) * dw - left - lw],
    [0, 0],
  ]);
  if (dz !== dy && dp.dataId !== dz.dataId) free(b, dz);
  const wf = run(b, 'Reverse', { x: filter }, { dims: [0, 1] });
  const r = run(
    b,
    'DepthwiseConv2dNative',
    { x: dp, filter: view(wf, [kh, kw, c * m, 1]) },
    { strides: [1, 1], dilations: [dh, dw], pad: 'valid' },
  ); // [N,H,W,C*M]
  if (dp !== dy) free(b, dp);
  free(b, wf);
  if (m === 1) return r;
  const out = run(b, 'Sum', { x: view(r, [n, h, w, c, m]) }, { axis: [4], keepDims: false });
  free(b, r);
  return out;
};

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

let originalConv2DBackpropInput: KernelFunc | undefined;

/** Keeps the wasm backend's own Conv2DBackpropInput for the cases the replacement hands back (NCHW). */
export function setOriginalConv2DBackpropInput(fn: KernelFunc): void {
  originalConv2DBackpropInput = fn;
}

/**
 * Input gradient of a convolution (also the forward pass of Conv2DTranspose) by sub-pixel decomposition.
 * With h + padTop = q*sh + rh, dx[h] = sum_t dy[q - t] * W[t*sh + rh]: for each row phase rh a stride-1
 * correlation of dy with ceil((kh - rh) / sh) row taps, its sw column phases side by side in the output
 * channels (rw, c). Each row phase is one XNNPACK convolution [N, qh, qw, sw*C]; concatenated along a new
 * axis after qh they are [N, qh, sh, qw, sw, C], i.e. dx (before a crop to the padded window). For a
 * 3x3 stride-2 filter this computes 12 of every 9 useful multiply-adds (zero-insertion would do 36).
 * The wasm backend's own kernel is a scalar C++ loop, 5-10x slower.
 */
export const conv2DBackpropInput: KernelFunc = (args) => {
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
  if (a.dataFormat === 'NCHW' && originalConv2DBackpropInput !== undefined) return originalConv2DBackpropInput(args);
  const info = backend_util.computeConv2DInfo(a.inputShape, filter.shape as Shape4, a.strides, 1, a.pad, a.dimRoundingMode, false, 'channelsLast');
  const [n, h, w, c] = a.inputShape;
  const [, oh, ow, f] = dy.shape as Shape4;
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
  const phases: TensorInfo[] = [];
  for (let rh = 0; rh < sh; rh++) {
    if (rh >= kh) {
      phases.push(constant(b, [n, qh, qw, sw * c], 0)); // no filter row falls in this phase
      continue;
    }
    const wt = rowPhaseFilter(b, filter, sh, sw, rh); // [T, tw, F, sw*C]
    const t = wt.shape[0]!;
    const amounts: Array<[number, number]> = [
      [0, 0],
      [t - 1 - q0h, q1h - oh],
      [tw - 1 - q0w, q1w - ow],
      [0, 0],
    ];
    const convAttrs = { strides: [1, 1], dilations: [1, 1], dataFormat: 'NHWC' };
    if (amounts.every(([p, q]) => p >= 0 && q >= 0)) {
      phases.push(run(b, 'Conv2D', { x: dy, filter: wt }, { ...convAttrs, pad: amounts }));
    } else {
      const dp = padOrCrop(b, dy, amounts);
      phases.push(run(b, 'Conv2D', { x: dp, filter: wt }, { ...convAttrs, pad: 'valid' }));
      if (dp !== dy) free(b, dp);
    }
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
  const offH = pads.top - q0h * sh;
  const offW = pads.left - q0w * sw;
  const out = padOrCrop(b, full, [
    [0, 0],
    [-offH, h + offH - qh * sh],
    [-offW, w + offW - qw * sw],
    [0, 0],
  ]);
  if (out !== full) free(b, full);
  return out;
};

