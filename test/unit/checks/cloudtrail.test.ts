import { CLOUDTRAIL_CHECKS } from '../../../lambdas/checks/cloudtrail';
import type { Finding, Snapshot } from '../../../lambdas/checks/types';
import { parseConfig } from '../../../lambdas/config/schema';
import type { CollectionError } from '../../../lambdas/evidence/record';
import {
  type AdvancedEventSelector,
  type BasicEventSelector,
  CLOUDTRAIL_TRAIL_TYPE,
  type CloudTrailTrailConfiguration,
} from '../../../lambdas/evidence/resources/cloudtrail';
import {
  accountPublicAccessBlockArn,
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
  S3_BUCKET_TYPE,
} from '../../../lambdas/evidence/resources/s3';
import { makeCheckContext, makeSnapshot, type ResourceFixture, stubMlScope, TEST_ACCOUNT } from '../../helpers/snapshots';

const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${TEST_ACCOUNT}:trail/main`;
const BUCKET = 'arn:aws:s3:::training-data';

const ALL_MANAGEMENT: BasicEventSelector = {
  readWriteType: 'All',
  includeManagementEvents: true,
  dataResources: [],
  excludeManagementEventSources: [],
};

const trail = (configuration: Partial<CloudTrailTrailConfiguration>, arn = TRAIL, region = 'us-east-1'): ResourceFixture => ({
  arn,
  type: CLOUDTRAIL_TRAIL_TYPE,
  region,
  configuration: {
    name: arn.split('/').pop(),
    homeRegion: 'us-east-1',
    isShadow: region !== 'us-east-1',
    isMultiRegion: true,
    isOrganizationTrail: false,
    includeGlobalServiceEvents: true,
    logFileValidationEnabled: true,
    kmsKeyId: `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/k1`,
    s3BucketName: 'trail-logs',
    cloudWatchLogsLogGroupArn: `arn:aws:logs:us-east-1:${TEST_ACCOUNT}:log-group:trail:*`,
    status: { isLogging: true },
    eventSelectors: { basic: [ALL_MANAGEMENT], advanced: [] },
    ...configuration,
  },
});

const trails = (resources: ResourceFixture[], errors: CollectionError[] = [], region = 'us-east-1'): Snapshot =>
  makeSnapshot({ collector: 'cloudtrail', region, resources, errors });

const buckets = makeSnapshot({
  collector: 's3',
  region: 'global',
  resources: [
    { arn: BUCKET, type: S3_BUCKET_TYPE, region: 'us-east-1', configuration: { name: 'training-data' } },
    { arn: 'arn:aws:s3:::scratch', type: S3_BUCKET_TYPE, region: 'us-east-1', configuration: { name: 'scratch' } },
  ],
});

const run = (id: string, snapshots: Snapshot[]): Finding[] =>
  CLOUDTRAIL_CHECKS.find((c) => c.id === id)!.run(makeCheckContext(snapshots, { mlScope: stubMlScope(['training-data']) }));

const single = (findings: Finding[]): Finding => {
  expect(findings).toHaveLength(1);
  return findings[0]!;
};

const denied = (api: string, resource?: string): CollectionError => ({
  api,
  ...(resource ? { resource } : {}),
  code: 'AccessDeniedException',
  message: 'denied',
});

describe('CloudTrail checks', () => {
  describe('ct.multi_region_logging', () => {
    it('passes on the account when a logging multi-region trail records all management events', () => {
      expect(single(run('ct.multi_region_logging', [trails([trail({})])]))).toMatchObject({
        resource: ROOT,
        status: 'PASS',
        detail: expect.stringContaining(TRAIL),
      });
    });

    it('counts one trail once although every region lists it', () => {
      const shadow = trails([trail({ isShadow: true }, TRAIL, 'eu-west-1')], [], 'eu-west-1');
      expect(single(run('ct.multi_region_logging', [trails([trail({})]), shadow])).status).toBe('PASS');
    });

    it('accepts read and write management events split over advanced selectors', () => {
      const advanced: AdvancedEventSelector[] = [
        {
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Management'] },
            { field: 'readOnly', equals: ['true'] },
          ],
        },
        {
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Management'] },
            { field: 'readOnly', equals: ['false'] },
          ],
        },
      ];
      const finding = single(run('ct.multi_region_logging', [trails([trail({ eventSelectors: { basic: [], advanced } })])]));
      expect(finding.status).toBe('PASS');
    });

    const managementSelector = (readOnly: AdvancedEventSelector['fieldSelectors'][number]): AdvancedEventSelector => ({
      fieldSelectors: [{ field: 'eventCategory', equals: ['Management'] }, readOnly],
    });
    const judgeAdvanced = (advanced: AdvancedEventSelector[]) =>
      single(run('ct.multi_region_logging', [trails([trail({ eventSelectors: { basic: [], advanced } })])]));

    it('takes readOnly notEquals ["true"] as write events only', () => {
      const finding = judgeAdvanced([managementSelector({ field: 'readOnly', notEquals: ['true'] })]);
      expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('read false write true') });
    });

    it('accepts readOnly notEquals ["false"] (reads) with notEquals ["true"] (writes)', () => {
      const finding = judgeAdvanced([
        managementSelector({ field: 'readOnly', notEquals: ['false'] }),
        managementSelector({ field: 'readOnly', notEquals: ['true'] }),
      ]);
      expect(finding.status).toBe('PASS');
    });

    it('does not take a readOnly startsWith selector as covering reads or writes', () => {
      const finding = judgeAdvanced([managementSelector({ field: 'readOnly', startsWith: ['t'] })]);
      expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('read false write false') });
    });

    it('fails when the multi-region trail is not logging', () => {
      expect(single(run('ct.multi_region_logging', [trails([trail({ status: { isLogging: false } })])]))).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('IsLogging false'),
      });
    });

    it('fails when the trail records write management events only', () => {
      const writeOnly = { basic: [{ ...ALL_MANAGEMENT, readWriteType: 'WriteOnly' as const }], advanced: [] };
      expect(single(run('ct.multi_region_logging', [trails([trail({ eventSelectors: writeOnly })])])).detail).toContain(
        'read false write true',
      );
    });

    it('fails when only single-region trails exist', () => {
      expect(single(run('ct.multi_region_logging', [trails([trail({ isMultiRegion: false })])]))).toMatchObject({
        status: 'FAIL',
        detail: 'no multi-region trail (IsMultiRegionTrail true) exists',
      });
    });

    it('is ERROR when the trail status could not be read', () => {
      const finding = single(
        run('ct.multi_region_logging', [trails([trail({ status: undefined })], [denied('cloudtrail:GetTrailStatus', TRAIL)])]),
      );
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('cloudtrail:GetTrailStatus failed') });
    });

    it('is ERROR when the trails could not be listed', () => {
      expect(single(run('ct.multi_region_logging', [trails([], [denied('cloudtrail:DescribeTrails')])])).status).toBe('ERROR');
    });
  });

  describe.each([
    ['ct.log_file_validation', { logFileValidationEnabled: false }, 'LogFileValidationEnabled false'],
    ['ct.kms_encrypted', { kmsKeyId: null }, 'KmsKeyId not set'],
    ['ct.cloudwatch_logs', { cloudWatchLogsLogGroupArn: undefined }, 'CloudWatchLogsLogGroupArn is not set'],
    [
      'ct.cloudwatch_logs',
      { status: { isLogging: true, latestCloudWatchLogsDeliveryError: 'AccessDenied: role cannot write' } },
      'the last delivery failed: AccessDenied: role cannot write',
    ],
  ])('%s', (id, failing: Partial<CloudTrailTrailConfiguration>, failDetail) => {
    it('passes the multi-region trail', () => {
      expect(single(run(id, [trails([trail({})])]))).toMatchObject({ resource: TRAIL, status: 'PASS' });
    });
    it('fails naming the field', () => {
      expect(single(run(id, [trails([trail(failing)])]))).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining(failDetail),
      });
    });
    it('is ERROR when the trails could not be listed', () => {
      expect(single(run(id, [trails([], [denied('cloudtrail:DescribeTrails')])]))).toMatchObject({
        resource: ROOT,
        status: 'ERROR',
      });
    });
    it('is NOT_APPLICABLE without a multi-region trail', () => {
      expect(single(run(id, [trails([trail({ isMultiRegion: false })])])).status).toBe('NOT_APPLICABLE');
    });
  });

  describe('ct.cloudwatch_logs without the trail status', () => {
    it('is ERROR citing GetTrailStatus', () => {
      const { status: _status, ...withoutStatus } = trail({}).configuration;
      const unread = { ...trail({}), configuration: withoutStatus };
      const finding = single(run('ct.cloudwatch_logs', [trails([unread], [denied('cloudtrail:GetTrailStatus', TRAIL)])]));
      expect(finding).toMatchObject({
        resource: TRAIL,
        status: 'ERROR',
        detail: expect.stringContaining('cloudtrail:GetTrailStatus'),
      });
    });
  });

  describe('ct.log_bucket_protected', () => {
    const LOG_BUCKET = 'arn:aws:s3:::trail-logs';
    const DENY_HTTP = {
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [LOG_BUCKET, `${LOG_BUCKET}/*`],
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        },
      ],
    };
    const BLOCKED = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
    const logBucket = (configuration: Record<string, unknown>, errors: CollectionError[] = [], account = TEST_ACCOUNT) =>
      makeSnapshot({
        collector: 's3',
        region: 'global',
        account,
        errors,
        resources: [
          {
            arn: accountPublicAccessBlockArn(account),
            type: S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
            configuration: { publicAccessBlock: null },
          },
          {
            arn: LOG_BUCKET,
            type: S3_BUCKET_TYPE,
            region: 'us-east-1',
            configuration: {
              name: 'trail-logs',
              policy: { document: DENY_HTTP },
              versioning: { status: 'Enabled', mfaDelete: false },
              publicAccessBlock: BLOCKED,
              ...configuration,
            },
          },
        ],
      });
    const otherAccountsS3 = makeSnapshot({ collector: 's3', region: 'global', resources: [] });

    it('passes a log bucket with public access blocked, versioning and a TLS-only policy', () => {
      const finding = single(run('ct.log_bucket_protected', [trails([trail({})]), logBucket({})]));
      expect(finding).toMatchObject({ resource: LOG_BUCKET, status: 'PASS', account: TEST_ACCOUNT });
    });
    it('fails naming every missing protection', () => {
      const finding = single(
        run('ct.log_bucket_protected', [
          trails([trail({})]),
          logBucket({ versioning: { status: 'Disabled', mfaDelete: false }, publicAccessBlock: null, policy: null }),
        ]),
      );
      expect(finding).toMatchObject({ resource: LOG_BUCKET, status: 'FAIL' });
      expect(finding.detail).toContain('versioning is Disabled');
      expect(finding.detail).toContain('public access not blocked');
      expect(finding.detail).toContain('no bucket policy');
    });
    it('is ERROR when the bucket policy could not be read', () => {
      const snapshot = logBucket({}, [denied('s3:GetBucketPolicy', LOG_BUCKET)]);
      delete (snapshot.resources[1]!.configuration as { policy?: unknown }).policy;
      const finding = single(run('ct.log_bucket_protected', [trails([trail({})]), snapshot]));
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('s3:GetBucketPolicy') });
    });
    it('is ERROR, saying so, when the bucket is in another account', () => {
      const finding = single(run('ct.log_bucket_protected', [trails([trail({})]), otherAccountsS3]));
      expect(finding).toMatchObject({
        resource: LOG_BUCKET,
        status: 'ERROR',
        detail: expect.stringContaining('is not in account 123456789012'),
      });
    });
    it("is NOT_APPLICABLE for another account's bucket listed in config externalTrailBuckets", () => {
      const context = makeCheckContext([trails([trail({})]), otherAccountsS3], {
        config: parseConfig({ externalTrailBuckets: ['trail-logs'] }),
      });
      const finding = single(CLOUDTRAIL_CHECKS.find((c) => c.id === 'ct.log_bucket_protected')!.run(context));
      expect(finding).toMatchObject({ status: 'NOT_APPLICABLE', detail: expect.stringContaining('externalTrailBuckets') });
    });
    it('judges a bucket found in another collected account', () => {
      const finding = single(
        run('ct.log_bucket_protected', [trails([trail({})]), otherAccountsS3, logBucket({}, [], '210987654321')]),
      );
      expect(finding).toMatchObject({ resource: LOG_BUCKET, status: 'PASS', account: TEST_ACCOUNT });
    });
    it('is ERROR when the buckets could not be listed', () => {
      const finding = single(
        run('ct.log_bucket_protected', [
          trails([trail({})]),
          makeSnapshot({ collector: 's3', region: 'global', errors: [denied('s3:ListBuckets')] }),
        ]),
      );
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('s3:ListBuckets failed') });
    });
  });

  describe('ct.ml_data_events', () => {
    const withData = (basic: BasicEventSelector[], advanced: AdvancedEventSelector[] = []) =>
      trail({ eventSelectors: { basic: [ALL_MANAGEMENT, ...basic], advanced } });
    const s3Objects = (values: string[], readWriteType: BasicEventSelector['readWriteType'] = 'All'): BasicEventSelector => ({
      readWriteType,
      includeManagementEvents: false,
      dataResources: [{ type: 'AWS::S3::Object', values }],
      excludeManagementEventSources: [],
    });

    it.each([
      ['a basic selector on every bucket', [s3Objects(['arn:aws:s3'])]],
      ['a basic selector on the bucket', [s3Objects(['arn:aws:s3:::training-data/'])]],
      [
        'read and write basic selectors',
        [s3Objects(['arn:aws:s3:::training-data/'], 'ReadOnly'), s3Objects(['arn:aws:s3'], 'WriteOnly')],
      ],
    ])('passes the ML bucket covered by %s', (_label, basic) => {
      const finding = single(run('ct.ml_data_events', [buckets, trails([withData(basic)])]));
      expect(finding).toMatchObject({ resource: BUCKET, status: 'PASS', detail: expect.stringContaining('main') });
    });

    it('passes an advanced selector starting with the bucket ARN', () => {
      const advanced: AdvancedEventSelector[] = [
        {
          fieldSelectors: [
            { field: 'eventCategory', equals: ['Data'] },
            { field: 'resources.type', equals: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: ['arn:aws:s3:::training-data/'] },
          ],
        },
      ];
      expect(single(run('ct.ml_data_events', [buckets, trails([withData([], advanced)])])).status).toBe('PASS');
    });

    it('passes through an organization trail homed in another account', () => {
      const orgArn = 'arn:aws:cloudtrail:us-east-1:999999999999:trail/org';
      const org = trail(
        { isOrganizationTrail: true, eventSelectors: { basic: [s3Objects(['arn:aws:s3'])], advanced: [] } },
        orgArn,
      );
      expect(single(run('ct.ml_data_events', [buckets, trails([org])])).detail).toContain('org (organization trail)');
    });

    it.each([
      ['no data selector', []],
      ['another bucket only', [s3Objects(['arn:aws:s3:::scratch/'])]],
      ['a partial prefix', [s3Objects(['arn:aws:s3:::training-data/images/'])]],
      ['reads only', [s3Objects(['arn:aws:s3'], 'ReadOnly')]],
    ])('fails with %s', (_label, basic) => {
      const finding = single(run('ct.ml_data_events', [buckets, trails([withData(basic)])]));
      expect(finding).toMatchObject({
        resource: BUCKET,
        status: 'FAIL',
        detail: expect.stringContaining('arn:aws:s3:::training-data/'),
      });
    });

    it('fails when the covering trail is not logging', () => {
      const stopped = trail({
        status: { isLogging: false },
        eventSelectors: { basic: [s3Objects(['arn:aws:s3'])], advanced: [] },
      });
      expect(single(run('ct.ml_data_events', [buckets, trails([stopped])])).status).toBe('FAIL');
    });

    it('is ERROR when the event selectors could not be read', () => {
      const unknown = trail({ eventSelectors: undefined });
      const finding = single(
        run('ct.ml_data_events', [buckets, trails([unknown], [denied('cloudtrail:GetEventSelectors', TRAIL)])]),
      );
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('cloudtrail:GetEventSelectors failed') });
    });

    it('is ERROR when no CloudTrail evidence exists for the account', () => {
      expect(single(run('ct.ml_data_events', [buckets])).status).toBe('ERROR');
    });

    it('is NOT_APPLICABLE without ML buckets', () => {
      const plain = makeSnapshot({ collector: 's3', region: 'global', resources: [] });
      expect(single(run('ct.ml_data_events', [plain, trails([trail({})])])).status).toBe('NOT_APPLICABLE');
    });
  });
  describe('an organization trail seen from a member account', () => {
    const MANAGEMENT = '111122223333';
    const MEMBER = '444455556666';
    const ORG_TRAIL = `arn:aws:cloudtrail:us-east-1:${MANAGEMENT}:trail/org`;
    const MEMBER_BUCKET = 'arn:aws:s3:::member-training-data';
    const allS3Objects: BasicEventSelector = {
      readWriteType: 'All',
      includeManagementEvents: false,
      dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3'] }],
      excludeManagementEventSources: [],
    };
    /** The management account's trail as the member's eu-west-1 DescribeTrails shows it: a shadow copy, homed in us-east-1. */
    const memberView = (configuration: Partial<CloudTrailTrailConfiguration> = {}, errors: CollectionError[] = []) =>
      makeSnapshot({
        collector: 'cloudtrail',
        account: MEMBER,
        region: 'eu-west-1',
        resources: [
          trail(
            {
              isOrganizationTrail: true,
              kmsKeyId: `arn:aws:kms:us-east-1:${MANAGEMENT}:key/org`,
              eventSelectors: { basic: [ALL_MANAGEMENT, allS3Objects], advanced: [] },
              ...configuration,
            },
            ORG_TRAIL,
            'eu-west-1',
          ),
        ],
        errors,
      });
    const memberBuckets = makeSnapshot({
      collector: 's3',
      account: MEMBER,
      region: 'global',
      resources: [
        { arn: MEMBER_BUCKET, type: S3_BUCKET_TYPE, region: 'eu-west-1', configuration: { name: 'member-training-data' } },
      ],
    });
    const runMember = (id: string, snapshots: Snapshot[]) =>
      CLOUDTRAIL_CHECKS.find((c) => c.id === id)!.run(
        makeCheckContext(snapshots, { mlScope: stubMlScope(['member-training-data']) }),
      );

    it('satisfies ct.multi_region_logging for the member account', () => {
      // Act
      const finding = single(runMember('ct.multi_region_logging', [memberView()]));
      // Assess
      expect(finding).toMatchObject({
        account: MEMBER,
        resource: `arn:aws:iam::${MEMBER}:root`,
        status: 'PASS',
        detail: expect.stringContaining(ORG_TRAIL),
      });
    });

    it.each([
      ['ct.log_file_validation', 'LogFileValidationEnabled true'],
      ['ct.kms_encrypted', `KmsKeyId arn:aws:kms:us-east-1:${MANAGEMENT}:key/org`],
    ])('satisfies %s in the member account', (id, detail) => {
      // Act
      const finding = single(runMember(id, [memberView()]));
      // Assess
      expect(finding).toMatchObject({ account: MEMBER, resource: ORG_TRAIL, status: 'PASS', detail });
    });

    it('records S3 data events on the member ML bucket for ct.ml_data_events', () => {
      // Act
      const finding = single(runMember('ct.ml_data_events', [memberBuckets, memberView()]));
      // Assess
      expect(finding).toMatchObject({
        account: MEMBER,
        resource: MEMBER_BUCKET,
        status: 'PASS',
        detail: expect.stringContaining('org (organization trail)'),
      });
    });

    it('is judged, not waved through: its own settings fail the member account', () => {
      // Prepare
      const weak = memberView({ logFileValidationEnabled: false, kmsKeyId: null, status: { isLogging: false } });
      // Act
      const findings = ['ct.multi_region_logging', 'ct.log_file_validation', 'ct.kms_encrypted', 'ct.ml_data_events'].map((id) =>
        single(runMember(id, [memberBuckets, weak])),
      );
      // Assess
      expect(findings.map((f) => [f.check, f.account, f.status])).toEqual([
        ['ct.multi_region_logging', MEMBER, 'FAIL'],
        ['ct.log_file_validation', MEMBER, 'FAIL'],
        ['ct.kms_encrypted', MEMBER, 'FAIL'],
        ['ct.ml_data_events', MEMBER, 'FAIL'],
      ]);
    });

    it('is ERROR, not FAIL, when the member account cannot read the trail status in its home region', () => {
      // Prepare
      const unread = memberView({ status: undefined }, [denied('cloudtrail:GetTrailStatus', ORG_TRAIL)]);
      // Act
      const findings = [
        single(runMember('ct.multi_region_logging', [unread])),
        single(runMember('ct.ml_data_events', [memberBuckets, unread])),
      ];
      // Assess
      expect(findings.map((f) => [f.account, f.status])).toEqual([
        [MEMBER, 'ERROR'],
        [MEMBER, 'ERROR'],
      ]);
    });

    it('counts for the management and the member account separately, each on its own evidence', () => {
      // Prepare
      const home = makeSnapshot({
        collector: 'cloudtrail',
        account: MANAGEMENT,
        region: 'us-east-1',
        resources: [trail({ isOrganizationTrail: true }, ORG_TRAIL)],
      });
      // Act
      const findings = runMember('ct.multi_region_logging', [home, memberView()]);
      // Assess
      expect(findings.map((f) => [f.account, f.status]).sort()).toEqual([
        [MANAGEMENT, 'PASS'],
        [MEMBER, 'PASS'],
      ]);
    });
  });
});
