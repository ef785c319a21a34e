import { randomUUID } from 'node:crypto';
import { constants, type Dirent } from 'node:fs';
import { access, chmod, link, lstat, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ensureWritableDirectory } from './directories';
import { sha256Hex } from './hash';
import {
  ConditionalWriteConflictError,
  type ConditionalWriteStore,
  type EvidenceStore,
  type ListedObject,
  ObjectExistsError,
  type PutOptions,
  readOnlyStore,
  type StoredObject,
  StoreUnavailableError,
  type TaggedObject,
} from './store';

/** Raised when a path inside the store is a symbolic link: it could send reads and writes outside the store. */
export class StoreSymlinkError extends Error {
  constructor(
    readonly location: string,
    readonly path: string,
  ) {
    super(`evidence store ${location}: refusing the symbolic link ${path} inside the store`);
    this.name = 'StoreSymlinkError';
  }
}

/**
 * Evidence in a local directory, with the same keys and bytes as the bucket.
 * Files are written read-only and write-once keys are created with link(2), which fails
 * atomically if the key exists, so two concurrent writers can never clobber evidence.
 */
export class LocalDirectoryStore implements ConditionalWriteStore {
  readonly location: string;
  /** Directories under the root already seen to be real directories, not links. */
  private readonly realDirectories = new Set<string>();

  private constructor(private readonly root: string) {
    this.location = root;
  }

  /** Creates the directory if needed and proves it is writable before any collection starts. */
  static async open(dir: string): Promise<LocalDirectoryStore> {
    const root = resolve(dir);
    try {
      await ensureWritableDirectory(root);
      await refuseTopLevelLinks(root);
    } catch (err) {
      throw new StoreUnavailableError(root, (err as Error).message);
    }
    return new LocalDirectoryStore(root);
  }

  /**
   * An existing store for reading only (verify, an auditor's read-only copy): never creates
   * the directory, never asks for write access, and refuses every write.
   */
  static async openReadOnly(dir: string): Promise<EvidenceStore> {
    const root = resolve(dir);
    try {
      if (!(await stat(root)).isDirectory()) throw new Error('not a directory');
      await access(root, constants.R_OK | constants.X_OK);
      await refuseTopLevelLinks(root);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new StoreUnavailableError(root, missing ? 'no such directory' : (err as Error).message);
    }
    return readOnlyStore(new LocalDirectoryStore(root));
  }

  private pathOf(key: string): string {
    const path = resolve(this.root, key);
    if (!path.startsWith(this.root + sep)) throw new Error(`key escapes the store: ${key}`);
    return path;
  }

  /** Every existing component below the root, the file included, must not be a symbolic link. */
  private async refuseLinks(path: string): Promise<void> {
    let current = this.root;
    for (const part of relative(this.root, path).split(sep)) {
      current = join(current, part);
      if (this.realDirectories.has(current)) continue;
      let info: Awaited<ReturnType<typeof lstat>>;
      try {
        info = await lstat(current);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      if (info.isSymbolicLink()) throw new StoreSymlinkError(this.location, current);
      if (info.isDirectory()) this.realDirectories.add(current);
    }
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    const path = this.pathOf(key);
    await this.refuseLinks(path);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, body, { mode: 0o444 });
    try {
      if (options.overwrite) {
        await rename(tmp, path);
      } else {
        await link(tmp, path).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? new ObjectExistsError(key) : err;
        });
      }
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
    await chmod(path, 0o444);
    return { key, sha256: sha256Hex(body), size: body.byteLength };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const path = this.pathOf(key);
    await this.refuseLinks(path);
    try {
      return new Uint8Array(await readFile(path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    const body = await this.get(key);
    return body ? { body, tag: sha256Hex(body) } : undefined;
  }

  /**
   * Compare and swap: an exclusive lock file (created with O_EXCL) is held only while the
   * current bytes are compared with the tag read and the new bytes are renamed into place.
   */
  async putIfUnchanged(key: string, body: Uint8Array, expectedTag: string | undefined): Promise<StoredObject & { tag: string }> {
    const path = this.pathOf(key);
    await this.refuseLinks(path);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, body, { mode: 0o444 });
    const release = await acquireLock(`${path}.lock.tmp`, key);
    try {
      if ((await this.getTagged(key))?.tag !== expectedTag) throw new ConditionalWriteConflictError(key);
      await rename(tmp, path);
    } finally {
      await release();
      await unlink(tmp).catch(() => undefined);
    }
    const sha256 = sha256Hex(body);
    return { key, sha256, size: body.byteLength, tag: sha256 };
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    // Start the walk at the deepest directory the prefix names, then filter by the full prefix.
    const slash = prefix.lastIndexOf('/');
    const start = slash >= 0 ? join(this.root, prefix.slice(0, slash)) : this.root;
    if (start !== this.root) await this.refuseLinks(start);
    for await (const path of walkSorted(start)) {
      const key = relative(this.root, path).split(sep).join('/');
      if (!key.startsWith(prefix) || key.endsWith('.tmp')) continue;
      const info = await stat(path);
      yield { key, size: info.size, lastModified: info.mtime };
    }
  }

  async *listFolders(prefix: string): AsyncIterable<string> {
    const dir = prefix === '' ? this.root : this.pathOf(prefix);
    if (dir !== this.root) await this.refuseLinks(dir);
    yield* (await entriesOf(dir))
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  }
}

/**
 * A link among the store's top-level folders (evidence/, digests/, reports/...) is refused when
 * the store is opened, before any work; deeper links are refused when a key reaches them.
 */
async function refuseTopLevelLinks(root: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true }))
    if (entry.isSymbolicLink()) throw new Error(`refusing the symbolic link ${join(root, entry.name)} inside the store`);
}

/** How long a writer waits for another one's compare and rename before giving up. */
const LOCK_WAIT_MS = 5_000;
/** A lock older than this was left by a writer that died holding it (holding takes milliseconds). */
const STALE_LOCK_MS = 30_000;

async function acquireLock(path: string, key: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(path, 'wx', 0o600)).close();
      return () => unlink(path).catch(() => undefined);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const held = await stat(path).catch(() => undefined);
    if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) await unlink(path).catch(() => undefined);
    else if (Date.now() > deadline) throw new ConditionalWriteConflictError(key);
    else await new Promise((resolveWait) => setTimeout(resolveWait, 5));
  }
}

/** The entries of a directory; none when it does not exist (a prefix nothing was written under). */
async function entriesOf(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

/** Files under dir in key order; symbolic links are neither files nor directories here, so they are never followed. */
async function* walkSorted(dir: string): AsyncIterable<string> {
  const entries = await entriesOf(dir);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkSorted(path);
    else if (entry.isFile()) yield path;
  }
}
