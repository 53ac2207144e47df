/**
 * Building a page with Vite, as an application would, and reading what went into it: the Node built-ins
 * Vite had to stub out (a browser bundle must have none), and each emitted file with its gzipped size.
 * (Vite's `__vite-browser-external` module cannot tell: it also stands for the built-ins that tfjs maps to
 * `false` in its package.json `browser` field, which are fine; its warnings name only the others.)
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type InlineConfig } from 'vite';

/** A Node built-in that a module of the page imports, which Vite replaced by an empty stub. */
export interface StubbedBuiltin {
  name: string;
  importer: string;
}

export interface EmittedFile {
  file: string;
  bytes: number;
  /** gzip -9 */
  gzip: number;
}

export interface PageBuild {
  outDir: string;
  /** From Vite's "Module X has been externalized for browser compatibility" warnings. */
  stubbedBuiltins: StubbedBuiltin[];
  files: EmittedFile[];
}

const EXTERNALIZED = /Module "([^"]+)" has been externalized for browser compatibility, imported by "([^"]+)"/;

/** Every file under `dir`, with its size and gzipped size. */
export function emittedFiles(dir: string): EmittedFile[] {
  const out: EmittedFile[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const bytes = readFileSync(path);
        out.push({ file: relative(dir, path), bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
      }
    }
  };
  walk(dir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/**
 * Builds the page at `root` (its `index.html`) into `outDir` with Vite. `config` is merged in (a page's
 * own vite.config.ts is used when `configFile` names it).
 */
export async function buildPage(root: string, outDir: string, config: InlineConfig = {}): Promise<PageBuild> {
  const stubbedBuiltins: StubbedBuiltin[] = [];
  // A production build, as `vite build` from a shell makes: Vite keeps a NODE_ENV it finds (vitest sets
  // 'test'), and then builds in development style, without the built-in warnings.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({
      configFile: false,
      ...config,
      root,
      logLevel: 'silent',
      build: {
        ...config.build,
        outDir,
        emptyOutDir: true,
        rolldownOptions: {
          ...config.build?.rolldownOptions,
          onLog(_level, log) {
            const m = EXTERNALIZED.exec(log.message);
            if (m) stubbedBuiltins.push({ name: m[1]!, importer: relative(root, m[2]!) });
          },
        },
      },
    });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  return { outDir, stubbedBuiltins, files: emittedFiles(outDir) };
}

/** Sums emitted files matching `pattern`. */
export function totalSize(files: EmittedFile[], pattern: RegExp): { bytes: number; gzip: number } {
  return files.filter((f) => pattern.test(f.file)).reduce((t, f) => ({ bytes: t.bytes + f.bytes, gzip: t.gzip + f.gzip }), { bytes: 0, gzip: 0 });
}
