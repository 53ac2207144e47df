/**
 * latentkit's wasm SIMD kernel loops (`src/backend/wasm/simdKernels.wat`): the embedded bytes are the
 * assembled source; on wasm the depthwise filter gradient and MaxPoolGrad take them for channel counts that
 * are multiples of 4, bit for bit the results of the JavaScript loops they replace (and, for the depthwise
 * filter gradient without dilation, bit for bit tfjs's cpu kernel: the same float64 sums in the same order).
 * The generated cases against tfjs's kernels are in the differential suite (differentialConv/Other).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { simdKernels } from '../../src/backend/wasm/simdKernels.js';
import { SIMD_KERNELS_PLAIN, SIMD_KERNELS_SHARED } from '../../src/backend/wasm/simdKernels.bytes.js';
import { SIMD_GATHER_PLAIN, SIMD_GATHER_SHARED } from '../../src/backend/wasm/simdGather.bytes.js';
import { bothWays, itIsTheAssembledSource, onWasm } from '../helpers/wasmKernels.js';

/** A deterministic float32 tensor (values in [-1, 1], with repeats so that pooling windows hold ties). */
function values(shape: number[], phase: number, ties = false): tf.Tensor4D {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ties ? Math.round(3 * Math.sin(i * 0.37 + phase)) / 3 : Math.sin(i * 0.7311 + phase) * Math.cos(i * 0.1234);
  return tf.tensor4d(v, shape as [number, number, number, number]);
}

interface CpuBackend {
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  readSync(dataId: object): Float32Array;
  disposeData(dataId: object): void;
}

describe('the embedded SIMD kernel loops', () => {
  itIsTheAssembledSource('simdGather', SIMD_GATHER_SHARED, SIMD_GATHER_PLAIN, ['gather4', 'transpose4']);
  itIsTheAssembledSource('simdKernels', SIMD_KERNELS_SHARED, SIMD_KERNELS_PLAIN, ['allFinite', 'col2im', 'depthwiseFilterGrad', 'filterGradF4', 'maxPoolGrad']);
});

describe('SIMD depthwise filter gradient and MaxPoolGrad on wasm', () => {
  onWasm();

  it('are instantiated on the wasm backend', () => {
    expect(simdKernels(tf.backend())).toBeDefined();
  });

  const depthwise: Array<{ x: number[]; k: [number, number]; strides: [number, number]; pad: 'same' | 'valid'; dilations: [number, number] }> = [
    { x: [3, 7, 5, 4], k: [3, 3], strides: [1, 1], pad: 'same', dilations: [1, 1] },
    { x: [2, 9, 9, 8], k: [3, 2], strides: [2, 2], pad: 'same', dilations: [1, 1] },
    { x: [1, 6, 11, 12], k: [2, 3], strides: [3, 1], pad: 'valid', dilations: [1, 1] },
    { x: [2, 8, 7, 4], k: [3, 3], strides: [1, 1], pad: 'same', dilations: [2, 1] },
    { x: [4, 5, 5, 16], k: [5, 5], strides: [1, 1], pad: 'same', dilations: [1, 1] },
  ];
  it.each(depthwise)('depthwise filter gradient $x, kernel $k, strides $strides, $pad, dilations $dilations: SIMD = JavaScript loop (= cpu)', ({ x, k, strides, pad, dilations }) => {
    const xs = values(x, 0.3);
    const probe = tf.depthwiseConv2d(xs, tf.zeros([k[0], k[1], x[3]!, 1]), strides, pad, 'NHWC', dilations);
    const dy = values(probe.shape, 1.1);
    const attrs = { strides, pad, dilations, filterShape: [k[0], k[1], x[3]!, 1] };
    const [simd, js] = bothWays('simdKernels', () => tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: xs, dy }, attrs) as tf.Tensor);
    expect(simd).toEqual(js);
    expect(simd.some((v) => v !== 0)).toBe(true);
    if (dilations[0] === 1 && dilations[1] === 1) {
      // tfjs's cpu kernel (it ignores dilations): the same float64 sums in the same order.
      const cpu = tf.findBackend('cpu') as unknown as CpuBackend;
      const onCpu = (t: tf.Tensor) => cpu.makeTensorInfo(t.shape, 'float32', t.dataSync() as Float32Array);
      const [cx, cdy] = [onCpu(xs), onCpu(dy)];
      const out = tf.getKernel('DepthwiseConv2dNativeBackpropFilter', 'cpu')!.kernelFunc({ inputs: { x: cx, dy: cdy }, backend: cpu as never, attrs }) as tf.TensorInfo;
      expect(simd).toEqual(cpu.readSync(out.dataId));
      for (const t of [cx, cdy, out]) cpu.disposeData(t.dataId);
    }
    tf.dispose([xs, probe, dy]);
  });

  const pools: Array<{ x: number[]; f: [number, number]; s: [number, number]; pad: 'same' | 'valid'; ties: boolean }> = [
    { x: [3, 7, 7, 4], f: [3, 3], s: [2, 2], pad: 'same', ties: false },
    { x: [2, 28, 28, 8], f: [3, 3], s: [2, 2], pad: 'same', ties: true },
    { x: [2, 9, 6, 12], f: [2, 3], s: [1, 2], pad: 'valid', ties: true },
    { x: [1, 5, 5, 4], f: [3, 3], s: [3, 3], pad: 'same', ties: false },
  ];
  it.each(pools)('MaxPoolGrad $x, window $f, strides $s, $pad, ties $ties: SIMD = JavaScript loop', ({ x, f, s, pad, ties }) => {
    const input = values(x, 0.7, ties);
    const negative = tf.sub(input, 2) as tf.Tensor4D; // all-negative windows must pass their gradient too
    for (const t of [input, negative]) {
      const output = tf.maxPool(t, f, s, pad);
      const dy = values(output.shape, 2.3);
      const [simd, js] = bothWays('simdKernels', () => tf.engine().runKernel('MaxPoolGrad', { dy, input: t, output }, { filterSize: f, strides: s, pad }) as tf.Tensor);
      expect(simd).toEqual(js);
      expect(simd.some((v) => v !== 0)).toBe(true);
      tf.dispose([output, dy]);
    }
    tf.dispose([input, negative]);
  });
});
