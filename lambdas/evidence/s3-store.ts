import {
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { errorCode } from '../aws/errors';
import { hexToBase64, sha256Hex } from './hash';
import {
  ConditionalWriteConflictError,
  type ConditionalWriteStore,
  type ListedObject,
  ObjectExistsError,
  type ObjectVersion,
  type PutOptions,
  type StoredObject,
  StoreUnavailableError,
  type TaggedObject,
  type VersionedEvidenceStore,
} from './store';

export interface ObjectLockSettings {
  mode: 'COMPLIANCE' | 'GOVERNANCE';
  retentionDays: number;
}

export interface S3EvidenceStoreOptions {
  client: S3Client;
  bucket: string;
  /** Retention written on every object; the bucket's default retention is the backstop. */
  objectLock?: ObjectLockSettings;
  /** Customer managed key for SSE-KMS; omitted means the bucket default. */
  kmsKeyId?: string;
  clock?: () => Date;
}

const DAY_MS = 86_400_000;

/**
 * Evidence in the Object Lock bucket. Every put carries a SHA-256 that S3 checks on upload,
 * a retain-until date and SSE-KMS, and If-None-Match so an existing key is never replaced.
 */
export class S3EvidenceStore implements VersionedEvidenceStore, ConditionalWriteStore {
  readonly location: string;
  private readonly clock: () => Date;

  constructor(private readonly options: S3EvidenceStoreOptions) {
    this.location = `s3://${options.bucket}`;
    this.clock = options.clock ?? (() => new Date());
  }

  /** Fails fast with the bucket's name when it is missing or unreachable. */
  async ensureReachable(): Promise<void> {
    try {
      await this.options.client.send(new HeadBucketCommand({ Bucket: this.options.bucket }));
    } catch (err) {
      throw new StoreUnavailableError(this.location, `${errorCode(err)}: ${(err as Error).message}`);
    }
  }

  async put(key: string, body: Uint8Array, options: PutOptions = {}): Promise<StoredObject> {
    const { input, sha256 } = this.putInput(key, body, options.contentType);
    input.IfNoneMatch = options.overwrite ? undefined : '*';
    try {
      const out = await this.options.client.send(new PutObjectCommand(input));
      return { key, sha256, size: body.byteLength, versionId: out.VersionId };
    } catch (err) {
      if (errorCode(err) === 'PreconditionFailed') throw new ObjectExistsError(key);
      throw err;
    }
  }

  /**
   * S3 conditional writes (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html):
   * If-Match with the ETag read, or If-None-Match: * for the first write. S3 answers 412
   * PreconditionFailed when the condition fails, 409 ConditionalRequestConflict when another
   * write raced this one, and 404 NoSuchKey when the object matched on is gone.
   */
  async putIfUnchanged(
    key: string,
    body: Uint8Array,
    expectedTag: string | undefined,
    options: Pick<PutOptions, 'contentType'> = {},
  ): Promise<StoredObject & { tag: string }> {
    const { input, sha256 } = this.putInput(key, body, options.contentType);
    if (expectedTag === undefined) input.IfNoneMatch = '*';
    else input.IfMatch = expectedTag;
    try {
      const out = await this.options.client.send(new PutObjectCommand(input));
      return { key, sha256, size: body.byteLength, versionId: out.VersionId, tag: out.ETag ?? '' };
    } catch (err) {
      if (['PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey'].includes(errorCode(err)))
        throw new ConditionalWriteConflictError(key);
      throw err;
    }
  }

  async getTagged(key: string): Promise<TaggedObject | undefined> {
    try {
      const out = await this.options.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: key }));
      if (!out.ETag) throw new Error(`GetObject ${key} answered without an ETag`);
      return { body: out.Body ? await out.Body.transformToByteArray() : new Uint8Array(), tag: out.ETag };
    } catch (err) {
      if (errorCode(err) === 'NoSuchKey') return undefined;
      throw err;
    }
  }

  /** Every write carries a SHA-256 that S3 checks on upload, SSE-KMS and the retain-until date. */
  private putInput(
    key: string,
    body: Uint8Array,
    contentType: string | undefined,
  ): { input: PutObjectCommandInput; sha256: string } {
    const sha256 = sha256Hex(body);
    const input: PutObjectCommandInput = {
      Bucket: this.options.bucket,
      Key: key,
      Body: body,
      ContentType: contentType,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: hexToBase64(sha256),
    };
    if (this.options.kmsKeyId) {
      input.ServerSideEncryption = 'aws:kms';
      input.SSEKMSKeyId = this.options.kmsKeyId;
    }
    if (this.options.objectLock) {
      input.ObjectLockMode = this.options.objectLock.mode;
      input.ObjectLockRetainUntilDate = new Date(this.clock().getTime() + this.options.objectLock.retentionDays * DAY_MS);
    }
    return { input, sha256 };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.read(key);
  }

  async getVersion(key: string, versionId: string): Promise<Uint8Array | undefined> {
    return this.read(key, versionId);
  }

  private async read(key: string, versionId?: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.options.client.send(
        new GetObjectCommand({ Bucket: this.options.bucket, Key: key, VersionId: versionId }),
      );
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (['NoSuchKey', 'NoSuchVersion'].includes(errorCode(err))) return undefined;
      throw err;
    }
  }

  async *listVersions(prefix: string): AsyncIterable<ObjectVersion> {
    // The SDK has no paginator for ListObjectVersions: follow the key and version markers.
    let page: ListObjectVersionsCommandOutput | undefined;
    do {
      page = await this.options.client.send(
        new ListObjectVersionsCommand({
          Bucket: this.options.bucket,
          Prefix: prefix,
          KeyMarker: page?.NextKeyMarker,
          VersionIdMarker: page?.NextVersionIdMarker,
        }),
      );
      // S3 returns versions and delete markers in two arrays, each in key order: merge them (stable within a key).
      const entries: ObjectVersion[] = [
        ...(page.Versions ?? []).map((v) => ({ ...versionFields(v), size: v.Size ?? 0, isDeleteMarker: false })),
        ...(page.DeleteMarkers ?? []).map((m) => ({ ...versionFields(m), size: 0, isDeleteMarker: true })),
      ].filter((entry) => entry.key !== '');
      entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      yield* entries;
    } while (page.IsTruncated);
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    const pages = paginateListObjectsV2({ client: this.options.client }, { Bucket: this.options.bucket, Prefix: prefix });
    for await (const page of pages) {
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue;
        yield { key: object.Key, size: object.Size ?? 0, lastModified: object.LastModified ?? new Date(0) };
      }
    }
  }

  async *listFolders(prefix: string): AsyncIterable<string> {
    const pages = paginateListObjectsV2(
      { client: this.options.client },
      { Bucket: this.options.bucket, Prefix: prefix, Delimiter: '/' },
    );
    for await (const page of pages) {
      for (const common of page.CommonPrefixes ?? []) {
        if (common.Prefix) yield common.Prefix.slice(prefix.length, -1);
      }
    }
  }
}

function versionFields(entry: { Key?: string; VersionId?: string; LastModified?: Date; IsLatest?: boolean }) {
  return {
    key: entry.Key ?? '',
    versionId: entry.VersionId ?? 'null',
    lastModified: entry.LastModified ?? new Date(0),
    isLatest: entry.IsLatest ?? false,
  };
}
