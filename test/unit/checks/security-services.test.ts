import { BACKUP_CHECKS, selectionAssigns } from '../../../lambdas/checks/backup';
import { GUARDDUTY_CHECKS } from '../../../lambdas/checks/guardduty';
import { INSPECTOR_CHECKS } from '../../../lambdas/checks/inspector';
import { MACIE_CHECKS } from '../../../lambdas/checks/macie';
import { SECURITYHUB_CHECKS } from '../../../lambdas/checks/securityhub';
import type { Check, Finding, Snapshot } from '../../../lambdas/checks/types';
import type { CollectionError } from '../../../lambdas/evidence/record';
import { makeCheckContext, makeSnapshot, type ResourceFixture, stubMlScope, TEST_ACCOUNT } from '../../helpers/snapshots';

const REGION = 'us-east-1';
const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;
const DETECTOR = `arn:aws:guardduty:${REGION}:${TEST_ACCOUNT}:detector/12abc34d567e8fa901bc2d34e56789f0`;
const HUB = `arn:aws:securityhub:${REGION}:${TEST_ACCOUNT}:hub/default`;
const BUCKET = 'arn:aws:s3:::ml-training-data';
const FSBP = `arn:aws:securityhub:${REGION}::standards/aws-foundational-security-best-practices/v/1.0.0`;
const denied = (api: string): CollectionError => ({ api, code: 'AccessDeniedException', message: 'not authorized' });

const run = (check: Check, snapshots: Snapshot[], mlBuckets: string[] = []): Finding[] =>
  check.run(makeCheckContext(snapshots, { mlScope: stubMlScope(mlBuckets) }));
const only = (check: Check, snapshots: Snapshot[], mlBuckets?: string[]) => {
  const findings = run(check, snapshots, mlBuckets);
  expect(findings).toHaveLength(1);
  return findings[0]!;
};

const detector = (configuration: Record<string, unknown>): ResourceFixture => ({
  arn: DETECTOR,
  type: 'AWS::GuardDuty::Detector',
  configuration: { detectorId: '12abc34d567e8fa901bc2d34e56789f0', ...configuration },
});
const guardDuty = (resources: ResourceFixture[], errors: CollectionError[] = []) =>
  makeSnapshot({ collector: 'guardduty', resources, errors });

describe('guardduty.s3_protection', () => {
  const [check] = GUARDDUTY_CHECKS;
  it('passes an ENABLED detector with S3_DATA_EVENTS ENABLED, on the detector', () => {
    const snapshot = guardDuty([detector({ status: 'ENABLED', s3DataEvents: 'ENABLED', s3DataEventsSource: 'Features' })]);
    expect(only(check!, [snapshot])).toMatchObject({ resource: DETECTOR, region: REGION, status: 'PASS' });
  });
  it.each([
    [
      'S3 protection off',
      { status: 'ENABLED', s3DataEvents: 'DISABLED', s3DataEventsSource: 'Features' },
      /S3_DATA_EVENTS DISABLED/,
    ],
    ['a suspended detector', { status: 'DISABLED', s3DataEvents: 'ENABLED', s3DataEventsSource: 'Features' }, /Status DISABLED/],
  ])('fails %s', (_name, configuration, detail) => {
    expect(only(check!, [guardDuty([detector(configuration)])])).toMatchObject({
      resource: DETECTOR,
      status: 'FAIL',
      detail: expect.stringMatching(detail),
    });
  });
  it('fails a region without a detector (GuardDuty off), on the account root of that region', () => {
    expect(only(check!, [guardDuty([])])).toMatchObject({
      resource: ROOT,
      region: REGION,
      status: 'FAIL',
      detail: expect.stringContaining('GuardDuty is off'),
    });
  });
  it('is ERROR when ListDetectors failed, and when the detector could not be described', () => {
    expect(only(check!, [guardDuty([], [denied('guardduty:ListDetectors')])])).toMatchObject({ resource: ROOT, status: 'ERROR' });
    const undescribed = guardDuty([detector({})], [{ ...denied('guardduty:GetDetector'), resource: DETECTOR }]);
    expect(only(check!, [undescribed])).toMatchObject({
      resource: DETECTOR,
      status: 'ERROR',
      detail: expect.stringContaining('guardduty:GetDetector'),
    });
  });
});

describe('securityhub.enabled', () => {
  const [check] = SECURITYHUB_CHECKS;
  const hub = (configuration: Record<string, unknown>) =>
    makeSnapshot({ collector: 'securityhub', resources: [{ arn: HUB, type: 'AWS::SecurityHub::Hub', configuration }] });
  it('passes a hub with a READY standard', () => {
    expect(only(check!, [hub({ standards: [{ standardsArn: FSBP, status: 'READY' }] })])).toMatchObject({
      resource: HUB,
      status: 'PASS',
    });
  });
  it('fails a hub without a running standard, and a region where Security Hub is off', () => {
    expect(only(check!, [hub({ standards: [] })])).toMatchObject({ resource: HUB, status: 'FAIL' });
    expect(only(check!, [hub({ standards: [{ standardsArn: FSBP, status: 'FAILED' }] })])).toMatchObject({ status: 'FAIL' });
    expect(only(check!, [makeSnapshot({ collector: 'securityhub' })])).toMatchObject({
      resource: ROOT,
      status: 'FAIL',
      detail: expect.stringContaining('not enabled'),
    });
  });
  it('is ERROR when DescribeHub failed, or the standards could not be read', () => {
    expect(only(check!, [makeSnapshot({ collector: 'securityhub', errors: [denied('securityhub:DescribeHub')] })])).toMatchObject(
      { status: 'ERROR' },
    );
    const noStandards = makeSnapshot({
      collector: 'securityhub',
      resources: [{ arn: HUB, type: 'AWS::SecurityHub::Hub', configuration: {} }],
      errors: [{ ...denied('securityhub:GetEnabledStandards'), resource: HUB }],
    });
    expect(only(check!, [noStandards])).toMatchObject({
      resource: HUB,
      status: 'ERROR',
      detail: expect.stringContaining('GetEnabledStandards'),
    });
  });
});

describe('inspector.ml_scanning', () => {
  const [check] = INSPECTOR_CHECKS;
  const status = (resourceTypes: Record<string, string>) =>
    makeSnapshot({
      collector: 'inspector',
      resources: [{ arn: ROOT, type: 'AWS::Inspector2::AccountStatus', configuration: { status: 'ENABLED', resourceTypes } }],
    });
  it('passes when ECR scanning is ENABLED and fails when it is not', () => {
    expect(only(check!, [status({ ecr: 'ENABLED', ec2: 'DISABLED' })])).toMatchObject({ resource: ROOT, status: 'PASS' });
    expect(only(check!, [status({ ecr: 'DISABLED' })])).toMatchObject({
      status: 'FAIL',
      detail: expect.stringContaining('ECR scanning DISABLED'),
    });
  });
  it('is ERROR when the status could not be read', () => {
    expect(
      only(check!, [makeSnapshot({ collector: 'inspector', errors: [denied('inspector2:BatchGetAccountStatus')] })]),
    ).toMatchObject({ status: 'ERROR' });
  });
});

const s3 = (configuration: Record<string, unknown> = {}, tags: Record<string, string> = {}) =>
  makeSnapshot({
    collector: 's3',
    region: 'global',
    resources: [
      {
        arn: BUCKET,
        type: 'AWS::S3::Bucket',
        region: REGION,
        tags,
        configuration: {
          name: 'ml-training-data',
          versioning: { status: 'Disabled', mfaDelete: false },
          replication: null,
          ...configuration,
        },
      },
    ],
  });
const macie = (configuration: Record<string, unknown>, errors: CollectionError[] = []) =>
  makeSnapshot({ collector: 'macie', resources: [{ arn: ROOT, type: 'AWS::Macie::Session', configuration }], errors });
const job = (lastRunTime: string, buckets = ['ml-training-data']) => ({
  jobId: 'job-1',
  name: 'pii-scan',
  status: 'IDLE',
  type: 'SCHEDULED',
  lastRunTime,
  lastRunError: 'NONE',
  buckets: buckets.map((name) => ({ account: TEST_ACCOUNT, name })),
  byCriteria: false,
});

describe('macie.ml_bucket_discovery', () => {
  const [check] = MACIE_CHECKS;
  const judge = (snapshot: Snapshot) => only(check!, [s3(), snapshot], ['ml-training-data']);
  it('passes a bucket automated discovery covers, or a job ran over within 90 days', () => {
    expect(
      judge(macie({ status: 'ENABLED', automatedDiscovery: { status: 'ENABLED', excludedBuckets: [] }, jobs: [] })),
    ).toMatchObject({ resource: BUCKET, status: 'PASS' });
    expect(
      judge(macie({ status: 'ENABLED', automatedDiscovery: { status: 'DISABLED' }, jobs: [job('2026-11-01T00:00:00.000Z')] })),
    ).toMatchObject({ status: 'PASS', detail: expect.stringContaining('pii-scan') });
  });
  it.each([
    ['Macie off', { status: 'NOT_ENABLED' }],
    ['Macie paused', { status: 'PAUSED' }],
    [
      'discovery excluding the bucket',
      { status: 'ENABLED', automatedDiscovery: { status: 'ENABLED', excludedBuckets: ['ml-training-data'] }, jobs: [] },
    ],
    [
      'a job older than 90 days',
      { status: 'ENABLED', automatedDiscovery: { status: 'DISABLED' }, jobs: [job('2026-08-01T00:00:00.000Z')] },
    ],
    [
      'a job over other buckets',
      { status: 'ENABLED', automatedDiscovery: { status: 'DISABLED' }, jobs: [job('2026-11-01T00:00:00.000Z', ['other'])] },
    ],
  ])('fails with %s', (_name, configuration) => {
    expect(judge(macie(configuration))).toMatchObject({ resource: BUCKET, status: 'FAIL' });
  });
  it('is ERROR without Macie evidence for the bucket region, or when Macie could not be read', () => {
    expect(only(check!, [s3()], ['ml-training-data'])).toMatchObject({
      status: 'ERROR',
      detail: expect.stringContaining('no Macie evidence'),
    });
    expect(judge(makeSnapshot({ collector: 'macie', errors: [denied('macie2:GetMacieSession')] }))).toMatchObject({
      status: 'ERROR',
      detail: expect.stringContaining('macie2:GetMacieSession'),
    });
    expect(
      judge(macie({ status: 'ENABLED', automatedDiscovery: { status: 'DISABLED' } }, [denied('macie2:ListClassificationJobs')])),
    ).toMatchObject({ status: 'ERROR' });
  });
});

const plan = (selection: Record<string, unknown>): ResourceFixture => ({
  arn: `arn:aws:backup:${REGION}:${TEST_ACCOUNT}:backup-plan:p1`,
  type: 'AWS::Backup::BackupPlan',
  configuration: {
    planId: 'p1',
    name: 'ml-daily',
    selections: [
      { selectionId: 's1', name: 'ml', resources: [], notResources: [], listOfTags: [], conditions: [], ...selection },
    ],
  },
});

describe('backup.ml_data_protected', () => {
  const [check] = BACKUP_CHECKS;
  const judge = (backup: Snapshot, bucket = s3()) => only(check!, [bucket, backup], ['ml-training-data']);
  it('passes a bucket a plan selects by ARN wildcard or tag, or one versioned with replication', () => {
    expect(judge(makeSnapshot({ collector: 'backup', resources: [plan({ resources: ['arn:aws:s3:::ml-*'] })] }))).toMatchObject({
      resource: BUCKET,
      status: 'PASS',
      detail: expect.stringContaining('ml-daily'),
    });
    expect(
      judge(
        makeSnapshot({
          collector: 'backup',
          resources: [plan({ listOfTags: [{ type: 'STRINGEQUALS', key: 'backup', value: 'daily' }] })],
        }),
        s3({}, { backup: 'daily' }),
      ),
    ).toMatchObject({ status: 'PASS' });
    const replicated = s3({
      versioning: { status: 'Enabled', mfaDelete: false },
      replication: { rules: [{ id: 'dr', enabled: true }] },
    });
    expect(judge(makeSnapshot({ collector: 'backup' }), replicated)).toMatchObject({
      status: 'PASS',
      detail: expect.stringContaining('replication'),
    });
  });
  it('fails a bucket in no plan and without replication, or excluded by NotResources or a condition', () => {
    expect(judge(makeSnapshot({ collector: 'backup' }))).toMatchObject({ resource: BUCKET, status: 'FAIL' });
    expect(
      judge(makeSnapshot({ collector: 'backup', resources: [plan({ resources: ['*'], notResources: [BUCKET] })] })),
    ).toMatchObject({ status: 'FAIL' });
    const conditioned = plan({
      resources: ['*'],
      conditions: [{ type: 'StringEquals', key: 'aws:ResourceTag/env', value: 'prod' }],
    });
    expect(judge(makeSnapshot({ collector: 'backup', resources: [conditioned] }))).toMatchObject({ status: 'FAIL' });
  });
  it('is ERROR when the plans could not be listed and nothing else proves protection', () => {
    expect(judge(makeSnapshot({ collector: 'backup', errors: [denied('backup:ListBackupPlans')] }))).toMatchObject({
      status: 'ERROR',
      detail: expect.stringContaining('backup:ListBackupPlans'),
    });
  });
  it('reads conditions as AWS Backup does: every Conditions entry must hold', () => {
    const selection = {
      selectionId: 's',
      name: 's',
      resources: ['*'],
      notResources: [],
      listOfTags: [],
      conditions: [{ type: 'StringLike', key: 'aws:ResourceTag/team', value: 'ml-*' }],
    };
    expect(selectionAssigns(selection, BUCKET, { team: 'ml-research' })).toBe(true);
    expect(selectionAssigns(selection, BUCKET, { team: 'web' })).toBe(false);
  });
});

describe('backup.restore_tested', () => {
  const check = BACKUP_CHECKS[1]!;
  const testing = (configuration: Record<string, unknown>): ResourceFixture => ({
    arn: `arn:aws:backup:${REGION}:${TEST_ACCOUNT}:restore-testing-plan:ml_restore_test-a1b2c3`,
    type: 'AWS::Backup::RestoreTestingPlan',
    configuration: {
      name: 'ml_restore_test',
      selections: [{ name: 'ml', protectedResourceType: 'S3', protectedResourceArns: ['*'], conditions: [] }],
      ...configuration,
    },
  });
  const judge = (backup: Snapshot) => only(check, [s3(), backup], ['ml-training-data']);
  it('passes a plan selecting an ML bucket with a restore completed within 365 days, on the account', () => {
    const recent = testing({ latestCompletedRestore: { restoreJobId: 'r1', completionDate: '2026-10-01T05:40:00.000Z' } });
    expect(judge(makeSnapshot({ collector: 'backup', resources: [recent] }))).toMatchObject({ resource: ROOT, status: 'PASS' });
  });
  it('fails without a plan, with an old restore, or with a plan that selects no ML bucket', () => {
    expect(judge(makeSnapshot({ collector: 'backup' }))).toMatchObject({ resource: ROOT, status: 'FAIL' });
    const old = testing({ latestCompletedRestore: { restoreJobId: 'r1', completionDate: '2025-06-01T00:00:00.000Z' } });
    expect(judge(makeSnapshot({ collector: 'backup', resources: [old] }))).toMatchObject({ status: 'FAIL' });
    const ebsOnly = testing({
      selections: [{ name: 'ebs', protectedResourceType: 'EBS', protectedResourceArns: ['*'], conditions: [] }],
      latestCompletedRestore: { restoreJobId: 'r1', completionDate: '2026-10-01T05:40:00.000Z' },
    });
    expect(judge(makeSnapshot({ collector: 'backup', resources: [ebsOnly] }))).toMatchObject({ status: 'FAIL' });
  });
  it('is ERROR when restore testing could not be read', () => {
    expect(judge(makeSnapshot({ collector: 'backup', errors: [denied('backup:ListRestoreTestingPlans')] }))).toMatchObject({
      status: 'ERROR',
    });
  });
});
