/**
 * Suite `convAE`: the course's exercise-8 convolutional autoencoder (Conv2D 32 s2 same, Conv2D 32 s2
 * valid, MaxPooling2D 2, Dense 32 `code`, mirrored Conv2DTranspose decoder), batch 32, SGD lr 0.01
 * momentum 0.95, MSE, on real MNIST digits:
 * - training examples/s on cpu and on wasm (whose convolution gradients latentkit registers), with the
 *   tensor count around each run, for both decoders (Conv2DTranspose, and UpSampling2D + Conv2D);
 * - the full exercise on wasm: a denoising AE (x + U(0,1)*0.3), 3,000 training digits, 25 epochs, and its
 *   final test MSE (denoised vs clean, and noisy vs clean for scale), on 500 test digits, with the
 *   upsampling decoder the demo uses (see examples/shared/exercise8.ts for why).
 */
import * as tf from '@tensorflow/tfjs-core';
import { applyNoise, convAE, denoisingAE, loadMnist, useBackend, type AutoencoderHistory, type BackendName, type DecoderStyle } from '../../src/index.js';
import { EXERCISE_8, EXERCISE_8_OPTIMIZER } from '../../examples/shared/exercise8.js';
import { errorText, median, range, timed, type Measurement, type Suite, type SummaryRow } from '../lib/harness.js';

const MODEL = 'conv AE, exercise 8';
const BATCH = 32;
const SEED = 8;

interface Sizes {
  throughput: Record<'cpu' | 'wasm', { examples: number; repeats: number }>;
  full: { train: number; test: number; epochs: number };
}
const FULL: Sizes = {
  throughput: { cpu: { examples: 64, repeats: 2 }, wasm: { examples: 1000, repeats: 3 } },
  full: { train: 3000, test: 500, epochs: 25 },
};
const QUICK: Sizes = {
  throughput: { cpu: { examples: 32, repeats: 1 }, wasm: { examples: 128, repeats: 2 } },
  full: { train: 200, test: 200, epochs: 1 },
};

const suite: Suite = {
  name: 'convAE',
  title: 'Exercise-8 conv autoencoder: training examples/s on cpu and wasm, and the full 25-epoch run',
  async run(ctx) {
    const sizes = ctx.quick ? QUICK : FULL;
    const measurements: Measurement[] = [];
    const summary: SummaryRow[] = [];
    const notes: string[] = [];
    const mnist = await loadMnist({ train: Math.max(sizes.full.train, sizes.throughput.wasm.examples), test: sizes.full.test, seed: SEED });
    try {
      for (const [backend, decoder] of [['cpu', 'transpose'], ['cpu', 'upsample'], ['wasm', 'transpose'], ['wasm', 'upsample']] as Array<[BackendName, DecoderStyle]>) {
        const info = await useBackend(backend);
        const { examples, repeats } = sizes.throughput[backend as 'cpu' | 'wasm'];
        const x = tf.slice(mnist.xTrain, 0, examples);
        const row = `${backend}/${decoder}`;
        const rates: number[] = [];
        const cpuRates: number[] = [];
        let leaked = 0;
        for (let repeat = -1; repeat < repeats; repeat++) {
          const ae = convAE({ ...EXERCISE_8, decoder, seed: SEED });
          const before = tf.memory().numTensors;
          let finalLoss: number | undefined;
          let error: string | undefined;
          const t = await timed(async () => {
            try {
              const h = await ae.fit(x, { epochs: 1, batchSize: BATCH, optimizer: EXERCISE_8_OPTIMIZER, verbose: 0 });
              finalLoss = h['loss']!.at(-1);
            } catch (e) {
              error = errorText(e);
            }
          });
          const after = tf.memory().numTensors;
          ae.dispose();
          const m: Measurement = {
            row,
            implementation: 'latentkit',
            phase: repeat < 0 ? 'warmup' : 'timed',
            repeat,
            backend: info.name,
            threadsObtained: info.threads,
            simd: info.simd,
            epochs: 1,
            examples,
            batchSize: BATCH,
            seconds: t.seconds,
            cpuSeconds: t.cpuSeconds,
            examplesPerSecond: examples / t.seconds,
            examplesPerCpuSecond: examples / t.cpuSeconds,
            finalLoss,
            tensorsBefore: before,
            tensorsAfter: after,
            leaked: after - before,
            ...(error ? { error } : {}),
          };
          measurements.push(m);
          ctx.log(`convAE ${row} ${m.phase} ${repeat}: ${m.examplesPerSecond.toFixed(1)} ex/s${error ? ` ERROR ${error}` : ''}`);
          if (repeat >= 0 && !error) {
            rates.push(m.examplesPerSecond);
            cpuRates.push(m.examplesPerCpuSecond);
            leaked += m.leaked;
          }
        }
        x.dispose();
        summary.push({
          model: `${MODEL}, ${decoder === 'transpose' ? 'Conv2DTranspose' : 'UpSampling2D + Conv2D'} decoder`,
          backend: `${info.name}${info.simd ? ' (SIMD)' : ''}`,
          threads: String(info.threads),
          metric: 'train examples/s, batch 32',
          latentkit: rates.length ? median(rates) : null,
          latentkitRange: range(rates),
          latentkitCpu: cpuRates.length ? median(cpuRates) : null,
          leaked,
          note: `${examples} digits x 1 epoch, ${repeats} repeats`,
        });
      }
      for (const decoder of ['Conv2DTranspose', 'UpSampling2D']) {
        const cpuRow = summary.find((s) => s.backend === 'cpu' && s.model.includes(decoder));
        const wasmRow = summary.find((s) => s.backend.startsWith('wasm') && s.model.includes(decoder));
        if (cpuRow?.latentkit && wasmRow?.latentkit) {
          notes.push(`Exercise-8 conv AE with the ${decoder} decoder trains ${(wasmRow.latentkit / cpuRow.latentkit).toFixed(0)}x faster on wasm than on cpu (same run).`);
        }
      }

      // The full exercise on wasm.
      const info = await useBackend('wasm');
      const { train, test, epochs } = sizes.full;
      const xTrain = tf.slice(mnist.xTrain, 0, train);
      const xTest = tf.slice(mnist.xTest, 0, test);
      const noise = { kind: 'uniform', scale: 0.3 } as const;
      const dae = denoisingAE({ ...EXERCISE_8, noise, seed: SEED });
      const before = tf.memory().numTensors;
      let history: AutoencoderHistory | undefined;
      const t = await timed(async () => {
        history = await dae.fit(xTrain, { epochs, batchSize: BATCH, optimizer: EXERCISE_8_OPTIMIZER, verbose: 0 });
      });
      const after = tf.memory().numTensors;
      const noisy = applyNoise(xTest, noise, { seed: SEED + 1 });
      const denoisedMse = dae.evaluate(noisy, { target: xTest, metric: 'mse' }).mean;
      const noisyMse = tf.tidy(() => tf.mean(tf.squaredDifference(noisy, xTest)).dataSync()[0]!);
      const cleanMse = dae.evaluate(xTest, { metric: 'mse' }).mean;
      tf.dispose([noisy, xTrain, xTest]);
      dae.dispose();
      ctx.log(`convAE full exercise: ${t.seconds.toFixed(1)} s, test MSE denoised ${denoisedMse.toFixed(4)} (noisy ${noisyMse.toFixed(4)})`);
      summary.push({
        model: `${MODEL}, UpSampling2D decoder, denoising, ${epochs} epochs on ${train} digits`,
        backend: `${info.name}${info.simd ? ' (SIMD)' : ''}`,
        threads: String(info.threads),
        metric: 'final test MSE, denoised vs clean',
        latentkit: denoisedMse,
        leaked: after - before,
        note: `noisy vs clean ${noisyMse.toFixed(4)}; clean in ${cleanMse.toFixed(4)}; final train loss ${history!.loss.at(-1)!.toFixed(4)}; ${(train * epochs / t.seconds).toFixed(0)} examples/s over ${t.seconds.toFixed(0)} s`,
      });
      notes.push(
        `Full exercise 8 (${train} digits, ${epochs} epochs, batch ${BATCH}, SGD 0.01 momentum 0.95, noise x + U(0,1)*0.3): ` +
          `test MSE denoised vs clean ${denoisedMse.toFixed(4)}, noisy vs clean ${noisyMse.toFixed(4)}, in ${t.seconds.toFixed(0)} s.`,
      );
    } finally {
      mnist.dispose();
    }
    return { settings: { ...sizes, batchSize: BATCH, seed: SEED, optimizer: EXERCISE_8_OPTIMIZER }, measurements, summary, notes };
  },
};

export default suite;
