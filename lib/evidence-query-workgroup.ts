import { Stack } from 'aws-cdk-lib';
import { CfnNamedQuery, CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { EVIDENCE_DATABASE } from './evidence-tables';
import { POPULATION_QUERIES } from './population-queries';
import { QUERY_RESULTS_PREFIX } from './query-results-bucket';

/** The workgroup auditors run in; fixed so that the README's commands work as written. */
export const EVIDENCE_WORKGROUP = 'soc2-ml-evidence';

const BYTES_PER_GIB = 1024 ** 3;

export interface EvidenceQueryWorkgroupProps {
  resultsBucket: IBucket;
  /** Encrypts the results (the project's evidence key). */
  key: IKey;
  /** Athena cancels a query that scans more (config athena.bytesScannedCutoffGb). */
  bytesScannedCutoffGb: number;
}

/**
 * The Athena workgroup over the evidence catalog and its named population queries. The
 * workgroup's configuration is enforced, so a client cannot send results elsewhere, unencrypted,
 * or past the per-query scan cutoff.
 */
export class EvidenceQueryWorkgroup extends Construct {
  readonly workgroup: CfnWorkGroup;
  /** Named query per population name. */
  readonly namedQueries: Record<string, CfnNamedQuery>;

  constructor(scope: Construct, id: string, props: EvidenceQueryWorkgroupProps) {
    super(scope, id);

    this.workgroup = new CfnWorkGroup(this, 'WorkGroup', {
      name: EVIDENCE_WORKGROUP,
      description: 'soc2-ml-evidence: auditor queries over the evidence catalog (results encrypted, scan-capped)',
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffGb * BYTES_PER_GIB,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${QUERY_RESULTS_PREFIX}`,
          expectedBucketOwner: Stack.of(this).account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.key.keyArn },
        },
      },
    });

    this.namedQueries = Object.fromEntries(
      POPULATION_QUERIES.map((query) => [
        query.name,
        new CfnNamedQuery(this, `Query-${query.name}`, {
          name: query.name,
          description: `${query.description}. Parameters: ${query.parameters.join(', ')} (YYYY-MM-DD)`,
          database: EVIDENCE_DATABASE,
          workGroup: this.workgroup.ref,
          queryString: query.sql,
        }),
      ]),
    );
  }
}
