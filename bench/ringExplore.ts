/**
 * Exploring ring settings on one seed: the recommended setting of `examples/shared/ringGAN.ts` with JSON
 * overrides of the config and of the fit options, coverage printed every few epochs.
 *
 *   npx tsx bench/ringExplore.ts --seed 1 --epochs 20 --every 5 --config '{"zDim":2}' --fit '{"learningRateDecay":0.01}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { GAN, modeCoverage, ringOfGaussians, useBackend } from '../src/index.js';
import { RING, RING_SCORE, ringFitOptions, ringGANConfig } from '../examples/shared/ringGAN.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    epochs: { type: 'string', default: '20' },
    every: { type: 'string', default: '10' },
    config: { type: 'string', default: '{}' },
    fit: { type: 'string', default: '{}' },
    plain: { type: 'boolean', default: false },
  },
});
await useBackend('wasm');
const ring = ringOfGaussians({ ...RING, seed: 1 });
const epochs = Number(values.epochs);
const every = Number(values.every);
const gan = GAN({ ...ringGANConfig(Number(values.seed), !values.plain), ...JSON.parse(values.config) });
const started = performance.now();
const score = (label: string) => {
  const samples = gan.sample(RING_SCORE.samples, { seed: RING_SCORE.sampleSeed });
  const c = modeCoverage(samples, ring.centers, { radius: RING_SCORE.radius, minCount: RING_SCORE.minCount });
  samples.dispose();
  const s = (performance.now() - started) / 1000;
  console.log(`${label}: ${c.modesHit}/8, ${(100 * c.highQualityShare).toFixed(1)}% HQ [${c.counts.join(' ')}] ${s.toFixed(0)} s load ${loadavg()[0]!.toFixed(1)}`);
};
let epoch = 0;
await gan.fit(ring.x, {
  ...ringFitOptions(epochs),
  ...JSON.parse(values.fit),
  callbacks: { onEpochEnd() { epoch++; if (epoch % every === 0 && epoch < epochs) score(`epoch ${epoch}`); } },
});
score(`final (${epochs} epochs) seed ${values.seed} config ${values.config} fit ${values.fit}`);
gan.dispose();
ring.x.dispose();
