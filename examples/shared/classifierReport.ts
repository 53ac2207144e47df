/**
 * Pieces the classifier examples share: images with their predicted and true classes as pictures for a
 * report, the loss and accuracy curves of a classifier's history, mean and spread, and a table printed
 * to the terminal.
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { lossCurve, saveImageGrid, type Classifier, type ClassifierHistory, type ReportImage } from '../../src/index.js';

/**
 * Saves each of `images` (`[n, 28, 28, 1]`) as its own PNG (`<prefix>-<i>.png`, scaled x4) and returns
 * report pictures captioned with the classifier's most probable class, its probability, and the truth.
 */
export async function predictionPictures(
  out: string,
  prefix: string,
  clf: Classifier,
  images: tf.Tensor,
  truth: ArrayLike<number>,
  classNames: readonly string[],
  firstIndex: number,
): Promise<ReportImage[]> {
  const probabilities = clf.predict(images);
  const p = probabilities.arraySync();
  probabilities.dispose();
  const pictures: ReportImage[] = [];
  for (let i = 0; i < p.length; i++) {
    const row = p[i]!;
    const best = row.indexOf(Math.max(...row));
    const file = `${prefix}-${firstIndex + i}.png`;
    const one = tf.slice(images, i, 1);
    await saveImageGrid(join(out, file), one, { scale: 4, padding: 0 });
    one.dispose();
    const mark = best === truth[i] ? 'right' : 'WRONG';
    pictures.push({ file, caption: `item ${firstIndex + i}: ${classNames[best]} (${(100 * row[best]!).toFixed(0)}%), true ${classNames[truth[i]!]} - ${mark}` });
  }
  return pictures;
}

/** The loss and the accuracy curves of a history, as two SVGs. */
export function historyCurves(history: ClassifierHistory, title: string): { loss: string; accuracy: string } {
  const { epoch, loss, accuracy, valLoss, valAccuracy } = history;
  return {
    loss: lossCurve({ epoch, loss, ...(valLoss ? { valLoss } : {}) }, { title: `${title}: loss`, yLabel: 'cross-entropy (nats)' }),
    accuracy: lossCurve({ epoch, accuracy, ...(valAccuracy ? { valAccuracy } : {}) }, { title: `${title}: accuracy`, yLabel: 'accuracy' }),
  };
}

/** Mean and (sample) standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = values.length > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1)) : 0;
  return { mean, sd };
}

/** `0.9712` -> `97.1%`. */
export const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Prints rows as an aligned text table. */
export function printTable(header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
}

/**
 * A horizontal bar chart of accuracies as an SVG: one group per heading (a data set, say), one bar per
 * named value in [0, 1], with a dashed line at `chance` when given.
 */
export function accuracyBars(groups: readonly { heading: string; bars: Record<string, number>; chance?: number }[], title: string): string {
  const label = 300;
  const scale = 360;
  const rowHeight = 20;
  const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
  const parts: string[] = [];
  let y = 34;
  for (const g of groups) {
    parts.push(`<text x="4" y="${y + 12}" font-weight="bold">${escape(g.heading)}</text>`);
    y += rowHeight;
    const top = y;
    Object.entries(g.bars).forEach(([name, v], i) => {
      const w = Math.max(0, Math.min(1, v)) * scale;
      parts.push(`<text x="${label - 6}" y="${y + 13}" text-anchor="end">${escape(name)}</text>`);
      parts.push(`<rect x="${label}" y="${y + 2}" width="${w.toFixed(1)}" height="${rowHeight - 5}" fill="${colors[i % colors.length]}"/>`);
      parts.push(`<text x="${label + w + 4}" y="${y + 13}">${(100 * v).toFixed(1)}%</text>`);
      y += rowHeight;
    });
    if (g.chance !== undefined) {
      const x = label + g.chance * scale;
      parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${y}" stroke="#555" stroke-dasharray="3,3"/><text x="${x + 2}" y="${y + 10}" font-size="9" fill="#555">chance</text>`);
    }
    y += 16;
  }
  const width = label + scale + 60;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" viewBox="0 0 ${width} ${y}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="12">${escape(title)}</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
}
