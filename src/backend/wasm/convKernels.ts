/**
 * `Conv2DBackpropFilter` (the weight gradient of Conv2D and Conv2DTranspose), which tfjs-backend-wasm 4.22
 * lacks, composed from the backend's XNNPACK-backed kernels (Conv2D, BatchMatMul) and data-movement kernels
 * (Transpose, PadV2, Slice, Reverse), or for a stride-1 convolution to 4 output channels one wasm SIMD loop
 * (`filterGradF4` of `./simdKernels.wat`). Internal: registered by `../kernels.ts`.
 * @module
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { constant, dyBlockOrThrow, exactConvInput, free, kernelOptions, padOrCrop, run, transpose2d, view } from './util.js';
import type { PadAttr, Pads, Rounding, Shape4, WasmBackend } from './util.js';
import { gather, permute } from './gatherKernels.js';
import { byteOffset } from './movementKernels.js';
import type { Heap } from './movementKernels.js';
import { simdKernels } from './simdKernels.js';

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
 * The gathered patches are about kh*kw / (sh*sw) times x; past this ratio the dilated convolution is the
 * faster (`bench/ab.ts gatheredFilterGrad --threads 2`, 10 pairs: the conv VAE's 3x3/2, ratio 2.25, 1.16x;
 * DCGAN's 4x4/2, ratio 4, 0.97x).
 */
const GATHER_MAX_EXPANSION = 3;

/**
 * Filter gradient of a strided convolution as one product over gathered patches: with x zero-padded to the
 * window the forward pass read, the patches P[(y, x, n), (i, j, c)] = x[n, y*sh + i, x*sw + j, c] are one
 * strided copy whose runs are kw*C adjacent values (`gather`), and dW [kh*kw*C, F] = Pᵀ·dy: latentkit's
 * SIMD product reads Pᵀ down P's columns, in chunks of k that stay in cache (`kChunkOf` of
 * `./matMulKernels.ts`), on every thread, and writes dW already laid out [kh, kw, C, F]. Each sum runs over
 * (y, x, n) in that order, as the dilated convolution's (`dilatedConvFilterGrad`): the same dW bit for bit.
 * That path transposes x (a strided copy of every element: 1-2 ms for a [128, 14, 14, 32] batch), reads dyᵀ
 * as a new filter (XNNPACK packs it on every call) and transposes its result. Costs P's size in heap (about
 * kh*kw / (sh*sw) times x's). Undefined where the gather cannot run.
 */
function gatheredFilterGrad(b: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const { batchSize: n, inChannels: c, outChannels: f, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  // Rows of P (and of dy) in the order (y, x, n): the dilated convolution's order of the sums, so both paths
  // give the same dW bit for bit.
  const patches = gatherPatches(b, x, info, 'yxn');
  if (patches === undefined) return undefined;
  const dyt = run(b, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh, ow, N, F]
  const m = n * oh * ow;
  const r = run(b, 'BatchMatMul', { a: view(patches, [1, m, kh * kw * c]), b: view(dyt, [1, m, f]) }, { transposeA: true, transposeB: false });
  free(b, patches, dyt);
  return view(r, [kh, kw, c, f]);
}

/**
 * The patches matrix of a convolution's input, P[row, (i, j, c)] = x[n, y*sh + i, x*sw + j, c] (zero outside x,
 * per tfjs's padding), its rows in the order (n, y, x) or (y, x, n): x zero-padded to the window the forward
 * pass read, then one strided copy whose runs are kw*C adjacent values (`gather`). Undefined where the
 * gather cannot run (the caller takes another path).
 */
function gatherPatches(b: WasmBackend, x: TensorInfo, info: backend_util.Conv2DInfo, order: 'nyx' | 'yxn'): TensorInfo | undefined {
  if (!kernelOptions.gatheredFilterGrad || info.dilationHeight !== 1 || info.dilationWidth !== 1) return undefined;
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pads = info.padInfo;
  const needH = kh + (oh - 1) * sh;
  const needW = kw + (ow - 1) * sw;
  const xp = padOrCrop(b, x, [
    [0, 0],
    [pads.top, needH - h - pads.top],
    [pads.left, needW - w - pads.left],
    [0, 0],
  ]); // [N, needH, needW, C]
  const row = needW * c;
  const [ns, ys, xs] = [needH * row, sh * row, sw * c];
  const patches = order === 'nyx' ? gather(b, xp, [n, oh, ow, kh, kw, c], [ns, ys, xs, row, c, 1]) : gather(b, xp, [oh, ow, n, kh, kw, c], [ys, xs, ns, row, c, 1]);
  if (xp !== x) free(b, xp);
  return patches;
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
  // out[i, j, c, f] = r[f, kh-1-i, kw-1-j, c]: the reversal and the transpose as one strided copy.
  const flipped = gather(b, r, [kh, kw, c, f], [-kw * c, -c, 1, kh * kw * c], (kh - 1) * kw * c + (kw - 1) * c);
  if (flipped !== undefined) {
    free(b, r);
    return flipped;
  }
  const rr = run(b, 'Reverse', { x: r }, { dims: [1, 2] });
  free(b, r);
  if (f === 1) return view(rr, [kh, kw, c, 1]);
  const out = run(b, 'Transpose', { x: rr }, { perm: [1, 2, 3, 0] });
  free(b, rr);
  return out;
}

/** The patches P [N*oh*ow, kh*kw*C] as a convolution of x with a one-hot filter (same strides and padding). */
function oneHotPatches(b: WasmBackend, x: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const k = info.filterHeight * info.filterWidth * info.inChannels;
  const eye = new Float32Array(k * k);
  for (let i = 0; i < k; i++) eye[i * k + i] = 1; // [kh,kw,C] position i -> output channel i
  const e = constant(b, [info.filterHeight, info.filterWidth, info.inChannels, k], eye);
  // Explicit padding that gives exactly tfjs's [oh, ow] (never the user's pad: XNNPACK would size it its own way).
  const { input, pad } = exactConvInput(b, x, info);
  const p = run(b, 'Conv2D', { x: input, filter: e }, { strides: [info.strideHeight, info.strideWidth], pad, dilations: [1, 1], dataFormat: 'NHWC' });
  if (input !== x) free(b, input);
  free(b, e);
  return p;
}

/**
 * Filter gradient for small patches (kh*kw*C small, e.g. a first layer on 1-channel images): the patches
 * P [N*oh*ow, kh*kw*C] gathered from x (`gatherPatches`; or, with that switched off, a convolution with a
 * one-hot filter, which also turns -0 into +0 and an infinity into NaN), then dW = Pᵀ·dy is one product.
 * Cheaper than the dilated convolution when kh*kw*C is small: P is smaller than dy.
 */
function im2colFilterGrad(b: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: f } = info;
  const k = kh * kw * c;
  const [n, oh, ow] = dy.shape as Shape4;
  const m = n * oh * ow;
  const p = gatherPatches(b, x, info, 'nyx') ?? oneHotPatches(b, x, info);
  if (kernelOptions.directMatMul) {
    // dW = Pᵀ·dy read in place by latentkit's SIMD product (`./matMulKernels.ts`): no transposes.
    const r = run(b, 'BatchMatMul', { a: view(p, [1, m, k]), b: view(dy, [1, m, f]) }, { transposeA: true, transposeB: false });
    free(b, p);
    return view(r, [kh, kw, c, f]);
  }
  // dWᵀ = dyᵀ·P: XNNPACK packs its right operand as weights on every call, so that is P (M*K values),
  // the smaller one when K < F.
  const dyt = transpose2d(b, dy, m, f); // [F, M]
  const r = run(b, 'BatchMatMul', { a: view(dyt, [1, f, m]), b: view(p, [1, m, k]) }, { transposeA: false, transposeB: false });
  free(b, dyt, p);
  const out = transpose2d(b, r, f, k); // [K, F]
  free(b, r);
  return view(out, [kh, kw, c, f]);
}

/**
 * Filter gradient of a pointwise convolution (1x1, stride 1, no padding: SeparableConv2D's second half): with
 * x viewed as [M, C] and dy as [M, F] (M = N*H*W), dW = xᵀ·dy, one XNNPACK matmul after a transpose of x.
 * The general paths would run it as a convolution whose filter is dy, with H x W taps.
 */
function pointwiseFilterGrad(b: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: f } = info;
  const m = n * h * w;
  if (kernelOptions.directMatMul) {
    // xᵀ read in place by latentkit's SIMD product (`./matMulKernels.ts`).
    const r = run(b, 'BatchMatMul', { a: view(x, [1, m, c]), b: view(dy, [1, m, f]) }, { transposeA: true, transposeB: false });
    return view(r, [1, 1, c, f]);
  }
  const xt = transpose2d(b, x, m, c); // [C, M]
  const r = run(b, 'BatchMatMul', { a: view(xt, [1, c, m]), b: view(dy, [1, m, f]) }, { transposeA: false, transposeB: false });
  free(b, xt);
  return view(r, [1, 1, c, f]);
}

/** Whether a convolution is pointwise: 1x1, stride 1, dilation 1, no padding (its output is its input's size). */
export function isPointwise(info: backend_util.Conv2DInfo): boolean {
  const p = info.padInfo;
  return (
    info.filterHeight === 1 && info.filterWidth === 1 && info.strideHeight === 1 && info.strideWidth === 1 &&
    info.dilationHeight === 1 && info.dilationWidth === 1 && p.top === 0 && p.left === 0 &&
    info.outHeight === info.inHeight && info.outWidth === info.inWidth
  );
}

/**
 * Filter gradient of a stride-1 convolution to 4 output channels with C a multiple of 8 (an image decoder's
 * output stage: UpsampledConv2D's joined phases of one filter at factor 2), by `filterGradF4` of
 * `./simdKernels.wat`: 8 input channels x the 4 outputs accumulated in registers over every pixel, then one
 * strided copy from [kh, kw, 4, C] to [kh, kw, C, 4]. XNNPACK's forms pack a new filter on every call: x
 * (swapped) or dy (dilated, a 4-column product). Undefined where it does not apply or cannot run.
 */
function directFilterGradF4(b: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo | undefined {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outChannels: f, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  if (!kernelOptions.directFilterGradF4 || f !== 4 || c % 8 !== 0 || info.strideHeight !== 1 || info.strideWidth !== 1) return undefined;
  if (n * h * w * c * oh * ow === 0 || x.dtype !== 'float32' || dy.dtype !== 'float32') return undefined;
  const simd = simdKernels(b);
  if (simd === undefined) return undefined;
  const r = b.makeOutput([kh, kw, f, c], 'float32');
  const at = (t: TensorInfo) => byteOffset(b as Heap, t);
  simd.filterGradF4(at(x), at(dy), at(r), n, h, w, c, oh, ow, kh, kw, info.padInfo.top, info.padInfo.left);
  const out = permute(b, r, [0, 1, 3, 2]) ?? run(b, 'Transpose', { x: r }, { perm: [0, 1, 3, 2] });
  free(b, r);
  return out;
}

/**
 * The filter gradient dW [kh, kw, C, F] of a stride-s convolution of x [N, H, W, C] (NHWC only, as the wasm
 * Conv2D), by one of five paths chosen by shape (see the functions above). Sizes come from
 * `computeConv2DInfo`; a dy larger than the implied output is read through its leading block, as tfjs's cpu
 * kernel does, a smaller one is an error.
 */
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
  const { filterHeight: kh, filterWidth: kw, inChannels: c, outChannels: f } = info;
  const dyUsed = dyBlockOrThrow(b, dy, [info.batchSize, info.outHeight, info.outWidth, f], 'Conv2DBackpropFilter');
  try {
    if (kernelOptions.pointwiseFilterGrad && isPointwise(info) && kh * kw * c > kernelOptions.im2colMaxPatch) {
      return pointwiseFilterGrad(b, x, dyUsed, info);
    }
    if (kh * kw * c <= kernelOptions.im2colMaxPatch) {
      return im2colFilterGrad(b, x, dyUsed, info);
    }
    const direct = directFilterGradF4(b, x, dyUsed, info);
    if (direct !== undefined) return direct;
    if (info.strideHeight === 1 && info.strideWidth === 1 && f * kernelOptions.swapRatio <= c) {
      const out = swappedFilterGrad(b, x, dyUsed, kh, kw, info.padInfo);
      if (out !== undefined) return out;
    }
    if ((info.strideHeight > 1 || info.strideWidth > 1) && kh * kw <= GATHER_MAX_EXPANSION * info.strideHeight * info.strideWidth) {
      const out = gatheredFilterGrad(b, x, dyUsed, info);
      if (out !== undefined) return out;
    }
    return dilatedConvFilterGrad(b, x, dyUsed, kh, kw, info.strideHeight, info.strideWidth, 1, 1, info.padInfo);
  } finally {
    if (dyUsed !== dy) free(b, dyUsed);
  }
};
