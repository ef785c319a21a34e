import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { mockCustomerKeyWithoutRotation } from '../../helpers/kms-key-mock';
import 'aws-sdk-client-mock-jest';
import { CHANGE_LOG_PREFIX } from '../../../lambdas/events/change-log';
import { decodeEvidence } from '../../../lambdas/evidence/evidence-io';
import { handler, type SqsEventLike } from '../../../lambdas/handlers/change-events';
import { serveBucketFromMemory } from '../../helpers/memory-bucket';

// The SSM client is not a dependency (the Lambda runtime provides it): Parameters is replaced whole.
jest.mock('@aws-lambda-powertools/parameters/ssm', () => ({ getParameter: jest.fn() }));
const getParameterMock = getParameter as unknown as jest.Mock<Promise<unknown>>;

const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);

const ACCOUNT = '123456789012';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:soc2-ml-change-events`;
const DISABLE_KEY_ROTATION = readFileSync(join(__dirname, '../../fixtures/events/DisableKeyRotation.json'), 'utf8');
const ENV = {
  CONFIG_PARAMETER: '/soc2-ml/config',
  EVIDENCE_BUCKET: 'soc2-ml-evidence',
  EVIDENCE_KMS_KEY_ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/evidence`,
  CHANGE_DELAY_SECONDS: '0',
};

const lambdaContext = { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => 600_000 };
const sqsEvent = (...bodies: [messageId: string, body: string][]): SqsEventLike => ({
  Records: bodies.map(([messageId, body]) => ({ messageId, body })),
});

let bucket: Map<string, Uint8Array>;
const keysUnder = (prefix: string) => [...bucket.keys()].filter((key) => key.startsWith(prefix));

beforeEach(() => {
  Object.assign(process.env, ENV);
  getParameterMock.mockReset().mockResolvedValue({});
  s3.reset();
  bucket = serveBucketFromMemory(s3);
  kms.reset();
  mockCustomerKeyWithoutRotation(kms, ACCOUNT);
});

afterAll(() => {
  for (const name of Object.keys(ENV)) delete process.env[name];
});

describe('change-events handler', () => {
  it('reports only the malformed messages as batch item failures and re-collects a repeated event once', async () => {
    // Prepare
    const event = sqsEvent(
      ['m1', DISABLE_KEY_ROTATION],
      ['m2', '{"detail-type": "AWS API Call via CloudTrail", "detail": '],
      ['m3', JSON.stringify({ Records: [{ s3: { object: { key: 'evidence/v1/x' } } }] })],
      ['m4', DISABLE_KEY_ROTATION],
    );

    // Act
    const response = await handler(event, lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] });
    expect(getParameterMock).toHaveBeenCalledWith(ENV.CONFIG_PARAMETER, expect.objectContaining({ transform: 'json' }));
    expect(kms).toHaveReceivedCommandTimes(GetKeyRotationStatusCommand, 1);
    const evidenceKeys = keysUnder('evidence/v1/collector=kms/');
    expect(evidenceKeys).toHaveLength(1);
    const record = decodeEvidence(bucket.get(evidenceKeys[0]!)!);
    expect(record.trigger).toMatchObject({ type: 'event', eventName: 'DisableKeyRotation' });
    expect(record.resources[0]?.configuration).toMatchObject({ rotationEnabled: false });
    expect(keysUnder(CHANGE_LOG_PREFIX)).toHaveLength(1);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, {
      Bucket: ENV.EVIDENCE_BUCKET,
      SSEKMSKeyId: ENV.EVIDENCE_KMS_KEY_ARN,
      IfNoneMatch: '*',
    });
  });

  it('accepts an event SQS delivers again in a later batch without storing its change log twice', async () => {
    // Prepare
    await handler(sqsEvent(['m1', DISABLE_KEY_ROTATION]), lambdaContext);

    // Act
    const response = await handler(sqsEvent(['m1-again', DISABLE_KEY_ROTATION]), lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(keysUnder(CHANGE_LOG_PREFIX)).toHaveLength(1);
  });

  it('hands a message back to SQS when its evidence cannot be stored', async () => {
    // Prepare
    s3.on(PutObjectCommand).rejects(
      Object.assign(new Error('Please reduce your request rate.'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }),
    );

    // Act
    const response = await handler(sqsEvent(['m1', DISABLE_KEY_ROTATION]), lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(bucket.size).toBe(0);
  });

  it('ignores, without a failure, an event for an account it does not serve', async () => {
    // Prepare
    const foreign = JSON.parse(DISABLE_KEY_ROTATION);
    foreign.detail.recipientAccountId = '999999999999';

    // Act
    const response = await handler(sqsEvent(['m1', JSON.stringify(foreign)]), lambdaContext);

    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
    expect(kms).not.toHaveReceivedCommand(DescribeKeyCommand);
    expect(bucket.size).toBe(0);
  });
});
