/**
 * Differential tests of the convolution kernels latentkit adds to or replaces in tfjs's wasm backend:
 * Conv2D, FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2D, Conv2DBackpropInput (replaced),
 * Conv2DBackpropFilter, DepthwiseConv2dNativeBackpropFilter and ...BackpropInput (added). Hundreds of
 * generated cases per kernel, each through latentkit's kernel, the reference (tfjs's cpu kernel; the
 * definition for dilated depthwise gradients) and tfjs's own wasm kernel. How to reproduce a case:
 * `differential/harness.ts`.
 */
import { CONV_SPECS } from './differential/convCases.js';
import { differentialSuite } from './differential/spec.js';

differentialSuite('differential: convolution kernels on wasm', CONV_SPECS, 'test/backend/differentialConv.test.ts', 300);
