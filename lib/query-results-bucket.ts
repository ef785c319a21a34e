import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Where Athena writes results inside the bucket. */
export const QUERY_RESULTS_PREFIX = 'results/';

export interface QueryResultsBucketProps {
  /** The project's evidence key: results are evidence derived from evidence. */
  key: IKey;
  /** The evidence bucket's server access log bucket. */
  accessLogBucket: IBucket;
  /** Results (and replaced versions) expire after this many days. */
  retentionDays: number;
}

/**
 * The locked location of Athena query results: its own bucket, not a prefix of the evidence
 * bucket, so that no principal needs write access to the evidence bucket to run a query, and
 * the evidence bucket's default Object Lock retention does not pin every throwaway result for
 * years. Results are SSE-KMS with the project key, versioned, TLS only, logged, and written only
 * through Athena: a PutObject that Athena did not make on the caller's behalf (aws:CalledVia,
 * https://docs.aws.amazon.com/athena/latest/ug/security-iam-athena-calledvia.html) is refused for
 * every principal, as is deleting any object or version, so a result cannot be planted, replaced
 * or removed before the lifecycle expires it. Object Lock is not used: whether Athena's result
 * writes meet its Content-MD5/checksum requirement is not documented, and a result can always be
 * re-run from the locked evidence.
 */
export class QueryResultsBucket extends Construct {
  readonly bucket: Bucket;

  constructor(scope: Construct, id: string, props: QueryResultsBucketProps) {
    super(scope, id);

    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.KMS,
      encryptionKey: props.key,
      bucketKeyEnabled: true,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: props.accessLogBucket,
      serverAccessLogsPrefix: 'query-results-bucket/',
      lifecycleRules: [
        {
          id: 'expire-query-results',
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(1),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'OnlyAthenaWritesResults',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('*')],
        // ForAllValues over an absent key is true: direct calls (no CalledVia) are refused too.
        conditions: { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } },
      }),
    );
    this.bucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'DenyResultDeletion',
        effect: Effect.DENY,
        principals: [new AnyPrincipal()],
        actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
        resources: [this.bucket.arnForObjects('*')],
      }),
    );
  }
}
