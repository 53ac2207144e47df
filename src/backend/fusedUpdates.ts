/**
 * Fused optimizer updates: one kernel call per variable computes what tfjs's optimizers compute with 5-12
 * kernels (Adam: about 12 elementwise kernels and 3 tensor allocations per variable, each a pass over the
 * variable's memory). Registered for the `wasm` and `cpu` backends by `./kernels.ts`; used by latentkit's
 * optimizers (`../train/fusedOptimizers.ts`), which fall back to tfjs's own update on every other backend.
 *
 * Bit for bit: each update applies tfjs 4.22's float32 operations in tfjs's order, every intermediate
 * rounded to float32 (`Math.fround`, or a wasm f32 instruction), so the new weights and optimizer state are
 * exactly those of `tf.train.adam` / `momentum` / `rmsprop` / `sgd` on the same backend. Double arithmetic
 * rounded to float32 after each +, -, *, / and sqrt gives the correctly rounded float32 result (53 >= 2*24+2
 * bits), which is what tfjs's cpu kernels (JavaScript doubles stored into Float32Arrays) and its wasm
 * kernels (IEEE f32) compute.
 *
 * Every output is a new buffer: a variable's memory is never written in place, because tfjs's wasm matMul
 * and convolution kernels cache XNNPACK operators with the weights packed, keyed by the weights' buffer
 * (freed with it), and because a variable's buffer may be shared (`tf.clone`).
 * @module
 */
import type { DataType, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { simdUpdates, type SimdUpdates } from './wasm/simdUpdates.js';
import { kernelOptions } from './wasm/util.js';

/** Kernel names (not tfjs's: these kernels exist only where latentkit registers them). */
export const ADAM_UPDATE = 'LatentkitAdamUpdate';
export const MOMENTUM_UPDATE = 'LatentkitMomentumUpdate';
export const RMSPROP_UPDATE = 'LatentkitRMSPropUpdate';

/** Attributes of {@link ADAM_UPDATE}: inputs x, g, m, v and the scalars accBeta1, accBeta2 (tfjs's Adam state). */
export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Attributes of {@link MOMENTUM_UPDATE}: inputs x, g, accumulation; momentum 0 (no accumulation input) is plain SGD. */
export interface MomentumUpdateAttrs {
  learningRate: number;
  momentum: number;
  nesterov: boolean;
}

/** Attributes of {@link RMSPROP_UPDATE}: inputs x, g, ms (mean square), mom (momentum), mg (mean gradient, centered only). */
export interface RMSPropUpdateAttrs {
  learningRate: number;
  decay: number;
  momentum: number;
  epsilon: number;
  centered: boolean;
}

const f = Math.fround;

/**
 * tfjs's Adam for one variable, as its ops do it:
 * m' = m*b1 + g*(1-b1); v' = v*b2 + g²*(1-b2); x' = (m'/(1-acc1)) / (sqrt(v'/(1-acc2)) + eps) * -lr + x.
 */
export function adamLoop(
  x: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  xo: Float32Array, mo: Float32Array, vo: Float32Array,
  acc1: number, acc2: number, a: AdamUpdateAttrs,
): void {
  const b1 = f(a.beta1);
  const ob1 = f(1 - a.beta1);
  const b2 = f(a.beta2);
  const ob2 = f(1 - a.beta2);
  const c1 = f(1 - acc1);
  const c2 = f(1 - acc2);
  const eps = f(a.epsilon);
  const nlr = f(-a.learningRate);
  for (let i = 0, n = x.length; i < n; i++) {
    const gi = g[i]!;
    const m1 = f(f(m[i]! * b1) + f(gi * ob1));
    const v1 = f(f(v[i]! * b2) + f(f(gi * gi) * ob2));
    mo[i] = m1;
    vo[i] = v1;
    const step = f(f(m1 / c1) / f(f(Math.sqrt(f(v1 / c2))) + eps));
    xo[i] = f(step * nlr) + x[i]!;
  }
}

/**
 * tfjs's momentum (and, with no accumulation, SGD) for one variable: acc' = m*acc + g; x' = -lr*acc' + x,
 * or with Nesterov x' = -lr*(g + acc'*m) + x.
 */
export function momentumLoop(
  x: Float32Array, g: Float32Array, acc: Float32Array | undefined,
  xo: Float32Array, acco: Float32Array | undefined, a: MomentumUpdateAttrs,
): void {
  const c = f(-a.learningRate);
  const mom = f(a.momentum);
  const n = x.length;
  if (acc === undefined || acco === undefined) {
    for (let i = 0; i < n; i++) xo[i] = f(c * g[i]!) + x[i]!;
    return;
  }
  for (let i = 0; i < n; i++) {
    const gi = g[i]!;
    const a1 = f(f(mom * acc[i]!) + gi);
    acco[i] = a1;
    xo[i] = a.nesterov ? f(c * f(gi + f(a1 * mom))) + x[i]! : f(c * a1) + x[i]!;
  }
}

/**
 * tfjs's RMSprop for one variable: ms' = ms*d + g²*(1-d); mom' = mom*p + g*lr / sqrt(ms' + eps); x' = x - mom'.
 * Centered: mg' = mg*d + g*(1-d) and the root is sqrt(ms' - (mg'² + eps)).
 */
export function rmspropLoop(
  x: Float32Array, g: Float32Array, ms: Float32Array, mom: Float32Array, mg: Float32Array | undefined,
  xo: Float32Array, mso: Float32Array, momo: Float32Array, mgo: Float32Array | undefined, a: RMSPropUpdateAttrs,
): void {
  const d = f(a.decay);
  const od = f(1 - a.decay);
  const p = f(a.momentum);
  const lr = f(a.learningRate);
  const eps = f(a.epsilon);
  for (let i = 0, n = x.length; i < n; i++) {
    const gi = g[i]!;
    const ms1 = f(f(ms[i]! * d) + f(f(gi * gi) * od));
    mso[i] = ms1;
    let root: number;
    if (mg && mgo) {
      const mg1 = f(f(mg[i]! * d) + f(gi * od));
      mgo[i] = mg1;
      root = f(Math.sqrt(f(ms1 - f(f(mg1 * mg1) + eps))));
    } else {
      root = f(Math.sqrt(f(ms1 + eps)));
    }
    const mom1 = f(f(mom[i]! * p) + f(f(gi * lr) / root));
    momo[i] = mom1;
    xo[i] = x[i]! - mom1;
  }
}

/** The part of the wasm and cpu backends these kernels use. */
interface WasmBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array | Uint8Array;
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  wasm: unknown;
}
interface CpuBackend {
  data: { get(dataId: object): { values?: ArrayLike<number> } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: Float32Array): TensorInfo;
}

/** Float32 views of the inputs and of `outputs` new outputs shaped like `like`, on either backend. */
interface Buffers {
  inputs: Float32Array[];
  outputs: Float32Array[];
  result: TensorInfo[];
  /** wasm only: byte offsets in the heap of inputs then outputs (for the SIMD loops). */
  offsets?: number[];
}

function wasmBuffers(b: WasmBackend, inputs: TensorInfo[], like: TensorInfo, outputs: number): Buffers {
  const result = Array.from({ length: outputs }, () => b.makeOutput([...like.shape], 'float32'));
  // Views of the heap are taken after the allocations (which may grow the heap and detach older views).
  const all = [...inputs, ...result];
  return {
    inputs: inputs.map((t) => b.typedArrayFromHeap(t) as Float32Array),
    outputs: result.map((t) => b.typedArrayFromHeap(t) as Float32Array),
    result,
    offsets: all.map((t) => b.dataIdMap.get(t.dataId).memoryOffset),
  };
}

function cpuBuffers(b: CpuBackend, inputs: TensorInfo[], like: TensorInfo, outputs: number): Buffers {
  const size = like.shape.reduce((p, q) => p * q, 1);
  const out = Array.from({ length: outputs }, () => new Float32Array(size));
  return {
    inputs: inputs.map((t) => b.data.get(t.dataId).values as Float32Array),
    outputs: out,
    result: out.map((values) => b.makeTensorInfo([...like.shape], 'float32', values)),
  };
}

export type BackendKind = 'wasm' | 'cpu';

/**
 * Float32 views of `inputs` and of `outputs` new outputs shaped like `like`, on the wasm or cpu backend (also
 * the LeakyReLU gradient kernel's, `./leakyRelu.ts`); `what` names the kernel in the dtype error.
 */
export function buffers(kind: BackendKind, backend: unknown, inputs: TensorInfo[], like: TensorInfo, outputs: number, what = 'fused optimizer update'): Buffers {
  for (const t of inputs) {
    if (t.dtype !== 'float32') throw new Error(`latentkit: ${what}: a ${t.dtype} tensor; expected float32.`);
  }
  return kind === 'wasm' ? wasmBuffers(backend as WasmBackend, inputs, like, outputs) : cpuBuffers(backend as CpuBackend, inputs, like, outputs);
}

/** The value of a scalar input. */
function scalarOf(kind: BackendKind, backend: unknown, t: TensorInfo): number {
  if (kind === 'wasm') return (backend as WasmBackend).typedArrayFromHeap(t)[0]!;
  return (backend as CpuBackend).data.get(t.dataId).values![0]!;
}

/** The wasm SIMD loops, where they run (wasm backend, switched on, instantiated). */
function simdOf(kind: BackendKind, backend: unknown, buf: Buffers): SimdUpdates | undefined {
  return kind === 'wasm' && buf.offsets && kernelOptions.simdOptimizerLoops ? simdUpdates(backend) : undefined;
}

function adamKernel(kind: BackendKind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, g, m, v, accBeta1, accBeta2 } = inputs as Record<string, TensorInfo>;
    const a = attrs as unknown as AdamUpdateAttrs;
    const acc1 = scalarOf(kind, backend, accBeta1!);
    const acc2 = scalarOf(kind, backend, accBeta2!);
    const buf = buffers(kind, backend, [x!, g!, m!, v!], x!, 3);
    const [xs, gs, ms, vs] = buf.inputs as [Float32Array, Float32Array, Float32Array, Float32Array];
    const [xo, mo, vo] = buf.outputs as [Float32Array, Float32Array, Float32Array];
    const simd = simdOf(kind, backend, buf);
    if (simd && buf.offsets) simd.adam(buf.offsets, xs.length, acc1, acc2, a);
    else adamLoop(xs, gs, ms, vs, xo, mo, vo, acc1, acc2, a);
    return buf.result;
  };
}

function momentumKernel(kind: BackendKind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, g, accumulation } = inputs as Record<string, TensorInfo | undefined>;
    const a = attrs as unknown as MomentumUpdateAttrs;
    const ins = accumulation ? [x!, g!, accumulation] : [x!, g!];
    const buf = buffers(kind, backend, ins, x!, ins.length - 1);
    const [xs, gs, acc] = buf.inputs as [Float32Array, Float32Array, Float32Array | undefined];
    const [xo, acco] = buf.outputs as [Float32Array, Float32Array | undefined];
    const simd = simdOf(kind, backend, buf);
    if (simd && buf.offsets) simd.momentum(buf.offsets, xs.length, a);
    else momentumLoop(xs, gs, acc, xo, acco, a);
    return buf.result;
  };
}

function rmspropKernel(kind: BackendKind): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const { x, g, ms, mom, mg } = inputs as Record<string, TensorInfo | undefined>;
    const a = attrs as unknown as RMSPropUpdateAttrs;
    const ins = a.centered ? [x!, g!, ms!, mom!, mg!] : [x!, g!, ms!, mom!];
    const buf = buffers(kind, backend, ins, x!, ins.length - 1);
    const [xs, gs, mss, moms, mgs] = buf.inputs as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array | undefined];
    const [xo, mso, momo, mgo] = buf.outputs as [Float32Array, Float32Array, Float32Array, Float32Array | undefined];
    const simd = a.centered ? undefined : simdOf(kind, backend, buf);
    if (simd && buf.offsets) simd.rmsprop(buf.offsets, xs.length, a);
    else rmspropLoop(xs, gs, mss, moms, mgs, xo, mso, momo, mgo, a);
    return buf.result;
  };
}

/** The fused update kernels, for `./kernels.ts` to register on wasm and cpu. */
export const FUSED_UPDATE_KERNELS = (['wasm', 'cpu'] as const).flatMap((backendName) => [
  { kernelName: ADAM_UPDATE, backendName, kernelFunc: adamKernel(backendName), why: 'fused: an Adam update in one pass per variable (tfjs: ~12 kernels)' },
  { kernelName: MOMENTUM_UPDATE, backendName, kernelFunc: momentumKernel(backendName), why: 'fused: an SGD or momentum update in one pass per variable (tfjs: 2-5 kernels)' },
  { kernelName: RMSPROP_UPDATE, backendName, kernelFunc: rmspropKernel(backendName), why: 'fused: an RMSprop update in one pass per variable (tfjs: 8-12 kernels)' },
]);
