/**
 * The demo's digits: the asset made at build time from the `mnist` package (see digitsAsset.ts), as
 * float32 tensors in [0, 1].
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';

export interface Digits {
  /** `[N, 28, 28, 1]` in [0, 1]; the caller disposes it. */
  images: tf.Tensor4D;
  labels: number[];
  source: string;
}

/** Fetches `digits.bin` and `digits.json` from the page's folder; keeps the first `limit` digits. */
export async function fetchDigits(limit = Infinity): Promise<Digits> {
  const base = import.meta.env.BASE_URL;
  const [bin, index] = await Promise.all([
    fetch(`${base}digits.bin`).then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`digits.bin: HTTP ${r.status}`)))),
    fetch(`${base}digits.json`).then((r) => (r.ok ? (r.json() as Promise<{ count: number; labels: number[]; source: string }>) : Promise.reject(new Error(`digits.json: HTTP ${r.status}`)))),
  ]);
  const bytes = new Uint8Array(bin);
  if (bytes.length !== index.count * 784) throw new Error(`digits.bin holds ${bytes.length} bytes, expected ${index.count} x 784`);
  const count = Math.min(index.count, Math.max(300, Math.floor(limit / 10) * 10));
  const pixels = Float32Array.from(bytes.subarray(0, count * 784), (b) => b / 255);
  return { images: tf.tensor4d(pixels, [count, 28, 28, 1]), labels: index.labels.slice(0, count), source: index.source };
}
