/**
 * Manual evidence (policies, review records) for checklist items, written once into the store:
 *   manual/<ITEM-ID>/<YYYY-MM-DD>/<HHMMSSmmm>Z-<sanitised file name>            the file
 *   manual/<ITEM-ID>/<YYYY-MM-DD>/<HHMMSSmmm>Z-<sanitised file name>.meta.json  its metadata
 * The date and time in the key place both in the `manual` digest chain.
 */
import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { sha256Hex } from '../evidence/hash';
import { type EvidenceStore, ObjectExistsError } from '../evidence/store';
import { compactTime, MANUAL_ROOT } from './periods';

export const MANUAL_METADATA_SCHEMA = 'soc2-ml-manual/v1';
const METADATA_SUFFIX = '.meta.json';
const DAY_MS = 86_400_000;
const MAX_FILE_NAME_LENGTH = 100;

const manualMetadataSchema = z.strictObject({
  schema: z.literal(MANUAL_METADATA_SCHEMA),
  itemId: z.string().min(1),
  /** Key of the file this metadata describes. */
  key: z.string().min(1),
  fileName: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  uploadedBy: z.string().min(1),
  uploadedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().optional(),
  /** Who vouches for the content when not the uploader (`--attested-by`, an inbox object's tag). */
  attestedBy: z.string().min(1).optional(),
  note: z.string().min(1).optional(),
  /** The inbox object this evidence was taken in from. */
  receivedFrom: z.strictObject({ key: z.string().min(1), versionId: z.string().optional() }).optional(),
});
export type ManualMetadata = z.infer<typeof manualMetadataSchema>;

/** What the evaluator needs to mark an item ATTESTED, or expired. */
export interface ManualEvidenceEntry {
  itemId: string;
  key: string;
  sha256: string;
  size: number;
  uploadedAt: string;
  uploadedBy: string;
  attestedBy?: string;
  note?: string;
  expiresAt?: string;
  /** The name the file had when it was uploaded. */
  fileName: string;
}

export interface AttestInput {
  itemId: string;
  fileName: string;
  bytes: Uint8Array;
  /** From resolveUploader(). */
  uploadedBy: string;
  /** The person vouching for the content, when not the uploader. */
  attestedBy?: string;
  note?: string;
  expiresInDays?: number;
  /** An absolute expiry instead of expiresInDays (an inbox object's expires-at tag). */
  expiresAt?: Date;
  receivedFrom?: ManualMetadata['receivedFrom'];
  now: Date;
  /** Every checklist item id. */
  knownItemIds: readonly string[];
}

export interface AttestResult extends ManualEvidenceEntry {
  metadataKey: string;
}

/** Raised for an item id that is not in the checklist; `closest` are the nearest known ids. */
export class UnknownItemError extends Error {
  constructor(
    readonly itemId: string,
    readonly closest: string[],
  ) {
    super(`unknown checklist item "${itemId}"${closest.length ? `; closest: ${closest.join(', ')}` : ''}`);
    this.name = 'UnknownItemError';
  }
}

/** Raised for attest input that cannot be stored (empty file, bad expiry). */
export class AttestInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttestInputError';
  }
}

/** Longest note kept: one line on what the evidence is, not the evidence itself. */
export const MAX_NOTE_LENGTH = 500;

/**
 * Stores the file and its metadata, write-once. Replaying the same attestation (same item, time,
 * name and bytes: a redelivered inbox event) finds both already stored and succeeds.
 */
export async function attest(store: EvidenceStore, input: AttestInput): Promise<AttestResult> {
  const itemId = resolveItemId(input.itemId, input.knownItemIds);
  if (input.bytes.byteLength === 0) throw new AttestInputError(`${input.fileName} is empty: nothing to attest`);
  const expiresAt = expiryOf(input);
  const note = input.note?.trim();
  if (note !== undefined && note.length > MAX_NOTE_LENGTH)
    throw new AttestInputError(`the note is ${note.length} characters; at most ${MAX_NOTE_LENGTH}`);
  const attestedBy = input.attestedBy?.trim();
  const uploadedAt = input.now.toISOString();
  const key = `${MANUAL_ROOT}${itemId}/${uploadedAt.slice(0, 10)}/${compactTime(input.now)}-${sanitiseFileName(input.fileName)}`;
  const metadata: ManualMetadata = {
    schema: MANUAL_METADATA_SCHEMA,
    itemId,
    key,
    fileName: input.fileName,
    sha256: sha256Hex(input.bytes),
    size: input.bytes.byteLength,
    uploadedBy: input.uploadedBy,
    uploadedAt,
    ...(expiresAt ? { expiresAt } : {}),
    ...(attestedBy ? { attestedBy } : {}),
    ...(note ? { note } : {}),
    ...(input.receivedFrom ? { receivedFrom: input.receivedFrom } : {}),
  };
  // The file first: metadata only ever describes a file that exists.
  await putOnce(store, key, input.bytes);
  const metadataKey = `${key}${METADATA_SUFFIX}`;
  await putOnce(store, metadataKey, new TextEncoder().encode(`${JSON.stringify(metadata, null, 2)}\n`), 'application/json');
  return { ...toEntry(metadata), metadataKey };
}

function expiryOf(input: AttestInput): string | undefined {
  const days = input.expiresInDays;
  if (days !== undefined && input.expiresAt !== undefined)
    throw new AttestInputError('give an expiry in days or a date, not both');
  if (days !== undefined) {
    if (!(Number.isInteger(days) && days > 0))
      throw new AttestInputError(`--expires-in must be a whole number of days above 0, got ${days}`);
    return new Date(input.now.getTime() + days * DAY_MS).toISOString();
  }
  if (input.expiresAt === undefined) return undefined;
  if (Number.isNaN(input.expiresAt.getTime()) || input.expiresAt <= input.now)
    throw new AttestInputError('the expiry date must be a valid date in the future');
  return input.expiresAt.toISOString();
}

/** A write-once put that accepts finding exactly these bytes already there (a replay), never others. */
async function putOnce(store: EvidenceStore, key: string, bytes: Uint8Array, contentType?: string): Promise<void> {
  try {
    await store.put(key, bytes, contentType ? { contentType } : {});
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
    const existing = await store.get(key);
    if (!existing || sha256Hex(existing) !== sha256Hex(bytes)) throw err;
  }
}

/**
 * Every manual evidence file with its metadata, in key order. Reads only the small metadata
 * objects; `soc2-ml verify` is what re-hashes the files.
 */
export async function listManualEvidence(store: EvidenceStore): Promise<ManualEvidenceEntry[]> {
  const entries: ManualEvidenceEntry[] = [];
  for await (const object of store.list(MANUAL_ROOT)) {
    if (!object.key.endsWith(METADATA_SUFFIX)) continue;
    const metadata = await readMetadata(store, object.key);
    if (metadata) entries.push(toEntry(metadata));
  }
  return entries;
}

async function readMetadata(store: EvidenceStore, key: string): Promise<ManualMetadata | undefined> {
  const bytes = await store.get(key);
  if (!bytes) return undefined;
  try {
    const metadata = manualMetadataSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
    // An uploaded file that merely looks like metadata describes no file beside it.
    return `${metadata.key}${METADATA_SUFFIX}` === key ? metadata : undefined;
  } catch {
    // An uploaded file whose own name ends in .meta.json: not metadata.
    return undefined;
  }
}

function toEntry(metadata: ManualMetadata): ManualEvidenceEntry {
  const { itemId, key, sha256, size, uploadedAt, uploadedBy, expiresAt, fileName, attestedBy, note } = metadata;
  return {
    itemId,
    key,
    sha256,
    size,
    uploadedAt,
    uploadedBy,
    ...(attestedBy ? { attestedBy } : {}),
    ...(note ? { note } : {}),
    ...(expiresAt ? { expiresAt } : {}),
    fileName,
  };
}

/** Keeps letters, digits, dot, dash and underscore; never a path, never empty. */
export function sanitiseFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const safe = base
    .normalize('NFKD')
    // NFKD splits accented letters into letter + combining mark: keep the letter.
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(-MAX_FILE_NAME_LENGTH);
  return safe || 'file';
}

export function resolveItemId(itemId: string, knownItemIds: readonly string[]): string {
  const wanted = itemId.trim().toUpperCase();
  const known = knownItemIds.find((id) => id.toUpperCase() === wanted);
  if (known) return known;
  throw new UnknownItemError(itemId, closestIds(wanted, knownItemIds));
}

const MAX_SUGGESTIONS = 3;

/** The known ids at the smallest edit distances, at most three, nearest first. */
export function closestIds(itemId: string, knownItemIds: readonly string[]): string[] {
  return knownItemIds
    .map((id) => ({ id, distance: editDistance(itemId.toUpperCase(), id.toUpperCase()) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.ceil(itemId.length / 2)))
    .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1))
    .slice(0, MAX_SUGGESTIONS)
    .map(({ id }) => id);
}

/** Levenshtein distance with one rolling row. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const next = [i];
    for (let j = 1; j <= b.length; j += 1) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/**
 * Who is uploading: the AWS caller (STS GetCallerIdentity) when the store is a bucket, else the
 * local user (the login name; $USER when the system has no entry for the process's uid).
 */
export async function resolveUploader({ sts }: { sts?: STSClient } = {}): Promise<string> {
  if (!sts) return `local:${localUserName()}`;
  const identity = await sts.send(new GetCallerIdentityCommand({}));
  if (!identity.Arn) throw new Error('STS GetCallerIdentity returned no ARN');
  return identity.Arn;
}

function localUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER || process.env.USERNAME || 'unknown';
  }
}
