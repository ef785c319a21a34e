import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ZodError } from 'zod';
import { EVIDENCE_ROOT } from './layout';
import { EVIDENCE_SCHEMA, type EvidenceRecord, evidenceRecordSchema } from './record';
import type { EvidenceStore, StoredObject } from './store';

/** Records and logs under evidence/v1/: layout.ts names every prefix of the bucket. */
export const EVIDENCE_PREFIX = EVIDENCE_ROOT;

/**
 * Hive-style key (Athena can partition on it):
 * evidence/v1/collector=C/account=A/region=R/date=YYYY-MM-DD/<HHMMSSmmm>Z-<id>.json.gz
 */
export function evidenceKey(record: Pick<EvidenceRecord, 'collector' | 'account' | 'region' | 'collectedAt' | 'id'>): string {
  const [date, time] = record.collectedAt.split('T') as [string, string];
  const compactTime = time.replace(/[:.]/g, '').replace(/Z$/, '');
  return (
    `${EVIDENCE_PREFIX}collector=${record.collector.name}/account=${record.account}/region=${record.region}` +
    `/date=${date}/${compactTime.padEnd(9, '0')}Z-${record.id}.json.gz`
  );
}

/** Where a collection record belongs, read from its key alone. */
export interface EvidenceKeyParts {
  /** `collector=C/account=A/region=R`: the records that replace one another over time. */
  partition: string;
  collector: string;
  account: string;
  region: string;
  /** YYYY-MM-DD and HHMMSSmmm of the key. */
  date: string;
  time: string;
}

const RECORD_KEY =
  /^evidence\/v1\/(collector=([^/]+)\/account=([^/]+)\/region=([^/]+))\/date=(\d{4}-\d{2}-\d{2})\/(\d{9})Z-[^/]+\.json\.gz$/;

/** The parts of a collection-record key, or undefined for any other key (change log, alerts, manual). */
export function parseEvidenceKey(key: string): EvidenceKeyParts | undefined {
  const match = RECORD_KEY.exec(key);
  if (!match) return undefined;
  const [, partition, collector, account, region, date, time] = match as unknown as string[];
  return { partition: partition!, collector: collector!, account: account!, region: region!, date: date!, time: time! };
}

export function newEvidenceId(): string {
  return randomUUID();
}

export function encodeEvidence(record: EvidenceRecord): Uint8Array {
  // Validate on the way in: a record that does not match evidence/v1 must never be stored.
  const valid = evidenceRecordSchema.parse(record);
  return new Uint8Array(gzipSync(JSON.stringify(valid)));
}

/** A stored record that cannot be read back: not gzip (or truncated), not JSON, or not evidence/v1. */
export class EvidenceDecodeError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'EvidenceDecodeError';
  }
}

/** Throws EvidenceDecodeError with one line saying what is wrong, never a schema dump. */
export function decodeEvidence(bytes: Uint8Array): EvidenceRecord {
  let text: string;
  try {
    text = gunzipSync(bytes).toString('utf8');
  } catch (err) {
    throw new EvidenceDecodeError(`not a complete gzip stream (${(err as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EvidenceDecodeError('not JSON');
  }
  try {
    return evidenceRecordSchema.parse(json);
  } catch (err) {
    if (!(err instanceof ZodError)) throw err;
    const [first] = err.issues;
    const more = err.issues.length > 1 ? ` (and ${err.issues.length - 1} more)` : '';
    const where = first?.path.length ? first.path.join('.') : 'record';
    throw new EvidenceDecodeError(`does not match ${EVIDENCE_SCHEMA}: ${where}: ${first?.message ?? 'invalid'}${more}`);
  }
}

export async function writeEvidence(store: EvidenceStore, record: EvidenceRecord): Promise<StoredObject> {
  return store.put(evidenceKey(record), encodeEvidence(record), { contentType: 'application/json' });
}

export async function readEvidence(store: EvidenceStore, key: string): Promise<EvidenceRecord | undefined> {
  const bytes = await store.get(key);
  return bytes ? decodeEvidence(bytes) : undefined;
}
