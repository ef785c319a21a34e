import { MACIE_SESSION_TYPE, type MacieSessionConfiguration, macieSessionConfigurationSchema } from '../evidence/resources/macie';
import { readConfiguration } from './framework';
import { daysSince, fail, failureLine, pass, type Verdict } from './helpers';
import { bucketCheck } from './s3';
import type { Check, CheckContext, Snapshot } from './types';

/** A classification job proves discovery for this long after its last run (checklist: within 90 days). */
export const MACIE_JOB_MAX_AGE_DAYS = 90;

/** Macie's evidence for one account and region: its snapshot and the session it recorded. */
function macieIn(
  context: CheckContext,
  account: string,
  region: string,
): { snapshot?: Snapshot; session?: MacieSessionConfiguration } {
  const snapshot = context.snapshots('macie').find((s) => s.account === account && s.region === region);
  const resource = snapshot?.resources.find((r) => r.type === MACIE_SESSION_TYPE);
  const session = resource ? readConfiguration(macieSessionConfigurationSchema, resource) : undefined;
  return { ...(snapshot ? { snapshot } : {}), ...(session ? { session } : {}) };
}

const unreadable = (snapshot: Snapshot, what: string, api: string): Verdict => {
  const error = snapshot.errors.find((e) => e.api === api) ?? snapshot.errors[0];
  return { status: 'ERROR', detail: `${what} could not be collected${error ? `: ${failureLine(error)}` : ''}` };
};

/** Macie covers a bucket by automated discovery (not excluded by its scope) or by a job run within 90 days that names it. */
function judgeDiscovery(account: string, bucketName: string, region: string, context: CheckContext): Verdict {
  const { snapshot, session } = macieIn(context, account, region);
  if (!snapshot) return { status: 'ERROR', detail: `no Macie evidence for ${region}, the bucket's region (collect macie there)` };
  if (!session) return unreadable(snapshot, 'Macie status', 'macie2:GetMacieSession');
  if (session.status === 'NOT_ENABLED') return fail(`Macie is not enabled in ${region}`);
  if (session.status !== 'ENABLED') return fail(`Macie is ${session.status} in ${region}: no discovery runs`);
  const discovery = session.automatedDiscovery;
  if (
    discovery?.status === 'ENABLED' &&
    discovery.excludedBuckets !== undefined &&
    !discovery.excludedBuckets.includes(bucketName)
  )
    return pass(
      `automated sensitive data discovery ENABLED in ${region} and its classification scope does not exclude the bucket`,
    );
  const recent = (session.jobs ?? []).find(
    (job) =>
      job.buckets.some((b) => b.account === account && b.name === bucketName) &&
      job.lastRunTime !== undefined &&
      job.lastRunError !== 'ERROR' &&
      daysSince(context.now, job.lastRunTime) <= MACIE_JOB_MAX_AGE_DAYS,
  );
  if (recent) return pass(`classification job ${recent.name ?? recent.jobId} last ran ${recent.lastRunTime} over the bucket`);
  // What is missing decides between "not covered" and "could not be read".
  if (discovery === undefined)
    return unreadable(snapshot, 'automated discovery configuration', 'macie2:GetAutomatedDiscoveryConfiguration');
  if (discovery.status === 'ENABLED' && discovery.excludedBuckets === undefined)
    return unreadable(snapshot, 'classification scope', 'macie2:GetClassificationScope');
  if (session.jobs === undefined) return unreadable(snapshot, 'classification jobs', 'macie2:ListClassificationJobs');
  const byCriteria = session.jobs.filter((job) => job.byCriteria).length;
  return fail(
    `${discovery.status === 'ENABLED' ? 'automated discovery excludes the bucket' : `automated discovery ${discovery.status}`}` +
      ` and no classification job naming the bucket ran successfully within ${MACIE_JOB_MAX_AGE_DAYS} days` +
      (byCriteria > 0 ? ` (${byCriteria} job(s) select buckets by criteria, which the evidence cannot resolve)` : ''),
  );
}

const mlBucketDiscovery = bucketCheck({
  id: 'macie.ml_bucket_discovery',
  passCondition: `Macie is enabled in the bucket's region and automated sensitive data discovery, or a classification job run within ${MACIE_JOB_MAX_AGE_DAYS} days, covers the bucket`,
  remediation:
    "Enable Macie in the bucket's region with automated sensitive data discovery (not excluding the bucket), or schedule a classification job over it.",
  scope: 'ML bucket',
  alsoReads: ['macie'],
  judge: (bucket, resource, _snapshot, context) => judgeDiscovery(resource.account, bucket.name, resource.region, context),
});

export const MACIE_CHECKS: Check[] = [mlBucketDiscovery];
