import { z } from 'zod';

/**
 * Normalised S3 configuration. A field is null when AWS says "not configured" (a fact) and
 * absent when the call failed (the failure is in the record's errors), so a check can tell
 * FAIL from ERROR without parsing SDK shapes.
 */
export const S3_BUCKET_TYPE = 'AWS::S3::Bucket';
export const S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE = 'AWS::S3::AccountPublicAccessBlock';

export const publicAccessBlockSchema = z.object({
  blockPublicAcls: z.boolean(),
  ignorePublicAcls: z.boolean(),
  blockPublicPolicy: z.boolean(),
  restrictPublicBuckets: z.boolean(),
});
export type PublicAccessBlock = z.infer<typeof publicAccessBlockSchema>;

export const s3BucketConfigurationSchema = z.object({
  name: z.string(),
  creationDate: z.string().optional(),
  encryption: z
    .object({
      rules: z.array(
        z.object({
          algorithm: z.string(),
          kmsKeyId: z.string().optional(),
          bucketKeyEnabled: z.boolean().optional(),
        }),
      ),
    })
    .nullable()
    .optional(),
  /** The bucket policy as parsed JSON. */
  policy: z.object({ document: z.unknown() }).nullable().optional(),
  versioning: z.object({ status: z.enum(['Enabled', 'Suspended', 'Disabled']), mfaDelete: z.boolean() }).optional(),
  publicAccessBlock: publicAccessBlockSchema.nullable().optional(),
  logging: z
    .object({ enabled: z.boolean(), targetBucket: z.string().optional(), targetPrefix: z.string().optional() })
    .optional(),
  lifecycle: z
    .object({
      rules: z.array(
        z.object({
          id: z.string().optional(),
          enabled: z.boolean(),
          expiration: z.boolean(),
          transition: z.boolean(),
          noncurrentVersionExpiration: z.boolean(),
          /** Absent in evidence recorded before revision 2 collected it. */
          noncurrentVersionTransition: z.boolean().optional(),
        }),
      ),
    })
    .nullable()
    .optional(),
  replication: z
    .object({
      role: z.string().optional(),
      rules: z.array(z.object({ id: z.string().optional(), enabled: z.boolean(), destinationBucket: z.string().optional() })),
    })
    .nullable()
    .optional(),
  objectLock: z
    .object({
      enabled: z.boolean(),
      defaultRetention: z
        .object({ mode: z.string().optional(), days: z.number().optional(), years: z.number().optional() })
        .optional(),
    })
    .nullable()
    .optional(),
});
export type S3BucketConfiguration = z.infer<typeof s3BucketConfigurationSchema>;

export const s3AccountPublicAccessBlockSchema = z.object({
  /** null: no account-level block configured. */
  publicAccessBlock: publicAccessBlockSchema.nullable(),
});
export type S3AccountPublicAccessBlockConfiguration = z.infer<typeof s3AccountPublicAccessBlockSchema>;

export function bucketArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:s3:::${name}`;
}

/** S3 has no ARN for the account-level block; this one is ours and stable. */
export function accountPublicAccessBlockArn(account: string): string {
  return `arn:aws:s3::${account}:account-public-access-block`;
}

/** Accepts a bucket name, an S3 ARN or an s3:// URI and returns the bucket name. */
export function bucketNameOf(resource: string): string {
  const arn = /^arn:aws[a-z-]*:s3:::([^/]*)/.exec(resource);
  if (arn) return arn[1]!;
  if (resource.startsWith('s3://')) return resource.slice(5).split('/')[0] ?? '';
  return resource;
}
