import { type EvidenceStore, isVersionedStore, type ObjectVersion, type VersionedEvidenceStore } from '../evidence/store';

/** One key as the store holds it now: its current version and, in a versioned store, every version. */
export interface StoredKey {
  key: string;
  /** The current object; undefined when a delete marker hides the key. */
  current?: { versionId?: string; size: number };
  /** Every version id of the key (empty for stores without versions). */
  versionIds: ReadonlySet<string>;
  /** Versions and delete markers of the key: more than one means it was written again. 1 without versions. */
  writes: number;
}

/** S3 names the version of an object written before versioning was enabled "null". */
function realVersionId(versionId: string): string | undefined {
  return versionId === 'null' ? undefined : versionId;
}

/** Keys under a prefix in key order, one at a time: versions are grouped per key as they stream. */
export async function* storedKeys(store: EvidenceStore, prefix: string): AsyncIterable<StoredKey> {
  if (!isVersionedStore(store)) {
    for await (const object of store.list(prefix)) {
      yield { key: object.key, current: { size: object.size }, versionIds: new Set(), writes: 1 };
    }
    return;
  }
  for await (const versions of keyVersions(store, prefix)) yield groupToKey(versions);
}

/**
 * Every version and delete marker of each key under the prefix, one key at a time, oldest
 * first. S3 lists the versions of a key most recent first, in the order they were stored
 * (lastModified has only second precision, so it cannot order them).
 */
export async function* keyVersions(store: VersionedEvidenceStore, prefix: string): AsyncIterable<ObjectVersion[]> {
  let group: ObjectVersion[] = [];
  for await (const version of store.listVersions(prefix)) {
    if (group.length > 0 && group[0]!.key !== version.key) {
      yield group.reverse();
      group = [];
    }
    group.push(version);
  }
  if (group.length > 0) yield group.reverse();
}

function groupToKey(versions: ObjectVersion[]): StoredKey {
  const latest = versions.find((v) => v.isLatest);
  return {
    key: versions[0]!.key,
    current: latest && !latest.isDeleteMarker ? { versionId: realVersionId(latest.versionId), size: latest.size } : undefined,
    versionIds: new Set(versions.filter((v) => !v.isDeleteMarker).map((v) => v.versionId)),
    writes: versions.length,
  };
}

/** The bytes of one version when the digest names it, else of the current object. */
export async function readObject(store: EvidenceStore, key: string, versionId?: string): Promise<Uint8Array | undefined> {
  if (versionId !== undefined && isVersionedStore(store)) return store.getVersion(key, versionId);
  return store.get(key);
}

/**
 * Runs fn over a stream with at most `concurrency` calls in flight, pulling items only as
 * slots free up, so memory stays bounded however long the stream is. The first failure stops
 * the stream and is rethrown once the calls in flight have settled.
 */
export async function forEachBounded<T>(
  items: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const task: Promise<void> = fn(item)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}
