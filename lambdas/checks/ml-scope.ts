import type { Soc2MlConfig } from '../config/schema';
import { referencesOf } from '../evidence/resources/references';
import { bucketNameOf, S3_BUCKET_TYPE, type S3BucketConfiguration } from '../evidence/resources/s3';
import { accountRootArn, failureLine } from './helpers';
import type { CheckContext, Finding, MlScope, Snapshot, SnapshotResource } from './types';

/** A KMS key reference reduced to something comparable: account, region and key id or alias name. */
interface KeyIdentity {
  account: string;
  region: string;
  id: string;
}

const KMS_ARN = /^arn:aws[a-z-]*:kms:([^:]*):(\d{12}):(key|alias)\/(.+)$/;

/** Key ids, key ARNs, aliases and alias ARNs all become the same comparable form. */
export function keyIdentity(reference: string, account: string, region: string): KeyIdentity {
  const arn = KMS_ARN.exec(reference);
  if (arn) return { region: arn[1]!, account: arn[2]!, id: arn[3] === 'alias' ? `alias/${arn[4]}` : arn[4]! };
  return { account, region, id: reference };
}

const identityKey = (identity: KeyIdentity) => `${identity.account}|${identity.region}|${identity.id}`;

/** Every name a collected KMS key answers to: ARN, key id and aliases (as the KMS collector records them). */
export function kmsKeyNames(key: SnapshotResource): string[] {
  const names = [key.arn];
  const { keyId, aliases } = key.configuration;
  if (typeof keyId === 'string') names.push(keyId);
  if (Array.isArray(aliases)) {
    for (const alias of aliases) {
      if (typeof alias === 'string') names.push(alias);
      else if (alias && typeof alias === 'object') {
        const { aliasName, aliasArn } = alias as Record<string, unknown>;
        if (typeof aliasName === 'string') names.push(aliasName);
        if (typeof aliasArn === 'string') names.push(aliasArn);
      }
    }
  }
  return names;
}

const keysByName = new WeakMap<Snapshot, Map<string, SnapshotResource>>();

/**
 * A KMS snapshot's keys under every comparable name (identityKey), the first key in snapshot
 * order winning, built once per snapshot: every bucket and SageMaker resource looks keys up.
 */
function kmsKeyIndex(snapshot: Snapshot): Map<string, SnapshotResource> {
  let index = keysByName.get(snapshot);
  if (!index) {
    index = new Map();
    for (const key of snapshot.resources) {
      for (const name of kmsKeyNames(key)) {
        const identity = identityKey(keyIdentity(name, key.account, key.region));
        if (!index.has(identity)) index.set(identity, key);
      }
    }
    keysByName.set(snapshot, index);
  }
  return index;
}

/** The collected KMS key a reference names, if the KMS collector saw it. */
export function findKmsKey(
  kmsSnapshots: Snapshot[],
  account: string,
  region: string,
  reference: string,
): SnapshotResource | undefined {
  const wanted = identityKey(keyIdentity(reference, account, region));
  for (const snapshot of kmsSnapshots) {
    if (snapshot.account !== account) continue;
    const key = kmsKeyIndex(snapshot).get(wanted);
    if (key) return key;
  }
  return undefined;
}

export function bucketConfiguration(resource: SnapshotResource): S3BucketConfiguration {
  return resource.configuration as S3BucketConfiguration;
}

/**
 * ML scope from the latest evidence: a bucket is ML when a collected resource reads or writes it,
 * when it carries the configured scope tag, or when the configuration lists it. A key is in use
 * when a resource references it or an ML bucket encrypts with it.
 */
export function buildMlScope(snapshots: Snapshot[], config: Soc2MlConfig): MlScope {
  const referencedBy = new Map<string, string>();
  const taggedBuckets = new Set<string>();
  const usedKeys = new Set<string>();
  const listed = new Set(config.mlBuckets);

  for (const snapshot of snapshots) {
    for (const resource of snapshot.resources) {
      const references = referencesOf(resource.configuration);
      if (references) {
        for (const uri of references.s3Uris) {
          const name = bucketNameOf(uri);
          if (name && !referencedBy.has(name)) referencedBy.set(name, resource.arn);
        }
        for (const key of references.kmsKeys) usedKeys.add(identityKey(keyIdentity(key, resource.account, resource.region)));
      }
      if (resource.type === S3_BUCKET_TYPE && hasScopeTag(resource, config)) {
        taggedBuckets.add(`${resource.account}|${bucketConfiguration(resource).name}`);
      }
    }
  }

  const reasonFor = (account: string, bucketName: string): string | undefined => {
    const referrer = referencedBy.get(bucketName);
    if (referrer) return `referenced by ${referrer}`;
    if (taggedBuckets.has(`${account}|${bucketName}`)) return `tagged ${config.mlBucketTag.key}`;
    if (listed.has(bucketName)) return 'listed in config mlBuckets';
    return undefined;
  };
  const isMlBucket = (account: string, bucketName: string) => reasonFor(account, bucketName) !== undefined;

  // Keys of ML buckets' default encryption are in use too; buckets are known only after the pass above.
  for (const snapshot of snapshots) {
    for (const resource of snapshot.resources) {
      if (resource.type !== S3_BUCKET_TYPE) continue;
      const configuration = bucketConfiguration(resource);
      if (!isMlBucket(resource.account, configuration.name)) continue;
      for (const rule of configuration.encryption?.rules ?? []) {
        if (rule.kmsKeyId) usedKeys.add(identityKey(keyIdentity(rule.kmsKeyId, resource.account, resource.region)));
      }
    }
  }

  const kmsSnapshots = snapshots.filter((s) => s.collector === 'kms');
  const sageMaker = snapshots.filter((s) => s.collector === 'sagemaker');
  return {
    isMlBucket,
    reasonFor,
    gaps: (account) => scopeGap(sageMaker, account, config.regions),
    isKeyInUse(account, region, keyId) {
      const key = findKmsKey(kmsSnapshots, account, region, keyId);
      const names = key ? kmsKeyNames(key) : [keyId];
      return names.some((name) => usedKeys.has(identityKey(keyIdentity(name, account, region))));
    },
  };
}

function hasScopeTag(resource: SnapshotResource, config: Soc2MlConfig): boolean {
  const value = resource.tags[config.mlBucketTag.key];
  if (value === undefined) return false;
  return config.mlBucketTag.value === undefined || value === config.mlBucketTag.value;
}

/** Alarms and scaling targets reference no data: their failures leave the ML scope whole. */
const SCOPE_NEUTRAL = /^(cloudwatch|application-autoscaling):/;

/** What SageMaker evidence is missing or failed for the account, as one line; undefined when none. */
function scopeGap(sageMaker: Snapshot[], account: string, regions: readonly string[]): string | undefined {
  const mine = sageMaker.filter((s) => s.account === account);
  const missing = regions.filter((region) => !mine.some((s) => s.region === region));
  if (missing.length > 0) return `no SageMaker evidence for ${missing.join(', ')}`;
  const failed = mine.flatMap((s) => s.errors).filter((e) => !SCOPE_NEUTRAL.test(e.api));
  if (failed.length === 0) return undefined;
  const first = failed[0]!;
  return `${failureLine(first)}${first.resource ? ` (on ${first.resource})` : ''}${failed.length > 1 ? ` (and ${failed.length - 1} more SageMaker failures)` : ''}`;
}

/**
 * Wraps an ML-only check so it fails closed on an incomplete ML scope: where SageMaker evidence
 * is missing or failed, a bucket or key that only SageMaker references may go unjudged, so the
 * account gets an ERROR finding (replacing "nothing in scope") next to the findings it has.
 */
export function failClosedOnScopeGaps(
  check: string,
  run: (context: CheckContext) => Finding[],
): (context: CheckContext) => Finding[] {
  return (context) => {
    const findings = run(context);
    const flagged = new Set<string>();
    const result = findings.map((finding) => {
      const gap = context.mlScope.gaps(finding.account);
      if (!gap || finding.status !== 'NOT_APPLICABLE') return finding;
      flagged.add(finding.account);
      return { ...finding, status: 'ERROR' as const, detail: `ML scope incomplete: ${gap}` };
    });
    for (const account of new Set(findings.map((f) => f.account))) {
      const gap = context.mlScope.gaps(account);
      if (!gap || flagged.has(account)) continue;
      const first = findings.find((f) => f.account === account)!;
      result.push({
        check,
        resource: accountRootArn(account),
        account,
        region: first.region,
        status: 'ERROR',
        detail: `ML scope incomplete: ${gap}; resources only SageMaker references may not be judged`,
      });
    }
    return result;
  };
}
