/**
 * A one-page HTML report of a run: headed sections of text, pictures (PNG files beside the page), inline
 * SVG charts and tables of metrics. Node only: it writes `index.html`.
 *
 * @example
 * ```ts
 * import { saveImageGrid, lossCurve, writeReport } from 'latentkit';
 *
 * await saveImageGrid('out/run/recon.png', recon, { shape: [28, 28], cols: 8 });
 * const page = await writeReport('out/run', {
 *   title: 'Dense AE on MNIST',
 *   sections: [
 *     { heading: 'Reconstructions', images: [{ file: 'recon.png', caption: 'test digits, reconstructed' }] },
 *     { heading: 'Training', svg: lossCurve(history), table: { 'final loss': 0.0123 } },
 *   ],
 * });
 * ```
 * @module
 */
import { ConfigError, InputError } from '../core/errors.js';
import { is, optionsSchema } from '../core/options.js';
import { escapeMarkup } from './escape.js';
import { nodeFileSystem, writeOut } from './nodeFs.js';

/**
 * A picture in a {@link ReportSection}.
 * @category Pictures
 */
export interface ReportImage {
  /** The image file, relative to the report's directory (or absolute; it is linked relatively). It must exist. */
  file: string;
  /** Text shown under the picture, and its alt text. */
  caption: string;
}

/**
 * One section of a {@link writeReport} page, drawn in this order: heading, text, images, svg, table.
 * @category Pictures
 */
export interface ReportSection {
  /** The section's heading. */
  heading: string;
  /** Plain text (escaped); blank lines separate paragraphs. */
  text?: string;
  /** Pictures, shown side by side with captions. */
  images?: readonly ReportImage[];
  /** An SVG document (such as {@link lossCurve}'s), inlined as is: it is markup, so pass only SVG you made. */
  svg?: string;
  /** Name -> value rows (metrics, settings). Numbers are shown with 4 significant digits, integers in full. */
  table?: Readonly<Record<string, string | number>>;
}

/**
 * Content of {@link writeReport}.
 * @category Pictures
 */
export interface ReportContent {
  /** Page title and top heading. */
  title: string;
  /** The sections, in order. */
  sections: readonly ReportSection[];
}

/** A table value as text: integers in full, other numbers with 4 significant digits. */
const REPORT = optionsSchema<ReportContent>()('writeReport', { title: is.any<string>(), sections: is.any<readonly ReportSection[]>() }, { expected: 'an object { title, sections }' });
const SECTION = optionsSchema<ReportSection>()('section', { heading: is.any<string>(), text: is.any<string>(), images: is.any<readonly ReportImage[]>(), svg: is.any<string>(), table: is.any<Record<string, string | number>>() }, { expected: 'an object with a heading' });
const IMAGE = optionsSchema<ReportImage>()('image', { file: is.any<string>(), caption: is.any<string>() }, { expected: 'an object { file, caption }' });

function formatValue(v: string | number): string {
  if (typeof v === 'string') return v;
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e6) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function checkString(parameter: string, value: unknown, optional = false): string | undefined {
  if (value === undefined && optional) return undefined;
  if (typeof value !== 'string') throw new ConfigError(parameter, value, 'a string');
  return value;
}

const STYLE = `
body { font-family: Helvetica, Arial, sans-serif; max-width: 980px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
figure { display: inline-block; margin: 0 1.5em 1em 0; vertical-align: top; }
figure img { image-rendering: pixelated; border: 1px solid #ccc; }
figcaption { font-size: 0.9em; color: #555; max-width: 480px; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }
td.value { text-align: right; font-variant-numeric: tabular-nums; }
.svg { margin: 0.5em 0; }
`;

/**
 * Node only: writes `index.html` into `dir` (created if missing), a self-contained page apart from the
 * image files it links to. All text is HTML-escaped; image links are relative to `dir`, so the folder can
 * be moved or served as is; SVG is inlined.
 *
 * @param dir - the report's directory; image paths are resolved against it.
 * @param content - `title` and `sections` (see {@link ReportSection}).
 * @returns the path of the written `index.html`.
 * @throws ConfigError for a missing title, heading or caption, or SVG text that is not an `<svg>` element;
 *   InputError when an image file does not exist; a LatentkitError outside Node.
 * @example
 * ```ts
 * const page = await writeReport('out/demo', {
 *   title: 'Denoising AE',
 *   sections: [{ heading: 'Results', images: [{ file: 'denoised.png', caption: 'denoised test digits' }],
 *                table: { 'test MSE': 0.012, backend: 'wasm' } }],
 * });
 * console.log(`report: ${page}`);
 * ```
 * @category Pictures
 */
export async function writeReport(dir: string, content: ReportContent): Promise<string> {
  if (typeof dir !== 'string' || dir.length === 0) throw new ConfigError('writeReport.dir', dir, 'a non-empty directory path');
  REPORT.check(content, 'writeReport');
  const title = checkString('writeReport.title', content.title)!;
  if (!Array.isArray(content.sections)) throw new ConfigError('writeReport.sections', content.sections, 'an array of sections');
  const node = await nodeFileSystem('writeReport');
  const { fs, path } = node;

  const html: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeMarkup(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeMarkup(title)}</h1>`,
  ];
  for (const [i, section] of (content.sections as readonly ReportSection[]).entries()) {
    const at = `writeReport.sections[${i}]`;
    SECTION.check(section, at);
    html.push('<section>', `<h2>${escapeMarkup(checkString(`${at}.heading`, section.heading)!)}</h2>`);

    const text = checkString(`${at}.text`, section.text, true);
    if (text !== undefined) {
      for (const para of text.split(/\n\s*\n/)) if (para.trim()) html.push(`<p>${escapeMarkup(para.trim())}</p>`);
    }

    if (section.images !== undefined) {
      if (!Array.isArray(section.images)) throw new ConfigError(`${at}.images`, section.images, 'an array of { file, caption }');
      for (const [j, image] of (section.images as readonly ReportImage[]).entries()) {
        IMAGE.check(image, `${at}.images[${j}]`);
        const file = checkString(`${at}.images[${j}].file`, image?.file)!;
        const caption = checkString(`${at}.images[${j}].caption`, image?.caption)!;
        const absolute = path.resolve(dir, file);
        try {
          await fs.access(absolute);
        } catch {
          throw new InputError(`${at}.images[${j}].file`, file, `an existing file (looked for ${absolute})`);
        }
        const href = path.relative(path.resolve(dir), absolute).split(path.sep).map(encodeURIComponent).join('/');
        html.push(
          '<figure>',
          `<img src="${escapeMarkup(href)}" alt="${escapeMarkup(caption)}">`,
          `<figcaption>${escapeMarkup(caption)}</figcaption>`,
          '</figure>',
        );
      }
    }

    const svg = checkString(`${at}.svg`, section.svg, true);
    if (svg !== undefined) {
      // An XML prologue is legal in a .svg file but not inside HTML.
      const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').trim();
      if (!/^<svg[\s>]/.test(body) || !/<\/svg>$/.test(body)) {
        throw new ConfigError(`${at}.svg`, svg.length > 40 ? `${svg.slice(0, 37)}...` : svg, 'an SVG document: <svg ...>...</svg>');
      }
      html.push(`<div class="svg">${body}</div>`);
    }

    if (section.table !== undefined) {
      if (typeof section.table !== 'object' || section.table === null || Array.isArray(section.table)) {
        throw new ConfigError(`${at}.table`, section.table, 'an object of name -> string or number');
      }
      html.push('<table>', '<tr><th>name</th><th>value</th></tr>');
      for (const [name, value] of Object.entries(section.table)) {
        if (typeof value !== 'string' && typeof value !== 'number') {
          throw new ConfigError(`${at}.table[${JSON.stringify(name)}]`, value, 'a string or a number');
        }
        const cls = typeof value === 'number' ? ' class="value"' : '';
        html.push(`<tr><td>${escapeMarkup(name)}</td><td${cls}>${escapeMarkup(formatValue(value))}</td></tr>`);
      }
      html.push('</table>');
    }
    html.push('</section>');
  }
  html.push('</body>', '</html>', '');

  const file = path.join(dir, 'index.html');
  await writeOut(node, 'writeReport.dir', file, html.join('\n'));
  return file;
}
