import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLoggingCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListBucketsCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { collectS3 } from '../../../lambdas/collectors/s3';
import type { CollectorContext } from '../../../lambdas/collectors/types';
import type { S3BucketConfiguration } from '../../../lambdas/evidence/resources/s3';
import { DEFAULT_TEST_SETTINGS } from '../../helpers/collector-context';
import { fakeHttpHandler } from '../../helpers/fake-http';
import { FAKE_CREDENTIALS } from '../../helpers/moto';

const ACCOUNT = '111122223333';
const s3 = mockClient(S3Client);
const s3control = mockClient(S3ControlClient);

function awsError(name: string, status = 400): S3ServiceException {
  return new S3ServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} message`,
  });
}

function context(overrides: Partial<CollectorContext> = {}): CollectorContext {
  return {
    account: ACCOUNT,
    region: 'us-east-1',
    scope: { type: 'all' },
    clients: new AwsClientFactory({ region: 'us-east-1', credentials: FAKE_CREDENTIALS, maxAttempts: 1 }),
    clock: () => new Date('2026-11-26T06:00:00Z'),
    settings: DEFAULT_TEST_SETTINGS,
    ...overrides,
  };
}

/** Every per-bucket call answers "not configured" or empty unless a test says otherwise. */
function allNotConfigured(): void {
  s3.on(GetBucketEncryptionCommand).rejects(awsError('ServerSideEncryptionConfigurationNotFoundError', 404));
  s3.on(GetBucketPolicyCommand).rejects(awsError('NoSuchBucketPolicy', 404));
  s3.on(GetBucketVersioningCommand).resolves({});
  s3.on(GetPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 404));
  s3.on(GetBucketLoggingCommand).resolves({});
  s3.on(GetBucketLifecycleConfigurationCommand).rejects(awsError('NoSuchLifecycleConfiguration', 404));
  s3.on(GetBucketReplicationCommand).rejects(awsError('ReplicationConfigurationNotFoundError', 404));
  s3.on(GetObjectLockConfigurationCommand).rejects(awsError('ObjectLockConfigurationNotFoundError', 404));
  s3.on(GetBucketTaggingCommand).rejects(awsError('NoSuchTagSet', 404));
  s3control.on(GetAccountPublicAccessBlockCommand).rejects(awsError('NoSuchPublicAccessBlockConfiguration', 404));
}

beforeEach(() => {
  s3.reset();
  s3control.reset();
  allNotConfigured();
});

const buckets = (output: Awaited<ReturnType<typeof collectS3>>) =>
  output.resources.filter((r) => r.type === 'AWS::S3::Bucket').map((r) => r.configuration as S3BucketConfiguration);

describe('collectS3', () => {
  it('follows ListBuckets pagination', async () => {
    // Prepare
    s3.on(ListBucketsCommand)
      .resolvesOnce({ Buckets: [{ Name: 'a', BucketRegion: 'us-east-1' }], ContinuationToken: 'next' })
      .resolvesOnce({ Buckets: [{ Name: 'b', BucketRegion: 'eu-west-1' }] });

    // Act
    const output = await collectS3(context());

    // Assess
    expect(buckets(output).map((b) => b.name)).toEqual(['a', 'b']);
    expect(s3).toHaveReceivedCommandTimes(ListBucketsCommand, 2);
    expect(s3).toHaveReceivedNthSpecificCommandWith(2, ListBucketsCommand, { ContinuationToken: 'next', MaxBuckets: 1000 });
    expect(output.resources.find((r) => r.configuration.name === 'b')?.region).toBe('eu-west-1');
  });

  it('treats every documented "not configured" answer as a fact, not an error', async () => {
    // Prepare
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'plain', BucketRegion: 'us-east-1' }] });

    // Act
    const output = await collectS3(context());

    // Assess
    expect(output.errors).toEqual([]);
    expect(buckets(output)[0]).toEqual({
      name: 'plain',
      encryption: null,
      policy: null,
      versioning: { status: 'Disabled', mfaDelete: false },
      publicAccessBlock: null,
      logging: { enabled: false },
      lifecycle: null,
      replication: null,
      objectLock: null,
    });
    const account = output.resources.find((r) => r.type === 'AWS::S3::AccountPublicAccessBlock');
    expect(account?.configuration).toEqual({ publicAccessBlock: null });
  });

  it('records AccessDenied on one bucket and still describes the others', async () => {
    // Prepare
    s3.on(ListBucketsCommand).resolves({
      Buckets: [
        { Name: 'open', BucketRegion: 'us-east-1' },
        { Name: 'locked-down', BucketRegion: 'us-east-1' },
      ],
    });
    s3.on(GetBucketPolicyCommand, { Bucket: 'locked-down' }).rejects(awsError('AccessDenied', 403));
    s3.on(GetBucketPolicyCommand, { Bucket: 'open' }).resolves({ Policy: '{"Version":"2012-10-17","Statement":[]}' });

    // Act
    const output = await collectS3(context());

    // Assess
    expect(output.errors).toEqual([
      { api: 's3:GetBucketPolicy', resource: 'arn:aws:s3:::locked-down', code: 'AccessDenied', message: 'AccessDenied message' },
    ]);
    const [open, lockedDown] = buckets(output);
    expect(open?.policy).toEqual({ document: { Version: '2012-10-17', Statement: [] } });
    // Absent (not null): the check must say ERROR, not "no policy".
    expect(lockedDown).not.toHaveProperty('policy');
    expect(lockedDown?.encryption).toBeNull();
  });

  it('records which lifecycle actions each rule takes, noncurrent transitions included', async () => {
    // Prepare: rule shapes from the GetBucketLifecycleConfiguration API reference (LifecycleRule)
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'models', BucketRegion: 'us-east-1' }] });
    s3.on(GetBucketLifecycleConfigurationCommand).resolves({
      Rules: [
        { ID: 'markers', Status: 'Enabled', Expiration: { ExpiredObjectDeleteMarker: true } },
        {
          ID: 'old-versions',
          Status: 'Enabled',
          Filter: { Prefix: '' },
          NoncurrentVersionTransitions: [{ NoncurrentDays: 30, StorageClass: 'GLACIER' }],
        },
      ],
    });

    // Act
    const output = await collectS3(context());

    // Assess: delete-marker cleanup alone expires no data
    expect(buckets(output)[0]?.lifecycle?.rules).toEqual([
      {
        id: 'markers',
        enabled: true,
        expiration: false,
        transition: false,
        noncurrentVersionExpiration: false,
        noncurrentVersionTransition: false,
      },
      {
        id: 'old-versions',
        enabled: true,
        expiration: false,
        transition: false,
        noncurrentVersionExpiration: false,
        noncurrentVersionTransition: true,
      },
    ]);
  });

  it('describes the buckets of the pages read when ListBuckets fails on a later page', async () => {
    // Prepare
    allNotConfigured();
    s3.on(ListBucketsCommand)
      .resolvesOnce({ Buckets: [{ Name: 'first', BucketRegion: 'us-east-1' }], ContinuationToken: 'p2' })
      .rejectsOnce(awsError('InternalError', 500));

    // Act
    const output = await collectS3(context());

    // Assess
    expect(buckets(output).map((b) => b.name)).toEqual(['first']);
    expect(output.errors).toEqual([{ api: 's3:ListBuckets', code: 'InternalError', message: 'InternalError message' }]);
  });

  it('returns only the account-level block for an empty account', async () => {
    // Prepare
    s3.on(ListBucketsCommand).resolves({ Buckets: [] });

    // Act
    const output = await collectS3(context());

    // Assess
    expect(output.resources.map((r) => r.type)).toEqual(['AWS::S3::AccountPublicAccessBlock']);
    expect(output.errors).toEqual([]);
  });

  it('skips a bucket deleted between list and describe with a note', async () => {
    // Prepare
    s3.on(ListBucketsCommand).resolves({
      Buckets: [
        { Name: 'kept', BucketRegion: 'us-east-1' },
        { Name: 'gone', BucketRegion: 'us-east-1' },
      ],
    });
    s3.on(GetBucketEncryptionCommand, { Bucket: 'gone' }).rejects(awsError('NoSuchBucket', 404));
    s3.on(GetBucketPolicyCommand, { Bucket: 'gone' }).rejects(awsError('NoSuchBucket', 404));

    // Act
    const output = await collectS3(context());

    // Assess
    expect(buckets(output).map((b) => b.name)).toEqual(['kept']);
    expect(output.errors).toEqual([]);
    expect(output.notes).toEqual([{ resource: 'arn:aws:s3:::gone', message: expect.stringContaining('deleted') }]);
    expect(output.deleted).toEqual(['arn:aws:s3:::gone']);
  });

  it('records a failed ListBuckets as an error instead of an empty account', async () => {
    // Prepare
    s3.on(ListBucketsCommand).rejects(awsError('AccessDenied', 403));

    // Act
    const output = await collectS3(context());

    // Assess
    expect(output.errors).toEqual([expect.objectContaining({ api: 's3:ListBuckets', code: 'AccessDenied' })]);
    expect(output.errors[0]).not.toHaveProperty('resource');
  });

  it('describes only the named bucket for a single-resource scope', async () => {
    // Prepare
    s3.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
    s3.on(ListBucketsCommand).rejects(new Error('must not list'));
    const { GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'eu-central-1' });

    // Act
    const output = await collectS3(context({ scope: { type: 'resource', resource: 'arn:aws:s3:::training-data' } }));

    // Assess
    expect(s3).not.toHaveReceivedCommand(ListBucketsCommand);
    expect(s3control).not.toHaveReceivedCommand(GetAccountPublicAccessBlockCommand);
    expect(output.resources).toHaveLength(1);
    expect(output.resources[0]).toMatchObject({ arn: 'arn:aws:s3:::training-data', region: 'eu-central-1' });
    expect(buckets(output)[0]?.versioning?.status).toBe('Enabled');
  });

  it('keeps a bucket whose region could not be found by name, in the collector region, with the error', async () => {
    // Prepare
    const { GetBucketLocationCommand } = await import('@aws-sdk/client-s3');
    s3.on(GetBucketLocationCommand).rejects(awsError('AccessDenied', 403));

    // Act
    const output = await collectS3(
      context({ region: 'eu-west-2', scope: { type: 'resource', resource: 'arn:aws:s3:::hidden' } }),
    );

    // Assess
    expect(output.resources).toEqual([
      { arn: 'arn:aws:s3:::hidden', type: 'AWS::S3::Bucket', region: 'eu-west-2', configuration: { name: 'hidden' }, tags: {} },
    ]);
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 's3:GetBucketLocation', resource: 'arn:aws:s3:::hidden', code: 'AccessDenied' }),
    ]);
  });

  it('records buckets the deadline left undescribed as errors and keeps them by name', async () => {
    // Prepare
    s3.on(ListBucketsCommand).resolves({ Buckets: [{ Name: 'late', BucketRegion: 'eu-west-1' }] });

    // Act
    const output = await collectS3(context({ deadline: Date.now() - 1 }));

    // Assess
    expect(output.resources.filter((r) => r.type === 'AWS::S3::Bucket')).toEqual([
      { arn: 'arn:aws:s3:::late', type: 'AWS::S3::Bucket', region: 'eu-west-1', configuration: { name: 'late' }, tags: {} },
    ]);
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 'deadline', resource: 'arn:aws:s3:::late', code: 'DeadlineExceeded' }),
    ]);
  });
});

describe('collectS3 through the real SDK retry strategy', () => {
  beforeEach(() => {
    s3.restore();
    s3control.restore();
  });
  afterAll(() => {
    mockClient(S3Client);
  });

  it('backs off on SlowDown and succeeds on a later attempt', async () => {
    // Prepare
    let listCalls = 0;
    const fake = fakeHttpHandler((request) => {
      if (request.hostname.includes('s3-control') || request.path.includes('/configuration/publicAccessBlock')) {
        return {
          status: 404,
          body: '<Error><Code>NoSuchPublicAccessBlockConfiguration</Code><Message>none</Message></Error>',
        };
      }
      listCalls += 1;
      if (listCalls < 3)
        return { status: 503, body: '<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>' };
      return {
        status: 200,
        body: '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets><Owner><ID>x</ID></Owner></ListAllMyBucketsResult>',
      };
    });
    const clients = new AwsClientFactory({
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 4,
      requestHandler: fake.handler,
    });

    // Act
    const output = await collectS3(context({ clients }));

    // Assess
    expect(listCalls).toBe(3);
    expect(output.errors).toEqual([]);
    expect(clients.calls.operations()).toEqual({
      'S3Client.ListBucketsCommand': 1,
      'S3ControlClient.GetPublicAccessBlockCommand': 1,
    });
  }, 20_000);

  it('records throttling that outlasts the retries as an error', async () => {
    // Prepare
    const fake = fakeHttpHandler(() => ({
      status: 503,
      body: '<Error><Code>SlowDown</Code><Message>slow down</Message></Error>',
    }));
    const clients = new AwsClientFactory({
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 2,
      requestHandler: fake.handler,
    });

    // Act
    const output = await collectS3(context({ clients }));

    // Assess
    expect(output.errors.map((e) => [e.api, e.code])).toEqual([
      ['s3:ListBuckets', 'SlowDown'],
      ['s3control:GetPublicAccessBlock', 'SlowDown'],
    ]);
  }, 20_000);
});
