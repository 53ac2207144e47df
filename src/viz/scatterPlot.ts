/**
 * `scatterPlot`: 2-D points as a standalone SVG document (for toy-mixture samples over their true modes),
 * written by hand so that it needs no plotting library and runs anywhere.
 * @module
 */
import type * as tf from '@tensorflow/tfjs-core';
import { release, toExamples, type DataInput } from '../data/input.js';
import { ConfigError } from '../core/errors.js';
import { escapeMarkup } from './escape.js';
import { field, is, numberIn, optionsSchema } from '../core/options.js';

/**
 * Options of {@link scatterPlot}.
 * @category Pictures
 */
export interface ScatterPlotOptions {
  /** Title above the plot. Default: none. */
  title?: string;
  /** Width and height of the SVG in pixels (>= 100). Default 320. */
  size?: number;
  /** Axis range `[min, max]`, the same for x and y. Default: the data's range (with centres), padded by 10%. */
  extent?: readonly [number, number];
  /** Points drawn as rings under the samples (a mixture's true centres). Default: none. */
  centers?: readonly (readonly number[])[];
  /** Radius of the rings around the centres, in data units (the high-quality radius). Default: 3% of the range. */
  radius?: number;
  /** Fill colour of the points. Default `'#1f77b4'`. */
  color?: string;
  /** Radius of a point in pixels. Default 1.6. */
  pointSize?: number;
}

const SCATTER_PLOT = optionsSchema<ScatterPlotOptions>()('scatterPlot', {
  title: is.any<string>(),
  size: is.number({ min: 100, max: 4000 }).default(320),
  extent: is.any<readonly [number, number]>(),
  centers: is.any<readonly (readonly number[])[]>(),
  radius: is.any<number>(),
  color: field((v, p) => {
    if (typeof v !== 'string' || !/^#[0-9a-fA-F]{3,8}$|^[a-zA-Z]+$/.test(v)) throw new ConfigError(p, v, 'a colour such as "#1f77b4" or "red"');
    return v;
  }).default('#1f77b4'),
  pointSize: is.number({ min: 0, max: 100, minOpen: true }).default(1.6),
});

const fmt = (v: number) => String(Math.round(v * 100) / 100);

/**
 * Draws `points` (`[N, 2]`) as an SVG scatter plot, optionally over circles at `centers`.
 *
 * @param points - the points; never disposed.
 * @returns the SVG document as text (inline it in a report, or write it to a `.svg` file).
 * @example
 * ```ts
 * const samples = gan.sample(1000);
 * fs.writeFileSync('samples.svg', scatterPlot(samples, { centers: ring.centers, title: 'GAN samples' }));
 * samples.dispose();
 * ```
 * @category Pictures
 */
export function scatterPlot(points: DataInput, options: ScatterPlotOptions = {}): string {
  const o = SCATTER_PLOT.check(options);
  const { size, pointSize, color } = o;
  const owned = toExamples(points, 'points', [2]);
  let xy: Float32Array | Int32Array | Uint8Array;
  try {
    xy = (owned.tensor as tf.Tensor).dataSync() as Float32Array;
  } finally {
    release(owned);
  }
  const centers = options.centers ?? [];
  centers.forEach((c, i) => {
    if (!Array.isArray(c) || c.length !== 2 || !c.every(Number.isFinite)) throw new ConfigError(`scatterPlot.centers[${i}]`, c, 'a point [x, y]');
  });
  let lo: number;
  let hi: number;
  if (options.extent) {
    const [a, b] = options.extent;
    if (!Number.isFinite(a) || !Number.isFinite(b) || !(a < b)) throw new ConfigError('scatterPlot.extent', options.extent, '[min, max] with min < max');
    [lo, hi] = [a, b];
  } else {
    const all = [...xy, ...centers.flat()];
    lo = Math.min(...all);
    hi = Math.max(...all);
    if (!(hi > lo)) [lo, hi] = [lo - 1, hi + 1];
    const pad = 0.1 * (hi - lo);
    [lo, hi] = [lo - pad, hi + pad];
  }
  const radius = options.radius === undefined ? 0.03 * (hi - lo) : numberIn('scatterPlot.radius', options.radius, 0, Infinity, { minOpen: true, maxOpen: true });
  const top = options.title ? 24 : 4;
  const plot = size - 8;
  const sx = (v: number) => 4 + ((v - lo) / (hi - lo)) * plot;
  const sy = (v: number) => top + plot - ((v - lo) / (hi - lo)) * plot;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size + top - 4}" viewBox="0 0 ${size} ${size + top - 4}" font-family="Helvetica, Arial, sans-serif" font-size="12">`,
    `<rect x="4" y="${top}" width="${plot}" height="${plot}" fill="#fff" stroke="#ccc"/>`,
  ];
  if (options.title) out.push(`<text x="${size / 2}" y="16" text-anchor="middle">${escapeMarkup(options.title)}</text>`);
  if (lo < 0 && hi > 0) {
    out.push(`<line x1="${fmt(sx(0))}" y1="${top}" x2="${fmt(sx(0))}" y2="${top + plot}" stroke="#eee"/>`);
    out.push(`<line x1="4" y1="${fmt(sy(0))}" x2="${4 + plot}" y2="${fmt(sy(0))}" stroke="#eee"/>`);
  }
  out.push(`<g fill="${color}" fill-opacity="0.5">`);
  for (let i = 0; i + 1 < xy.length; i += 2) {
    const px = sx(xy[i]!);
    const py = sy(xy[i + 1]!);
    if (px < 4 || px > 4 + plot || py < top || py > top + plot) continue;
    out.push(`<circle cx="${fmt(px)}" cy="${fmt(py)}" r="${pointSize}"/>`);
  }
  out.push('</g>');
  // The centres' rings go over the points, so that a crowded mode does not hide its ring.
  const rPix = (radius / (hi - lo)) * plot;
  for (const [cx, cy] of centers) out.push(`<circle cx="${fmt(sx(cx!))}" cy="${fmt(sy(cy!))}" r="${fmt(Math.max(rPix, 1.5))}" fill="none" stroke="#d62728" stroke-width="1"/>`);
  out.push(`<text x="6" y="${top + plot - 4}" fill="#888" font-size="10">[${fmt(lo)}, ${fmt(hi)}]²</text>`, '</svg>');
  return out.join('\n');
}
