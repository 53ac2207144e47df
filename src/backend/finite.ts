/**
 * Whether tensors hold only finite values, read where their data lives, without a kernel call: on wasm one
 * SIMD pass over each tensor's bytes in the heap (`allFinite` of `./wasm/simdKernels.wat`), on cpu a loop
 * over its array. Elsewhere (webgl, or with `kernelOptions.directFiniteCheck` off) the check is tfjs ops:
 * `sum(t * 0)` per tensor, added up, which is 0 exactly when every value is finite. Internal: used by
 * every training step (`../train/gradientStep.ts`) on the loss and each gradient.
 *
 * With a dozen gradients the tfjs-ops check is ~25 kernel calls and a read per step; on 2 wasm threads each
 * tiny multiply also wakes XNNPACK's thread pool.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { simdKernels } from './wasm/simdKernels.js';
import { kernelOptions } from './wasm/util.js';

/** What this module reads of tfjs's engine and backends. */
interface EngineState {
  state: { tensorInfo: WeakMap<object, { backend: object } | undefined> };
  registry: Record<string, object | undefined>;
}
interface WasmData {
  wasm: object;
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}
interface CpuData {
  data: { get(dataId: object): { values?: unknown } | undefined };
}

/** The verdict on one float32 tensor read in place: true / false, or undefined where it cannot be read. */
function direct(engine: EngineState, t: tf.Tensor): boolean | undefined {
  const backend = engine.state.tensorInfo.get(t.dataId)?.backend;
  if (backend === undefined) return undefined;
  if (backend === engine.registry['wasm']) {
    const b = backend as WasmData;
    const offset = b.dataIdMap.get(t.dataId)?.memoryOffset;
    if (offset === undefined) return undefined;
    const simd = simdKernels(b);
    if (simd) return simd.allFinite(offset, t.size) === 1;
    return everyFinite(b.typedArrayFromHeap(t));
  }
  if (backend === engine.registry['cpu']) {
    const values = (backend as CpuData).data.get(t.dataId)?.values;
    return values instanceof Float32Array ? everyFinite(values) : undefined;
  }
  return undefined;
}

function everyFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/**
 * Whether every value of `tensors` is finite (integer and boolean tensors always are). Reads the data in
 * place on wasm and cpu (see the module comment); nothing is allocated, nothing the caller owns changes.
 */
export function allFinite(tensors: readonly tf.Tensor[]): boolean {
  const engine = tf.engine() as unknown as EngineState;
  const rest: tf.Tensor[] = [];
  for (const t of tensors) {
    if (t.dtype !== 'float32' || t.size === 0) continue;
    const verdict = kernelOptions.directFiniteCheck ? direct(engine, t) : undefined;
    if (verdict === false) return false;
    if (verdict === undefined) rest.push(t);
  }
  if (rest.length === 0) return true;
  return tf.tidy(() => tf.addN(rest.map((t) => tf.sum(tf.mul(t, 0)))).dataSync()[0] === 0);
}
