import type { ItemKind } from '../catalog/catalog';
import type { EvidenceRef, FindingStatus } from '../checks/types';

export const PERIOD_SCHEMA = 'soc2-ml-period/v1';

/**
 * A check's status on a resource over an interval: a finding status, NOT_OBSERVED (no fresh
 * evidence: before the first collection, or a gap longer than the freshness window), or ABSENT
 * (fresh evidence shows the resource did not exist or was outside the check's scope).
 */
export const INTERVAL_STATUSES = ['PASS', 'FAIL', 'ERROR', 'EXCEPTED', 'NOT_APPLICABLE', 'NOT_OBSERVED', 'ABSENT'] as const;
export type IntervalStatus = FindingStatus | 'NOT_OBSERVED' | 'ABSENT';

/** Statuses under which a control operated as designed. */
export const COMPLIANT_STATUSES: ReadonlySet<IntervalStatus> = new Set(['PASS', 'EXCEPTED', 'NOT_APPLICABLE']);

/** The CloudTrail change that explains a transition. */
export interface IntervalCause {
  eventName: string;
  eventId: string;
  principal: string;
  time: string;
  /**
   * Set when no re-collection caused by the event observed the change (a scheduled snapshot did),
   * and the event is the latest change to the resource between the two observations.
   */
  inferred?: true;
}

export interface PeriodInterval {
  status: IntervalStatus;
  from: string;
  to: string;
  cause?: IntervalCause;
  /** The record that first observed this status and, when another, the last one that confirmed it. */
  evidence: EvidenceRef[];
  /** The collection that observed the transition: its trigger and when it collected. */
  observedBy?: { trigger: 'schedule' | 'cli' | 'event'; collectedAt: string };
  /** The finding's own line when the interval opened. */
  detail?: string;
}

export interface PeriodCheck {
  check: string;
  items: string[];
  resource: string;
  account: string;
  region: string;
  observedSeconds: number;
  compliantSeconds: number;
  notObservedSeconds: number;
  intervals: PeriodInterval[];
}

export const ITEM_PERIOD_STATUSES = [
  'PASS',
  'ATTESTED',
  'NOT_APPLICABLE',
  'FAIL',
  'ERROR',
  'NOT_OBSERVED',
  'NEEDS_EVIDENCE',
] as const;
export type ItemPeriodStatus = (typeof ITEM_PERIOD_STATUSES)[number];

/** A time when a check on a resource of the item was FAIL or ERROR: who changed it, when, how long until fixed. */
export interface DriftInterval {
  check: string;
  resource: string;
  account: string;
  region: string;
  status: IntervalStatus;
  from: string;
  to: string;
  /** Seconds from the drift to the observation that ended it (or to the end of what was observed). */
  seconds: number;
  /** True when a PASS (or EXCEPTED / NOT_APPLICABLE) observation ended it inside the window. */
  remediated: boolean;
  cause?: IntervalCause;
  /** The change that ended it, when a change event explains the fix. */
  remediatedBy?: IntervalCause;
  evidence: EvidenceRef[];
}

/** One manual evidence file and the part of the window it was valid for. */
export interface ManualValidity {
  key: string;
  sha256: string;
  fileName: string;
  uploadedBy: string;
  uploadedAt: string;
  /** Clipped to the window; absent when it was valid at no time of the window. */
  validFrom?: string;
  validTo?: string;
  validSeconds: number;
}

export interface PeriodItem {
  id: string;
  title: string;
  section: string;
  kind: ItemKind;
  criteria: string[];
  /** PASS / ATTESTED / NOT_APPLICABLE when compliant throughout; else the worst status it had. */
  status: ItemPeriodStatus;
  compliantShare: number;
  intervals: { status: ItemPeriodStatus; from: string; to: string }[];
  drift: DriftInterval[];
  manualEvidence: ManualValidity[];
  /** Checks decided from store facts of the day (lock, digests, report history), which evidence records cannot replay. */
  notReconstructed: string[];
}

export interface PopulationSample {
  size: number;
  seed: number;
  rows: string[];
}

export interface PopulationView {
  name: string;
  description: string;
  size: number;
  file: string;
  sample: PopulationSample;
}

export interface ReadStats {
  listCalls: number;
  objectsRead: number;
  bytesRead: number;
}

export interface PeriodResult {
  schema: typeof PERIOD_SCHEMA;
  from: string;
  to: string;
  generatedAt: string;
  generatedBy: { tool: string; version: string };
  accounts: string[];
  regions: string[];
  checks: PeriodCheck[];
  items: PeriodItem[];
  populations: PopulationView[];
  /** Evidence that was read but could not be used (unreadable, altered after sealing), one line each. */
  problems: string[];
  reads: ReadStats;
}

/** Appends to the list under `key`, creating it: grouping without copying the list on every add. */
export function pushTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const group = groups.get(key);
  if (group) group.push(value);
  else groups.set(key, [value]);
}
