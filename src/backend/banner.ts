/**
 * tfjs's cpu backend greets Node users on its first tensor ("Hi, looks like you are running TensorFlow.js
 * in Node.js. To speed things up dramatically, install our node backend..."). latentkit's user chose the
 * backend on purpose with `useBackend`, so the greeting is marked as already given.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

/** Marks the cpu backend's Node greeting as given (a no-op when the backend has no such flag). */
export function silenceNodeBanner(): void {
  const cpu = tf.findBackend('cpu') as { firstUse?: boolean } | null;
  if (cpu !== null && typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
}
