import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { Soc2MlConfig } from '../lambdas/config/schema';
import { COLLECTOR_NAMES, GLOBAL_REGION } from '../lambdas/evidence/record';
import { AuditorQueryPolicy } from './auditor-query-policy';
import { GLOBAL_EVENTS_REGION } from './change-event-forwarder-stack';
import { EvidenceCatalog } from './evidence-catalog';
import { EvidenceQueryWorkgroup } from './evidence-query-workgroup';
import { CHANGE_EVENTS_TABLE, EVIDENCE_DATABASE, EVIDENCE_RECORDS_TABLE, type PartitionProjection } from './evidence-tables';
import { QueryResultsBucket } from './query-results-bucket';

export interface EvidenceAthenaProps {
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  /** The evidence bucket's server access log bucket, which also logs the results bucket. */
  accessLogBucket: IBucket;
  config: Soc2MlConfig;
}

/**
 * The accounts whose partitions exist: configured explicitly, or this account plus those the
 * organization collects by id and those whose events are recorded only. An organization collected
 * by OU has no list at synth time: the account is then injected, and each query names it.
 */
export function accountProjection(config: Soc2MlConfig, homeAccount: string): PartitionProjection {
  if (config.athena.accounts) return { kind: 'enum', values: [...new Set(config.athena.accounts)] };
  const { organization } = config;
  if (organization.enabled && organization.accounts === undefined) return { kind: 'injected' };
  const excluded = new Set(organization.enabled ? organization.excludeAccounts : []);
  const members = organization.enabled ? (organization.accounts ?? []).filter((account) => !excluded.has(account)) : [];
  return { kind: 'enum', values: [...new Set([homeAccount, ...members, ...config.changeEvents.recordOtherAccounts])] };
}

/**
 * Organization-scale querying of the evidence store: the Glue catalog with partition projection,
 * the Athena workgroup with its locked results bucket and named population queries, and the
 * policy an auditor's role attaches to run them. The CLI's local computation stays the default
 * for one account; this is for a year of many accounts.
 */
export class EvidenceAthena extends Construct {
  readonly catalog: EvidenceCatalog;
  readonly results: QueryResultsBucket;
  readonly workgroup: EvidenceQueryWorkgroup;
  readonly auditorPolicy: AuditorQueryPolicy;

  constructor(scope: Construct, id: string, props: EvidenceAthenaProps) {
    super(scope, id);
    const { config, evidenceBucket, evidenceKey } = props;
    const account = accountProjection(config, Stack.of(this).account);
    const date = { kind: 'date', lookbackDays: config.evidence.retentionDays } as const;

    this.catalog = new EvidenceCatalog(this, 'Catalog', {
      evidenceBucket,
      projections: {
        [EVIDENCE_RECORDS_TABLE.name]: {
          collector: { kind: 'enum', values: COLLECTOR_NAMES },
          account,
          region: { kind: 'enum', values: [...new Set([...config.regions, GLOBAL_REGION])] },
          collected_date: date,
        },
        [CHANGE_EVENTS_TABLE.name]: {
          account,
          // Global services (IAM) record their events in us-east-1 whatever the collected regions.
          region: { kind: 'enum', values: [...new Set([...config.regions, GLOBAL_EVENTS_REGION])] },
          recorded_date: date,
        },
      },
    });
    this.results = new QueryResultsBucket(this, 'Results', {
      key: evidenceKey,
      accessLogBucket: props.accessLogBucket,
      retentionDays: config.athena.resultsRetentionDays,
    });
    this.workgroup = new EvidenceQueryWorkgroup(this, 'Queries', {
      resultsBucket: this.results.bucket,
      key: evidenceKey,
      bytesScannedCutoffGb: config.athena.bytesScannedCutoffGb,
    });
    this.auditorPolicy = new AuditorQueryPolicy(this, 'Auditor', {
      workgroupName: this.workgroup.workgroup.ref,
      evidenceBucket,
      resultsBucket: this.results.bucket,
      key: evidenceKey,
    });

    const stack = Stack.of(this);
    new CfnOutput(stack, 'AthenaWorkGroup', {
      description: 'Athena workgroup for auditor queries',
      value: this.workgroup.workgroup.ref,
    });
    new CfnOutput(stack, 'AthenaDatabase', { description: 'Glue database of the evidence tables', value: EVIDENCE_DATABASE });
    new CfnOutput(stack, 'AuditorQueryPolicyArn', {
      description: 'Managed policy to attach to the role auditors use for Athena',
      value: this.auditorPolicy.policy.managedPolicyArn,
    });
    for (const [name, query] of Object.entries(this.workgroup.namedQueries)) {
      new CfnOutput(stack, `NamedQuery${name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
        description: `Athena named query id of the ${name} population`,
        value: query.attrNamedQueryId,
      });
    }
  }
}
