/**
 * Helpers for tests that edit saved folders.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const sha256 = (data: Uint8Array | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Recomputes a folder save's checksums after a test edited its files, as a forger would: what load finds
 * then is only what the checks behind the checksums see.
 */
export async function reseal(dir: string): Promise<void> {
  const file = join(dir, 'latentkit.json');
  const { files, checksum: _old, ...rest } = JSON.parse(await readFile(file, 'utf8')) as { files: Record<string, string>; checksum: string };
  for (const name of Object.keys(files)) files[name] = sha256(await readFile(join(dir, ...name.split('/'))));
  const record = { ...rest, files };
  await writeFile(file, JSON.stringify({ ...record, checksum: sha256(JSON.stringify(record, null, 2)) }, null, 2));
}
