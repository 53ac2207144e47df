/**
 * Exploring DCGAN settings on digits: `examples/gan-mnist.ts`'s protocol (its judge, 6,000 digits, the
 * quarter-width DCGAN, the `GAN.fit` defaults, seed 42) with JSON overrides of the GAN config and of the fit
 * options (`--fit '{"batchSize":64,"gStepsPerD":1}'` is the example's earlier setting); the judge's scores of 1,000
 * samples printed every few epochs (with `--out DIR`, also their grid and the samples for `bench/dcganJudge.ts`).
 *
 *   npx tsx bench/dcganExplore.ts --epochs 15 --every 3 --config '{"generatorFilters":[128,64]}' --fit '{"labelSmoothing":0.1}'
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { GAN, saveImageGrid, useBackend } from '../src/index.js';
import { ganDigits, ganMnistConfig, judgeDigits, toUnit, trainDigitJudge } from '../examples/shared/digitJudge.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    epochs: { type: 'string', default: '15' },
    every: { type: 'string', default: '3' },
    train: { type: 'string', default: '6000' },
    threads: { type: 'string', default: '1' },
    conditional: { type: 'boolean', default: false },
    config: { type: 'string', default: '{}' },
    fit: { type: 'string', default: '{}' },
    out: { type: 'string' },
  },
});
await useBackend('wasm', { threads: Number(values.threads) });
const seed = Number(values.seed);
const epochs = Number(values.epochs);
const every = Number(values.every);
const conditional = values.conditional;
const judge = await trainDigitJudge(seed);
console.log(`judge ${(100 * judge.testAccuracy).toFixed(1)}%, real digits ${(100 * judge.real.confidentShare).toFixed(1)}% confident`);
const digits = ganDigits(Math.floor(Number(values.train) / 10));
const x = digits.x;
const gan = GAN({ ...ganMnistConfig(conditional ? 'label' : 'none', seed), ...JSON.parse(values.config) });
const labels = conditional ? Array.from({ length: 1000 }, (_, i) => i % 10) : undefined;
if (values.out) mkdirSync(values.out, { recursive: true });
const started = performance.now();
const score = async (label: string) => {
  const s = gan.sample(1000, { labels, seed: seed + 2 });
  const q = judgeDigits(judge, s, labels);
  if (values.out) {
    const grid = tf.tidy(() => toUnit(tf.slice(s, 0, 100)));
    await saveImageGrid(`${values.out}/samples-${epoch}.png`, grid, { shape: [28, 28], cols: 10, scale: 2, padding: 1, background: 0.5 });
    grid.dispose();
    // The 1,000 samples for bench/dcganJudge.ts.
    writeFileSync(`${values.out}/samples-${epoch}.f32`, Buffer.from(((await s.data()) as Float32Array).buffer));
  }
  s.dispose();
  const agree = q.agreement === undefined ? '' : `, agreement ${(100 * q.agreement).toFixed(1)}%`;
  const t = (performance.now() - started) / 1000;
  console.log(`${label}: ${(100 * q.confidentShare).toFixed(1)}% confident${agree}, entropy ${q.labelEntropy.toFixed(2)} [${q.histogram.join(' ')}] ${t.toFixed(0)} s load ${loadavg()[0]!.toFixed(1)}`);
};
let epoch = 0;
await gan.fit(x, {
  labels: conditional ? digits.labels : undefined,
  epochs,
  ...JSON.parse(values.fit),
  callbacks: { async onEpochEnd() { epoch++; if (epoch % every === 0 && epoch < epochs) await score(`epoch ${epoch}`); } },
});
await score(`final (${epochs} epochs, ${gan.updates.discriminator} steps) config ${values.config} fit ${values.fit}${conditional ? ' conditional' : ''}`);
gan.dispose();
judge.model.dispose();
x.dispose();
