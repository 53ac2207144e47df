/**
 * Loading a numeric table from CSV text or a CSV file into a feature tensor and optional labels,
 * parsed with `csv-parse` (quoted fields, embedded delimiters and newlines, a byte-order mark are all
 * handled). Text works in Node and in the browser; file paths in Node only. `csv-parse` itself is imported
 * on first use.
 *
 * @example
 * ```ts
 * const { features, labels, labelNames } = await loadCsv('data/iris.csv', { labelColumn: 'species' });
 * features.shape; // [150, 4]
 * labelNames;     // ['setosa', 'versicolor', 'virginica']
 * ```
 * @module
 */
import * as tf from '@tensorflow/tfjs-core';
import { ConfigError, InputError } from '../core/errors.js';
import { field, is, optionsSchema } from '../core/options.js';
import { dataFiles } from './packages.js';
import { isNode } from '../core/environment.js';

/**
 * Options of {@link loadCsv}.
 * @category Data
 */
export interface LoadCsvOptions {
  /**
   * The column holding labels: its header name, or its 0-based index. Default: none, every column is a
   * feature.
   */
  labelColumn?: string | number;
  /** Whether the first record is a header of column names. Default true. */
  header?: boolean;
  /** Field delimiter. Default `','`. */
  delimiter?: string;
}

/**
 * A table loaded by {@link loadCsv}. The caller owns the tensors.
 * @category Data
 */
export interface CsvDataset {
  /** Every column except the label column, as float32, `[rows, columns.length]`. */
  features: tf.Tensor2D;
  /**
   * The label column, `[rows]`: the numbers themselves when every label is numeric (int32 when all are
   * integers, else float32), else int32 ids into {@link CsvDataset.labelNames}.
   */
  labels?: tf.Tensor1D;
  /** Names of the feature columns, in the order of `features`' second axis (`column0`, ... without header). */
  columns: string[];
  /** For text labels: the distinct labels sorted, index = id in `labels`. */
  labelNames?: string[];
}

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(cell: string): number | undefined {
  return NUMBER.test(cell) ? Number(cell) : undefined;
}

async function readText(textOrPath: string): Promise<string> {
  if (textOrPath.includes('\n')) return textOrPath;
  const { fs } = await dataFiles('loadCsv (with a file path)');
  try {
    return await fs.readFile(textOrPath, 'utf8');
  } catch (cause) {
    throw new InputError(
      'loadCsv.textOrPath',
      textOrPath,
      `CSV text (containing a newline) or the path of a readable file (${(cause as Error).message})`,
    );
  }
}

const LOAD_CSV = optionsSchema<LoadCsvOptions>()('loadCsv', {
  labelColumn: is.any<string | number>(),
  header: is.boolean().default(true),
  delimiter: field((v, p) => {
    if (typeof v !== 'string' || v.length === 0 || /["\r\n]/.test(v)) throw new ConfigError(p, v, 'a non-empty string without quotes or newlines');
    return v;
  }).default(','),
});

/**
 * csv-parse's synchronous parser for where we run: its Node build reads through `Buffer`, which browsers
 * lack (`ReferenceError: Buffer is not defined`); its browser build carries its own. Both parse alike.
 */
async function csvParser(): Promise<typeof import('csv-parse/sync')> {
  return isNode() ? import('csv-parse/sync') : import('csv-parse/browser/esm/sync');
}

/**
 * Loads CSV into a float32 feature matrix and, with `labelColumn`, a label vector. Every cell outside the
 * label column must be a number; text labels become integer ids (sorted names in `labelNames`). Empty
 * lines are skipped and cells are trimmed.
 *
 * @param textOrPath - CSV text (recognised by containing a newline) or a file path (Node only). A one-line
 * CSV without a trailing newline is taken for a path: add `'\n'`.
 * @param options.labelColumn - the label column's header name or 0-based index; default none.
 * @param options.header - whether the first record names the columns; default true.
 * @param options.delimiter - field delimiter; default `','`.
 * @returns `{ features, labels?, columns, labelNames? }`; the caller owns the tensors.
 * @throws InputError naming the data row (1-based, header excluded), its line in the text and the column
 * for a ragged row or a non-numeric cell; ConfigError for an unknown `labelColumn`.
 * @example
 * ```ts
 * const csv = 'x1,x2,kind\n0.5,1,cat\n0.1,2,dog\n';
 * const { features, labels, labelNames } = await loadCsv(csv, { labelColumn: 'kind' });
 * // features [[0.5, 1], [0.1, 2]], labels [0, 1], labelNames ['cat', 'dog']
 * tf.dispose([features, labels!]);
 * ```
 * @category Data
 */
export async function loadCsv(textOrPath: string, options: LoadCsvOptions = {}): Promise<CsvDataset> {
  if (typeof textOrPath !== 'string') throw new InputError('loadCsv.textOrPath', textOrPath, 'CSV text or a file path');
  const { header, delimiter, labelColumn } = LOAD_CSV.check(options);
  const text = await readText(textOrPath);
  const { parse } = await csvParser();
  let records: CsvRecord[];
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as CsvRecord[];
  } catch (cause) {
    throw new InputError('loadCsv.textOrPath', shorten(textOrPath), `well-formed CSV (${(cause as Error).message})`);
  }
  if (records.length === 0) throw new InputError('loadCsv.textOrPath', shorten(textOrPath), 'CSV with at least one record');

  const width = records[0]!.record.length;
  const names = header ? records[0]!.record : Array.from({ length: width }, (_, i) => `column${i}`);
  const rows = header ? records.slice(1) : records;
  if (rows.length === 0) throw new InputError('loadCsv.textOrPath', shorten(textOrPath), 'at least one data row after the header');

  const labelAt = labelIndex(labelColumn, names, header);
  const featureAt = names.map((_, i) => i).filter((i) => i !== labelAt);
  if (featureAt.length === 0) {
    throw new ConfigError('loadCsv.labelColumn', labelColumn, 'a column other than the only one: no feature column would be left');
  }

  const features = new Float32Array(rows.length * featureAt.length);
  const labelCells: string[] = [];
  rows.forEach(({ record, info }, r) => {
    const where = `loadCsv row ${r + 1} (line ${info.lines})`;
    if (record.length !== width) {
      throw new InputError(where, record, `${width} fields, as in the ${header ? 'header' : 'first row'}, found ${record.length}`);
    }
    featureAt.forEach((c, j) => {
      const v = parseNumber(record[c]!);
      if (v === undefined || !Number.isFinite(v)) {
        throw new InputError(`${where}, column "${names[c]}"`, record[c], 'a finite number');
      }
      if (!Number.isFinite(Math.fround(v))) {
        throw new InputError(`${where}, column "${names[c]}"`, record[c], 'a number within float32 range (|v| <= 3.4028235e38): features are float32, and this one would become Infinity');
      }
      features[r * featureAt.length + j] = v;
    });
    if (labelAt !== undefined) {
      const cell = record[labelAt]!;
      if (cell === '') throw new InputError(`${where}, column "${names[labelAt]}"`, cell, 'a label (the cell is empty)');
      labelCells.push(cell);
    }
  });

  // The labels are checked before any tensor is made, so that a bad label leaks nothing.
  const result = { columns: featureAt.map((i) => names[i]!) } as CsvDataset;
  if (labelAt !== undefined) {
    const numeric = labelCells.map(parseNumber);
    if (numeric.every((v) => v !== undefined && Number.isFinite(v))) {
      const values = numeric as number[];
      const integer = values.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31);
      const overflow = integer ? -1 : values.findIndex((v) => !Number.isFinite(Math.fround(v)));
      if (overflow >= 0) {
        const { info } = rows[overflow]!;
        throw new InputError(`loadCsv row ${overflow + 1} (line ${info.lines}), column "${names[labelAt]}"`, labelCells[overflow], 'a label within float32 range (|v| <= 3.4028235e38): it would become Infinity');
      }
      result.labels = tf.tensor1d(values, integer ? 'int32' : 'float32');
    } else {
      const labelNames = [...new Set(labelCells)].sort();
      const id = new Map(labelNames.map((name, i) => [name, i]));
      result.labels = tf.tensor1d(Int32Array.from(labelCells, (cell) => id.get(cell)!), 'int32');
      result.labelNames = labelNames;
    }
  }
  result.features = tf.tensor2d(features, [rows.length, featureAt.length], 'float32');
  return result;
}

function labelIndex(labelColumn: string | number | undefined, names: string[], header: boolean): number | undefined {
  if (labelColumn === undefined) return undefined;
  if (typeof labelColumn === 'number') {
    if (!Number.isInteger(labelColumn) || labelColumn < 0 || labelColumn >= names.length) {
      throw new ConfigError('loadCsv.labelColumn', labelColumn, `a 0-based column index in [0, ${names.length - 1}] or a header name`);
    }
    return labelColumn;
  }
  if (typeof labelColumn !== 'string') {
    throw new ConfigError('loadCsv.labelColumn', labelColumn, 'a header name or a 0-based column index');
  }
  if (!header) {
    throw new ConfigError('loadCsv.labelColumn', labelColumn, 'a 0-based column index: with header: false columns have no names');
  }
  const found = names.flatMap((n, i) => (n === labelColumn ? [i] : []));
  if (found.length !== 1) {
    const why = found.length === 0 ? 'one of the header names' : 'a header name that occurs once (it occurs ' + found.length + ' times)';
    throw new ConfigError('loadCsv.labelColumn', labelColumn, `${why}: ${names.map((n) => JSON.stringify(n)).join(', ')}`);
  }
  return found[0];
}

function shorten(textOrPath: string): string {
  return textOrPath.length > 60 ? `${textOrPath.slice(0, 57)}...` : textOrPath;
}
