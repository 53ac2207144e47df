/**
 * Kernel functions for the differential suites: tfjs's own (stock) kernels captured before latentkit
 * installs its replacements, then latentkit's, all run directly on the backend instances.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { useBackend } from '../../../src/backend/useBackend.js';
import { ensureTrainingKernels, latentkitKernels } from '../../../src/backend/kernels.js';
import type { KernelSpec } from './spec.js';

export interface KernelFns {
  latentkit: KernelFunc;
  cpuStock: KernelFunc;
  stock?: KernelFunc;
}

/**
 * Captures the stock kernels for `specs`, sets up cpu and wasm, installs latentkit's kernels on both, and
 * returns each spec's kernel functions. Throws if a spec names a kernel latentkit does not change, or if a
 * replacement was installed before the capture.
 */
export async function kernelFunctions(specs: readonly KernelSpec[]): Promise<Map<KernelSpec, KernelFns>> {
  const changes = latentkitKernels();
  const captured = specs.map((spec) => {
    const change = changes.find((k) => k.kernel === spec.kernel && k.backend === spec.backend);
    if (!change) throw new Error(`latentkit does not change ${spec.backend} ${spec.kernel}`);
    if (change.change === 'replaced' && change.active) throw new Error(`${spec.backend} ${spec.kernel} was replaced before the stock kernel was captured`);
    const cpuStock = tf.getKernel(spec.kernel, 'cpu')?.kernelFunc;
    if (!cpuStock) throw new Error(`tfjs's cpu backend has no ${spec.kernel}`);
    const stock = change.change === 'replaced' ? tf.getKernel(spec.kernel, spec.backend)?.kernelFunc : undefined;
    return { spec, cpuStock, stock };
  });
  await useBackend('wasm');
  ensureTrainingKernels('cpu');
  const out = new Map<KernelSpec, KernelFns>();
  for (const { spec, cpuStock, stock } of captured) {
    const latentkit = tf.getKernel(spec.kernel, spec.backend)!.kernelFunc;
    if (latentkit === stock || latentkit === cpuStock) throw new Error(`latentkit's ${spec.backend} ${spec.kernel} is not installed`);
    out.set(spec, { latentkit, cpuStock, ...(stock ? { stock } : {}) });
  }
  return out;
}
