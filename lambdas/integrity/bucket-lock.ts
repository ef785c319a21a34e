import { GetObjectLockConfigurationCommand, type S3Client } from '@aws-sdk/client-s3';
import type { StoreFacts } from '../checks/facts';

export type EvidenceBucketFacts = NonNullable<StoreFacts['evidenceBucket']>;

/** The evidence bucket as the evidence.bucket_locked finding names it. */
export interface EvidenceBucketIdentity {
  name: string;
  account: string;
  region: string;
}

/**
 * Lock settings of the evidence bucket itself, for evidence.bucket_locked. Shared by the CLI
 * (`--bucket`) and the report Lambda, which reads its own bucket.
 */
export async function readEvidenceBucketFacts(s3: S3Client, bucket: EvidenceBucketIdentity): Promise<EvidenceBucketFacts> {
  try {
    const lock = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: bucket.name }));
    const retention = lock.ObjectLockConfiguration?.Rule?.DefaultRetention;
    return {
      ...bucket,
      objectLockEnabled: lock.ObjectLockConfiguration?.ObjectLockEnabled === 'Enabled',
      ...(retention?.Mode ? { mode: retention.Mode } : {}),
      ...(retention?.Days || retention?.Years ? { days: retention.Days ?? (retention.Years ?? 0) * 365 } : {}),
    };
  } catch {
    // Not configured or not readable: reported as unlocked, which fails closed.
    return { ...bucket, objectLockEnabled: false };
  }
}
