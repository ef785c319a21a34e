import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { ConditionalWriteConflictError } from '../../../lambdas/evidence/store';

const KEY = 'state/v1/finding-status.json';
const bytes = (text: string) => new TextEncoder().encode(text);

describe('LocalDirectoryStore conditional writes', () => {
  let dir: string;
  let store: LocalDirectoryStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'conditional-'));
    store = await LocalDirectoryStore.open(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates only when absent and replaces only the version read', async () => {
    // Act
    const created = await store.putIfUnchanged(KEY, bytes('one'), undefined);
    const recreate = store.putIfUnchanged(KEY, bytes('again'), undefined);
    const replaced = await store.putIfUnchanged(KEY, bytes('two'), created.tag);
    const stale = store.putIfUnchanged(KEY, bytes('three'), created.tag);

    // Assess
    await expect(recreate).rejects.toBeInstanceOf(ConditionalWriteConflictError);
    await expect(stale).rejects.toBeInstanceOf(ConditionalWriteConflictError);
    expect(await store.getTagged(KEY)).toEqual({ body: bytes('two'), tag: replaced.tag });
  });

  it('lets exactly one of several writers holding the same version win', async () => {
    // Prepare
    const { tag } = await store.putIfUnchanged(KEY, bytes('base'), undefined);

    // Act
    const writes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => store.putIfUnchanged(KEY, bytes(`writer ${i}`), tag)),
    );

    // Assess
    const won = writes.flatMap((w, i) => (w.status === 'fulfilled' ? [i] : []));
    expect(won).toHaveLength(1);
    expect(new TextDecoder().decode((await store.get(KEY))!)).toBe(`writer ${won[0]}`);
    for (const w of writes) if (w.status === 'rejected') expect(w.reason).toBeInstanceOf(ConditionalWriteConflictError);
  });

  it('breaks a lock left by a writer that died holding it, and leaves no lock or temporary file behind', async () => {
    // Prepare: a lock file a minute old
    const { tag } = await store.putIfUnchanged(KEY, bytes('base'), undefined);
    const lock = join(dir, `${KEY}.lock.tmp`);
    await writeFile(lock, '');
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lock, minuteAgo, minuteAgo);

    // Act
    await store.putIfUnchanged(KEY, bytes('after'), tag);

    // Assess
    const listed: string[] = [];
    for await (const o of store.list('state/')) listed.push(o.key);
    expect(listed).toEqual([KEY]);
    expect(await readdir(join(dir, 'state', 'v1'))).toEqual(['finding-status.json']);
  });
});
