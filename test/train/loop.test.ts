/**
 * The training loop's contract: callbacks, stopping, early stopping, validation, progress output, history.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { useBackend, undercompleteAE, type Callback } from '../../src/index.js';
import { EarlyStopping, ProgressLogger, formatLogs } from '../../src/advanced.js';

beforeAll(async () => {
  await useBackend('cpu');
});

const data = () => tf.randomUniform([40, 6], 0, 1, 'float32', 3);
const model = () => undercompleteAE({ inputDim: 6, hiddenUnits: [5], codeDim: 2, seed: 7 });

describe('callbacks', () => {
  it('are called in order with logs, and awaited', async () => {
    const events: string[] = [];
    const cb: Callback = {
      onTrainBegin: () => void events.push('trainBegin'),
      onEpochBegin: (e) => void events.push(`epochBegin ${e}`),
      onBatchEnd: (b, logs) => {
        expect(Number.isFinite(logs['loss'])).toBe(true);
        events.push(`batch ${b}`);
      },
      onEpochEnd: async (e, logs) => {
        await new Promise((r) => setTimeout(r, 1));
        expect(Object.keys(logs)).toEqual(['loss', 'valLoss']);
        events.push(`epochEnd ${e}`);
      },
      onTrainEnd: (logs) => {
        expect(logs['loss']).toBeGreaterThan(0);
        events.push('trainEnd');
      },
    };
    const x = data();
    const ae = model();
    const history = await ae.fit(x, { epochs: 2, batchSize: 16, validationSplit: 0.2, callbacks: cb, verbose: 0 });
    // 32 training examples at batch 16: 2 batches per epoch.
    expect(events).toEqual([
      'trainBegin',
      'epochBegin 0', 'batch 0', 'batch 1', 'epochEnd 0',
      'epochBegin 1', 'batch 0', 'batch 1', 'epochEnd 1',
      'trainEnd',
    ]);
    expect(history.epoch).toEqual([0, 1]);
    expect(history['loss']).toHaveLength(2);
    expect(history['valLoss']).toHaveLength(2);
    ae.dispose();
    x.dispose();
  });

  it('can stop training from onBatchEnd or onEpochEnd', async () => {
    const x = data();
    const ae = model();
    let batches = 0;
    const h1 = await ae.fit(x, {
      epochs: 5,
      batchSize: 8,
      verbose: 0,
      callbacks: { onBatchEnd: (b, _l, control) => { batches++; if (b === 1) control.stop('enough'); } },
    });
    expect(batches).toBe(2);
    expect(h1.epoch).toEqual([0]);
    const h2 = await ae.fit(x, {
      epochs: 5,
      verbose: 0,
      callbacks: { onEpochEnd: (e, _l, control) => { if (e === 2) control.stop(); } },
    });
    expect(h2.epoch).toEqual([0, 1, 2]);
    ae.dispose();
    x.dispose();
  });
});

describe('validation', () => {
  it('validationData gives valLoss equal to evaluate() on the same data after the last epoch', async () => {
    const x = data();
    const v = tf.randomUniform([10, 6], 0, 1, 'float32', 4);
    const ae = model();
    const h = await ae.fit(x, { epochs: 2, validationData: v, verbose: 0 });
    expect(h['valLoss']![1]).toBeCloseTo(ae.evaluate(v).mean, 6);
    await expect(ae.fit(x, { validationData: v, validationSplit: 0.1 })).rejects.toThrow(/fit.validationSplit/);
    ae.dispose();
    tf.dispose([x, v]);
  });
});

describe('early stopping', () => {
  it('stops after `patience` epochs without improvement and restores the best weights', async () => {
    const x = data();
    const ae = model();
    // An absurd learning rate makes the loss go up after the first epoch.
    const stopper = new EarlyStopping({ monitor: 'loss', patience: 1, restoreBestWeights: true });
    const h = await ae.fit(x, { epochs: 20, batchSize: 8, optimizer: 'sgd', learningRate: 5, callbacks: [stopper], verbose: 0 });
    expect(h.epoch.length).toBeLessThan(20);
    expect(stopper.stoppedEpoch).toBe(h.epoch.length - 1);
    const losses = h['loss']!;
    const bestIndex = losses.indexOf(Math.min(...losses));
    expect(stopper.bestEpoch).toBe(bestIndex);
    ae.dispose();
    x.dispose();
  });

  it('restoreBestWeights puts back the weights of the best epoch', async () => {
    const x = data();
    const ae = model();
    let snapshot: Float32Array[] = [];
    const recorder: Callback = {
      onEpochEnd: (e) => {
        if (e === 0) snapshot = ae.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
      },
    };
    // monitor 'loss' in max mode: epoch 0 has the best (highest) value only if the loss falls, which it
    // does at a small rate; so the restored weights are those after epoch 0.
    const h = await ae.fit(x, {
      epochs: 4,
      learningRate: 1e-3,
      callbacks: [recorder],
      earlyStopping: { monitor: 'loss', mode: 'max', patience: 10, restoreBestWeights: true },
      verbose: 0,
    });
    expect(h['loss']![3]).toBeLessThan(h['loss']![0]!);
    const now = ae.model.getWeights().map((w) => Float32Array.from(w.dataSync()));
    expect(now).toEqual(snapshot);
    ae.dispose();
    x.dispose();
  });

  it('defaults to valLoss when there is validation data', async () => {
    const x = data();
    const ae = model();
    const seen: string[] = [];
    const h = await ae.fit(x, {
      epochs: 30,
      validationSplit: 0.25,
      earlyStopping: { patience: 0, minDelta: 10 },
      callbacks: { onTrainEnd: (_l, c) => void seen.push(c.stopReason ?? '') },
      verbose: 0,
    });
    // minDelta 10 makes every epoch after the first "not improve": stops at epoch 2.
    expect(h.epoch).toEqual([0, 1]);
    expect(seen[0]).toMatch(/valLoss did not improve/);
    ae.dispose();
    x.dispose();
  });
});

describe('progress output', () => {
  it('verbose 2 prints one line per epoch; verbose 0 prints nothing', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const x = data();
    const ae = model();
    await ae.fit(x, { epochs: 3, verbose: 2 });
    expect(log).toHaveBeenCalledTimes(3);
    expect(String(log.mock.calls[2]![0])).toMatch(/^epoch 3\/3 - [\d.]+s - loss \d\.\d{4}$/);
    log.mockClear();
    await ae.fit(x, { epochs: 2, verbose: 0 });
    expect(log).not.toHaveBeenCalled();
    log.mockRestore();
    ae.dispose();
    x.dispose();
  });

  it('ProgressLogger writes where it is told, and formatLogs keeps small numbers readable', () => {
    const lines: string[] = [];
    const p = new ProgressLogger(2, (l) => lines.push(l));
    const control = { epochs: 1, batchesPerEpoch: 1 } as never;
    p.onEpochBegin(0, {}, control);
    p.onEpochEnd(0, { loss: 0.5, kl: 0.00001234 }, control);
    expect(lines[0]).toMatch(/loss 0\.5000 - kl 1\.234e-5/);
    expect(formatLogs({ a: 12345.6 })).toBe('a 1.235e+4');
  });
});

describe('optimizers', () => {
  it('accepts a tf.Optimizer instance without disposing it, and a config with momentum', async () => {
    const x = data();
    const ae = model();
    const opt = tf.train.adam(0.01);
    const h = await ae.fit(x, { epochs: 2, optimizer: opt, verbose: 0 });
    expect(h['loss']![1]).toBeLessThan(h['loss']![0]!);
    // Still usable: the caller owns it.
    await ae.fit(x, { epochs: 1, optimizer: opt, verbose: 0 });
    opt.dispose();
    const before = tf.memory().numTensors;
    const h2 = await ae.fit(x, { epochs: 3, optimizer: { name: 'sgd', learningRate: 0.1, momentum: 0.9 }, verbose: 0 });
    // tfjs's MomentumOptimizer.dispose() forgets one scalar; latentkit frees it.
    expect(tf.memory().numTensors).toBe(before);
    expect(h2['loss']![2]).toBeLessThan(h2['loss']![0]!);
    await expect(ae.fit(x, { optimizer: tf.train.sgd(0.1), learningRate: 0.1 })).rejects.toThrow(/learningRate = 0.1/);
    ae.dispose();
    x.dispose();
  });
});
