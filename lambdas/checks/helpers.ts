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

/** One line saying which listing failed and what that means for the population. */
export function incompleteDetail(what: string, failure: CollectionError, judged: number): string {
  const call = failureLine(failure);
  return judged === 0
    ? `${what} could not be listed: ${call}`
    : `${what} not completely listed: ${call}; the ${judged} seen are judged, others may exist unseen`;
}

/** Whole days between an ISO timestamp and now. */
export function daysSince(now: Date, timestamp: string): number {
  return Math.floor((now.getTime() - Date.parse(timestamp)) / 86_400_000);
}
