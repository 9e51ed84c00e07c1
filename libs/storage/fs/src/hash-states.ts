import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HashState } from '@cargohold/storage-ports';
import { isNotFound } from './fs-layout';

/**
 * An upload's saved hash states, one file per offset in `dir` (`…/<alg>/<offset>`): the latest only,
 * written after the bytes are durable, by rename, so a crash leaves the new state or the previous one.
 */
export async function saveState(dir: string, state: HashState): Promise<void> {
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.${state.offset}.tmp`);
  await writeFile(temp, state.state, { flush: true });
  await rename(temp, join(dir, String(state.offset)));
  for (const name of await readdir(dir)) {
    if (name !== String(state.offset)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/** The state in `dir` with the highest offset not past `size`, if any. */
export async function latestState(dir: string, algorithm: HashState['algorithm'], size: number): Promise<HashState | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const offsets = names
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((offset) => offset <= size);
  if (offsets.length === 0) return undefined;
  const offset = Math.max(...offsets);
  try {
    return { algorithm, offset, state: new Uint8Array(await readFile(join(dir, String(offset)))) };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
