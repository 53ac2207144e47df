/**
 * Node's file system, loaded on demand: the viz functions that write files import it dynamically so
 * that the rest of the module (PNG bytes, SVG text) stays usable in a browser bundle.
 *
 * @example
 * ```ts
 * const { fs, path } = await nodeFileSystem('saveImageGrid');
 * await fs.mkdir(path.dirname(file), { recursive: true });
 * ```
 * @module
 */
import { LatentkitError } from '../errors.js';
import { isNode } from '../backend/environment.js';

/** The two Node modules the writers need. */
export interface NodeFileSystem {
  fs: typeof import('node:fs/promises');
  path: typeof import('node:path');
}

/**
 * Loads `node:fs/promises` and `node:path`.
 *
 * @param caller - the public function asking, for the error message.
 * @throws LatentkitError outside Node.
 * @example
 * ```ts
 * const { fs } = await nodeFileSystem('writeReport');
 * ```
 */
export async function nodeFileSystem(caller: string): Promise<NodeFileSystem> {
  if (!isNode()) {
    throw new LatentkitError(`latentkit: ${caller} writes files and needs Node.js; in a browser use the returned bytes or text instead.`);
  }
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
}
