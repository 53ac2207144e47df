/**
 * Freeing models that share layers. tfjs-layers counts a layer's uses (one per symbolic call), not the
 * models holding it, so disposing one model of a set that shares layers either leaves weights alive or
 * makes the next model's dispose throw. Freeing each distinct weight once is exact whatever the sharing.
 * @module
 */
import type * as tfl from '@tensorflow/tfjs-layers';
import { LatentkitError } from '../../core/errors.js';

/**
 * Frees every distinct weight of `models` exactly once. The models are unusable afterwards.
 * @returns how many weights were freed.
 */
export function disposeModelWeights(models: readonly tfl.LayersModel[]): number {
  const seen = new Set<number>();
  let freed = 0;
  for (const model of models) {
    for (const w of model.weights) {
      if (seen.has(w.id)) continue;
      seen.add(w.id);
      try {
        w.dispose();
        freed++;
      } catch {
        // Already freed by its owner (a layer disposed through another model): nothing left to free.
      }
    }
  }
  return freed;
}

/** The `tf.LayersModel` methods that need the weights, replaced on a disposed handle's models. */
const SEALED_METHODS = [
  'predict', 'predictOnBatch', 'apply', 'call', 'execute', 'evaluate', 'evaluateDataset', 'fit', 'fitDataset',
  'trainOnBatch', 'save', 'getWeights', 'setWeights', 'loadWeights', 'summary', 'compile', 'getLayer',
] as const;

/**
 * Makes the methods of `models` that need their (freed) weights throw `message` as a LatentkitError,
 * instead of tfjs's own errors about disposed tensors. What holds a layer or a weight directly
 * (`model.layers[0].apply`, a tensor read from `model.weights`) is out of reach.
 */
export function sealModels(models: readonly tfl.LayersModel[], message: string): void {
  for (const model of models) {
    for (const name of SEALED_METHODS) {
      Object.defineProperty(model, name, {
        configurable: true,
        value: () => {
          throw new LatentkitError(message);
        },
      });
    }
  }
}
