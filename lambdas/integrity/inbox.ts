/**
 * The evidence inbox of the deployed app: anyone allowed to write `inbox/<ITEM-ID>/<file>` in
 * the evidence bucket hands in manual evidence without the rights (or the tool) to write under
 * manual/. Each upload is taken in once: hashed and stored as manual evidence (write-once, so the
 * next digest seals it) with its uploader and expiry, or rejected with the reason. Either way an
 * intake record is written to the sealed log `evidence/v1/inbox/`, and the upload itself stays
 * where it was (the bucket refuses deletes): nothing handed in is lost.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { z } from 'zod';
import { errorCode } from '../aws/errors';
import type { CatalogItem } from '../catalog/catalog';
import { hexToBase64, sha256Hex } from '../evidence/hash';
import { INBOX_ROOT, INTAKE_LOG_PREFIX } from '../evidence/layout';
import type { EvidenceStore } from '../evidence/store';
import { AttestInputError, attest, closestIds, MAX_NOTE_LENGTH } from './attest';
import { compactTime } from './periods';

/** The intake log (INTAKE_LOG_PREFIX): one sealed, write-once record per upload, in the evidence layout (account, date, time). */
export { INBOX_ROOT, INTAKE_LOG_PREFIX };
export const INTAKE_SCHEMA = 'soc2-ml-inbox-intake/v1';
/** Read whole into the function's memory to hash it: documents and exports, not datasets. */
export const MAX_INBOX_FILE_BYTES = 25 * 1024 * 1024;

/** Tags an uploader may put on an inbox object (S3 object tags, e.g. `aws s3api put-object --tagging`). */
export const INBOX_TAGS = {
  expiresInDays: 'expires-in-days',
  expiresAt: 'expires-at',
  attestedBy: 'attested-by',
  note: 'note',
} as const;
/** The tag the intake leaves on the upload: the key of its intake record. */
export const INTAKE_TAG = 'soc2-ml-intake';

/**
 * One S3 "ObjectCreated" notification record, as documented in "Event message structure",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * (keys arrive URL-encoded with spaces as "+"; versionId is set on a versioned bucket).
 */
const s3RecordSchema = z.looseObject({
  eventName: z.string(),
  eventTime: z.string(),
  userIdentity: z.looseObject({ principalId: z.string() }).optional(),
  requestParameters: z.looseObject({ sourceIPAddress: z.string() }).optional(),
  s3: z.looseObject({
    object: z.looseObject({
      key: z.string(),
      size: z.number().int().nonnegative().optional(),
      eTag: z.string().optional(),
      versionId: z.string().optional(),
    }),
  }),
});
const s3NotificationSchema = z.looseObject({ Records: z.array(s3RecordSchema).optional() });

/** An object that arrived in the inbox. */
export interface InboxUpload {
  key: string;
  versionId?: string;
  size?: number;
  eTag?: string;
  /** The S3 event's userIdentity.principalId: the IAM identity that wrote the object. */
  uploader: string;
  uploadedAt: string;
  sourceIp?: string;
}

/** The inbox uploads named by one S3 notification (an SQS message body); other keys and events are left out. */
export function inboxUploads(body: unknown): InboxUpload[] {
  const parsed = s3NotificationSchema.safeParse(body);
  if (!parsed.success) throw new Error(`not an S3 event notification: ${parsed.error.issues[0]?.message}`);
  return (parsed.data.Records ?? [])
    .filter((record) => record.eventName.startsWith('ObjectCreated:'))
    .map((record) => {
      const { key, size, eTag, versionId } = record.s3.object;
      return {
        key: decodeURIComponent(key.replaceAll('+', ' ')),
        ...(versionId ? { versionId } : {}),
        ...(size !== undefined ? { size } : {}),
        ...(eTag ? { eTag } : {}),
        uploader: record.userIdentity?.principalId ?? 'unknown',
        uploadedAt: record.eventTime,
        ...(record.requestParameters?.sourceIPAddress ? { sourceIp: record.requestParameters.sourceIPAddress } : {}),
      };
    })
    .filter((upload) => upload.key.startsWith(INBOX_ROOT));
}

/** What the intake reads and marks on the uploaded object itself. */
export interface InboxObjects {
  /** Undefined when that object (version) does not exist. */
  read(key: string, versionId?: string): Promise<Uint8Array | undefined>;
  /** Undefined when that object (version) does not exist. */
  tags(key: string, versionId?: string): Promise<Record<string, string> | undefined>;
  /** Replaces the object's tags. */
  setTags(key: string, versionId: string | undefined, tags: Record<string, string>): Promise<void>;
}

export class S3InboxObjects implements InboxObjects {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async read(key: string, versionId?: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (err) {
      if (['NoSuchKey', 'NoSuchVersion'].includes(errorCode(err))) return undefined;
      throw err;
    }
  }

  async tags(key: string, versionId?: string): Promise<Record<string, string> | undefined> {
    try {
      const out = await this.client.send(new GetObjectTaggingCommand({ Bucket: this.bucket, Key: key, VersionId: versionId }));
      return Object.fromEntries((out.TagSet ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
    } catch (err) {
      if (['NoSuchKey', 'NoSuchVersion'].includes(errorCode(err))) return undefined;
      throw err;
    }
  }

  async setTags(key: string, versionId: string | undefined, tags: Record<string, string>): Promise<void> {
    await this.client.send(
      new PutObjectTaggingCommand({
        Bucket: this.bucket,
        Key: key,
        VersionId: versionId,
        Tagging: { TagSet: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
      }),
    );
  }
}

export type RejectionReason = 'not-in-item-folder' | 'unknown-item' | 'empty' | 'too-large' | 'bad-tag' | 'missing';

export interface IntakeRecord {
  schema: typeof INTAKE_SCHEMA;
  id: string;
  receivedAt: string;
  upload: InboxUpload;
  /** The item the folder names, as written. */
  itemId: string;
  outcome: 'accepted' | 'rejected';
  reason?: { code: RejectionReason; detail: string };
  manualEvidence?: { key: string; sha256: string; size: number; expiresAt?: string; attestedBy?: string };
}

export interface IntakeResult {
  /** duplicate: this upload was taken in before (a redelivered notification). */
  outcome: IntakeRecord['outcome'] | 'duplicate';
  recordKey: string;
  record?: IntakeRecord;
  /** Set when marking the upload with its intake record failed (it stays retryable by hand). */
  tagFailure?: string;
}

export interface IntakeContext {
  store: EvidenceStore;
  objects: InboxObjects;
  catalog: { items: Pick<CatalogItem, 'id' | 'manualEvidence'>[] };
  /** The deployment's account: the intake log's chain. */
  account: string;
  now: Date;
}

/** Same object version, same id: a replayed notification finds the record it wrote. */
export function intakeId(upload: Pick<InboxUpload, 'key' | 'versionId' | 'eTag'>): string {
  const material = [upload.key, upload.versionId ?? '', upload.eTag ?? ''].join('\n');
  return createHash('sha256').update(material).digest('hex').slice(0, 24);
}

function intakeRecordKey(account: string, now: Date, id: string): string {
  return `${INTAKE_LOG_PREFIX}account=${account}/date=${now.toISOString().slice(0, 10)}/${compactTime(now)}-${id}.json.gz`;
}

class Rejection extends Error {
  constructor(
    readonly code: RejectionReason,
    detail: string,
  ) {
    super(detail);
  }
}

/** Reads the expiry and attester an uploader tagged; a malformed tag rejects the upload rather than guess. */
function tagged(tags: Record<string, string>): { expiresInDays?: number; expiresAt?: Date; attestedBy?: string; note?: string } {
  const days = tags[INBOX_TAGS.expiresInDays];
  const date = tags[INBOX_TAGS.expiresAt];
  if (days !== undefined && date !== undefined)
    throw new Rejection('bad-tag', `tags ${INBOX_TAGS.expiresInDays} and ${INBOX_TAGS.expiresAt} both set: give one`);
  const result: ReturnType<typeof tagged> = {};
  if (days !== undefined) {
    const n = Number(days);
    if (!/^\d+$/.test(days) || n <= 0)
      throw new Rejection('bad-tag', `tag ${INBOX_TAGS.expiresInDays}=${days}: not a whole number of days above 0`);
    result.expiresInDays = n;
  }
  if (date !== undefined) {
    const at = new Date(date);
    if (!/^\d{4}-\d{2}-\d{2}/.test(date) || Number.isNaN(at.getTime()))
      throw new Rejection('bad-tag', `tag ${INBOX_TAGS.expiresAt}=${date}: not an ISO date`);
    result.expiresAt = at;
  }
  const attestedBy = tags[INBOX_TAGS.attestedBy]?.trim();
  if (attestedBy) result.attestedBy = attestedBy;
  const note = tags[INBOX_TAGS.note]?.trim();
  if (note) result.note = note.slice(0, MAX_NOTE_LENGTH);
  return result;
}

/** `inbox/<ITEM-ID>/<path>`: the item folder and the file's name (sub-folders flattened by attest). */
function placeInInbox(key: string): { itemId: string; fileName: string } | undefined {
  const [, itemId, ...rest] = key.split('/');
  const fileName = rest.join('/');
  return itemId && fileName ? { itemId, fileName } : undefined;
}

/**
 * Takes in one upload. Throws only on failures worth retrying (S3 or the store unavailable);
 * everything about the upload itself becomes a rejection with its reason.
 */
export async function takeIn(upload: InboxUpload, context: IntakeContext): Promise<IntakeResult> {
  const { store, objects, now } = context;
  const id = intakeId(upload);
  const found = await objects.tags(upload.key, upload.versionId);
  const tags = found ?? {};
  const earlier = tags[INTAKE_TAG];
  // The tag alone is not trusted (an uploader could set it): the record it names must exist.
  if (earlier?.endsWith(`-${id}.json.gz`) && (await store.get(earlier))) return { outcome: 'duplicate', recordKey: earlier };

  const place = placeInInbox(upload.key);
  const record: IntakeRecord = {
    schema: INTAKE_SCHEMA,
    id,
    receivedAt: now.toISOString(),
    upload,
    itemId: place?.itemId ?? '',
    outcome: 'rejected',
  };
  try {
    if (!found) throw new Rejection('missing', 'the uploaded object version no longer exists');
    record.manualEvidence = await accept(upload, place, tags, context);
    record.outcome = 'accepted';
  } catch (err) {
    if (err instanceof Rejection) record.reason = { code: err.code, detail: err.message };
    else if (err instanceof AttestInputError) record.reason = { code: 'bad-tag', detail: err.message };
    else throw err;
  }
  const recordKey = intakeRecordKey(context.account, now, id);
  await store.put(recordKey, new Uint8Array(gzipSync(JSON.stringify(record))), { contentType: 'application/json' });
  const result: IntakeResult = { outcome: record.outcome, recordKey, record };
  if (!found) return result;
  try {
    await objects.setTags(upload.key, upload.versionId, { ...tags, [INTAKE_TAG]: recordKey });
  } catch (err) {
    // The evidence and its record are stored; only replay protection for this upload is lost.
    result.tagFailure = `${errorCode(err)}: ${(err as Error).message}`;
  }
  return result;
}

async function accept(
  upload: InboxUpload,
  place: ReturnType<typeof placeInInbox>,
  tags: Record<string, string>,
  context: IntakeContext,
): Promise<IntakeRecord['manualEvidence']> {
  if (!place) throw new Rejection('not-in-item-folder', `${upload.key} is not under ${INBOX_ROOT}<ITEM-ID>/`);
  const knownIds = context.catalog.items.map((item) => item.id);
  const item = context.catalog.items.find((candidate) => candidate.id === place.itemId.toUpperCase());
  if (!item) {
    const closest = closestIds(place.itemId, knownIds);
    throw new Rejection(
      'unknown-item',
      `unknown checklist item "${place.itemId}"${closest.length ? `; closest: ${closest.join(', ')}` : ''}`,
    );
  }
  if (upload.size === 0) throw new Rejection('empty', 'the file is empty');
  if (upload.size !== undefined && upload.size > MAX_INBOX_FILE_BYTES) throw tooLarge(upload.size);
  const bytes = await context.objects.read(upload.key, upload.versionId);
  if (!bytes) throw new Rejection('missing', 'the uploaded object version no longer exists');
  if (bytes.byteLength === 0) throw new Rejection('empty', 'the file is empty');
  if (bytes.byteLength > MAX_INBOX_FILE_BYTES) throw tooLarge(bytes.byteLength);
  const given = tagged(tags);
  // Without an expiry tag the item's own freshness applies, recorded so the file states it.
  const expiresInDays = given.expiresAt ? undefined : (given.expiresInDays ?? item.manualEvidence?.freshnessDays);
  const stored = await attest(context.store, {
    itemId: item.id,
    fileName: place.fileName,
    bytes,
    uploadedBy: upload.uploader,
    ...(given.attestedBy ? { attestedBy: given.attestedBy } : {}),
    ...(given.note ? { note: given.note } : {}),
    ...(expiresInDays !== undefined ? { expiresInDays } : {}),
    ...(given.expiresAt ? { expiresAt: given.expiresAt } : {}),
    receivedFrom: { key: upload.key, ...(upload.versionId ? { versionId: upload.versionId } : {}) },
    now: context.now,
    knownItemIds: knownIds,
  });
  return {
    key: stored.key,
    sha256: stored.sha256,
    size: stored.size,
    ...(stored.expiresAt ? { expiresAt: stored.expiresAt } : {}),
    ...(stored.attestedBy ? { attestedBy: stored.attestedBy } : {}),
  };
}

function tooLarge(size: number): Rejection {
  return new Rejection('too-large', `the file is ${size} bytes; the inbox takes at most ${MAX_INBOX_FILE_BYTES}`);
}

/** What S3 accepts in a tag value: letters, digits, spaces and _ . : / = + - @ (at most 256). */
const TAG_VALUE = /^[\p{L}\p{N}\s_.:/=+\-@]{0,256}$/u;

export class InboxTagError extends Error {
  constructor(name: string) {
    super(`${name} cannot travel as an S3 tag: use at most 256 letters, digits, spaces and _ . : / = + - @`);
    this.name = 'InboxTagError';
  }
}

export interface InboxDrop {
  itemId: string;
  fileName: string;
  bytes: Uint8Array;
  expiresInDays?: number;
  attestedBy?: string;
  note?: string;
}

/**
 * Puts a file into the bucket's inbox, tagged as the intake reads it, for those who may write
 * inbox/ but not manual/. The inbox Lambda takes it in; the returned key and version name it.
 */
export async function dropInInbox(
  client: S3Client,
  bucket: string,
  drop: InboxDrop,
): Promise<{ key: string; versionId?: string }> {
  const tags: Record<string, string> = {};
  if (drop.expiresInDays !== undefined) tags[INBOX_TAGS.expiresInDays] = String(drop.expiresInDays);
  for (const [name, value] of [
    [INBOX_TAGS.attestedBy, drop.attestedBy],
    [INBOX_TAGS.note, drop.note],
  ] as const) {
    if (value === undefined) continue;
    if (!TAG_VALUE.test(value)) throw new InboxTagError(`--${name}`);
    tags[name] = value;
  }
  const key = `${INBOX_ROOT}${drop.itemId}/${drop.fileName}`;
  const out = await client.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: drop.bytes,
      ChecksumAlgorithm: 'SHA256',
      ChecksumSHA256: hexToBase64(sha256Hex(drop.bytes)),
      ...(Object.keys(tags).length > 0
        ? {
            Tagging: Object.entries(tags)
              .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
              .join('&'),
          }
        : {}),
    }),
  );
  return { key, ...(out.VersionId ? { versionId: out.VersionId } : {}) };
}
