/**
 * Resumable training for the quality cases: after each epoch, a case saves its model's weights, its
 * optimizer's state and its progress to `<state dir>/` (written to a temporary folder, then renamed, so an
 * interrupted write never leaves a broken checkpoint). A run started again with the same settings continues
 * from the last epoch saved; with other settings it starts over. Every random choice of an epoch (shuffle,
 * noise, binarization) is drawn from a seed of that epoch, so a resumed schedule trains on the same numbers as
 * an uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What a case records as it goes; saved with every checkpoint. */
export interface Progress<E = Record<string, unknown>> {
  /** The settings the run was started with: a checkpoint is only resumed under the same ones. */
  settings: unknown;
  /** Epochs done. */
  epoch: number;
  /** Training logs, one entry per epoch. */
  history: Array<Record<string, number>>;
  /** Seconds of training (and of evaluations) summed over every process that worked on the run. */
  seconds: number;
  /** Per epoch: wall seconds and the 1-minute load average at its end. */
  epochs: Array<{ seconds: number; load: number }>;
  /** Evaluations made along the way. */
  evals: E[];
}

/** The values of tensors, with their shapes and names, as one binary file and a JSON index. */
function writeTensors(dir: string, name: string, tensors: Array<{ name: string; tensor: tf.Tensor }>): void {
  const index = tensors.map(({ name: n, tensor }) => ({ name: n, shape: tensor.shape, dtype: tensor.dtype }));
  const parts = tensors.map(({ tensor }) => {
    const values = tensor.dataSync();
    return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  });
  writeFileSync(join(dir, `${name}.bin`), Buffer.concat(parts));
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(index));
}

function readTensors(dir: string, name: string): Array<{ name: string; tensor: tf.Tensor }> {
  const index = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as Array<{ name: string; shape: number[]; dtype: 'float32' | 'int32' }>;
  const bytes = readFileSync(join(dir, `${name}.bin`));
  let at = 0;
  return index.map(({ name: n, shape, dtype }) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const buf = bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + size * 4);
    at += size * 4;
    return { name: n, tensor: tf.tensor(dtype === 'int32' ? new Int32Array(buf) : new Float32Array(buf), shape, dtype) };
  });
}

/** The checkpoint folder of one case. */
export class CaseState<E = Record<string, unknown>> {
  constructor(readonly dir: string) {}

  /** The saved progress, if its settings are `settings` (compared as JSON). */
  progress(settings: unknown): Progress<E> | undefined {
    // A process stopped between the two renames of `save` left the previous checkpoint as `checkpoint.old`.
    const old = join(this.dir, 'checkpoint.old');
    if (!existsSync(join(this.dir, 'checkpoint')) && existsSync(join(old, 'progress.json'))) renameSync(old, join(this.dir, 'checkpoint'));
    const file = join(this.dir, 'checkpoint', 'progress.json');
    if (!existsSync(file)) return undefined;
    const saved = JSON.parse(readFileSync(file, 'utf8')) as Progress<E>;
    return JSON.stringify(saved.settings) === JSON.stringify(settings) ? saved : undefined;
  }

  /** Saves the model's weights, the optimizer's state and the progress, atomically. */
  async save(model: tfl.LayersModel, optimizer: tf.Optimizer, progress: Progress<E>): Promise<void> {
    const tmp = join(this.dir, 'checkpoint.tmp');
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    writeTensors(tmp, 'weights', model.weights.map((w) => ({ name: w.originalName, tensor: w.read() })));
    const slots = await optimizer.getWeights();
    writeTensors(tmp, 'optimizer', slots);
    slots[0]?.tensor.dispose(); // the iteration count, made for the call; the others are the optimizer's own variables
    writeFileSync(join(tmp, 'progress.json'), JSON.stringify(progress));
    const final = join(this.dir, 'checkpoint');
    const old = join(this.dir, 'checkpoint.old');
    rmSync(old, { recursive: true, force: true });
    if (existsSync(final)) renameSync(final, old);
    renameSync(tmp, final);
    rmSync(old, { recursive: true, force: true });
  }

  /** Puts the saved weights into `model` and the saved state into `optimizer` (both built as at the start). */
  async restore(model: tfl.LayersModel, optimizer: tf.Optimizer): Promise<void> {
    const dir = join(this.dir, 'checkpoint');
    const weights = readTensors(dir, 'weights');
    const names = model.weights.map((w) => w.originalName);
    const saved = weights.map((w) => w.name);
    if (JSON.stringify(names) !== JSON.stringify(saved)) throw new Error(`checkpoint ${dir}: weights ${saved.join(', ')} do not fit the model's ${names.join(', ')}`);
    model.setWeights(weights.map((w) => w.tensor));
    tf.dispose(weights.map((w) => w.tensor));
    // tfjs's optimizers hold their slots by position, in the order of the variables they update.
    const slots = readTensors(dir, 'optimizer');
    await optimizer.setWeights(slots);
    tf.dispose(slots.map((s) => s.tensor)); // the optimizer made its own variables of them
  }

  /** Forgets the checkpoint (a run with other settings starts over). */
  clear(): void {
    rmSync(join(this.dir, 'checkpoint'), { recursive: true, force: true });
  }
}

/** An integer seed for epoch `epoch` of a run seeded `seed` (independent of where a run was resumed). */
export const epochSeed = (seed: number, epoch: number, stream = 0): number => (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(epoch + 1, 0x85ebca6b) ^ Math.imul(stream + 1, 0xc2b2ae35)) >>> 1;
