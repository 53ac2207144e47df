/**
 * Example: a dense GAN on the ring of 8 Gaussians, the toy data on which mode collapse is easy to see.
 *
 * The data are 8,000 points from 8 Gaussians of standard deviation 0.02 on a circle of radius 2 (the
 * setting of the unrolled-GAN and VEEGAN papers). The GAN is dense: generator z(8) -> 3 x 256 ReLU with
 * batch norm -> 2 (linear), discriminator 2 -> 2 x 256 leaky ReLU -> 1, non-saturating loss. It trains in
 * ONE `fit` with latentkit's recommended setting for it (`examples/shared/ringGAN.ts`): the mode-collapse
 * remedies in the discriminator (`packing: 2`, PacGAN, and `minibatchStddev: true`), Adam (beta1 0.5) at
 * 1e-3 falling to 3e-5 by the last epoch (`learningRateDecay: 0.03`), instance noise 0.1 annealed to 0,
 * batches of 100, 160 epochs. `--plain` trains the same GAN with the same schedule without the remedies.
 * Every few epochs it draws 2,000 samples and scores them with `modeCoverage`: a sample is high-quality
 * when it lies within 3 standard deviations (0.06) of a centre, and a mode is hit when at least 20
 * high-quality samples (8% of its fair share of 250) are nearest to it.
 *
 * Coverage over 5 seeds, with and without the remedies: `npx tsx bench/ringCoverage.ts` (see the README's
 * GAN section for the figures measured). Measured on wasm, one thread: at 160 epochs (the default) 8/8
 * modes on each of seeds 1-5 with 84.4-87.6% high-quality samples (about 4.5 minutes per seed at load
 * average ~2.5); at 80 epochs 8/8 modes on every seed with 67.7-74.3%, at 40 epochs 40-54%: the share of
 * samples that lie on a mode rather than between modes grows with the steps at low rates.
 *
 * Output (default `out/gan-ring/`): `index.html` with the data, the samples every few epochs over the true
 * centres, the loss and accuracy curves and the final mode coverage; `coverage.json` with the figures.
 *
 * @example
 * ```sh
 * npx tsx examples/gan-ring.ts                       # wasm, 12,800 steps (about 4.5 minutes on a quiet core)
 * npx tsx examples/gan-ring.ts --plain --out /tmp/ring-plain   # the same without the remedies
 * npx tsx examples/gan-ring.ts --epochs 20 --out /tmp/ring     # a quick look
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKEND_NAMES, useBackend, type BackendName } from '../src/index.js';
import { GAN } from '../src/index.js';
import { modeCoverage, ringOfGaussians, scatterPlot, type ModeCoverage } from '../src/index.js';
import { lossCurve, writeReport, type ReportSection } from '../src/index.js';
import { RING, RING_SCORE, ringFitOptions, ringGANConfig } from './shared/ringGAN.js';

const USAGE = `usage: npx tsx examples/gan-ring.ts [options]
  --epochs N      epochs of 80 steps (default 160)
  --plain         without the remedies (no packing, no minibatch stddev)
  --every N       draw and score samples every N epochs (default 10)
  --out DIR       output folder (default out/gan-ring)
  --seed N        seed of the weights and the training (default 3)
  --data-seed N   seed of the ring's points (default 1)
  --backend NAME  wasm or cpu (default: LATENTKIT_BACKEND, else wasm)
  --help          this text`;

const MODES = RING.modes;
const STDDEV = RING.stddev;
const SAMPLES = RING_SCORE.samples;
const MIN_COUNT = RING_SCORE.minCount;
const SAMPLE_SEED = RING_SCORE.sampleSeed;

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
      epochs: { type: 'string' },
      plain: { type: 'boolean' },
      every: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      'data-seed': { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const epochs = Number(values.epochs ?? 160);
  const remedies = values.plain !== true;
  const every = Number(values.every ?? 10);
  const seed = Number(values.seed ?? 3);
  const dataSeed = Number(values['data-seed'] ?? 1);
  const out = values.out ?? join('out', 'gan-ring');
  const backendName = values.backend ?? process.env['LATENTKIT_BACKEND'] ?? 'wasm';
  if (!(BACKEND_NAMES as readonly string[]).includes(backendName)) throw new Error(`--backend ${backendName}: expected wasm or cpu`);
  if (!Number.isInteger(epochs) || epochs < 1 || !Number.isInteger(every) || every < 1 || !Number.isInteger(seed) || !Number.isInteger(dataSeed)) throw new Error(`bad options\n${USAGE}`);
  const backend = await useBackend(backendName as BackendName);
  console.log(`backend ${backend.name}${backend.simd ? ' (SIMD)' : ''}, seed ${seed}, ${remedies ? 'with' : 'without'} the remedies`);

  const ring = ringOfGaussians({ ...RING, seed: dataSeed });
  const radius = RING_SCORE.radius;
  const gan = GAN(ringGANConfig(seed, remedies));
  const extent = [-2.6, 2.6] as const;
  const snapshots: { epoch: number; svg: string; coverage: ModeCoverage }[] = [];
  const history: Record<string, number[]> = { epoch: [], dLoss: [], gLoss: [], dAccuracyReal: [], dAccuracyFake: [] };
  let epoch = 0;
  const started = performance.now();
  const snapshot = (label: string) => {
    const samples = gan.sample(SAMPLES, { seed: SAMPLE_SEED });
    const coverage = modeCoverage(samples, ring.centers, { radius, minCount: MIN_COUNT });
    const shown = tf.slice(samples, 0, 1000);
    const svg = scatterPlot(shown, { title: label, centers: ring.centers, radius, extent, size: 240 });
    tf.dispose([samples, shown]);
    snapshots.push({ epoch, svg, coverage });
    console.log(`${label}: ${describeCoverage(coverage)}`);
  };
  snapshot('before training');
  await gan.fit(ring.x, {
    ...ringFitOptions(epochs),
    callbacks: {
      onEpochEnd(_e, logs) {
        history['epoch']!.push(epoch);
        for (const k of ['dLoss', 'gLoss', 'dAccuracyReal', 'dAccuracyFake']) history[k]!.push(logs[k]!);
        epoch++;
        if (epoch % every === 0) snapshot(`epoch ${epoch}`);
      },
    },
  });
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
    dataSeed,
    remedies,
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
          `with at least ${MIN_COUNT} high-quality samples. Generator z(8) -> 3 x 256 ReLU + batch norm -> 2; discriminator ` +
          `2 -> 2 x 256 leaky ReLU -> 1${remedies ? ' with packing 2 and minibatch stddev' : ' (no remedies)'}; non-saturating loss, ` +
          `one fit of ${epoch} epochs: Adam (beta1 0.5) from 1e-3 to 3e-5 (learningRateDecay 0.03), instance noise 0.1 annealed to 0, batch 100.`,
        table: {
          'modes hit': `${final.modesHit} / ${final.modes}`,
          'high-quality samples': `${(100 * final.highQualityShare).toFixed(1)}%`,
          'per mode': final.counts.join(' '),
          'training steps': steps,
          'seconds': Number(seconds.toFixed(1)),
          backend: backend.name,
        },
      },
      { heading: 'Data', svg: scatterPlot(Array.from({ length: 1000 }, (_, i) => [ring.points[2 * i]!, ring.points[2 * i + 1]!]), { title: 'training points (1,000 of 8,000)', centers: ring.centers, radius, extent, size: 240 }) },
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
