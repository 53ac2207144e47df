/**
 * Suite `denseAE`: training throughput of the dense autoencoder 784-256-32-256-784 (relu, sigmoid output,
 * MSE, Adam 1e-3, batch 64) on real MNIST digits, with latentkit's loop (`undercompleteAE(...).fit`) and
 * with the same network in plain tfjs-layers (`model.fit`), on cpu and on wasm asking for 1 and 2 threads.
 *
 * For each backend: both models start from the same seeded glorotUniform weights; each gets a warm-up
 * epoch, then `repeats` timed `fit` calls of `epochs` epochs, alternating which implementation goes first
 * (so that load from other processes hits both alike). The table reports the median examples/s.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { SeedStream, undercompleteAE, useBackend, type Autoencoder, type BackendName } from '../../src/index.js';
import { mnistDigits } from '../../test/helpers/mnist.js';
import { errorText, median, range, timed, type Measurement, type Suite, type SuiteContext, type SummaryRow } from '../lib/harness.js';

const MODEL = 'dense AE 784-256-32-256-784';
const INPUT_DIM = 784;
const HIDDEN = 256;
const CODE = 32;
const BATCH = 64;
const LEARNING_RATE = 1e-3;
const SEED = 7;
const REFERENCE = 'model.fit';

interface BackendCase {
  backend: BackendName;
  threads?: number;
}

const CASES: BackendCase[] = [{ backend: 'cpu' }, { backend: 'wasm', threads: 1 }, { backend: 'wasm', threads: 2 }];

interface Sizes {
  perClass: number;
  /** Per backend: timed fit calls per implementation, and epochs per call. */
  cpu: { repeats: number; epochs: number };
  wasm: { repeats: number; epochs: number };
}

// Full: 2,000 digits. The cpu backend runs at a few hundred examples/s, so it gets 1-epoch repeats to keep
// the whole run under about 3 minutes.
const FULL: Sizes = { perClass: 200, cpu: { repeats: 3, epochs: 1 }, wasm: { repeats: 5, epochs: 1 } };
const QUICK: Sizes = { perClass: 13, cpu: { repeats: 2, epochs: 1 }, wasm: { repeats: 2, epochs: 1 } };

/** The same network in plain tfjs-layers, with the kernel seeds latentkit's dense builder draws. */
function referenceModel(seed: number): { model: tfl.Sequential; optimizer: tf.Optimizer } {
  const stream = new SeedStream(seed); // buildDenseAutoencoder draws one seed per dense layer, in this order
  const dense = (units: number, activation: 'relu' | 'sigmoid', name: string, inputShape?: number[]) =>
    tfl.layers.dense({
      units,
      activation,
      name,
      ...(inputShape ? { inputShape } : {}),
      kernelInitializer: tfl.initializers.glorotUniform({ seed: stream.nextSeed() }),
    });
  const model = tfl.sequential({
    name: 'reference_autoencoder',
    layers: [
      dense(HIDDEN, 'relu', 'encoder_1', [INPUT_DIM]),
      dense(CODE, 'relu', 'code'),
      dense(HIDDEN, 'relu', 'decoder_1'),
      dense(INPUT_DIM, 'sigmoid', 'reconstruction'),
    ],
  });
  const optimizer = tf.train.adam(LEARNING_RATE);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return { model, optimizer };
}

/** Largest absolute difference between the two models' weights (0: same initial weights). */
function weightDifference(a: tfl.LayersModel, b: tfl.LayersModel): number {
  const wa = a.getWeights();
  const wb = b.getWeights();
  if (wa.length !== wb.length) return Infinity;
  return tf.tidy(() => {
    let worst = 0;
    wa.forEach((w, i) => {
      if (w.shape.join() !== wb[i]!.shape.join()) worst = Infinity;
      else worst = Math.max(worst, tf.max(tf.abs(tf.sub(w, wb[i]!))).dataSync()[0]!);
    });
    return worst;
  });
}

export default {
  name: 'denseAE',
  title: `${MODEL}: training examples/s, latentkit fit vs tfjs-layers model.fit, cpu and wasm`,
  async run(ctx: SuiteContext) {
    const sizes = ctx.quick ? QUICK : FULL;
    const digits = mnistDigits(sizes.perClass);
    const n = digits.n;
    const measurements: Measurement[] = [];
    const summary: SummaryRow[] = [];
    const notes: string[] = [];
    const weightChecks: Record<string, number> = {};

    for (const c of CASES) {
      const row = c.threads === undefined ? c.backend : `${c.backend}/threads=${c.threads}`;
      const { repeats, epochs } = c.backend === 'cpu' ? sizes.cpu : sizes.wasm;
      let ae: Autoencoder | undefined;
      let ref: ReturnType<typeof referenceModel> | undefined;
      let x: tf.Tensor2D | undefined;
      let info: Awaited<ReturnType<typeof useBackend>> | undefined;
      try {
        info = await useBackend(c.backend, c.threads === undefined ? {} : { threads: c.threads });
        ctx.log(`denseAE ${row}: backend ${info.name}, threads obtained ${info.threads}, simd ${info.simd ?? '-'}`);
        x = tf.tensor2d(digits.pixels, [n, INPUT_DIM]);
        ae = undercompleteAE({ inputDim: INPUT_DIM, hiddenUnits: [HIDDEN], codeDim: CODE, seed: SEED });
        ref = referenceModel(SEED);
        weightChecks[row] = weightDifference(ae.model, ref.model);

        const base = {
          row,
          backend: info.name,
          threadsRequested: c.threads,
          threadsObtained: info.threads,
          simd: info.simd,
          batchSize: BATCH,
        };
        /** One fit call of `ep` epochs, timed, with the tensor count around it; `fit` returns the last loss. */
        const measure = async (implementation: string, phase: Measurement['phase'], repeat: number, ep: number, fit: (ep: number) => Promise<number | undefined>) => {
          const before = tf.memory().numTensors;
          let finalLoss: number | undefined;
          const t = await timed(async () => {
            finalLoss = await fit(ep);
          });
          const after = tf.memory().numTensors;
          measurements.push({
            ...base, implementation, phase, repeat, epochs: ep, examples: n * ep, ...t,
            examplesPerSecond: (n * ep) / t.seconds, examplesPerCpuSecond: (n * ep) / t.cpuSeconds,
            finalLoss, tensorsBefore: before, tensorsAfter: after, leaked: after - before,
          });
        };
        const fitLatentkit = async (ep: number) => {
          const h = await ae!.fit(x!, { epochs: ep, batchSize: BATCH, verbose: 0, optimizer: 'adam', learningRate: LEARNING_RATE });
          return h['loss']?.at(-1);
        };
        const fitReference = async (ep: number) => {
          const h = await ref!.model.fit(x!, x!, { epochs: ep, batchSize: BATCH, shuffle: true, verbose: 0 });
          return (h.history['loss'] as number[] | undefined)?.at(-1);
        };
        const runLatentkit = (phase: Measurement['phase'], repeat: number, ep: number) => measure('latentkit', phase, repeat, ep, fitLatentkit);
        const runReference = (phase: Measurement['phase'], repeat: number, ep: number) => measure(REFERENCE, phase, repeat, ep, fitReference);

        await runLatentkit('warmup', 0, 1);
        await runReference('warmup', 0, 1);
        for (let r = 0; r < repeats; r++) {
          // Alternate which goes first, so that a burst of load from elsewhere does not favour one side.
          if (r % 2 === 0) {
            await runLatentkit('timed', r, epochs);
            await runReference('timed', r, epochs);
          } else {
            await runReference('timed', r, epochs);
            await runLatentkit('timed', r, epochs);
          }
          const last = measurements.slice(-2).map((m) => `${m.implementation} ${m.examplesPerSecond.toFixed(0)}`);
          ctx.log(`denseAE ${row}: repeat ${r + 1}/${repeats}: ${last.join(', ')} examples/s`);
        }

        const runs = (impl: string) =>
          measurements.filter((m) => m.row === row && m.phase === 'timed' && m.implementation === impl).sort((a, b) => a.repeat - b.repeat);
        const lkRuns = runs('latentkit');
        const rfRuns = runs(REFERENCE);
        const lk = lkRuns.map((m) => m.examplesPerSecond);
        const rf = rfRuns.map((m) => m.examplesPerSecond);
        // Repeat r of each implementation ran back to back: their ratio cancels slow drifts in machine load.
        const paired = (key: 'examplesPerSecond' | 'examplesPerCpuSecond') => median(lkRuns.map((m, i) => m[key] / rfRuns[i]![key]));
        const leaked = measurements.filter((m) => m.row === row && m.implementation === 'latentkit').reduce((s, m) => s + m.leaked, 0);
        const threads =
          c.threads === undefined
            ? String(info.threads)
            : `${c.threads} → ${info.threads}${info.threads < c.threads ? ' (Node wasm is single-threaded)' : ''}`;
        summary.push({
          model: MODEL,
          backend: info.name + (info.simd ? ' (SIMD)' : ''),
          threads,
          metric: 'train examples/s',
          latentkit: median(lk),
          latentkitRange: range(lk),
          reference: median(rf),
          referenceRange: range(rf),
          referenceName: REFERENCE,
          latentkitCpu: median(lkRuns.map((m) => m.examplesPerCpuSecond)),
          referenceCpu: median(rfRuns.map((m) => m.examplesPerCpuSecond)),
          ratio: paired('examplesPerSecond'),
          ratioCpu: paired('examplesPerCpuSecond'),
          leaked,
        });
      } catch (e) {
        const text = errorText(e);
        ctx.log(`denseAE ${row}: FAILED: ${text}`);
        measurements.push({
          row, implementation: 'latentkit', phase: 'timed', repeat: -1, backend: c.backend, threadsRequested: c.threads,
          threadsObtained: info?.threads ?? 0, epochs: 0, examples: 0, batchSize: BATCH, seconds: 0, cpuSeconds: 0,
          examplesPerSecond: 0, examplesPerCpuSecond: 0,
          tensorsBefore: 0, tensorsAfter: 0, leaked: 0, error: text,
        });
        summary.push({
          model: MODEL, backend: c.backend, threads: String(c.threads ?? 1), metric: 'train examples/s',
          latentkit: null, reference: null, referenceName: REFERENCE, note: `failed: ${text}`,
        });
      } finally {
        ae?.dispose();
        ref?.model.dispose();
        ref?.optimizer.dispose();
        x?.dispose();
      }
    }

    const askedTwo = summary.find((s) => s.threads.startsWith('2 → 1'));
    if (askedTwo) {
      notes.push(
        'wasm asked for 2 threads and got 1: tfjs-backend-wasm 4.22 has no multithreading in Node ' +
          '(WASM_HAS_MULTITHREAD_SUPPORT is false, tfjs issue 3830), so the two wasm rows measure the same single-threaded build.',
      );
    }
    const worst = Math.max(...Object.values(weightChecks));
    notes.push(
      worst === 0
        ? 'Both implementations start from identical weights (same seeded glorotUniform kernels, zero biases).'
        : `Initial weights differ between latentkit and the tfjs-layers model (max |diff| ${worst}): check the seeds.`,
    );
    const lastRow = measurements.filter((m) => m.finalLoss !== undefined).at(-1)?.row;
    const lossPairs = ['latentkit', REFERENCE].map((impl) => {
      const last = measurements.filter((m) => m.row === lastRow && m.implementation === impl && m.finalLoss !== undefined).at(-1);
      return `${impl} ${last?.finalLoss?.toFixed(4) ?? '?'}`;
    });
    if (lastRow) {
      notes.push(
        `Training loss after the last run (${lastRow}): ${lossPairs.join(', ')}. Both learn; they differ by shuffle order and ` +
          'because latentkit makes a new Adam per fit call while the compiled model keeps its own.',
      );
    }

    return {
      settings: {
        model: MODEL,
        examples: n,
        data: `mnistDigits(${sizes.perClass}): real MNIST digits from the mnist package, ${sizes.perClass} per class`,
        batchSize: BATCH,
        optimizer: `adam ${LEARNING_RATE}`,
        loss: 'mse',
        seed: SEED,
        warmup: '1 epoch per implementation and backend',
        cpu: sizes.cpu,
        wasm: sizes.wasm,
        statistic: 'median of the timed repeats (range = min..max); each repeat is one fit call; ratio = median over repeats of latentkit/model.fit for the two back-to-back calls of that repeat',
        reference: 'tfjs-layers tfl.sequential + compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" }) + fit(x, x, { shuffle: true })',
        initialWeightMaxAbsDiff: weightChecks,
      },
      measurements,
      summary,
      notes,
    };
  },
} satisfies Suite;
