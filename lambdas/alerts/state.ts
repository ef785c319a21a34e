import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { FINDING_STATUSES } from '../checks/types';
import { EVIDENCE_PREFIX } from '../evidence/evidence-io';
import { changeEventSchema } from '../evidence/record';
import { type EvidenceStore, ObjectExistsError, type StoredObject } from '../evidence/store';
import { compactTime } from '../integrity/periods';

/**
 * Alert state: the last known status of every (check, account, region, resource), and the
 * alerts not yet delivered. One mutable object, written only by the evaluator (reserved
 * concurrency 1) or by the CLI against its own store; S3 versioning keeps its history.
 */
export const FINDING_STATE_KEY = 'state/v1/finding-status.json';
export const FINDING_STATE_SCHEMA = 'soc2-ml-finding-status/v1';
/**
 * The alert log: one write-once object per alert, in the evidence layout so the digest chain
 * seals it: evidence/v1/alerts/account=A/date=YYYY-MM-DD/<HHMMSSmmm>Z-<alert id>.json.gz
 */
export const ALERT_LOG_PREFIX = `${EVIDENCE_PREFIX}alerts/`;

const findingStatusSchema = z.enum(FINDING_STATUSES);

export type AlertCause = z.infer<typeof changeEventSchema>;

export const alertSchema = z.object({
  id: z.string(),
  /** A resolution returns a finding to PASS (or EXCEPTED / NOT_APPLICABLE) from FAIL or ERROR. */
  kind: z.enum(['transition', 'resolution']),
  check: z.string(),
  resource: z.string(),
  account: z.string(),
  region: z.string(),
  from: findingStatusSchema,
  to: findingStatusSchema,
  detail: z.string(),
  detectedAt: z.string(),
  evidence: z.object({ key: z.string(), sha256: z.string() }).optional(),
  /** Checklist items that list the check, with their Trust Services Criteria. */
  items: z.array(z.object({ id: z.string(), criteria: z.array(z.string()) })),
  /** The CloudTrail event whose re-collection produced the deciding evidence. */
  cause: changeEventSchema.optional(),
  /** Where the alert log object is. */
  logKey: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  lastError: z.string().optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export const trackedStatusSchema = z.object({
  status: findingStatusSchema,
  detail: z.string(),
  /** When the finding first had this status. */
  since: z.string(),
});
export type TrackedStatus = z.infer<typeof trackedStatusSchema>;

export const findingStateSchema = z.object({
  schema: z.literal(FINDING_STATE_SCHEMA),
  updatedAt: z.string(),
  /** Keyed by findingKey(). */
  findings: z.record(z.string(), trackedStatusSchema),
  /** Alerts whose delivery has not succeeded yet, oldest first. */
  pending: z.array(alertSchema),
});
export type FindingState = z.infer<typeof findingStateSchema>;

export function emptyState(now: Date): FindingState {
  return { schema: FINDING_STATE_SCHEMA, updatedAt: now.toISOString(), findings: {}, pending: [] };
}

export interface FindingIdentity {
  check: string;
  account: string;
  region: string;
  resource: string;
}

/** Account and region are part of the identity: account-level findings share one ARN across regions. */
export function findingKey(f: FindingIdentity): string {
  return `${f.check}|${f.account}|${f.region}|${f.resource}`;
}

/** Raised when the stored state cannot be read: the evaluator must not re-baseline over it and lose alerts. */
export class CorruptStateError extends Error {
  constructor(reason: string) {
    super(`alert state ${FINDING_STATE_KEY} is unreadable: ${reason}`);
    this.name = 'CorruptStateError';
  }
}

/** The stored state; undefined before the first evaluation (everything then becomes a baseline). */
export async function loadState(store: EvidenceStore): Promise<FindingState | undefined> {
  const bytes = await store.get(FINDING_STATE_KEY);
  if (!bytes) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new CorruptStateError((err as Error).message);
  }
  const parsed = findingStateSchema.safeParse(raw);
  if (!parsed.success) throw new CorruptStateError(parsed.error.issues[0]?.message ?? 'schema mismatch');
  return parsed.data;
}

export async function saveState(store: EvidenceStore, state: FindingState): Promise<StoredObject> {
  return store.put(FINDING_STATE_KEY, new TextEncoder().encode(JSON.stringify(state)), {
    contentType: 'application/json',
    overwrite: true,
  });
}

/** Same transition of the same finding from the same evidence: same id, so a re-run cannot log it twice. */
export function alertId(alert: Pick<Alert, 'check' | 'account' | 'region' | 'resource' | 'from' | 'to' | 'evidence'>): string {
  const material = [alert.check, alert.account, alert.region, alert.resource, alert.from, alert.to, alert.evidence?.key ?? ''];
  return createHash('sha256').update(material.join('\n')).digest('hex').slice(0, 24);
}

export function alertLogKey(alert: Pick<Alert, 'id' | 'account' | 'detectedAt'>): string {
  const at = new Date(alert.detectedAt);
  const account = /^\d{12}$/.test(alert.account) ? alert.account : 'unknown';
  return `${ALERT_LOG_PREFIX}account=${account}/date=${at.toISOString().slice(0, 10)}/${compactTime(at)}-${alert.id}.json.gz`;
}

/** Writes the alert to the alert log (write-once); an alert already logged is not an error. */
export async function logAlert(store: EvidenceStore, alert: Alert): Promise<string> {
  const key = alertLogKey(alert);
  const { attempts: _attempts, lastError: _lastError, logKey: _logKey, ...logged } = alert;
  try {
    await store.put(key, new Uint8Array(gzipSync(JSON.stringify({ schema: 'soc2-ml-alert/v1', ...logged }))), {
      contentType: 'application/json',
    });
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  return key;
}
