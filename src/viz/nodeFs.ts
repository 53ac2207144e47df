/**
 * Node's file system for the viz functions that write files (`saveImageGrid`, `writeReport`), through
 * latentkit's platform module, so that the rest of viz (PNG bytes, SVG text) stays usable in a browser.
 * @module
 */
import { nodeModules, type NodeModules } from '../core/environment.js';
import { ConfigError } from '../core/errors.js';

/**
 * Node's modules, for `caller` (a public function) that writes files.
 * @throws LatentkitError outside Node, saying to use the returned bytes or text instead.
 */
export function nodeFileSystem(caller: string): Promise<NodeModules> {
  return nodeModules(caller, 'writes files', 'in a browser use the returned bytes or text instead');
}

/**
 * Writes `data` to `file`, creating its folder: a Node error (the path is a folder, runs through a file,
 * is not writable) becomes a ConfigError naming `parameter` and the path.
 */
export async function writeOut(node: NodeModules, parameter: string, file: string, data: string | Uint8Array): Promise<void> {
  const { fs, path } = node;
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, data);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : undefined;
    const why: Record<string, string> = {
      EISDIR: 'it is a folder',
      ENOTDIR: 'a component of the path is a file',
      EEXIST: 'a component of the path is a file',
      EACCES: 'permission denied',
      EROFS: 'read-only file system',
      ENOSPC: 'the disk is full',
    };
    throw new ConfigError(parameter, file, `a path where a file can be written (${code ?? 'error'}: ${why[code ?? ''] ?? (e as Error).message})`);
  }
}
