import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
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
import { WRITE_ONCE_PREFIXES } from '../lambdas/evidence/layout';
import { denyKeyDestruction } from './key-deletion-guard';

export interface EvidenceBucketProps {
  /** Retention, lock mode and archive age from the validated configuration. */
  evidence: Soc2MlConfig['evidence'];
}

/**
 * The evidence store: S3 Object Lock (default retention, COMPLIANCE unless configured),
 * versioned, SSE-KMS with a rotating customer managed key that cannot be deleted or disabled,
 * TLS only, and a bucket policy that refuses to delete anything, to bypass governance retention
 * or to write evidence, manual evidence and digests without If-None-Match: *, for every
 * principal. The default retention (evidence.retentionDays, evidence.lockMode) is changed by a
 * deploy: only CloudFormation's execution role may put the Object Lock configuration, and
 * objects already written keep the retention they were written with.
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
        sid: 'DenyBypassingGovernanceRetention',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:BypassGovernanceRetention'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
    // A configured retention or mode reaches the bucket only through CloudFormation: denying
    // everyone made every later change fail the stack update. The execution role can also
    // rewrite this policy, so excepting it gives up nothing.
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyObjectLockChangesOutsideDeploys',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutBucketObjectLockConfiguration'],
        resources: [this.bucket.bucketArn],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': cloudFormationExecutionRoleArn(this) } },
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

/** The role CloudFormation deploys the stack with (cdk bootstrap's cfn-exec-role). */
function cloudFormationExecutionRoleArn(scope: Construct): string {
  const { synthesizer } = Stack.of(scope);
  if (!(synthesizer instanceof DefaultStackSynthesizer))
    throw new Error(
      'soc2-ml: the evidence bucket lets only the CloudFormation execution role change its Object Lock configuration; synthesise with the default stack synthesizer (cdk bootstrap).',
    );
  return Fn.sub(synthesizer.cloudFormationExecutionRoleArn);
}
