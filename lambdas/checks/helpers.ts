import type { CollectionError } from '../evidence/record';
import type { Finding, FindingStatus, Snapshot, SnapshotResource } from './types';

export interface Verdict {
  status: FindingStatus;
  detail: string;
}

export const pass = (detail: string): Verdict => ({ status: 'PASS', detail });
export const fail = (detail: string): Verdict => ({ status: 'FAIL', detail });

/** ERROR verdict that cites the failed call when the snapshot recorded one for the resource. */
export function missing(snapshot: Snapshot, resource: string, what: string, api?: string): Verdict {
  // Without an error from the field's own call, the resource was not described at all (a name-only
  // record after DescribeKey, GetBucketLocation or the deadline failed): cite that instead.
  const error = errorFor(snapshot, resource, api) ?? (api === undefined ? undefined : errorFor(snapshot, resource));
  return {
    status: 'ERROR',
    detail: error
      ? `${what} could not be collected: ${error.api} failed with ${error.code}: ${error.message}`
      : `${what} could not be collected`,
  };
}

/** The first recorded error about a resource (and API, when given). */
export function errorFor(snapshot: Snapshot, resource: string, api?: string): CollectionError | undefined {
  return snapshot.errors.find((e) => e.resource === resource && (api === undefined || e.api === api));
}

export function accountRootArn(account: string): string {
  return `arn:aws:iam::${account}:root`;
}

export function findingFor(check: string, resource: SnapshotResource, verdict: Verdict): Finding {
  return {
    check,
    resource: resource.arn,
    account: resource.account,
    region: resource.region,
    status: verdict.status,
    detail: verdict.detail,
    evidence: resource.evidence,
  };
}

/**
 * The usual shape of a check: judge every resource of a type that is in scope.
 * When nothing is in scope, one NOT_APPLICABLE finding per snapshot, or ERROR when the
 * snapshot's listing failed (an empty list we could not read is not "nothing in scope").
 */
export function judgeEach(
  check: string,
  snapshots: Snapshot[],
  select: (resource: SnapshotResource, snapshot: Snapshot) => boolean,
  judge: (resource: SnapshotResource, snapshot: Snapshot) => Verdict,
  emptyScope: { resource: (snapshot: Snapshot) => string; what: string },
): Finding[] {
  const findings: Finding[] = [];
  for (const snapshot of snapshots) {
    const inScope = snapshot.resources.filter((r) => select(r, snapshot));
    for (const resource of inScope) findings.push(findingFor(check, resource, judge(resource, snapshot)));
    if (inScope.length === 0) {
      const listingFailed = snapshot.errors.find((e) => e.resource === undefined);
      findings.push({
        check,
        resource: emptyScope.resource(snapshot),
        account: snapshot.account,
        region: snapshot.region,
        status: listingFailed ? 'ERROR' : 'NOT_APPLICABLE',
        detail: listingFailed
          ? `${emptyScope.what} could not be listed: ${listingFailed.api} failed with ${listingFailed.code}`
          : `no ${emptyScope.what} in scope`,
        evidence: snapshot.evidence,
      });
    }
  }
  return findings;
}
