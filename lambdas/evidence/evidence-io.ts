import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { EVIDENCE_SCHEMA, type EvidenceRecord, evidenceRecordSchema } from './record';
import type { EvidenceStore, StoredObject } from './store';

export const EVIDENCE_PREFIX = `${EVIDENCE_SCHEMA}/`;

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

export function newEvidenceId(): string {
  return randomUUID();
}

export function encodeEvidence(record: EvidenceRecord): Uint8Array {
  // Validate on the way in: a record that does not match evidence/v1 must never be stored.
  const valid = evidenceRecordSchema.parse(record);
  return new Uint8Array(gzipSync(JSON.stringify(valid)));
}

export function decodeEvidence(bytes: Uint8Array): EvidenceRecord {
  return evidenceRecordSchema.parse(JSON.parse(gunzipSync(bytes).toString('utf8')));
}

export async function writeEvidence(store: EvidenceStore, record: EvidenceRecord): Promise<StoredObject> {
  return store.put(evidenceKey(record), encodeEvidence(record), { contentType: 'application/json' });
}

export async function readEvidence(store: EvidenceStore, key: string): Promise<EvidenceRecord | undefined> {
  const bytes = await store.get(key);
  return bytes ? decodeEvidence(bytes) : undefined;
}
