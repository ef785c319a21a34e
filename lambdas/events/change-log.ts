import { gzipSync } from 'node:zlib';
import { CHANGE_LOG_PREFIX } from '../evidence/layout';
import { listChangeLogPartitions, listPartitionDates, listPartitionDay } from '../evidence/partitions';
import { redactSecrets, redactValues, scanBase64ScriptForCredentials } from '../evidence/redact';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import { ObjectExistsError } from '../evidence/store';
import { compactTime } from '../integrity/periods';
import type { CloudTrailEvent } from './cloudtrail-event';

/**
 * Change-log evidence: each CloudTrail event that triggered a re-collection, redacted, beside
 * the evidence it caused. The key follows the evidence layout (account=, date=, time-prefixed
 * file name), so the digest chain seals these objects like collection records:
 * evidence/v1/changes/account=A/region=R/date=YYYY-MM-DD/<HHMMSSmmm>Z-<eventID>.json.gz
 * The date and time are when the event was recorded, never the event's own time (which stays
 * inside the object): an event redriven after its day was sealed, or one dated in the future,
 * lands in the open period like any new evidence instead of in a sealed or never-sealed one.
 */
export { CHANGE_LOG_PREFIX };
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

function datePrefix(event: CloudTrailEvent, date: string): string {
  const { detail } = event;
  return `${CHANGE_LOG_PREFIX}account=${detail.recipientAccountId}/region=${detail.awsRegion}/date=${date}/`;
}

function fileSuffix(event: CloudTrailEvent): string {
  return `-${event.detail.eventID.replace(/[^A-Za-z0-9-]/g, '_')}.json.gz`;
}

/** Where an event recorded at `recordedAt` is kept. */
export function changeLogKey(event: CloudTrailEvent, recordedAt: Date): string {
  return `${datePrefix(event, recordedAt.toISOString().slice(0, 10))}${compactTime(recordedAt)}${fileSuffix(event)}`;
}

const DAY_MS = 86_400_000;
/**
 * How far back a redelivered event can have been recorded first: SQS keeps a message at most
 * 14 days (MessageRetentionPeriod), counted from its first enqueue also in the dead-letter queue
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html).
 */
export const REDELIVERY_WINDOW_DAYS = 14;

/**
 * The key under which the event was already recorded, if it was: the days from its own date
 * (or the start of the redelivery window, if later) up to the recording day are listed.
 */
export async function recordedChangeKey(
  store: EvidenceStore,
  event: CloudTrailEvent,
  recordedAt: Date,
): Promise<string | undefined> {
  const last = Date.parse(recordedAt.toISOString().slice(0, 10));
  const eventDay = Date.parse(new Date(event.detail.eventTime).toISOString().slice(0, 10));
  const first = Math.min(last, Math.max(eventDay, last - REDELIVERY_WINDOW_DAYS * DAY_MS));
  const suffix = fileSuffix(event);
  for (let day = first; day <= last; day += DAY_MS) {
    for await (const object of store.list(datePrefix(event, new Date(day).toISOString().slice(0, 10)))) {
      if (object.key.endsWith(suffix)) return object.key;
    }
  }
  return undefined;
}

export type ChangeLogWrite = { status: 'stored'; stored: StoredObject } | { status: 'duplicate'; key: string };

/**
 * Write-once, filed by `entry.recordedAt`: an event already in the change log (a redelivery)
 * is reported as a duplicate, found by its event id. Two deliveries racing in the same
 * millisecond still meet the write-once key.
 */
export async function writeChangeLog(
  store: EvidenceStore,
  event: CloudTrailEvent,
  entry: Omit<ChangeLogEntry, 'schema' | 'event'>,
): Promise<ChangeLogWrite> {
  const recordedAt = new Date(entry.recordedAt);
  const earlier = await recordedChangeKey(store, event, recordedAt);
  if (earlier) return { status: 'duplicate', key: earlier };
  const key = changeLogKey(event, recordedAt);
  const body: ChangeLogEntry = { schema: CHANGE_LOG_SCHEMA, ...entry, event: redactChangeEvent(event) };
  try {
    const stored = await store.put(key, new Uint8Array(gzipSync(JSON.stringify(body))), { contentType: 'application/json' });
    return { status: 'stored', stored };
  } catch (err) {
    if (err instanceof ObjectExistsError) return { status: 'duplicate', key };
    throw err;
  }
}

/**
 * Maps whose values are free-form configuration (training job and model environment variables,
 * hyperparameters): a DATABASE_URL or db_pass there has no secret-looking key, so every value
 * goes; which variables exist stays as evidence.
 */
const VALUE_MAP_KEYS = new Set(['environment', 'hyperparameters']);
/** Notebook lifecycle-config script lists; each script's base64 `content` may hold credentials. */
const SCRIPT_LIST_KEYS = new Set(['oncreate', 'onstart']);

/**
 * The event as stored: values of environment and hyperparameter maps dropped, lifecycle scripts
 * replaced by the names of the credential patterns found in them, then every secret-looking key
 * redacted (redactSecrets), at any depth of requestParameters and responseElements.
 */
export function redactChangeEvent(event: CloudTrailEvent): CloudTrailEvent {
  return redactSecrets(redactConfiguration(event) as CloudTrailEvent);
}

function redactConfiguration(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(redactConfiguration);
  if (!isPlainObject(node)) return node;
  const copy: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node)) {
    const name = key.toLowerCase();
    if (VALUE_MAP_KEYS.has(name) && isPlainObject(child)) copy[key] = redactValues(child as Record<string, string>);
    else if (SCRIPT_LIST_KEYS.has(name) && Array.isArray(child)) copy[key] = child.map(redactScript);
    else copy[key] = redactConfiguration(child);
  }
  return copy;
}

function redactScript(script: unknown): unknown {
  if (!isPlainObject(script)) return redactConfiguration(script);
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(script)) {
    copy[key] = key.toLowerCase() === 'content' && typeof value === 'string' ? describeScript(value) : redactConfiguration(value);
  }
  return copy;
}

function describeScript(base64: string): string {
  const found = scanBase64ScriptForCredentials(base64);
  // The script's text is never stored, only which kinds of credential it held.
  return found.length > 0
    ? `[REDACTED script: credential patterns: ${found.join(', ')}]`
    : '[REDACTED script: no credential patterns]';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * Change events per account recorded at or after `since`, counted from the keys of the days from
 * `since` on (listed by day: older days are never listed, no object is fetched).
 */
export async function countChangeEvents(store: EvidenceStore, since?: Date): Promise<Record<string, number>> {
  const byAccount: Record<string, number> = {};
  const sinceDate = since?.toISOString().slice(0, 10);
  for (const partition of await listChangeLogPartitions(store)) {
    if (!/^\d{12}$/.test(partition.account)) continue;
    for (const date of await listPartitionDates(store, partition)) {
      if (sinceDate && date < sinceDate) continue;
      const recorded = (await listPartitionDay(store, partition, date)).length;
      if (recorded > 0) byAccount[partition.account] = (byAccount[partition.account] ?? 0) + recorded;
    }
  }
  return byAccount;
}
