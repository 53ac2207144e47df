/**
 * Differential tests of the wasm data-movement kernels latentkit replaces: Slice, Tile, Concat, Identity,
 * Transpose, Reverse,
 * against tfjs's cpu kernels and tfjs's own wasm kernels, exactly. How to reproduce a case:
 * `differential/harness.ts`.
 */
import { movementSpecs } from './differential/movementCases.js';
import { differentialSuite } from './differential/spec.js';
import './differential/setup.js';

differentialSuite('differential: data-movement kernels', movementSpecs(), 'test/backend/differentialMovement.test.ts', 400);
