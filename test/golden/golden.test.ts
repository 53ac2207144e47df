/**
 * Behaviour is unchanged: every golden scenario (scenarios.ts), trained again with its fixed seeds on cpu
 * and on wasm, gives bit for bit the histories, weights and predictions recorded in fixture.json.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../../src/index.js';
import { BACKENDS, SCENARIOS, runScenario, type GoldenRecord } from './scenarios.js';

const fixture = JSON.parse(readFileSync(new URL('./fixture.json', import.meta.url), 'utf8')) as {
  records: Record<string, Record<string, GoldenRecord>>;
};

for (const backend of BACKENDS) {
  describe(`golden behaviour on ${backend}`, () => {
    it('records every scenario', () => {
      expect(Object.keys(fixture.records[backend]!).sort()).toEqual(Object.keys(SCENARIOS).sort());
    });
    for (const name of Object.keys(SCENARIOS)) {
      it(name, async () => {
        await useBackend(backend);
        const record = await runScenario(name);
        const want = fixture.records[backend]![name]!;
        expect(record.history).toEqual(want.history);
        expect(record.weights).toEqual(want.weights);
        expect(record.predictions).toEqual(want.predictions);
        expect(record.numbers).toEqual(want.numbers);
      });
    }
  });
}
