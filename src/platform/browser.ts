/**
 * The non-Node side of latentkit's platform split (see `core/environment.ts`): what `#platform` resolves
 * to in browsers, workers and every bundler that does not target Node. It has no Node modules to give, so
 * latentkit's Node-only functions throw an error saying they need Node.
 * @module
 */
import type { NodeModules } from '../core/environment.js';

/** Absent outside Node. */
export const loadNodeModules: (() => Promise<NodeModules>) | undefined = undefined;
