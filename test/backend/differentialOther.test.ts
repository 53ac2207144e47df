/**
 * Differential tests of the other kernels latentkit adds to or replaces in tfjs's backends: wasm
 * MaxPoolGrad, BatchMatMul, Sum, Mean, ResizeNearestNeighborGrad, UnsortedSegmentSum and cpu
 * ResizeNearestNeighborGrad. How to reproduce a case: `differential/harness.ts`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { otherSpecs } from './differential/otherCases.js';
import { differentialSuite } from './differential/spec.js';
import './differential/setup.js';

differentialSuite(
  'differential: other kernels',
  otherSpecs(tf.getKernel('ResizeNearestNeighbor', 'cpu')!.kernelFunc),
  'test/backend/differentialOther.test.ts',
  300,
);
