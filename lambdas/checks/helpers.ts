import { cleanMessage } from '../aws/errors';
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
    detail: error ? `${what} could not be collected: ${failureLine(error)}` : `${what} could not be collected`,
  };
}

/**
 * A recorded failure as one line: the call, the HTTP status or error code, and what it means
 * ("sagemaker:ListMonitoringSchedules answered HTTP 500 with a non-JSON body"). Messages
 * recorded before the wording was cleaned are cleaned here too.
 */
export function failureLine(error: CollectionError): string {
  const status = /^HTTP(\d{3})$/.exec(error.code)?.[1];
  const message = cleanMessage(error.message);
  if (status !== undefined) {
    // Older records kept the parser's own text; only a JSON parse failure was coded HTTPnnn then.
    return `${error.api} ${message.startsWith('answered HTTP') ? message : `answered HTTP ${status} with a non-JSON body`}`;
  }
  return `${error.api} failed with ${error.code}${message && message !== error.code ? `: ${message}` : ''}`;
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

/** Names the population a check judges, for its account-level findings. */
export interface Population {
  /** The finding resource for account-level findings (the account root ARN). */
  resource: (snapshot: Snapshot) => string;
  /** The resources judged, in the plural, as precisely as the check selects them ("multi-instance training jobs in the look-back window"). */
  what: string;
  /**
   * The listing calls that enumerate the population. When one failed (possibly after some pages
   * were read) the resources seen are not the whole population: the account and region get an
   * ERROR naming the call, besides the findings on the resources that were seen.
   */
  listApis: readonly string[];
}

/** Errors of the snapshot that no resource owns: failed listings, or a collector that failed as a whole. */
const unownedErrors = (snapshot: Snapshot) => snapshot.errors.filter((e) => e.resource === undefined);

/**
 * The usual shape of a check: judge every resource of a type that is in scope. Besides one
 * finding per resource, one account-level finding per snapshot when the population is not
 * known to be complete (ERROR naming the failed listing) or is empty (NOT_APPLICABLE saying so).
 * An empty population with any unowned failure is ERROR: an empty list we could not read is
 * not "nothing in scope".
 */
export function judgeEach(
  check: string,
  snapshots: Snapshot[],
  select: (resource: SnapshotResource, snapshot: Snapshot) => boolean,
  judge: (resource: SnapshotResource, snapshot: Snapshot) => Verdict,
  population: Population,
): Finding[] {
  const findings: Finding[] = [];
  for (const snapshot of snapshots) {
    const inScope = snapshot.resources.filter((r) => select(r, snapshot));
    for (const resource of inScope) findings.push(findingFor(check, resource, judge(resource, snapshot)));
    const unowned = unownedErrors(snapshot);
    const listingFailed =
      unowned.find((e) => population.listApis.includes(e.api)) ?? (inScope.length === 0 ? unowned[0] : undefined);
    if (!listingFailed && inScope.length > 0) continue;
    findings.push({
      check,
      resource: population.resource(snapshot),
      account: snapshot.account,
      region: snapshot.region,
      status: listingFailed ? 'ERROR' : 'NOT_APPLICABLE',
      detail: listingFailed ? incompleteDetail(population.what, listingFailed, inScope.length) : `no ${population.what}`,
      evidence: snapshot.evidence,
    });
  }
  return findings;
}

/** One line saying which listing failed and what that means for the population. */
export function incompleteDetail(what: string, failure: CollectionError, judged: number): string {
  const call = failureLine(failure);
  return judged === 0
    ? `${what} could not be listed: ${call}`
    : `${what} not completely listed: ${call}; the ${judged} seen are judged, others may exist unseen`;
}
