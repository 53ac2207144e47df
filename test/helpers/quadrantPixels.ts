/**
 * The pixels of the quadrant images the classifier tests use in Node (`./classes.ts`) and in the browser
 * (`test/browser/harness/classifierCase.ts`). No imports: the browser harness bundles it too.
 */

/**
 * `n` images of `size` x `size` pixels, row-major: class c (cycling through `classes` <= 4) has a bright
 * quadrant c (0.7) on a dim background (0.2), plus `noise` times a centred uniform draw of `uniform`.
 */
export function quadrantPixels(n: number, size: number, classes: number, noise: number, uniform: () => number): { pixels: Float32Array; labels: Int32Array } {
  const half = size / 2;
  const pixels = new Float32Array(n * size * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels[i] = c;
    const [qy, qx] = [Math.floor(c / 2), c % 2];
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const bright = Math.floor(y / half) === qy && Math.floor(x / half) === qx;
        pixels[(i * size + y) * size + x] = (bright ? 0.7 : 0.2) + noise * (uniform() - 0.5);
      }
  }
  return { pixels, labels };
}
