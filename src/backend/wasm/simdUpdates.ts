/**
 * The wasm SIMD loops of the fused optimizer updates (`./simdUpdates.wat`), instantiated once per wasm
 * backend on tfjs-backend-wasm's own memory, so that they read and write the tensors' buffers in place in
 * the heap: no copy in or out, 4 float32 lanes per instruction. Where they cannot be instantiated (a wasm
 * build without SIMD, a memory object tfjs does not expose) the JavaScript loops of `../fusedUpdates.ts`
 * run instead. Internal.
 * @module
 */
import type { AdamUpdateAttrs, MomentumUpdateAttrs, RMSPropUpdateAttrs } from '../fusedUpdates.js';
import { SIMD_UPDATES_PLAIN, SIMD_UPDATES_SHARED } from './simdUpdates.bytes.js';

/** The loops, on byte offsets into the heap: the inputs' then the outputs' buffers, in the kernel's order. */
export interface SimdUpdates {
  adam(offsets: number[], n: number, acc1: number, acc2: number, a: AdamUpdateAttrs): void;
  /** Momentum (3 inputs: x, g, accumulation; 2 outputs) or SGD (2 inputs, 1 output). */
  momentum(offsets: number[], n: number, a: MomentumUpdateAttrs): void;
  /** RMSprop, not centered (4 inputs: x, g, ms, mom; 3 outputs). */
  rmsprop(offsets: number[], n: number, a: RMSPropUpdateAttrs): void;
}

interface Exports {
  adam(...args: number[]): void;
  momentum(...args: number[]): void;
  sgd(...args: number[]): void;
  rmsprop(...args: number[]): void;
}

/** The emscripten module of tfjs-backend-wasm: the SIMD build keeps its exports in `asm`, the threaded one exposes `wasmMemory`. */
interface EmscriptenModule {
  wasmMemory?: unknown;
  asm?: { memory?: unknown };
}

const instances = new WeakMap<object, SimdUpdates | null>();
const f = Math.fround;

/** Decodes an embedded base64 binary. */
export function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(new ArrayBuffer(text.length));
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/**
 * Instantiates one of latentkit's embedded modules (its shared-memory or plain-memory binary, as tfjs's memory
 * is) on the memory of tfjs-backend-wasm's emscripten module; null where that cannot be done (no memory
 * object exposed, no SIMD in this engine).
 */
export function instantiateOnHeap(module: unknown, sharedBinary: string, plainBinary: string): WebAssembly.Exports | null {
  const m = module as EmscriptenModule;
  const memory = m.wasmMemory ?? m.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return null;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  try {
    const compiled = new WebAssembly.Module(decode(shared ? sharedBinary : plainBinary));
    return new WebAssembly.Instance(compiled, { env: { memory } }).exports;
  } catch {
    return null;
  }
}

/**
 * A getter of one embedded module per wasm backend: instantiated on the backend's memory on first use and
 * kept (null where it cannot run: the caller then uses its fallback).
 */
export function onHeapPerBackend<T>(sharedBinary: string, plainBinary: string): (backend: unknown) => T | undefined {
  const cache = new WeakMap<object, T | null>();
  return (backend) => {
    const b = backend as { wasm?: object };
    if (!b.wasm) return undefined;
    let s = cache.get(b.wasm);
    if (s === undefined) {
      s = instantiateOnHeap(b.wasm, sharedBinary, plainBinary) as unknown as T | null;
      cache.set(b.wasm, s);
    }
    return s ?? undefined;
  };
}

function instantiate(module: EmscriptenModule): SimdUpdates | null {
  const instance = instantiateOnHeap(module, SIMD_UPDATES_SHARED, SIMD_UPDATES_PLAIN);
  if (instance === null) return null; // the JavaScript loops run
  const e = instance as unknown as Exports;
  return {
    adam(o, n, acc1, acc2, a) {
      // Scalars are passed as f32 parameters: rounded exactly as tfjs rounds them into float32 tensors.
      e.adam(o[0]!, o[1]!, o[2]!, o[3]!, o[4]!, o[5]!, o[6]!, n, f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2), f(1 - acc1), f(1 - acc2), f(a.epsilon), f(-a.learningRate));
    },
    momentum(o, n, a) {
      if (o.length === 3) e.sgd(o[0]!, o[1]!, o[2]!, n, f(-a.learningRate));
      else e.momentum(o[0]!, o[1]!, o[2]!, o[3]!, o[4]!, n, f(-a.learningRate), f(a.momentum), a.nesterov ? 1 : 0);
    },
    rmsprop(o, n, a) {
      e.rmsprop(o[0]!, o[1]!, o[2]!, o[3]!, o[4]!, o[5]!, o[6]!, n, f(a.decay), f(1 - a.decay), f(a.momentum), f(a.learningRate), f(a.epsilon));
    },
  };
}

/** The SIMD loops for this wasm backend (instantiated on first use), or undefined where they cannot run. */
export function simdUpdates(backend: unknown): SimdUpdates | undefined {
  const b = backend as { wasm?: EmscriptenModule };
  if (!b.wasm) return undefined;
  let s = instances.get(b.wasm);
  if (s === undefined) {
    s = instantiate(b.wasm);
    instances.set(b.wasm, s);
  }
  return s ?? undefined;
}
