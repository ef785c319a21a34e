import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const fs = jest.requireActual<typeof FsPromises>('node:fs/promises');
let denied = false;

/**
 * Tests run as root, where file modes do not stop writes. While denied, asking for write
 * access fails as it does for an auditor's user on a read-only copy. Use as
 * `jest.mock('node:fs/promises', () => jest.requireActual('<this file>').fsWithWriteAccessDenial())`.
 */
export function fsWithWriteAccessDenial(): typeof FsPromises {
  return {
    ...fs,
    access: async (path, mode) => {
      if (denied && mode !== undefined && (mode & fs.constants.W_OK) !== 0)
        throw Object.assign(new Error(`EACCES: permission denied, access '${String(path)}'`), { code: 'EACCES' });
      return fs.access(path, mode);
    },
  };
}

export function denyWriteAccess(deny: boolean): void {
  denied = deny;
}

/** Every file and directory of a tree made read-only, as `chmod -R a-w` does (writable again: `u+w`, so it can be removed). */
export async function setReadOnly(root: string, readOnly: boolean): Promise<void> {
  const info = await fs.lstat(root).catch(() => undefined);
  if (!info || info.isSymbolicLink()) return;
  if (readOnly) await fs.chmod(root, info.mode & ~0o222);
  else await fs.chmod(root, info.mode | 0o200);
  if (info.isDirectory()) for (const name of await fs.readdir(root)) await setReadOnly(join(root, name), readOnly);
}

/** Every path under a directory with its mode, size and modification time: equal before and after means nothing was written. */
export async function tree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (path: string): Promise<void> => {
    const info = await fs.lstat(path);
    lines.push(`${relative(root, path)} ${info.mode.toString(8)} ${info.size} ${info.mtimeMs}`);
    if (info.isDirectory()) for (const name of (await fs.readdir(path)).sort()) await walk(join(path, name));
  };
  await walk(root);
  return lines;
}

/**
 * Registers jest hooks: a fresh temporary directory per test, with the CLI's configuration
 * home (where local signing keys live) inside it; write access allowed again and everything
 * removed afterwards, read-only parts included. Returns a getter for the directory.
 */
export function useScratchDirectory(prefix: string): () => string {
  let dir: string | undefined;
  const xdg = process.env.XDG_CONFIG_HOME;
  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), prefix));
    process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  });
  afterEach(async () => {
    denyWriteAccess(false);
    if (xdg === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = xdg;
    if (dir) {
      await setReadOnly(dir, false);
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
  return () => {
    if (!dir) throw new Error('scratch directory exists only inside a test');
    return dir;
  };
}
