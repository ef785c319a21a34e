import { GLOBAL_REGION } from '../evidence/record';
import {
  BACKUP_PLAN_TYPE,
  type BackupSelection,
  backupPlanConfigurationSchema,
  RESTORE_TESTING_PLAN_TYPE,
  type RestoreTestingPlanConfiguration,
  restoreTestingPlanConfigurationSchema,
} from '../evidence/resources/backup';
import { S3_BUCKET_TYPE, type S3BucketConfiguration } from '../evidence/resources/s3';
import { defineAccountCheck, readConfiguration } from './framework';
import { globToRegExp } from './glob';
import { accountRootArn, daysSince, fail, failureLine, pass, type Verdict } from './helpers';
import { bucketCheck, judgeReplication, judgeVersioning } from './s3';
import type { Check, CheckContext, Finding, Snapshot, SnapshotResource } from './types';

/** A restore test proves recovery for a year (checklist: a restore job completed within 365 days). */
export const RESTORE_TEST_MAX_AGE_DAYS = 365;

/**
 * Whether a backup selection assigns the bucket, as AWS Backup evaluates it ("Assigning resources
 * programmatically", https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources-json.html):
 * Resources (ARNs, `*` wildcards) or any ListOfTags pair selects; every Conditions entry must then
 * hold; NotResources excludes.
 */
export function selectionAssigns(selection: BackupSelection, arn: string, tags: Record<string, string>): boolean {
  const matchesArn = (patterns: readonly string[]) => patterns.some((p) => globToRegExp(p).test(arn));
  const byTag = selection.listOfTags.some((c) => tags[c.key] === c.value);
  // Conditions alone (no Resources, no ListOfTags) select nothing; with Resources ["*"] they filter every resource.
  if (!matchesArn(selection.resources) && !byTag) return false;
  if (matchesArn(selection.notResources)) return false;
  return selection.conditions.every((c) => conditionHolds(c, tags));
}

function conditionHolds(condition: { type: string; key: string; value: string }, tags: Record<string, string>): boolean {
  // Condition keys are written aws:ResourceTag/<key>.
  const value = tags[condition.key.replace(/^aws:ResourceTag\//, '')];
  const like = (v: string | undefined) => v !== undefined && globToRegExp(condition.value).test(v);
  switch (condition.type) {
    case 'StringEquals':
      return value === condition.value;
    case 'StringNotEquals':
      return value !== condition.value;
    case 'StringLike':
      return like(value);
    case 'StringNotLike':
      return !like(value);
    default:
      return false;
  }
}

/**
 * The calls that read each half of the evidence: a failure of the other half's calls does not
 * blind a check, any other failure (the collector crashed, the deadline came) blinds both.
 */
const PLAN_APIS = ['backup:ListBackupPlans', 'backup:ListBackupSelections', 'backup:GetBackupSelection'];
const RESTORE_APIS = [
  'backup:ListRestoreTestingPlans',
  'backup:ListRestoreTestingSelections',
  'backup:GetRestoreTestingSelection',
  'backup:ListRestoreJobs',
];

/** The backup plans recorded for an account and region, or the reason they are not known. */
function plansIn(context: CheckContext, account: string, region: string): { snapshot?: Snapshot; problem?: string } {
  const snapshot = context.snapshots('backup').find((s) => s.account === account && s.region === region);
  if (!snapshot) return { problem: `no AWS Backup evidence for ${region}, the bucket's region (collect backup there)` };
  const failed = snapshot.errors.find((e) => !RESTORE_APIS.includes(e.api));
  return failed ? { snapshot, problem: `backup plans could not be read: ${failureLine(failed)}` } : { snapshot };
}

function judgeProtected(
  bucket: S3BucketConfiguration,
  resource: SnapshotResource,
  snapshot: Snapshot,
  context: CheckContext,
): Verdict {
  const { snapshot: backup, problem } = plansIn(context, resource.account, resource.region);
  for (const plan of backup?.resources.filter((r) => r.type === BACKUP_PLAN_TYPE) ?? []) {
    const configuration = readConfiguration(backupPlanConfigurationSchema, plan);
    const selection = configuration?.selections?.find((s) => selectionAssigns(s, resource.arn, resource.tags));
    if (selection) return pass(`in AWS Backup plan ${configuration!.name}, selection ${selection.name}`);
  }
  const versioning = judgeVersioning(bucket, resource, snapshot, context);
  const replication = judgeReplication(bucket, resource, snapshot, context);
  if (versioning.status === 'PASS' && replication.status === 'PASS')
    return pass(`in no AWS Backup plan, but ${versioning.detail} and ${replication.detail}`);
  if (problem) return { status: 'ERROR', detail: problem };
  const other = [versioning, replication].find((v) => v.status === 'ERROR');
  if (other) return other;
  return fail(
    `in no AWS Backup plan selection, and not versioned with replication (${versioning.detail}; ${replication.detail})`,
  );
}

const mlDataProtected = bucketCheck({
  id: 'backup.ml_data_protected',
  passCondition:
    "an AWS Backup plan's selection in the bucket's region assigns it (by ARN or tag), or versioning Enabled plus an Enabled replication rule",
  remediation:
    'Assign the bucket to an AWS Backup plan (a selection by ARN or tag; versioning is required), or enable versioning and replication.',
  scope: 'ML bucket',
  alsoReads: ['backup'],
  judge: judgeProtected,
});

/** Whether a restore testing selection picks the bucket: S3 type, its ARN or "*", and its tag conditions. */
function restoreSelects(plan: RestoreTestingPlanConfiguration, bucket: SnapshotResource): boolean {
  return (plan.selections ?? []).some(
    (s) =>
      s.protectedResourceType === 'S3' &&
      s.protectedResourceArns.some((arn) => arn === '*' || arn === bucket.arn) &&
      s.conditions.every((c) => (c.type === 'StringEquals' ? bucket.tags[c.key] === c.value : bucket.tags[c.key] !== c.value)),
  );
}

const restoreTested = defineAccountCheck({
  id: 'backup.restore_tested',
  accountsOf: 'backup',
  collectors: ['backup', 's3', 'sagemaker'],
  passCondition: `an AWS Backup restore testing plan selects an ML bucket and one of its restore jobs completed within ${RESTORE_TEST_MAX_AGE_DAYS} days`,
  remediation:
    'Create an AWS Backup restore testing plan with a selection of the ML buckets (protected resource type S3) and let it run.',
  judge: ({ account, snapshots }, context): Finding[] => {
    const mlBuckets = context
      .snapshots('s3')
      .filter((s) => s.account === account)
      .flatMap((s) => s.resources)
      .filter(
        (r) =>
          r.type === S3_BUCKET_TYPE &&
          context.mlScope.isMlBucket(account, (r.configuration as Partial<S3BucketConfiguration>).name ?? ''),
      );
    const finding = (verdict: Verdict, evidence = snapshots[0]?.evidence): Finding => ({
      check: 'backup.restore_tested',
      resource: accountRootArn(account),
      account,
      region: GLOBAL_REGION,
      status: verdict.status,
      detail: verdict.detail,
      ...(evidence ? { evidence } : {}),
    });
    const reasons: string[] = [];
    for (const snapshot of snapshots) {
      for (const plan of snapshot.resources.filter((r) => r.type === RESTORE_TESTING_PLAN_TYPE)) {
        const configuration = readConfiguration(restoreTestingPlanConfigurationSchema, plan);
        if (!configuration) continue;
        const selected = mlBuckets.filter((b) => b.region === snapshot.region && restoreSelects(configuration, b));
        const restore = configuration.latestCompletedRestore;
        if (selected.length === 0 || !restore) {
          reasons.push(`${configuration.name}: ${selected.length === 0 ? 'selects no ML bucket' : 'no completed restore job'}`);
          continue;
        }
        const age = daysSince(context.now, restore.completionDate);
        if (age <= RESTORE_TEST_MAX_AGE_DAYS)
          return [
            finding(
              pass(
                `restore testing plan ${configuration.name} selects ${selected[0]!.arn}; restore job ${restore.restoreJobId} completed ${restore.completionDate}`,
              ),
              snapshot.evidence,
            ),
          ];
        reasons.push(`${configuration.name}: latest restore completed ${age} days ago`);
      }
    }
    const failed = snapshots.flatMap((s) => s.errors).find((e) => !PLAN_APIS.includes(e.api));
    if (failed) return [finding({ status: 'ERROR', detail: `restore testing could not be read: ${failureLine(failed)}` })];
    if (context.mlScope.gaps(account))
      return [finding({ status: 'ERROR', detail: `ML scope incomplete: ${context.mlScope.gaps(account)}` })];
    return [
      finding(
        fail(
          reasons.length === 0
            ? `no AWS Backup restore testing plan in ${snapshots.map((s) => s.region).join(', ')}`
            : `no restore testing plan proves an ML bucket restored within ${RESTORE_TEST_MAX_AGE_DAYS} days (${reasons.join('; ')})`,
        ),
      ),
    ];
  },
});

export const BACKUP_CHECKS: Check[] = [mlDataProtected, restoreTested];
