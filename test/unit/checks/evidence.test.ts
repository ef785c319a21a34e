import { EVIDENCE_CHECKS, reportPeriodMs } from '../../../lambdas/checks/evidence';
import type { StoreFacts } from '../../../lambdas/checks/facts';
import type { Finding, Snapshot } from '../../../lambdas/checks/types';
import { parseConfig } from '../../../lambdas/config/schema';
import { makeCheckContext, makeSnapshot, TEST_ACCOUNT } from '../../helpers/snapshots';

const NOW = new Date('2026-11-26T12:00:00.000Z');
const facts = (overrides: Partial<StoreFacts> = {}): StoreFacts => ({
  location: 's3://evidence',
  evidenceBucket: {
    name: 'evidence',
    account: TEST_ACCOUNT,
    region: 'us-east-1',
    objectLockEnabled: true,
    mode: 'COMPLIANCE',
    days: 400,
  },
  integrity: { verified: true, problems: [] },
  reports: { generatedAt: [], collectingSince: '2026-11-26T00:00:00.000Z' },
  changeEvents: { byAccount: { [TEST_ACCOUNT]: 3 }, healthy: true },
  ...overrides,
});

function run(id: string, snapshots: Snapshot[], storeFacts?: StoreFacts): Finding[] {
  const check = EVIDENCE_CHECKS.find((c) => c.id === id)!;
  return check.run(makeCheckContext(snapshots, { now: NOW, ...(storeFacts ? { facts: storeFacts } : {}) }));
}

const s3 = () => makeSnapshot({ collector: 's3', region: 'global', collectedAt: '2026-11-26T06:00:00.000Z' });
const statuses = (findings: Finding[]) => findings.map((f) => f.status);

describe('evidence.bucket_locked', () => {
  it('passes on COMPLIANCE retention of the configured days, fails on GOVERNANCE or short retention', () => {
    // Act / Assess
    expect(statuses(run('evidence.bucket_locked', [], facts()))).toEqual(['PASS']);
    const governance = facts({ evidenceBucket: { ...facts().evidenceBucket!, mode: 'GOVERNANCE' } });
    expect(run('evidence.bucket_locked', [], governance)[0]).toMatchObject({ status: 'FAIL', resource: 'arn:aws:s3:::evidence' });
    const short = facts({ evidenceBucket: { ...facts().evidenceBucket!, days: 30 } });
    expect(run('evidence.bucket_locked', [], short)[0]!.detail).toMatch(/30 days, below the configured 400/);
  });

  it('is NOT_APPLICABLE for a local store and ERROR when facts were not measured', () => {
    // Act
    const { evidenceBucket: _bucket, ...local } = facts({ location: '/tmp/store' });
    // Assess
    expect(run('evidence.bucket_locked', [], local)[0]).toMatchObject({
      status: 'NOT_APPLICABLE',
      detail: expect.stringMatching(/local directory store/),
    });
    expect(statuses(run('evidence.bucket_locked', []))).toEqual(['ERROR']);
  });
});

describe('evidence.collection_fresh', () => {
  it('passes a fresh complete snapshot and fails a stale or incomplete one', () => {
    // Prepare
    const stale = makeSnapshot({ collector: 'iam', region: 'global', collectedAt: '2026-11-20T00:00:00.000Z' });
    const incomplete = makeSnapshot({
      collector: 'kms',
      errors: [{ api: 'kms:ListKeys', code: 'AccessDenied', message: 'no' }],
      collectedAt: '2026-11-26T11:00:00.000Z',
    });
    // Act
    const findings = run('evidence.collection_fresh', [s3(), stale, incomplete], facts());
    // Assess
    expect(findings.map((f) => [f.resource.split('#')[1], f.status])).toEqual([
      ['collector=s3/region=global', 'PASS'],
      ['collector=iam/region=global', 'FAIL'],
      ['collector=kms/region=us-east-1', 'FAIL'],
    ]);
  });
});

describe('evidence.integrity', () => {
  it('passes a verified chain, fails with the problems, ERROR when not verified', () => {
    // Act / Assess
    expect(statuses(run('evidence.integrity', [], facts()))).toEqual(['PASS']);
    expect(run('evidence.integrity', [], facts({ integrity: { verified: true, problems: [], digests: 0 } }))[0]).toMatchObject({
      status: 'NOT_APPLICABLE',
      detail: expect.stringContaining('no digest yet'),
    });
    expect(
      run('evidence.integrity', [], facts({ integrity: { verified: false, problems: ['changed: evidence/v1/a'] } }))[0]!.detail,
    ).toContain('changed: evidence/v1/a');
    expect(run('evidence.integrity', [], { ...facts(), integrity: undefined })[0]).toMatchObject({
      status: 'ERROR',
      detail: 'digest chain not verified',
    });
  });
});

describe('evidence.change_log', () => {
  it('passes per account with events, fails without or with an unhealthy path', () => {
    // Act / Assess
    expect(run('evidence.change_log', [s3()], facts())[0]).toMatchObject({
      status: 'PASS',
      resource: `arn:aws:iam::${TEST_ACCOUNT}:root`,
    });
    expect(statuses(run('evidence.change_log', [s3()], facts({ changeEvents: { byAccount: {}, healthy: true } })))).toEqual([
      'FAIL',
    ]);
    expect(
      statuses(
        run(
          'evidence.change_log',
          [s3()],
          facts({ changeEvents: { byAccount: { [TEST_ACCOUNT]: 1 }, healthy: false, detail: 'DLQ has 4 messages' } }),
        ),
      ),
    ).toEqual(['FAIL']);
    expect(statuses(run('evidence.change_log', [s3()], { ...facts(), changeEvents: undefined }))).toEqual(['ERROR']);
  });

  it('names the collected buckets in regions that forward no change events, and passes once their region is watched', () => {
    // Prepare: S3 is described from one region, but a bucket's events stay in the bucket's region
    const buckets = makeSnapshot({
      collector: 's3',
      region: 'global',
      resources: [
        { arn: 'arn:aws:s3:::training-data', type: 'AWS::S3::Bucket', region: 'us-east-1', configuration: {} },
        { arn: 'arn:aws:s3:::tokyo-features', type: 'AWS::S3::Bucket', region: 'ap-northeast-1', configuration: {} },
      ],
    });
    const check = EVIDENCE_CHECKS.find((c) => c.id === 'evidence.change_log')!;
    const judge = (config: object) =>
      check.run(makeCheckContext([buckets], { now: NOW, facts: facts(), config: parseConfig(config) }))[0]!;

    // Act / Assess
    expect(judge({})).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('tokyo-features (ap-northeast-1)'),
    });
    expect(judge({}).detail).not.toContain('training-data');
    expect(judge({ changeEvents: { bucketRegions: ['ap-northeast-1'] } })).toMatchObject({ status: 'PASS' });
  });
});

describe('evidence.reports_on_schedule', () => {
  it('passes when a report came every day of the window and fails on a missed day', () => {
    // Prepare
    const daily = Array.from({ length: 10 }, (_, i) =>
      new Date(Date.parse('2026-11-17T06:00:00.000Z') + i * 86_400_000).toISOString(),
    );
    const since = '2026-11-17T00:00:00.000Z';
    const missed = daily.filter((_, i) => i !== 4);
    // Act / Assess
    expect(
      statuses(run('evidence.reports_on_schedule', [s3()], facts({ reports: { generatedAt: daily, collectingSince: since } }))),
    ).toEqual(['PASS']);
    const finding = run(
      'evidence.reports_on_schedule',
      [s3()],
      facts({ reports: { generatedAt: missed, collectingSince: since } }),
    )[0]!;
    expect(finding).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/^no report between 2026-11-20T06:00:00.000Z and 2026-11-22T06:00:00.000Z/),
    });
  });

  it('reads the period from rate and cron expressions', () => {
    // Act / Assess
    expect(reportPeriodMs('rate(6 hours)')).toBe(6 * 3_600_000);
    expect(reportPeriodMs('cron(0 6 * * ? *)')).toBe(86_400_000);
    expect(reportPeriodMs('cron(0 6 ? * MON *)')).toBe(7 * 86_400_000);
  });
});

describe('evidence.ml_inventory', () => {
  it('summarises the inventory per account, and is ERROR when a listing failed', () => {
    // Prepare
    const sagemaker = makeSnapshot({
      collector: 'sagemaker',
      resources: [
        {
          arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/t1',
          type: 'AWS::SageMaker::TrainingJob',
          configuration: { references: { s3Uris: ['s3://data/in'], kmsKeys: [], resources: [] } },
        },
        {
          arn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m1',
          type: 'AWS::SageMaker::Model',
          configuration: {
            references: { s3Uris: [], kmsKeys: [], resources: ['arn:aws:sagemaker:us-east-1:123456789012:training-job/t1'] },
          },
        },
      ],
    });
    const failed = makeSnapshot({
      collector: 'sagemaker',
      errors: [{ api: 'sagemaker:ListModels', code: 'ThrottlingException', message: 'slow down' }],
    });
    // Act / Assess
    expect(run('evidence.ml_inventory', [s3(), sagemaker], facts())[0]).toMatchObject({
      status: 'PASS',
      detail: expect.stringMatching(/3 resources .*2 data flows/),
    });
    expect(statuses(run('evidence.ml_inventory', [s3(), failed], facts()))).toEqual(['ERROR']);
  });
});
