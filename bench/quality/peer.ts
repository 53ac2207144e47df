/**
 * Running `bench/peers/quality_torch.py` for a quality case: the case writes the initial weights of its
 * latentkit network (Keras layout), the data, latentkit's outputs on a few inputs (the peer checks that it
 * built the same network) and the schedule into `<state dir>/peer/`; the peer trains with its own
 * checkpoints (an interrupted run resumes) and writes `result.json`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type * as tfl from '@tensorflow/tfjs-layers';
import { PYTHON } from '../lib/peer.js';

const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'peers', 'quality_torch.py');

/** A raw array in the peer's folder. */
export interface ArraySpec {
  file: string;
  dtype: 'f32' | 'u8';
  shape: number[];
}

/** One layer of a chain, as the peer translates it. */
export interface LayerSpec {
  className: string;
  name: string;
  config: Record<string, unknown>;
  weights: ArraySpec[];
}

/** What the peer runs; see the header of quality_torch.py. */
export interface PeerManifest {
  kind: 'vae' | 'ae';
  seed: number;
  threads: number;
  epochs: number;
  batch: number;
  optimizer: { name: 'adam' | 'sgd'; lr: number; momentum?: number; milestones?: number[]; gamma?: number };
  layers: LayerSpec[];
  image?: boolean;
  data: Record<string, ArraySpec>;
  check: { input: ArraySpec; output: ArraySpec; tolerance: number };
  eval: { epochs: number[]; samples?: number };
}

/** What the peer reports. */
export interface PeerResult {
  torch: string;
  threads: number;
  epochs: number;
  trainSeconds: number;
  history: number[];
  evals: Array<Record<string, number>>;
  final: Record<string, number>;
  checkDiff: number;
}

/** Why the peer cannot run here, or undefined when python3-torch imports. */
export function peerUnavailable(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : `${PYTHON} cannot import torch (apt-get install python3-torch libopenblas0-pthread, or run \`npm run bench -- vae\` once: it installs them)`;
}

/** The peer's folder of a case: arrays are written once, the manifest every time (its epochs may grow). */
export class PeerFolder {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Writes an array unless it is there already (the data of a resumed run do not change). */
  array(name: string, values: Float32Array | Uint8Array, shape: number[]): ArraySpec {
    const dtype = values instanceof Uint8Array ? 'u8' : 'f32';
    const file = `${name}.${dtype}`;
    const path = join(this.dir, file);
    if (!existsSync(path)) writeFileSync(path, new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return { file, dtype, shape };
  }

  /** The layers of a model as a chain, with their initial weights (call before training). */
  layers(model: tfl.LayersModel, keep: (className: string) => boolean = (c) => c !== 'InputLayer'): LayerSpec[] {
    return model.layers
      .filter((l) => keep(l.getClassName()))
      .flatMap((l) => {
        const spec: LayerSpec = {
          className: l.getClassName(),
          name: l.name,
          config: l.getConfig() as Record<string, unknown>,
          weights: l.getWeights().map((w, i) => this.array(`w_${l.name}_${i}`, w.dataSync() as Float32Array, w.shape)),
        };
        if (spec.className !== 'LatentkitUpsampledConv2D') return [spec];
        // latentkit's UpsampledConv2D is UpSampling2D + Conv2D 'same' (stride 1) with the same weights: the
        // peer runs that pair.
        const c = spec.config as { size: number[]; kernelSize: number[]; filters: number; activation: string };
        return [
          { className: 'UpSampling2D', name: `${l.name}_upsample`, config: { size: c.size }, weights: [] },
          { ...spec, className: 'Conv2D', config: { ...c, strides: [1, 1], padding: 'same' } },
        ];
      });
  }

  /** Forgets everything (a case started over with other settings). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
  }

  /** Keeps what a resumed run needs to write the same manifest again. */
  remember(file: string, value: unknown): void {
    writeFileSync(file, JSON.stringify(value));
  }

  recall<T>(file: string): T {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  }

  /** The result of a finished run whose manifest equals `manifest`, if there is one. */
  finished(manifest: PeerManifest): PeerResult | undefined {
    const m = join(this.dir, 'manifest.json');
    const r = join(this.dir, 'result.json');
    if (!existsSync(m) || !existsSync(r)) return undefined;
    if (readFileSync(m, 'utf8') !== JSON.stringify(manifest)) return undefined;
    return JSON.parse(readFileSync(r, 'utf8')) as PeerResult;
  }

  /** Runs (or resumes) the peer on `manifest`, passing its lines to `log`. */
  run(manifest: PeerManifest, log: (line: string) => void): Promise<PeerResult> {
    const done = this.finished(manifest);
    if (done) return Promise.resolve(done);
    rmSync(join(this.dir, 'result.json'), { force: true });
    writeFileSync(join(this.dir, 'manifest.json'), JSON.stringify(manifest));
    return new Promise((resolve, reject) => {
      const env = { ...process.env, OPENBLAS_NUM_THREADS: String(manifest.threads), OMP_NUM_THREADS: String(manifest.threads) };
      const child = spawn(PYTHON, [SCRIPT, '--dir', this.dir], { stdio: ['ignore', 'inherit', 'pipe'], env });
      let last = '';
      createInterface({ input: child.stderr }).on('line', (line) => {
        last = line;
        log(line);
      });
      child.on('exit', (code) => {
        if (code === 0) resolve(JSON.parse(readFileSync(join(this.dir, 'result.json'), 'utf8')) as PeerResult);
        else reject(new Error(`quality_torch.py exited with code ${code}: ${last}`));
      });
    });
  }
}
