import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, PARAMETER_LIMIT, classifier, imageClassifier, useBackend } from '../../../src/index.js';
import { weightCount } from '../../../src/models/nets/layerSpec.js';

describe('classifier size limit', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  it("estimates each layer's weights as tfjs builds them (dense, conv, separable, batch norm, the head)", () => {
    const c = imageClassifier({ inputShape: [12, 12, 2], numClasses: 3, layers: 'assessment', seed: 1 });
    try {
      let estimate = 0;
      for (const layer of c.model.layers) {
        if (layer.getClassName() === 'InputLayer') continue;
        estimate += weightCount(layer, (layer.input as { shape: (number | null)[] }).shape);
      }
      expect(estimate).toBe(c.model.countParams());
    } finally {
      c.dispose();
    }
  });

  it('refuses a config beyond PARAMETER_LIMIT before allocating it, names allowLarge, leaks nothing', () => {
    const before = tf.memory().numTensors;
    const units = Math.ceil(PARAMETER_LIMIT / 4); // 4 inputs -> units: 5 x units weights
    // A first small layer is built, then the huge one is refused before its weights exist.
    const huge = () => classifier({ inputShape: [1000], numClasses: 2, layers: [{ type: 'dense', units: 4 }, { type: 'dense', units }], seed: 1 });
    expect(huge).toThrow(ConfigError);
    expect(huge).toThrow(/classifier\.allowLarge = false: expected true to build a model this large/);
    // The head alone can be the large part (a wide flattened map times the classes).
    expect(() => classifier({ inputShape: [PARAMETER_LIMIT / 10], numClasses: 20, layers: [], seed: 1 })).toThrow(/classifier\.allowLarge/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('allowLarge is kept in the resolved config only when true', () => {
    const c = classifier({ inputShape: [4], numClasses: 2, seed: 1, allowLarge: true });
    const d = classifier({ inputShape: [4], numClasses: 2, seed: 1 });
    try {
      expect(c.config.allowLarge).toBe(true);
      expect('allowLarge' in d.config).toBe(false);
    } finally {
      c.dispose();
      d.dispose();
    }
  });
});
