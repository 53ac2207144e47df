/**
 * The quality suite's checkpoints (bench/quality/state.ts): a run stopped after an epoch and resumed from its
 * checkpoint ends with the same weights, bit for bit, as a run that was never stopped (Adam and SGD with
 * momentum: the optimizer's moments and step count are restored too); a stale checkpoint is not resumed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaseState, epochSeed, type Progress } from '../../bench/quality/state.js';
import { convAE, useBackend } from '../../src/index.js';

let dir: string;
let x: tf.Tensor4D;

beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'latentkit-state-'));
  x = tf.randomUniform([48, 8, 8, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
});

afterAll(async () => {
  x.dispose();
  await rm(dir, { recursive: true, force: true });
});

const progress = (epoch: number): Progress => ({ settings: { a: 1 }, epoch, history: [], seconds: 0, epochs: [], evals: [] });

describe.each(['adam', 'sgd'] as const)('CaseState with %s', (name) => {
  it('resumes a run bit for bit, and does not resume under other settings', async () => {
    const build = () => convAE({ inputShape: [8, 8, 1], filters: [4], codeDim: 3, seed: 3 });
    const optimizer = () => (name === 'adam' ? tf.train.adam(1e-2, 0.9, 0.999, 1e-7) : tf.train.momentum(0.05, 0.95));
    const epoch = (ae: ReturnType<typeof build>, opt: tf.Optimizer, e: number) => ae.fit(x, { epochs: 1, batchSize: 16, optimizer: opt, seed: epochSeed(5, e), verbose: 0 });
    const state = new CaseState(join(dir, name));

    const straight = build();
    const o1 = optimizer();
    await epoch(straight, o1, 0);
    await state.save(straight.model, o1, progress(1));
    await epoch(straight, o1, 1);

    const resumed = build();
    const o2 = optimizer();
    expect(state.progress({ a: 1 })?.epoch).toBe(1);
    expect(state.progress({ a: 2 })).toBeUndefined();
    const before = tf.memory().numTensors;
    await state.restore(resumed.model, o2);
    // Only the optimizer's own slots (one or two per weight) are new.
    expect(tf.memory().numTensors - before).toBe(straight.model.weights.length * (name === 'adam' ? 2 : 1));
    await epoch(resumed, o2, 1);
    const values = (ae: ReturnType<typeof build>) => ae.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(values(resumed)).toEqual(values(straight));
    expect(values(resumed)).not.toEqual(values(build()));
    [straight, resumed].forEach((a) => a.dispose());
    [o1, o2].forEach((o) => o.dispose());
  });
});

describe('epochSeed', () => {
  it('gives each (seed, epoch, stream) its own integer seed in [0, 2^31)', () => {
    const seeds = new Set<number>();
    for (let e = 0; e < 300; e++) for (const s of [0, 1]) seeds.add(epochSeed(123, e, s));
    expect(seeds.size).toBe(600);
    for (const v of seeds) expect(v >= 0 && v < 2 ** 31 && Number.isInteger(v)).toBe(true);
    expect(epochSeed(1, 2)).toBe(epochSeed(1, 2));
  });
});
