/**
 * The wasm SIMD loops latentkit embeds are the assembled `src/backend/wasm/simdUpdates.wat` (regenerate with
 * `npx tsx test/backend/simdUpdatesBinary.ts --write`), valid for both memories they are instantiated on.
 */
import { describe, expect, it } from 'vitest';
import { SIMD_UPDATES_PLAIN, SIMD_UPDATES_SHARED } from '../../src/backend/wasm/simdUpdates.bytes.js';
import { assemble } from './simdUpdatesBinary.js';

describe('the embedded SIMD update loops', () => {
  it('are the assembled .wat source, for shared and for plain memory', async () => {
    const built = await assemble();
    expect(SIMD_UPDATES_SHARED).toBe(built.shared);
    expect(SIMD_UPDATES_PLAIN).toBe(built.plain);
  });

  it('compile and export the four loops', () => {
    for (const b64 of [SIMD_UPDATES_SHARED, SIMD_UPDATES_PLAIN]) {
      const module = new WebAssembly.Module(Buffer.from(b64, 'base64'));
      expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(['adam', 'momentum', 'rmsprop', 'sgd']);
      expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
    }
  });
});
