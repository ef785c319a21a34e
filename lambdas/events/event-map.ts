import { eventsOf, SERVICES, type ServiceEventOf } from '../services';

import type { ServiceEvent } from '../services/types';

export type { Locator, ResourceForm } from '../services/types';

/**
 * Which CloudTrail management events can change a checked setting, which collector re-collects
 * the affected resource, and where the event names that resource: the events of every service
 * descriptor (services/<service>/descriptor.ts). Data only: the resolver in targets.ts reads
 * it, the EventBridge rules are built from it (changeEventGroups), every entry has a generated
 * fixture under test/fixtures/events/ and real-shape records from AWS's documentation under
 * test/fixtures/cloudtrail-real/.
 */
export type EventMapping = ServiceEventOf;

export const EVENT_MAP: readonly EventMapping[] = eventsOf(SERVICES);

const keyOf = (eventSource: string, eventName: string, service: string | undefined) =>
  `${eventSource}|${service ?? ''}|${eventName}`;

/** What identifies a CloudTrail record's mapping: its event source, event name and, where it has one, additionalEventData.service. */
export interface MappedEventKey {
  eventSource: string;
  eventName: string;
  additionalEventData?: unknown;
}

/** Looks records up in an event map (every service's events, or more in tests). */
export function eventLookup<Mapping extends ServiceEventOf<string>>(
  map: readonly Mapping[],
): (detail: MappedEventKey) => Mapping | undefined {
  const byKey = new Map(map.map((m) => [keyOf(m.eventSource, m.eventName, m.service), m]));
  return (detail) => {
    const extra = detail.additionalEventData;
    const service = extra !== null && typeof extra === 'object' ? (extra as Record<string, unknown>).service : undefined;
    return (
      (typeof service === 'string' ? byKey.get(keyOf(detail.eventSource, detail.eventName, service)) : undefined) ??
      byKey.get(keyOf(detail.eventSource, detail.eventName, undefined))
    );
  };
}

/** The mapping of a CloudTrail record. */
export const mappingFor: (detail: MappedEventKey) => EventMapping | undefined = eventLookup(EVENT_MAP);

/** What one EventBridge rule matches: the names of one event source (and service, where sources are shared). */
export interface ChangeEventGroup {
  eventSource: string;
  service?: string;
  /** Sorted. */
  eventNames: string[];
}

/** The event map grouped for the EventBridge rules, ordered by event source and service. */
export function changeEventGroups(map: readonly ServiceEvent[] = EVENT_MAP): ChangeEventGroup[] {
  const groups = new Map<string, ChangeEventGroup>();
  for (const { eventSource, service, eventName } of map) {
    const key = `${eventSource}|${service ?? ''}`;
    const group = groups.get(key) ?? { eventSource, ...(service ? { service } : {}), eventNames: [] };
    group.eventNames.push(eventName);
    groups.set(key, group);
  }
  for (const group of groups.values()) group.eventNames.sort();
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group);
}
