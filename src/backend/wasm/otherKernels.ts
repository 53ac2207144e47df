/**
 * The other wasm kernels latentkit adds or replaces: UnsortedSegmentSum (added); MaxPoolGrad and the forward
 * convolutions sized as tfjs computes (corrections); transposed BatchMatMul, ResizeNearestNeighborGrad and
 * leading-axis Sum/Mean (faster, and for the resize gradient also correct). Internal: registered by
 * `../kernels.ts`.
 * @module
 */
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { nearestSourceIndex, resizeNearestNeighborGradValues } from '../cpuKernelFixes.js';
import { simdKernels } from './simdKernels.js';
import { constant, exactConvInput, free, kernelOptions, run, transpose2d, view, xnnpackAgrees } from './util.js';
import type { PadAttr, Shape4, WasmBackend } from './util.js';

/**
 * UnsortedSegmentSum (the gradient of gather): out[s, ...] = sum of x[i, ...] over the i with
 * segmentIds[i] = s; ids outside [0, numSegments) are dropped, as in TensorFlow. A typed-array loop over the
 * wasm heap: the ids are read once, the rows are summed in place.
 */
export const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const idsRank = segmentIds.shape.length;
  if (segmentIds.shape.some((d, i) => d !== x.shape[i])) {
    throw new Error(
      `latentkit: UnsortedSegmentSum: segmentIds has shape [${segmentIds.shape.join(', ')}]; expected the leading ` +
        `axes of x, whose shape is [${x.shape.join(', ')}].`,
    );
  }
  const idsSize = util.sizeFromShape(segmentIds.shape);
  const innerShape = x.shape.slice(idsRank);
  const inner = util.sizeFromShape(innerShape);
  const ids = b.readSync(segmentIds.dataId); // a copy
  const out = b.makeOutput([numSegments, ...innerShape], x.dtype);
  // Views of the heap are taken after the allocation above (which may grow and detach the heap).
  const xs = b.typedArrayFromHeap(x);
  const os = b.typedArrayFromHeap(out);
  os.fill(0);
  for (let i = 0; i < idsSize; i++) {
    const s = ids[i]!;
    if (!(s >= 0 && s < numSegments)) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let j = 0; j < inner; j++) os[o + j] += xs[xi + j]!;
  }
  return out;
};

/**
 * The cost of a packed element against a transposed one: XNNPACK's packing of a new right operand measured
 * 2-7 ns an element (`bench/NOTES.md`, 1 and 2 threads), a transpose by `./gatherKernels.ts` 1-3 ns.
 */
const PACK_COST = 3;

/**
 * The wasm BatchMatMul runs XNNPACK only for an unbatched product without transposes; with transposeA or
 * transposeB (every Dense gradient) it falls back to a scalar loop. Here the product goes to XNNPACK through
 * `original` in whichever of two forms moves less data: C = op(A)·op(B) with the transposed operands made
 * explicitly, or Cᵀ = op(B)ᵀ·op(A)ᵀ (a transposed operand is then read as it is stored) followed by a
 * transpose of C. XNNPACK packs its right operand on every call (the weights change after every step), so
 * that operand's size counts too, three times a transposed element's: for a Dense input gradient dX = dY·Wᵀ
 * at batch 64 through a 256 -> 784 layer, the first form transposes and packs W (2 x 200k floats), the second
 * transposes dY and dXᵀ and packs dYᵀ (117k). Each output is the same sums in the same order either way. Batched or non-float32
 * products, and operands whose inner sizes disagree, are handed to `original` as they are.
 */
export function batchMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b: bm } = args.inputs as { a: TensorInfo; b: TensorInfo };
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const unbatched = (t: TensorInfo) => t.shape.length >= 2 && util.sizeFromShape(t.shape.slice(0, -2)) === 1;
    if ((!transposeA && !transposeB) || a.dtype !== 'float32' || bm.dtype !== 'float32' || !unbatched(a) || !unbatched(bm)) {
      return original(args);
    }
    const [ar, ac] = a.shape.slice(-2) as [number, number];
    const [br, bc] = bm.shape.slice(-2) as [number, number];
    const [m, k] = transposeA ? [ac, ar] : [ar, ac];
    const n = transposeB ? br : bc;
    if (k !== (transposeB ? bc : br)) return original(args);
    const b = args.backend as WasmBackend;
    // Leading axes (all of size 1) as each operand has them; the output has as many as the longer.
    const leadA = a.shape.slice(0, -2);
    const leadB = bm.shape.slice(0, -2);
    const leadOut = (leadA.length >= leadB.length ? leadA : leadB).map(() => 1);
    const product = (left: TensorInfo, leftLead: number[], right: TensorInfo, rightLead: number[], rows: number, inner: number, cols: number): TensorInfo =>
      original({
        ...args,
        inputs: { a: view(left, [...leftLead, rows, inner]), b: view(right, [...rightLead, inner, cols]) },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      }) as TensorInfo;
    // Elements moved: explicit transposes, the packed right operand (PACK_COST times: tfjs transposes it and
    // XNNPACK packs it, serially), and (second form) the result's transpose.
    const direct = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + PACK_COST * k * n;
    const swapped = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + PACK_COST * k * m + m * n;
    if (!kernelOptions.matMulOrientation || direct <= swapped) {
      const at = transposeA ? transpose2d(b, a, ar, ac) : a;
      const bt = transposeB ? transpose2d(b, bm, br, bc) : bm;
      try {
        return product(at, leadA, bt, leadB, m, k, n);
      } finally {
        if (at !== a) free(b, at);
        if (bt !== bm) free(b, bt);
      }
    }
    // Cᵀ [n, m] = op(B)ᵀ [n, k] · op(A)ᵀ [k, m]; op(B)ᵀ is B as stored when transposeB, op(A)ᵀ is A when transposeA.
    const left = transposeB ? bm : transpose2d(b, bm, br, bc);
    const right = transposeA ? a : transpose2d(b, a, ar, ac);
    let ct: TensorInfo;
    try {
      ct = product(left, leadB, right, leadA, n, k, m);
    } finally {
      if (left !== bm) free(b, left);
      if (right !== a) free(b, right);
    }
    const c = transpose2d(b, ct, n, m);
    free(b, ct);
    return view(c, [...leadOut, m, n]);
  };
}

/**
 * Whether nearest-neighbour resizing of `inSize` to `outSize`, with these corner rules, maps every output
 * index i to floor(i / factor) (checked index by index with tfjs's own rule).
 */
function isBlockReplication(inSize: number, outSize: number, alignCorners: boolean, halfPixelCenters: boolean): boolean {
  if (outSize % inSize !== 0) return false;
  const factor = outSize / inSize;
  for (let i = 0; i < outSize; i++) {
    if (nearestSourceIndex(i, inSize, outSize, alignCorners, halfPixelCenters) !== Math.floor(i / factor)) return false;
  }
  return true;
}

/**
 * ResizeNearestNeighborGrad. Integer-factor upsampling (UpSampling2D): each input pixel receives the sum of
 * its sh x sw block of dy (`boxSums`). Other
 * resizes: the exact adjoint loop shared with the cpu correction. The wasm backend's own kernel is a scalar
 * loop, and wrong with halfPixelCenters. Shapes no resize produces (batch or channels of dy and images
 * disagreeing) go to `original`.
 */
export function resizeNearestNeighborGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as WasmBackend;
    const { images, dy } = args.inputs as { images: TensorInfo; dy: TensorInfo };
    const { alignCorners, halfPixelCenters } = args.attrs as unknown as { alignCorners: boolean; halfPixelCenters: boolean };
    if (images.shape.length !== 4 || dy.shape.length !== 4 || dy.shape[0] !== images.shape[0] || dy.shape[3] !== images.shape[3]) {
      return original(args);
    }
    const [, xh, xw, c] = images.shape as [number, number, number, number];
    const [, yh, yw] = dy.shape as [number, number, number, number];
    const blocks = isBlockReplication(xh, yh, alignCorners, halfPixelCenters) && isBlockReplication(xw, yw, alignCorners, halfPixelCenters);
    if (!blocks || dy.dtype !== 'float32') {
      const dx = resizeNearestNeighborGradValues(b.readSync(dy.dataId), images.shape, dy.shape, alignCorners, halfPixelCenters);
      const out = b.makeOutput(images.shape, 'float32');
      b.typedArrayFromHeap(out).set(dx);
      return out;
    }
    const sh = yh / xh;
    const sw = yw / xw;
    if (sh === 1 && sw === 1) return run(b, 'Identity', { x: dy });
    const out = b.makeOutput(images.shape, 'float32');
    // Views after the allocation (it may grow, and detach, the heap).
    boxSums(b.typedArrayFromHeap(dy) as Float32Array, b.typedArrayFromHeap(out) as Float32Array, images.shape[0]!, xh, xw, c, sh, sw);
    return out;
  };
}

/**
 * dx[n, y, x, c] = the sum from +0 of dy[n, y*sh + i, x*sw + j, c] over the block's sh x sw values: a loop on the
 * calling thread (XNNPACK's depthwise convolution with a ones filter, which it replaces, went to tfjs's thread
 * pool: 0.4-0.9 ms inside a conv AE's step for [32, 6, 6, 32]). In XNNPACK's order, so bit for bit its sums:
 * columns outer for its 4-, 9- and 25-tap kernels (2x2, 3x3, 5x5 blocks), rows outer otherwise (measured for
 * blocks 1x2 to 7x7, `test/backend/wasmKernels.test.ts`).
 */
function boxSums(dy: Float32Array, dx: Float32Array, n: number, h: number, w: number, c: number, sh: number, sw: number): void {
  const rowY = w * sw * c; // one row of dy
  const columnsOuter = sh * sw === 4 || sh * sw === 9 || sh * sw === 25;
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const base = (b * h * sh + y * sh) * rowY;
      for (let x = 0; x < w; x++) {
        for (let ch = 0; ch < c; ch++) {
          let sum = 0;
          const p0 = base + x * sw * c + ch;
          if (columnsOuter) {
            for (let j = 0; j < sw; j++) for (let i = 0, p = p0 + j * c; i < sh; i++, p += rowY) sum = Math.fround(sum + dy[p]!);
          } else {
            for (let i = 0; i < sh; i++) for (let j = 0, p = p0 + i * rowY; j < sw; j++, p += c) sum = Math.fround(sum + dy[p]!);
          }
          dx[o++] = sum;
        }
      }
    }
  }
}

type PoolPad = 'valid' | 'same' | number | backend_util.ExplicitPadding;

/**
 * MaxPoolGrad: dy goes to the first maximum of each pooling window (as on the cpu backend). Replaces the
 * wasm backend's kernel, which starts each window's maximum at `std::numeric_limits<float>::min()` (the
 * smallest positive float, not the lowest): a window whose values are all negative passes no gradient at
 * all, e.g. max pooling after tanh, BatchNormalization, LeakyReLU or a linear convolution. A typed-array
 * loop over the heap; pooling gradients are small next to the convolutions around them.
 *
 * Sizes come from `computePool2DInfo`, as in tfjs's kernels: a dy larger than the pooled size is read
 * through its own strides within the pooled size. Inputs that are not float32 and a dy smaller than the
 * pooled size go to `original`.
 */
export function maxPoolGrad(original: KernelFunc): KernelFunc {
  return (args) => {
    const b = args.backend as WasmBackend;
    const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
    const a = args.attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: PoolPad;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    if (input.shape.length !== 4 || dy.shape.length !== 4 || input.dtype !== 'float32' || dy.dtype !== 'float32') return original(args);
    const info = backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
    const implied = [info.batchSize, info.outHeight, info.outWidth, info.inChannels];
    if (dy.shape.some((d, i) => d < implied[i]!)) return original(args);
    return maxPoolGradLoop(b, dy, input, info);
  };
}

function maxPoolGradLoop(b: WasmBackend, dy: TensorInfo, input: TensorInfo, info: backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { dilationHeight, dilationWidth, effectiveFilterHeight, effectiveFilterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const dyCol = dy.shape[3]!;
  const dyRow = dy.shape[2]! * dyCol;
  const dyBatch = dy.shape[1]! * dyRow;
  const dx = b.makeOutput(input.shape, 'float32');
  // Views of the heap are taken after the allocation above (which may grow and detach the heap).
  const xs = b.typedArrayFromHeap(input);
  const dys = b.typedArrayFromHeap(dy);
  const dxs = b.typedArrayFromHeap(dx);
  dxs.fill(0);
  const simd = c > 0 && c % 4 === 0 && kernelOptions.simdKernels ? simdKernels(b) : undefined;
  if (simd && outHeight > 0 && outWidth > 0 && batchSize > 0) {
    const { padInfo } = info;
    simd.maxPoolGrad(
      xs.byteOffset, dys.byteOffset, dxs.byteOffset, batchSize, inHeight, inWidth, c, outHeight, outWidth, dyCol, dyRow, dyBatch,
      effectiveFilterHeight, effectiveFilterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth, padInfo.top, padInfo.left,
    );
    return dx;
  }
  const best = new Float32Array(c);
  const pos = new Int32Array(c);
  for (let n = 0; n < batchSize; n++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        best.fill(-Infinity);
        pos.fill(-1);
        for (let fy = 0; fy < effectiveFilterHeight; fy += dilationHeight) {
          const iy = oy * strideHeight - top + fy;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < effectiveFilterWidth; fx += dilationWidth) {
            const ix = ox * strideWidth - left + fx;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((n * inHeight + iy) * inWidth + ix) * c;
            for (let k = 0; k < c; k++) {
              const v = xs[base + k]!;
              if (v > best[k]!) {
                best[k] = v;
                pos[k] = base + k;
              }
            }
          }
        }
        const dyBase = n * dyBatch + oy * dyRow + ox * dyCol;
        for (let k = 0; k < c; k++) if (pos[k]! >= 0) dxs[pos[k]!] += dys[dyBase + k]!;
      }
    }
  }
  return dx;
}

/**
 * Sum or mean over the leading axes of a float32 tensor (bias gradients, BatchNormalization moments) as one
 * XNNPACK average pooling of the tensor viewed as [1, outer, 1, inner] with an [outer, 1] window (times
 * `outer` for a sum). The wasm Sum and Mean kernels first transpose the reduced axes innermost, a strided
 * copy that costs 10-20x more than the reduction. Other reductions (fewer than 4,096 elements, other axes,
 * other dtypes) go to `original`.
 */
function leadingAxesReduction(original: KernelFunc, mean: boolean): KernelFunc {
  return (args) => {
    const b = args.backend as WasmBackend;
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as unknown as { axis: number | number[]; keepDims: boolean };
    if (x.dtype !== 'float32' || x.shape.length < 2) return original(args);
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const k = axes.length;
    if (k === 0 || k === x.shape.length || !axes.every((a, i) => a === i)) return original(args);
    const outer = util.sizeFromShape(x.shape.slice(0, k));
    const inner = util.sizeFromShape(x.shape.slice(k));
    if (outer < 2 || inner < 2 || outer * inner < 4096) return original(args);
    const outShape = keepDims ? [...x.shape.slice(0, k).map(() => 1), ...x.shape.slice(k)] : x.shape.slice(k);
    const avg = run(b, 'AvgPool', { x: view(x, [1, outer, 1, inner]) }, { filterSize: [outer, 1], strides: [1, 1], pad: 'valid' });
    if (mean) return view(avg, outShape);
    const count = constant(b, [], outer);
    const out = run(b, 'Multiply', { a: view(avg, outShape), b: count });
    free(b, avg, count);
    return out;
  };
}

export const sum = (original: KernelFunc): KernelFunc => leadingAxesReduction(original, false);
export const mean = (original: KernelFunc): KernelFunc => leadingAxesReduction(original, true);

/**
 * Forward convolutions (Conv2D, FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D) whose output size,
 * as tfjs computes it, is not the one XNNPACK derives from tfjs's padding (see `xnnpackAgrees`): 'same' with
 * a stride larger than the kernel, where TensorFlow's padding is negative and clamped to 0 but XNNPACK's
 * 'same' mode shifts the windows; a numeric pad with a non-square kernel or stride; `dimRoundingMode` 'ceil'
 * or 'round'. The wasm kernels then return wrong values or write past their output buffer, corrupting the
 * heap. These calls go to `original` with explicit padding that yields tfjs's size (and the never-read end
 * of the input cropped); all others go to `original` unchanged.
 */
export function tfjsSizedConvolution(original: KernelFunc, depthwise: boolean): KernelFunc {
  return (args) => {
    const a = args.attrs as unknown as {
      pad: PadAttr;
      strides: number | [number, number];
      dilations?: number | [number, number];
      dataFormat?: 'NHWC' | 'NCHW';
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const { x, filter } = args.inputs as { x: TensorInfo; filter: TensorInfo };
    if (a.dataFormat === 'NCHW' || x.shape.length !== 4 || filter.shape.length !== 4) return original(args);
    const info = backend_util.computeConv2DInfo(x.shape as Shape4, filter.shape as Shape4, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, depthwise);
    if (info.outHeight < 1 || info.outWidth < 1 || xnnpackAgrees(info)) return original(args);
    const b = args.backend as WasmBackend;
    const { input, pad } = exactConvInput(b, x, info);
    const attrs = { ...args.attrs, pad };
    delete (attrs as { dimRoundingMode?: unknown }).dimRoundingMode; // the sizes are exact now
    try {
      return original({ ...args, inputs: { ...args.inputs, x: input }, attrs });
    } finally {
      if (input !== x) free(b, input);
    }
  };
}
