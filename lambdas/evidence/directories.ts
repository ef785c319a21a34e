import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * mkdir -p one level at a time: Node's recursive mkdir never settles on some special
 * file systems (a path under /proc hangs it), and every path we write must fail fast.
 */
export async function makeDirectories(path: string, mode?: number): Promise<void> {
  const options = mode === undefined ? {} : { mode };
  try {
    await mkdir(path, options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'ENOENT' || dirname(path) === path) throw err;
    await makeDirectories(dirname(path), mode);
    await mkdir(path, options).catch((again: NodeJS.ErrnoException) => {
      if (again.code !== 'EEXIST') throw again;
    });
  }
}

/**
 * Creates the directory if needed and proves it is a directory we can write, before any work
 * that would otherwise fail only at its end (a path naming a regular file, a read-only mount).
 */
export async function ensureWritableDirectory(path: string, mode?: number): Promise<void> {
  await makeDirectories(path, mode);
  if (!(await stat(path)).isDirectory()) throw new Error(`${path} is not a directory`);
  await access(path, constants.W_OK);
}
