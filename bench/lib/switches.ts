/**
 * The speed levers' switches (`kernelOptions` of `src/backend/wasm/util.ts`) named on a bench script's
 * command line: checked, and turned off for a whole run.
 */
import { kernelOptions } from '../../src/backend/wasm/util.js';

/** The name of a boolean switch of `kernelOptions`. */
export type Switch = { [K in keyof typeof kernelOptions]: (typeof kernelOptions)[K] extends boolean ? K : never }[keyof typeof kernelOptions];

/** `names` as switches; throws on a name that is not a boolean switch, listing the known ones. */
export function checkSwitches(names: readonly string[]): Switch[] {
  const known = Object.entries(kernelOptions).filter(([, v]) => typeof v === 'boolean').map(([k]) => k);
  for (const name of names) if (!known.includes(name)) throw new Error(`unknown switch ${name}; known: ${known.join(', ')}`);
  return names as Switch[];
}

/** Turns the named switches off (before the models are built: some are read then). */
export function switchesOff(names: readonly string[]): void {
  for (const name of checkSwitches(names)) kernelOptions[name] = false;
}
