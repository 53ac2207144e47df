/**
 * Property-based tests of every builder and public function on cpu (see harness.ts for the table and how
 * to add an entry). Default runs give each builder at least 1,000 generated cases; FUZZ_RUNS scales them.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { BUILDERS } from './entries.js';
import { FUNCTIONS } from './functions.js';
import { checkFunction, checkInputs, checkInvalid, checkValid, report, runs } from './harness.js';

beforeAll(async () => {
  await useBackend('cpu');
});

afterAll(() => report('cpu'));

describe.each(BUILDERS.map((b, i) => [`${b.name} #${i}`, b] as const))('%s', (_title, entry) => {
  const w = entry.weights ?? { valid: 60, invalid: 700, inputs: 300 };
  it('valid configs build, train a step and dispose without leaking', () => checkValid(entry, runs(w.valid)));
  it('invalid configs throw a latentkit error naming the parameter, without leaking', () => checkInvalid(entry, runs(w.invalid)));
  it('invalid inputs throw a latentkit error naming the parameter, without leaking', () => checkInputs(entry, runs(w.inputs)));
});

describe.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s', (_name, entry) => {
  it('valid arguments work without leaking; invalid ones throw a named latentkit error', () => checkFunction(entry));
});
