import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../src/core/errors.js';
import { loadCsv } from '../../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('loadCsv', () => {
  it('reads numeric features and numeric labels from text', async () => {
    const before = tf.memory().numTensors;
    const csv = 'a,b,y\n1,2.5,0\n-3,4e1,1\n\n5,.5,2\n';
    const { features, labels, columns, labelNames } = await loadCsv(csv, { labelColumn: 'y' });
    expect(columns).toEqual(['a', 'b']);
    expect(features.shape).toEqual([3, 2]);
    expect(features.dtype).toBe('float32');
    expect(features.arraySync()).toEqual([[1, 2.5], [-3, 40], [5, 0.5]]);
    expect(labels!.dtype).toBe('int32');
    expect(Array.from(labels!.dataSync())).toEqual([0, 1, 2]);
    expect(labelNames).toBeUndefined();
    tf.dispose([features, labels!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maps string labels to sorted ids, handles quotes, a delimiter and a file path', async () => {
    const csv = 'kind;x;y\n"dog";1;2\ncat;3;4\n"bird; small";5;6\ndog;7;8\n';
    const dir = await mkdtemp(join(tmpdir(), 'latentkit-csv-'));
    const file = join(dir, 'pets.csv');
    await writeFile(file, csv);
    const { features, labels, labelNames, columns } = await loadCsv(file, { labelColumn: 0, delimiter: ';' });
    expect(labelNames).toEqual(['bird; small', 'cat', 'dog']);
    expect(Array.from(labels!.dataSync())).toEqual([2, 1, 0, 2]);
    expect(columns).toEqual(['x', 'y']);
    expect(features.arraySync()).toEqual([[1, 2], [3, 4], [5, 6], [7, 8]]);
    tf.dispose([features, labels!]);
    await rm(dir, { recursive: true, force: true });
  });

  it('reads headerless CSV, with float labels and without labels', async () => {
    const a = await loadCsv('1,2,0.5\n3,4,1.5\n', { header: false, labelColumn: 2 });
    expect(a.columns).toEqual(['column0', 'column1']);
    expect(a.labels!.dtype).toBe('float32');
    expect(Array.from(a.labels!.dataSync())).toEqual([0.5, 1.5]);
    const b = await loadCsv('1,2\n3,4\n', { header: false });
    expect(b.features.shape).toEqual([2, 2]);
    expect(b.labels).toBeUndefined();
    tf.dispose([a.features, a.labels!, b.features]);
  });

  it('names the row and line of a ragged row', async () => {
    const csv = 'a,b,c\n1,2,3\n4,5\n';
    await expect(loadCsv(csv)).rejects.toThrow(InputError);
    await expect(loadCsv(csv)).rejects.toThrow(/loadCsv row 2 \(line 3\) = \["4", "5"\]: expected 3 fields, as in the header, found 2/);
  });

  it('names the row and column of a non-numeric cell, and of an empty one', async () => {
    await expect(loadCsv('a,b\n1,2\n3,abc\n')).rejects.toThrow(/loadCsv row 2 \(line 3\), column "b" = "abc": expected a finite number/);
    await expect(loadCsv('a,b,y\n1,,x\n', { labelColumn: 'y' })).rejects.toThrow(/row 1 \(line 2\), column "b" = "": expected a finite number/);
    await expect(loadCsv('a,b\n1,Infinity\n')).rejects.toThrow(/column "b" = "Infinity"/);
  });

  it('rejects unknown label columns, missing files and malformed CSV', async () => {
    await expect(loadCsv('a,b\n1,2\n', { labelColumn: 'z' })).rejects.toThrow(/loadCsv.labelColumn = "z": expected one of the header names: "a", "b"/);
    await expect(loadCsv('a,b\n1,2\n', { labelColumn: 5 })).rejects.toThrow(ConfigError);
    await expect(loadCsv('1,2\n', { header: false, labelColumn: 'a' })).rejects.toThrow(/with header: false/);
    await expect(loadCsv('/no/such/file.csv')).rejects.toThrow(/loadCsv.textOrPath = "\/no\/such\/file.csv": expected CSV text .*ENOENT/);
    await expect(loadCsv('a,b\n"1,2\n')).rejects.toThrow(/well-formed CSV \(Quote Not Closed/);
    await expect(loadCsv('a,b\n')).rejects.toThrow(/at least one data row/);
  });

  it("csv-parse's browser build, which loadCsv uses in browsers (no Buffer there), parses as its Node build does", async () => {
    const text = '\uFEFFname;x\n"a;b";"1\n2"\n\n  c ;3\n';
    const options = { delimiter: ';', bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true } as const;
    const fromNode = (await import('csv-parse/sync')).parse(text, options);
    const fromBrowser = (await import('csv-parse/browser/esm/sync')).parse(text, options);
    expect((fromNode as unknown as { record: string[] }[]).map((r) => r.record)).toEqual([['name', 'x'], ['a;b', '1\n2'], ['c', '3']]);
    expect(fromBrowser).toEqual(fromNode);
  });
});
