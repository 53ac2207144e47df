/**
 * Example: a dense GAN on the ring of 8 Gaussians, the toy data on which mode collapse is easy to see.
 *
 * The data are 8 Gaussians of standard deviation 0.02 on a circle of radius 2 (the setting of the
 * unrolled-GAN and VEEGAN papers). The GAN is dense (z of 8, two leaky-ReLU layers of 128 units on each
 * side, a linear output), trained with Adam (beta1 0.5) at a learning rate that steps down from 1e-3 to
 * 3e-5 in four phases (one `fit` per phase, so each phase gets a fresh Adam). Every few epochs it draws
 * samples and scores them with `modeCoverage`: a sample is high-quality when it lies within 3 standard
 * deviations (0.06) of a centre, and a mode is hit when at least 20 of 2,000 samples (8% of its fair share)
 * are high-quality samples of it.
 *
 * Output (default `out/gan-ring/`): `index.html` with the data, the samples every few epochs over the true
 * centres, the loss and accuracy curves and the final mode coverage; `coverage.json` with the figures.
 *
 * @example
 * ```sh
 * npx tsx examples/gan-ring.ts                       # wasm, about 3 minutes
 * npx tsx examples/gan-ring.ts --scale 0.25 --out /tmp/ring   # a quick look (fewer epochs)
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, useBackend, type BackendName } from '../src/index.js';
import { GAN } from '../src/models/gan.js';
import { modeCoverage, ringOfGaussians, scatterPlot, type ModeCoverage } from '../src/eval/index.js';
import { lossCurve, writeReport, type ReportSection } from '../src/viz/index.js';

const USAGE = `usage: npx tsx examples/gan-ring.ts [options]
  --scale X       multiply every phase's epochs by X (default 1: 90 epochs of 80 steps)
  --every N       draw and score samples every N epochs (default 10)
  --out DIR       output folder (default out/gan-ring)
  --seed N        seed of the data, the weights and the training (default 3)
  --backend NAME  wasm or cpu (default: LATENTKIT_BACKEND, else wasm)
  --help          this text`;

/** Learning-rate phases: [epochs, rate]. */
const PHASES: [number, number][] = [
  [40, 1e-3],
  [20, 3e-4],
  [20, 1e-4],
  [10, 3e-5],
];
const MODES = 8;
const STDDEV = 0.02;
const SAMPLES = 2000;
const MIN_COUNT = 20;
const SAMPLE_SEED = 99;

/** Several SVG documents side by side, as one SVG (the report inlines one per section). */
function svgRow(svgs: string[], cellWidth: number, cellHeight: number): string {
  const body = svgs.map((s, i) => s.replace('<svg ', `<svg x="${i * cellWidth}" y="0" `)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${svgs.length * cellWidth}" height="${cellHeight}">\n${body}\n</svg>`;
}

function describeCoverage(c: ModeCoverage): string {
  return `${c.modesHit}/${c.modes} modes, ${(100 * c.highQualityShare).toFixed(1)}% high-quality samples (per mode: ${c.counts.join(' ')})`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' },
      every: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const scale = Number(values.scale ?? 1);
  const every = Number(values.every ?? 10);
  const seed = Number(values.seed ?? 3);
  const out = values.out ?? join('out', 'gan-ring');
  const backendName = values.backend ?? process.env['LATENTKIT_BACKEND'] ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(backendName)) throw new Error(`--backend ${backendName}: expected wasm or cpu`);
  if (!(scale > 0) || !Number.isInteger(every) || every < 1 || !Number.isInteger(seed)) throw new Error(`bad options\n${USAGE}`);
  const backend = await useBackend(backendName as BackendName);
  console.log(`backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}, seed ${seed}`);

  const ring = ringOfGaussians({ modes: MODES, radius: 2, stddev: STDDEV, n: 8000, seed });
  const radius = 3 * STDDEV;
  const gan = GAN({
    dataShape: [2],
    zDim: 8,
    generatorUnits: [128, 128],
    discriminatorUnits: [128, 128],
    activation: 'leakyRelu',
    outputActivation: 'linear',
    seed,
  });
  const adam = { name: 'adam', beta1: 0.5 } as const;
  const extent = [-2.6, 2.6] as const;
  const snapshots: { epoch: number; svg: string; coverage: ModeCoverage }[] = [];
  const history: Record<string, number[]> = { epoch: [], dLoss: [], gLoss: [], dAccuracyReal: [], dAccuracyFake: [] };
  let epoch = 0;
  const started = performance.now();
  const snapshot = (label: string) => {
    const samples = gan.sample(SAMPLES, { seed: SAMPLE_SEED });
    const coverage = modeCoverage(samples, ring.centers, { radius, minCount: MIN_COUNT });
    const svg = scatterPlot(tf.slice(samples, 0, 1000), { title: label, centers: ring.centers, radius, extent, size: 240 });
    samples.dispose();
    snapshots.push({ epoch, svg, coverage });
    console.log(`${label}: ${describeCoverage(coverage)}`);
  };
  snapshot('before training');
  for (const [phaseEpochs, rate] of PHASES) {
    const epochs = Math.max(1, Math.round(phaseEpochs * scale));
    await gan.fit(ring.x, {
      epochs,
      batchSize: 100,
      dOptimizer: adam,
      gOptimizer: adam,
      dLearningRate: rate,
      gLearningRate: rate,
      verbose: 0,
      callbacks: {
        onEpochEnd(_e, logs) {
          history['epoch']!.push(epoch);
          for (const k of ['dLoss', 'gLoss', 'dAccuracyReal', 'dAccuracyFake']) history[k]!.push(logs[k]!);
          epoch++;
          if (epoch % every === 0) snapshot(`epoch ${epoch} (lr ${rate})`);
        },
      },
    });
  }
  const seconds = (performance.now() - started) / 1000;
  if (snapshots.at(-1)!.epoch !== epoch) snapshot(`epoch ${epoch} (final)`);
  const final = snapshots.at(-1)!.coverage;
  const steps = gan.updates.discriminator;
  console.log(`final: ${describeCoverage(final)}; ${steps} steps in ${seconds.toFixed(0)} s (${(steps / seconds).toFixed(0)} steps/s)`);

  await mkdir(out, { recursive: true });
  const figures = {
    modesHit: final.modesHit,
    modes: final.modes,
    highQualityShare: final.highQualityShare,
    perMode: final.counts,
    samples: SAMPLES,
    radius,
    minCount: MIN_COUNT,
    epochs: epoch,
    steps,
    seconds,
    backend: backend.name,
    seed,
    reached: final.modesHit === MODES && final.highQualityShare >= 0.8,
  };
  await writeFile(join(out, 'coverage.json'), JSON.stringify(figures, null, 2) + '\n');

  const rows: ReportSection[] = [];
  for (let i = 0; i < snapshots.length; i += 4) {
    const group = snapshots.slice(i, i + 4);
    rows.push({
      heading: `Samples, ${group.map((s) => (s.epoch === 0 ? 'before training' : `epoch ${s.epoch}`)).join(', ')}`,
      text: group.map((s) => `${s.epoch === 0 ? 'start' : `epoch ${s.epoch}`}: ${describeCoverage(s.coverage)}`).join('\n\n'),
      svg: svgRow(group.map((s) => s.svg), 250, 262),
    });
  }
  await writeReport(out, {
    title: 'Dense GAN on a ring of 8 Gaussians',
    sections: [
      {
        heading: 'Result',
        text:
          `8,000 points from 8 Gaussians (standard deviation ${STDDEV}) on a circle of radius 2. ${SAMPLES} samples after ` +
          `training, scored with modeCoverage: high-quality = within ${radius} (3 standard deviations) of a centre; a mode is hit ` +
          `with at least ${MIN_COUNT} high-quality samples. Generator z(8) -> 128 -> 128 -> 2, discriminator 2 -> 128 -> 128 -> 1, ` +
          'leaky ReLU, non-saturating loss, Adam (beta1 0.5), learning rate stepped down per phase: ' +
          PHASES.map(([e, r]) => `${Math.max(1, Math.round(e * scale))} epochs at ${r}`).join(', ') + '.',
        table: {
          'modes hit': `${final.modesHit} / ${final.modes}`,
          'high-quality samples': `${(100 * final.highQualityShare).toFixed(1)}%`,
          'per mode': final.counts.join(' '),
          'training steps': steps,
          'seconds': Number(seconds.toFixed(1)),
          backend: backend.name,
        },
      },
      { heading: 'Data', svg: scatterPlot(tf.slice(ring.x, 0, 1000), { title: 'training points (1,000 of 8,000)', centers: ring.centers, radius, extent, size: 240 }) },
      ...rows,
      { heading: 'Losses', svg: lossCurve({ epoch: history['epoch']!, dLoss: history['dLoss']!, gLoss: history['gLoss']! }, { title: 'discriminator and generator losses' }) },
      {
        heading: 'Discriminator accuracy',
        svg: lossCurve({ epoch: history['epoch']!, dAccuracyReal: history['dAccuracyReal']!, dAccuracyFake: history['dAccuracyFake']! }, { title: 'share of real / generated points classified right', yLabel: 'accuracy' }),
      },
    ],
  });
  console.log(`report: ${join(out, 'index.html')}`);
  gan.dispose();
  ring.x.dispose();
}

await main();
