import { gunzipSync } from 'node:zlib';
import pLimit from 'p-limit';
import { CHANGE_LOG_SCHEMA, type ChangeLogEntry, REDELIVERY_WINDOW_DAYS } from '../events/change-log';
import { type CloudTrailDetail, parseCloudTrailEvent, principalOf } from '../events/cloudtrail-event';
import { resolveTargets } from '../events/targets';
import { sha256Hex } from '../evidence/hash';
import { listChangeLogPartitions, listPartitionDates, listPartitionDay } from '../evidence/partitions';
import type { EvidenceStore } from '../evidence/store';
import { type PeriodWindow, READ_CONCURRENCY, windowDays } from './reconstruct';

/** One CloudTrail change recorded in the change log, as the populations cite it. */
export interface RecordedChange {
  eventId: string;
  eventTime: string;
  eventName: string;
  eventSource: string;
  principal: string;
  account: string;
  region: string;
  handling: ChangeLogEntry['handling'];
  /** CloudTrail's errorCode of a call that failed; empty when it succeeded. */
  errorCode: string;
  /** What the populations name, read from the event's request and response (empty when it has none). */
  user: string;
  endpoint: string;
  endpointConfig: string;
  /** Records the re-collection wrote. */
  recollections: string[];
  /** The resources the event names, as the change path resolves them (ARNs where the service has them). */
  resources: string[];
  evidence: { key: string; sha256: string };
}

/**
 * Every change event that happened inside the window, read from the change-log days that can
 * hold one: recorded from the window's first day until a redelivery could still arrive
 * (REDELIVERY_WINDOW_DAYS after its last).
 * An entry that cannot be read is a problem line, not a silent gap.
 */
export async function readChangeEvents(
  store: EvidenceStore,
  window: PeriodWindow,
): Promise<{ changes: RecordedChange[]; problems: string[] }> {
  const lastDay = new Date(window.end + (REDELIVERY_WINDOW_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  const days = new Set(windowDays({ ...window, to: lastDay, end: Date.parse(`${lastDay}T00:00:00Z`) + 86_400_000 }));
  const changes: RecordedChange[] = [];
  const problems: string[] = [];
  const limit = pLimit(READ_CONCURRENCY);
  for (const partition of await listChangeLogPartitions(store)) {
    for (const date of await listPartitionDates(store, partition)) {
      if (!days.has(date)) continue;
      const objects = await listPartitionDay(store, partition, date);
      const contents = await Promise.all(
        objects.map((object) => limit(async () => ({ object, bytes: await store.get(object.key) }))),
      );
      for (const { object, bytes } of contents) {
        if (!bytes) continue;
        let entry: ChangeLogEntry;
        try {
          entry = JSON.parse(gunzipSync(bytes).toString('utf8')) as ChangeLogEntry;
          if (entry.schema !== CHANGE_LOG_SCHEMA) throw new Error(`schema is not ${CHANGE_LOG_SCHEMA}`);
          const parsed = parseCloudTrailEvent(entry.event);
          if (!parsed.ok) throw new Error(parsed.problem);
          entry = { ...entry, event: parsed.event };
        } catch (err) {
          problems.push(`change event ${object.key} is unreadable (${(err as Error).message}): left out of the populations`);
          continue;
        }
        const { detail } = entry.event;
        const at = Date.parse(detail.eventTime);
        if (at < window.start || at >= window.end) continue;
        changes.push({
          eventId: detail.eventID,
          eventTime: new Date(at).toISOString(),
          eventName: detail.eventName,
          eventSource: detail.eventSource,
          principal: principalOf(detail),
          account: partition.account,
          region: partition.region,
          handling: entry.handling,
          errorCode: detail.errorCode ?? '',
          ...subjects(objectOrEmpty(detail.requestParameters), objectOrEmpty(detail.responseElements)),
          recollections: entry.evidence,
          resources: resourcesOf(detail),
          evidence: { key: object.key, sha256: sha256Hex(bytes) },
        });
      }
    }
  }
  changes.sort((a, b) => a.eventTime.localeCompare(b.eventTime) || a.eventId.localeCompare(b.eventId));
  return { changes, problems };
}

function objectOrEmpty(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The user a credential event is about (CreateUser names it in its response; CreateAccessKey
 * and CreateLoginProfile in the request), and the endpoint an endpoint event is about. Only these
 * are kept: a year of events must not hold every request in memory.
 */
function subjects(request: Record<string, unknown>, response: Record<string, unknown>) {
  const user = objectOrEmpty(response.user);
  return {
    user: text(request.userName) || text(user.userName) || text(user.arn),
    endpoint: text(request.endpointName),
    endpointConfig: text(request.endpointConfigName),
  };
}

function resourcesOf(detail: CloudTrailDetail): string[] {
  const resolution = resolveTargets(detail, detail.awsRegion);
  if (resolution.kind !== 'targets') return [];
  return resolution.targets.flatMap((t) => (t.scope.type === 'resource' ? [t.scope.resource] : []));
}
