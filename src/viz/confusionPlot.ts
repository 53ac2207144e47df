/**
 * `confusionPlot`: a confusion matrix (true classes by row, predicted by column) as a standalone SVG
 * heat map, each cell shaded by its share of its row, with the counts written in.
 * @module
 */
import { ConfigError } from '../core/errors.js';
import { field, is, optionsSchema } from '../core/options.js';
import { escapeMarkup } from './escape.js';

/**
 * Options of {@link confusionPlot}.
 * @category Pictures
 */
export interface ConfusionPlotOptions {
  /** Title above the matrix. Default: none. */
  title?: string;
  /** A name per class (row and column labels). Default: the class ids. */
  classNames?: readonly string[];
  /** Side of a cell in pixels (>= 12). Default 32. */
  cellSize?: number;
}

const CONFUSION_PLOT = optionsSchema<ConfusionPlotOptions>()('confusionPlot', {
  title: field((v, p) => {
    if (typeof v !== 'string') throw new ConfigError(p, v, 'a string');
    return v;
  }),
  classNames: is.any<readonly string[]>(),
  cellSize: is.number({ min: 12, max: 400 }).default(32),
});

/**
 * Draws a confusion matrix as an SVG heat map: row `i` is true class `i`, column `j` predicted class `j`;
 * a cell's shade is its count over its row's total (the recall of the class on the diagonal).
 *
 * @param confusion - square counts, `confusion[true][predicted]` (as {@link Classifier.evaluate} and the probes return).
 * @returns the SVG document as text.
 * @throws ConfigError when the matrix is not square with finite counts >= 0, or the names do not match it.
 * @example
 * ```ts
 * const { confusion } = clf.evaluate(xTest, yTest);
 * writeReport('out/run', { title: 'digits', sections: [{ heading: 'Confusion', svg: confusionPlot(confusion, { classNames: MNIST_CLASS_NAMES }) }] });
 * ```
 * @category Pictures
 */
export function confusionPlot(confusion: readonly (readonly number[])[], options: ConfusionPlotOptions = {}): string {
  const o = CONFUSION_PLOT.check(options);
  const k = Array.isArray(confusion) ? confusion.length : 0;
  const square = k > 0 && confusion.every((row) => Array.isArray(row) && row.length === k && row.every((v) => Number.isFinite(v) && v >= 0));
  if (!square) throw new ConfigError('confusion', confusion, 'a square matrix of counts >= 0, confusion[true][predicted]');
  const names = o.classNames ?? confusion.map((_, i) => String(i));
  if (!Array.isArray(names) || names.length !== k || !names.every((n) => typeof n === 'string')) {
    throw new ConfigError('confusionPlot.classNames', o.classNames, `${k} class names, one per row`);
  }
  const cell = o.cellSize;
  const label = Math.min(110, 8 + 7 * Math.max(...names.map((n) => n.length)));
  const top = (o.title ? 24 : 6) + 16;
  const [width, height] = [label + k * cell + 8, top + k * cell + 22];
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
  ];
  if (o.title) out.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="12">${escapeMarkup(o.title)}</text>`);
  out.push(`<text x="${label + (k * cell) / 2}" y="${top - 6}" text-anchor="middle" fill="#555">predicted</text>`);
  confusion.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0);
    const y = top + i * cell;
    out.push(`<text x="${label - 4}" y="${y + cell / 2 + 4}" text-anchor="end">${escapeMarkup(names[i]!)}</text>`);
    row.forEach((count, j) => {
      const share = total > 0 ? count / total : 0;
      const x = label + j * cell;
      const shade = Math.round(255 * (1 - share));
      const fill = i === j ? `rgb(${shade},${Math.round(255 - 0.45 * (255 - shade))},${shade})` : `rgb(255,${shade},${shade})`;
      out.push(`<rect x="${x}" y="${y}" width="${cell}" height="${cell}" fill="${fill}" stroke="#fff"><title>true ${escapeMarkup(names[i]!)}, predicted ${escapeMarkup(names[j]!)}: ${count}</title></rect>`);
      if (count > 0 && cell >= 20) out.push(`<text x="${x + cell / 2}" y="${y + cell / 2 + 4}" text-anchor="middle" fill="${share > 0.6 ? '#fff' : '#222'}" font-size="${cell >= 30 ? 10 : 8}">${count}</text>`);
    });
  });
  names.forEach((n, j) => {
    const x = label + j * cell + cell / 2;
    out.push(`<text x="${x}" y="${top + k * cell + 14}" text-anchor="middle" font-size="9">${escapeMarkup(n.length > 6 ? `${n.slice(0, 5)}.` : n)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}
