/**
 * The README's browser example as files: each code block of its "In the browser" section that opens with
 * a file name (`// vite.config.ts`, `<!-- index.html -->`) is that file.
 * @module
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The example's files by name, read from `README.md` in `root`. */
export function readmeAppFiles(root: string): Record<string, string> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('## In the browser');
  if (start < 0) throw new Error('README.md has no "## In the browser" section');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const files: Record<string, string> = {};
  for (const [, , body] of section.matchAll(/```(ts|html)\n([\s\S]*?)```/g)) {
    const name = /^(?:\/\/|<!--) ([\w./-]+)/.exec(body!)?.[1];
    if (name) files[name] = body!;
  }
  return files;
}

/** Writes the example's files into `dir` (which must lie inside the package, so that `latentkit` resolves). */
export function writeReadmeApp(root: string, dir: string): string[] {
  const files = readmeAppFiles(root);
  for (const [name, body] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), body);
  }
  return Object.keys(files).sort();
}
