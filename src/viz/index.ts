/**
 * Pictures of what a model does: image grids as PNG, training curves as SVG, and an HTML page that
 * gathers them. `imageGrid` and `lossCurve` return bytes and text and run anywhere; `saveImageGrid` and
 * `writeReport` write files and need Node (they load `node:fs` only when called).
 *
 * @example
 * ```ts
 * import { saveImageGrid, lossCurve, writeReport } from 'latentkit';
 *
 * await saveImageGrid('out/run/recon.png', ae.reconstruct(testDigits), { shape: [28, 28], cols: 8, scale: 2 });
 * await writeReport('out/run', {
 *   title: 'Dense AE',
 *   sections: [{ heading: 'Reconstructions', images: [{ file: 'recon.png', caption: 'test digits' }], svg: lossCurve(history) }],
 * });
 * ```
 * @module
 */
export { imageGrid, saveImageGrid } from './imageGrid.js';
export type { ImageGridOptions } from './imageGrid.js';
export { lossCurve } from './lossCurve.js';
export type { LossCurveOptions, LossHistory } from './lossCurve.js';
export { writeReport } from './report.js';
export type { ReportContent, ReportSection, ReportImage } from './report.js';
