import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type Trail,
  TrailNotFoundException,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { collectCloudTrail } from '../../../lambdas/collectors/cloudtrail';
import { CLOUDTRAIL_TRAIL_TYPE, type CloudTrailTrailConfiguration } from '../../../lambdas/evidence/resources/cloudtrail';
import { mockedCollectorContext } from '../../helpers/collector-context';
import { fakeHttpHandler } from '../../helpers/fake-http';
import { FAKE_CREDENTIALS } from '../../helpers/moto';

const cloudTrail = mockClient(CloudTrailClient);
const trailArn = (name: string, region = 'us-east-1', account = '123456789012') =>
  `arn:aws:cloudtrail:${region}:${account}:trail/${name}`;

function trail(name: string, overrides: Partial<Trail> = {}): Trail {
  return {
    Name: name,
    TrailARN: trailArn(name),
    HomeRegion: 'us-east-1',
    IsMultiRegionTrail: true,
    IsOrganizationTrail: false,
    IncludeGlobalServiceEvents: true,
    LogFileValidationEnabled: true,
    KmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1',
    S3BucketName: 'trail-logs',
    ...overrides,
  };
}

const configurationOf = (output: Awaited<ReturnType<typeof collectCloudTrail>>, arn: string) =>
  output.resources.find((r) => r.arn === arn)?.configuration as CloudTrailTrailConfiguration;

beforeEach(() => cloudTrail.reset());

describe('CloudTrail collector', () => {
  it('describes trails with status and basic selectors, including shadow and organization trails', async () => {
    // Prepare
    const orgArn = trailArn('org', 'eu-west-1', '999999999999');
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        trail('main'),
        trail('org', { TrailARN: orgArn, HomeRegion: 'eu-west-1', IsOrganizationTrail: true, KmsKeyId: undefined }),
      ],
    });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true, LatestDeliveryTime: new Date('2026-11-26T00:00:00Z') });
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      EventSelectors: [
        {
          ReadWriteType: 'All',
          IncludeManagementEvents: true,
          DataResources: [{ Type: 'AWS::S3::Object', Values: ['arn:aws:s3:::training-data/'] }],
        },
      ],
    });

    // Act
    const output = await collectCloudTrail(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { includeShadowTrails: true });
    expect(cloudTrail).toHaveReceivedCommandWith(GetTrailStatusCommand, { Name: orgArn });
    expect(output.resources.map((r) => r.type)).toEqual([CLOUDTRAIL_TRAIL_TYPE, CLOUDTRAIL_TRAIL_TYPE]);
    expect(configurationOf(output, trailArn('main'))).toEqual({
      name: 'main',
      homeRegion: 'us-east-1',
      isShadow: false,
      isMultiRegion: true,
      isOrganizationTrail: false,
      includeGlobalServiceEvents: true,
      logFileValidationEnabled: true,
      kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/k1',
      s3BucketName: 'trail-logs',
      status: { isLogging: true, latestDeliveryTime: '2026-11-26T00:00:00.000Z' },
      eventSelectors: {
        basic: [
          {
            readWriteType: 'All',
            includeManagementEvents: true,
            dataResources: [{ type: 'AWS::S3::Object', values: ['arn:aws:s3:::training-data/'] }],
            excludeManagementEventSources: [],
          },
        ],
        advanced: [],
      },
    });
    expect(configurationOf(output, orgArn)).toMatchObject({ isShadow: true, isOrganizationTrail: true, kmsKeyId: null });
  });

  it('records the CloudWatch Logs group and the last CloudWatch Logs delivery and its error', async () => {
    // Prepare: GetTrailStatus fields from the CloudTrail API reference
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [trail('main', { CloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:ct:*' })],
    });
    cloudTrail.on(GetTrailStatusCommand).resolves({
      IsLogging: true,
      LatestCloudWatchLogsDeliveryTime: new Date('2026-11-26T00:00:00Z'),
      LatestCloudWatchLogsDeliveryError: 'AccessDeniedException',
    });
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [] });

    // Act
    const output = await collectCloudTrail(mockedCollectorContext());

    // Assess
    expect(configurationOf(output, trailArn('main'))).toMatchObject({
      cloudWatchLogsLogGroupArn: 'arn:aws:logs:us-east-1:123456789012:log-group:ct:*',
      status: {
        isLogging: true,
        latestCloudWatchLogsDeliveryTime: '2026-11-26T00:00:00.000Z',
        latestCloudWatchLogsDeliveryError: 'AccessDeniedException',
      },
    });
  });

  it('normalises advanced event selectors', async () => {
    // Prepare
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('adv')] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudTrail.on(GetEventSelectorsCommand).resolves({
      AdvancedEventSelectors: [
        {
          Name: 'ml data',
          FieldSelectors: [
            { Field: 'eventCategory', Equals: ['Data'] },
            { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            { Field: 'resources.ARN', StartsWith: ['arn:aws:s3:::training-data/'] },
          ],
        },
      ],
    });

    // Act
    const output = await collectCloudTrail(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(configurationOf(output, trailArn('adv'))).toMatchObject({
      status: { isLogging: false },
      eventSelectors: {
        basic: [],
        advanced: [
          {
            name: 'ml data',
            fieldSelectors: [
              { field: 'eventCategory', equals: ['Data'] },
              { field: 'resources.type', equals: ['AWS::S3::Object'] },
              { field: 'resources.ARN', startsWith: ['arn:aws:s3:::training-data/'] },
            ],
          },
        ],
      },
    });
  });

  it('records AccessDenied on one trail and still describes the others', async () => {
    // Prepare
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('a'), trail('b')] });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [] });
    cloudTrail
      .on(GetTrailStatusCommand, { Name: trailArn('a') })
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const output = await collectCloudTrail(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([
      { api: 'cloudtrail:GetTrailStatus', resource: trailArn('a'), code: 'AccessDeniedException', message: 'denied' },
    ]);
    expect(configurationOf(output, trailArn('a')).status).toBeUndefined();
    expect(configurationOf(output, trailArn('b')).status).toEqual({ isLogging: true });
  });

  it('describes a region without trails without errors', async () => {
    // Prepare
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    // Act
    const output = await collectCloudTrail(mockedCollectorContext());

    // Assess
    expect(output).toEqual({ resources: [], errors: [], notes: [], deleted: [] });
  });

  it('records a failed DescribeTrails as a listing error', async () => {
    // Prepare
    cloudTrail.on(DescribeTrailsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const output = await collectCloudTrail(mockedCollectorContext());

    // Assess
    expect(output.resources).toEqual([]);
    expect(output.errors).toEqual([{ api: 'cloudtrail:DescribeTrails', code: 'AccessDeniedException', message: 'denied' }]);
  });

  it('re-describes one trail by ARN and reports it deleted when it is gone', async () => {
    // Prepare
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [trail('main')] });
    cloudTrail.on(GetTrailStatusCommand).rejects(new TrailNotFoundException({ message: 'gone', $metadata: {} }));
    cloudTrail.on(GetEventSelectorsCommand).resolves({ EventSelectors: [] });

    // Act
    const output = await collectCloudTrail(mockedCollectorContext({ scope: { type: 'resource', resource: trailArn('main') } }));

    // Assess
    expect(cloudTrail).toHaveReceivedCommandWith(DescribeTrailsCommand, { trailNameList: [trailArn('main')] });
    expect(output.errors).toEqual([]);
    expect(output.resources).toEqual([]);
    expect(output.deleted).toEqual([trailArn('main')]);
  });
});

describe('collectCloudTrail through the real SDK retry strategy', () => {
  beforeEach(() => cloudTrail.restore());
  afterAll(() => {
    mockClient(CloudTrailClient);
  });

  it('backs off on ThrottlingException and succeeds on a later attempt', async () => {
    // Prepare
    let attempts = 0;
    const json = { 'content-type': 'application/x-amz-json-1.1' };
    const fake = fakeHttpHandler(() => {
      attempts += 1;
      if (attempts === 1) {
        return {
          status: 400,
          headers: { ...json, 'x-amzn-errortype': 'ThrottlingException' },
          body: '{"__type":"ThrottlingException","message":"Rate exceeded"}',
        };
      }
      return { status: 200, headers: json, body: '{"trailList":[]}' };
    });
    const clients = new AwsClientFactory({
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 3,
      requestHandler: fake.handler,
    });

    // Act
    const output = await collectCloudTrail(mockedCollectorContext({ clients }));

    // Assess
    expect(attempts).toBe(2);
    expect(output.errors).toEqual([]);
    expect(clients.calls.operations()).toEqual({ 'CloudTrailClient.DescribeTrailsCommand': 1 });
  }, 20_000);
});
