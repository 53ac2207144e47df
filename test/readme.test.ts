/**
 * The README's first program runs as written, against the built package (imported by name), and every
 * TypeScript block type-checks under strict settings with `noUncheckedIndexedAccess` (histories declare
 * their keys, so `history.loss` is a `number[]` and an optional log is `number[] | undefined`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { CASES, reproducedTable, withTable } from '../bench/quality/readme.js';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('README', () => {
  it('its "Reproduced results" table is the one generated from bench/results/quality/*.json', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = reproducedTable();
    expect(withTable(readme, table)).toBe(readme);
    // One row per quality case's result file, with a figure in latentkit's column.
    for (const name of CASES) {
      if (existsSync(join(root, 'bench', 'results', 'quality', `${name}.json`))) expect(table).toContain(`\`${name}\``);
    }
  });

  it('every TypeScript block type-checks against the built package', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    const dir = mkdtempSync(join(root, 'test', '.readme-'));
    try {
      const files = blocks.map((code, i) => {
        const file = join(dir, `block-${i}.mts`);
        // Blocks are fragments of one program: give each its own module scope.
        writeFileSync(file, `${code}\nexport {};\n`);
        return file;
      });
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const args = ['--noEmit', '--strict', '--noUncheckedIndexedAccess', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node', ...files];
      try {
        execFileSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        throw new Error(`README blocks do not type-check:\n${(e as { stdout?: string }).stdout ?? String(e)}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the first program runs as written and trains', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## First program'));
    const code = /```ts\n([\s\S]*?)```/.exec(section)![1]!;
    // Inside the package folder, so that `import 'latentkit'` resolves to this package's exports.
    const dir = mkdtempSync(join(root, 'test', '.readme-'));
    const file = join(dir, 'first-program.mts');
    writeFileSync(file, code);
    try {
      const tsx = createRequire(import.meta.url).resolve('tsx/cli');
      const out = execFileSync(process.execPath, [tsx, file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toMatch(/trained \d+ epochs, validation loss \d\.\d{5}/);
      const [, mse, baseline] = /reconstruction MSE (\d\.\d+) vs (\d\.\d+)/.exec(out)!;
      expect(Number(mse)).toBeLessThan(0.5 * Number(baseline));
      expect(out).toMatch(/frames \[ 8, 64 \]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
