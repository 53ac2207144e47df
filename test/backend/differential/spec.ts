/**
 * A kernel's differential specification and the loop that runs it: generated cases through latentkit's
 * kernel, the reference (tfjs's cpu kernel unless the spec says otherwise) and, where there is one, tfjs's
 * own (stock) kernel for the same backend.
 */
import type { KernelFunc } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendInstance, caseCount, caseSeed, dataIdCount, describeCase, disagreement, Rng, runKernel, selected, TOL } from './harness.js';
import { kernelFunctions, type KernelFns } from './setup.js';
import type { KernelCase, Outcome } from './harness.js';

export interface KernelSpec {
  /** tfjs kernel name. */
  kernel: string;
  /** The backend whose kernel latentkit adds or replaces. */
  backend: 'wasm' | 'cpu';
  /** Hand-written cases run before the generated ones (regressions). */
  fixed?: KernelCase[];
  /** One generated case. */
  generate(rng: Rng): KernelCase;
  /** The reference outcome; default: tfjs's cpu kernel of the same name. */
  reference?: (c: KernelCase, cpuStock: KernelFunc) => Outcome;
  /** The cases where tfjs's own kernel for `backend` is known to be wrong (the bug latentkit fixes). */
  stockWrong?: (c: KernelCase) => boolean;
  /** The cases where tfjs's own kernel corrupts the wasm heap: it is not run on them (counted as wrong). */
  stockUnsafe?: (c: KernelCase) => boolean;
  /** Tags that at least `n` cases must carry, so that the paths that matter are reached. */
  mustCover?: Record<string, number>;
  /** Tolerance factor (default {@link TOL}). */
  tol?: number;
}

export interface SpecReport {
  cases: number;
  /** latentkit vs the reference, one line per failing case (reproducible). */
  failures: string[];
  /** Cases per tag. */
  tags: Record<string, number>;
  /** Stock kernel vs the reference: disagreements inside / outside the known-bug cases, and their totals. */
  stock?: { knownBugCases: number; wrongInKnownBug: number; wrongElsewhere: string[] };
}

/** Runs `spec` with the given kernel functions; never throws for a disagreement (it is reported). */
export function runSpec(
  spec: KernelSpec,
  fns: { latentkit: KernelFunc; cpuStock: KernelFunc; stock?: KernelFunc },
  defaultCases: number,
  file: string,
): SpecReport {
  const count = caseCount(defaultCases);
  const fixed = spec.fixed ?? [];
  const report: SpecReport = { cases: 0, failures: [], tags: {} };
  if (fns.stock) report.stock = { knownBugCases: 0, wrongInKnownBug: 0, wrongElsewhere: [] };
  for (let i = 0; i < fixed.length + count; i++) {
    if (!selected(spec.kernel, i)) continue;
    const seed = caseSeed(spec.kernel, i);
    const c = i < fixed.length ? fixed[i]! : spec.generate(new Rng(seed));
    const name = `${spec.kernel}#${i}`;
    const where = i < fixed.length ? 'fixed case' : `seed "${seed}"`;
    report.cases++;
    if (process.env['DIFF_TRACE']) process.stderr.write(`${name} ${describeCase(c)}\n`);
    for (const t of c.tags) report.tags[t] = (report.tags[t] ?? 0) + 1;
    // tfjs's own kernel first (where it is safe to run): where it throws, latentkit's must throw too.
    let stockOut: Outcome | undefined;
    if (fns.stock && !spec.stockUnsafe?.(c)) {
      try {
        stockOut = runKernel(spec.backend, fns.stock, c);
      } catch (e) {
        throw new Error(`tfjs's own ${spec.kernel} broke the backend on ${name} (${where}): ${(e as Error).message}\n    ${describeCase(c)}`);
      }
    }
    const stockIsRef = stockOut !== undefined && 'error' in stockOut;
    let ref: Outcome;
    let got: Outcome;
    try {
      ref = stockIsRef ? stockOut! : spec.reference ? spec.reference(c, fns.cpuStock) : runKernel('cpu', fns.cpuStock, c);
      got = runKernel(spec.backend, fns.latentkit, c);
    } catch (e) {
      report.failures.push(`${name} (${where}): ${(e as Error).message}\n    ${describeCase(c)}\n    reproduce: DIFF_ONLY='${name}' npx vitest run ${file}`);
      continue;
    }
    const diff = disagreement(ref, got, spec.tol ?? TOL);
    if (diff !== undefined) {
      const against = stockIsRef ? " (reference: tfjs's own kernel, which threw)" : '';
      report.failures.push(`${name} (${where}): ${diff}${against}\n    ${describeCase(c)}\n    reproduce: DIFF_ONLY='${name}' npx vitest run ${file}`);
    }
    if (report.stock && !stockIsRef) {
      const known = spec.stockWrong?.(c) ?? false;
      const stockDiff = stockOut === undefined ? 'corrupts the heap (not run)' : disagreement(ref, stockOut, spec.tol ?? TOL);
      if (known) report.stock.knownBugCases++;
      if (stockDiff !== undefined) {
        if (known) report.stock.wrongInKnownBug++;
        else report.stock.wrongElsewhere.push(`${name}: ${stockDiff} | ${describeCase(c)}`);
      }
    }
  }
  return report;
}

/** The message of a failed spec: counts, then the first failures in full. */
export function failureMessage(spec: KernelSpec, r: SpecReport, limit = 5): string {
  return `${spec.kernel} (${spec.backend}): ${r.failures.length} of ${r.cases} cases disagree with the reference\n  ${r.failures.slice(0, limit).join('\n  ')}`;
}

/**
 * The vitest suite for `specs`: per kernel, every case agrees with the reference, the tagged paths are
 * reached, and tfjs's own kernel (where latentkit replaces one) agrees with the reference outside its
 * documented bug and disagrees inside it (the replacement is still needed); then repeated runs leave the
 * wasm heap and the backends' data ids as they were. `DIFF_REPORT=1` prints a line per kernel.
 */
export function differentialSuite(title: string, specs: readonly KernelSpec[], file: string, cases: number): void {
  let fns: Map<KernelSpec, KernelFns>;
  beforeAll(async () => {
    fns = await kernelFunctions(specs);
  });
  const full = process.env['DIFF_ONLY'] === undefined && caseCount(cases) >= cases;
  describe(title, () => {
    for (const spec of specs) {
      it(`${spec.backend} ${spec.kernel}: ${caseCount(cases)} generated cases${spec.fixed ? ` + ${spec.fixed.length} regressions` : ''} agree with the reference`, () => {
        const t0 = performance.now();
        const r = runSpec(spec, fns.get(spec)!, cases, file);
        if (process.env['DIFF_REPORT']) {
          const stock = r.stock ? ` | tfjs's own: wrong in ${r.stock.wrongInKnownBug} of ${r.stock.knownBugCases} documented-bug cases, ${r.stock.wrongElsewhere.length} elsewhere` : '';
          console.log(`${spec.backend} ${spec.kernel}: ${r.cases} cases in ${Math.round(performance.now() - t0)} ms${stock}\n  ${JSON.stringify(r.tags)}`);
        }
        expect(r.failures, failureMessage(spec, r)).toEqual([]);
        if (!full) return;
        for (const [tag, min] of Object.entries(spec.mustCover ?? {})) expect(r.tags[tag] ?? 0, `cases tagged "${tag}"`).toBeGreaterThanOrEqual(min);
        if (r.stock) {
          expect(r.stock.wrongElsewhere.slice(0, 3), "tfjs's own kernel disagrees outside its documented bug").toEqual([]);
          if (spec.stockWrong) expect(r.stock.wrongInKnownBug, "tfjs's own kernel is wrong in some documented-bug case").toBeGreaterThan(0);
        }
      });
    }
    it('no growth: repeating 40 cases of every kernel leaves the wasm heap size and the data ids unchanged', () => {
      const wasm = backendInstance('wasm') as unknown as { wasm: { HEAPU8: Uint8Array } };
      const pass = () => {
        for (const spec of specs) {
          for (let i = 0; i < 40; i++) runKernel(spec.backend, fns.get(spec)!.latentkit, spec.generate(new Rng(caseSeed(spec.kernel, i))));
        }
      };
      pass(); // warm-up: the heap grows to what these cases need
      const before = { heap: wasm.wasm.HEAPU8.length, wasmIds: dataIdCount('wasm'), cpuIds: dataIdCount('cpu') };
      pass();
      pass();
      expect({ heap: wasm.wasm.HEAPU8.length, wasmIds: dataIdCount('wasm'), cpuIds: dataIdCount('cpu') }).toEqual(before);
    });
  });
}
