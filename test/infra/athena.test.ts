import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { DateIntervalUnit, PartitionProjectionConfiguration } from 'aws-cdk-lib/aws-glue';
import { parseConfig } from '../../lambdas/config/schema';
import { changeLogKey } from '../../lambdas/events/change-log';
import { parseCloudTrailEvent } from '../../lambdas/events/cloudtrail-event';
import { evidenceKey } from '../../lambdas/evidence/evidence-io';
import { COLLECTOR_NAMES } from '../../lambdas/evidence/record';
import { AUDITOR_ATHENA_ACTIONS, AUDITOR_GLUE_ACTIONS } from '../../lib/auditor-query-policy';
import { accountProjection } from '../../lib/evidence-athena';
import {
  CHANGE_EVENTS_TABLE,
  EVIDENCE_RECORDS_TABLE,
  type EvidenceTable,
  keyTemplate,
  projectionParameters,
} from '../../lib/evidence-tables';
import { POPULATION_QUERIES } from '../../lib/population-queries';
import { PERIOD_REPORT_SCHEDULE } from '../../lib/report-function';
import { buildTestApp } from './synth';
import { asArray, logicalIdOf, type PolicyStatementJson } from './templates';

const ACCOUNT = '111122223333';

interface CfnResource {
  Type: string;
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties of any resource type, read by path in assertions
  Properties: any;
}
const MEMBER = '444455556666';
const OTHER = '777788889999';

/** Fills a key template with values (the inverse of projection) to compare with real keys. */
function keyFor(table: EvidenceTable, values: Record<string, string>): string {
  return table.partitionKeys.reduce(
    (key, partition) => key.replace(`\${${partition.name}}`, values[partition.name]!),
    keyTemplate(table),
  );
}

describe('evidence tables: key templates match the keys the app writes', () => {
  it('the evidence_records template is the directory evidenceKey() writes a record into', () => {
    // Prepare
    const record = {
      collector: { name: 'kms' as const, version: '1' },
      account: ACCOUNT,
      region: 'eu-west-1',
      collectedAt: '2026-11-30T23:59:58.123Z',
      id: 'rec-1',
    };
    // Act
    const key = evidenceKey(record);
    // Assess
    expect(
      key.startsWith(
        keyFor(EVIDENCE_RECORDS_TABLE, { collector: 'kms', account: ACCOUNT, region: 'eu-west-1', collected_date: '2026-11-30' }),
      ),
    ).toBe(true);
    expect(key.slice(key.lastIndexOf('/') + 1)).not.toContain('/');
  });

  it('the change_events template is the directory changeLogKey() files an event into, by recording date', () => {
    // Prepare: a documented CloudTrail shape (test/fixtures/events), recorded the next day
    const parsed = parseCloudTrailEvent(
      readFileSync(join(__dirname, '..', 'fixtures', 'events', 'CreateAccessKey.json'), 'utf8'),
    );
    if (!parsed.ok) throw new Error(parsed.problem);
    const recordedAt = new Date('2026-11-27T00:00:01.000Z');
    // Act
    const key = changeLogKey(parsed.event, recordedAt);
    // Assess
    expect(
      key.startsWith(keyFor(CHANGE_EVENTS_TABLE, { account: '123456789012', region: 'us-east-1', recorded_date: '2026-11-27' })),
    ).toBe(true);
  });
});

describe('projectionParameters', () => {
  it('writes the same projection properties as the stable aws-cdk-lib Glue module renders for the same settings', () => {
    // Prepare: aws-cdk-lib's own (internal) renderer is an independent second implementation
    const oracle = {
      ...PartitionProjectionConfiguration.enum({ values: ['s3', 'iam'] })._renderParameters('collector'),
      ...PartitionProjectionConfiguration.injected()._renderParameters('account'),
      ...PartitionProjectionConfiguration.enum({ values: ['eu-west-1', 'global'] })._renderParameters('region'),
      ...PartitionProjectionConfiguration.date({
        min: 'NOW-400DAYS',
        max: 'NOW',
        format: 'yyyy-MM-dd',
        step: { interval: 1, intervalUnit: DateIntervalUnit.DAYS },
      })._renderParameters('collected_date'),
    };
    // Act
    const ours = projectionParameters(
      EVIDENCE_RECORDS_TABLE,
      {
        collector: { kind: 'enum', values: ['s3', 'iam'] },
        account: { kind: 'injected' },
        region: { kind: 'enum', values: ['eu-west-1', 'global'] },
        collected_date: { kind: 'date', lookbackDays: 400 },
      },
      'bucket',
    );
    // Assess
    expect(ours).toEqual({
      ...oracle,
      'projection.enabled': 'true',
      'storage.location.template': `s3://bucket/${keyTemplate(EVIDENCE_RECORDS_TABLE)}`,
    });
  });

  it('refuses a table whose partition key has no projection', () => {
    // Act / Assess
    expect(() => projectionParameters(CHANGE_EVENTS_TABLE, { account: { kind: 'injected' } }, 'bucket')).toThrow(
      'no projection given for partition key change_events.region',
    );
  });
});

describe('accountProjection', () => {
  it('projects this account alone by default', () => {
    // Assess
    expect(accountProjection(parseConfig({}), ACCOUNT)).toEqual({ kind: 'enum', values: [ACCOUNT] });
  });

  it('adds the organization accounts collected by id (minus excluded) and the record-only accounts', () => {
    // Prepare
    const config = parseConfig({
      organization: {
        enabled: true,
        organizationId: 'o-a1b2c3d4e5',
        externalId: 'soc2-ml-external',
        accounts: [MEMBER, OTHER, ACCOUNT],
        excludeAccounts: [OTHER],
      },
      changeEvents: { recordOtherAccounts: ['999900001111'] },
    });
    // Act
    const projection = accountProjection(config, ACCOUNT);
    // Assess
    expect(projection).toEqual({ kind: 'enum', values: [ACCOUNT, MEMBER, '999900001111'] });
  });

  it('injects the account (queries name it) for an organization collected by OU without a list', () => {
    // Prepare
    const config = parseConfig({
      organization: {
        enabled: true,
        organizationId: 'o-a1b2c3d4e5',
        externalId: 'soc2-ml-external',
        organizationalUnits: ['ou-ab12-cd34ef56'],
      },
    });
    // Assess
    expect(accountProjection(config, ACCOUNT)).toEqual({ kind: 'injected' });
    expect(accountProjection(parseConfig({ ...config, athena: { accounts: [MEMBER, MEMBER] } }), ACCOUNT)).toEqual({
      kind: 'enum',
      values: [MEMBER],
    });
  });
});

describe('Soc2MlStack: Athena over the evidence store', () => {
  const { stack } = buildTestApp(
    { regions: ['eu-west-1', 'eu-central-1'], athena: { bytesScannedCutoffGb: 25, resultsRetentionDays: 45 } },
    { nag: false, env: { account: ACCOUNT, region: 'eu-west-1' } },
  );
  const template = Template.fromStack(stack);
  // The synthesised template is untyped JSON (toJSON() answers any), as in the other infra tests.
  const resources = template.toJSON().Resources;
  const evidenceBucketId = logicalIdOf(template, 'AWS::S3::Bucket', { ObjectLockEnabled: true });
  const evidenceKeyId = logicalIdOf(template, 'AWS::KMS::Key', { EnableKeyRotation: true });
  const tableInput = (name: string) =>
    (Object.values(resources) as CfnResource[]).find(
      (r) => r.Type === 'AWS::Glue::Table' && r.Properties.TableInput.Name === name,
    )!.Properties.TableInput;
  const workgroup = (Object.values(resources) as CfnResource[]).find((r) => r.Type === 'AWS::Athena::WorkGroup')!.Properties;
  const resultsBucketId = workgroup.WorkGroupConfiguration.ResultConfiguration.OutputLocation['Fn::Join'][1][1].Ref as string;

  it('registers both tables in one database, read by the Hive JSON SerDe, with no crawler', () => {
    // Assess
    template.resourceCountIs('AWS::Glue::Database', 1);
    template.resourceCountIs('AWS::Glue::Table', 2);
    template.resourceCountIs('AWS::Glue::Crawler', 0);
    template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'soc2_ml_evidence' } });
    // A table is created in a database that exists: CloudFormation orders them by DependsOn
    const databaseId = Object.keys(template.findResources('AWS::Glue::Database'))[0]!;
    for (const table of Object.values(template.findResources('AWS::Glue::Table'))) expect(table.DependsOn).toEqual([databaseId]);
    for (const table of [EVIDENCE_RECORDS_TABLE, CHANGE_EVENTS_TABLE]) {
      const input = tableInput(table.name);
      expect(input.TableType).toBe('EXTERNAL_TABLE');
      expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hive.hcatalog.data.JsonSerDe');
      expect(input.StorageDescriptor.Location).toEqual({
        'Fn::Join': ['', ['s3://', { Ref: evidenceBucketId }, `/${table.prefix}`]],
      });
      expect(input.PartitionKeys.map((k: { Name: string; Type: string }) => `${k.Name}:${k.Type}`)).toEqual(
        table.partitionKeys.map((k) => `${k.name}:string`),
      );
      expect(input.Parameters['storage.location.template']).toEqual({
        'Fn::Join': ['', ['s3://', { Ref: evidenceBucketId }, `/${keyTemplate(table)}`]],
      });
    }
  });

  it('projects collectors, accounts and regions as enums and the date over the retention period', () => {
    // Act
    const records = tableInput(EVIDENCE_RECORDS_TABLE.name).Parameters;
    const changes = tableInput(CHANGE_EVENTS_TABLE.name).Parameters;
    // Assess
    expect(records).toMatchObject({
      'projection.enabled': 'true',
      'projection.collector.type': 'enum',
      'projection.collector.values': COLLECTOR_NAMES.join(','),
      'projection.account.type': 'enum',
      'projection.account.values': ACCOUNT,
      'projection.region.values': 'eu-west-1,eu-central-1,global',
      'projection.collected_date.type': 'date',
      'projection.collected_date.range': 'NOW-400DAYS,NOW',
      'projection.collected_date.format': 'yyyy-MM-dd',
      'projection.collected_date.interval.unit': 'DAYS',
    });
    // IAM's events are recorded in us-east-1 even when no collected region is
    expect(changes).toMatchObject({
      'projection.account.values': ACCOUNT,
      'projection.region.values': 'eu-west-1,eu-central-1,us-east-1',
      'projection.recorded_date.range': 'NOW-400DAYS,NOW',
    });
  });

  it('enforces the workgroup: results in the results bucket, SSE-KMS with the evidence key, a scan cutoff', () => {
    // Assess
    expect(workgroup).toMatchObject({
      Name: 'soc2-ml-evidence',
      State: 'ENABLED',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 25 * 1024 ** 3,
        ResultConfiguration: {
          ExpectedBucketOwner: ACCOUNT,
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [evidenceKeyId, 'Arn'] } },
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: resultsBucketId }, '/results/']] },
        },
      },
    });
    expect(resultsBucketId).not.toBe(evidenceBucketId);
  });

  it('keeps results in a versioned, KMS-encrypted bucket that only Athena writes and nobody deletes from', () => {
    // Act
    const bucket = resources[resultsBucketId].Properties;
    const policy = (Object.values(resources) as CfnResource[]).find(
      (r) => r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket.Ref === resultsBucketId,
    )!.Properties.PolicyDocument.Statement as PolicyStatementJson[];
    // Assess
    expect(bucket).toMatchObject({
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [evidenceKeyId, 'Arn'] } },
          },
        ],
      },
      LoggingConfiguration: { LogFilePrefix: 'query-results-bucket/' },
      LifecycleConfiguration: { Rules: [expect.objectContaining({ ExpirationInDays: 45, Status: 'Enabled' })] },
    });
    expect(policy.find((s) => s.Sid === 'OnlyAthenaWritesResults')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 's3:PutObject',
      Condition: { 'ForAllValues:StringNotEquals': { 'aws:CalledVia': 'athena.amazonaws.com' } },
    });
    expect(policy.find((s) => s.Sid === 'DenyResultDeletion')).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
    });
    expect(policy.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition ?? {}).includes('aws:SecureTransport'))).toBe(
      true,
    );
  });

  it('ships each population query as a named query of the workgroup in the evidence database', () => {
    // Act
    const named = (Object.values(resources) as CfnResource[]).filter((r) => r.Type === 'AWS::Athena::NamedQuery');
    // Assess
    expect(named.map((r) => r.Properties.Name).sort()).toEqual(POPULATION_QUERIES.map((q) => q.name).sort());
    for (const query of POPULATION_QUERIES) {
      const properties = named.find((r) => r.Properties.Name === query.name)!.Properties;
      expect(properties).toMatchObject({
        Database: 'soc2_ml_evidence',
        QueryString: query.sql,
        WorkGroup: { Ref: expect.any(String) },
      });
      template.hasOutput(`NamedQuery${query.name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())}`, {
        Value: { 'Fn::GetAtt': [Match.anyValue(), 'NamedQueryId'] },
      });
    }
  });

  it('gives auditors exactly the Athena, Glue, S3 and KMS reads a query needs, scoped, without wildcard actions', () => {
    // Act
    const statements = (Object.values(resources) as CfnResource[]).find((r) => r.Type === 'AWS::IAM::ManagedPolicy')!.Properties
      .PolicyDocument.Statement as PolicyStatementJson[];
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    const json = (value: unknown) => JSON.stringify(value);
    // Assess
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(asArray(bySid('QueryInTheEvidenceWorkgroup').Action).sort()).toEqual([...AUDITOR_ATHENA_ACTIONS].sort());
    expect(json(bySid('QueryInTheEvidenceWorkgroup').Resource)).toContain(':workgroup/');
    expect(asArray(bySid('ReadTheEvidenceTables').Action).sort()).toEqual([...AUDITOR_GLUE_ACTIONS].sort());
    expect(json(bySid('ReadTheEvidenceTables').Resource)).toContain(':table/soc2_ml_evidence/change_events');
    expect(json(bySid('ReadTheEvidenceTables').Resource)).not.toContain('table/soc2_ml_evidence/*');
    expect(bySid('ReadEvidence')).toMatchObject({
      Action: 's3:GetObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [evidenceBucketId, 'Arn'] }, '/evidence/v1/*']] },
    });
    expect(bySid('ListEvidence').Condition).toEqual({ StringLike: { 's3:prefix': 'evidence/v1/*' } });
    expect(json(bySid('WriteAndReadResults').Resource)).toContain(resultsBucketId);
    expect(json(bySid('WriteAndReadResults').Resource)).not.toContain(evidenceBucketId);
    expect(bySid('UseTheKeyThroughS3Only')).toMatchObject({
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    // Nothing here writes the evidence bucket
    const evidenceWrites = statements.filter(
      (s) => json(s.Resource).includes(evidenceBucketId) && asArray(s.Action).some((a) => /Put|Delete/.test(a)),
    );
    expect(evidenceWrites).toEqual([]);
  });

  it('runs the report on the first of each month at 06:00 UTC for the previous month', () => {
    // Prepare
    const functionId = logicalIdOf(template, 'AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DIGEST_SIGNING_KEY_ARN: Match.anyValue() }) },
    });
    // Assess
    expect(PERIOD_REPORT_SCHEDULE).toBe('cron(0 6 1 * ? *)');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 6 1 * ? *)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Input: JSON.stringify({ period: 'previous-month' }),
          RetryPolicy: { MaximumRetryAttempts: 2 },
          DeadLetterConfig: { Arn: Match.anyValue() },
        }),
      ],
    });
  });
});

describe('Soc2MlStack: athena.enabled false', () => {
  it('deploys no Glue or Athena resources and no results bucket', () => {
    // Act
    const template = Template.fromStack(buildTestApp({ athena: { enabled: false } }, { nag: false }).stack);
    // Assess
    for (const type of [
      'AWS::Glue::Database',
      'AWS::Glue::Table',
      'AWS::Athena::WorkGroup',
      'AWS::Athena::NamedQuery',
      'AWS::IAM::ManagedPolicy',
    ])
      template.resourceCountIs(type, 0);
    expect(Object.keys(template.findResources('AWS::S3::Bucket'))).toHaveLength(2);
  });
});
