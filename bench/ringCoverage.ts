/**
 * Ring coverage over seeds, with and without the mode-collapse remedies: the dense GAN of
 * `examples/gan-ring.ts` in its recommended setting (`examples/shared/ringGAN.ts`: one `fit`, packing 2,
 * minibatch stddev, learning-rate decay, annealed instance noise), and the same GAN and schedule without
 * packing and minibatch stddev. Per seed: modes hit (of 8) and the share of high-quality samples, scored
 * as the example scores them. Prints one line per run and writes `bench/results/ringCoverage.json`.
 *
 *   npx tsx bench/ringCoverage.ts                          # seeds 1-5, 160 epochs, both settings (about 45 minutes on one quiet core: 4.5 minutes per run)
 *   npx tsx bench/ringCoverage.ts --seeds 1,2 --epochs 20 --settings remedies   # a quick look
 *
 * Seeds run one after the other; give each setting its own process to use two cores.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GAN, modeCoverage, ringOfGaussians, useBackend, type BackendName } from '../src/index.js';
import { RING, RING_SCORE, ringFitOptions, ringGANConfig } from '../examples/shared/ringGAN.js';

interface Run {
  setting: 'remedies' | 'plain';
  seed: number;
  epochs: number;
  modesHit: number;
  highQualityShare: number;
  perMode: number[];
  reached: boolean;
  seconds: number;
  loadAverage: number[];
}

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '1,2,3,4,5' },
    epochs: { type: 'string', default: '160' },
    settings: { type: 'string', default: 'remedies,plain' },
    backend: { type: 'string', default: 'wasm' },
  },
});
const seeds = values.seeds.split(',').map(Number);
const epochs = Number(values.epochs);
const settings = values.settings.split(',') as Run['setting'][];
if (seeds.some((s) => !Number.isInteger(s)) || !Number.isInteger(epochs) || epochs < 1 || settings.some((s) => s !== 'remedies' && s !== 'plain')) {
  throw new Error('usage: npx tsx bench/ringCoverage.ts [--seeds 1,2,3,4,5] [--epochs 160] [--settings remedies,plain] [--backend wasm|cpu]');
}
await useBackend(values.backend as BackendName);
const ring = ringOfGaussians({ ...RING, seed: 1 });
const file = join(dirname(fileURLToPath(import.meta.url)), 'results', 'ringCoverage.json');
const readRuns = async () => JSON.parse(await readFile(file, 'utf8').catch(() => '[]')) as Run[];
const mine: Run[] = [];
for (const setting of settings) {
  for (const seed of seeds) {
    const gan = GAN(ringGANConfig(seed, setting === 'remedies'));
    const started = performance.now();
    await gan.fit(ring.x, ringFitOptions(epochs));
    const samples = gan.sample(RING_SCORE.samples, { seed: RING_SCORE.sampleSeed });
    const c = modeCoverage(samples, ring.centers, { radius: RING_SCORE.radius, minCount: RING_SCORE.minCount });
    tf.dispose(samples);
    gan.dispose();
    const run: Run = {
      setting,
      seed,
      epochs,
      modesHit: c.modesHit,
      highQualityShare: c.highQualityShare,
      perMode: c.counts,
      reached: c.modesHit === RING.modes && c.highQualityShare >= 0.8,
      seconds: (performance.now() - started) / 1000,
      loadAverage: loadavg(),
    };
    console.log(`${setting} seed ${seed}: ${run.modesHit}/8 modes, ${(100 * run.highQualityShare).toFixed(1)}% high-quality (${run.seconds.toFixed(0)} s, load ${run.loadAverage[0]!.toFixed(1)})`);
    mine.push(run);
    // Read again before writing: another process (the other setting) may have added its runs.
    const runs = await readRuns();
    runs.push(run);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(runs, null, 2) + '\n');
  }
  const these = mine.filter((r) => r.setting === setting);
  console.log(`${setting}: ${these.filter((r) => r.reached).length}/${these.length} seeds reach 8/8 modes with >= 80% high-quality samples`);
}
ring.x.dispose();
