/**
 * The wasm backend starts once per process, whatever the number and order of useBackend calls (tfjs's
 * findBackend and setBackend would each start one), and its settings cannot silently change afterwards.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { describe, expect, it } from 'vitest';
import { ConfigError, useBackend } from '../../src/index.js';
import { declareGlueScope } from '../../src/backend/wasmWorkerGlue.js';

/** Counts the starts of tfjs's wasm backend factory. */
function countStarts(): () => number {
  const entry = (tf.engine().registryFactory as Record<string, { factory: () => unknown }>)['wasm']!;
  const factory = entry.factory;
  let starts = 0;
  entry.factory = () => {
    starts++;
    return factory();
  };
  return () => starts;
}

describe('useBackend("wasm") starts the backend once', () => {
  it('two concurrent calls, then more: one start, the same backend', async () => {
    const starts = countStarts();
    const [a, b] = await Promise.all([useBackend('wasm', { threads: 1 }), useBackend('wasm', { threads: 1 })]);
    expect(starts()).toBe(1);
    expect(a).toMatchObject({ name: 'wasm', threads: 1 });
    expect(b.name).toBe('wasm');
    await useBackend('cpu');
    expect(tf.getBackend()).toBe('cpu');
    const again = await useBackend('wasm');
    expect(again.addedKernels).toEqual([]);
    expect(tf.getBackend()).toBe('wasm');
    expect(starts()).toBe(1);
  });

  it('repeating the settings is fine; changing them is an error that says what they are', async () => {
    await expect(useBackend('wasm', { threads: 1 })).resolves.toMatchObject({ name: 'wasm' });
    const err = await useBackend('wasm', { threads: 3 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(
      'latentkit: threads = 3: expected the value the wasm backend started with (1): it cannot change without reloading the page or restarting the process.',
    );
    await expect(useBackend('wasm', { wasmPaths: '/elsewhere/' })).rejects.toThrow(/wasmPaths = "\/elsewhere\/": expected the value the wasm backend started with \("\/.*dist\/"\)/);
  });
});

describe('useBackend options are checked', () => {
  it('an unknown option key', async () => {
    const err = await useBackend('wasm', { thread: 2 } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/^latentkit: useBackend\.(options\.)?thread = 2: .*threads, wasmPaths, kernelReplacements/);
  });

  it('wasm-only options on another backend', async () => {
    await expect(useBackend('cpu', { threads: 2 })).rejects.toThrow('latentkit: threads = 2: expected no threads for backend "cpu": it applies to "wasm" only.');
  });

  it('wasmPaths: a folder or one URL per binary', async () => {
    await expect(useBackend('wasm', { wasmPaths: '' })).rejects.toThrow(/wasmPaths = "": expected a folder URL ending in '\/', or one URL for each of tfjs-backend-wasm\.wasm/);
    await expect(useBackend('wasm', { wasmPaths: '/wasm' })).rejects.toThrow(/wasmPaths = "\/wasm": expected a folder URL ending in '\/'/);
    await expect(useBackend('wasm', { wasmPaths: { 'tfjs-backend-wasm.wasm': 'a.wasm' } as never })).rejects.toThrow(ConfigError);
    await expect(useBackend('wasm', { kernelReplacements: 'yes' as never })).rejects.toThrow(/kernelReplacements = "yes": expected true or false/);
  });
});

describe("the threaded glue's worker copy", () => {
  // What tfjs puts in the worker's Blob, as Vite's minifier leaves it (`typeof _scriptDir < "u"` became `e !== void 0`).
  const minified = 'var WasmBackendModuleThreadedSimd = function(t){return e!==void 0&&e?{dir:e}:{urlOrBlob:t.mainScriptUrlOrBlob||e}}';
  const plain = 'var WasmBackendModuleThreadedSimd = function(M){return {"urlOrBlob":Module["mainScriptUrlOrBlob"]||_scriptDir}}';
  const evaluate = (parts: BlobPart[]): unknown => new Function(`${parts.join('')}\nreturn WasmBackendModuleThreadedSimd({});`)();

  it('fails in a worker as it comes (the variable lived in the bundle, not in the worker)', () => {
    expect(() => evaluate([minified])).toThrow(/e is not defined/);
  });

  it('gets a declaration of that variable, whatever the minifier called it, and then runs', () => {
    expect(declareGlueScope([minified])).toEqual(['var e;', minified]);
    expect(evaluate(declareGlueScope([minified])!)).toEqual({ urlOrBlob: undefined });
    expect(declareGlueScope([plain])).toEqual(['var _scriptDir;', plain]);
  });

  it('leaves every other Blob alone', () => {
    const parts = ['console.log(1)'];
    expect(declareGlueScope(parts)).toBe(parts);
    expect(declareGlueScope(undefined)).toBeUndefined();
  });
});
