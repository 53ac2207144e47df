/**
 * Builds `dist/` once before the tests, so that `npm test` on a fresh clone tests the package as published.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const require = createRequire(import.meta.url);
  const tsup = require.resolve('tsup/dist/cli-default.js');
  execFileSync(process.execPath, [tsup, '--silent'], { cwd: root, stdio: 'inherit' });
}
