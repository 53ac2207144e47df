/**
 * Loss curves as standalone SVG text: every series of a training history against the epoch, with axes,
 * ticks and a legend. No DOM and no file system, so it works the same in Node and in a browser.
 *
 * @example
 * ```ts
 * import { lossCurve } from 'latentkit';
 *
 * const history = await ae.fit(x, { epochs: 20, validationSplit: 0.1 });
 * const svg = lossCurve(history, { title: 'dense AE on MNIST', logScale: true });
 * ```
 * @module
 */
import { ConfigError, InputError } from '../core/errors.js';
import { field, is, optionsSchema } from '../core/options.js';
import { escapeMarkup } from './escape.js';

/**
 * What {@link lossCurve} draws: per-epoch series by name, such as the `History` that `fit` returns.
 * `epoch` (0-based epoch indices, optional) places the points; every other numeric array is a series.
 * @category Pictures
 */
export type LossHistory = Readonly<Record<string, readonly number[] | undefined>>;

/**
 * Options of {@link lossCurve}.
 * @category Pictures
 */
export interface LossCurveOptions {
  /** Title above the plot. Default: none. */
  title?: string;
  /** Logarithmic y axis (every plotted value must then be > 0). Default false. */
  logScale?: boolean;
  /** Width of the SVG in pixels (>= 200). Default 640. */
  width?: number;
  /** Height of the SVG in pixels (>= 150). Default 360. */
  height?: number;
  /** Names of the series to draw, in legend order. Default: every numeric series but `epoch`, in the history's order. */
  series?: readonly string[];
  /** Label of the x axis. Default `'epoch'`. */
  xLabel?: string;
  /** Label of the y axis. Default `'loss'` (`'loss (log scale)'` with `logScale`). */
  yLabel?: string;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/** 1, 2 or 5 times a power of ten, the smallest such step >= `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

/** Round numbers covering [min, max], about `count` of them, and the domain they span. */
function linearTicks(min: number, max: number, count: number): { ticks: number[]; lo: number; hi: number } {
  const step = niceStep((max - min) / count);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let k = 0; lo + k * step <= hi + step * 1e-9; k++) ticks.push(Number((lo + k * step).toPrecision(12)));
  return { ticks, lo, hi };
}

/** Ticks for a log axis over [10^lo, 10^hi]: powers of ten, else 1-2-5 mantissas, else every mantissa, else round linear values. */
function logTicks(lo: number, hi: number): number[] {
  const within = (v: number) => Math.log10(v) >= lo - 1e-9 && Math.log10(v) <= hi + 1e-9;
  for (const mantissas of [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    const ticks: number[] = [];
    for (let p = Math.floor(lo); p <= Math.ceil(hi); p++) {
      for (const m of mantissas) {
        const v = Number((m * 10 ** p).toPrecision(12));
        if (within(v)) ticks.push(v);
      }
    }
    if (ticks.length >= 3 && ticks.length <= 12) return ticks;
  }
  return linearTicks(10 ** lo, 10 ** hi, 4).ticks.filter((v) => v > 0 && within(v));
}

/** A tick label: short, without floating-point noise. */
function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a < 1e-3 || a >= 1e6) return v.toExponential(2).replace(/\.?0+e/, 'e').replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

function checkText(parameter: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ConfigError(parameter, value, 'a string');
  return value;
}

function collectSeries(history: unknown, requested: unknown, logScale: boolean): Series[] {
  if (typeof history !== 'object' || history === null || Array.isArray(history)) {
    throw new InputError('history', history, "a history object such as { epoch: [0, 1], loss: [0.1, 0.05] }, as fit returns");
  }
  const h = history as Record<string, unknown>;
  let names: string[];
  if (requested !== undefined) {
    if (!Array.isArray(requested) || requested.length === 0 || requested.some((s) => typeof s !== 'string')) {
      throw new ConfigError('lossCurve.series', requested, 'a non-empty array of series names');
    }
    names = requested as string[];
  } else {
    names = Object.keys(h).filter((k) => k !== 'epoch' && Array.isArray(h[k]) && (h[k] as unknown[]).length > 0);
    if (names.length === 0) throw new InputError('history', history, 'at least one non-empty numeric series besides epoch (loss, valLoss, ...)');
  }
  const epochs = Array.isArray(h['epoch']) ? (h['epoch'] as unknown[]) : [];
  const xAt = (i: number) => (typeof epochs[i] === 'number' && Number.isFinite(epochs[i]) ? (epochs[i] as number) + 1 : i + 1);
  return names.map((name) => {
    const values = h[name];
    if (!Array.isArray(values) || values.length === 0) {
      const available = Object.keys(h).filter((k) => k !== 'epoch' && Array.isArray(h[k]));
      throw new ConfigError('lossCurve.series', name, `the name of a non-empty series of the history (available: ${available.join(', ') || 'none'})`);
    }
    return {
      name,
      points: values.map((v: unknown, i) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`history.${name}[${i}]`, v, 'a finite number');
        if (logScale && v <= 0) throw new InputError(`history.${name}[${i}]`, v, 'a value > 0 with logScale: true (use a linear scale for values <= 0)');
        return { x: xAt(i), y: v };
      }),
    };
  });
}

const pixels = (min: number) => is.intAtLeast(min, `at least ${min} pixels (room for the axes and legend)`);
const text = field((v, p) => checkText(p, v));

const LOSS_CURVE = optionsSchema<LossCurveOptions>()('lossCurve', {
  title: text,
  logScale: is.boolean().default(false),
  width: pixels(200).default(640),
  height: pixels(150).default(360),
  series: is.any<readonly string[]>(),
  xLabel: text,
  yLabel: text,
});

/**
 * Draws training curves as an SVG document: one polyline per series (`loss`, `valLoss`, ...) against the
 * 1-based epoch, with labelled axes, ticks, gridlines and a legend. Points get markers when there are
 * at most 40 of them.
 *
 * @param history - per-epoch series, such as the `History` returned by `fit`; `epoch` holds the 0-based
 *   epoch indices (drawn as epoch + 1), and is optional (then point i is epoch i + 1).
 * @param options - `title`, `logScale` (default false), `width` (640), `height` (360), `series`
 *   (default all), `xLabel`, `yLabel`.
 * @returns the SVG text (`<svg xmlns=...>...</svg>`), for a `.svg` file or inline HTML.
 * @throws InputError when the history has no series, a value is not finite, or a value is <= 0 with
 *   `logScale`; ConfigError for an unknown series name or a bad option.
 * @example
 * ```ts
 * const svg = lossCurve({ epoch: [0, 1, 2], loss: [0.09, 0.05, 0.04], valLoss: [0.08, 0.05, 0.045] }, { title: 'AE' });
 * await fs.writeFile('loss.svg', svg);
 * ```
 * @category Pictures
 */
export function lossCurve(history: LossHistory, options: LossCurveOptions = {}): string {
  const o = LOSS_CURVE.check(options);
  const { logScale, width, height, title } = o;
  const xLabel = o.xLabel ?? 'epoch';
  const yLabel = o.yLabel ?? (logScale ? 'loss (log scale)' : 'loss');
  const series = collectSeries(history, o.series, logScale);

  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => (logScale ? Math.log10(p.y) : p.y)));
  let xMin = Math.min(...xs);
  let xMax = Math.max(...xs);
  if (xMin === xMax) [xMin, xMax] = [xMin - 0.5, xMax + 0.5];
  let yMin = Math.min(...ys);
  let yMax = Math.max(...ys);
  if (yMin === yMax) {
    const pad = logScale ? 0.5 : Math.abs(yMin) * 0.1 || 1;
    [yMin, yMax] = [yMin - pad, yMax + pad];
  }

  let yTicks: number[];
  let yLo: number;
  let yHi: number;
  if (logScale) {
    const pad = (yMax - yMin) * 0.05;
    [yLo, yHi] = [yMin - pad, yMax + pad];
    yTicks = logTicks(yLo, yHi);
  } else {
    ({ ticks: yTicks, lo: yLo, hi: yHi } = linearTicks(yMin, yMax, 5));
  }
  const xStep = Math.max(1, niceStep((xMax - xMin) / 8));
  const xTicks: number[] = [];
  for (let v = Math.ceil(xMin / xStep) * xStep; v <= xMax + 1e-9; v += xStep) xTicks.push(v);

  const left = 72;
  const right = 16;
  const top = title ? 40 : 16;
  const bottom = 48;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const px = (x: number) => left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number) => top + plotH - (((logScale ? Math.log10(y) : y) - yLo) / (yHi - yLo)) * plotH;
  const f = (v: number) => String(Math.round(v * 100) / 100);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeMarkup(title ?? `${series.map((s) => s.name).join(', ')} by ${xLabel}`)}</title>`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  if (title) out.push(`<text class="title" x="${f(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${escapeMarkup(title)}</text>`);

  out.push('<g class="grid" stroke="#e5e5e5" stroke-width="1">');
  for (const t of yTicks) out.push(`<line x1="${left}" x2="${left + plotW}" y1="${f(py(t))}" y2="${f(py(t))}"/>`);
  out.push('</g>');

  out.push('<g class="axis x-axis" stroke="#333333">');
  out.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}"/>`);
  for (const t of xTicks) {
    out.push(`<line x1="${f(px(t))}" x2="${f(px(t))}" y1="${top + plotH}" y2="${top + plotH + 5}"/>`);
    out.push(`<text x="${f(px(t))}" y="${top + plotH + 18}" text-anchor="middle" stroke="none" fill="#333333">${tickLabel(t)}</text>`);
  }
  out.push('</g>');
  out.push('<g class="axis y-axis" stroke="#333333">');
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}"/>`);
  for (const t of yTicks) {
    out.push(`<line x1="${left - 5}" x2="${left}" y1="${f(py(t))}" y2="${f(py(t))}"/>`);
    out.push(`<text x="${left - 8}" y="${f(py(t) + 4)}" text-anchor="end" stroke="none" fill="#333333">${tickLabel(t)}</text>`);
  }
  out.push('</g>');
  out.push(`<text class="axis-label x-label" x="${f(left + plotW / 2)}" y="${height - 10}" text-anchor="middle">${escapeMarkup(xLabel)}</text>`);
  out.push(
    `<text class="axis-label y-label" x="0" y="0" transform="translate(16 ${f(top + plotH / 2)}) rotate(-90)" text-anchor="middle">${escapeMarkup(yLabel)}</text>`,
  );

  series.forEach((s, i) => {
    const color = PALETTE[i % PALETTE.length]!;
    const points = s.points.map((p) => `${f(px(p.x))},${f(py(p.y))}`).join(' ');
    out.push(`<g class="series" data-series="${escapeMarkup(s.name)}">`);
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" points="${points}"/>`);
    if (s.points.length <= 40) {
      for (const p of s.points) out.push(`<circle cx="${f(px(p.x))}" cy="${f(py(p.y))}" r="3" fill="${color}"/>`);
    }
    out.push('</g>');
  });

  const longest = Math.max(...series.map((s) => s.name.length));
  const legendW = 36 + longest * 7;
  const legendX = left + plotW - legendW - 8;
  const legendY = top + 8;
  out.push(`<g class="legend">`);
  out.push(`<rect x="${legendX}" y="${legendY}" width="${legendW}" height="${series.length * 18 + 8}" fill="#ffffff" fill-opacity="0.85" stroke="#cccccc"/>`);
  series.forEach((s, i) => {
    const y = legendY + 16 + i * 18;
    const color = PALETTE[i % PALETTE.length]!;
    out.push(`<line x1="${legendX + 8}" x2="${legendX + 26}" y1="${y - 4}" y2="${y - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${legendX + 32}" y="${y}">${escapeMarkup(s.name)}</text>`);
  });
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}
