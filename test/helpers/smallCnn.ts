/**
 * The small CNN of the classifier tests in Node and in the browser: every kind of layer the course's
 * assessment uses (augmentation, Conv2D, BatchNorm, SeparableConv2D, max pooling 3/2, global average
 * pooling, dropout), 150 weights on 8x8x1 images. Data only: the browser harness bundles it too.
 */
import type { LayerSpec } from 'latentkit';

export const SMALL_CNN: readonly LayerSpec[] = [
  { type: 'randomZoom', factor: 0.05 },
  { type: 'randomContrast', factor: 0.1 },
  { type: 'conv2d', filters: 4, padding: 'same' },
  // Moving statistics that settle within the few steps of a test (Keras's default 0.99 needs hundreds).
  { type: 'batchNorm', momentum: 0.8 },
  { type: 'separableConv2d', filters: 6, padding: 'same' },
  { type: 'maxPool2d', poolSize: 3, strides: 2, padding: 'same' },
  { type: 'globalAvgPool2d' },
  { type: 'dropout', rate: 0.1 },
];
