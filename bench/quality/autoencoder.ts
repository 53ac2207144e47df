/**
 * The training run the autoencoder cases share (`convAE`, `exercise8`): latentkit's autoencoder trained epoch by
 * epoch with a checkpoint after each (resumable), its test MSE measured along the way, and the PyTorch peer
 * trained the same way from the same initial weights on the same arrays.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import type { Autoencoder, Logs } from '../../src/index.js';
import type { SuiteContext } from '../lib/harness.js';
import { loadSummary, toBytes } from './common.js';
import { PeerFolder, peerUnavailable, type ArraySpec, type PeerManifest, type PeerResult } from './peer.js';
import { CaseProgress, loadAverage } from './progress.js';
import { CaseState, epochSeed, type Progress } from './state.js';

/** A test MSE measured after an epoch. */
export interface AeEval {
  epoch: number;
  testMse: number;
  seconds: number;
  load: number;
}

export interface AeRun {
  name: string;
  /** Builds the untrained network (the same weights every time: its config has a seed). */
  build: () => Autoencoder;
  /** Training inputs and targets, test inputs and targets (the caller owns and disposes them). */
  input: tf.Tensor;
  target: tf.Tensor;
  testInput: tf.Tensor;
  testTarget: tf.Tensor;
  optimizer: { name: 'adam' | 'sgd'; lr: number; momentum?: number };
  epochs: number;
  batch: number;
  seed: number;
  /** Epochs after which the test MSE is measured (the last one always is). */
  evalEvery: number;
  /** Everything that defines the run, for the checkpoint's settings check. */
  settings: unknown;
}

export interface AeOutcome {
  ae: Autoencoder;
  progress: Progress<AeEval>;
  peer?: PeerResult;
  peerSkipped?: string;
  loadEpochs?: { min: number; median: number; max: number };
}

/** A peer array of images: bytes when they are MNIST's grey levels (k / 255), float32 otherwise. */
function peerArray(peer: PeerFolder, name: string, t: tf.Tensor): ArraySpec {
  const values = t.dataSync() as Float32Array;
  const bytes = toBytes(values);
  const exact = bytes.every((b, i) => Math.fround(b / 255) === values[i]);
  return peer.array(name, exact ? bytes : values, t.shape);
}

export async function trainAutoencoder(ctx: SuiteContext, stateDir: string, run: AeRun): Promise<AeOutcome> {
  const state = new CaseState<AeEval>(stateDir);
  const peerDir = new PeerFolder(join(stateDir, 'peer'));
  const ae = run.build();
  const optimizer = run.optimizer.name === 'adam' ? tf.train.adam(run.optimizer.lr, 0.9, 0.999, 1e-7) : tf.train.momentum(run.optimizer.lr, run.optimizer.momentum ?? 0);
  const evalAt = (e: number) => e === run.epochs || e % run.evalEvery === 0;
  try {
    let progress = state.progress(run.settings);
    const initial = join(peerDir.dir, 'initial.json');
    type Initial = Pick<PeerManifest, 'layers' | 'data' | 'check'>;
    let first: Initial;
    if (!progress) {
      state.clear();
      peerDir.clear();
      progress = { settings: run.settings, epoch: 0, history: [], seconds: 0, epochs: [], evals: [] };
      const probe = tf.slice(run.testInput, 0, 8);
      const output = ae.model.predict(probe) as tf.Tensor;
      const same = run.input === run.target;
      const sameTest = run.testInput === run.testTarget;
      const input = peerArray(peerDir, 'input', run.input);
      const testInput = peerArray(peerDir, 'test_input', run.testInput);
      first = {
        layers: peerDir.layers(ae.model),
        data: { input, target: same ? input : peerArray(peerDir, 'target', run.target), testInput, testTarget: sameTest ? testInput : peerArray(peerDir, 'test_target', run.testTarget) },
        check: { input: peerDir.array('check_in', probe.dataSync() as Float32Array, probe.shape), output: peerDir.array('check_out', output.dataSync() as Float32Array, output.shape), tolerance: 1e-4 },
      };
      tf.dispose([probe, output]);
      peerDir.remember(initial, first);
    } else {
      first = peerDir.recall<Initial>(initial);
      await state.restore(ae.model, optimizer);
      ctx.log(`${run.name}: resumed at epoch ${progress.epoch} of ${run.epochs} (${state.dir})`);
    }
    const bar = new CaseProgress(run.name, run.epochs, progress.epoch, ctx.log);
    while (progress.epoch < run.epochs) {
      const e = progress.epoch;
      const t0 = performance.now();
      const h = await ae.fit(run.input, {
        target: run.target, epochs: 1, batchSize: run.batch, optimizer, seed: epochSeed(run.seed, e), verbose: 0, callbacks: [bar.batches(e)],
      });
      const seconds = (performance.now() - t0) / 1000;
      const logs: Logs = { loss: h.loss[0]! };
      progress.epoch = e + 1;
      progress.history.push(logs);
      progress.epochs.push({ seconds, load: loadAverage()[0]! });
      progress.seconds += seconds;
      let extra = '';
      if (evalAt(progress.epoch)) {
        const t1 = performance.now();
        const testMse = ae.evaluate(run.testInput, { target: run.testTarget, metric: 'mse' }).mean;
        const ev = { epoch: progress.epoch, testMse, seconds: (performance.now() - t1) / 1000, load: loadAverage()[0]! };
        progress.evals.push(ev);
        progress.seconds += ev.seconds;
        extra = `test MSE ${testMse.toFixed(5)}`;
      }
      await state.save(ae.model, optimizer, progress);
      bar.epochDone(e, logs, extra);
    }
    let peer: PeerResult | undefined;
    const peerSkipped = peerUnavailable();
    if (!peerSkipped) {
      bar.note(`PyTorch peer: ${run.epochs} epochs from the same initial weights`);
      const manifest: PeerManifest = {
        kind: 'ae', seed: run.seed, threads: 1, epochs: run.epochs, batch: run.batch,
        optimizer: { name: run.optimizer.name, lr: run.optimizer.lr, momentum: run.optimizer.momentum ?? 0 },
        ...first, image: run.input.rank === 4,
        eval: { epochs: Array.from({ length: run.epochs }, (_, i) => i + 1).filter(evalAt) },
      };
      peer = await peerDir.run(manifest, (l) => ctx.log(`${run.name} peer: ${l}`));
    }
    bar.stop();
    return { ae, progress, peer, peerSkipped, loadEpochs: loadSummary(progress.epochs) };
  } catch (e) {
    ae.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
