/**
 * Makes the demo page's data at build time: a slice of the `mnist` package's digits (MIT) as one small
 * binary file, so that the page fetches 0.9 MB instead of the package's 41 MB of JSON.
 *
 * `digits.bin` holds `count` images of 28x28 bytes (pixel x 255, row-major), classes interleaved
 * (0, 1, ..., 9, 0, 1, ...); `digits.json` holds `{ count, perClass, labels, source }`.
 * Run by the demo's Vite config before each build or dev start; by hand:
 *
 * @example
 * ```sh
 * npx tsx examples/browser/digitsAsset.ts out/digits   # writes out/digits/digits.bin and digits.json
 * ```
 * @module
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Digits per class in the asset. */
export const PER_CLASS = 120;
const PIXELS = 784;

/** What `digits.json` holds. */
export interface DigitsIndex {
  count: number;
  perClass: number;
  labels: number[];
  source: string;
}

/**
 * Writes `digits.bin` and `digits.json` into `dir` unless they are already there with the same size.
 * @returns the two paths.
 */
export async function writeDigitsAsset(dir: string, perClass = PER_CLASS): Promise<{ bin: string; index: string }> {
  const bin = join(dir, 'digits.bin');
  const index = join(dir, 'digits.json');
  const size = await stat(bin).then((s) => s.size, () => -1);
  if (size === 10 * perClass * PIXELS) return { bin, index };

  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('mnist/package.json'));
  const version = (JSON.parse(await readFile(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const classes = await Promise.all(
    Array.from({ length: 10 }, async (_, d) => {
      const { data } = JSON.parse(await readFile(join(pkgDir, 'src', 'digits', `${d}.json`), 'utf8')) as { data: number[] };
      if (data.length < perClass * PIXELS) throw new Error(`mnist/src/digits/${d}.json holds ${data.length / PIXELS} digits, fewer than ${perClass}`);
      return data;
    }),
  );
  const bytes = new Uint8Array(10 * perClass * PIXELS);
  const labels: number[] = [];
  for (let i = 0; i < perClass; i++) {
    for (let d = 0; d < 10; d++) {
      const at = labels.length * PIXELS;
      for (let p = 0; p < PIXELS; p++) bytes[at + p] = Math.round(classes[d]![i * PIXELS + p]! * 255);
      labels.push(d);
    }
  }
  const meta: DigitsIndex = { count: labels.length, perClass, labels, source: `mnist@${version} (MIT): the first ${perClass} digits of each class` };
  await mkdir(dir, { recursive: true });
  await writeFile(bin, bytes);
  await writeFile(index, JSON.stringify(meta));
  return { bin, index };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2] ?? 'out/digits';
  writeDigitsAsset(dir).then(({ bin, index }) => console.log(`wrote ${bin} and ${index}`));
}
