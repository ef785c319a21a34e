/** Where an object landed and what its bytes hash to: the pair every finding cites. */
export interface StoredObject {
  key: string;
  /** Hex SHA-256 of the stored bytes (gzipped bytes for evidence). */
  sha256: string;
  size: number;
  versionId?: string;
}

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date;
  versionId?: string;
}

export interface PutOptions {
  contentType?: string;
  /**
   * Evidence is write-once (the default): the store refuses to replace an existing key.
   * Mutable objects (reports/latest, alert state) set this and are still retained as versions by S3.
   */
  overwrite?: boolean;
}

/**
 * One interface for the S3 bucket and the local directory, so collectors, the evaluator,
 * verify and the CLI never care where evidence lives.
 */
export interface EvidenceStore {
  /** Human-readable location, used in messages ("s3://bucket" or a path). */
  readonly location: string;
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<StoredObject>;
  /** Returns undefined when the key does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every object under the prefix, in key order. */
  list(prefix: string): AsyncIterable<ListedObject>;
  /**
   * The names of the folders directly under a prefix ending in "/" (S3: common prefixes with
   * delimiter "/"), in key order; lets readers pick date partitions without listing every key.
   */
  listFolders?(prefix: string): AsyncIterable<string>;
}

/** An object's bytes and the tag a conditional write compares: S3's ETag, a local file's SHA-256. */
export interface TaggedObject {
  body: Uint8Array;
  tag: string;
}

/**
 * A store that replaces an object only if nobody replaced it since it was read (compare and
 * swap), so concurrent writers of one mutable object cannot both win.
 */
export interface ConditionalWriteStore extends EvidenceStore {
  getTagged(key: string): Promise<TaggedObject | undefined>;
  /**
   * Writes when the object's current tag is `expectedTag`, or, with `expectedTag` undefined,
   * when the object does not exist; otherwise throws ConditionalWriteConflictError.
   */
  putIfUnchanged(
    key: string,
    body: Uint8Array,
    expectedTag: string | undefined,
    options?: Pick<PutOptions, 'contentType'>,
  ): Promise<StoredObject & { tag: string }>;
}

export function supportsConditionalWrites(store: EvidenceStore): store is ConditionalWriteStore {
  const candidate = store as Partial<ConditionalWriteStore>;
  return typeof candidate.getTagged === 'function' && typeof candidate.putIfUnchanged === 'function';
}

/** Raised when a conditional write finds the object changed, created or removed since it was read. */
export class ConditionalWriteConflictError extends Error {
  constructor(readonly key: string) {
    super(`${key} changed since it was read`);
    this.name = 'ConditionalWriteConflictError';
  }
}

/** One version of an object, or a delete marker, in a versioned store (S3 with Object Lock). */
export interface ObjectVersion {
  key: string;
  versionId: string;
  size: number;
  lastModified: Date;
  isLatest: boolean;
  isDeleteMarker: boolean;
}

/**
 * A store that keeps every version of an object. Digests record the version they sealed, so
 * verify can read exactly that version and notice any version written after it.
 */
export interface VersionedEvidenceStore extends EvidenceStore {
  /** Every version and delete marker under the prefix, in key order. */
  listVersions(prefix: string): AsyncIterable<ObjectVersion>;
  /** Returns undefined when that version does not exist. */
  getVersion(key: string, versionId: string): Promise<Uint8Array | undefined>;
}

export function isVersionedStore(store: EvidenceStore): store is VersionedEvidenceStore {
  const candidate = store as Partial<VersionedEvidenceStore>;
  return typeof candidate.listVersions === 'function' && typeof candidate.getVersion === 'function';
}

/** Raised on any write through a store opened read-only (verify: an auditor's copy). */
export class ReadOnlyStoreError extends Error {
  constructor(
    readonly location: string,
    readonly key: string,
  ) {
    super(`evidence store ${location} is open read-only: refusing to write ${key}`);
    this.name = 'ReadOnlyStoreError';
  }
}

/**
 * The same store with every write refused: what verification gets, so that checking evidence
 * can never change it, whatever the caller's permissions (root ignores file modes).
 */
export function readOnlyStore(store: EvidenceStore): EvidenceStore {
  const base = {
    location: store.location,
    put: async (key: string): Promise<StoredObject> => {
      throw new ReadOnlyStoreError(store.location, key);
    },
    get: (key: string) => store.get(key),
    list: (prefix: string) => store.list(prefix),
    ...(store.listFolders ? { listFolders: (prefix: string) => store.listFolders!(prefix) } : {}),
  };
  if (!isVersionedStore(store)) return base;
  const versioned: VersionedEvidenceStore = {
    ...base,
    listVersions: (prefix: string) => store.listVersions(prefix),
    getVersion: (key: string, versionId: string) => store.getVersion(key, versionId),
  };
  return versioned;
}

/** Raised when a write-once key already exists: evidence is never overwritten. */
export class ObjectExistsError extends Error {
  constructor(readonly key: string) {
    super(`refusing to overwrite existing evidence object ${key}`);
    this.name = 'ObjectExistsError';
  }
}

/** Raised when the store location cannot be used at all (bad path, missing bucket). */
export class StoreUnavailableError extends Error {
  constructor(
    readonly location: string,
    reason: string,
  ) {
    super(`evidence store ${location} cannot be used: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}
