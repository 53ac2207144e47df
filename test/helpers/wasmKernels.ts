/**
 * Shared pieces of the tests of latentkit's wasm kernels: the checks that an embedded module is its
 * assembled source, the suite-level switch to the wasm backend, and running a kernel with one of
 * `kernelOptions`' switches on, then off.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { useBackend } from '../../src/backend/useBackend.js';
import { kernelOptions } from '../../src/backend/wasm/util.js';
import { assemble, type SourceName } from '../backend/simdUpdatesBinary.js';

/**
 * A test that the embedded binaries of `src/backend/wasm/<name>.wat` (shared and plain memory) are its
 * assembled source, import only the heap, and export exactly `exports`.
 */
export function itIsTheAssembledSource(name: SourceName, shared: string, plain: string, exports: readonly string[]): void {
  it('is the assembled .wat source, for shared and for plain memory, importing the heap, with its exports', async () => {
    const built = await assemble(name);
    expect(shared).toBe(built.shared);
    expect(plain).toBe(built.plain);
    for (const b64 of [shared, plain]) {
      const module = new WebAssembly.Module(Buffer.from(b64, 'base64'));
      expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual([...exports].sort());
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    }
  });
}

/** Runs the enclosing suite on `backend` (latentkit's `useBackend`), giving the previous backend back after it. */
export function onBackend(backend: 'cpu' | 'wasm'): void {
  let before: string | undefined;
  beforeAll(async () => {
    before = tf.getBackend();
    await useBackend(backend);
  });
  afterAll(async () => {
    if (before) await tf.setBackend(before);
  });
}

/** Runs the enclosing suite on wasm (see {@link onBackend}). */
export function onWasm(): void {
  onBackend('wasm');
}

type Switch = { [K in keyof typeof kernelOptions]: (typeof kernelOptions)[K] extends boolean ? K : never }[keyof typeof kernelOptions];

/** `run()` with the switch `option` of `kernelOptions` on, then off, as arrays (the switch is restored). */
export function bothWays(option: Switch, run: () => tf.Tensor): [Float32Array, Float32Array] {
  const saved = kernelOptions[option];
  try {
    kernelOptions[option] = true;
    const a = run();
    kernelOptions[option] = false;
    const b = run();
    const out: [Float32Array, Float32Array] = [a.dataSync() as Float32Array, b.dataSync() as Float32Array];
    tf.dispose([a, b]);
    return out;
  } finally {
    kernelOptions[option] = saved;
  }
}

/** How many tensors the current wasm backend holds (its data ids). */
export function wasmDataIds(): number {
  return (tf.backend() as unknown as { dataIdMap: { numDataIds(): number } }).dataIdMap.numDataIds();
}

/** `run()`'s result and how many times the wasm Conv2D kernel ran meanwhile (kernels call it directly). */
export function countingConv2D<T>(run: () => T): [T, number] {
  const config = tf.getKernel('Conv2D', 'wasm')!;
  let calls = 0;
  tf.unregisterKernel('Conv2D', 'wasm');
  tf.registerKernel({ ...config, kernelFunc: (args) => (calls++, config.kernelFunc(args)) });
  try {
    return [run(), calls];
  } finally {
    tf.unregisterKernel('Conv2D', 'wasm');
    tf.registerKernel(config);
  }
}

/** A deterministic tensor in [-1, 1] (or [0, 1]) of the given shape, the same on every backend. */
export function fixed(shape: number[], phase = 0, positive = false): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const s = Math.sin(i * 0.7311 + phase) * Math.cos(i * 0.1234 + 2 * phase);
    v[i] = positive ? 0.5 + 0.5 * s : s;
  }
  return tf.tensor(v, shape);
}

/**
 * How many times kernels of these names ran through the engine during `f` (awaited when it returns a promise:
 * the count covers the whole of it), with `f`'s result.
 */
export function kernelCalls<T>(name: string | readonly string[], f: () => T): T extends Promise<infer R> ? Promise<[R, number]> : [T, number];
export function kernelCalls<T>(name: string | readonly string[], f: () => T): [T, number] | Promise<[unknown, number]> {
  const names = typeof name === 'string' ? [name] : name;
  const engine = tf.engine() as unknown as { runKernel: (n: string, ...rest: unknown[]) => unknown };
  const original = engine.runKernel;
  let calls = 0;
  engine.runKernel = function (this: unknown, n: string, ...rest: unknown[]) {
    if (names.includes(n)) calls++;
    return original.call(this, n, ...rest);
  };
  let result: T;
  try {
    result = f();
  } catch (e) {
    engine.runKernel = original;
    throw e;
  }
  if (result instanceof Promise) {
    return result.then(
      (r: unknown) => {
        engine.runKernel = original;
        return [r, calls] as [unknown, number];
      },
      (e: unknown) => {
        engine.runKernel = original;
        throw e;
      },
    );
  }
  engine.runKernel = original;
  return [result, calls];
}
