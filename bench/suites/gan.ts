/**
 * Suite `gan`: GAN training throughput, latentkit's `GAN(...).fit` against the PyTorch peer, interleaved
 * (bench/lib/speed.ts). One step = one discriminator update (a real and a generated batch, scored in one
 * pass) and one generator update on fresh z, non-saturating loss, Adam (eps 1e-7); an "example" is one
 * row of a step's real batch, so steps/s = examples/s / batch.
 * - dense: the course's GAN for flattened digits, latentkit's defaults: G z256 -> 256 tanh -> 256 tanh ->
 *   784 tanh; D 784 -> 32 tanh -> 1; Adam 1e-4 (D), 1e-3 (G); batch 32.
 * - dcgan: 28x28x1, z100, generatorFilters [64, 32], discriminatorFilters [32, 64], 4x4 kernels, batch
 *   norm in G; Adam 2e-4, beta1 0.5; batch 64.
 * - acgan: the dcgan defaults with `numClasses: 10, conditioning: 'acgan'` (Odena et al.): G of z and the
 *   one-hot digit, z100 -> 7x7x128 -> 14x14x64 -> 28x28x1; D 64, 128 stride-2 convolutions with a
 *   real/fake and a 10-way class head; D loss BCE + class cross-entropy on real and generated, G loss BCE +
 *   class cross-entropy; Adam 2e-4, beta1 0.5; batch 64.
 * latentkit trains on MNIST digits scaled to [-1, 1], the peer on uniform noise (the cost does not depend
 * on the values). No tfjs-layers `model.fit` reference: a GAN step is not one `fit`.
 *
 *   npx tsx bench/run.ts gan
 */
import { GAN, type GANConfig } from '../../src/index.js';
import { ganStepFlops } from '../lib/flops.js';
import type { Suite, SuiteContext, SuiteResult } from '../lib/harness.js';
import { digits, runSpeedCase, type SpeedCase } from '../lib/speed.js';

const SEED = 7;

function ganCase(key: string, model: string, config: GANConfig, batchSize: number, examples: { full: number; quick: number }, image: boolean): SpeedCase {
  const k = config.numClasses;
  return {
    key,
    model,
    batchSize,
    examples,
    repeats: { full: 5, quick: 1 },
    peerModel: key,
    flopsNote: 'per real example: G forward twice, G trained, D trained on 2 batches, D forward + input gradient on 1',
    async setup(n) {
      const x = await digits(n, { image, symmetric: true });
      const gan = GAN(config);
      // A conditional GAN's labels: the ten digits in turn (the cost does not depend on which).
      const labels = k === undefined ? undefined : Int32Array.from({ length: n }, (_, i) => i % k);
      return {
        flopsPerExample: ganStepFlops(gan.generator, gan.discriminator),
        latentkit: async () => (await gan.fit(x, { labels, epochs: 1, batchSize, gStepsPerD: 1, verbose: 0, balanceMonitor: false }))['dLoss']?.at(-1),
        dispose: () => {
          gan.dispose();
          x.dispose();
        },
      };
    },
  };
}

export const ganCases = [
  ganCase('ganDense', 'dense GAN (course): G 256-256-256-784, D 784-32-1, Adam', { dataShape: [784], seed: SEED }, 32, { full: 3200, quick: 320 }, false),
  ganCase(
    'dcgan',
    'DCGAN 28x28: G z100-(7x7x64)-32-1 with BN, D 32-64-1, Adam',
    { architecture: 'dcgan', dataShape: [28, 28, 1], zDim: 100, generatorFilters: [64, 32], discriminatorFilters: [32, 64], seed: SEED },
    64,
    { full: 640, quick: 64 },
    true,
  ),
  ganCase(
    'acgan',
    "ACGAN 28x28 (dcgan defaults, conditioning 'acgan'): G z100+10-(7x7x128)-64-1 with BN, D 64-128-(1, 10), Adam",
    { architecture: 'dcgan', dataShape: [28, 28, 1], numClasses: 10, conditioning: 'acgan', seed: SEED },
    64,
    { full: 640, quick: 64 },
    true,
  ),
];

export default {
  name: 'gan',
  title: 'Dense GAN, DCGAN and ACGAN: training examples/s (one D and one G update per batch) vs PyTorch',
  async run(ctx: SuiteContext): Promise<SuiteResult> {
    const out: SuiteResult = { settings: { cases: ganCases, seed: SEED }, measurements: [], speed: [], quality: [], notes: [] };
    for (const c of ganCases) {
      const r = await runSpeedCase(c, ctx);
      out.speed.push(r.row);
      out.measurements.push(...r.measurements);
      out.notes.push(...r.notes);
      if (r.row.latentkit) out.notes.push(`${c.key}: latentkit ${(r.row.latentkit / c.batchSize).toFixed(1)} steps/s` + (r.row.peerBest ? `, PyTorch ${(r.row.peerBest / c.batchSize).toFixed(1)} steps/s.` : '.'));
    }
    return out;
  },
} satisfies Suite;
