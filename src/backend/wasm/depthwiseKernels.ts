/**
 * The depthwise convolution gradients tfjs-backend-wasm 4.22 lacks (`DepthwiseConv2dNativeBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropInput`: SeparableConv2D and DepthwiseConv2D training), composed from the
 * backend's XNNPACK depthwise convolution and data-movement kernels (Transpose, PadV2, Slice, Reverse, Sum).
 * Sizes come from `computeConv2DInfo`; a dy larger than the implied output is read through its leading block,
 * as tfjs's cpu kernels do, a smaller one is an error. Internal: registered by `../kernels.ts`.
 * @module
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { simdKernels } from './simdKernels.js';
import { dyBlockOrThrow, free, kernelOptions, padOrCrop, run, view } from './util.js';
import type { PadAttr, Rounding, Shape4, WasmBackend } from './util.js';

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
  const [n, , , c] = x.shape as Shape4;
  const m = a.filterShape[3];
  const dyUsed = dyBlockOrThrow(b, dy, [n, info.outHeight, info.outWidth, c * m], 'DepthwiseConv2dNativeBackpropFilter');
  try {
    if (kernelOptions.directDepthwiseFilterGrad && x.dtype === 'float32' && dyUsed.dtype === 'float32') return directFilterGrad(b, x, dyUsed, info, m);
    return depthwiseFilterGrad(b, x, dyUsed, info, m);
  } finally {
    if (dyUsed !== dy) free(b, dyUsed);
  }
};

/**
 * The depthwise filter gradient by its definition, one pass over x and dy in the heap: for each output pixel
 * (n, y, x) in order and each tap (i, j) inside the input, dW[i,j,c,q] += x[n, y*sh - top + i*dh,
 * x*sw - left + j*dw, c] * dy[n,y,x,c*M+q], in float64 accumulators (kh*kw*C*M of them, a few KB) rounded to
 * float32 at the end: the products and sums of tfjs's cpu kernel, in its order (bit for bit the cpu result
 * where the cpu kernel applies, i.e. without dilation). The convolution form below runs XNNPACK's depthwise
 * convolution with dy as a filter of oh x ow taps over C*N channels, which XNNPACK handles slowly (and
 * transposes x and dy first): 12% of the assessment CNN's step on wasm, against ~2% for this loop.
 */
function directFilterGrad(b: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, m: number): TensorInfo {
  const [n, h, w, c] = x.shape as Shape4;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const { top, left } = info.padInfo;
  const k = c * m;
  const out = b.makeOutput([kh, kw, c, m], 'float32');
  const simd = m === 1 && c > 0 && c % 4 === 0 && n * oh * ow > 0 && kernelOptions.simdKernels ? simdKernels(b) : undefined;
  if (simd) {
    // float64 accumulators in the heap (2 float32 slots each), zeroed; the loop adds in the same order.
    const scratch = b.makeOutput([2 * kh * kw * k], 'float32');
    const sv = b.typedArrayFromHeap(scratch);
    sv.fill(0);
    const at = (t: TensorInfo) => b.typedArrayFromHeap(t).byteOffset;
    simd.depthwiseFilterGrad(at(x), at(dy), sv.byteOffset, n, h, w, c, oh, ow, kh, kw, sh, sw, dh, dw, top, left);
    const acc = new Float64Array(sv.buffer.slice(sv.byteOffset, sv.byteOffset + sv.byteLength));
    (b.typedArrayFromHeap(out) as Float32Array).set(acc);
    free(b, scratch);
    return out;
  }
  const acc = new Float64Array(kh * kw * k);
  // Views of the heap are taken after the allocation above (which may grow and detach the heap).
  const xs = b.typedArrayFromHeap(x) as Float32Array;
  const dys = b.typedArrayFromHeap(dy) as Float32Array;
  for (let bn = 0; bn < n; bn++) {
    for (let y = 0; y < oh; y++) {
      for (let xo = 0; xo < ow; xo++) {
        const dyBase = ((bn * oh + y) * ow + xo) * k;
        for (let i = 0; i < kh; i++) {
          const iy = y * sh - top + i * dh;
          if (iy < 0 || iy >= h) continue;
          for (let j = 0; j < kw; j++) {
            const ix = xo * sw - left + j * dw;
            if (ix < 0 || ix >= w) continue;
            const xBase = ((bn * h + iy) * w + ix) * c;
            const wBase = (i * kw + j) * k;
            if (m === 1) {
              for (let ch = 0; ch < c; ch++) acc[wBase + ch] += xs[xBase + ch]! * dys[dyBase + ch]!;
            } else {
              for (let ch = 0; ch < c; ch++) {
                const xv = xs[xBase + ch]!;
                const o = ch * m;
                for (let q = 0; q < m; q++) acc[wBase + o + q] += xv * dys[dyBase + o + q]!;
              }
            }
          }
        }
      }
    }
  }
  (b.typedArrayFromHeap(out) as Float32Array).set(acc);
  return out;
}

function depthwiseFilterGrad(b: WasmBackend, x: TensorInfo, dy: TensorInfo, info: backend_util.Conv2DInfo, m: number): TensorInfo {
  const [n, h, w, c] = x.shape as Shape4;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
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
}

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
  const [n, , , c] = a.inputShape;
  const m = filter.shape[3]!;
  const dyUsed = dyBlockOrThrow(b, dy, [n, info.outHeight, info.outWidth, c * m], 'DepthwiseConv2dNativeBackpropInput');
  try {
    return depthwiseInputGrad(b, dyUsed, filter, info);
  } finally {
    if (dyUsed !== dy) free(b, dyUsed);
  }
};

function depthwiseInputGrad(b: WasmBackend, dy: TensorInfo, filter: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize: n, inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const [kh, kw, , m] = filter.shape as Shape4;
  const k = c * m;
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
}
