import { GLOBAL_REGION } from '../evidence/record';
import {
  CLOUDTRAIL_TRAIL_TYPE,
  type CloudTrailTrailConfiguration,
  cloudTrailTrailConfigurationSchema,
} from '../evidence/resources/cloudtrail';
import { bucketArn, bucketNameOf, S3_BUCKET_TYPE, s3BucketConfigurationSchema } from '../evidence/resources/s3';
import { dataEventAccess, managementAccess } from './cloudtrail-selectors';
import {
  type AccountEvidence,
  accountWideResources,
  defineAccountCheck,
  defineResourceCheck,
  judgeValidated,
  type Population,
  populationFinding,
  readConfiguration,
  snapshotsByAccount,
} from './framework';
import { accountRootArn, fail, failureLine, findingFor, missing, pass, type Verdict } from './helpers';
import { judgePublicAccessBlocked, judgeTlsOnly, judgeVersioning } from './s3';
import type { Check, CheckContext, Finding, Snapshot, SnapshotResource } from './types';

interface TrailView {
  resource: SnapshotResource;
  snapshot: Snapshot;
  /** Undefined when the recorded configuration does not match the schema. */
  configuration?: CloudTrailTrailConfiguration;
}

interface AccountTrails {
  account: string;
  snapshots: Snapshot[];
  /** One view per trail ARN, the home-region copy preferred over shadow copies. */
  trails: TrailView[];
}

const isTrail = (resource: SnapshotResource) => resource.type === CLOUDTRAIL_TRAIL_TYPE;
const trailConfiguration = (resource: SnapshotResource) => readConfiguration(cloudTrailTrailConfigurationSchema, resource);

/**
 * A multi-region trail is recorded in every region, as shadow copies outside its home region:
 * the home copy replaces a shadow copy kept first.
 */
function preferHomeCopy(candidate: SnapshotResource, kept: SnapshotResource): boolean {
  const replacement = trailConfiguration(candidate);
  return trailConfiguration(kept)?.isShadow === true && replacement !== undefined && !replacement.isShadow;
}

/** An account's trails across every region's snapshot, each trail once. */
function accountTrails({ account, snapshots }: AccountEvidence): AccountTrails {
  const trails = accountWideResources(snapshots, isTrail, preferHomeCopy).map(({ resource, snapshot }): TrailView => {
    const configuration = trailConfiguration(resource);
    return { resource, snapshot, ...(configuration ? { configuration } : {}) };
  });
  return { account, snapshots, trails };
}

const trailsOfContext = new WeakMap<CheckContext, Map<string, AccountTrails>>();

/** Trails per account, once per evaluation: every ML bucket is judged against its account's trails. */
function trailsByAccount(context: CheckContext): Map<string, AccountTrails> {
  let accounts = trailsOfContext.get(context);
  if (!accounts) {
    accounts = new Map(
      [...snapshotsByAccount(context.snapshots('cloudtrail'))].map(([account, snapshots]) => [
        account,
        accountTrails({ account, snapshots }),
      ]),
    );
    trailsOfContext.set(context, accounts);
  }
  return accounts;
}

/** The first failed listing among an account's snapshots: an empty listing we could not read proves nothing. */
const listingFailure = (snapshots: Snapshot[]) => snapshots.flatMap((s) => s.errors).find((e) => e.resource === undefined);

function unreadable(view: TrailView, what: string, api: string): Verdict | undefined {
  if (!view.configuration) return { status: 'ERROR', detail: `${view.resource.arn}: configuration does not match its schema` };
  const c = view.configuration;
  if (what === 'status' && c.status === undefined) return missing(view.snapshot, view.resource.arn, 'trail status', api);
  if (what === 'selectors' && c.eventSelectors === undefined)
    return missing(view.snapshot, view.resource.arn, 'event selectors', api);
  return undefined;
}

function accountFinding(check: string, account: AccountTrails, verdict: Verdict, evidenceFrom?: TrailView): Finding {
  return {
    check,
    resource: accountRootArn(account.account),
    account: account.account,
    region: GLOBAL_REGION,
    status: verdict.status,
    detail: verdict.detail,
    evidence: (evidenceFrom?.snapshot ?? account.snapshots[0])?.evidence,
  };
}

/** PASS naming the first multi-region trail that logs all management events. */
function judgeMultiRegionLogging(account: AccountTrails): Finding {
  const multiRegion = multiRegionTrails(account);
  const reasons: string[] = [];
  let error: Verdict | undefined;
  for (const trail of multiRegion) {
    const problem =
      unreadable(trail, 'status', 'cloudtrail:GetTrailStatus') ?? unreadable(trail, 'selectors', 'cloudtrail:GetEventSelectors');
    if (problem) {
      error ??= problem;
      continue;
    }
    const c = trail.configuration!;
    const management = managementAccess(c);
    if (c.status?.isLogging && management.read && management.write)
      return accountFinding(
        'ct.multi_region_logging',
        account,
        pass(`${trail.resource.arn}: IsMultiRegionTrail true, IsLogging true, read and write management events`),
        trail,
      );
    reasons.push(
      `${c.name}: IsLogging ${c.status?.isLogging}, management events read ${management.read} write ${management.write}`,
    );
  }
  const failedListing = listingFailure(account.snapshots);
  if (error) return accountFinding('ct.multi_region_logging', account, error);
  if (failedListing)
    return accountFinding('ct.multi_region_logging', account, {
      status: 'ERROR',
      detail: `trails could not be listed: ${failureLine(failedListing)}`,
    });
  return accountFinding(
    'ct.multi_region_logging',
    account,
    fail(
      reasons.length > 0
        ? `no multi-region trail qualifies: ${reasons.join('; ')}`
        : 'no multi-region trail (IsMultiRegionTrail true) exists',
    ),
  );
}

const multiRegionLogging = defineAccountCheck({
  id: 'ct.multi_region_logging',
  accountsOf: 'cloudtrail',
  passCondition: 'a multi-region trail is logging and records read and write management events',
  remediation: 'Create a multi-region trail (or turn logging on) recording All management events.',
  judge: (evidence) => [judgeMultiRegionLogging(accountTrails(evidence))],
});

/** The multi-region trails ("that trail" of ct.multi_region_logging); a trail whose record is unreadable stays in, as ERROR. */
const multiRegionTrails = (account: AccountTrails) =>
  account.trails.filter((t) => !t.configuration || t.configuration.isMultiRegion);

/** The trails as a population: an empty listing we could not read proves nothing. */
const trailPopulation = (none: string): Population => ({
  what: 'trails',
  listApis: [],
  none: `${none} (see ct.multi_region_logging)`,
});

/** Checks on the multi-region trails themselves ("that trail" of ct.multi_region_logging). */
function multiRegionTrailCheck(
  id: string,
  passCondition: string,
  remediation: string,
  judge: (c: CloudTrailTrailConfiguration, trail: TrailView) => Verdict,
): Check {
  return defineResourceCheck({
    id,
    collector: 'cloudtrail',
    passCondition,
    remediation,
    type: CLOUDTRAIL_TRAIL_TYPE,
    schema: cloudTrailTrailConfigurationSchema,
    span: { account: true, prefer: preferHomeCopy },
    select: (c) => c.isMultiRegion,
    judge: (c, resource, snapshot) => judge(c, { resource, snapshot, configuration: c }),
    population: trailPopulation('no multi-region trail'),
  });
}

const logFileValidation = multiRegionTrailCheck(
  'ct.log_file_validation',
  'log file validation is enabled on the multi-region trail',
  'Enable log file validation on the trail (EnableLogFileValidation).',
  (c) => (c.logFileValidationEnabled ? pass('LogFileValidationEnabled true') : fail('LogFileValidationEnabled false')),
);

const kmsEncrypted = multiRegionTrailCheck(
  'ct.kms_encrypted',
  'the multi-region trail encrypts its logs with a KMS key',
  'Set a customer managed KMS key on the trail (KmsKeyId) and allow CloudTrail to use it.',
  (c) => (c.kmsKeyId ? pass(`KmsKeyId ${c.kmsKeyId}`) : fail('KmsKeyId not set: logs are encrypted with SSE-S3 only')),
);

const cloudWatchLogs = multiRegionTrailCheck(
  'ct.cloudwatch_logs',
  'the multi-region trail delivers to a CloudWatch Logs group (CloudWatchLogsLogGroupArn set) and its last delivery has no error',
  'Set CloudWatchLogsLogGroupArn and CloudWatchLogsRoleArn on the trail; if delivery fails, let the role write to the log group (logs:CreateLogStream, logs:PutLogEvents).',
  (c, trail) => {
    if (!c.cloudWatchLogsLogGroupArn)
      return fail('CloudWatchLogsLogGroupArn is not set: the trail does not deliver to CloudWatch Logs');
    if (c.status === undefined) return missing(trail.snapshot, trail.resource.arn, 'trail status', 'cloudtrail:GetTrailStatus');
    const error = c.status.latestCloudWatchLogsDeliveryError;
    if (error) return fail(`CloudWatchLogsLogGroupArn ${c.cloudWatchLogsLogGroupArn}, but the last delivery failed: ${error}`);
    const last = c.status.latestCloudWatchLogsDeliveryTime;
    return pass(
      `delivers to ${c.cloudWatchLogsLogGroupArn}; ${last ? `last delivery ${last}` : 'no delivery recorded yet'}, no delivery error`,
    );
  },
);

/** The log bucket's protections, each decided by the S3 check that owns it. */
const LOG_BUCKET_JUDGES = [judgePublicAccessBlocked, judgeVersioning, judgeTlsOnly];

/** The bucket a trail writes to, from the S3 evidence of its own account first, then of any collected account. */
function findBucket(
  context: CheckContext,
  account: string,
  name: string,
): { bucket: SnapshotResource; snapshot: Snapshot } | undefined {
  const snapshots = context.snapshots('s3');
  const ordered = [...snapshots.filter((s) => s.account === account), ...snapshots.filter((s) => s.account !== account)];
  for (const snapshot of ordered) {
    const bucket = snapshot.resources.find((r) => r.type === S3_BUCKET_TYPE && bucketNameOf(r.arn) === name);
    if (bucket) return { bucket, snapshot };
  }
  return undefined;
}

function judgeLogBucket(context: CheckContext, bucket: SnapshotResource, snapshot: Snapshot): Verdict {
  const verdicts = LOG_BUCKET_JUDGES.map((judge) =>
    judgeValidated(s3BucketConfigurationSchema, judge, bucket, snapshot, context),
  );
  const failed = verdicts.filter((v) => v.status === 'FAIL');
  if (failed.length > 0) return fail(`log bucket not protected: ${failed.map((v) => v.detail).join('; ')}`);
  const error = verdicts.find((v) => v.status === 'ERROR');
  if (error) return error;
  return pass(verdicts.map((v) => v.detail).join('; '));
}

/** The finding for a trail bucket that no collected account's S3 evidence holds. */
function unseenLogBucket(context: CheckContext, account: string, name: string, trails: string[]): Finding {
  const own = context.snapshots('s3').filter((s) => s.account === account);
  const listing = own.flatMap((s) => s.errors).find((e) => e.api === 's3:ListBuckets');
  const finding = (status: Finding['status'], detail: string): Finding => ({
    check: 'ct.log_bucket_protected',
    resource: bucketArn(name),
    account,
    region: GLOBAL_REGION,
    status,
    detail,
    ...(own[0] ? { evidence: own[0].evidence } : {}),
  });
  const writer = `log bucket of ${trails.join(', ')}`;
  if (own.length === 0) return finding('ERROR', `${writer}: no S3 evidence for account ${account}`);
  if (listing) return finding('ERROR', `${writer}: buckets could not be listed: ${failureLine(listing)}`);
  if (context.config.externalTrailBuckets.includes(name))
    return finding(
      'NOT_APPLICABLE',
      `${writer}: bucket ${name} is in another account, listed in config externalTrailBuckets: judged in that account`,
    );
  return finding(
    'ERROR',
    `${writer}: bucket ${name} is not in account ${account} (ListBuckets does not return it) nor in any collected account, so its protection cannot be judged; collect the account that owns it, or list it in config externalTrailBuckets`,
  );
}

const logBucketProtected = defineAccountCheck({
  id: 'ct.log_bucket_protected',
  accountsOf: 'cloudtrail',
  collectors: ['cloudtrail', 's3'],
  passCondition:
    "the multi-region trail's S3 bucket has public access blocked, versioning Enabled and a TLS-only bucket policy (a bucket in another account is ERROR unless listed in config externalTrailBuckets)",
  remediation:
    'On the log bucket: turn on all four Block Public Access settings, enable versioning, and add a Deny of s3:* when aws:SecureTransport is false.',
  judge: (evidence, context) => {
    const account = accountTrails(evidence);
    const inScope = multiRegionTrails(account);
    if (inScope.length === 0) {
      const where = {
        account: account.account,
        region: GLOBAL_REGION,
        evidence: account.snapshots[0]!.evidence,
        errors: account.snapshots.flatMap((s) => s.errors),
      };
      const population = trailPopulation('no multi-region trail, so no log bucket to judge');
      return [populationFinding('ct.log_bucket_protected', population, where, 0)!];
    }
    const findings: Finding[] = [];
    const trailsByBucket = new Map<string, string[]>();
    for (const trail of inScope) {
      const name = trail.configuration?.s3BucketName;
      if (!trail.configuration || !name) {
        findings.push(
          findingFor('ct.log_bucket_protected', trail.resource, {
            status: 'ERROR',
            detail: trail.configuration
              ? `${trail.resource.arn}: the trail names no S3 bucket`
              : `${trail.resource.arn}: configuration does not match its schema`,
          }),
        );
        continue;
      }
      trailsByBucket.set(name, [...(trailsByBucket.get(name) ?? []), trail.configuration.name]);
    }
    for (const [name, trails] of trailsByBucket) {
      const found = findBucket(context, account.account, name);
      findings.push(
        found
          ? {
              ...findingFor('ct.log_bucket_protected', found.bucket, judgeLogBucket(context, found.bucket, found.snapshot)),
              account: account.account,
            }
          : unseenLogBucket(context, account.account, name, trails),
      );
    }
    return findings;
  },
});

const mlDataEvents = defineResourceCheck({
  id: 'ct.ml_data_events',
  collector: 's3',
  collectors: ['cloudtrail', 's3', 'sagemaker'],
  passCondition: 'a logging trail records read and write S3 data events on the whole ML bucket (basic or advanced selectors)',
  remediation: 'Add an S3 data event selector for the bucket (or all buckets) to a logging multi-region trail.',
  type: S3_BUCKET_TYPE,
  schema: s3BucketConfigurationSchema,
  inScope: (_recorded, bucket, _snapshot, context) => context.mlScope.isMlBucket(bucket.account, bucketNameOf(bucket.arn)),
  judge: (_bucket, bucket, _snapshot, context) => judgeBucket(bucket, trailsByAccount(context).get(bucket.account)),
  // A partial bucket listing leaves ML buckets unjudged: ERROR naming it, next to the buckets seen.
  population: { what: 'ML buckets', listApis: ['s3:ListBuckets'] },
  mlScoped: true,
});

function judgeBucket(bucket: SnapshotResource, account: AccountTrails | undefined): Verdict {
  if (!account) return { status: 'ERROR', detail: `no CloudTrail evidence for account ${bucket.account}` };
  const name = bucketNameOf(bucket.arn);
  const readers: string[] = [];
  const writers: string[] = [];
  let error: Verdict | undefined;
  for (const trail of account.trails) {
    const c = trail.configuration;
    // Data events are recorded in the bucket's region: a single-region trail elsewhere never sees them.
    if (c && !c.isMultiRegion && c.homeRegion !== bucket.region) continue;
    const problem =
      unreadable(trail, 'status', 'cloudtrail:GetTrailStatus') ?? unreadable(trail, 'selectors', 'cloudtrail:GetEventSelectors');
    if (problem) {
      error ??= problem;
      continue;
    }
    if (!c?.status?.isLogging) continue;
    const access = dataEventAccess(c, name);
    const label = `${c.name}${c.isOrganizationTrail ? ' (organization trail)' : ''}`;
    if (access.read) readers.push(label);
    if (access.write) writers.push(label);
  }
  if (readers.length > 0 && writers.length > 0)
    return pass(`S3 data events recorded: read by ${readers.join(', ')}, write by ${writers.join(', ')}`);
  if (error) return error;
  const failedListing = listingFailure(account.snapshots);
  if (failedListing) return { status: 'ERROR', detail: `trails could not be listed: ${failureLine(failedListing)}` };
  return fail(
    `no logging trail records S3 data events on arn:aws:s3:::${name}/ (read: ${readers.join(', ') || 'none'}; write: ${writers.join(', ') || 'none'})`,
  );
}

export const CLOUDTRAIL_CHECKS: Check[] = [
  multiRegionLogging,
  logFileValidation,
  kmsEncrypted,
  logBucketProtected,
  cloudWatchLogs,
  mlDataEvents,
];
