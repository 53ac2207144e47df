import { describe, expect, it } from 'vitest';
import { LatentkitError } from '../../src/core/errors.js';
import { SeedStream } from '../../src/core/seed.js';
import { IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, parseIdx } from '../../src/data/idx.js';
import { parseByteRowsJson, poolFromIdx } from '../../src/data/sources.js';
import { allocate, stratifiedSplit } from '../../src/data/split.js';

function idx(magic: number, dims: number[], values: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(values, 4 + 4 * dims.length);
  return out;
}

describe('parseIdx', () => {
  it('reads a big-endian header and the values after it', () => {
    const labels = parseIdx(idx(IDX_LABELS_MAGIC, [3], [5, 0, 4]), 'l', IDX_LABELS_MAGIC);
    expect(labels.dims).toEqual([3]);
    expect(Array.from(labels.data)).toEqual([5, 0, 4]);
    const images = parseIdx(idx(IDX_IMAGES_MAGIC, [2, 1, 2], [1, 2, 3, 4]), 'i', IDX_IMAGES_MAGIC);
    expect(images.dims).toEqual([2, 1, 2]);
    expect(Array.from(images.data)).toEqual([1, 2, 3, 4]);
  });

  it('names the file on a wrong magic number or a truncated file', () => {
    expect(() => parseIdx(idx(IDX_LABELS_MAGIC, [3], [1, 2, 3]), 'train-images-idx3-ubyte', IDX_IMAGES_MAGIC)).toThrow(
      /train-images-idx3-ubyte has IDX magic number 2049, expected 2051/,
    );
    expect(() => parseIdx(idx(IDX_LABELS_MAGIC, [10], [1, 2, 3]), 'labels.idx', IDX_LABELS_MAGIC)).toThrow(
      /labels.idx is truncated: its header announces 10 = 10 values/,
    );
    expect(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0]), 'x.idx', IDX_IMAGES_MAGIC)).toThrow(/x.idx is truncated: 6 bytes, expected a 16-byte IDX header/);
    expect(() => parseIdx(new Uint8Array(2), 'y.idx', IDX_LABELS_MAGIC)).toThrow(LatentkitError);
  });

  it('checks that images and labels agree', () => {
    const images = idx(IDX_IMAGES_MAGIC, [1, 28, 28], new Array(784).fill(0));
    expect(() => poolFromIdx(images, 'img', idx(IDX_LABELS_MAGIC, [2], [1, 2]), 'lab')).toThrow(/lab holds 2 labels but img holds 1 images/);
    expect(() => poolFromIdx(images, 'img', idx(IDX_LABELS_MAGIC, [1], [12]), 'lab')).toThrow(/lab label 0 is 12/);
    expect(poolFromIdx(images, 'img', idx(IDX_LABELS_MAGIC, [1], [3]), 'lab').count).toBe(1);
  });
});

describe('parseByteRowsJson (Fashion-MNIST JSON)', () => {
  const row = (v: number): string => `[${new Array(784).fill(v).join(', ')}]`;
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('reads rows of 784 bytes and skips empty rows', () => {
    const { pixels, count } = parseByteRowsJson(enc(`{"data": [${row(7)},[],\n ${row(255)}]}`), 'f.json');
    expect(count).toBe(2);
    expect(pixels[0]).toBe(7);
    expect(pixels[784]).toBe(255);
    expect(pixels.length).toBe(2 * 784);
  });

  it('names the file and row of damaged data', () => {
    expect(() => parseByteRowsJson(enc(`{"data":[${row(1)},[1,2,3]]}`), 'f.json')).toThrow(/f.json row 1: 3 values/);
    expect(() => parseByteRowsJson(enc(`{"data":[${row(256)}]}`), 'f.json')).toThrow(/row 0: pixel value 256 out of 0..255/);
    expect(() => parseByteRowsJson(enc(`{"data":[[1.5]]}`), 'f.json')).toThrow(/unexpected "\."/);
    expect(() => parseByteRowsJson(enc(`{"data":[[1 2]]}`), 'f.json')).toThrow(/two numbers without a comma/);
    expect(() => parseByteRowsJson(enc(`{"rows":[]}`), 'f.json')).toThrow(/no "data" key/);
    expect(() => parseByteRowsJson(enc(`{"data":[[1,2`), 'f.json')).toThrow(/end of file inside a row/);
  });
});

describe('stratified split', () => {
  it('allocate follows proportions within capacity', () => {
    expect(allocate(10, [5, 3, 2], [5, 3, 2])).toEqual([5, 3, 2]);
    expect(allocate(5, [1, 1, 1], [9, 9, 9])).toEqual([2, 2, 1]);
    expect(allocate(3, [1, 1], [1, 5])).toEqual([1, 2]);
  });

  it('gives disjoint parts with the pool proportions, in a seeded order', () => {
    const labels = Array.from({ length: 1000 }, (_, i) => (i < 600 ? 0 : i < 900 ? 1 : 2));
    const [a, b] = stratifiedSplit(labels, 3, [500, 500], new SeedStream(1));
    const all = new Set([...a!, ...b!]);
    expect(all.size).toBe(1000);
    const count = (rows: Int32Array, c: number): number => rows.filter((r) => labels[r] === c).length;
    expect([0, 1, 2].map((c) => count(a!, c))).toEqual([300, 150, 50]);
    expect([0, 1, 2].map((c) => count(b!, c))).toEqual([300, 150, 50]);
    const [again] = stratifiedSplit(labels, 3, [500, 500], new SeedStream(1));
    expect(Array.from(again!)).toEqual(Array.from(a!));
    const [other] = stratifiedSplit(labels, 3, [500, 500], new SeedStream(2));
    expect(Array.from(other!)).not.toEqual(Array.from(a!));
  });
});
