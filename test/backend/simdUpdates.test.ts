/**
 * The wasm SIMD loops latentkit embeds are the assembled `src/backend/wasm/simdUpdates.wat` (regenerate with
 * `npx tsx test/backend/simdUpdatesBinary.ts --write`), valid for both memories they are instantiated on.
 */
import { describe } from 'vitest';
import { SIMD_UPDATES_PLAIN, SIMD_UPDATES_SHARED } from '../../src/backend/wasm/simdUpdates.bytes.js';
import { itIsTheAssembledSource } from '../helpers/wasmKernels.js';

describe('the embedded SIMD update loops', () => {
  itIsTheAssembledSource('simdUpdates', SIMD_UPDATES_SHARED, SIMD_UPDATES_PLAIN, ['adam', 'momentum', 'rmsprop', 'sgd']);
});
