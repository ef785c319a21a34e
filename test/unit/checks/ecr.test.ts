import { ECR_CHECKS } from '../../../lambdas/checks/ecr';
import type { Finding, Snapshot } from '../../../lambdas/checks/types';
import { normaliseImage, normaliseRepository } from '../../../lambdas/collectors/ecr';
import {
  ECR_IMAGE_TYPE,
  ECR_REPOSITORY_TYPE,
  type EcrRepository,
  repositoryOfImage,
} from '../../../lambdas/evidence/resources/ecr';
import { KMS_KEY_TYPE } from '../../../lambdas/evidence/resources/kms';
import {
  SM_ENDPOINT_CONFIG_TYPE,
  SM_ENDPOINT_TYPE,
  SM_MODEL_TYPE,
  SM_TRAINING_JOB_TYPE,
} from '../../../lambdas/evidence/resources/sagemaker';
import { makeCheckContext, makeSnapshot, type ResourceFixture, TEST_ACCOUNT } from '../../helpers/snapshots';

const REPO = `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/ml/trainer`;
const OTHER = `arn:aws:ecr:us-east-1:${TEST_ACCOUNT}:repository/web/frontend`;
const KEY = `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const IMAGE = `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ml/trainer:2026-11-20`;
const JOB = `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:training-job/churn-train`;

// DescribeRepositories Repository shape (ECR API reference, "Repository").
const repository = (arn: string, overrides: Partial<EcrRepository> = {}): ResourceFixture => {
  const name = arn.replace(/^.*:repository\//, '');
  return {
    arn,
    type: ECR_REPOSITORY_TYPE,
    configuration: {
      ...normaliseRepository(
        {
          repositoryArn: arn,
          repositoryName: name,
          registryId: TEST_ACCOUNT,
          repositoryUri: `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/${name}`,
          imageTagMutability: 'IMMUTABLE',
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfiguration: { encryptionType: 'KMS', kmsKey: KEY },
        },
        { scanType: 'BASIC', rules: [] },
      ),
      ...overrides,
    },
  };
};

const trainingJob = makeSnapshot({
  collector: 'sagemaker',
  resources: [
    {
      arn: JOB,
      type: SM_TRAINING_JOB_TYPE,
      configuration: { name: 'churn-train', references: { s3Uris: [], kmsKeys: [], resources: [], images: [IMAGE] } },
    },
  ],
});
const customerKey = makeSnapshot({
  collector: 'kms',
  resources: [{ arn: KEY, type: KMS_KEY_TYPE, configuration: { keyId: KEY.replace(/^.*key\//, ''), keyManager: 'CUSTOMER' } }],
});

const run = (id: string, repositories: ResourceFixture[], extra: Snapshot[] = [trainingJob, customerKey]): Finding[] =>
  ECR_CHECKS.find((c) => c.id === id)!.run(
    makeCheckContext([makeSnapshot({ collector: 'ecr', resources: repositories }), ...extra]),
  );

describe('repositoryOfImage', () => {
  it('reads account, region and repository from an ECR image URI with tag or digest', () => {
    expect(repositoryOfImage(IMAGE)).toEqual({ account: TEST_ACCOUNT, region: 'us-east-1', repository: 'ml/trainer' });
    expect(repositoryOfImage(`${TEST_ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/a@sha256:${'0'.repeat(64)}`)?.repository).toBe('a');
    expect(repositoryOfImage('public.ecr.aws/docker/library/python:3.12')).toBeUndefined();
  });
});

describe('ECR checks on repositories holding ML images', () => {
  it('judge only the repository a training job uses, naming why it is in scope', () => {
    const findings = run('ecr.tag_immutability', [repository(REPO), repository(OTHER, { imageTagMutability: 'MUTABLE' })]);
    expect(findings).toEqual([
      expect.objectContaining({ resource: REPO, status: 'PASS', detail: expect.stringContaining(`image used by ${JOB}`) }),
    ]);
  });

  it('take a repository with the scope tag as ML', () => {
    const tagged = { ...repository(OTHER, { imageTagMutability: 'MUTABLE' }), tags: { 'soc2-ml:scope': 'ml' } };
    expect(run('ecr.tag_immutability', [tagged], [])).toEqual([
      expect.objectContaining({ resource: OTHER, status: 'FAIL', detail: expect.stringContaining('tagged soc2-ml:scope') }),
    ]);
  });

  it.each([
    ['ecr.tag_immutability', { imageTagMutability: 'MUTABLE' }],
    ['ecr.scan_on_push', { scanOnPush: false }],
    ['ecr.kms', { encryptionType: 'AES256', kmsKey: null }],
  ])('%s fails on the deciding field', (id, overrides) => {
    expect(run(id, [repository(REPO)])[0]?.status).toBe('PASS');
    expect(run(id, [repository(REPO, overrides as Partial<EcrRepository>)])).toEqual([
      expect.objectContaining({ resource: REPO, status: 'FAIL' }),
    ]);
  });

  it('ecr.scan_on_push passes when an enhanced registry rule covers the repository', () => {
    const covered = normaliseRepository(
      { repositoryArn: REPO, repositoryName: 'ml/trainer', imageScanningConfiguration: { scanOnPush: false } },
      {
        scanType: 'ENHANCED',
        rules: [{ scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [{ filter: 'ml/*', filterType: 'WILDCARD' }] }],
      },
    );
    expect(run('ecr.scan_on_push', [{ arn: REPO, type: ECR_REPOSITORY_TYPE, configuration: covered }])[0]?.status).toBe('PASS');
  });

  it('ecr.scan_on_push is ERROR when scanOnPush is off and the registry configuration was denied', () => {
    const findings = ECR_CHECKS.find((c) => c.id === 'ecr.scan_on_push')!.run(
      makeCheckContext([
        makeSnapshot({
          collector: 'ecr',
          resources: [repository(REPO, { scanOnPush: false, registryScan: undefined })],
          errors: [{ api: 'ecr:GetRegistryScanningConfiguration', code: 'AccessDeniedException', message: 'denied' }],
        }),
        trainingJob,
      ]),
    );
    expect(findings).toEqual([expect.objectContaining({ status: 'ERROR', detail: expect.stringContaining('AccessDenied') })]);
  });

  it('ecr.kms fails on an AWS managed key and is ERROR on a key the KMS evidence lacks', () => {
    const awsKey = makeSnapshot({
      collector: 'kms',
      resources: [{ arn: KEY, type: KMS_KEY_TYPE, configuration: { keyId: 'x', keyManager: 'AWS' } }],
    });
    expect(run('ecr.kms', [repository(REPO)], [trainingJob, awsKey])[0]?.status).toBe('FAIL');
    expect(run('ecr.kms', [repository(REPO)], [trainingJob])[0]?.status).toBe('ERROR');
  });

  it('a denied DescribeRepositories is ERROR on the account, never NOT_APPLICABLE', () => {
    const findings = ECR_CHECKS.find((c) => c.id === 'ecr.tag_immutability')!.run(
      makeCheckContext([
        makeSnapshot({
          collector: 'ecr',
          errors: [{ api: 'ecr:DescribeRepositories', code: 'AccessDeniedException', message: 'denied' }],
        }),
        trainingJob,
      ]),
    );
    expect(findings).toEqual([expect.objectContaining({ status: 'ERROR', resource: `arn:aws:iam::${TEST_ACCOUNT}:root` })]);
  });
});

describe('ecr.no_critical_findings', () => {
  const SERVE_IMAGE = `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ml/serving:1.4`;
  const IDLE_IMAGE = `${TEST_ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/ml/serving:0.9`;
  const AWS_IMAGE = '683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1';
  const refs = (images: string[]) => ({ s3Uris: [], kmsKeys: [], resources: [], images });
  const variant = (modelName: string) => ({
    name: 'all',
    modelName,
    instanceType: 'ml.m5.large',
    initialInstanceCount: 1,
    serverless: false,
  });
  const sagemaker = (resources: ResourceFixture[]) => makeSnapshot({ collector: 'sagemaker', resources });
  const endpoint = (name: string, status: string, config: string): ResourceFixture => ({
    arn: `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:endpoint/${name}`,
    type: SM_ENDPOINT_TYPE,
    configuration: {
      name,
      status,
      endpointConfigName: config,
      variants: [],
      dataCaptureEnabled: false,
      autoRollbackAlarms: null,
      references: refs([]),
    },
  });
  const endpointConfig = (name: string, model: string): ResourceFixture => ({
    arn: `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:endpoint-config/${name}`,
    type: SM_ENDPOINT_CONFIG_TYPE,
    configuration: { name, kmsKeyId: null, variants: [variant(model)], dataCapture: null, references: refs([]) },
  });
  const model = (name: string, images: string[]): ResourceFixture => ({
    arn: `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:model/${name}`,
    type: SM_MODEL_TYPE,
    configuration: { name, references: refs(images) },
  });
  const estate = sagemaker([
    { arn: JOB, type: SM_TRAINING_JOB_TYPE, configuration: { name: 'churn-train', references: refs([IMAGE, AWS_IMAGE]) } },
    endpoint('churn-live', 'InService', 'churn-live-config'),
    endpointConfig('churn-live-config', 'churn-model'),
    model('churn-model', [SERVE_IMAGE]),
    endpoint('churn-old', 'OutOfService', 'churn-old-config'),
    endpointConfig('churn-old-config', 'churn-old-model'),
    model('churn-old-model', [IDLE_IMAGE]),
  ]);
  // DescribeImages ImageDetail (ECR API reference, ImageDetail, ImageScanStatus, ImageScanFindingsSummary).
  const scanned = (uri: string, counts: Record<string, number>, status = 'COMPLETE'): ResourceFixture => {
    const tag = uri.replace(/^.*:/, '');
    return {
      arn: uri,
      type: ECR_IMAGE_TYPE,
      configuration: normaliseImage(
        repositoryOfImage(uri)!.repository,
        { imageTag: tag },
        {
          imageDigest: `sha256:${'a'.repeat(64)}`,
          imageTags: [tag],
          imageScanStatus: { status: status as 'COMPLETE', description: 'The scan was completed successfully.' },
          imageScanFindingsSummary: { imageScanCompletedAt: new Date('2026-11-25T08:00:00Z'), findingSeverityCounts: counts },
        },
      ),
    };
  };
  const never = (uri: string): ResourceFixture => ({
    arn: uri,
    type: ECR_IMAGE_TYPE,
    configuration: normaliseImage(repositoryOfImage(uri)!.repository, { imageTag: 'x' }, { imageDigest: 'sha256:b' }),
  });
  const check = ECR_CHECKS.find((c) => c.id === 'ecr.no_critical_findings')!;
  const judge = (images: ResourceFixture[], errors: Snapshot['errors'] = [], sm: Snapshot = estate) =>
    check.run(makeCheckContext([makeSnapshot({ collector: 'ecr', resources: images, errors }), sm]));

  it('judges the images of InService endpoints and training jobs: PASS without CRITICAL, FAIL naming the count', () => {
    const findings = judge([
      scanned(IMAGE, { HIGH: 3 }),
      scanned(SERVE_IMAGE, { CRITICAL: 2, HIGH: 1 }),
      scanned(IDLE_IMAGE, { CRITICAL: 9 }),
    ]);
    expect(findings).toEqual([
      expect.objectContaining({ resource: IMAGE, status: 'PASS', detail: expect.stringContaining(`image used by ${JOB}`) }),
      expect.objectContaining({
        resource: SERVE_IMAGE,
        status: 'FAIL',
        detail: expect.stringContaining('has 2 CRITICAL findings'),
      }),
    ]);
  });

  it('is ERROR for an image never scanned, an unfinished scan, or a failed DescribeImages', () => {
    const denied = { api: 'ecr:DescribeImages', resource: SERVE_IMAGE, code: 'AccessDeniedException', message: 'not authorized' };
    const findings = judge(
      [never(IMAGE), { arn: SERVE_IMAGE, type: ECR_IMAGE_TYPE, configuration: { repository: 'ml/serving' } }],
      [denied],
    );
    expect(findings).toEqual([
      expect.objectContaining({ resource: IMAGE, status: 'ERROR', detail: expect.stringContaining('never scanned') }),
      expect.objectContaining({
        resource: SERVE_IMAGE,
        status: 'ERROR',
        detail: expect.stringContaining('AccessDeniedException'),
      }),
    ]);
    expect(judge([scanned(IMAGE, {}, 'IN_PROGRESS'), scanned(SERVE_IMAGE, {})])[0]).toMatchObject({
      status: 'ERROR',
      detail: expect.stringContaining('scan status IN_PROGRESS'),
    });
  });

  it('is ERROR for an image in use that the ECR evidence does not hold', () => {
    expect(judge([scanned(IMAGE, {})])).toEqual([
      expect.objectContaining({ resource: IMAGE, status: 'PASS' }),
      expect.objectContaining({ resource: SERVE_IMAGE, status: 'ERROR', detail: expect.stringContaining('was not collected') }),
    ]);
  });

  it('is NOT_APPLICABLE when no endpoint is InService and no training job runs an image of the account', () => {
    const idle = sagemaker([
      endpoint('churn-old', 'OutOfService', 'churn-old-config'),
      endpointConfig('churn-old-config', 'm'),
      model('m', [IDLE_IMAGE]),
    ]);
    expect(judge([scanned(IDLE_IMAGE, { CRITICAL: 1 })], [], idle)).toEqual([
      expect.objectContaining({ status: 'NOT_APPLICABLE', detail: 'no ML images in use' }),
    ]);
  });
});
