/**
 * The published entries, as a consumer imports them by name (`latentkit`, `latentkit/advanced`):
 * - bundled for the browser by esbuild with no configuration and nothing external, latentkit references
 *   no Node built-in (its Node-only parts sit behind package.json's `#platform` import); the minified
 *   bundle runs in a context with a page's globals and none of Node's (builds a model, encodes), and its
 *   Node-only functions throw an error that says they need Node, under its own class name;
 * - in Node, the same import works from ESM and from CommonJS, and both entries share one state.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules, createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
let dir: string;

beforeAll(() => {
  // Inside the package, so that `import 'latentkit'` resolves through package.json's `exports`.
  dir = mkdtempSync(join(root, 'test', '.entries-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const BROWSER_ENTRY = `
import { save, loadMnist, loadCsv, undercompleteAE, useBackend, LatentkitError } from 'latentkit';
import { defineModelKind, registeredModelKinds } from 'latentkit/advanced';
globalThis.result = (async () => {
  await useBackend('cpu');
  const ae = undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
  const failures = [];
  for (const call of [() => save(ae, 'models/ae'), () => loadMnist(), () => loadCsv('data/iris.csv')]) {
    try { await call(); failures.push('no error'); } catch (e) { failures.push(\`\${e.name} \${e instanceof LatentkitError} \${e.message}\`); }
  }
  const codes = ae.encode([[0.1, 0.2, 0.3, 0.4]]);
  ae.dispose();
  return { kinds: registeredModelKinds(), defined: typeof defineModelKind, failures, codeShape: codes.shape };
})();
`;

/** ESM is what a consumer's bundler makes (checked for warnings); IIFE runs as a page's script. */
async function bundle(format: 'esm' | 'iife', minify: boolean) {
  const entry = join(dir, 'browser.mjs');
  writeFileSync(entry, BROWSER_ENTRY);
  return esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format,
    minify,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // A consumer's bundler does not see latentkit's own tsconfig (its `paths` serve the sources).
    tsconfigRaw: '{}',
  });
}

/** A page's globals, and nothing of Node's (no `process`, no `require`). */
function pageGlobals(): Record<string, unknown> {
  const page: Record<string, unknown> = {
    console,
    setTimeout,
    clearTimeout,
    setInterval,
    clearInterval,
    queueMicrotask,
    structuredClone,
    TextEncoder,
    TextDecoder,
    performance,
    URL,
    navigator: { userAgent: 'latentkit test', hardwareConcurrency: 2 },
    document: {},
  };
  page['window'] = page;
  page['self'] = page;
  page['globalThis'] = page;
  return page;
}

describe('a browser bundle of latentkit (esbuild, platform browser, nothing external)', () => {
  it('builds without errors or warnings, and latentkit references no Node built-in', async () => {
    const result = await bundle('esm', false);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    const inputs = result.metafile.inputs;
    const ours = Object.keys(inputs).filter((f) => f.startsWith('dist/'));
    expect(ours).toContain('dist/platform/browser.js');
    expect(ours).not.toContain('dist/platform/node.js');
    for (const file of ours) {
      for (const imp of inputs[file]!.imports) expect(builtins.has(imp.path), `${file} imports ${imp.path}`).toBe(false);
    }
    expect(Object.keys(inputs).filter((f) => f.includes('cli-progress'))).toEqual([]);
    // Other packages' Node modules are only their own browser-field stubs.
    for (const [file, input] of Object.entries(inputs)) {
      for (const imp of input.imports) if (imp.path.startsWith('(disabled):')) expect(file.startsWith('node_modules/'), file).toBe(true);
    }
  });

  it('runs in a page, where the Node-only functions say they need Node, under their own names even minified', async () => {
    const result = await bundle('iife', true);
    const page = pageGlobals();
    runInNewContext(result.outputFiles[0]!.text, page);
    const out = (await page['result']) as { kinds: string[]; defined: string; failures: string[]; codeShape: number[] };
    expect(out.kinds).toEqual(['classifier', 'conv', 'denoising', 'gan', 'overcompleteSparse', 'transferHead', 'undercomplete', 'vae']);
    expect(out.defined).toBe('function');
    expect(out.codeShape).toEqual([1, 2]);
    expect(out.failures).toEqual([
      expect.stringMatching(/^LatentkitError true latentkit: save reads and writes folders and needs Node\.js; in a browser use 'indexeddb:\/\/name'/),
      expect.stringMatching(/^LatentkitError true latentkit: loadMnist reads data files and needs Node\.js/),
      expect.stringMatching(/^LatentkitError true latentkit: loadCsv \(with a file path\) reads data files and needs Node\.js/),
    ]);
  });
});

describe('in Node, the published entries', () => {
  it('work from ESM: save and load through the file system', () => {
    const file = join(dir, 'node.mjs');
    writeFileSync(
      file,
      `import { useBackend, undercompleteAE, save, load } from 'latentkit';
import { registeredModelKinds } from 'latentkit/advanced';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { tmpdir } from 'node:os';
await useBackend('cpu');
const ae = undercompleteAE({ inputDim: 4, codeDim: 2, seed: 1 });
const where = join(mkdtempSync(join(tmpdir(), 'latentkit-esm-')), 'ae');
await save(ae, where);
const back = await load(where);
console.log(JSON.stringify({ kind: back.kind, kinds: registeredModelKinds().length }));
`,
    );
    const out = execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out.trim())).toEqual({ kind: 'undercomplete', kinds: 8 });
    // latentkit chose the backend on purpose: no tfjs "Hi, looks like you are running TensorFlow.js in Node.js" banner.
    expect(out).not.toMatch(/looks like you are running/);
  });

  it('work from CommonJS, the two entries sharing one registry and one error class', () => {
    const file = join(dir, 'node.cjs');
    writeFileSync(
      file,
      `const lk = require('latentkit');
const advanced = require('latentkit/advanced');
advanced.defineModelKind({ kind: 'probe', rebuild: () => { throw new Error('unused'); }, parts: () => ({}) });
let error;
try { lk.undercompleteAE({ inputDim: 4, codeDim: 2, hiddenUnit: [3] }); } catch (e) { error = e; }
console.log(JSON.stringify({ shared: advanced.registeredModelKinds().includes('probe') && typeof lk.save === 'function',
  name: error.name, isConfigError: error instanceof lk.ConfigError, message: error.message }));
`,
    );
    const out = JSON.parse(execFileSync(process.execPath, [file], { cwd: root, encoding: 'utf8' }).trim()) as Record<string, unknown>;
    expect(out).toMatchObject({ shared: true, name: 'ConfigError', isConfigError: true });
    expect(out['message']).toMatch(/undercompleteAE\.hiddenUnit = \[3\]: unknown option; did you mean `hiddenUnits`\?/);
  });
});
