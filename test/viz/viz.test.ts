import * as tf from '@tensorflow/tfjs-core';
import { decode } from 'fast-png';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError, useBackend } from '../../src/index.js';
import type { History } from '../../src/advanced.js';
import { imageGrid, lossCurve, saveImageGrid, writeReport } from '../../src/index.js';

let dir: string;

beforeAll(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'latentkit-viz-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The byte at (x, y, channel) of a decoded PNG. */
function pixel(png: ReturnType<typeof decode>, x: number, y: number, c = 0): number {
  return png.data[(y * png.width + x) * png.channels + c]!;
}

describe('imageGrid', () => {
  it('lays out flattened grayscale digits with padding and scale', () => {
    const x = tf.zeros([32, 784]);
    const png = decode(imageGrid(x, { shape: [28, 28], rows: 4, cols: 8, scale: 2, padding: 1 }));
    expect(png.width).toBe(8 * 56 + 9);
    expect(png.height).toBe(4 * 56 + 5);
    expect(png.channels).toBe(1);
    expect(png.depth).toBe(8);
    x.dispose();
  });

  it('defaults to a near-square grid: cols = ceil(sqrt(N)), rows = ceil(N / cols)', () => {
    const x = tf.zeros([10, 3, 5]);
    const png = decode(imageGrid(x, { padding: 0 }));
    // 10 images: 4 columns, 3 rows.
    expect([png.width, png.height]).toEqual([4 * 5, 3 * 3]);
    const onlyRows = decode(imageGrid(x, { rows: 2, padding: 0 }));
    expect([onlyRows.width, onlyRows.height]).toEqual([5 * 5, 2 * 3]);
    const onlyCols = decode(imageGrid(x, { cols: 10, padding: 0 }));
    expect([onlyCols.width, onlyCols.height]).toEqual([10 * 5, 3]);
    x.dispose();
  });

  it('maps white to 255, black to 0, clips outside [0, 1], and fills padding with the background', () => {
    // Image 0 white, image 1 black, image 2 half gray with one pixel above 1 and one below 0.
    const values = new Float32Array(3 * 2 * 2);
    values.fill(1, 0, 4);
    values.fill(0.5, 8, 12);
    values[8] = 7;
    values[9] = -3;
    const x = tf.tensor4d(values, [3, 2, 2, 1]);
    const png = decode(imageGrid(x, { rows: 1, cols: 3, scale: 3, padding: 2, background: 0.2 }));
    expect([png.width, png.height]).toEqual([3 * 6 + 4 * 2, 6 + 2 * 2]);
    // Cell k starts at x = 2 + k * (6 + 2), y = 2.
    expect(pixel(png, 2, 2)).toBe(255);
    expect(pixel(png, 7, 7)).toBe(255);
    expect(pixel(png, 10, 2)).toBe(0);
    expect(pixel(png, 18, 2)).toBe(255); // 7, clipped
    expect(pixel(png, 20, 4)).toBe(255); // nearest-neighbour copy of the same source pixel
    expect(pixel(png, 21, 2)).toBe(0); // -3, clipped
    expect(pixel(png, 18, 5)).toBe(128); // 0.5
    expect(pixel(png, 0, 0)).toBe(51); // background 0.2
    expect(pixel(png, 8, 3)).toBe(51); // padding between cells 0 and 1
    x.dispose();
  });

  it('writes RGB grids with 3 channels, keeping each channel', () => {
    const red = tf.tidy(() => tf.concat([tf.ones([2, 4, 4, 1]), tf.zeros([2, 4, 4, 2])], 3));
    const png = decode(imageGrid(red, { padding: 1, background: 1 }));
    expect(png.channels).toBe(3);
    expect([png.width, png.height]).toEqual([2 * 4 + 3, 4 + 2]);
    expect([pixel(png, 1, 1, 0), pixel(png, 1, 1, 1), pixel(png, 1, 1, 2)]).toEqual([255, 0, 0]);
    expect([pixel(png, 0, 0, 0), pixel(png, 0, 0, 1), pixel(png, 0, 0, 2)]).toEqual([255, 255, 255]);
    const flatRgb = tf.reshape(red, [2, 48]);
    const again = decode(imageGrid(flatRgb, { shape: [4, 4, 3], padding: 1, background: 1 }));
    expect(Array.from(again.data)).toEqual(Array.from(png.data));
    tf.dispose([red, flatRgb]);
  });

  it('leaves empty cells as background', () => {
    const x = tf.ones([3, 1, 1]);
    const png = decode(imageGrid(x, { rows: 2, cols: 2, padding: 0, background: 0 }));
    expect(Array.from(png.data)).toEqual([255, 255, 255, 0]);
    x.dispose();
  });

  it('never disposes the caller tensor and leaks none', () => {
    const x = tf.randomUniform([5, 784]);
    const before = tf.memory().numTensors;
    imageGrid(x, { shape: [28, 28] });
    expect(() => imageGrid(x, { shape: [27, 27] })).toThrow(InputError);
    expect(tf.memory().numTensors).toBe(before);
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('reports bad input and options, naming the parameter and value', () => {
    const flat = tf.zeros([4, 784]);
    expect(() => imageGrid(flat)).toThrow(/images = tensor of shape \[4, 784\] \(float32\): expected .*shape: \[28, 28\]/);
    expect(() => imageGrid(flat, { shape: [28, 27] })).toThrow(/expected 756 values per image/);
    expect(() => imageGrid(flat, { shape: [28, 28, 2] })).toThrow(/imageGrid.shape\[2\] = 2: expected 1 \(grayscale\) or 3 \(RGB\)/);
    expect(() => imageGrid(flat, { shape: [28] })).toThrow(ConfigError);
    expect(() => imageGrid(flat, { shape: [28, 28], rows: 1, cols: 3 })).toThrow(/imageGrid.rows = 1: expected rows \* cols >= 4/);
    expect(() => imageGrid(flat, { shape: [28, 28], scale: 1.5 })).toThrow(/imageGrid.scale = 1.5: expected a positive integer/);
    expect(() => imageGrid(flat, { shape: [28, 28], padding: -1 })).toThrow(/imageGrid.padding = -1/);
    expect(() => imageGrid(flat, { shape: [28, 28], background: 2 })).toThrow(/imageGrid.background = 2: expected a finite number in \[0, 1\]/);
    const twoChannel = tf.zeros([1, 2, 2, 2]);
    expect(() => imageGrid(twoChannel)).toThrow(/C = 1 \(grayscale\) or 3 \(RGB\)/);
    const withNaN = tf.tensor3d([0, 0.5, NaN, 1, 0, 0, 0, Infinity], [2, 2, 2]);
    expect(() => imageGrid(withNaN)).toThrow(/images = .*expected finite values \(NaN in image 0, flat index 2\)/);
    expect(() => imageGrid([[0, 1]] as never)).toThrow(/images = .*expected a tf.Tensor/);
    const empty = tf.zeros([0, 2, 2]);
    expect(() => imageGrid(empty)).toThrow(/at least one image/);
    const gone = tf.zeros([1, 2, 2]);
    gone.dispose();
    expect(() => imageGrid(gone)).toThrow(/images = "a disposed tensor"/);
    tf.dispose([flat, twoChannel, withNaN, empty]);
  });

  it('saveImageGrid creates parent directories and writes the PNG', async () => {
    const x = tf.ones([2, 3, 3]);
    const file = join(dir, 'deep', 'er', 'grid.png');
    expect(await saveImageGrid(file, x, { padding: 0 })).toBe(file);
    const png = decode(await readFile(file));
    expect([png.width, png.height]).toEqual([6, 3]);
    await expect(saveImageGrid(join(dir, 'bad.png'), x, { scale: 0 })).rejects.toThrow(/imageGrid.scale = 0/);
    await expect(stat(join(dir, 'bad.png'))).rejects.toThrow();
    x.dispose();
  });
});

describe('lossCurve', () => {
  const history: History = { epoch: [0, 1, 2, 3], loss: [0.09, 0.05, 0.04, 0.035], valLoss: [0.08, 0.052, 0.045, 0.041] };

  it('draws one polyline per series, axis labels, ticks and a legend', () => {
    const svg = lossCurve(history, { title: 'dense <AE>' });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).toContain('data-series="loss"');
    expect(svg).toContain('data-series="valLoss"');
    expect(svg).toMatch(/class="axis-label x-label"[^>]*>epoch</);
    expect(svg).toMatch(/class="axis-label y-label"[^>]*>loss</);
    expect(svg).toContain('dense &lt;AE&gt;');
    expect(svg).not.toContain('<AE>');
    // x ticks at the 1-based epochs, and the legend names both series.
    for (const e of ['1', '2', '3', '4']) expect(svg).toMatch(new RegExp(`text-anchor="middle" stroke="none" fill="#333333">${e}<`));
    expect(svg).toMatch(/class="legend"[\s\S]*>loss<[\s\S]*>valLoss</);
    // Each polyline has as many points as epochs.
    const points = [...svg.matchAll(/points="([^"]+)"/g)].map((m) => m[1]!.split(' ').length);
    expect(points).toEqual([4, 4]);
  });

  it('places the first epoch at the left edge and the last at the right', () => {
    const svg = lossCurve({ epoch: [0, 1], loss: [2, 1] }, { width: 400, height: 200 });
    const pts = svg.match(/points="([^"]+)"/)![1]!.split(' ').map((p) => p.split(',').map(Number));
    expect(pts[0]![0]).toBe(72);
    expect(pts[1]![0]).toBe(400 - 16);
    expect(pts[0]![1]).toBeLessThan(pts[1]![1]!); // the higher loss is drawn higher up (smaller y)
  });

  it('selects series, draws a single epoch, and uses log ticks', () => {
    const svg = lossCurve(history, { series: ['valLoss'] });
    expect(svg.match(/<polyline /g)).toHaveLength(1);
    expect(lossCurve({ epoch: [0], loss: [0.2] }).match(/<polyline /g)).toHaveLength(1);
    const log = lossCurve({ loss: [1, 0.1, 0.01, 0.001] }, { logScale: true });
    expect(log).toMatch(/>loss \(log scale\)</);
    for (const t of ['1', '0.1', '0.01', '0.001']) expect(log).toContain(`fill="#333333">${t}</text>`);
  });

  it('rejects values <= 0 with logScale, non-finite values, unknown series and bad options', () => {
    expect(() => lossCurve({ loss: [0.1, 0] }, { logScale: true })).toThrow(InputError);
    expect(() => lossCurve({ loss: [0.1, 0] }, { logScale: true })).toThrow(/history.loss\[1\] = 0: expected a value > 0 with logScale: true/);
    expect(() => lossCurve({ loss: [0.1, -2] })).not.toThrow();
    expect(() => lossCurve({ loss: [0.1, NaN] })).toThrow(/history.loss\[1\] = NaN: expected a finite number/);
    expect(() => lossCurve(history, { series: ['vallLoss'] })).toThrow(/lossCurve.series = "vallLoss": .*available: loss, valLoss/);
    expect(() => lossCurve({ epoch: [] })).toThrow(/history = .*at least one non-empty numeric series/);
    expect(() => lossCurve(history, { width: 50 })).toThrow(/lossCurve.width = 50/);
    expect(() => lossCurve(history, { height: 10.5 })).toThrow(/lossCurve.height = 10.5: expected a positive integer/);
  });
});

describe('writeReport', () => {
  it('writes index.html with escaped text, relative image links, inline SVG and a metrics table', async () => {
    const reportDir = join(dir, 'report');
    const x = tf.ones([1, 2, 2]);
    await saveImageGrid(join(reportDir, 'clean.png'), x);
    await saveImageGrid(join(reportDir, 'img', 'my digits.png'), x);
    x.dispose();
    const svg = lossCurve({ loss: [0.3, 0.2] });
    const file = await writeReport(reportDir, {
      title: 'A <b>bold</b> & "quoted" title',
      sections: [
        { heading: 'Pictures', text: 'x < y\n\nsecond paragraph', images: [
          { file: 'clean.png', caption: 'clean <digits>' },
          { file: join(reportDir, 'img', 'my digits.png'), caption: 'absolute path' },
        ] },
        { heading: 'Training', svg: `<?xml version="1.0"?>\n${svg}`, table: { 'train loss': 0.0123456, epochs: 15, backend: 'wasm', '<key>': 'v' } },
      ],
    });
    expect(file).toBe(join(reportDir, 'index.html'));
    const html = await readFile(file, 'utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<title>A &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title</title>');
    expect(html).not.toContain('<b>');
    expect(html).toContain('<p>x &lt; y</p>');
    expect(html).toContain('<p>second paragraph</p>');
    expect(html).toContain('src="clean.png"');
    expect(html).toContain('src="img/my%20digits.png"');
    expect(html).toContain('<figcaption>clean &lt;digits&gt;</figcaption>');
    expect(html).toContain('<svg xmlns');
    expect(html).not.toContain('<?xml');
    expect(html).toContain('<td>train loss</td><td class="value">0.01235</td>');
    expect(html).toContain('<td>epochs</td><td class="value">15</td>');
    expect(html).toContain('<td>&lt;key&gt;</td>');
  });

  it('rejects missing images, non-SVG text and missing headings', async () => {
    await expect(writeReport(join(dir, 'r2'), { title: 't', sections: [{ heading: 'h', images: [{ file: 'nope.png', caption: 'c' }] }] })).rejects.toThrow(
      /writeReport.sections\[0\].images\[0\].file = "nope.png": expected an existing file/,
    );
    await expect(writeReport(join(dir, 'r2'), { title: 't', sections: [{ heading: 'h', svg: '<script>alert(1)</script>' }] })).rejects.toThrow(
      /writeReport.sections\[0\].svg = .*expected an SVG document/,
    );
    await expect(writeReport(join(dir, 'r2'), { title: 't', sections: [{} as never] })).rejects.toThrow(/writeReport.sections\[0\].heading = undefined/);
    await expect(writeReport(join(dir, 'r2'), { title: 't', sections: [{ heading: 'h', table: { a: null as never } }] })).rejects.toThrow(
      /writeReport.sections\[0\].table\["a"\] = null/,
    );
    await expect(writeFile(join(dir, 'r2', 'x'), '')).rejects.toThrow(); // nothing was written
  });
});
