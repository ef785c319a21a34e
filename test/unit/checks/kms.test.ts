import { KMS_CHECKS } from '../../../lambdas/checks/kms';
import type { Finding } from '../../../lambdas/checks/types';
import type { CollectionError } from '../../../lambdas/evidence/record';
import { KMS_KEY_TYPE, type KmsKeyConfiguration } from '../../../lambdas/evidence/resources/kms';
import { makeCheckContext, makeSnapshot, type ResourceFixture, stubMlScope, TEST_ACCOUNT } from '../../helpers/snapshots';

const KEY = `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/k1`;
const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;
const OWN_ACCOUNT_POLICY = {
  Statement: [
    { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${TEST_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
  ],
};

const key = (configuration: Partial<KmsKeyConfiguration>): ResourceFixture => ({
  arn: KEY,
  type: KMS_KEY_TYPE,
  configuration: {
    keyId: 'k1',
    keyManager: 'CUSTOMER',
    keyState: 'Enabled',
    keySpec: 'SYMMETRIC_DEFAULT',
    keyUsage: 'ENCRYPT_DECRYPT',
    origin: 'AWS_KMS',
    multiRegion: false,
    aliases: ['alias/ml'],
    rotationApplicable: true,
    rotationEnabled: true,
    rotationPeriodInDays: 365,
    keyPolicy: OWN_ACCOUNT_POLICY,
    ...configuration,
  },
});

const run = (id: string, resources: ResourceFixture[], errors: CollectionError[] = [], keysInUse: string[] = []): Finding => {
  const check = KMS_CHECKS.find((c) => c.id === id)!;
  const findings = check.run(
    makeCheckContext([makeSnapshot({ collector: 'kms', resources, errors })], { mlScope: stubMlScope([], keysInUse) }),
  );
  expect(findings).toHaveLength(1);
  return findings[0]!;
};

const denied = (api: string): CollectionError => ({ api, resource: KEY, code: 'AccessDeniedException', message: 'denied' });

describe('KMS checks', () => {
  it('exports the four KMS checks of the checklist', () => {
    expect(KMS_CHECKS.map((c) => c.id)).toEqual([
      'kms.rotation_enabled',
      'kms.rotation_period',
      'kms.policy_no_public',
      'kms.in_use_not_disabled',
    ]);
  });

  describe('kms.rotation_enabled', () => {
    it('passes a key with rotation on', () => {
      expect(run('kms.rotation_enabled', [key({})])).toMatchObject({ resource: KEY, status: 'PASS' });
    });
    it('fails a key with rotation off', () => {
      expect(run('kms.rotation_enabled', [key({ rotationEnabled: false })])).toMatchObject({
        status: 'FAIL',
        detail: 'KeyRotationEnabled false',
      });
    });
    it('is ERROR when the rotation status could not be read', () => {
      const finding = run('kms.rotation_enabled', [key({ rotationEnabled: undefined })], [denied('kms:GetKeyRotationStatus')]);
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('kms:GetKeyRotationStatus failed') });
    });
    it.each([
      ['asymmetric', { rotationApplicable: false, keySpec: 'ECC_NIST_P256' }],
      ['AWS managed', { keyManager: 'AWS', rotationApplicable: false }],
      ['disabled', { keyState: 'Disabled' }],
    ])('leaves %s keys out of scope', (_label, overrides) => {
      expect(run('kms.rotation_enabled', [key(overrides)]).status).toBe('NOT_APPLICABLE');
    });
  });

  describe('kms.rotation_period', () => {
    it('passes a period within the configured maximum', () => {
      expect(run('kms.rotation_period', [key({ rotationPeriodInDays: 180 })])).toMatchObject({
        status: 'PASS',
        detail: 'RotationPeriodInDays 180 <= 365',
      });
    });
    it('takes an unreported period as the KMS default of 365 days', () => {
      expect(run('kms.rotation_period', [key({ rotationPeriodInDays: null })]).detail).toContain('not returned, KMS default 365');
    });
    it('fails a period above the configured maximum', () => {
      expect(run('kms.rotation_period', [key({ rotationPeriodInDays: 730 })])).toMatchObject({
        status: 'FAIL',
        detail: 'RotationPeriodInDays 730 > 365',
      });
    });
    it('fails a key that never rotates', () => {
      expect(run('kms.rotation_period', [key({ rotationEnabled: false })]).status).toBe('FAIL');
    });
    it('is ERROR when the rotation status could not be read', () => {
      expect(run('kms.rotation_period', [key({ rotationEnabled: undefined })], [denied('kms:GetKeyRotationStatus')]).status).toBe(
        'ERROR',
      );
    });
  });

  describe('kms.policy_no_public', () => {
    const publicStatement = (condition?: Record<string, unknown>) => ({
      Statement: [
        {
          Sid: 'open',
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'kms:Decrypt',
          Resource: '*',
          ...(condition ? { Condition: condition } : {}),
        },
      ],
    });
    it('passes a policy naming its principals', () => {
      expect(run('kms.policy_no_public', [key({})]).status).toBe('PASS');
    });
    it('passes principal * restricted by kms:CallerAccount', () => {
      const policy = publicStatement({ StringEquals: { 'kms:CallerAccount': TEST_ACCOUNT } });
      expect(run('kms.policy_no_public', [key({ keyPolicy: policy })]).status).toBe('PASS');
    });
    it('fails principal * without a restricting condition', () => {
      expect(run('kms.policy_no_public', [key({ keyPolicy: publicStatement() })])).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('Sid open'),
      });
    });
    it('fails principal * whose only condition does not restrict the caller', () => {
      const policy = publicStatement({ Bool: { 'aws:SecureTransport': 'true' } });
      expect(run('kms.policy_no_public', [key({ keyPolicy: policy })]).status).toBe('FAIL');
    });
    it('is ERROR when the key policy could not be read', () => {
      expect(run('kms.policy_no_public', [key({ keyPolicy: undefined })], [denied('kms:GetKeyPolicy')]).status).toBe('ERROR');
    });
  });

  describe('kms.in_use_not_disabled', () => {
    it('passes an Enabled key used by an ML resource through its alias', () => {
      expect(run('kms.in_use_not_disabled', [key({})], [], ['alias/ml'])).toMatchObject({
        status: 'PASS',
        detail: 'KeyState Enabled',
      });
    });
    it('fails a key pending deletion that an ML resource uses', () => {
      expect(run('kms.in_use_not_disabled', [key({ keyState: 'PendingDeletion' })], [], [KEY])).toMatchObject({
        status: 'FAIL',
        detail: 'KeyState PendingDeletion',
      });
    });
    it('is NOT_APPLICABLE when no ML resource uses a key', () => {
      expect(run('kms.in_use_not_disabled', [key({})])).toMatchObject({ resource: ROOT, status: 'NOT_APPLICABLE' });
    });
    it('is ERROR when the keys could not be listed', () => {
      const finding = run('kms.in_use_not_disabled', [], [{ api: 'kms:ListKeys', code: 'AccessDeniedException', message: 'no' }]);
      expect(finding).toMatchObject({ resource: ROOT, status: 'ERROR', detail: expect.stringContaining('kms:ListKeys') });
    });
  });

  it('is ERROR for a key whose recorded configuration does not match the schema', () => {
    const broken: ResourceFixture = {
      arn: KEY,
      type: KMS_KEY_TYPE,
      configuration: { keyManager: 'CUSTOMER', keyState: 'Enabled', rotationApplicable: true },
    };
    expect(run('kms.rotation_enabled', [broken]).status).toBe('ERROR');
  });

  describe('a key kept by id only because it could not be described', () => {
    const stub: ResourceFixture = { arn: KEY, type: KMS_KEY_TYPE, configuration: { keyId: 'k1' } };

    it.each([
      ['kms.rotation_enabled', 'kms:DescribeKey'],
      ['kms.rotation_period', 'kms:DescribeKey'],
      ['kms.policy_no_public', 'kms:DescribeKey'],
      ['kms.in_use_not_disabled', 'deadline'],
    ])('%s keeps it in scope and is ERROR citing %s', (id, api) => {
      // Act
      const finding = run(id, [stub], [denied(api)], ['k1']);
      // Assess
      expect(finding).toMatchObject({ resource: KEY, status: 'ERROR', detail: expect.stringContaining(`${api} failed`) });
    });
  });
});
