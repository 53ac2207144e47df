/**
 * Differential testing of kernel functions: one generated case (host arrays + attributes) runs through a
 * kernel function on a backend instance directly (no engine, no tensors: `backend.write`, the kernel,
 * `readSync`, `disposeData`), and outputs are compared with a tolerance scaled to the reference's values.
 * Every run also checks that the kernel freed everything it allocated and did not hand back an input's data
 * without taking a reference to it.
 *
 * Reproduce one failing case: `DIFF_ONLY='Conv2DBackpropInput#17' npx vitest run <file>` (the message of a
 * failure names it); `DIFF_CASES=3000` runs more cases per kernel, `DIFF_SEED=7` other ones, `DIFF_TRACE=1`
 * prints each case before it runs (to find one that hangs or crashes), `DIFF_REPORT=1` a summary per kernel.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { DataId, KernelBackend, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';

export type DType = 'float32' | 'int32' | 'bool';
export type Values = Float32Array | Int32Array | Uint8Array;

/** A tensor on the host. */
export interface HostTensor {
  shape: number[];
  dtype: DType;
  values: Values;
}

/** One generated kernel call. `tags` name the paths and conditions it exercises (for the tallies). */
export interface KernelCase {
  inputs: Record<string, HostTensor>;
  /** The kernel takes its inputs as a list (Concat), in the order of `inputs`. */
  inputList?: boolean;
  attrs: Record<string, unknown>;
  tags: string[];
}

/** What a kernel call produced: its output on the host (dtype 'any' in a reference: not compared), or the message it threw. */
export type Outcome = { shape: number[]; dtype: string; values: Float64Array } | { error: string };

/** A seeded stream of uniform numbers in [0, 1) with small helpers. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: string) {
    this.next = seedrandom.alea(seed);
  }
  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of items) if ((r -= w) < 0) return v;
    return items[items.length - 1]![0];
  }
}

/** Cases per kernel (env `DIFF_CASES`, default `dflt`). */
export function caseCount(dflt: number): number {
  const n = Number(process.env['DIFF_CASES'] ?? dflt);
  return Number.isInteger(n) && n > 0 ? n : dflt;
}

/** The seed for case `i` of `kernel` (env `DIFF_SEED` shifts every seed). */
export function caseSeed(kernel: string, i: number): string {
  return `${kernel}#${i}@${process.env['DIFF_SEED'] ?? '1'}`;
}

/** Whether `DIFF_ONLY` (e.g. `Conv2D#17`) selects case `i` of `kernel` (every case when unset). */
export function selected(kernel: string, i: number): boolean {
  const only = process.env['DIFF_ONLY'];
  return only === undefined || only === kernel || only === `${kernel}#${i}`;
}

/** A host tensor of the given shape; values uniform in [lo, hi) (integers for int32, 0/1 for bool). */
export function randomTensor(rng: Rng, shape: number[], dtype: DType = 'float32', lo = -1, hi = 1): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  if (dtype === 'float32') {
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = lo + (hi - lo) * rng.float();
    return { shape, dtype, values };
  }
  if (dtype === 'int32') {
    const values = new Int32Array(size);
    for (let i = 0; i < size; i++) values[i] = rng.int(Math.ceil(lo), Math.floor(hi));
    return { shape, dtype, values };
  }
  const values = new Uint8Array(size);
  for (let i = 0; i < size; i++) values[i] = rng.chance(0.5) ? 1 : 0;
  return { shape, dtype, values };
}

/** A host tensor whose values are drawn from `choices` (ties, all-negative windows). */
export function tensorFrom(shape: number[], choices: () => number): HostTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = choices();
  return { shape, dtype: 'float32', values };
}

interface HostBackend {
  write(values: Values | null, shape: number[], dtype: DType): DataId;
  readSync(dataId: DataId): ArrayLike<number>;
  disposeData(dataId: DataId, force?: boolean): boolean;
  numDataIds(): number;
  refCount(dataId: DataId): number;
}

/** The initialised backend instance named `name` (cpu or wasm). */
export function backendInstance(name: string): KernelBackend {
  const b = tf.findBackend(name);
  if (b === null) throw new Error(`backend ${name} is not initialised`);
  return b;
}

/** Data ids a backend holds now (wasm and cpu both keep a DataStorage). */
export function dataIdCount(name: string): number {
  return (backendInstance(name) as unknown as HostBackend).numDataIds();
}

/**
 * Runs `kernelFunc` on the backend `backendName` with the case's inputs and attributes. Throws when the
 * kernel leaks (more data ids after than before) or returns an input's data as its output.
 */
export function runKernel(backendName: string, kernelFunc: KernelFunc, c: KernelCase): Outcome {
  const backend = backendInstance(backendName) as unknown as HostBackend;
  const before = backend.numDataIds();
  const inputs: Record<string, TensorInfo> = {};
  for (const [name, t] of Object.entries(c.inputs)) {
    // A copy: the cpu backend keeps the array it is given.
    inputs[name] = { dataId: backend.write(t.values.slice(), t.shape, t.dtype), shape: [...t.shape], dtype: t.dtype };
  }
  let outcome: Outcome;
  try {
    const given = c.inputList ? Object.values(inputs) : inputs;
    const out = kernelFunc({ inputs: given as never, backend: backend as unknown as KernelBackend, attrs: structuredClone(c.attrs) as never });
    // Several outputs (SplitV, Unpack) are compared as one: their values in order, their shapes as
    // [rank, ...dims] per output.
    const infos = (Array.isArray(out) ? out : [out]) as TensorInfo[];
    const values: number[] = [];
    for (const info of infos) {
      // An output may share an input's data (Identity, Reshape) only with a reference of its own.
      const shared = Object.entries(inputs).find(([, t]) => t.dataId === info.dataId);
      if (shared && backend.refCount(info.dataId) < 2) throw new Error(`harness: ${backendName} kernel returned its input "${shared[0]}" without a reference of its own`);
      for (const v of Array.from(backend.readSync(info.dataId))) values.push(v);
    }
    const shape = Array.isArray(out) ? infos.flatMap((t) => [t.shape.length, ...t.shape]) : [...infos[0]!.shape];
    outcome = { shape, dtype: infos[0]?.dtype ?? 'any', values: Float64Array.from(values) };
    for (const info of infos) backend.disposeData(info.dataId);
  } catch (e) {
    if ((e as Error).message.startsWith('harness:')) throw e;
    outcome = { error: (e as Error).message };
  } finally {
    for (const t of Object.values(inputs)) backend.disposeData(t.dataId);
  }
  const after = backend.numDataIds();
  if (after !== before && !('error' in outcome)) throw new Error(`harness: ${backendName} kernel leaked ${after - before} data ids`);
  return outcome;
}

/** Default tolerance factor: |a - b| <= TOL * (1 + max |ref|). */
export const TOL = 1e-4;

/**
 * Compares an outcome with the reference: the same shape and, element by element,
 * |got - ref| <= tol * (1 + max |ref|) (NaN matches NaN). Two errors agree. Returns undefined when they
 * agree, otherwise what differs.
 */
export function disagreement(ref: Outcome, got: Outcome, tol = TOL): string | undefined {
  if ('error' in ref || 'error' in got) {
    if ('error' in ref && 'error' in got) return undefined;
    return 'error' in ref ? `reference threw "${ref.error}", this returned a result` : `threw "${(got as { error: string }).error}"`;
  }
  if (ref.shape.join() !== got.shape.join()) return `shape [${got.shape}] instead of [${ref.shape}]`;
  if (ref.dtype !== 'any' && ref.dtype !== got.dtype) return `dtype ${got.dtype} instead of ${ref.dtype}`;
  let scale = 0;
  for (const v of ref.values) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  const limit = tol * (1 + scale);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < ref.values.length; i++) {
    const a = ref.values[i]!;
    const b = got.values[i]!;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    const err = a === b ? 0 : Math.abs(a - b);
    if (!(err <= limit) && (worst < 0 || !(err <= worstErr))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst < 0) return undefined;
  return `max |diff| ${worstErr.toPrecision(3)} > ${limit.toPrecision(3)} at flat index ${worst} [${unravel(worst, ref.shape)}]: reference ${ref.values[worst]}, got ${got.values[worst]}`;
}

function unravel(i: number, shape: number[]): number[] {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(i % shape[d]!);
    i = Math.floor(i / shape[d]!);
  }
  return idx;
}

/** A one-line description of a case: input shapes and dtypes, attributes, tags. */
export function describeCase(c: KernelCase): string {
  const ins = Object.entries(c.inputs)
    .map(([k, t]) => `${k}: ${t.dtype}[${t.shape.join(',')}]`)
    .join(', ');
  return `inputs {${ins}} attrs ${JSON.stringify(c.attrs)} tags [${c.tags.join(', ')}]`;
}
