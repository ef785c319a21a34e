import type { CollectorName } from '../evidence/record';
import { defineAccountCheck } from './framework';
import { accountRootArn, failureLine, findingFor, type Verdict } from './helpers';
import type { Check, CheckContext, Finding, Snapshot, SnapshotResource } from './types';

/** A region's verdict, on the resource that decides it (a detector, a hub) or on the account root. */
export interface RegionalVerdict extends Verdict {
  resource?: SnapshotResource;
}

export interface RegionalServiceCheckSpec {
  id: string;
  /** The security service's collector: one snapshot per account and region. */
  collector: CollectorName;
  passCondition: string;
  remediation: string;
  /** The verdict for one region whose snapshot recorded no failed call without a resource. */
  judge: (snapshot: Snapshot, context: CheckContext) => RegionalVerdict;
}

/**
 * A check on whether an AWS security service is on, per account and collected region ("account,
 * per configured region" in the checklist). A region whose collection recorded a failed
 * account-wide call is ERROR naming it: a "not enabled" answer is recorded by the collector as a
 * fact, never as a failure, so what remains is an error (AccessDenied, throttling, an outage).
 */
export function defineRegionalServiceCheck(spec: RegionalServiceCheckSpec): Check {
  return defineAccountCheck({
    id: spec.id,
    accountsOf: spec.collector,
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    judge: ({ account, snapshots }, context) =>
      snapshots.map((snapshot): Finding => {
        const failed = snapshot.errors.find((e) => e.resource === undefined);
        const verdict: RegionalVerdict = failed
          ? { status: 'ERROR', detail: `${spec.collector} status could not be collected: ${failureLine(failed)}` }
          : spec.judge(snapshot, context);
        if (verdict.resource) return findingFor(spec.id, verdict.resource, verdict);
        return {
          check: spec.id,
          resource: accountRootArn(account),
          account,
          region: snapshot.region,
          status: verdict.status,
          detail: verdict.detail,
          evidence: snapshot.evidence,
        };
      }),
  });
}

/** The resources of one type in a snapshot. */
export const resourcesOfType = (snapshot: Snapshot, type: string) => snapshot.resources.filter((r) => r.type === type);
