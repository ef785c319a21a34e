import type { StoreFacts } from '../../../lambdas/checks/facts';
import { buildMlScope } from '../../../lambdas/checks/ml-scope';
import { deniesInsecureTransport, S3_CHECKS } from '../../../lambdas/checks/s3';
import type { Finding, Snapshot } from '../../../lambdas/checks/types';
import { parseConfig } from '../../../lambdas/config/schema';
import type { CollectionError } from '../../../lambdas/evidence/record';
import {
  accountPublicAccessBlockArn,
  bucketArn,
  S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
  S3_BUCKET_TYPE,
  type S3BucketConfiguration,
} from '../../../lambdas/evidence/resources/s3';
import { makeCheckContext, makeSnapshot, type ResourceFixture, stubMlScope, TEST_ACCOUNT } from '../../helpers/snapshots';

const ML = 'training-data';
const ARN = bucketArn(ML);
const ALL_BLOCKED = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };
const TLS_POLICY = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [ARN, `${ARN}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    },
  ],
};

/** A bucket that passes every S3 check. */
function goodBucket(): S3BucketConfiguration {
  return {
    name: ML,
    encryption: { rules: [{ algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1111' }] },
    policy: { document: TLS_POLICY },
    versioning: { status: 'Enabled', mfaDelete: false },
    publicAccessBlock: ALL_BLOCKED,
    logging: { enabled: true, targetBucket: 'logs' },
    lifecycle: { rules: [{ enabled: true, expiration: true, transition: false, noncurrentVersionExpiration: false }] },
    replication: { rules: [{ enabled: true, destinationBucket: 'arn:aws:s3:::dr' }] },
    objectLock: null,
  };
}

function bucketSnapshot(
  configuration: Partial<S3BucketConfiguration> & { name: string },
  options: { tags?: Record<string, string>; errors?: CollectionError[]; accountBlock?: unknown; withAccountBlock?: boolean } = {},
): Snapshot {
  const resources: ResourceFixture[] = [
    {
      arn: bucketArn(configuration.name),
      type: S3_BUCKET_TYPE,
      configuration,
      tags: options.tags ?? { DataClassification: 'confidential' },
    },
  ];
  if (options.withAccountBlock !== false) {
    resources.push({
      arn: accountPublicAccessBlockArn(TEST_ACCOUNT),
      type: S3_ACCOUNT_PUBLIC_ACCESS_BLOCK_TYPE,
      configuration:
        options.accountBlock === undefined ? { publicAccessBlock: null } : { publicAccessBlock: options.accountBlock },
      tags: {},
    });
  }
  return makeSnapshot({ collector: 's3', region: 'global', resources, errors: options.errors ?? [] });
}

const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/1111';

/** KMS evidence of the good bucket's key, with the given configuration (customer managed by default). */
function keySnapshot(
  configuration: Record<string, unknown> = { keyId: '1111', keyManager: 'CUSTOMER' },
  errors: CollectionError[] = [],
) {
  return makeSnapshot({
    collector: 'kms',
    region: 'us-east-1',
    resources: [{ arn: KEY_ARN, type: 'AWS::KMS::Key', configuration }],
    errors,
  });
}

function run(checkId: string, snapshots: Snapshot[], facts?: StoreFacts, mlBuckets: string[] = []): Finding[] {
  const check = S3_CHECKS.find((c) => c.id === checkId)!;
  return check.run(
    makeCheckContext(snapshots, {
      mlScope: stubMlScope([ML, ...mlBuckets]),
      config: parseConfig({ mlBuckets }),
      ...(facts ? { facts } : {}),
    }),
  );
}

function only(findings: Finding[]): Finding {
  expect(findings).toHaveLength(1);
  return findings[0]!;
}

const failedCall = (api: string, resource = ARN): CollectionError => ({ api, resource, code: 'AccessDenied', message: 'denied' });

/** [check, how to break the bucket, the API whose failure makes the field absent, field to delete] */
const CASES: [string, Partial<S3BucketConfiguration>, RegExp, string, keyof S3BucketConfiguration][] = [
  ['s3.default_encryption', { encryption: null }, /no default encryption/, 's3:GetBucketEncryption', 'encryption'],
  [
    's3.ml_bucket_kms',
    { encryption: { rules: [{ algorithm: 'AES256' }] } },
    /AES256, not SSE-KMS/,
    's3:GetBucketEncryption',
    'encryption',
  ],
  ['s3.tls_only', { policy: null }, /no bucket policy/, 's3:GetBucketPolicy', 'policy'],
  [
    's3.ml_bucket_versioning',
    { versioning: { status: 'Suspended', mfaDelete: false } },
    /Suspended/,
    's3:GetBucketVersioning',
    'versioning',
  ],
  ['s3.ml_bucket_replication', { replication: null }, /no replication/, 's3:GetBucketReplication', 'replication'],
  [
    's3.ml_bucket_lifecycle',
    { lifecycle: { rules: [{ enabled: false, expiration: true, transition: false, noncurrentVersionExpiration: false }] } },
    /no Enabled lifecycle rule/,
    's3:GetBucketLifecycleConfiguration',
    'lifecycle',
  ],
  ['s3.ml_bucket_access_logging', { logging: { enabled: false } }, /logging is off/, 's3:GetBucketLogging', 'logging'],
  [
    's3.public_access_blocked',
    { publicAccessBlock: null },
    /blockPublicAcls, ignorePublicAcls/,
    's3:GetPublicAccessBlock',
    'publicAccessBlock',
  ],
];

describe.each(CASES)('%s', (checkId, broken, failDetail, api, field) => {
  it('passes on a compliant bucket, citing its evidence', () => {
    // Act
    const finding = only(run(checkId, [bucketSnapshot(goodBucket()), keySnapshot()]));
    // Assess
    expect(finding).toMatchObject({ check: checkId, resource: ARN, account: TEST_ACCOUNT, status: 'PASS' });
    expect(finding.evidence?.key).toMatch(/^evidence\/v1\//);
  });

  it('fails on a misconfigured bucket, naming the value', () => {
    // Act
    const finding = only(run(checkId, [bucketSnapshot({ ...goodBucket(), ...broken })]));
    // Assess
    expect(finding.status).toBe('FAIL');
    expect(finding.detail).toMatch(failDetail);
  });

  it('is ERROR, citing the failed call, when the field could not be collected', () => {
    // Prepare
    const configuration: Partial<S3BucketConfiguration> = { ...goodBucket() };
    delete configuration[field];
    const snapshot = bucketSnapshot({ ...(configuration as S3BucketConfiguration) }, { errors: [failedCall(api)] });
    // Act
    const finding = only(run(checkId, [snapshot]));
    // Assess
    expect(finding.status).toBe('ERROR');
    expect(finding.detail).toContain(`${api} failed with AccessDenied`);
  });

  it('is ERROR naming the field when the recorded bucket does not match its schema', () => {
    // Prepare: a value no collector writes (S3 answers Enabled or Suspended), e.g. a tampered record.
    const snapshot = bucketSnapshot({
      ...goodBucket(),
      versioning: { status: 'Paused', mfaDelete: false } as unknown as S3BucketConfiguration['versioning'],
    });
    // Act
    const finding = only(run(checkId, [snapshot, keySnapshot()]));
    // Assess
    expect(finding).toMatchObject({ check: checkId, resource: ARN, status: 'ERROR' });
    expect(finding.detail).toMatch(/^AWS::S3::Bucket configuration does not match its schema at "versioning\.status"/);
  });
});

describe('s3.ml_bucket_kms', () => {
  it.each([
    ['SSE-KMS without a key id (aws/s3)', { algorithm: 'aws:kms' }],
    ['the alias aws/s3', { algorithm: 'aws:kms', kmsKeyId: 'alias/aws/s3' }],
    ['the alias ARN of aws/s3', { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/s3' }],
  ])('fails for %s', (_name, rule) => {
    // Act
    const finding = only(run('s3.ml_bucket_kms', [bucketSnapshot({ ...goodBucket(), encryption: { rules: [rule] } })]));
    // Assess
    expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/AWS managed key/) });
  });

  it('fails when the KMS evidence shows the key is AWS managed', () => {
    // Prepare
    const kms = makeSnapshot({
      collector: 'kms',
      resources: [
        {
          arn: 'arn:aws:kms:us-east-1:123456789012:key/1111',
          type: 'AWS::KMS::Key',
          configuration: { keyId: '1111', keyManager: 'AWS' },
        },
      ],
    });
    // Act
    const finding = only(run('s3.ml_bucket_kms', [bucketSnapshot(goodBucket()), kms]));
    // Assess
    expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/is AWS managed/) });
  });

  it('is ERROR when the same-account key is absent from the KMS evidence', () => {
    // Act
    const finding = only(run('s3.ml_bucket_kms', [bucketSnapshot(goodBucket()), makeSnapshot({ collector: 'kms' })]));
    // Assess
    expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringMatching(/could not be described: no KMS evidence/) });
  });

  it('is ERROR, citing the failed call, when the key was kept undescribed by the KMS collector', () => {
    // Prepare
    const kms = keySnapshot({ keyId: '1111' }, [failedCall('kms:DescribeKey', KEY_ARN)]);
    // Act
    const finding = only(run('s3.ml_bucket_kms', [bucketSnapshot(goodBucket()), kms]));
    // Assess
    expect(finding).toMatchObject({
      status: 'ERROR',
      detail: expect.stringContaining('kms:DescribeKey failed with AccessDenied'),
    });
  });

  it('passes a key of another account, saying it was not described', () => {
    // Prepare
    const crossAccount = { algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:999999999999:key/2222' };
    // Act
    const finding = only(run('s3.ml_bucket_kms', [bucketSnapshot({ ...goodBucket(), encryption: { rules: [crossAccount] } })]));
    // Assess
    expect(finding).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/account 999999999999 .*not described/) });
  });

  it('judges only ML buckets: NOT_APPLICABLE when none is in scope', () => {
    // Act
    const finding = only(run('s3.ml_bucket_kms', [bucketSnapshot({ ...goodBucket(), name: 'web-assets' })]));
    // Assess
    expect(finding).toMatchObject({ status: 'NOT_APPLICABLE', resource: `arn:aws:iam::${TEST_ACCOUNT}:root` });
  });
});

describe('s3.tls_only', () => {
  const withStatement = (statement: Record<string, unknown>) => ({ Statement: [{ ...TLS_POLICY.Statement[0], ...statement }] });

  it.each([
    ['an Allow', { Effect: 'Allow' }],
    ['only s3:GetObject', { Action: 's3:GetObject' }],
    ['only the objects', { Resource: `${ARN}/*` }],
    ['a SecureTransport true condition', { Condition: { Bool: { 'aws:SecureTransport': 'true' } } }],
    ['one principal only', { Principal: { AWS: 'arn:aws:iam::123456789012:root' } }],
  ])('does not accept %s', (_name, statement) => {
    // Act / Assess
    expect(deniesInsecureTransport(withStatement(statement), ARN)).toBe(false);
  });

  it.each([
    [
      'Action * on Resource *, principal {AWS: *}, boolean false',
      { Action: '*', Resource: '*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:securetransport': false } } },
    ],
    ['a bucket glob', { Resource: [`${ARN}*`] }],
  ])('accepts %s', (_name, statement) => {
    // Act / Assess
    expect(deniesInsecureTransport(withStatement(statement), ARN)).toBe(true);
  });

  it('also judges the evidence bucket, which is not an ML bucket', () => {
    // Prepare
    const facts: StoreFacts = {
      location: 's3://evidence',
      evidenceBucket: { name: 'evidence', account: TEST_ACCOUNT, region: 'us-east-1', objectLockEnabled: true },
      reports: { generatedAt: [] },
    };
    // Act
    const finding = only(run('s3.tls_only', [bucketSnapshot({ name: 'evidence', policy: null })], facts));
    // Assess
    expect(finding).toMatchObject({ resource: 'arn:aws:s3:::evidence', status: 'FAIL' });
  });
});

describe('s3.ml_bucket_lifecycle (revision 2: noncurrent versions count)', () => {
  const rule = (
    actions: Partial<
      Record<'expiration' | 'transition' | 'noncurrentVersionExpiration' | 'noncurrentVersionTransition', boolean>
    >,
  ) => ({
    enabled: true,
    expiration: false,
    transition: false,
    noncurrentVersionExpiration: false,
    noncurrentVersionTransition: false,
    ...actions,
  });
  it.each([
    ['NoncurrentVersionExpiration', { noncurrentVersionExpiration: true }],
    ['NoncurrentVersionTransition', { noncurrentVersionTransition: true }],
    ['Transition', { transition: true }],
  ])('passes an Enabled rule with only %s', (name, actions) => {
    const finding = only(
      run('s3.ml_bucket_lifecycle', [bucketSnapshot({ ...goodBucket(), lifecycle: { rules: [rule(actions)] } })]),
    );
    expect(finding).toMatchObject({ status: 'PASS', detail: expect.stringContaining(name) });
  });
  it('fails an Enabled rule that neither expires nor transitions anything', () => {
    const finding = only(run('s3.ml_bucket_lifecycle', [bucketSnapshot({ ...goodBucket(), lifecycle: { rules: [rule({})] } })]));
    expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('1 rules, 1 Enabled') });
  });
  it('is ERROR on a rule recorded before noncurrent transitions were collected', () => {
    const { noncurrentVersionTransition: _omitted, ...old } = rule({});
    const finding = only(run('s3.ml_bucket_lifecycle', [bucketSnapshot({ ...goodBucket(), lifecycle: { rules: [old] } })]));
    expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('NoncurrentVersionTransitions') });
  });
});

describe('s3.ml_bucket_classification_tag', () => {
  it('fails on a missing tag and on a value outside the allowed list', () => {
    // Act
    const missing = only(run('s3.ml_bucket_classification_tag', [bucketSnapshot(goodBucket(), { tags: {} })]));
    const wrong = only(
      run('s3.ml_bucket_classification_tag', [bucketSnapshot(goodBucket(), { tags: { DataClassification: 'secret' } })]),
    );
    // Assess
    expect(missing).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/tag DataClassification missing/) });
    expect(wrong).toMatchObject({ status: 'FAIL', detail: expect.stringMatching(/=secret is not one of/) });
  });

  it('is ERROR when the tags could not be read', () => {
    // Act
    const finding = only(
      run('s3.ml_bucket_classification_tag', [
        bucketSnapshot(goodBucket(), { tags: {}, errors: [failedCall('s3:GetBucketTagging')] }),
      ]),
    );
    // Assess
    expect(finding.status).toBe('ERROR');
  });
});

describe('s3.public_access_blocked', () => {
  it('passes on the account-level block when the bucket has none', () => {
    // Act
    const finding = only(
      run('s3.public_access_blocked', [
        bucketSnapshot({ ...goodBucket(), publicAccessBlock: null }, { accountBlock: ALL_BLOCKED }),
      ]),
    );
    // Assess
    expect(finding).toMatchObject({ status: 'PASS', detail: expect.stringMatching(/account level/) });
  });

  it('is ERROR when the account-level block could not be read and the bucket does not block', () => {
    // Prepare
    const snapshot = bucketSnapshot({ ...goodBucket(), publicAccessBlock: null }, { withAccountBlock: false });
    // Act
    const finding = only(run('s3.public_access_blocked', [snapshot]));
    // Assess
    expect(finding.status).toBe('ERROR');
  });
});

describe('bucket checks with no bucket in scope', () => {
  it('are ERROR, not NOT_APPLICABLE, when the bucket listing failed', () => {
    // Prepare
    const snapshot = makeSnapshot({
      collector: 's3',
      region: 'global',
      errors: [{ api: 's3:ListBuckets', code: 'AccessDenied', message: 'no' }],
    });
    // Act
    const findings = S3_CHECKS.flatMap((check) => check.run(makeCheckContext([snapshot])));
    // Assess
    expect(findings.map((f) => f.status)).toEqual(S3_CHECKS.map(() => 'ERROR'));
  });
});

describe('buildMlScope', () => {
  const sagemaker = makeSnapshot({
    collector: 'sagemaker',
    resources: [
      {
        arn: 'arn:aws:sagemaker:us-east-1:123456789012:training-job/train-1',
        type: 'AWS::SageMaker::TrainingJob',
        configuration: { references: { s3Uris: ['s3://training-data/in/'], kmsKeys: ['alias/ml'], resources: [] } },
      },
    ],
  });
  const s3 = makeSnapshot({
    collector: 's3',
    region: 'global',
    resources: [
      {
        arn: bucketArn('tagged'),
        type: S3_BUCKET_TYPE,
        configuration: {
          name: 'tagged',
          encryption: { rules: [{ algorithm: 'aws:kms', kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/bucket-key' }] },
        },
        tags: { 'soc2-ml:scope': 'ml' },
      },
      { arn: bucketArn('other'), type: S3_BUCKET_TYPE, configuration: { name: 'other' }, tags: { 'soc2-ml:scope': 'web' } },
    ],
  });
  const kms = makeSnapshot({
    collector: 'kms',
    resources: [
      {
        arn: 'arn:aws:kms:us-east-1:123456789012:key/ml-key',
        type: 'AWS::KMS::Key',
        configuration: { keyId: 'ml-key', aliases: ['alias/ml'] },
      },
    ],
  });
  const scope = buildMlScope([sagemaker, s3, kms], parseConfig({ mlBuckets: ['listed-bucket'] }));

  it('scopes referenced, tagged and listed buckets, and says why', () => {
    // Assess
    expect(scope.reasonFor(TEST_ACCOUNT, 'training-data')).toBe(
      'referenced by arn:aws:sagemaker:us-east-1:123456789012:training-job/train-1',
    );
    expect(scope.reasonFor(TEST_ACCOUNT, 'tagged')).toBe('tagged soc2-ml:scope');
    expect(scope.reasonFor(TEST_ACCOUNT, 'listed-bucket')).toBe('listed in config mlBuckets');
    expect(scope.isMlBucket(TEST_ACCOUNT, 'other')).toBe(false);
  });

  it('finds keys in use by alias, key id, key ARN and ML bucket encryption', () => {
    // Assess
    expect(scope.isKeyInUse(TEST_ACCOUNT, 'us-east-1', 'arn:aws:kms:us-east-1:123456789012:key/ml-key')).toBe(true);
    expect(scope.isKeyInUse(TEST_ACCOUNT, 'us-east-1', 'ml-key')).toBe(true);
    expect(scope.isKeyInUse(TEST_ACCOUNT, 'us-east-1', 'bucket-key')).toBe(true);
    expect(scope.isKeyInUse(TEST_ACCOUNT, 'eu-west-1', 'ml-key')).toBe(false);
    expect(scope.isKeyInUse(TEST_ACCOUNT, 'us-east-1', 'unused-key')).toBe(false);
  });
});

describe('ML buckets that were never described', () => {
  const ML_CHECK_IDS = S3_CHECKS.filter((c) => c.id.startsWith('s3.ml_bucket_') || c.id === 's3.tls_only').map((c) => c.id);

  it.each(ML_CHECK_IDS)('%s is ERROR for a bucket kept by name only after GetBucketLocation failed', (checkId) => {
    // Prepare
    const stub = bucketSnapshot({ name: ML }, { tags: {}, errors: [failedCall('s3:GetBucketLocation')] });
    // Act
    const finding = only(run(checkId, [stub, keySnapshot()]));
    // Assess
    expect(finding).toMatchObject({
      resource: ARN,
      status: 'ERROR',
      detail: expect.stringContaining('s3:GetBucketLocation failed'),
    });
  });

  it.each(ML_CHECK_IDS)('%s is ERROR for a bucket listed in config mlBuckets but absent from the S3 evidence', (checkId) => {
    // Prepare
    const snapshot = bucketSnapshot({ ...goodBucket(), name: 'web-assets' });
    // Act
    const findings = run(checkId, [snapshot, keySnapshot()], undefined, ['listed-but-unseen']);
    // Assess
    expect(findings).toEqual([
      expect.objectContaining({
        resource: bucketArn('listed-but-unseen'),
        account: TEST_ACCOUNT,
        status: 'ERROR',
        detail: expect.stringContaining('listed in config mlBuckets but absent from the S3 evidence'),
      }),
    ]);
  });
});
