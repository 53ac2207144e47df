/**
 * Builds `dist/` for the browser test unless it is newer than every file it is built from: in CI,
 * `npm test` has just built it (its own global setup), and the pages bundle the package as published.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const built = join(root, 'dist', 'index.js');
  const sources = ['src', 'package.json', 'tsup.config.ts'].map((p) => newest(join(root, p)));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources)) return;
  const tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
  execFileSync(process.execPath, [tsup, '--silent'], { cwd: root, stdio: 'inherit' });
}
