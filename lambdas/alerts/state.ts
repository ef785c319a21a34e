import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { z } from 'zod';
import { FINDING_STATUSES } from '../checks/types';
import { sha256Hex } from '../evidence/hash';
import { ALERT_LOG_PREFIX, FINDING_STATE_KEY, UNREADABLE_STATE_PREFIX } from '../evidence/layout';
import { changeEventSchema } from '../evidence/record';
import { type ConditionalWriteStore, type EvidenceStore, ObjectExistsError, supportsConditionalWrites } from '../evidence/store';
import { compactTime } from '../integrity/periods';

/**
 * Alert state: the last known status of every (check, account, region, resource), and the
 * alerts not yet delivered. One mutable object; every write is conditional on the version read
 * (S3 If-Match / If-None-Match, a lock file locally), so concurrent evaluations cannot both
 * claim a transition or both post a message. S3 versioning keeps its history.
 * The alert log (ALERT_LOG_PREFIX): one write-once object per alert, in the evidence layout so
 * the digest chain seals it: evidence/v1/alerts/account=A/date=YYYY-MM-DD/<HHMMSSmmm>Z-<alert id>.json.gz
 */
export { ALERT_LOG_PREFIX, FINDING_STATE_KEY };
export const FINDING_STATE_SCHEMA = 'soc2-ml-finding-status/v1';
/** Where an unreadable state file is kept (write-once, named by its hash) before it is replaced: UNREADABLE_STATE_PREFIX. */
export { UNREADABLE_STATE_PREFIX };

const findingStatusSchema = z.enum(FINDING_STATUSES);

export type AlertCause = z.infer<typeof changeEventSchema>;

/** The collection run whose record decided a finding that no change event caused. */
export const collectionRunSchema = z.object({
  collector: z.string(),
  collectedAt: z.string(),
  trigger: z.enum(['schedule', 'cli']),
});
export type CollectionRun = z.infer<typeof collectionRunSchema>;

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
  /** Otherwise, the collection run that did. */
  run: collectionRunSchema.optional(),
  /** Where the alert log object is. */
  logKey: z.string().optional(),
  attempts: z.number().int().nonnegative(),
  lastError: z.string().optional(),
  /** A delivery in progress: no other evaluation posts this alert before `until`. */
  claim: z.object({ by: z.string(), until: z.string() }).optional(),
});
export type Alert = z.infer<typeof alertSchema>;

export const trackedStatusSchema = z.object({
  status: findingStatusSchema,
  detail: z.string(),
  /** When the finding first had this status. */
  since: z.string(),
});
export type TrackedStatus = z.infer<typeof trackedStatusSchema>;

/** A message Slack refused for good (a 4xx other than 429): recorded, then the queue moves on. */
export const undeliverableSchema = z.object({
  alertIds: z.array(z.string()),
  text: z.string(),
  status: z.number().int(),
  reason: z.string(),
  at: z.string(),
});
export type Undeliverable = z.infer<typeof undeliverableSchema>;

/** How many refused messages the state remembers (the alert log keeps every alert). */
export const UNDELIVERABLE_KEPT = 100;

export const findingStateSchema = z.object({
  schema: z.literal(FINDING_STATE_SCHEMA),
  updatedAt: z.string(),
  /** Keyed by findingKey(). */
  findings: z.record(z.string(), trackedStatusSchema),
  /** Alerts whose delivery has not succeeded yet, oldest first. */
  pending: z.array(alertSchema),
  /** The latest messages Slack refused for good, oldest first. */
  undeliverable: z.array(undeliverableSchema).optional(),
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

export interface StateRead {
  /** Undefined before the first evaluation (everything then becomes a baseline). */
  state?: FindingState;
  /** The version read, for the conditional write that replaces it. */
  tag?: string;
  /** Set when the stored state was unreadable: what was kept and recovered. */
  problem?: string;
}

/**
 * The stored state and its version. An unreadable state must not stop alerting: its bytes are
 * kept under UNREADABLE_STATE_PREFIX, every finding status and pending alert that still parses
 * is recovered, and the rest start a new baseline, which posts nothing (no alert storm) at the
 * cost of the transitions that the lost entries would have shown.
 */
export async function readState(store: ConditionalWriteStore, now: Date): Promise<StateRead> {
  const object = await store.getTagged(FINDING_STATE_KEY);
  if (!object) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(object.body));
  } catch (err) {
    return recover(store, object.body, object.tag, emptyState(now), (err as Error).message);
  }
  const parsed = findingStateSchema.safeParse(raw);
  if (parsed.success) return { state: parsed.data, tag: object.tag };
  const issue = parsed.error.issues[0];
  const reason = `${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'schema mismatch'}`;
  return recover(store, object.body, object.tag, salvage(raw, now), reason);
}

async function recover(
  store: ConditionalWriteStore,
  body: Uint8Array,
  tag: string,
  state: FindingState,
  reason: string,
): Promise<StateRead> {
  const copy = `${UNREADABLE_STATE_PREFIX}${sha256Hex(body).slice(0, 16)}.json`;
  try {
    await store.put(copy, body, { contentType: 'application/octet-stream' });
  } catch (err) {
    if (!(err instanceof ObjectExistsError)) throw err;
  }
  const recovered = `${Object.keys(state.findings).length} finding status(es) and ${state.pending.length} pending alert(s) recovered`;
  return {
    state,
    tag,
    problem: `alert state ${FINDING_STATE_KEY} is unreadable (${reason}); kept as ${copy}; ${recovered}; other findings start a new baseline`,
  };
}

/** The entries of a state document that still match the schema, one by one. */
function salvage(raw: unknown, now: Date): FindingState {
  const state = emptyState(now);
  if (!raw || typeof raw !== 'object') return state;
  const document = raw as { findings?: unknown; pending?: unknown; undeliverable?: unknown };
  if (document.findings && typeof document.findings === 'object')
    for (const [key, value] of Object.entries(document.findings)) {
      const tracked = trackedStatusSchema.safeParse(value);
      if (tracked.success) state.findings[key] = tracked.data;
    }
  state.pending = parsedEntries(alertSchema, document.pending);
  const undeliverable = parsedEntries(undeliverableSchema, document.undeliverable);
  if (undeliverable.length > 0) state.undeliverable = undeliverable;
  return state;
}

function parsedEntries<T>(schema: z.ZodType<T>, value: unknown): T[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry) => {
    const parsed = schema.safeParse(entry);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * Replaces the state only if it is still the version read (`tag`; undefined: only if none
 * exists yet). Throws ConditionalWriteConflictError when another evaluation wrote first.
 */
export async function writeState(store: ConditionalWriteStore, state: FindingState, tag: string | undefined): Promise<string> {
  const written = await store.putIfUnchanged(FINDING_STATE_KEY, new TextEncoder().encode(JSON.stringify(state)), tag, {
    contentType: 'application/json',
  });
  return written.tag;
}

/** The alert state needs conditional writes; both real stores have them. */
export function conditionalStore(store: EvidenceStore): ConditionalWriteStore {
  if (!supportsConditionalWrites(store))
    throw new Error(`evidence store ${store.location} cannot write the alert state conditionally`);
  return store;
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
