import type { CollectorName } from '../evidence/record';
import {
  bucketArn,
  type PublicAccessBlock,
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
  S3_BUCKET_TYPE,
  type S3AccountPublicAccessBlockConfiguration,
  type S3BucketConfiguration,
  s3BucketConfigurationSchema,
} from '../evidence/resources/s3';
import { defineResourceCheck, type Judge } from './framework';
import { globToRegExp } from './glob';
import { accountRootArn, errorFor, fail, missing, pass } from './helpers';
import { findKmsKey, keyIdentity } from './ml-scope';
import type { Check, CheckContext, Finding, SnapshotResource } from './types';

const KMS_ALGORITHMS = ['aws:kms', 'aws:kms:dsse'];
const DEFAULT_ENCRYPTION_ALGORITHMS = ['AES256', ...KMS_ALGORITHMS];
const AWS_MANAGED_S3_KEY = /(^|:)alias\/aws\/s3$/;

export type BucketJudge = Judge<S3BucketConfiguration>;

/** ML scope comes from SageMaker evidence too: without it (or with it stale) these checks cannot know their scope. */
const ML_BUCKET_COLLECTORS: CollectorName[] = ['s3', 'sagemaker'];

const isBucket = (resource: SnapshotResource) => resource.type === S3_BUCKET_TYPE;
const bucketNameIn = (resource: SnapshotResource) => (resource.configuration as Partial<S3BucketConfiguration>).name ?? '';
const isMlBucket = (resource: SnapshotResource, context: CheckContext) =>
  context.mlScope.isMlBucket(resource.account, bucketNameIn(resource));

export interface BucketCheckSpec {
  id: string;
  passCondition: string;
  remediation: string;
  judge: BucketJudge;
  /** Every bucket, or the ML buckets (optionally widened by `inScope`). */
  scope: 'every bucket' | 'ML bucket';
  inScope?: (resource: SnapshotResource, context: CheckContext) => boolean;
  /** Other collectors whose evidence the judge reads (an ML bucket check judged against Macie or AWS Backup). */
  alsoReads?: readonly CollectorName[];
}

/** A bucket check: every bucket of the s3 snapshots, or only the ML buckets (see the checklist: "ML bucket"). */
export function bucketCheck(spec: BucketCheckSpec): Check {
  const ml = spec.scope === 'ML bucket';
  const inScope = spec.inScope ?? (ml ? isMlBucket : undefined);
  return defineResourceCheck<S3BucketConfiguration>({
    id: spec.id,
    collector: 's3',
    ...(ml
      ? {
          collectors: [...ML_BUCKET_COLLECTORS, ...(spec.alsoReads ?? [])],
          mlScoped: true,
          complete: withUnseenListedBuckets(spec.id),
        }
      : {}),
    passCondition: spec.passCondition,
    remediation: spec.remediation,
    type: S3_BUCKET_TYPE,
    schema: s3BucketConfigurationSchema,
    ...(inScope ? { inScope: (_recorded, resource, _snapshot, context) => inScope(resource, context) } : {}),
    judge: spec.judge,
    population: { what: ml ? 'ML buckets' : 'buckets', listApis: ['s3:ListBuckets'] },
  });
}

/**
 * A bucket the configuration names as ML but that no S3 snapshot holds (not listed, or not ours)
 * is an ERROR, never silence. Bucket names are global, so it is one finding, on the first account
 * with S3 evidence; that account's "nothing in scope" no longer stands.
 */
function withUnseenListedBuckets(id: string): (findings: Finding[], context: CheckContext) => Finding[] {
  return (findings, context) => {
    const snapshots = context.snapshots('s3');
    const seen = new Set(snapshots.flatMap((snapshot) => snapshot.resources.filter(isBucket).map(bucketNameIn)));
    const unseen = context.config.mlBuckets.filter((name) => !seen.has(name));
    const home = snapshots[0];
    if (unseen.length === 0 || !home) return findings;
    const errors: Finding[] = unseen.map((name) => ({
      check: id,
      resource: bucketArn(name),
      account: home.account,
      region: home.region,
      status: 'ERROR',
      detail: `bucket ${name} is listed in config mlBuckets but absent from the S3 evidence: not listed by ListBuckets in any collected account`,
      evidence: home.evidence,
    }));
    const rootArn = accountRootArn(home.account);
    return [...findings.filter((f) => !(f.status === 'NOT_APPLICABLE' && f.resource === rootArn)), ...errors];
  };
}

function mlSuffix(context: CheckContext, resource: SnapshotResource): string {
  const reason = context.mlScope.reasonFor(resource.account, bucketNameIn(resource));
  return reason ? ` (ML bucket: ${reason})` : '';
}

const judgeDefaultEncryption: BucketJudge = (bucket, resource, snapshot) => {
  if (bucket.encryption === undefined) return missing(snapshot, resource.arn, 'default encryption', 's3:GetBucketEncryption');
  if (bucket.encryption === null || bucket.encryption.rules.length === 0) return fail('no default encryption configured');
  const algorithm = bucket.encryption.rules[0]!.algorithm;
  return DEFAULT_ENCRYPTION_ALGORITHMS.includes(algorithm)
    ? pass(`default encryption is ${algorithm}`)
    : fail(`default encryption algorithm ${algorithm} is not SSE-S3, SSE-KMS or DSSE-KMS`);
};

const judgeMlBucketKms: BucketJudge = (bucket, resource, snapshot, context) => {
  const suffix = mlSuffix(context, resource);
  if (bucket.encryption === undefined) return missing(snapshot, resource.arn, 'default encryption', 's3:GetBucketEncryption');
  const rule = bucket.encryption?.rules[0];
  if (!rule) return fail(`no default encryption configured${suffix}`);
  if (!KMS_ALGORITHMS.includes(rule.algorithm)) return fail(`default encryption is ${rule.algorithm}, not SSE-KMS${suffix}`);
  if (!rule.kmsKeyId || AWS_MANAGED_S3_KEY.test(rule.kmsKeyId)) {
    return fail(`${rule.algorithm} uses the AWS managed key aws/s3, not a customer managed key${suffix}`);
  }
  const keyAccount = keyIdentity(rule.kmsKeyId, resource.account, resource.region).account;
  if (keyAccount !== resource.account) {
    // Another account's key is outside this account's KMS evidence. A bucket cannot name another
    // account's AWS managed key, so the key is customer managed: PASS, saying it was not described.
    return pass(
      `${rule.algorithm} with customer managed key ${rule.kmsKeyId} of account ${keyAccount} (cross-account key, not described by this run)`,
    );
  }
  const kmsSnapshots = context.snapshots('kms');
  const key = findKmsKey(kmsSnapshots, resource.account, resource.region, rule.kmsKeyId);
  if (!key) return { status: 'ERROR', detail: `key ${rule.kmsKeyId} could not be described: no KMS evidence for it` };
  const keyManager = key.configuration.keyManager;
  if (keyManager === 'AWS') return fail(`${rule.algorithm} key ${rule.kmsKeyId} is AWS managed${suffix}`);
  if (keyManager !== 'CUSTOMER') {
    const keySnapshot = kmsSnapshots.find((s) => s.resources.includes(key)) ?? snapshot;
    return missing(keySnapshot, key.arn, `key manager of ${rule.kmsKeyId}`);
  }
  return pass(`${rule.algorithm} with customer managed key ${rule.kmsKeyId}`);
};

export const judgeTlsOnly: BucketJudge = (bucket, resource, snapshot) => {
  if (bucket.policy === undefined) return missing(snapshot, resource.arn, 'bucket policy', 's3:GetBucketPolicy');
  if (bucket.policy === null) return fail('no bucket policy, so requests over plain HTTP are not denied');
  return deniesInsecureTransport(bucket.policy.document, resource.arn)
    ? pass('bucket policy denies all S3 actions when aws:SecureTransport is false')
    : fail('bucket policy has no Deny of s3:* with Bool aws:SecureTransport false covering the bucket and its objects');
};

export const judgeVersioning: BucketJudge = (bucket, resource, snapshot) => {
  if (bucket.versioning === undefined) return missing(snapshot, resource.arn, 'versioning', 's3:GetBucketVersioning');
  return bucket.versioning.status === 'Enabled' ? pass('versioning Enabled') : fail(`versioning is ${bucket.versioning.status}`);
};

export const judgeReplication: BucketJudge = (bucket, resource, snapshot) => {
  if (bucket.replication === undefined) return missing(snapshot, resource.arn, 'replication', 's3:GetBucketReplication');
  if (bucket.replication === null) return fail('no replication configuration');
  const rule = bucket.replication.rules.find((r) => r.enabled);
  return rule
    ? pass(`replication rule ${rule.id ?? '(unnamed)'} Enabled${rule.destinationBucket ? ` to ${rule.destinationBucket}` : ''}`)
    : fail('replication configured but no rule is Enabled');
};

const LIFECYCLE_ACTIONS = ['expiration', 'transition', 'noncurrentVersionExpiration', 'noncurrentVersionTransition'] as const;
const LIFECYCLE_ACTION_NAMES = {
  expiration: 'Expiration',
  transition: 'Transition',
  noncurrentVersionExpiration: 'NoncurrentVersionExpiration',
  noncurrentVersionTransition: 'NoncurrentVersionTransition',
} as const;

const judgeLifecycle: BucketJudge = (bucket, resource, snapshot) => {
  if (bucket.lifecycle === undefined) return missing(snapshot, resource.arn, 'lifecycle', 's3:GetBucketLifecycleConfiguration');
  if (bucket.lifecycle === null) return fail('no lifecycle configuration');
  const enabled = bucket.lifecycle.rules.filter((r) => r.enabled);
  for (const rule of enabled) {
    const actions = LIFECYCLE_ACTIONS.filter((action) => rule[action] === true).map((a) => LIFECYCLE_ACTION_NAMES[a]);
    if (actions.length > 0) return pass(`lifecycle rule ${rule.id ?? '(unnamed)'} Enabled with ${actions.join(', ')}`);
  }
  if (enabled.some((r) => r.noncurrentVersionTransition === undefined))
    return {
      status: 'ERROR',
      detail: 'lifecycle rules were recorded without their NoncurrentVersionTransitions: collect again to judge them',
    };
  return fail(
    `no Enabled lifecycle rule with Expiration, Transition, NoncurrentVersionExpiration or NoncurrentVersionTransition (${bucket.lifecycle.rules.length} rules, ${enabled.length} Enabled)`,
  );
};

const judgeAccessLogging: BucketJudge = (bucket, resource, snapshot) => {
  if (bucket.logging === undefined) return missing(snapshot, resource.arn, 'access logging', 's3:GetBucketLogging');
  return bucket.logging.enabled
    ? pass(`server access logging to ${bucket.logging.targetBucket ?? '(unknown target)'}`)
    : fail('server access logging is off');
};

/** Calls whose failure leaves the bucket's tags unknown: tagging itself, or the bucket never described at all. */
const TAGS_UNKNOWN_AFTER = ['s3:GetBucketTagging', 's3:GetBucketLocation', 'deadline'];

const judgeClassificationTag: BucketJudge = (_bucket, resource, snapshot, context) => {
  const unknown = TAGS_UNKNOWN_AFTER.find((api) => errorFor(snapshot, resource.arn, api));
  if (unknown) return missing(snapshot, resource.arn, 'tags', unknown);
  const { key, allowedValues } = context.config.classificationTag;
  const value = resource.tags[key];
  if (value === undefined) return fail(`tag ${key} missing${mlSuffix(context, resource)}`);
  return allowedValues.includes(value)
    ? pass(`tag ${key}=${value}`)
    : fail(`tag ${key}=${value} is not one of ${allowedValues.join(', ')}`);
};

const PUBLIC_ACCESS_SETTINGS: (keyof PublicAccessBlock)[] = [
  'blockPublicAcls',
  'ignorePublicAcls',
  'blockPublicPolicy',
  'restrictPublicBuckets',
];
const allBlocked = (block: PublicAccessBlock | null | undefined) => !!block && PUBLIC_ACCESS_SETTINGS.every((s) => block[s]);

export const judgePublicAccessBlocked: BucketJudge = (bucket, resource, snapshot) => {
  if (allBlocked(bucket.publicAccessBlock)) return pass('all four public access block settings true on the bucket');
  const account = snapshot.resources.find(
    (r) => r.type === S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE && r.account === resource.account,
  );
  const accountBlock = (account?.configuration as Partial<S3AccountPublicAccessBlockConfiguration> | undefined)
    ?.publicAccessBlock;
  if (allBlocked(accountBlock)) return pass('all four public access block settings true at account level');
  if (bucket.publicAccessBlock === undefined) {
    return missing(snapshot, resource.arn, 'bucket public access block', 's3:GetPublicAccessBlock');
  }
  if (accountBlock === undefined) {
    return missing(snapshot, account?.arn ?? resource.arn, 'account public access block', 's3control:GetPublicAccessBlock');
  }
  const open = PUBLIC_ACCESS_SETTINGS.filter((s) => !bucket.publicAccessBlock?.[s] && !accountBlock?.[s]);
  return fail(`public access not blocked at bucket or account level: ${open.join(', ')} false`);
};

export const S3_CHECKS: Check[] = [
  bucketCheck({
    id: 's3.default_encryption',
    passCondition: 'default encryption configured (SSE-S3, SSE-KMS or DSSE-KMS)',
    remediation: 'Set a default encryption configuration on the bucket (PutBucketEncryption), preferably SSE-KMS.',
    scope: 'every bucket',
    judge: judgeDefaultEncryption,
  }),
  bucketCheck({
    id: 's3.ml_bucket_kms',
    passCondition: 'default encryption is SSE-KMS or DSSE-KMS with a customer managed key',
    remediation: 'Create a customer managed KMS key and set it as the bucket default encryption key (SSE-KMS).',
    scope: 'ML bucket',
    judge: judgeMlBucketKms,
  }),
  bucketCheck({
    id: 's3.tls_only',
    passCondition: 'bucket policy denies s3:* (or *) when aws:SecureTransport is false, for the bucket and its objects',
    remediation:
      'Add a bucket policy statement: Effect Deny, Principal *, Action s3:*, Resource the bucket ARN and ARN/*, Condition Bool aws:SecureTransport false.',
    scope: 'ML bucket',
    // The evidence bucket must refuse plain HTTP too.
    inScope: (resource, context) =>
      isMlBucket(resource, context) || context.facts?.evidenceBucket?.name === bucketNameIn(resource),
    judge: judgeTlsOnly,
  }),
  bucketCheck({
    id: 's3.ml_bucket_versioning',
    passCondition: 'versioning Enabled',
    remediation: 'Enable versioning on the bucket (PutBucketVersioning Status=Enabled).',
    scope: 'ML bucket',
    judge: judgeVersioning,
  }),
  bucketCheck({
    id: 's3.ml_bucket_replication',
    passCondition: 'a replication rule Enabled',
    remediation: 'Configure replication (same- or cross-region) with at least one Enabled rule; versioning is required first.',
    scope: 'ML bucket',
    judge: judgeReplication,
  }),
  bucketCheck({
    id: 's3.ml_bucket_lifecycle',
    passCondition:
      'an Enabled lifecycle rule that expires or transitions current or noncurrent versions (Expiration, Transition, NoncurrentVersionExpiration or NoncurrentVersionTransition)',
    remediation: 'Add a lifecycle rule that expires or transitions objects according to the retention policy.',
    scope: 'ML bucket',
    judge: judgeLifecycle,
  }),
  bucketCheck({
    id: 's3.ml_bucket_access_logging',
    passCondition: 'server access logging on',
    remediation: 'Enable server access logging to a dedicated log bucket (PutBucketLogging).',
    scope: 'ML bucket',
    judge: judgeAccessLogging,
  }),
  bucketCheck({
    id: 's3.ml_bucket_classification_tag',
    passCondition: 'the configured classification tag has an allowed value',
    remediation: 'Tag the bucket with the classification tag (default DataClassification) and one of the allowed values.',
    scope: 'ML bucket',
    judge: judgeClassificationTag,
  }),
  bucketCheck({
    id: 's3.public_access_blocked',
    passCondition: 'all four public access block settings true at bucket or account level',
    remediation: 'Turn on all four S3 Block Public Access settings for the account (preferred) or the bucket.',
    scope: 'every bucket',
    judge: judgePublicAccessBlocked,
  }),
];

interface PolicyStatement {
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  Resource?: unknown;
  Condition?: unknown;
}

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** True when one Deny statement refuses every S3 action over plain HTTP on the bucket and its objects. */
export function deniesInsecureTransport(document: unknown, bucketArnValue: string): boolean {
  const statements = asList((document as { Statement?: unknown } | null)?.Statement) as PolicyStatement[];
  return statements.some(
    (statement) =>
      statement?.Effect === 'Deny' &&
      appliesToEveryone(statement.Principal) &&
      asList(statement.Action).some((action) => action === '*' || action === 's3:*') &&
      coversBucketAndObjects(asList(statement.Resource), bucketArnValue) &&
      requiresInsecureTransport(statement.Condition),
  );
}

function appliesToEveryone(principal: unknown): boolean {
  if (principal === '*') return true;
  const aws = (principal as { AWS?: unknown } | null)?.AWS;
  return asList(aws).includes('*');
}

function coversBucketAndObjects(resources: unknown[], bucketArnValue: string): boolean {
  const patterns = resources.filter((r): r is string => typeof r === 'string').map(globToRegExp);
  const covers = (arn: string) => patterns.some((pattern) => pattern.test(arn));
  return covers(bucketArnValue) && covers(`${bucketArnValue}/any-object`);
}

function requiresInsecureTransport(condition: unknown): boolean {
  const bool = (condition as { Bool?: unknown } | null)?.Bool;
  if (!bool || typeof bool !== 'object') return false;
  // Condition keys are case-insensitive in IAM policy evaluation.
  const entry = Object.entries(bool).find(([key]) => key.toLowerCase() === 'aws:securetransport');
  return (
    entry !== undefined && asList(entry[1]).some((v) => v === false || (typeof v === 'string' && v.toLowerCase() === 'false'))
  );
}
