/**
 * Differential tests of the wasm elementwise kernels latentkit replaces (Add, Sub, Multiply, RealDiv,
 * SquaredDifference, Square, Neg, Sigmoid, Cast, FusedBatchNorm). How to reproduce a case: `differential/harness.ts`.
 */
import { elementwiseSpecs } from './differential/elementwiseCases.js';
import { differentialSuite } from './differential/spec.js';
import './differential/setup.js';

differentialSuite('differential: elementwise kernels', elementwiseSpecs(), 'test/backend/differentialElementwise.test.ts', 300);
