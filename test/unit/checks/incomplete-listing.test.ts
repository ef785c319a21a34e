import { failureLine } from '../../../lambdas/checks/helpers';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import type { Finding } from '../../../lambdas/checks/types';
import type { CollectionError, CollectorName } from '../../../lambdas/evidence/record';
import { IAM_USER_TYPE } from '../../../lambdas/evidence/resources/iam';
import { KMS_KEY_TYPE } from '../../../lambdas/evidence/resources/kms';
import { S3_BUCKET_TYPE } from '../../../lambdas/evidence/resources/s3';
import { SM_TRAINING_JOB_TYPE } from '../../../lambdas/evidence/resources/sagemaker';
import { makeCheckContext, makeSnapshot, type ResourceFixture, stubMlScope, TEST_ACCOUNT } from '../../helpers/snapshots';

/**
 * A listing that failed after some pages (the collectors keep what they read and record the call
 * without a resource): every check over that population judges the resources seen AND reports
 * ERROR for the account and region, naming the call. Resources are name-only here: the point is
 * the population finding, not the verdict on the resource.
 */
const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;

interface Case {
  collector: CollectorName;
  region: string;
  api: string;
  seen: ResourceFixture;
  checks: string[];
}

const CASES: Case[] = [
  {
    collector: 'iam',
    region: 'global',
    api: 'iam:ListUsers',
    seen: { arn: `arn:aws:iam::${TEST_ACCOUNT}:user/alice`, type: IAM_USER_TYPE, configuration: { userName: 'alice' } },
    checks: [
      'iam.console_users_mfa',
      'iam.unused_credentials',
      'iam.access_key_rotation',
      'iam.users_no_direct_policies',
      'iam.no_users_with_admin',
    ],
  },
  {
    collector: 'kms',
    region: 'us-east-1',
    api: 'kms:ListKeys',
    seen: { arn: `arn:aws:kms:us-east-1:${TEST_ACCOUNT}:key/k1`, type: KMS_KEY_TYPE, configuration: { keyId: 'k1' } },
    checks: ['kms.rotation_enabled', 'kms.rotation_period', 'kms.policy_no_public'],
  },
  {
    collector: 's3',
    region: 'global',
    api: 's3:ListBuckets',
    seen: { arn: 'arn:aws:s3:::training-data', type: S3_BUCKET_TYPE, configuration: { name: 'training-data' } },
    checks: [
      's3.default_encryption',
      's3.public_access_blocked',
      's3.ml_bucket_kms',
      's3.ml_bucket_versioning',
      'ct.ml_data_events',
    ],
  },
  {
    collector: 'sagemaker',
    region: 'us-east-1',
    api: 'sagemaker:ListTrainingJobs',
    seen: {
      arn: `arn:aws:sagemaker:us-east-1:${TEST_ACCOUNT}:training-job/t1`,
      type: SM_TRAINING_JOB_TYPE,
      configuration: { name: 't1' },
    },
    checks: ['sm.training.volume_kms', 'sm.training.no_secrets', 'sm.training.vpc', 'sm.training.inter_container_encryption'],
  },
];

const run = (id: string, testCase: Case, errors: CollectionError[]): Finding[] => {
  const snapshot = makeSnapshot({ collector: testCase.collector, region: testCase.region, resources: [testCase.seen], errors });
  const others = ['s3', 'cloudtrail', 'sagemaker']
    .filter((c) => c !== testCase.collector)
    .map((collector) => makeSnapshot({ collector: collector as CollectorName }));
  const check = ALL_CHECKS.find((c) => c.id === id)!;
  return check.run(makeCheckContext([snapshot, ...others], { mlScope: stubMlScope(['training-data']) }));
};

describe('a listing that failed part-way', () => {
  describe.each(CASES)('$api', (testCase) => {
    const pageTwoFailed: CollectionError = {
      api: testCase.api,
      code: 'HTTP500',
      message: 'answered HTTP 500 with a non-JSON body',
    };

    it.each(testCase.checks)('%s judges the resource seen and is ERROR for the account, naming the call', (id) => {
      // Act
      const findings = run(id, testCase, [
        pageTwoFailed,
        { api: 'deadline', resource: testCase.seen.arn, code: 'X', message: 'x' },
      ]);

      // Assess
      const onSeen = findings.filter((f) => f.resource === testCase.seen.arn);
      const onAccount = findings.filter((f) => f.resource === ROOT);
      expect(onSeen).toHaveLength(1);
      expect(onAccount).toEqual([
        expect.objectContaining({
          status: 'ERROR',
          account: TEST_ACCOUNT,
          region: testCase.region,
          detail: expect.stringContaining(
            `${testCase.api} answered HTTP 500 with a non-JSON body; the 1 seen are judged, others may exist unseen`,
          ),
        }),
      ]);
    });

    it.each(testCase.checks)('%s adds no account finding when the listing completed', (id) => {
      // Act
      const findings = run(id, testCase, [{ api: 'deadline', resource: testCase.seen.arn, code: 'X', message: 'x' }]);

      // Assess
      expect(findings.filter((f) => f.resource === ROOT)).toEqual([]);
    });
  });
});

describe('failureLine', () => {
  it('words a recorded failure as the call, the status or code, and what it means', () => {
    expect(
      failureLine({
        api: 'sagemaker:ListMonitoringSchedules',
        code: 'HTTP500',
        message: 'answered HTTP 500 with a non-JSON body',
      }),
    ).toBe('sagemaker:ListMonitoringSchedules answered HTTP 500 with a non-JSON body');
    expect(failureLine({ api: 'iam:ListUsers', code: 'AccessDenied', message: 'not authorized' })).toBe(
      'iam:ListUsers failed with AccessDenied: not authorized',
    );
  });

  it('cleans a failure recorded with the raw SDK text before this wording', () => {
    const recorded = {
      api: 'sagemaker:ListFeatureGroups',
      code: 'HTTP500',
      message:
        'Unexpected token < in JSON at position 0\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
    };
    expect(failureLine(recorded)).toBe('sagemaker:ListFeatureGroups answered HTTP 500 with a non-JSON body');
  });
});
