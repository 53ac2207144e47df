/**
 * A share of the fuzz table (harness.ts) on the wasm backend: the same properties with fewer runs, since
 * backends differ (wasm ignores some dtypes, has its own kernels).
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { BUILDERS } from './entries.js';
import { FUNCTIONS } from './functions.js';
import { checkFunction, checkInputs, checkInvalid, checkValid, report, runs } from './harness.js';

const SHARE = 0.15;

beforeAll(async () => {
  await useBackend('wasm');
});

afterAll(() => report('wasm'));

describe.each(BUILDERS.map((b, i) => [`${b.name} #${i}`, b] as const))('%s on wasm', (_title, entry) => {
  const w = entry.weights ?? { valid: 60, invalid: 700, inputs: 300 };
  it('valid configs build, train a step and dispose without leaking', () => checkValid(entry, runs(Math.ceil(w.valid * SHARE))));
  it('invalid configs and inputs throw named latentkit errors, without leaking', async () => {
    await checkInvalid(entry, runs(Math.ceil(w.invalid * SHARE)));
    await checkInputs(entry, runs(Math.ceil(w.inputs * SHARE)));
  });
});

describe('public functions on wasm', () => {
  it.each(FUNCTIONS.map((f) => [f.name, f] as const))('%s', (_name, entry) => checkFunction(entry, SHARE));
});
