/**
 * All-or-nothing writes of a save folder. The files are written (and flushed to disk) into a fresh
 * temporary folder beside the target, `.<name>.latentkit-save-XXXXXX`; only when every file is complete
 * is the old folder renamed aside (`.<name>.latentkit-old-...`), the new one renamed into place, and the
 * old one removed. Any failure before the swap leaves the target untouched, byte for byte; a crash in the
 * instant between the two renames leaves the old save complete beside it, and the next save (or a load)
 * to that target finds it there. Saves to one target are serialised: within a process by a queue, between
 * processes by a lock folder `.<name>.latentkit-lock` (a lock left by a process that no longer runs is
 * taken over; one held by a live process makes the save wait, then fail with an error naming it).
 *
 * @example
 * ```ts
 * await writeFolderAtomically(node, '/models/ae', [{ path: 'weights.bin', data: bytes }, { path: 'latentkit.json', data: json }]);
 * ```
 * @module
 */
import type { NodeModules } from '../core/environment.js';
import { ModelFileError } from './errors.js';

/** One file of a folder, by its path relative to the folder (`/` between names). */
export interface FolderFile {
  path: string;
  data: Uint8Array | string;
}

/** The file names latentkit writes in a save folder (and `.partial` leftovers of older versions). */
const SAVE_ENTRY = /^(latentkit\.json|model\.json|weights\.bin|[^/]*\.partial)$/;

/** How long a save waits for another process's save of the same folder. */
const LOCK_WAIT_MS = 30_000;

const queues = new Map<string, Promise<unknown>>();

export function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
}

const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exhausted',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a path component is a file, not a folder',
  EISDIR: 'it is a folder',
  EEXIST: 'something already exists there',
  ENAMETOOLONG: 'the path is too long',
};

/** A file-system failure as a ModelFileError naming `file` and what was being done. */
export function fileError(e: unknown, file: string, doing: string, after = ''): ModelFileError {
  if (e instanceof ModelFileError) return e;
  const code = errorCode(e);
  const detail = code === undefined ? (e instanceof Error ? e.message : String(e)) : `${code}: ${REASONS[code] ?? (e as Error).message}`;
  return new ModelFileError(file, `${doing} failed (${detail})${after}`, { cause: e });
}

/** Runs `fn` after every earlier queued call for `key` in this process has settled. */
export async function queued<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(key, settled);
  try {
    return await run;
  } finally {
    if (queues.get(key) === settled) queues.delete(key);
  }
}

async function exists(fs: NodeModules['fs'], p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** Writes `data` into a new file and flushes it to disk. */
async function writeDurably(fs: NodeModules['fs'], file: string, data: Uint8Array | string): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries to disk where the platform allows it (not on Windows). */
async function syncFolder(fs: NodeModules['fs'], dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Not supported here: the renames are still atomic, only their durability after a power cut is weaker.
  }
}

/** True when the process `pid` runs on this machine. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

/** Takes the cross-process lock of `target`, runs `fn`, releases it. */
async function withLock<T>(node: NodeModules, target: string, fn: () => Promise<T>): Promise<T> {
  const { fs, path, os } = node;
  const lock = path.join(path.dirname(target), `.${path.basename(target)}.latentkit-lock`);
  const owner = path.join(lock, 'owner.json');
  const started = Date.now();
  for (;;) {
    try {
      await fs.mkdir(lock);
      await fs.writeFile(owner, JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
      break;
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') throw fileError(e, lock, 'taking the save lock');
      const held = await fs.readFile(owner, 'utf8').then((t) => JSON.parse(t) as { pid?: number; host?: string }, () => undefined);
      const stale = held !== undefined && held.host === os.hostname() && typeof held.pid === 'number' && held.pid !== process.pid && !alive(held.pid);
      const orphan = held === undefined && (await fs.stat(lock).then((s) => Date.now() - s.mtimeMs > 10_000, () => true));
      if (stale || orphan) {
        await fs.rm(lock, { recursive: true, force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS) {
        const who = held?.pid === undefined ? 'another process' : `process ${held.pid}${held.host ? ` on ${held.host}` : ''}`;
        throw new ModelFileError(target, `another save to this folder is in progress (${who} holds ${lock}); if none is running, remove that folder`);
      }
      await new Promise((resolve) => setTimeout(resolve, 25 + Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lock, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Leftovers of earlier saves of `target` beside it: temporary folders and old folders set aside. */
async function leftovers(node: NodeModules, target: string): Promise<{ temporary: string[]; old: string[] }> {
  const { fs, path } = node;
  const parent = path.dirname(target);
  const prefix = `.${path.basename(target)}.latentkit-`;
  const names = await fs.readdir(parent).catch(() => [] as string[]);
  const pick = (kind: string) => names.filter((n) => n.startsWith(`${prefix}${kind}-`)).sort().map((n) => path.join(parent, n));
  return { temporary: pick('save'), old: pick('old') };
}

/**
 * Where an interrupted save left the previous complete save of `target` when the target itself is missing
 * (a crash between the two renames of the swap), if anywhere.
 */
export async function setAsideSave(node: NodeModules, target: string): Promise<string | undefined> {
  if (await exists(node.fs, target)) return undefined;
  const { old } = await leftovers(node, target);
  return old[old.length - 1];
}

/** Cleans up after saves of `target` that were interrupted (holding its lock, so none is running). */
async function recover(node: NodeModules, target: string): Promise<void> {
  const { fs } = node;
  const { temporary, old } = await leftovers(node, target);
  for (const t of temporary) await fs.rm(t, { recursive: true, force: true });
  if (old.length > 0 && !(await exists(fs, target))) await fs.rename(old.pop()!, target);
  for (const o of old) await fs.rm(o, { recursive: true, force: true });
}

/** Refuses a target that is a file, or a folder holding anything but a save (which the swap would delete). */
async function checkTarget(node: NodeModules, target: string): Promise<void> {
  const { fs, path } = node;
  const info = await fs.lstat(target).catch((e: unknown) => {
    if (errorCode(e) === 'ENOENT') return undefined;
    throw fileError(e, target, 'reading the save folder');
  });
  if (info === undefined) return;
  if (!info.isDirectory()) {
    throw new ModelFileError(target, 'is a file, not a folder: save writes a folder of files (latentkit.json, model.json, weights.bin); choose a folder path');
  }
  const foreign: string[] = [];
  for (const entry of await fs.readdir(target, { withFileTypes: true })) {
    if (entry.isFile() && SAVE_ENTRY.test(entry.name)) continue;
    if (entry.isDirectory()) {
      const inner = await fs.readdir(path.join(target, entry.name), { withFileTypes: true });
      if (inner.every((e) => e.isFile() && SAVE_ENTRY.test(e.name))) continue;
    }
    foreign.push(entry.name);
  }
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 5).join(', ') + (foreign.length > 5 ? `, ... (${foreign.length})` : '');
    throw new ModelFileError(
      target,
      `holds files that are not part of a latentkit save (${shown}): a save replaces the whole folder, so save into a new or empty folder, or into one holding only an earlier save`,
    );
  }
}

/**
 * Writes `files` as the folder `target`, all or nothing (see the module notes). The parent folder is
 * created if needed. Files are written in the given order (put the one that marks a complete save last).
 *
 * @throws ModelFileError naming the target (or the file, or the parent) and saying what failed; the
 *   target is then as it was before the call.
 */
export async function writeFolderAtomically(node: NodeModules, target: string, files: readonly FolderFile[]): Promise<void> {
  const { fs, path } = node;
  const absolute = path.resolve(target);
  const parent = path.dirname(absolute);
  await fs.mkdir(parent, { recursive: true }).catch((e: unknown) => {
    throw fileError(e, parent, 'creating the folder that holds the save');
  });
  await queued(`folder:${absolute}`, () =>
    withLock(node, absolute, async () => {
      await recover(node, absolute);
      await checkTarget(node, absolute);
      const unchanged = `; ${absolute} is as it was before this save`;
      let temporary: string;
      try {
        temporary = await fs.mkdtemp(path.join(parent, `.${path.basename(absolute)}.latentkit-save-`));
      } catch (e) {
        throw fileError(e, parent, 'creating a temporary folder for the save', unchanged);
      }
      try {
        for (const file of files) {
          const where = path.join(temporary, ...file.path.split('/'));
          try {
            await fs.mkdir(path.dirname(where), { recursive: true });
            await writeDurably(fs, where, file.data);
          } catch (e) {
            throw fileError(e, path.join(absolute, ...file.path.split('/')), 'writing', unchanged);
          }
        }
        for (const dir of new Set(files.map((f) => path.dirname(path.join(temporary, ...f.path.split('/')))))) await syncFolder(fs, dir);
        await swap(node, temporary, absolute);
      } catch (e) {
        await fs.rm(temporary, { recursive: true, force: true }).catch(() => undefined);
        throw e;
      }
    }),
  );
}

/** Puts the complete folder `fresh` at `target`, setting aside and then removing what was there. */
async function swap(node: NodeModules, fresh: string, target: string): Promise<void> {
  const { fs, path } = node;
  const parent = path.dirname(target);
  if (!(await exists(fs, target))) {
    try {
      await fs.rename(fresh, target);
    } catch (e) {
      throw fileError(e, target, 'moving the new save into place');
    }
    await syncFolder(fs, parent);
    return;
  }
  const old = path.join(parent, `.${path.basename(target)}.latentkit-old-${Date.now().toString(36)}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  try {
    await fs.rename(target, old);
  } catch (e) {
    throw fileError(e, target, 'setting the previous save aside', `; ${target} is as it was before this save`);
  }
  try {
    await fs.rename(fresh, target);
  } catch (e) {
    await fs.rename(old, target).catch(() => undefined);
    throw fileError(e, target, 'moving the new save into place', `; the previous save was put back`);
  }
  await syncFolder(fs, parent);
  await fs.rm(old, { recursive: true, force: true }).catch(() => undefined);
}
