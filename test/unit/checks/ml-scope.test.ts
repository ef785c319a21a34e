import { buildMlScope, failClosedOnScopeGaps } from '../../../lambdas/checks/ml-scope';
import type { Finding } from '../../../lambdas/checks/types';
import { parseConfig } from '../../../lambdas/config/schema';
import { makeCheckContext, makeSnapshot, stubMlScope, TEST_ACCOUNT } from '../../helpers/snapshots';

const config = parseConfig({ regions: ['us-east-1', 'eu-west-1'] });
const sageMaker = (region: string, errors: { api: string; code: string; message: string; resource?: string }[] = []) =>
  makeSnapshot({ collector: 'sagemaker', region, errors });

describe('ML scope completeness', () => {
  it('is complete when SageMaker evidence exists for every configured region without failures', () => {
    expect(buildMlScope([sageMaker('us-east-1'), sageMaker('eu-west-1')], config).gaps(TEST_ACCOUNT)).toBeUndefined();
  });

  it('names a configured region without SageMaker evidence', () => {
    expect(buildMlScope([sageMaker('us-east-1')], config).gaps(TEST_ACCOUNT)).toBe('no SageMaker evidence for eu-west-1');
  });

  it('names the first failed SageMaker call, but not alarm or scaling listings, which reference no data', () => {
    const scope = buildMlScope(
      [
        sageMaker('us-east-1', [{ api: 'cloudwatch:DescribeAlarms', code: 'AccessDenied', message: 'x' }]),
        sageMaker('eu-west-1', [{ api: 'sagemaker:ListFeatureGroups', code: 'HTTP500', message: 'x' }]),
      ],
      config,
    );
    expect(scope.gaps(TEST_ACCOUNT)).toBe('sagemaker:ListFeatureGroups answered HTTP 500 with a non-JSON body');
    expect(
      buildMlScope(
        [
          sageMaker('us-east-1', [{ api: 'cloudwatch:DescribeAlarms', code: 'AccessDenied', message: 'x' }]),
          sageMaker('eu-west-1'),
        ],
        config,
      ).gaps(TEST_ACCOUNT),
    ).toBeUndefined();
  });
});

describe('failClosedOnScopeGaps', () => {
  const base = { check: 'x.ml', account: TEST_ACCOUNT, region: 'global', detail: 'd' } as const;
  const withGap = makeCheckContext([], {
    mlScope: { ...stubMlScope(), gaps: () => 'sagemaker:ListModels failed with AccessDenied' },
  });

  it('turns "nothing in scope" into ERROR when the scope is incomplete', () => {
    const run = failClosedOnScopeGaps('x.ml', () => [
      { ...base, resource: `arn:aws:iam::${TEST_ACCOUNT}:root`, status: 'NOT_APPLICABLE' },
    ]);
    expect(run(withGap)).toEqual([
      expect.objectContaining({ status: 'ERROR', detail: 'ML scope incomplete: sagemaker:ListModels failed with AccessDenied' }),
    ]);
  });

  it('keeps the judged resources and adds an ERROR for what may be unjudged', () => {
    const judged: Finding = { ...base, resource: 'arn:aws:s3:::training-data', status: 'PASS' };
    const findings = failClosedOnScopeGaps('x.ml', () => [judged])(withGap);
    expect(findings).toEqual([
      judged,
      expect.objectContaining({ resource: `arn:aws:iam::${TEST_ACCOUNT}:root`, status: 'ERROR' }),
    ]);
  });

  it('changes nothing when the scope is complete', () => {
    const judged: Finding = { ...base, resource: `arn:aws:iam::${TEST_ACCOUNT}:root`, status: 'NOT_APPLICABLE' };
    expect(failClosedOnScopeGaps('x.ml', () => [judged])(makeCheckContext([]))).toEqual([judged]);
  });
});
