/**
 * Training kernels that tfjs 4.22's wasm backend lacks, composed from the wasm backend's own kernels.
 * (Prototype: strategies switchable for benchmarking.)
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, util } from '@tensorflow/tfjs-core';
import type { DataId, DataType, KernelFunc, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs-core';

/** The part of tfjs-backend-wasm's `BackendWasm` these kernels use. */
interface WasmBackend {
  disposeData(dataId: DataId, force?: boolean): boolean;
  readSync(dataId: DataId): ArrayLike<number>;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
}

type Pads = { top: number; bottom: number; left: number; right: number };

const BACKEND = 'wasm';

/** Runs another wasm kernel and returns its output. */
function run(b: WasmBackend, name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
  const config = tf.getKernel(name, BACKEND);
  if (config === undefined) throw new Error(`latentkit: the wasm backend has no "${name}" kernel.`);
  return config.kernelFunc({ inputs, backend: b, attrs }) as TensorInfo;
}

/** A reshaped view of `t` sharing its data (no kernel call, no reference taken: never dispose a view). */
function view(t: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

function free(b: WasmBackend, ...ts: TensorInfo[]): void {
  for (const t of ts) b.disposeData(t.dataId);
}

/**
 * Pads (positive amounts) and crops (negative amounts) the axes of `t`. Returns `t` itself when nothing
 * changes (check `out !== t` before freeing).
 */
function padOrCrop(b: WasmBackend, t: TensorInfo, amounts: Array<[number, number]>): TensorInfo {
  let cur = t;
  if (amounts.some(([a, z]) => a < 0 || z < 0)) {
    const begin = amounts.map(([a]) => Math.max(0, -a));
    const size = amounts.map(([a, z], i) => t.shape[i]! - Math.max(0, -a) - Math.max(0, -z));
    cur = run(b, 'Slice', { x: cur }, { begin, size });
  }
  if (amounts.some(([a, z]) => a > 0 || z > 0)) {
    const paddings = amounts.map(([a, z]) => [Math.max(0, a), Math.max(0, z)]);
    const padded = run(b, 'PadV2', { x: cur }, { paddings, constantValue: 0 });
    if (cur !== t) free(b, cur);
    cur = padded;
  }
  return cur;
}

export let filterGradStrategy: 'conv' | 'convpad' | 'im2col' = 'conv';
export let bpiStrategy: 'phase' | 'zeros' = (process.env['LK_BPI'] as 'zeros') ?? 'phase';
export function setFilterGradStrategy(s: typeof filterGradStrategy): void {
  filterGradStrategy = s;
}

/**
 * dW[i,j,c,f] = sum_{n,y,x} xpad[n, y*sh + i*dh, x*sw + j*dw, c] * dy[n,y,x,f], for x [N,H,W,C] and
 * dy [N,oh,ow,F]. Returns [kh,kw,C,F].
 */
function filterGrad(
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
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [, oh, ow, f] = dy.shape as [number, number, number, number];
  // The input extent the forward pass read: rows top-padded by pads.top, up to needH rows.
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  const bottom = needH - h - pads.top;
  const right = needW - w - pads.left;
  if (filterGradStrategy === 'im2col') {
    const xp = padOrCrop(b, x, [
      [0, 0],
      [pads.top, bottom],
      [pads.left, right],
      [0, 0],
    ]);
    const cols: TensorInfo[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        cols.push(
          run(
            b,
            'StridedSlice',
            { x: xp },
            {
              begin: [0, i * dh, j * dw, 0],
              end: [n, i * dh + (oh - 1) * sh + 1, j * dw + (ow - 1) * sw + 1, c],
              strides: [1, sh, sw, 1],
              beginMask: 0,
              endMask: 0,
              ellipsisMask: 0,
              newAxisMask: 0,
              shrinkAxisMask: 0,
            },
          ),
        );
      }
    }
    if (xp !== x) free(b, xp);
    const patches = cols.length === 1 ? cols[0]! : run(b, 'Concat', cols as unknown as NamedTensorInfoMap, { axis: 3 });
    if (cols.length > 1) free(b, ...cols);
    const m = n * oh * ow;
    const r = run(
      b,
      'BatchMatMul',
      { a: view(patches, [1, m, kh * kw * c]), b: view(dy, [1, m, f]) },
      { transposeA: true, transposeB: false },
    );
    free(b, patches);
    const out = view(r, [kh, kw, c, f]);
    return out;
  }
  const xt = run(b, 'Transpose', { x }, { perm: [3, 1, 2, 0] }); // [C,H,W,N]
  const dyt = run(b, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] }); // [oh,ow,N,F]
  let r: TensorInfo;
  if (filterGradStrategy === 'convpad' && bottom >= 0 && right >= 0) {
    r = run(
      b,
      'Conv2D',
      { x: xt, filter: dyt },
      {
        strides: [dh, dw],
        dilations: [sh, sw],
        pad: [
          [0, 0],
          [pads.top, bottom],
          [pads.left, right],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    free(b, xt, dyt);
  } else {
    const xp = padOrCrop(b, xt, [
      [0, 0],
      [pads.top, bottom],
      [pads.left, right],
      [0, 0],
    ]);
    if (xp !== xt) free(b, xt);
    r = run(
      b,
      'Conv2D',
      { x: xp, filter: dyt },
      { strides: [dh, dw], dilations: [sh, sw], pad: 'valid', dataFormat: 'NHWC' },
    ); // [C,kh,kw,F]
    free(b, xp, dyt);
  }
  const out = run(b, 'Transpose', { x: r }, { perm: [1, 2, 0, 3] });
  free(b, r);
  return out;
}

function pair(v: number | number[] | undefined): [number, number] {
  if (v === undefined || v === null) return [1, 1];
  if (typeof v === 'number') return [v, v];
  return [v[0]!, v[1] ?? v[0]!];
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (a.dataFormat === 'NCHW') throw new Error('latentkit: wasm Conv2DBackpropFilter supports only NHWC.');
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  return filterGrad(b, x, dy, info.filterHeight, info.filterWidth, info.strideHeight, info.strideWidth, 1, 1, info.padInfo);
};

const depthwiseBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    dilations?: number | [number, number];
    pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const [, oh, ow] = dy.shape as [number, number, number, number];
  const [kh, kw, , m] = a.filterShape;
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pads = info.padInfo;
  const needH = (kh - 1) * dh + (oh - 1) * sh + 1;
  const needW = (kw - 1) * dw + (ow - 1) * sw + 1;
  // Channels (c, n) of one image: x -> [1, H, W, C*N]; dy -> filter [oh, ow, C*N, m].
  const xt = run(b, 'Transpose', { x }, { perm: [1, 2, 3, 0] }); // [H,W,C,N]
  const xp = padOrCrop(b, view(xt, [1, h, w, c * n]), [
    [0, 0],
    [pads.top, needH - h - pads.top],
    [pads.left, needW - w - pads.left],
    [0, 0],
  ]);
  if (xp.dataId !== xt.dataId) free(b, xt);
  const dyt = run(b, 'Transpose', { x: view(dy, [n, oh, ow, c, m]) }, { perm: [1, 2, 3, 0, 4] }); // [oh,ow,C,N,m]
  const r = run(
    b,
    'DepthwiseConv2dNative',
    { x: xp, filter: view(dyt, [oh, ow, c * n, m]) },
    { strides: [dh, dw], dilations: [sh, sw], pad: 'valid' },
  ); // [1,kh,kw,C*N*m]
  free(b, xp, dyt);
  if (n === 1) return view(r, [kh, kw, c, m]);
  const out = run(b, 'Sum', { x: view(r, [kh, kw, c, n, m]) }, { axis: [3], keepDims: false });
  free(b, r);
  return out;
};

const depthwiseBackpropInput: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    dilations?: number | [number, number];
    pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  const info = backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
  const [n, h, w, c] = a.inputShape;
  const [, oh, ow, k] = dy.shape as [number, number, number, number];
  const [kh, kw, , m] = filter.shape as [number, number, number, number];
  const { strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const pads = info.padInfo;
  // Zero-insert dy by the stride: [N,oh,1,ow,1,K] padded to [N,oh,sh,ow,sw,K].
  let dz = dy;
  let lh = oh;
  let lw = ow;
  if (sh > 1 || sw > 1) {
    dz = run(b, 'PadV2', { x: view(dy, [n, oh, 1, ow, 1, k]) }, {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    });
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
  ); // [N,H,W,C*m]
  if (dp !== dy) free(b, dp);
  free(b, wf);
  if (m === 1) return r;
  const out = run(b, 'Sum', { x: view(r, [n, h, w, c, m]) }, { axis: [4], keepDims: false });
  free(b, r);
  return out;
};

/**
 * The stride-1 filter of the sub-pixel decomposition of a stride-(sh,sw) transposed convolution:
 * out[a, b, f, (rh*sw + rw)*C + c] = W[(th-1-a)*sh + rh, (tw-1-b)*sw + rw, c, f] (zero beyond the filter).
 * Built on the host: the filter is small.
 */
function phaseFilter(b: WasmBackend, filter: TensorInfo, sh: number, sw: number): TensorInfo {
  const [kh, kw, c, f] = filter.shape as [number, number, number, number];
  const th = Math.ceil(kh / sh);
  const tw = Math.ceil(kw / sw);
  const k = sh * sw * c;
  const out = b.makeOutput([th, tw, f, k], 'float32');
  const src = b.typedArrayFromHeap(filter);
  const dst = b.typedArrayFromHeap(out);
  dst.fill(0);
  for (let i = 0; i < kh; i++) {
    const a = th - 1 - Math.floor(i / sh);
    const rh = i % sh;
    for (let j = 0; j < kw; j++) {
      const bb = tw - 1 - Math.floor(j / sw);
      const rw = j % sw;
      const dstBase = (a * tw + bb) * f * k + (rh * sw + rw) * c;
      const srcBase = (i * kw + j) * c * f;
      for (let ci = 0; ci < c; ci++) {
        for (let fi = 0; fi < f; fi++) dst[dstBase + fi * k + ci] = src[srcBase + ci * f + fi]!;
      }
    }
  }
  return out;
}

let originalBackpropInput: KernelFunc | undefined;

/**
 * dx of a stride-s convolution as a stride-1 convolution (XNNPACK) of the zero-inserted dy with the
 * flipped, in/out-swapped filter.
 */
const conv2DBackpropInput: KernelFunc = (args) => {
  const { inputs, backend, attrs } = args;
  const b = backend as WasmBackend;
  const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
  const a = attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    inputShape: [number, number, number, number];
  };
  if (a.dataFormat === 'NCHW') return originalBackpropInput!(args);
  const info = backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
    false,
    'channelsLast',
  );
  const [n, h, w, c] = a.inputShape;
  const [, oh, ow, f] = dy.shape as [number, number, number, number];
  const [kh, kw] = filter.shape as [number, number, number, number];
  const { strideHeight: sh, strideWidth: sw } = info;
  const pads = info.padInfo;
  if (bpiStrategy === 'phase') {
    // Sub-pixel decomposition: full[q*s + r] = sum_t dy[q - t] * W[t*s + r], one output channel block per
    // phase r; dx[h] = full[h + padTop].
    const th = Math.ceil(kh / sh);
    const tw = Math.ceil(kw / sw);
    const wt = phaseFilter(b, filter, sh, sw); // [th,tw,F,sh*sw*C]
    const qh = Math.max(oh, Math.ceil((pads.top + h) / sh));
    const qw = Math.max(ow, Math.ceil((pads.left + w) / sw));
    const r = run(b, 'Conv2D', { x: dy, filter: wt }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [th - 1, qh - oh],
        [tw - 1, qw - ow],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    }); // [N,qh,qw,sh*sw*C]
    free(b, wt);
    let full = r;
    if (sh > 1 || sw > 1) {
      // [N*qh, qw, sh, sw*C] -> [N*qh, sh, qw, sw*C] = [N, qh*sh, qw*sw, C]
      full = view(run(b, 'Transpose', { x: view(r, [n * qh, qw, sh, sw * c]) }, { perm: [0, 2, 1, 3] }), [n, qh * sh, qw * sw, c]);
      free(b, r);
    }
    const out = padOrCrop(b, full, [
      [0, 0],
      [-pads.top, h + pads.top - qh * sh],
      [-pads.left, w + pads.left - qw * sw],
      [0, 0],
    ]);
    if (out !== full) free(b, full);
    return out;
  }
  let dz = dy;
  let lh = oh;
  let lw = ow;
  if (sh > 1 || sw > 1) {
    dz = run(b, 'PadV2', { x: view(dy, [n, oh, 1, ow, 1, f]) }, {
      paddings: [
        [0, 0],
        [0, 0],
        [0, sh - 1],
        [0, 0],
        [0, sw - 1],
        [0, 0],
      ],
      constantValue: 0,
    });
    lh = oh * sh;
    lw = ow * sw;
    dz = view(dz, [n, lh, lw, f]);
  }
  const top = kh - 1 - pads.top;
  const left = kw - 1 - pads.left;
  const bottom = h + kh - 1 - top - lh;
  const right = w + kw - 1 - left - lw;
  const wr = run(b, 'Reverse', { x: filter }, { dims: [0, 1] });
  const wf = run(b, 'Transpose', { x: wr }, { perm: [0, 1, 3, 2] });
  free(b, wr);
  let r: TensorInfo;
  if (top >= 0 && left >= 0 && bottom >= 0 && right >= 0) {
    r = run(b, 'Conv2D', { x: dz, filter: wf }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
    });
  } else {
    const dp = padOrCrop(b, dz, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    r = run(b, 'Conv2D', { x: dp, filter: wf }, { strides: [1, 1], dilations: [1, 1], pad: 'valid', dataFormat: 'NHWC' });
    if (dp !== dz) free(b, dp);
  }
  if (dz !== dy) free(b, dz);
  free(b, wf);
  return r;
};

const unsortedSegmentSum: KernelFunc = ({ inputs, backend, attrs }) => {
  const b = backend as WasmBackend;
  const { x, segmentIds } = inputs as { x: TensorInfo; segmentIds: TensorInfo };
  const numSegments = (attrs as unknown as { numSegments: number }).numSegments;
  const idsSize = util.sizeFromShape(segmentIds.shape);
  const inner = util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const out = b.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const ids = b.readSync(segmentIds.dataId);
  const xs = b.typedArrayFromHeap(x);
  const os = b.typedArrayFromHeap(out);
  os.fill(0);
  for (let i = 0; i < idsSize; i++) {
    const s = ids[i]!;
    if (s < 0 || s >= numSegments) continue;
    const o = s * inner;
    const xi = i * inner;
    for (let j = 0; j < inner; j++) os[o + j] += xs[xi + j]!;
  }
  return out;
};

const KERNELS: Array<{ kernelName: string; kernelFunc: KernelFunc }> = [
  { kernelName: 'Conv2DBackpropFilter', kernelFunc: conv2DBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropFilter', kernelFunc: depthwiseBackpropFilter },
  { kernelName: 'DepthwiseConv2dNativeBackpropInput', kernelFunc: depthwiseBackpropInput },
  { kernelName: 'UnsortedSegmentSum', kernelFunc: unsortedSegmentSum },
];

/** Registers the missing training kernels on the wasm backend; returns the names registered. Idempotent. */
export function registerWasmTrainingKernels(): string[] {
  const added: string[] = [];
  for (const { kernelName, kernelFunc } of KERNELS) {
    if (tf.getKernel(kernelName, BACKEND) !== undefined) continue;
    tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc });
    added.push(kernelName);
  }
  const bi = tf.getKernel('Conv2DBackpropInput', BACKEND);
  if (bi !== undefined && bi.kernelFunc !== conv2DBackpropInput && process.env['LK_FASTBI'] !== '0') {
    originalBackpropInput = bi.kernelFunc;
    tf.unregisterKernel('Conv2DBackpropInput', BACKEND);
    tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: BACKEND, kernelFunc: conv2DBackpropInput });
    added.push('Conv2DBackpropInput');
  }
  return added;
}
