import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectLockRetention,
  ObjectOwnership,
  StorageClass,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Soc2MlConfig } from '../lambdas/config/schema';
import { denyKeyDestruction } from './key-deletion-guard';

/** Prefixes whose objects are written once; reports/ and state/ hold copies replaced on every run. */
export const WRITE_ONCE_PREFIXES = ['evidence/', 'manual/', 'digests/'] as const;

export interface EvidenceBucketProps {
  /** Retention, lock mode and archive age from the validated configuration. */
  evidence: Soc2MlConfig['evidence'];
}

/**
 * The evidence store: S3 Object Lock (default retention, COMPLIANCE unless configured),
 * versioned, SSE-KMS with a rotating customer managed key that cannot be deleted or disabled,
 * TLS only, and a bucket policy that refuses to delete anything, to weaken the lock or to write
 * evidence, manual evidence and digests without If-None-Match: *, for every principal.
 * The lock configuration is fixed once deployed: a different retention needs a new bucket.
 */
export class EvidenceBucket extends Construct {
  readonly bucket: Bucket;
  readonly key: Key;
  /** Server access logs of the evidence bucket. */
  readonly accessLogBucket: Bucket;

  constructor(scope: Construct, id: string, props: EvidenceBucketProps) {
    super(scope, id);
    const { retentionDays, lockMode, archiveAfterDays } = props.evidence;

    this.key = new Key(this, 'Key', {
      description: 'soc2-ml-evidence: encrypts evidence objects',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    denyKeyDestruction(this.key);

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      // S3 server access logging delivers only to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(retentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.accessLogBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the server access log bucket itself; logging it would recurse.',
    });

    const retention = Duration.days(retentionDays);
    this.bucket = new Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention:
        lockMode === 'COMPLIANCE' ? ObjectLockRetention.compliance(retention) : ObjectLockRetention.governance(retention),
      versioned: true,
      encryption: BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'evidence-bucket/',
      lifecycleRules: [
        {
          id: 'archive-evidence',
          transitions: [
            { storageClass: StorageClass.GLACIER_INSTANT_RETRIEVAL, transitionAfter: Duration.days(archiveAfterDays) },
          ],
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Object Lock already refuses to delete a locked version; these denials also cover
    // delete markers, expired retention and anyone who could otherwise loosen the lock.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyEvidenceDeletion',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyWeakeningObjectLock',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutBucketObjectLockConfiguration', 's3:BypassGovernanceRetention'],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
    // Write-once for everyone: a PutObject without If-None-Match: * could add a new version over
    // sealed evidence or a digest. The s3:if-none-match condition key is absent (Null) when the
    // request has no If-None-Match header; see "Enforce conditional writes on Amazon S3 buckets",
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes-enforce.html.
    // Multipart uploads and CopyObject send no such header and are refused too: nothing here uses them.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyOverwritingWriteOnceObjects',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: WRITE_ONCE_PREFIXES.map((prefix) => this.bucket.arnForObjects(`${prefix}*`)),
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }
}
