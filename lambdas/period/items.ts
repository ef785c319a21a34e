import type { Catalog, CatalogItem } from '../catalog/catalog';
import { manualDueAt } from '../report/evaluate';
import type { ManualEvidenceEntry } from '../report/result';
import type { KeyedTimeline } from './replay';
import type { TimedInterval } from './timeline';
import {
  COMPLIANT_STATUSES,
  type DriftInterval,
  type IntervalStatus,
  type ItemPeriodStatus,
  type ManualValidity,
  type PeriodItem,
  pushTo,
} from './types';

const iso = (ms: number) => new Date(ms).toISOString();
const seconds = (ms: number) => Math.round(ms / 1000);

/** Worst first: what an item's window status names when it was not compliant throughout. */
const SEVERITY: ItemPeriodStatus[] = ['FAIL', 'ERROR', 'NOT_OBSERVED', 'NEEDS_EVIDENCE', 'PASS', 'ATTESTED', 'NOT_APPLICABLE'];
const ITEM_COMPLIANT: ReadonlySet<ItemPeriodStatus> = new Set(['PASS', 'ATTESTED', 'NOT_APPLICABLE']);

export interface ItemInput {
  catalog: Catalog;
  /** Checks the period replayed; the items' other checks rest on store facts it cannot replay. */
  replayedChecks: ReadonlySet<string>;
  resources: KeyedTimeline[];
  /** Per replayed check: NOT_OBSERVED where its evidence was not fresh. */
  checkTimelines: Map<string, TimedInterval[]>;
  manualEvidence: ManualEvidenceEntry[];
  start: number;
  end: number;
}

/**
 * The item view: at every moment, an item stands as its worst check on any resource (FAIL, then
 * ERROR, then NOT_OBSERVED where its evidence was not fresh); a partial or manual item also needs
 * manual evidence valid at that moment. The compliant share is the part of the window where it
 * was PASS, ATTESTED or NOT_APPLICABLE.
 */
export function periodItems(input: ItemInput): PeriodItem[] {
  const byCheck = new Map<string, KeyedTimeline[]>();
  for (const resource of input.resources) pushTo(byCheck, resource.check, resource);
  return input.catalog.items.map((item) => periodItem(item, input, byCheck));
}

function periodItem(item: CatalogItem, input: ItemInput, byCheck: Map<string, KeyedTimeline[]>): PeriodItem {
  const replayed = item.checks.filter((check) => input.replayedChecks.has(check));
  const notReconstructed = item.checks.filter((check) => !input.replayedChecks.has(check));
  const timelines = replayed.flatMap((check) => byCheck.get(check) ?? []);
  const manual = item.manualEvidence
    ? input.manualEvidence
        .filter((entry) => entry.itemId === item.id)
        .map((entry) => manualValidity(entry, item.manualEvidence!.freshnessDays, input.start, input.end))
    : [];

  // Sweep over every boundary, counting the statuses in force.
  type Kind = IntervalStatus | 'MANUAL';
  const events: { at: number; kind: Kind; delta: 1 | -1 }[] = [];
  const push = (from: number, to: number, kind: Kind) => {
    if (to <= from) return;
    events.push({ at: from, kind, delta: 1 }, { at: to, kind, delta: -1 });
  };
  for (const timeline of timelines) for (const i of timeline.intervals) push(i.from, i.to, i.status);
  for (const check of replayed)
    for (const i of input.checkTimelines.get(check) ?? [
      { status: 'NOT_OBSERVED', from: input.start, to: input.end, evidence: [] },
    ])
      if (i.status === 'NOT_OBSERVED') push(i.from, i.to, 'NOT_OBSERVED');
  for (const m of manual) if (m.validFrom && m.validTo) push(Date.parse(m.validFrom), Date.parse(m.validTo), 'MANUAL');
  events.sort((a, b) => a.at - b.at);

  const counts = new Map<Kind, number>();
  const intervals: PeriodItem['intervals'] = [];
  let cursor = input.start;
  let index = 0;
  const statusNow = (): ItemPeriodStatus => {
    const n = (kind: Kind) => counts.get(kind) ?? 0;
    let status: ItemPeriodStatus;
    if (n('FAIL') > 0) status = 'FAIL';
    else if (n('ERROR') > 0) status = 'ERROR';
    else if (n('NOT_OBSERVED') > 0) status = 'NOT_OBSERVED';
    // Nothing observed to hold (every resource ABSENT, or only checks the period cannot replay).
    else if (item.kind !== 'manual' && n('PASS') + n('EXCEPTED') + n('NOT_APPLICABLE') === 0) status = 'NOT_OBSERVED';
    else if (item.kind !== 'auto' && n('MANUAL') === 0) status = 'NEEDS_EVIDENCE';
    else if (item.kind === 'manual') status = 'ATTESTED';
    else if (n('PASS') + n('EXCEPTED') === 0) status = 'NOT_APPLICABLE';
    else status = 'PASS';
    return status;
  };
  while (cursor < input.end) {
    while (index < events.length && events[index]!.at <= cursor) {
      const event = events[index]!;
      counts.set(event.kind, (counts.get(event.kind) ?? 0) + event.delta);
      index += 1;
    }
    const next = Math.min(input.end, index < events.length ? events[index]!.at : input.end);
    const status = statusNow();
    const last = intervals[intervals.length - 1];
    if (last && last.status === status) last.to = iso(next);
    else intervals.push({ status, from: iso(cursor), to: iso(next) });
    cursor = next;
  }

  const compliantMs = intervals
    .filter((i) => ITEM_COMPLIANT.has(i.status))
    .reduce((sum, i) => sum + Date.parse(i.to) - Date.parse(i.from), 0);
  const status =
    SEVERITY.find((s) => intervals.some((i) => i.status === s && !ITEM_COMPLIANT.has(s))) ??
    SEVERITY.find((s) => intervals.some((i) => i.status === s))!;
  return {
    id: item.id,
    title: item.title,
    section: item.section,
    kind: item.kind,
    criteria: item.criteria,
    status,
    compliantShare: Math.round((compliantMs / (input.end - input.start)) * 10_000) / 10_000,
    intervals,
    drift: timelines.flatMap(driftOf).sort((a, b) => a.from.localeCompare(b.from) || a.check.localeCompare(b.check)),
    manualEvidence: manual,
    notReconstructed,
  };
}

/** FAIL and ERROR intervals, each with the change that caused it and the one that ended it. */
export function driftOf(timeline: KeyedTimeline): DriftInterval[] {
  const drift: DriftInterval[] = [];
  timeline.intervals.forEach((interval, index) => {
    if (interval.status !== 'FAIL' && interval.status !== 'ERROR') return;
    const next = timeline.intervals[index + 1];
    const remediated = !!next && COMPLIANT_STATUSES.has(next.status);
    drift.push({
      check: timeline.check,
      resource: timeline.resource,
      account: timeline.account,
      region: timeline.region,
      status: interval.status,
      from: iso(interval.from),
      to: iso(interval.to),
      seconds: seconds(interval.to - interval.from),
      remediated,
      ...(interval.cause ? { cause: interval.cause } : {}),
      ...(remediated && next.cause ? { remediatedBy: next.cause } : {}),
      evidence: interval.evidence,
    });
  });
  return drift;
}

function manualValidity(entry: ManualEvidenceEntry, freshnessDays: number, start: number, end: number): ManualValidity {
  const from = Math.max(start, Date.parse(entry.uploadedAt));
  const to = Math.min(end, Date.parse(manualDueAt(entry, freshnessDays)));
  const valid = to > from;
  return {
    key: entry.key,
    sha256: entry.sha256,
    fileName: entry.fileName,
    uploadedBy: entry.uploadedBy,
    uploadedAt: entry.uploadedAt,
    ...(valid ? { validFrom: iso(from), validTo: iso(to) } : {}),
    validSeconds: valid ? seconds(to - from) : 0,
  };
}
