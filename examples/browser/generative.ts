/**
 * The demo's second tab: a VAE with a 2-d latent space, shown as its decoded manifold, and a dense GAN,
 * shown as samples from fixed noise; both trained in the page and saved to IndexedDB.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  GAN,
  VAE,
  fromRange,
  load,
  normalQuantiles,
  save,
  toRange,
  type GenerativeAdversarialNetwork,
  type Logs,
  type VariationalAutoencoder,
} from 'latentkit';
import { drawChart, drawImages } from './draw.js';
import type { Digits } from './digits.js';

export const VAE_URL = 'indexeddb://latentkit-demo-vae';
export const GAN_URL = 'indexeddb://latentkit-demo-gan';
const GRID = 12;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

export class GenerativePanel {
  private vae: VariationalAutoencoder | undefined;
  private gan: GenerativeAdversarialNetwork | undefined;
  /** Training digits flattened to `[N, 784]` in [0, 1]. */
  private readonly flat: tf.Tensor2D;
  private dLoss: number[] = [];
  private gLoss: number[] = [];

  constructor(digits: Digits, private readonly onState: (busy: boolean) => void) {
    this.flat = tf.reshape(digits.images, [digits.labels.length, 784]);
    $('vae-train-button').addEventListener('click', () => void this.run('vae', () => this.fitVAE(this.epochs('vae-epochs'))));
    $('gan-train-button').addEventListener('click', () => void this.run('gan', () => this.fitGAN(this.epochs('gan-epochs'))));
    $('vae-save').addEventListener('click', () => void this.run('vae', () => this.saveModel('vae')));
    $('gan-save').addEventListener('click', () => void this.run('gan', () => this.saveModel('gan')));
    $('vae-load').addEventListener('click', () => void this.run('vae', () => this.loadModel('vae')));
    $('gan-load').addEventListener('click', () => void this.run('gan', () => this.loadModel('gan')));
    this.drawGanLoss();
    window.addEventListener('resize', () => this.drawGanLoss());
  }

  private epochs(id: string): number {
    return Number($<HTMLInputElement>(id).value);
  }

  private status(which: 'vae' | 'gan', text: string): void {
    $(`${which}-status`).textContent = text;
  }

  private async run(which: 'vae' | 'gan', task: () => Promise<void>): Promise<void> {
    this.onState(true);
    try {
      await task();
    } catch (e) {
      this.status(which, `error: ${(e as Error).message}`);
      throw e;
    } finally {
      this.onState(false);
      $<HTMLButtonElement>('vae-save').disabled = this.vae === undefined;
      $<HTMLButtonElement>('gan-save').disabled = this.gan === undefined;
    }
  }

  async fitVAE(epochs: number): Promise<void> {
    this.vae?.dispose();
    this.vae = VAE({ inputShape: [784], hiddenUnits: [256], latentDim: 2, seed: 1 });
    const started = performance.now();
    await this.vae.fit(this.flat, {
      epochs,
      batchSize: 64,
      learningRate: 0.002,
      verbose: 0,
      callbacks: {
        onEpochEnd: async (epoch: number, logs: Logs) => {
          this.status('vae', `epoch ${epoch + 1}/${epochs}: ELBO ${logs['elbo']!.toFixed(1)} nats (reconstruction ${logs['reconstruction']!.toFixed(1)}, KL ${logs['kl']!.toFixed(2)})`);
          this.drawManifold();
          await tf.nextFrame();
        },
      },
    });
    this.status('vae', `${$('vae-status').textContent} - ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  async fitGAN(epochs: number): Promise<void> {
    this.gan?.dispose();
    // A small DCGAN: z(32) -> 7x7x32 -> 14x14x16 -> 28x28x1 (batch norm, ReLU, tanh); D convolutions 16, 32.
    this.gan = GAN({ architecture: 'dcgan', dataShape: [28, 28, 1], zDim: 32, generatorFilters: [32, 16], discriminatorFilters: [16, 32], seed: 2 });
    this.dLoss = [];
    this.gLoss = [];
    const real = tf.tidy(() => toRange(tf.reshape(this.flat, [-1, 28, 28, 1]), [-1, 1]));
    const started = performance.now();
    try {
      await this.gan.fit(real, {
        epochs,
        batchSize: 32,
        verbose: 0,
        balanceMonitor: false,
        callbacks: {
          onEpochEnd: async (epoch: number, logs: Logs) => {
            this.dLoss.push(logs['dLoss']!);
            this.gLoss.push(logs['gLoss']!);
            this.status('gan', `epoch ${epoch + 1}/${epochs}: D loss ${logs['dLoss']!.toFixed(3)}, G loss ${logs['gLoss']!.toFixed(3)}`);
            this.drawSamples();
            this.drawGanLoss();
            await tf.nextFrame();
          },
        },
      });
    } finally {
      real.dispose();
    }
    this.status('gan', `${$('gan-status').textContent} - ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** The decoder's outputs on a GRID x GRID lattice of prior quantiles (z1 across, z2 down). */
  drawManifold(): void {
    if (!this.vae) return;
    const q = normalQuantiles(GRID);
    const z = q.flatMap((z2) => q.map((z1) => [z1, -z2])).flat();
    const pixels = tf.tidy(() => this.vae!.generate(tf.tensor2d(z, [GRID * GRID, 2])).dataSync());
    drawImages($('vae-manifold'), pixels, GRID * GRID, GRID, { scale: 1.5, gap: 0 });
  }

  drawSamples(): void {
    if (!this.gan) return;
    const pixels = tf.tidy(() => fromRange(this.gan!.sample(64, { seed: 11 }), [-1, 1]).dataSync());
    drawImages($('gan-samples'), pixels, 64, 8, { scale: 1.5, gap: 2 });
  }

  private drawGanLoss(): void {
    drawChart($<HTMLCanvasElement>('gan-loss'), [
      { y: this.dLoss, color: '#2f6fdf', label: 'D', dots: this.dLoss.length < 3 },
      { y: this.gLoss, color: '#d4562e', label: 'G', dots: this.gLoss.length < 3 },
    ], { xLabel: 'epochs' });
  }

  private async saveModel(which: 'vae' | 'gan'): Promise<void> {
    const handle = which === 'vae' ? this.vae : this.gan;
    if (!handle) return;
    const summary = await save(handle, which === 'vae' ? VAE_URL : GAN_URL);
    this.status(which, `saved to ${Object.values(summary.parts).join(', ')}`);
  }

  private async loadModel(which: 'vae' | 'gan'): Promise<void> {
    const url = which === 'vae' ? VAE_URL : GAN_URL;
    const loaded = await load(url).catch((e: Error) => {
      throw new Error(`nothing saved at ${url} yet (${e.message.split('\n')[0]})`);
    });
    if (which === 'vae') {
      this.vae?.dispose();
      this.vae = loaded as VariationalAutoencoder;
      this.drawManifold();
    } else {
      this.gan?.dispose();
      this.gan = loaded as GenerativeAdversarialNetwork;
      this.drawSamples();
    }
    this.status(which, `loaded ${url}`);
  }

  dispose(): void {
    this.vae?.dispose();
    this.gan?.dispose();
    this.flat.dispose();
  }
}
