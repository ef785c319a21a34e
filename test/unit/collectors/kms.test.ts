import {
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  GetKeyRotationStatusCommand,
  type KeyMetadata,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  NotFoundException,
  UnsupportedOperationException,
} from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { collectKms } from '../../../lambdas/collectors/kms';
import { KMS_KEY_TYPE, type KmsKeyConfiguration } from '../../../lambdas/evidence/resources/kms';
import { mockedCollectorContext } from '../../helpers/collector-context';
import { fakeHttpHandler } from '../../helpers/fake-http';
import { FAKE_CREDENTIALS } from '../../helpers/moto';

const kms = mockClient(KMSClient);
const keyArn = (id: string) => `arn:aws:kms:us-east-1:123456789012:key/${id}`;
const POLICY = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' } }] };

function key(id: string, overrides: Partial<KeyMetadata> = {}): KeyMetadata {
  return {
    KeyId: id,
    Arn: keyArn(id),
    KeyManager: 'CUSTOMER',
    KeyState: 'Enabled',
    KeySpec: 'SYMMETRIC_DEFAULT',
    KeyUsage: 'ENCRYPT_DECRYPT',
    Origin: 'AWS_KMS',
    MultiRegion: false,
    ...overrides,
  };
}

function region(keys: KeyMetadata[]) {
  kms.on(ListKeysCommand).resolves({ Keys: keys.map((k) => ({ KeyId: k.KeyId, KeyArn: k.Arn })) });
  for (const k of keys) kms.on(DescribeKeyCommand, { KeyId: k.Arn }).resolves({ KeyMetadata: k });
  kms.on(ListAliasesCommand).resolves({ Aliases: [] });
  kms.on(GetKeyRotationStatusCommand).resolves({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(POLICY), PolicyName: 'default' });
  kms.on(ListResourceTagsCommand).resolves({ Tags: [] });
}

const configurationOf = (output: Awaited<ReturnType<typeof collectKms>>, id: string) =>
  output.resources.find((r) => r.arn === keyArn(id))?.configuration as KmsKeyConfiguration;

beforeEach(() => kms.reset());

describe('KMS collector', () => {
  it('describes a customer managed key with rotation, policy, aliases and tags', async () => {
    // Prepare
    region([key('k1')]);
    kms
      .on(ListAliasesCommand)
      .resolves({ Aliases: [{ AliasName: 'alias/ml', TargetKeyId: 'k1' }, { AliasName: 'alias/unused' }] });
    kms.on(ListResourceTagsCommand).resolves({ Tags: [{ TagKey: 'team', TagValue: 'ml' }] });

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    // ListResourceTags is capped at 50 by KMS although its model allows 1000.
    expect(kms).toHaveReceivedCommandWith(ListResourceTagsCommand, { KeyId: 'k1', Limit: 50 });
    expect(output.resources).toEqual([
      {
        arn: keyArn('k1'),
        type: KMS_KEY_TYPE,
        region: 'us-east-1',
        configuration: expect.objectContaining({
          keyId: 'k1',
          keyManager: 'CUSTOMER',
          aliases: ['alias/ml'],
          rotationApplicable: true,
          rotationEnabled: true,
          rotationPeriodInDays: 365,
          keyPolicy: POLICY,
        }),
        tags: { team: 'ml' },
      },
    ]);
  });

  it('follows ListKeys and ListAliases pagination', async () => {
    // Prepare
    region([key('k1'), key('k2')]);
    kms
      .on(ListKeysCommand)
      .resolvesOnce({ Keys: [{ KeyId: 'k1', KeyArn: keyArn('k1') }], Truncated: true, NextMarker: 'm2' })
      .resolves({ Keys: [{ KeyId: 'k2', KeyArn: keyArn('k2') }], Truncated: false });
    kms
      .on(ListAliasesCommand)
      .resolvesOnce({ Aliases: [{ AliasName: 'alias/one', TargetKeyId: 'k1' }], Truncated: true, NextMarker: 'a2' })
      .resolves({ Aliases: [{ AliasName: 'alias/two', TargetKeyId: 'k2' }] });

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(kms).toHaveReceivedNthSpecificCommandWith(1, ListKeysCommand, { Limit: 1000 });
    expect(kms).toHaveReceivedNthSpecificCommandWith(2, ListKeysCommand, { Marker: 'm2', Limit: 1000 });
    expect(kms).toHaveReceivedCommandTimes(ListAliasesCommand, 2);
    expect(kms).toHaveReceivedNthSpecificCommandWith(2, ListAliasesCommand, { Marker: 'a2', Limit: 1000 });
    expect(configurationOf(output, 'k1').aliases).toEqual(['alias/one']);
    expect(configurationOf(output, 'k2').aliases).toEqual(['alias/two']);
  });

  it('does not ask AWS managed keys for rotation or policy, and says why', async () => {
    // Prepare
    region([key('aws1', { KeyManager: 'AWS' })]);

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(configurationOf(output, 'aws1')).toMatchObject({
      rotationApplicable: false,
      rotationNotApplicableReason: expect.stringContaining('AWS managed'),
      skipped: [expect.stringContaining('GetKeyRotationStatus')],
    });
    expect(kms).not.toHaveReceivedCommand(GetKeyRotationStatusCommand);
    expect(kms).not.toHaveReceivedCommand(GetKeyPolicyCommand);
  });

  it('treats UnsupportedOperationException on an asymmetric key as a fact, not an error', async () => {
    // Prepare
    region([key('ecc', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }), key('ext', { Origin: 'EXTERNAL' })]);
    kms
      .on(GetKeyRotationStatusCommand)
      .rejects(new UnsupportedOperationException({ message: 'not supported for asymmetric keys', $metadata: {} }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(configurationOf(output, 'ecc')).toMatchObject({
      rotationApplicable: false,
      rotationNotApplicableReason: 'KeySpec ECC_NIST_P256 is not SYMMETRIC_DEFAULT',
      keyPolicy: POLICY,
    });
    expect(configurationOf(output, 'ecc').rotationEnabled).toBeUndefined();
    expect(configurationOf(output, 'ext').rotationNotApplicableReason).toContain('EXTERNAL');
  });

  it('notes, without an error, a key pending deletion whose rotation status KMS refuses', async () => {
    // Prepare
    region([key('doomed', { KeyState: 'PendingDeletion' })]);
    kms
      .on(GetKeyRotationStatusCommand)
      .rejects(Object.assign(new Error('pending deletion'), { name: 'KMSInvalidStateException' }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(output.notes).toEqual([
      { resource: keyArn('doomed'), message: 'rotation status not available in key state PendingDeletion' },
    ]);
    expect(configurationOf(output, 'doomed')).toMatchObject({ keyState: 'PendingDeletion', rotationApplicable: true });
  });

  it('records KMSInvalidStateException on an Enabled key as an error', async () => {
    // Prepare
    region([key('k1')]);
    kms.on(GetKeyRotationStatusCommand).rejects(Object.assign(new Error('odd'), { name: 'KMSInvalidStateException' }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 'kms:GetKeyRotationStatus', code: 'KMSInvalidStateException' }),
    ]);
  });

  it('records AccessDenied on one key and still describes the others', async () => {
    // Prepare
    region([key('k1'), key('k2')]);
    kms
      .on(GetKeyPolicyCommand, { KeyId: 'k1' })
      .rejects(Object.assign(new Error('no kms:GetKeyPolicy'), { name: 'AccessDeniedException' }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([
      { api: 'kms:GetKeyPolicy', resource: keyArn('k1'), code: 'AccessDeniedException', message: 'no kms:GetKeyPolicy' },
    ]);
    expect(configurationOf(output, 'k1').keyPolicy).toBeUndefined();
    expect(configurationOf(output, 'k1').rotationEnabled).toBe(true);
    expect(configurationOf(output, 'k2').keyPolicy).toEqual(POLICY);
  });

  it('describes the keys of the pages read when ListKeys fails on a later page', async () => {
    // Prepare
    region([key('k1')]);
    kms
      .on(ListKeysCommand)
      .resolvesOnce({ Keys: [{ KeyId: 'k1', KeyArn: keyArn('k1') }], Truncated: true, NextMarker: 'm2' })
      .rejectsOnce(Object.assign(new Error('We encountered an internal error'), { name: 'KMSInternalException' }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.resources.map((r) => r.arn)).toEqual([keyArn('k1')]);
    expect(output.errors).toEqual([
      { api: 'kms:ListKeys', code: 'KMSInternalException', message: 'We encountered an internal error' },
    ]);
  });

  it('records a failed ListKeys as a listing error and describes nothing', async () => {
    // Prepare
    region([]);
    kms.on(ListKeysCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.resources).toEqual([]);
    expect(output.errors).toEqual([expect.objectContaining({ api: 'kms:ListKeys', code: 'AccessDeniedException' })]);
    expect(output.errors[0]?.resource).toBeUndefined();
  });

  it('keeps a key DescribeKey refused by its id, with the error, so checks see it', async () => {
    // Prepare
    region([key('k1')]);
    kms.on(DescribeKeyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output.resources).toEqual([
      { arn: keyArn('k1'), type: KMS_KEY_TYPE, region: 'us-east-1', configuration: { keyId: 'k1' }, tags: {} },
    ]);
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 'kms:DescribeKey', resource: keyArn('k1'), code: 'AccessDeniedException' }),
    ]);
  });

  it('keeps a key the deadline left undescribed by its id, with a deadline error', async () => {
    // Prepare
    region([]);

    // Act
    const output = await collectKms(
      mockedCollectorContext({ deadline: Date.now() - 1, scope: { type: 'resource', resource: 'late' } }),
    );

    // Assess
    expect(kms).not.toHaveReceivedCommand(DescribeKeyCommand);
    expect(output.resources).toEqual([
      { arn: keyArn('late'), type: KMS_KEY_TYPE, region: 'us-east-1', configuration: { keyId: 'late' }, tags: {} },
    ]);
    expect(output.errors).toEqual([expect.objectContaining({ api: 'deadline', resource: keyArn('late') })]);
  });

  it('describes an empty region without errors', async () => {
    // Prepare
    region([]);

    // Act
    const output = await collectKms(mockedCollectorContext());

    // Assess
    expect(output).toEqual({ resources: [], errors: [], notes: [], deleted: [] });
  });

  it('re-describes one key and reports it deleted when DescribeKey answers NotFoundException', async () => {
    // Prepare
    region([]);
    kms.on(DescribeKeyCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    // Act
    const output = await collectKms(mockedCollectorContext({ scope: { type: 'resource', resource: keyArn('old') } }));

    // Assess
    expect(kms).not.toHaveReceivedCommand(ListKeysCommand);
    expect(output.errors).toEqual([]);
    expect(output.deleted).toEqual([keyArn('old')]);
  });
});

describe('collectKms through the real SDK retry strategy', () => {
  beforeEach(() => kms.restore());
  afterAll(() => {
    mockClient(KMSClient);
  });

  it('backs off on ThrottlingException and succeeds on a later attempt', async () => {
    // Prepare
    let listKeysCalls = 0;
    const json = { 'content-type': 'application/x-amz-json-1.1' };
    const fake = fakeHttpHandler((request) => {
      const operation = String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .pop();
      if (operation === 'ListKeys' && ++listKeysCalls === 1) {
        return {
          status: 400,
          headers: { ...json, 'x-amzn-errortype': 'ThrottlingException' },
          body: '{"__type":"ThrottlingException","message":"Rate exceeded"}',
        };
      }
      return { status: 200, headers: json, body: operation === 'ListKeys' ? '{"Keys":[]}' : '{"Aliases":[]}' };
    });
    const clients = new AwsClientFactory({
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 3,
      requestHandler: fake.handler,
    });

    // Act
    const output = await collectKms(mockedCollectorContext({ clients }));

    // Assess
    expect(listKeysCalls).toBe(2);
    expect(output.errors).toEqual([]);
    expect(clients.calls.operations()).toEqual({ 'KMSClient.ListAliasesCommand': 1, 'KMSClient.ListKeysCommand': 1 });
  }, 20_000);
});
