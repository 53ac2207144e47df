/**
 * latentkit's wasm kernels through tfjs's engine (ops, not kernel functions): the conv2dTranspose cases of
 * issue 15 agree with cpu, a numeric-pad convolution that tfjs-backend-wasm sizes wrongly no longer corrupts
 * the heap, nothing leaks, and the kernels that add what tfjs lacks reject what no gradient produces with
 * messages that name the shapes. And the README lists every kernel latentkit changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { latentkitKernels, useBackend } from '../../src/index.js';

const pattern = (shape: number[], phase: number) =>
  tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * 0.731 + phase)), shape);

/** The op's values on cpu and on wasm, from the same inputs. */
async function onBoth(op: () => tf.Tensor): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  await useBackend('cpu');
  const c = tf.tidy(op);
  const cpu = c.dataSync() as Float32Array;
  c.dispose();
  await useBackend('wasm');
  const tensors = tf.memory().numTensors;
  const w = tf.tidy(op);
  const wasm = w.dataSync() as Float32Array;
  expect(w.shape).toEqual(c.shape);
  w.dispose();
  expect(tf.memory().numTensors).toBe(tensors);
  return { cpu, wasm, shape: c.shape };
}

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('wasm kernels through the engine', () => {
  it('conv2dTranspose with a dy larger than its output implies agrees with cpu (issue 15)', async () => {
    const cases = [
      () => tf.conv2dTranspose(pattern([1, 8, 8, 8], 0.1) as tf.Tensor4D, pattern([8, 8, 8, 8], 0.4) as tf.Tensor4D, [1, 4, 4, 8], 1, 'same'),
      () => tf.conv2dTranspose(pattern([1, 5, 5, 2], 0.2) as tf.Tensor4D, pattern([3, 3, 2, 2], 0.5) as tf.Tensor4D, [1, 4, 4, 2], 1, 'valid'),
    ];
    for (const op of cases) {
      const { cpu, wasm } = await onBoth(op);
      expect(maxAbsDiff(cpu, wasm)).toBeLessThan(1e-4 * (1 + Math.max(...cpu.map(Math.abs))));
    }
  });

  it("a numeric pad with a non-square stride (tfjs sizes the width with the height's stride) gives cpu's result and leaves the heap sound", async () => {
    const op = () => tf.conv2d(pattern([1, 6, 6, 3], 0.3) as tf.Tensor4D, pattern([3, 3, 3, 3], 0.6) as tf.Tensor4D, [4, 1], 0);
    for (let i = 0; i < 3; i++) {
      const { cpu, wasm } = await onBoth(op);
      expect(maxAbsDiff(cpu, wasm)).toBeLessThan(1e-4 * (1 + Math.max(...cpu.map(Math.abs))));
      // tfjs-backend-wasm's own kernel wrote past its output here and a later allocation failed.
      expect(tf.tidy(() => tf.sum(tf.ones([1000, 100]))).dataSync()[0]).toBe(100000);
    }
  });

  it("convolutions with padding 'same' and a stride larger than the kernel agree with cpu (moved from wasmKernels.test.ts)", async () => {
    const ops = [
      () => tf.conv2d(pattern([2, 12, 9, 3], 0.1) as tf.Tensor4D, pattern([2, 1, 3, 4], 0.2) as tf.Tensor4D, [3, 3], 'same'),
      () => tf.fused.conv2d({ x: pattern([2, 12, 9, 3], 0.1) as tf.Tensor4D, filter: pattern([2, 1, 3, 4], 0.2) as tf.Tensor4D, strides: 3, pad: 'same', bias: pattern([4], 0.4), activation: 'relu' }),
      () => tf.depthwiseConv2d(pattern([2, 12, 9, 3], 0.1) as tf.Tensor4D, pattern([2, 2, 3, 2], 0.3) as tf.Tensor4D, 3, 'same'),
    ];
    for (const op of ops) {
      const { cpu, wasm } = await onBoth(op);
      expect(maxAbsDiff(cpu, wasm)).toBeLessThan(1e-4 * (1 + Math.max(...cpu.map(Math.abs))));
    }
  });

  it('Sum and Mean over leading axes (bias gradients, BatchNormalization moments) agree with cpu, keepDims shapes included (moved from wasmKernels.test.ts)', async () => {
    const x = () => pattern([6, 9, 11, 8], 0.2);
    const ops: Array<[() => tf.Tensor, number[]]> = [
      [() => tf.sum(x(), [0, 1, 2]), [8]],
      [() => tf.sum(x(), [0], true), [1, 9, 11, 8]],
      [() => tf.mean(x(), [0, 1]), [11, 8]],
      [() => tf.mean(x(), [0, 1, 2], true), [1, 1, 1, 8]],
      [() => tf.sum(x(), [1, 2]), [6, 8]], // not leading: the wasm kernel's own path
      [() => tf.mean(x()), []],
    ];
    for (const [op, shape] of ops) {
      const r = await onBoth(op);
      expect(r.shape).toEqual(shape);
      expect(maxAbsDiff(r.cpu, r.wasm)).toBeLessThan(1e-4 * (1 + Math.max(...r.cpu.map(Math.abs))));
    }
  });

  it('the added kernels reject what no gradient produces, naming the shapes', async () => {
    await useBackend('wasm');
    const [x, small, filter, rows, ids] = [tf.ones([1, 6, 6, 2]), tf.ones([1, 2, 2, 3]), tf.ones([3, 3, 2, 1]), tf.ones([4, 3]), tf.tensor1d([0, 1], 'int32')];
    const tensors = tf.memory().numTensors;
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: small }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 2, 3] })).toThrow(
      'latentkit: Conv2DBackpropFilter: dy has shape [1, 2, 2, 3]; expected [1, 6, 6, 3] (or larger on every axis), the output size that the input shape, filter, strides and padding imply.',
    );
    expect(() => tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: small, filter }, { strides: 1, dilations: 1, pad: 'same', inputShape: [1, 6, 6, 2] })).toThrow(
      /DepthwiseConv2dNativeBackpropInput: dy has shape \[1, 2, 2, 3\]; expected \[1, 6, 6, 2\]/,
    );
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: small }, { strides: 1, pad: 'same', dataFormat: 'NCHW', filterShape: [3, 3, 2, 3] })).toThrow(/only dataFormat NHWC/);
    expect(() => tf.engine().runKernel('UnsortedSegmentSum', { x: rows, segmentIds: ids }, { numSegments: 2 })).toThrow(
      'latentkit: UnsortedSegmentSum: segmentIds has shape [2]; expected the leading axes of x, whose shape is [4, 3].',
    );
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, small, filter, rows, ids]);
  });

  it("the README's kernel table lists every kernel latentkit adds or replaces, with its backend and change", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const table = readme.slice(readme.indexOf('### tfjs kernels latentkit adds or replaces'));
    const rows = table.split('\n').filter((l) => l.startsWith('| wasm') || l.startsWith('| cpu'));
    const changes = latentkitKernels();
    expect(changes.length).toBe(50);
    for (const k of changes) {
      const row = rows.find((r) => r.startsWith(`| ${k.backend} |`) && r.includes(`\`${k.kernel}\``));
      expect(row, `${k.backend} ${k.kernel}`).toBeDefined();
      expect(row!.split('|')[3]!.trim()).toBe(k.change);
    }
  });
});
