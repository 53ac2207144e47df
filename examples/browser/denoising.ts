/**
 * The demo's first tab: a convolutional denoising autoencoder trained in the page, with a live loss
 * curve, held-out reconstructions, a walk between two digits' codes, and IndexedDB save/load.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { denoisingAE, interpolate, load, save, uniformNoise, type Autoencoder, type Logs } from 'latentkit';
import { drawChart, drawImages } from './draw.js';
import type { Digits } from './digits.js';

/** Where the trained model is kept between visits. */
export const DENOISING_URL = 'indexeddb://latentkit-demo-denoising';
/** Held-out digits (the asset's last ones, 20 per class). */
const HELD_OUT = 200;
const WALK_STEPS = 21;

export interface DenoisingSettings {
  epochs: number;
  train: number;
  noise: number;
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export class DenoisingPanel {
  private ae: Autoencoder | undefined;
  private readonly test: tf.Tensor4D;
  private readonly train: tf.Tensor4D;
  private batchLoss: number[] = [];
  private valLoss: number[] = [];
  private batchesPerEpoch = 1;
  /** Decoded walk between the two chosen digits: `[WALK_STEPS, 28, 28, 1]` values. */
  private walk: Float32Array | undefined;

  constructor(private readonly digits: Digits, private readonly onState: (busy: boolean) => void) {
    const n = digits.labels.length;
    this.train = tf.slice(digits.images, [0, 0, 0, 0], [n - HELD_OUT, 28, 28, 1]);
    this.test = tf.slice(digits.images, [n - HELD_OUT, 0, 0, 0], [HELD_OUT, 28, 28, 1]);
    for (const id of ['walk-from', 'walk-to']) {
      const select = $<HTMLSelectElement>(id);
      for (let d = 0; d < 10; d++) select.add(new Option(`a ${d}`, String(d)));
    }
    $<HTMLSelectElement>('walk-from').value = '4';
    $<HTMLSelectElement>('walk-to').value = '7';
    $('walk-from').addEventListener('change', () => this.drawWalk());
    $('walk-to').addEventListener('change', () => this.drawWalk());
    $('walk-t').addEventListener('input', () => this.drawWalkPoint());
    $('dae-train-button').addEventListener('click', () => void this.run(() => this.fit(this.settings())));
    $('dae-save').addEventListener('click', () => void this.run(() => this.save()));
    $('dae-load').addEventListener('click', () => void this.run(() => this.load()));
    this.drawLoss();
    this.drawDigits();
    window.addEventListener('resize', () => this.drawLoss());
  }

  /** The settings in the form. */
  settings(): DenoisingSettings {
    const num = (id: string): number => Number($<HTMLInputElement>(id).value);
    return { epochs: num('dae-epochs'), train: num('dae-train'), noise: num('dae-noise') };
  }

  private status(text: string): void {
    $('dae-status').textContent = text;
  }

  private async run(task: () => Promise<void>): Promise<void> {
    this.onState(true);
    try {
      await task();
    } catch (e) {
      this.status(`error: ${(e as Error).message}`);
      throw e;
    } finally {
      this.onState(false);
      $<HTMLButtonElement>('dae-save').disabled = this.ae === undefined;
    }
  }

  /** Trains a fresh model on the first `train` digits, drawing as it goes. */
  async fit(s: DenoisingSettings): Promise<void> {
    this.ae?.dispose();
    this.ae = denoisingAE({
      inputShape: [28, 28, 1],
      filters: [16, 32],
      strides: 2,
      padding: 'same',
      codeDim: 32,
      decoder: 'upsample',
      noise: { kind: 'uniform', scale: s.noise },
      seed: 42,
    });
    const x = tf.slice(this.train, [0, 0, 0, 0], [Math.min(s.train, this.train.shape[0]), 28, 28, 1]);
    const batchSize = 32;
    this.batchesPerEpoch = Math.ceil(x.shape[0] / batchSize);
    this.batchLoss = [];
    this.valLoss = [];
    const started = performance.now();
    let seen = 0;
    try {
      await this.ae.fit(x, {
        epochs: s.epochs,
        batchSize,
        optimizer: { name: 'adam', learningRate: 0.003 },
        validationData: this.test,
        verbose: 0,
        callbacks: {
          onBatchEnd: async (batch: number, logs: Logs) => {
            this.batchLoss.push(logs['loss']!);
            seen += logs['size'] ?? batchSize;
            if (batch % 4 === 0) {
              this.drawLoss();
              const rate = seen / ((performance.now() - started) / 1000);
              this.status(`epoch ${this.valLoss.length + 1}/${s.epochs}, batch ${batch + 1}/${this.batchesPerEpoch}: loss ${logs['loss']!.toFixed(4)} (${Math.round(rate)} digits/s)`);
              await tf.nextFrame();
            }
          },
          onEpochEnd: async (_epoch: number, logs: Logs) => {
            this.valLoss.push(logs['valLoss']!);
            this.drawLoss();
            this.drawDigits();
            await tf.nextFrame();
          },
        },
      });
    } finally {
      x.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    this.status(`trained ${s.epochs} epochs on ${x.shape[0]} digits in ${seconds.toFixed(1)} s; held-out MSE ${this.valLoss.at(-1)!.toFixed(4)}`);
  }

  private async save(): Promise<void> {
    if (!this.ae) return;
    const summary = await save(this.ae, DENOISING_URL);
    this.status(`saved to ${Object.values(summary.parts).join(', ')} (${(summary.weightBytes / 1024).toFixed(0)} KB of weights)`);
  }

  /** Loads the saved model and checks it reconstructs the held-out digits exactly as the one in memory. */
  private async load(): Promise<void> {
    const loaded = await load<Autoencoder>(DENOISING_URL).catch((e: Error) => {
      throw new Error(`nothing saved at ${DENOISING_URL} yet (${e.message.split('\n')[0]})`);
    });
    let same = '';
    if (this.ae) {
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(this.ae!.reconstruct(this.test), loaded.reconstruct(this.test)))).dataSync()[0]!);
      same = `; largest difference to the model in memory: ${diff}`;
      this.ae.dispose();
    }
    this.ae = loaded;
    this.drawDigits();
    this.status(`loaded ${DENOISING_URL}${same}`);
    document.body.dataset['daeLoaded'] = 'true';
  }

  private drawLoss(): void {
    const perEpoch = this.batchesPerEpoch;
    drawChart(
      $<HTMLCanvasElement>('dae-loss'),
      [
        { y: this.batchLoss, color: '#9db4e8', width: 1, label: 'training batches' },
        { y: this.valLoss, x: this.valLoss.map((_, e) => (e + 1) * perEpoch - 1), color: '#d4562e', dots: true, label: 'held-out' },
      ],
      { xLabel: 'batches' },
    );
  }

  /** Clean, noisy and denoised held-out digits (one per class), then the walk. */
  drawDigits(): void {
    const s = this.settings();
    const [clean, noisy, denoised] = tf.tidy(() => {
      const ten = tf.slice(this.test, [0, 0, 0, 0], [10, 28, 28, 1]);
      // The noise the model was trained against, drawn once with a fixed seed.
      const corrupted = uniformNoise({ scale: s.noise })(ten, 7);
      const out = this.ae ? this.ae.reconstruct(corrupted) : tf.zerosLike(ten);
      return [ten.dataSync(), corrupted.dataSync(), out.dataSync()];
    });
    drawImages($('dae-clean'), clean!, 10, 10);
    drawImages($('dae-noisy'), noisy!, 10, 10);
    drawImages($('dae-denoised'), denoised!, 10, 10);
    this.drawWalk();
  }

  private drawWalk(): void {
    if (!this.ae) return;
    const from = Number($<HTMLSelectElement>('walk-from').value);
    const to = Number($<HTMLSelectElement>('walk-to').value);
    // Held-out digit k has class k % 10; the 2nd example of each class makes the walk differ from the row above.
    this.walk = tf.tidy(() => {
      const codes = this.ae!.encode(tf.gather(this.test, [10 + from, 10 + to]));
      const path = interpolate(tf.slice(codes, 0, 1), tf.slice(codes, 1, 1), { steps: WALK_STEPS });
      return this.ae!.decode(path).dataSync() as Float32Array;
    });
    const every = Array.from({ length: 11 }, (_, i) => i * 2);
    const strip = new Float32Array(every.length * 784);
    every.forEach((step, i) => strip.set(this.walk!.subarray(step * 784, (step + 1) * 784), i * 784));
    drawImages($('walk-strip'), strip, every.length, every.length);
    this.drawWalkPoint();
  }

  private drawWalkPoint(): void {
    if (!this.walk) return;
    const t = Number($<HTMLInputElement>('walk-t').value);
    drawImages($('walk-one'), this.walk.subarray(t * 784, (t + 1) * 784), 1, 1, { scale: 4, gap: 0 });
  }

  dispose(): void {
    this.ae?.dispose();
    tf.dispose([this.train, this.test]);
  }
}
