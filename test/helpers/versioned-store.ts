import { sha256Hex } from '../../lambdas/evidence/hash';
import {
  type ListedObject,
  ObjectExistsError,
  type ObjectVersion,
  type PutOptions,
  type StoredObject,
  type VersionedEvidenceStore,
} from '../../lambdas/evidence/store';

interface Version {
  versionId: string;
  body: Uint8Array;
}

/**
 * An in-memory versioned store that behaves like the Object Lock bucket: write-once puts,
 * every version kept, versions listed most recent first per key as S3 lists them.
 * `writeVersion` is what someone with plain s3:PutObject can do: add a version to any key.
 */
export class MemoryVersionedStore implements VersionedEvidenceStore {
  readonly location = 'memory://versioned';
  private readonly objects = new Map<string, Version[]>();
  private written = 0;

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<StoredObject> {
    if (!options?.overwrite && this.objects.has(key)) throw new ObjectExistsError(key);
    return this.writeVersion(key, body);
  }

  /** Adds a new current version to the key, write-once or not. */
  writeVersion(key: string, body: Uint8Array | string): StoredObject {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    this.written += 1;
    const version = { versionId: `v${this.written}`, body: bytes };
    this.objects.set(key, [...(this.objects.get(key) ?? []), version]);
    return { key, sha256: sha256Hex(bytes), size: bytes.byteLength, versionId: version.versionId };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.at(-1)?.body;
  }

  async getVersion(key: string, versionId: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key)?.find((v) => v.versionId === versionId)?.body;
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    for (const key of this.keys(prefix)) {
      const current = this.objects.get(key)!.at(-1)!;
      yield { key, size: current.body.byteLength, lastModified: new Date(0), versionId: current.versionId };
    }
  }

  async *listVersions(prefix: string): AsyncIterable<ObjectVersion> {
    for (const key of this.keys(prefix)) {
      const versions = this.objects.get(key)!;
      for (const [index, version] of [...versions.entries()].reverse()) {
        yield {
          key,
          versionId: version.versionId,
          size: version.body.byteLength,
          lastModified: new Date(0),
          isLatest: index === versions.length - 1,
          isDeleteMarker: false,
        };
      }
    }
  }

  private keys(prefix: string): string[] {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}
