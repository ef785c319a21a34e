import { Aws, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { ReadWriteType, Trail } from 'aws-cdk-lib/aws-cloudtrail';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface AccountTrailProps {
  /** Server access logs of the trail bucket go here (the evidence bucket's log bucket). */
  accessLogBucket: IBucket;
}

const TRAIL_NAME = 'soc2-ml-evidence';

/**
 * A multi-region trail with log file validation and KMS-encrypted logs, in a bucket of its
 * own, for accounts that have none (config createTrail): the change-event path only sees what
 * CloudTrail delivers to EventBridge, and only with a trail.
 */
export class AccountTrail extends Construct {
  readonly trail: Trail;
  readonly bucket: Bucket;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AccountTrailProps) {
    super(scope, id);

    this.key = new Key(this, 'Key', {
      description: 'soc2-ml-evidence: encrypts CloudTrail log files',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Named up front: the key policy must cite the trail ARN before the trail exists.
    const trailArn = `arn:${Aws.PARTITION}:cloudtrail:${Stack.of(this).region}:${Stack.of(this).account}:trail/${TRAIL_NAME}`;
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudTrailEncryptsLogs',
        principals: [new ServicePrincipal('cloudtrail.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceArn': trailArn } },
      }),
    );

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'trail-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.trail = new Trail(this, 'Trail', {
      trailName: TRAIL_NAME,
      bucket: this.bucket,
      encryptionKey: this.key,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableFileValidation: true,
      managementEvents: ReadWriteType.ALL,
    });
  }
}
