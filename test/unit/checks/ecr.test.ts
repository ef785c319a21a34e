import { ECR_CHECKS } from '../../../lambdas/checks/ecr';
import type { Finding, Snapshot } from '../../../lambdas/checks/types';
import { normaliseRepository } from '../../../lambdas/collectors/ecr';
import { ECR_REPOSITORY_TYPE, type EcrRepository, repositoryOfImage } from '../../../lambdas/evidence/resources/ecr';
import { KMS_KEY_TYPE } from '../../../lambdas/evidence/resources/kms';
import { SM_TRAINING_JOB_TYPE } from '../../../lambdas/evidence/resources/sagemaker';
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
