import { execFile } from 'node:child_process';
import { decode } from 'fast-png';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..', '..');
const tsxCli = join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function runDemo(script: string, args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [tsxCli, script, ...args],
      // The wasm glue can print its whole source on a crash: keep room for it, and show only the tail.
      { cwd: root, timeout: 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, LATENTKIT_BACKEND: 'wasm' } },
      (error, stdout, stderr) => done({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

const tail = (text: string) => text.slice(-2000);

// The demo (`npm run demo`) is the conv one; the dense one shares its report.
const SCRIPTS = ['examples/conv-denoising-interpolation.ts', 'examples/dense-denoising.ts'];

describe.each(SCRIPTS)('%s', (script) => {
  let out: string;
  let run: Run;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'latentkit-demo-'));
    run = await runDemo(script, ['--epochs', '1', '--train', '300', '--out', out]);
  }, 150_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('exits with code 0 and says where the report is', () => {
    expect(run.code, `stderr:\n${tail(run.stderr)}\nstdout:\n${tail(run.stdout)}`).toBe(0);
    expect(run.stdout).toContain(`report: ${join(out, 'index.html')}`);
    expect(run.stdout).toMatch(/epoch 1\/1/);
    // The console line gives the MSE to the clean digits before and after: the training noise, two unseen ones, and (conv) a second network trained on a strong noise.
    expect(run.stdout).toMatch(/noisy input -> denoised output: .*\d\.\d{4} -> \d\.\d{4}.*masking 0\.3 \d\.\d{4} -> \d\.\d{4}; Gaussian 0\.3, clipped to \[0, 1\] \d\.\d{4} -> \d\.\d{4}/);
    if (script.includes('conv')) expect(run.stdout).toMatch(/the same network trained on Gaussian 0\.5, clipped to \[0, 1\] 0\.1\d{3} -> \d\.\d{4}/);
  });

  it('writes 4x8 grids of 28x28 digits at scale 2 with 1-pixel padding, and a 1x10 interpolation', async () => {
    const strong = script.includes('conv') ? ['noisy-strong.png', 'denoised-strong.png'] : [];
    for (const name of ['clean.png', 'noisy.png', 'denoised.png', 'noisy-masking.png', 'denoised-masking.png', 'noisy-gaussian.png', 'denoised-gaussian.png', ...strong]) {
      const png = decode(await readFile(join(out, name)));
      expect([png.width, png.height, png.channels], name).toEqual([8 * 56 + 9, 4 * 56 + 5, 1]);
    }
    const strip = decode(await readFile(join(out, 'interpolation.png')));
    expect([strip.width, strip.height, strip.channels]).toEqual([10 * 56 + 11, 56 + 2, 1]);
  });

  it('writes loss.svg and an index.html that links every picture and inlines the curve', async () => {
    const svg = await readFile(join(out, 'loss.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns/);
    expect(svg).toContain('<polyline');
    expect((await stat(join(out, 'index.html'))).size).toBeGreaterThan(0);
    const html = await readFile(join(out, 'index.html'), 'utf8');
    for (const name of ['clean.png', 'noisy.png', 'denoised.png', 'noisy-masking.png', 'denoised-gaussian.png', 'interpolation.png']) expect(html).toContain(`src="${name}"`);
    expect(html).toContain('data-series="loss"');
    expect(html).toContain('data-series="valLoss"');
    for (const metric of ['train loss', 'val loss', 'noisy input vs clean', 'denoised output vs clean', 'masking 0.3', 'Gaussian 0.3, clipped', 'the reconstruction error', 'examples/s', 'backend']) {
      expect(html).toContain(metric);
    }
    // Six MSE figures against the clean digits (input and output for three noises) and the reconstruction error.
    const figures = [...html.matchAll(/vs clean(?: \(the reconstruction error\))?<\/td><td class="value">([\d.e-]+)</g)].map((m) => Number(m[1]));
    expect(figures).toHaveLength(script.includes('conv') ? 10 : 7);
    for (const v of figures) expect(v).toBeGreaterThan(0);
    expect(html).toMatch(/<td>backend<\/td><td>wasm/);
  });

  it('rejects bad flags with a message, the usage and exit code 2', async () => {
    const [badValue, unknown] = await Promise.all([runDemo(script, ['--epochs', 'zero']), runDemo(script, ['--epoch', '3'])]);
    expect(badValue.code).toBe(2);
    expect(tail(badValue.stderr)).toContain('--epochs zero: expected an integer in [1, 1000]');
    expect(tail(badValue.stderr)).toContain(`usage: npx tsx ${script}`);
    expect(unknown.code).toBe(2);
    expect(tail(unknown.stderr)).toMatch(/Unknown option '--epoch'/);
  });
});
