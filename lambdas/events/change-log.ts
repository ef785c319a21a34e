import { gzipSync } from 'node:zlib';
import { EVIDENCE_PREFIX } from '../evidence/evidence-io';
import { redactSecrets } from '../evidence/redact';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import { ObjectExistsError } from '../evidence/store';
import { compactTime } from '../integrity/periods';
import type { CloudTrailEvent } from './cloudtrail-event';

/**
 * Change-log evidence: each CloudTrail event that triggered a re-collection, redacted, beside
 * the evidence it caused. The key follows the evidence layout (account=, date=, time-prefixed
 * file name), so the digest chain seals these objects like collection records:
 * evidence/v1/changes/account=A/region=R/date=YYYY-MM-DD/<HHMMSSmmm>Z-<eventID>.json.gz
 */
export const CHANGE_LOG_PREFIX = `${EVIDENCE_PREFIX}changes/`;
export const CHANGE_LOG_SCHEMA = 'soc2-ml-change-event/v1';

export interface ChangeLogEntry {
  schema: typeof CHANGE_LOG_SCHEMA;
  recordedAt: string;
  /** Re-collected (with the evidence it produced) or recorded only (an account these credentials cannot describe). */
  handling: 'recollected' | 'recorded-only';
  /** Keys of the evidence records the re-collection wrote. */
  evidence: string[];
  /** The EventBridge event as received, with secret-looking values redacted. */
  event: CloudTrailEvent;
}

export function changeLogKey(event: CloudTrailEvent): string {
  const { detail } = event;
  const at = new Date(detail.eventTime);
  const date = at.toISOString().slice(0, 10);
  const safeId = detail.eventID.replace(/[^A-Za-z0-9-]/g, '_');
  return `${CHANGE_LOG_PREFIX}account=${detail.recipientAccountId}/region=${detail.awsRegion}/date=${date}/${compactTime(at)}-${safeId}.json.gz`;
}

export type ChangeLogWrite = { status: 'stored'; stored: StoredObject } | { status: 'duplicate'; key: string };

/** Write-once: the same event delivered twice finds its key taken and is reported as a duplicate. */
export async function writeChangeLog(
  store: EvidenceStore,
  event: CloudTrailEvent,
  entry: Omit<ChangeLogEntry, 'schema' | 'event'>,
): Promise<ChangeLogWrite> {
  const key = changeLogKey(event);
  const body: ChangeLogEntry = { schema: CHANGE_LOG_SCHEMA, ...entry, event: redactSecrets(event) };
  try {
    const stored = await store.put(key, new Uint8Array(gzipSync(JSON.stringify(body))), { contentType: 'application/json' });
    return { status: 'stored', stored };
  } catch (err) {
    if (err instanceof ObjectExistsError) return { status: 'duplicate', key };
    throw err;
  }
}

/** Change events per account recorded at or after `since` (read from the keys alone, no object is fetched). */
export async function countChangeEvents(store: EvidenceStore, since?: Date): Promise<Record<string, number>> {
  const byAccount: Record<string, number> = {};
  const sinceDate = since?.toISOString().slice(0, 10);
  for await (const object of store.list(CHANGE_LOG_PREFIX)) {
    const account = /\/account=(\d{12})\//.exec(object.key)?.[1];
    const date = /\/date=(\d{4}-\d{2}-\d{2})\//.exec(object.key)?.[1];
    if (!account || !date || (sinceDate && date < sinceDate)) continue;
    byAccount[account] = (byAccount[account] ?? 0) + 1;
  }
  return byAccount;
}
