/**
 * Node's file system for the viz functions that write files (`saveImageGrid`, `writeReport`), through
 * latentkit's platform module, so that the rest of viz (PNG bytes, SVG text) stays usable in a browser.
 * @module
 */
import { nodeModules, type NodeModules } from '../core/environment.js';

/**
 * Node's modules, for `caller` (a public function) that writes files.
 * @throws LatentkitError outside Node, saying to use the returned bytes or text instead.
 */
export function nodeFileSystem(caller: string): Promise<NodeModules> {
  return nodeModules(caller, 'writes files', 'in a browser use the returned bytes or text instead');
}
