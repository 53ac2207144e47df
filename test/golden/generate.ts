/**
 * Writes the golden record `fixture.json` from the code as it is (see scenarios.ts):
 *
 *   npx tsx test/golden/generate.ts                 every scenario, on cpu and wasm
 *   npx tsx test/golden/generate.ts --only a,b      only these scenarios (the others keep their record)
 *   npx tsx test/golden/generate.ts --saves DIR     also save the trained cpu models into DIR/<scenario>
 *                                                   (the old-format save fixture) with DIR/expected.json
 *
 * Regenerate only what a change is meant to change, and say so in the commit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { save, useBackend } from '../../src/index.js';
import { BACKENDS, SCENARIOS, type GoldenRecord } from './scenarios.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const FIXTURE = join(here, 'fixture.json');

interface Fixture {
  /** The commit the records were generated from (the last full or partial regeneration). */
  generatedFrom: Record<string, string>;
  records: Record<string, Record<string, GoldenRecord>>;
}

const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(name);
  return i < 0 ? undefined : args[i + 1];
};
const only = flag('--only')?.split(',');
const savesDir = flag('--saves');
for (const name of only ?? []) if (!(name in SCENARIOS)) throw new Error(`unknown scenario ${name}`);

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain', '--', '../../src'], { cwd: here, encoding: 'utf8' }).trim() !== '';
const fixture: Fixture = existsSync(FIXTURE) && only ? JSON.parse(readFileSync(FIXTURE, 'utf8')) : { generatedFrom: {}, records: {} };
const expected: Record<string, Omit<GoldenRecord, 'history'>> = {};

for (const backend of BACKENDS) {
  await useBackend(backend);
  fixture.records[backend] ??= {};
  for (const name of Object.keys(SCENARIOS)) {
    if (only && !only.includes(name)) continue;
    const { handle, record } = await SCENARIOS[name]!();
    fixture.records[backend]![name] = record;
    fixture.generatedFrom[name] = `${commit}${dirty ? '+changes' : ''}`;
    if (savesDir && backend === 'cpu' && name !== 'convDefaults') {
      const dir = join(savesDir, name);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      await save(handle as Parameters<typeof save>[0], dir);
      const { history: _history, ...rest } = record;
      expected[name] = rest;
    }
    handle.dispose();
    console.log(`${backend} ${name}: ${Object.keys(record.history).join(', ')}`);
  }
}
writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 1)}\n`);
if (savesDir) writeFileSync(join(savesDir, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
console.log(`wrote ${FIXTURE}${savesDir ? ` and ${savesDir}` : ''}`);
