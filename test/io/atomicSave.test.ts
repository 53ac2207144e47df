/**
 * Fault injection for save: the file system latentkit reaches through `#platform` is Node's own, wrapped
 * here (vi.mock of node:fs/promises) so that a test can make a write fail midway through any file, crash
 * the process between two files or between the two renames of the swap, or refuse permission. After every
 * fault the previous save is byte-identical and loads; concurrent saves of a GAN never mix its parts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { GAN, ModelFileError, load, save, undercompleteAE, useBackend, type GenerativeAdversarialNetwork } from '../../src/index.js';

/** What the wrapped file system does: nothing unusual, unless a test sets a fault. */
const faults: {
  /** Called before each whole-file write of a save, with the file; may throw, or return how many bytes to write before failing. */
  write?: (file: string) => number | undefined;
  /** Called before each rename; may throw. */
  rename?: (from: string, to: string) => void;
  /** Called before mkdtemp; may throw. */
  mkdtemp?: (prefix: string) => void;
  /** After a simulated crash every call fails: the process is gone, nothing cleans up. */
  dead?: boolean;
} = {};

const crashed = () => Object.assign(new Error('simulated crash: the process is gone'), { code: 'ECRASH' });
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  const guard = <A extends unknown[], R>(f: (...a: A) => Promise<R>) => async (...a: A): Promise<R> => {
    if (faults.dead) throw crashed();
    return f(...a);
  };
  const wrapped = {
    ...fs,
    open: guard(async (file: Parameters<typeof fs.open>[0], flags?: Parameters<typeof fs.open>[1], mode?: Parameters<typeof fs.open>[2]) => {
      const handle = await fs.open(file, flags, mode);
      if (flags !== 'wx') return handle;
      const writeFileOf = handle.writeFile.bind(handle);
      handle.writeFile = (async (data: Uint8Array | string) => {
        const cut = faults.write?.(String(file));
        if (cut === undefined) return writeFileOf(data);
        const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
        await writeFileOf(bytes.subarray(0, cut));
        throw enospc();
      }) as typeof handle.writeFile;
      return handle;
    }),
    rename: guard(async (from: string, to: string) => {
      faults.rename?.(from, to);
      return fs.rename(from, to);
    }),
    mkdtemp: guard(async (prefix: string) => {
      faults.mkdtemp?.(prefix);
      return fs.mkdtemp(prefix);
    }),
    rm: guard(fs.rm),
    mkdir: guard(fs.mkdir),
    writeFile: guard(fs.writeFile),
    readdir: guard(fs.readdir),
  };
  return { ...wrapped, default: wrapped };
});

// The test's own file operations bypass the faults.
const { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } = await vi.importActual<typeof import('node:fs/promises')>('node:fs/promises');

let root: string;
let data: tf.Tensor;
let a: GenerativeAdversarialNetwork;
let b: GenerativeAdversarialNetwork;
let n = 0;
const newDir = () => join(root, `gan-${++n}`);

beforeAll(async () => {
  await useBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'latentkit-atomic-'));
  data = tf.randomNormal([16, 2], 0, 1, 'float32', 1);
  a = GAN({ dataShape: [2], zDim: 2, generatorUnits: [4], discriminatorUnits: [4], seed: 1 });
  b = GAN({ dataShape: [2], zDim: 2, generatorUnits: [4], discriminatorUnits: [4], seed: 2 });
  await a.fit(data, { epochs: 1, batchSize: 8, verbose: 0 });
  await b.fit(data, { epochs: 2, batchSize: 8, verbose: 0 });
});

beforeEach(() => {
  for (const k of Object.keys(faults)) delete faults[k as keyof typeof faults];
});

afterAll(async () => {
  a.dispose();
  b.dispose();
  data.dispose();
  await rm(root, { recursive: true, force: true });
});

/** Every file under `dir` with its bytes (base64), by relative path. */
async function snapshotFolder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out[relative(dir, p)] = (await readFile(p)).toString('base64');
    }
  };
  await walk(dir);
  return out;
}

/** The generator's samples and the discriminator's scores: which GAN a loaded one came from, part by part. */
function outputs(g: GenerativeAdversarialNetwork): { g: string; d: string } {
  const s = g.sample(4, { seed: 5 });
  const d = g.discriminate(data);
  const out = { g: Buffer.from(s.dataSync().buffer).toString('base64'), d: Buffer.from(d.dataSync().buffer).toString('base64') };
  tf.dispose([s, d]);
  return out;
}

async function loadedOutputs(dir: string): Promise<{ g: string; d: string }> {
  const loaded = await load<GenerativeAdversarialNetwork>(dir);
  try {
    return outputs(loaded);
  } finally {
    loaded.dispose();
  }
}

const leftovers = async (dir: string) => (await readdir(join(dir, '..'))).filter((e) => e.startsWith(`.${dir.split('/').pop()}.latentkit-`));

/** The files of a GAN save in the order save writes them. */
const FILES = ['weights.bin', 'model.json', 'discriminator/weights.bin', 'discriminator/model.json', 'latentkit.json'];

describe('a write that fails midway', () => {
  it.each(FILES)('through %s leaves the previous save byte-identical and loadable, and no temporary folder', async (file) => {
    const dir = newDir();
    await save(a, dir);
    const before = await snapshotFolder(dir);
    const tensors = tf.memory().numTensors;
    faults.write = (written) => (written.endsWith(`/${file}`) && written.includes('.latentkit-save-') ? 7 : undefined);
    const err = await save(b, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).file).toBe(join(dir, file));
    expect((err as Error).message).toMatch(/writing failed \(ENOSPC: the disk is full\); .* is as it was before this save/);
    expect(tf.memory().numTensors).toBe(tensors);
    delete faults.write;
    expect(await snapshotFolder(dir)).toEqual(before);
    expect(await leftovers(dir)).toEqual([]);
    expect(await loadedOutputs(dir)).toEqual(outputs(a));
  });
});

describe('a crash', () => {
  it.each(FILES.slice(1))('before %s is written leaves the previous save intact; the next save cleans up', async (file) => {
    const dir = newDir();
    await save(a, dir);
    const before = await snapshotFolder(dir);
    faults.write = (written) => {
      if (written.endsWith(`/${file}`)) {
        faults.dead = true;
        throw crashed();
      }
      return undefined;
    };
    await expect(save(b, dir)).rejects.toThrow(/simulated crash/);
    // The process "died": its temporary folder (and its lock) are still there.
    expect((await leftovers(dir)).some((e) => e.includes('latentkit-save-'))).toBe(true);
    for (const k of Object.keys(faults)) delete faults[k as keyof typeof faults];
    expect(await snapshotFolder(dir)).toEqual(before);
    expect(await loadedOutputs(dir)).toEqual(outputs(a));
    // A lock left by this (live) process is not stale: remove it as the dead process would have left it
    // for another process, which would find its owner gone.
    await rm(join(root, `.${dir.split('/').pop()}.latentkit-lock`), { recursive: true, force: true });
    await save(b, dir);
    expect(await leftovers(dir)).toEqual([]);
    expect(await loadedOutputs(dir)).toEqual(outputs(b));
  });

  it('between the two renames of the swap leaves the previous save aside; load finds it and the next save restores it', async () => {
    const dir = newDir();
    await save(a, dir);
    const before = await snapshotFolder(dir);
    faults.rename = (from, to) => {
      if (from.includes('.latentkit-save-') && to === dir) {
        faults.dead = true;
        throw crashed();
      }
    };
    await expect(save(b, dir)).rejects.toThrow(/simulated crash/);
    for (const k of Object.keys(faults)) delete faults[k as keyof typeof faults];
    expect(existsSync(dir)).toBe(false);
    const aside = (await leftovers(dir)).find((e) => e.includes('latentkit-old-'))!;
    expect(await snapshotFolder(join(root, aside))).toEqual(before);
    expect(await loadedOutputs(dir)).toEqual(outputs(a));
    await rm(join(root, `.${dir.split('/').pop()}.latentkit-lock`), { recursive: true, force: true });
    await save(b, dir);
    expect(await leftovers(dir)).toEqual([]);
    expect(await loadedOutputs(dir)).toEqual(outputs(b));
  });

  it('a failed swap (not a crash) puts the previous save back', async () => {
    const dir = newDir();
    await save(a, dir);
    const before = await snapshotFolder(dir);
    faults.rename = (from, to) => {
      if (from.includes('.latentkit-save-') && to === dir) throw Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' });
    };
    await expect(save(b, dir)).rejects.toThrow(/moving the new save into place failed .*the previous save was put back/);
    delete faults.rename;
    expect(await snapshotFolder(dir)).toEqual(before);
    expect(await leftovers(dir)).toEqual([]);
  });
});

describe('concurrent saves', () => {
  it('to one folder from one process are serialised: the result is one GAN, never one generator with the other discriminator', async () => {
    const dir = newDir();
    const order = [a, b, a, b, b, a, b, a];
    const results = await Promise.all(order.map((g) => save(g, dir)));
    expect(new Set(results.map((r) => r.info.saveId)).size).toBe(order.length);
    const last = await loadedOutputs(dir);
    // Serialised in call order: the last call wins, whole.
    expect(last).toEqual(outputs(order[order.length - 1]!));
    expect(await leftovers(dir)).toEqual([]);
  });

  it('wait for a lock held by another live process, and take over one whose process is gone', async () => {
    const dir = newDir();
    await mkdir(root, { recursive: true });
    const lock = join(root, `.${dir.split('/').pop()}.latentkit-lock`);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'owner.json'), JSON.stringify({ pid: child.pid, host: (await import('node:os')).hostname() }));
      let done = false;
      const saving = save(a, dir).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 400));
      expect(done).toBe(false);
      await rm(lock, { recursive: true });
      await saving;
      expect(await loadedOutputs(dir)).toEqual(outputs(a));
    } finally {
      child.kill();
    }
    await new Promise((r) => child.once('exit', r));
    // The child is gone now: its lock is stale.
    await mkdir(lock);
    await writeFile(join(lock, 'owner.json'), JSON.stringify({ pid: child.pid, host: (await import('node:os')).hostname() }));
    await save(b, dir);
    expect(await loadedOutputs(dir)).toEqual(outputs(b));
    expect(existsSync(lock)).toBe(false);
  });
});

describe('targets that cannot hold a save', () => {
  it('a file: refused naming it, the file untouched', async () => {
    const file = join(root, 'a-file.bin');
    await writeFile(file, 'precious');
    const err = await save(a, file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).file).toBe(file);
    expect((err as Error).message).toMatch(/is a file, not a folder/);
    expect(await readFile(file, 'utf8')).toBe('precious');
    // Loading from it says the same, rather than "not found".
    await expect(load(file)).rejects.toThrow(/a-file\.bin: is a file, not a folder/);
  });

  it('a path running through a file: refused naming the path', async () => {
    const file = join(root, 'plain.txt');
    await writeFile(file, 'x');
    const err = await save(a, join(file, 'model')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as Error).message).toMatch(/plain\.txt.*(ENOTDIR|EEXIST|is a file)/);
  });

  it('a folder holding other files: refused, nothing deleted', async () => {
    const dir = newDir();
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    await expect(save(a, dir)).rejects.toThrow(/holds files that are not part of a latentkit save \(notes\.txt\)/);
    expect(await readdir(dir)).toEqual(['notes.txt']);
  });

  it('an unwritable parent: refused naming it, the previous save untouched', async () => {
    const dir = newDir();
    await save(a, dir);
    const before = await snapshotFolder(dir);
    faults.mkdtemp = () => {
      throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    };
    const err = await save(b, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect((err as ModelFileError).file).toBe(root);
    expect((err as Error).message).toMatch(/creating a temporary folder for the save failed \(EACCES: permission denied\)/);
    expect(await snapshotFolder(dir)).toEqual(before);
  });

  it('a save of a disposed handle, or of a tfjs model instead of a handle, is refused by name', async () => {
    const ae = undercompleteAE({ inputDim: 3, codeDim: 2, seed: 1 });
    await expect(save(ae.model as never, newDir())).rejects.toThrow(/save\.handle = .*this is a tf\.LayersModel/);
    ae.dispose();
    await expect(save(ae, newDir())).rejects.toThrow(/save\.handle = "a disposed handle"/);
    expect((await stat(root)).isDirectory()).toBe(true);
  });
});
