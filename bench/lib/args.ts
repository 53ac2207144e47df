/**
 * Command-line flags of the bench scripts: `--name value` pairs read from an argument list.
 * @module
 */

/** The argument after `flag` in `args`, or undefined when `flag` is absent. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** {@link flagValue} as a number, or `dflt` when `flag` is absent. */
export function numberFlag(args: readonly string[], flag: string, dflt: number): number {
  const v = flagValue(args, flag);
  return v === undefined ? dflt : Number(v);
}
