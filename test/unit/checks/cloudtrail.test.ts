import { CLOUDTRAIL_CHECKS } from '../../../lambdas/checks/cloudtrail';
import type { Finding, Snapshot } from '../../../lambdas/checks/types';
import type { CollectionError } from '../../../lambdas/evidence/record';
import {
  type AdvancedEventSelector,
  type BasicEventSelector,
  CLOUDTRAIL_TRAIL_TYPE,
  type CloudTrailTrailConfiguration,
} from '../../../lambdas/evidence/resources/cloudtrail';
import { S3_BUCKET_TYPE } from '../../../lambdas/evidence/resources/s3';
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
  ])('%s', (id, failing, failDetail) => {
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
});
