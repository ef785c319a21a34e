import { Stack } from 'aws-cdk-lib';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVIDENCE_ROOT } from '../lambdas/evidence/layout';
import { EVIDENCE_DATABASE, EVIDENCE_TABLES } from './evidence-tables';
import { acknowledgeWildcardResource } from './function-parts';
import { QUERY_RESULTS_PREFIX } from './query-results-bucket';

export interface AuditorQueryPolicyProps {
  workgroupName: string;
  evidenceBucket: IBucket;
  resultsBucket: IBucket;
  /** Encrypts both the evidence and the results. */
  key: IKey;
}

/** Running and reading queries and the named queries of one workgroup (all scoped to the workgroup ARN). */
export const AUDITOR_ATHENA_ACTIONS = [
  'athena:GetWorkGroup',
  'athena:StartQueryExecution',
  'athena:StopQueryExecution',
  'athena:GetQueryExecution',
  'athena:BatchGetQueryExecution',
  'athena:ListQueryExecutions',
  'athena:GetQueryResults',
  'athena:GetNamedQuery',
  'athena:BatchGetNamedQuery',
  'athena:ListNamedQueries',
];
/** Table metadata only: partitions are projected, so no partition reads (and no writes of any kind). */
export const AUDITOR_GLUE_ACTIONS = ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables'];

/**
 * What an auditor (or the role an auditor assumes) needs to query the evidence in Athena and
 * nothing more: the workgroup's queries and named queries, the catalog's table definitions, reads
 * of evidence/v1/ (records and change log), results under the results prefix written through
 * Athena, and the project key only through S3. Attach it to a role of your choosing.
 */
export class AuditorQueryPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: AuditorQueryPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { evidenceBucket, resultsBucket } = props;
    const arn = (service: string, resource: string, resourceName?: string) =>
      stack.formatArn({ service, resource, resourceName });
    const evidenceObjects = evidenceBucket.arnForObjects(`${EVIDENCE_ROOT}*`);
    const resultObjects = resultsBucket.arnForObjects(`${QUERY_RESULTS_PREFIX}*`);

    this.policy = new ManagedPolicy(this, 'Policy', {
      description: 'soc2-ml-evidence: run the population queries in the evidence workgroup and read their results',
      statements: [
        new PolicyStatement({
          sid: 'QueryInTheEvidenceWorkgroup',
          actions: AUDITOR_ATHENA_ACTIONS,
          resources: [arn('athena', 'workgroup', props.workgroupName)],
        }),
        new PolicyStatement({
          sid: 'ReadTheEvidenceTables',
          actions: AUDITOR_GLUE_ACTIONS,
          resources: [
            arn('glue', 'catalog'),
            arn('glue', 'database', EVIDENCE_DATABASE),
            ...EVIDENCE_TABLES.map((table) => arn('glue', 'table', `${EVIDENCE_DATABASE}/${table.name}`)),
          ],
        }),
        new PolicyStatement({
          sid: 'ListEvidence',
          actions: ['s3:ListBucket'],
          resources: [evidenceBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${EVIDENCE_ROOT}*` } },
        }),
        new PolicyStatement({
          sid: 'ReadEvidence',
          actions: ['s3:GetObject'],
          resources: [evidenceObjects],
        }),
        new PolicyStatement({
          sid: 'LocateBuckets',
          actions: ['s3:GetBucketLocation'],
          resources: [evidenceBucket.bucketArn, resultsBucket.bucketArn],
        }),
        new PolicyStatement({
          sid: 'ListResults',
          actions: ['s3:ListBucket', 's3:ListBucketMultipartUploads'],
          resources: [resultsBucket.bucketArn],
          conditions: { StringLike: { 's3:prefix': `${QUERY_RESULTS_PREFIX}*` } },
        }),
        new PolicyStatement({
          sid: 'WriteAndReadResults',
          actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
          resources: [resultObjects],
        }),
        new PolicyStatement({
          sid: 'UseTheKeyThroughS3Only',
          actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
          resources: [props.key.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
        }),
      ],
    });

    acknowledgeWildcardResource(
      this.policy,
      evidenceObjects,
      'Auditors read every collection record and change event under evidence/v1/: the population queries span all of them; nothing else in the bucket is readable.',
    );
    acknowledgeWildcardResource(
      this.policy,
      resultObjects,
      'Athena names each result object by query id under the results prefix; the bucket policy admits writes only through Athena.',
    );
  }
}
