/**
 * The synthetic table of the course's exercise-7 example (`gan-embedding-probe.ts`), shared with the
 * exercise-6 example (`random-encoder-probe.ts`): rows of 8 features in [-1, 1] with a binary label that
 * no straight line recovers from the raw features.
 * - features 1-2: a point on one of two concentric rings (radius 0.35 for class 0, 0.75 for class 1) at a
 *   uniform angle, plus Gaussian noise (0.05);
 * - feature 3: the product of features 1 and 2 (an interaction, as in real tables), plus noise;
 * - features 4-8: nuisance columns, correlated with each other but not with the label.
 * @module
 */
import { SeedStream } from '../../src/index.js';

/** Features per row. */
export const FEATURES = 8;

/** The example's tabular data set: `rows` x 8 features in about [-1, 1], and a 0/1 label. */
export function makeTable(rows: number, seed: number): { x: Float32Array; y: Int32Array } {
  const s = new SeedStream(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(s.uniform(), 1e-12))) * Math.cos(2 * Math.PI * s.uniform());
  const x = new Float32Array(rows * FEATURES);
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const label = s.uniform() < 0.5 ? 0 : 1;
    const angle = 2 * Math.PI * s.uniform();
    const r = label === 0 ? 0.35 : 0.75;
    const f1 = r * Math.cos(angle) + 0.05 * normal();
    const f2 = r * Math.sin(angle) + 0.05 * normal();
    const shared = normal();
    const row = [
      f1,
      f2,
      1.5 * f1 * f2 + 0.05 * normal(),
      0.3 * shared + 0.1 * normal(),
      0.25 * shared - 0.15 * normal(),
      0.3 * normal(),
      Math.tanh(0.5 * shared + 0.3 * normal()) * 0.6,
      0.2 * (s.uniform() * 2 - 1),
    ];
    x.set(row.map((v) => Math.max(-1, Math.min(1, v))), i * FEATURES);
    y[i] = label;
  }
  return { x, y };
}

