import type { EvidenceRef, Snapshot, SnapshotResource } from '../checks/types';
import type { CollectionError, EvidenceRecord } from '../evidence/record';

/** A decoded evidence record and the object it was read from. */
export interface StoredEvidence {
  record: EvidenceRecord;
  evidence: EvidenceRef;
}

/**
 * An evidence object that must not decide anything: altered since its period was sealed
 * ("integrity": findings citing it), or unreadable ("unreadable": it may have been the latest
 * word on its whole collector/account/region partition, so findings citing any record of it).
 */
export interface EvidenceProblem {
  kind: 'integrity' | 'unreadable';
  /**
   * The object spoke for its whole partition (a full snapshot, or unknown because unreadable):
   * every check over its collector gets an ERROR for its account and region, even one whose
   * findings no longer cite it (the resources it would have described may be gone from it).
   */
  wholePartition: boolean;
  /** The object; without its SHA-256 when it could not be read at all. */
  evidence: EvidenceRef | { key: string };
  collector: string;
  account: string;
  region: string;
  /** One line naming the object and what is wrong with it. */
  message: string;
}

export interface BuiltSnapshot {
  snapshot: Snapshot;
  overlays: number;
}

const groupKey = (collector: string, account: string, region: string) => `${collector}|${account}|${region}`;

/**
 * Current state per collector, account and region: the latest full snapshot, overlaid in time
 * order with newer single-resource records (a resource replaced, ARNs in `deleted` dropped, the
 * errors about a re-collected resource replaced by the new record's). Each resource cites the
 * record it came from. A group with only single-resource records has no snapshot: its evidence
 * is missing, not empty.
 */
export function buildSnapshots(evidence: StoredEvidence[]): BuiltSnapshot[] {
  const groups = new Map<string, StoredEvidence[]>();
  for (const item of evidence) {
    const key = groupKey(item.record.collector.name, item.record.account, item.record.region);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  const built: BuiltSnapshot[] = [];
  for (const group of groups.values()) {
    const full = latest(group.filter((item) => item.record.scope.type === 'all'));
    if (!full) continue;
    const overlays = group
      .filter((item) => item.record.scope.type === 'resource' && item.record.collectedAt > full.record.collectedAt)
      .sort((a, b) => a.record.collectedAt.localeCompare(b.record.collectedAt));
    built.push({ snapshot: overlay(full, overlays), overlays: overlays.length });
  }
  const sortKey = ({ snapshot }: BuiltSnapshot) => groupKey(snapshot.collector, snapshot.account, snapshot.region);
  return built.sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
}

function latest(items: StoredEvidence[]): StoredEvidence | undefined {
  let best: StoredEvidence | undefined;
  for (const item of items) if (!best || item.record.collectedAt > best.record.collectedAt) best = item;
  return best;
}

function cite(item: StoredEvidence): SnapshotResource[] {
  return item.record.resources.map((resource) => ({ ...resource, account: item.record.account, evidence: item.evidence }));
}

function overlay(full: StoredEvidence, overlays: StoredEvidence[]): Snapshot {
  const resources = new Map<string, SnapshotResource>();
  for (const resource of cite(full)) resources.set(resource.arn, resource);
  let errors: CollectionError[] = [...full.record.errors];
  for (const item of overlays) {
    const touched = new Set([...item.record.resources.map((r) => r.arn), ...item.record.deleted]);
    errors = errors.filter((error) => error.resource === undefined || !touched.has(error.resource));
    for (const arn of item.record.deleted) resources.delete(arn);
    for (const resource of cite(item)) resources.set(resource.arn, resource);
    errors.push(...item.record.errors);
  }
  return {
    collector: full.record.collector.name,
    account: full.record.account,
    region: full.record.region,
    collectedAt: full.record.collectedAt,
    evidence: full.evidence,
    resources: [...resources.values()],
    errors,
  };
}
