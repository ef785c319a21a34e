import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  paginateListBuckets,
  type S3Client,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import pLimit from 'p-limit';
import type { EvidenceResource } from '../evidence/record';
import {
  accountPublicAccessBlockArn,
  bucketArn,
  bucketNameOf,
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
  S3_BUCKET_TYPE,
  type S3AccountPublicAccessBlockConfiguration,
  type S3BucketConfiguration,
} from '../evidence/resources/s3';
import { s3Service } from '../services/s3/descriptor';
import { CollectionLog } from './collection-log';
import { collectListing } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

/** Answers that mean "not configured" (checklist, Collection notes): facts, not errors. */
const NOT_CONFIGURED = {
  encryption: ['ServerSideEncryptionConfigurationNotFoundError'],
  policy: ['NoSuchBucketPolicy'],
  publicAccessBlock: ['NoSuchPublicAccessBlockConfiguration'],
  lifecycle: ['NoSuchLifecycleConfiguration'],
  replication: ['ReplicationConfigurationNotFoundError'],
  objectLock: ['ObjectLockConfigurationNotFoundError'],
  tagging: ['NoSuchTagSet'],
} as const;

const VANISHED = 'NoSuchBucket';

interface BucketListing {
  name: string;
  region?: string;
  creationDate?: Date;
}

export const s3Collector: Collector = {
  name: 's3',
  version: '1.0.0',
  global: s3Service.global,
  collect: collectS3,
};

/** Buckets and the account-level public access block, account-wide, or one bucket, or the account-level block alone. */
export async function collectS3(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const resources: EvidenceResource[] = [];

  let buckets: BucketListing[];
  if (context.scope.type === 'all') {
    buckets = await listBuckets(context, log);
    resources.push(await describeAccountPublicAccessBlock(context, log));
  } else if (context.scope.resource === accountPublicAccessBlockArn(context.account)) {
    // A change to the account-level block re-collects that block alone.
    buckets = [];
    resources.push(await describeAccountPublicAccessBlock(context, log));
  } else {
    const name = bucketNameOf(context.scope.resource);
    buckets = [{ name }];
  }

  const limit = pLimit(Math.max(1, context.settings.concurrency));
  let done = 0;
  const described = await Promise.all(
    buckets.map((bucket) =>
      limit(async () => {
        const resource = await describeBucket(context, log, bucket);
        done += 1;
        if (done % 100 === 0 || done === buckets.length) context.progress?.(`s3: ${done}/${buckets.length} buckets`);
        return resource;
      }),
    ),
  );
  for (const resource of described) if (resource) resources.push(resource);
  return { resources, ...log.output() };
}

async function listBuckets(context: CollectorContext, log: CollectionLog): Promise<BucketListing[]> {
  const listing = await collectListing(
    log,
    's3:ListBuckets',
    () => paginateListBuckets({ client: context.clients.s3() }, { MaxBuckets: s3Service.pageSizes.buckets }),
    (page) =>
      (page.Buckets ?? []).flatMap((bucket) =>
        bucket.Name ? [{ name: bucket.Name, region: bucket.BucketRegion, creationDate: bucket.CreationDate }] : [],
      ),
  );
  return listing.items;
}

async function describeAccountPublicAccessBlock(context: CollectorContext, log: CollectionLog): Promise<EvidenceResource> {
  const arn = accountPublicAccessBlockArn(context.account);
  const outcome = await log.call(
    's3control:GetPublicAccessBlock',
    arn,
    () => context.clients.s3Control().send(new GetAccountPublicAccessBlockCommand({ AccountId: context.account })),
    NOT_CONFIGURED.publicAccessBlock,
  );
  const configuration: Partial<S3AccountPublicAccessBlockConfiguration> = {};
  if (outcome.status === 'ok')
    configuration.publicAccessBlock = normalisePublicAccessBlock(outcome.value.PublicAccessBlockConfiguration);
  if (outcome.status === 'absent') configuration.publicAccessBlock = null;
  return { arn, type: S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE, region: context.region, configuration, tags: {} };
}

function normalisePublicAccessBlock(
  block:
    | { BlockPublicAcls?: boolean; IgnorePublicAcls?: boolean; BlockPublicPolicy?: boolean; RestrictPublicBuckets?: boolean }
    | undefined,
) {
  return {
    blockPublicAcls: block?.BlockPublicAcls === true,
    ignorePublicAcls: block?.IgnorePublicAcls === true,
    blockPublicPolicy: block?.BlockPublicPolicy === true,
    restrictPublicBuckets: block?.RestrictPublicBuckets === true,
  };
}

class BucketVanished extends Error {}

async function describeBucket(
  context: CollectorContext,
  log: CollectionLog,
  bucket: BucketListing,
): Promise<EvidenceResource | undefined> {
  const arn = bucketArn(bucket.name);
  // A bucket we could not describe keeps its name, so checks report it as ERROR rather than skip it.
  const undescribed = (region: string): EvidenceResource => ({
    arn,
    type: S3_BUCKET_TYPE,
    region,
    configuration: { name: bucket.name } satisfies S3BucketConfiguration,
    tags: {},
  });
  if (!log.mayDescribe(arn)) return undescribed(bucket.region ?? context.region);
  // Errors for this bucket are held back until we know it still exists: a bucket deleted
  // between list and describe is a note, not a dozen errors.
  const local = new CollectionLog();
  try {
    const region = bucket.region ?? (await locateBucket(context, local, bucket.name));
    if (region === undefined) {
      log.errors.push(...local.errors);
      return undescribed(context.region);
    }
    const client = context.clients.s3(region);
    const configuration: S3BucketConfiguration = { name: bucket.name };
    if (bucket.creationDate) configuration.creationDate = bucket.creationDate.toISOString();
    const tags: Record<string, string> = {};

    const call = async <T>(api: string, fn: (c: S3Client) => Promise<T>, absent: readonly string[] = []) => {
      const outcome = await local.call(`s3:${api}`, arn, () => fn(client), [...absent, VANISHED]);
      if (outcome.status === 'absent' && outcome.code === VANISHED) throw new BucketVanished();
      return outcome;
    };

    const [encryption, policy, versioning, pab, logging, lifecycle, replication, objectLock, tagging] = await Promise.all([
      call(
        'GetBucketEncryption',
        (c) => c.send(new GetBucketEncryptionCommand({ Bucket: bucket.name })),
        NOT_CONFIGURED.encryption,
      ),
      call('GetBucketPolicy', (c) => c.send(new GetBucketPolicyCommand({ Bucket: bucket.name })), NOT_CONFIGURED.policy),
      call('GetBucketVersioning', (c) => c.send(new GetBucketVersioningCommand({ Bucket: bucket.name }))),
      call(
        'GetPublicAccessBlock',
        (c) => c.send(new GetPublicAccessBlockCommand({ Bucket: bucket.name })),
        NOT_CONFIGURED.publicAccessBlock,
      ),
      call('GetBucketLogging', (c) => c.send(new GetBucketLoggingCommand({ Bucket: bucket.name }))),
      call(
        'GetBucketLifecycleConfiguration',
        (c) => c.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket.name })),
        NOT_CONFIGURED.lifecycle,
      ),
      call(
        'GetBucketReplication',
        (c) => c.send(new GetBucketReplicationCommand({ Bucket: bucket.name })),
        NOT_CONFIGURED.replication,
      ),
      call(
        'GetObjectLockConfiguration',
        (c) => c.send(new GetObjectLockConfigurationCommand({ Bucket: bucket.name })),
        NOT_CONFIGURED.objectLock,
      ),
      call('GetBucketTagging', (c) => c.send(new GetBucketTaggingCommand({ Bucket: bucket.name })), NOT_CONFIGURED.tagging),
    ]);

    if (encryption.status === 'ok') {
      configuration.encryption = {
        rules: (encryption.value.ServerSideEncryptionConfiguration?.Rules ?? []).map((rule) => ({
          algorithm: rule.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? 'none',
          ...(rule.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID
            ? { kmsKeyId: rule.ApplyServerSideEncryptionByDefault.KMSMasterKeyID }
            : {}),
          ...(rule.BucketKeyEnabled !== undefined ? { bucketKeyEnabled: rule.BucketKeyEnabled } : {}),
        })),
      };
    } else if (encryption.status === 'absent') configuration.encryption = null;

    if (policy.status === 'ok') {
      const document = parsePolicy(policy.value.Policy);
      if (document === undefined)
        local.error('s3:GetBucketPolicy', arn, { name: 'MalformedPolicy', message: 'bucket policy is not valid JSON' });
      else configuration.policy = { document };
    } else if (policy.status === 'absent') configuration.policy = null;

    if (versioning.status === 'ok') {
      const status = versioning.value.Status;
      configuration.versioning = {
        status: status === 'Enabled' || status === 'Suspended' ? status : 'Disabled',
        mfaDelete: versioning.value.MFADelete === 'Enabled',
      };
    }

    if (pab.status === 'ok')
      configuration.publicAccessBlock = normalisePublicAccessBlock(pab.value.PublicAccessBlockConfiguration);
    else if (pab.status === 'absent') configuration.publicAccessBlock = null;

    if (logging.status === 'ok') {
      const enabled = logging.value.LoggingEnabled;
      configuration.logging = enabled
        ? { enabled: true, targetBucket: enabled.TargetBucket, targetPrefix: enabled.TargetPrefix }
        : { enabled: false };
    }

    if (lifecycle.status === 'ok') {
      configuration.lifecycle = {
        rules: (lifecycle.value.Rules ?? []).map((rule) => ({
          ...(rule.ID ? { id: rule.ID } : {}),
          enabled: rule.Status === 'Enabled',
          // An Expiration holding only ExpiredObjectDeleteMarker removes delete markers, not data
          // (LifecycleExpiration, S3 API reference): only Days or Date expire current versions.
          expiration: rule.Expiration?.Days !== undefined || rule.Expiration?.Date !== undefined,
          transition: (rule.Transitions?.length ?? 0) > 0,
          noncurrentVersionExpiration: rule.NoncurrentVersionExpiration !== undefined,
          noncurrentVersionTransition: (rule.NoncurrentVersionTransitions?.length ?? 0) > 0,
        })),
      };
    } else if (lifecycle.status === 'absent') configuration.lifecycle = null;

    if (replication.status === 'ok') {
      const replicationConfig = replication.value.ReplicationConfiguration;
      configuration.replication = {
        ...(replicationConfig?.Role ? { role: replicationConfig.Role } : {}),
        rules: (replicationConfig?.Rules ?? []).map((rule) => ({
          ...(rule.ID ? { id: rule.ID } : {}),
          enabled: rule.Status === 'Enabled',
          ...(rule.Destination?.Bucket ? { destinationBucket: rule.Destination.Bucket } : {}),
        })),
      };
    } else if (replication.status === 'absent') configuration.replication = null;

    if (objectLock.status === 'ok') {
      const lock = objectLock.value.ObjectLockConfiguration;
      const retention = lock?.Rule?.DefaultRetention;
      configuration.objectLock = {
        enabled: lock?.ObjectLockEnabled === 'Enabled',
        ...(retention ? { defaultRetention: { mode: retention.Mode, days: retention.Days, years: retention.Years } } : {}),
      };
    } else if (objectLock.status === 'absent') configuration.objectLock = null;

    if (tagging.status === 'ok') {
      for (const tag of tagging.value.TagSet ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    }

    log.errors.push(...local.errors);
    return { arn, type: S3_BUCKET_TYPE, region, configuration, tags };
  } catch (err) {
    if (!(err instanceof BucketVanished)) throw err;
    log.note(arn, 'bucket no longer exists: deleted between list and describe');
    log.deleted.push(arn);
    return undefined;
  }
}

async function locateBucket(context: CollectorContext, log: CollectionLog, name: string): Promise<string | undefined> {
  const arn = bucketArn(name);
  const outcome = await log.call(
    's3:GetBucketLocation',
    arn,
    () => context.clients.s3().send(new GetBucketLocationCommand({ Bucket: name })),
    [VANISHED],
  );
  if (outcome.status === 'absent') throw new BucketVanished();
  if (outcome.status !== 'ok') return undefined;
  // us-east-1 answers with an empty constraint, and the legacy EU alias still exists.
  const constraint = outcome.value.LocationConstraint as string | undefined;
  if (!constraint) return 'us-east-1';
  return constraint === 'EU' ? 'eu-west-1' : constraint;
}

function parsePolicy(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
