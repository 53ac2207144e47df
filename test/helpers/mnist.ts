/**
 * Real MNIST digits for tests, read straight from the `mnist` dev dependency's JSON files (its own
 * sampling uses Math.random). Deterministic: example i of class d is row i of `digits/<d>.json`.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const PIXELS = 784;
const cache = new Map<number, Float32Array>();

function digitFile(d: number): Float32Array {
  let rows = cache.get(d);
  if (!rows) {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
    const json = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')) as { data: number[] };
    rows = Float32Array.from(json.data);
    cache.set(d, rows);
  }
  return rows;
}

/**
 * `perClass` digits of each class starting at row `offset`, interleaved by class (0,1,...,9,0,1,...).
 * Returns flat pixels ([N*784], values in [0,1]) and labels.
 */
export function mnistDigits(perClass: number, offset = 0): { pixels: Float32Array; labels: Int32Array; n: number } {
  const n = perClass * 10;
  const pixels = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < perClass; i++) {
    for (let d = 0; d < 10; d++) {
      const src = digitFile(d);
      const row = offset + i;
      if ((row + 1) * PIXELS > src.length) throw new Error(`mnist digit ${d} has no row ${row}`);
      const k = i * 10 + d;
      pixels.set(src.subarray(row * PIXELS, (row + 1) * PIXELS), k * PIXELS);
      labels[k] = d;
    }
  }
  return { pixels, labels, n };
}
