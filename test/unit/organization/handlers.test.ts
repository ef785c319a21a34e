import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ZodError } from 'zod';
import 'aws-sdk-client-mock-jest';
import { decodeEvidence } from '../../../lambdas/evidence/evidence-io';
import { COLLECTOR_NAMES, GLOBAL_REGION } from '../../../lambdas/evidence/record';
import { handler as collectMember } from '../../../lambdas/handlers/collect-member';
import { handler as organizationRun, type PlanOutput, type SummaryOutput } from '../../../lambdas/handlers/organization-run';
import type { RunSummary } from '../../../lambdas/organization/plan';
import { serveBucketFromMemory } from '../../helpers/memory-bucket';

// The SSM client is not a dependency (the Lambda runtime provides it): Parameters is replaced whole.
jest.mock('@aws-lambda-powertools/parameters/ssm', () => ({ getParameter: jest.fn() }));
// getParameter's overloads type the value by its transform; the mock answers the parsed JSON.
const getParameterMock = getParameter as unknown as jest.Mock<Promise<unknown>>;

const s3 = mockClient(S3Client);
const sts = mockClient(STSClient);

const CENTRAL = '111122223333';
const [A, B, C] = ['222222222222', '333333333333', '444444444444'];
const KEY_ARN = `arn:aws-us-gov:kms:us-gov-west-1:${CENTRAL}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const ORGANIZATION = { enabled: true, organizationId: 'o-a1b2c3d4e5', externalId: 'acme-soc2' };

function lambdaContext() {
  return {
    invokedFunctionArn: `arn:aws-us-gov:lambda:us-gov-west-1:${CENTRAL}:function:soc2-ml-member-collector`,
    getRemainingTimeInMillis: () => 600_000,
  };
}

const env = process.env;
let bucket: Map<string, Uint8Array>;

beforeEach(() => {
  s3.reset();
  sts.reset();
  getParameterMock.mockReset();
  bucket = serveBucketFromMemory(s3);
  process.env = {
    ...env,
    AWS_REGION: 'us-gov-west-1',
    EVIDENCE_BUCKET: 'soc2-evidence-bucket',
    EVIDENCE_KMS_KEY_ARN: KEY_ARN,
    CONFIG_PARAMETER: '/soc2-ml/config',
    RUN_DATA_BUCKET: 'soc2-run-data',
  };
});

afterAll(() => {
  process.env = env;
});

describe('collect-member handler', () => {
  it.each([
    ['an account that is not 12 digits', { collector: 'kms', account: '1234', region: 'us-gov-west-1' }],
    ['an unknown collector', { collector: 'ec2', account: A, region: 'us-gov-west-1' }],
    ['no region', { collector: 'kms', account: A }],
    ['an unexpected key', { collector: 'kms', account: A, region: 'us-gov-west-1', roleArn: 'arn:aws:iam::1:role/x' }],
    ['an EventBridge schedule', { 'detail-type': 'Scheduled Event', id: 'x', time: '2026-11-26T06:00:00Z' }],
  ])('refuses %s before reading any configuration', async (_label, event) => {
    // Act
    const invocation = collectMember(event, lambdaContext());
    // Assess
    await expect(invocation).rejects.toBeInstanceOf(ZodError);
    expect(getParameterMock).not.toHaveBeenCalled();
    expect(bucket.size).toBe(0);
  });

  it('runs one task in the partition of its own function ARN and stores the evidence', async () => {
    // Prepare: the member account has no role yet
    getParameterMock.mockResolvedValue({ regions: ['us-gov-west-1'], organization: { ...ORGANIZATION, accounts: [A] } });
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    // Act
    const result = await collectMember({ collector: 's3', account: A, region: GLOBAL_REGION }, lambdaContext());
    // Assess
    expect(result).toMatchObject({ collector: 's3', account: A, region: GLOBAL_REGION, status: 'unreachable', errors: 1 });
    expect(getParameterMock).toHaveBeenCalledWith('/soc2-ml/config', expect.objectContaining({ transform: 'json' }));
    const record = decodeEvidence(bucket.get(result.key!)!);
    expect(record.account).toBe(A);
    expect(record.errors[0]?.resource).toBe(`arn:aws-us-gov:iam::${A}:role/soc2-ml-evidence-collector`);
  });
});

describe('organization-run handler', () => {
  it('plans the ACTIVE listed accounts, less exclusions, in every configured region, into one run-data file per collector', async () => {
    // Prepare
    getParameterMock.mockResolvedValue({
      regions: ['us-gov-west-1', 'us-gov-east-1'],
      organization: { ...ORGANIZATION, organizationalUnits: ['ou-ab12-cdef3456'], excludeAccounts: [C] },
    });
    const listed = [
      { Id: B, State: 'ACTIVE', Arn: 'ignored', Name: 'staging' },
      { Id: A, Status: 'ACTIVE' },
      { Id: C, State: 'ACTIVE' },
      { Id: '555555555555', State: 'SUSPENDED' },
    ];
    // Act
    const output = (await organizationRun({ step: 'plan', runId: 'exec-1', listed })) as PlanOutput;
    // Assess
    expect(output).toMatchObject({ runId: 'exec-1', accounts: [A, B], startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(output.notCollected).toEqual([{ account: '555555555555', reason: 'account state SUSPENDED, not ACTIVE' }]);
    const planned = (collector: string) =>
      JSON.parse(new TextDecoder().decode(bucket.get(output.planKeys[collector as 'kms'])!)) as {
        account: string;
        region: string;
      }[];
    expect(output.planKeys.kms).toBe('plans/exec-1/kms.json');
    expect(planned('kms').map((t) => `${t.account}/${t.region}`)).toEqual([
      `${A}/us-gov-west-1`,
      `${A}/us-gov-east-1`,
      `${B}/us-gov-west-1`,
      `${B}/us-gov-east-1`,
    ]);
    expect(planned('iam').map((t) => t.region)).toEqual([GLOBAL_REGION, GLOBAL_REGION]);
    expect([...bucket.keys()].sort()).toEqual(Object.values(output.planKeys).sort());
  });

  it('plans the configured accounts when no listing is passed', async () => {
    // Prepare
    getParameterMock.mockResolvedValue({ regions: ['us-gov-west-1'], organization: { ...ORGANIZATION, accounts: [B, A] } });
    // Act
    const output = (await organizationRun({ step: 'plan', runId: 'exec-2' })) as PlanOutput;
    // Assess
    expect(output.accounts).toEqual([A, B]);
    expect(output.notCollected).toEqual([]);
    expect(JSON.parse(new TextDecoder().decode(bucket.get(output.planKeys.s3)!))).toHaveLength(2);
  });

  it('stores the summary of the results the maps wrote to S3, recomputing the plan to find missing tasks', async () => {
    // Prepare: one ResultWriter manifest per map, COMPACT JSON result files, one child failed outright
    getParameterMock.mockResolvedValue({ regions: ['us-gov-west-1'], organization: { ...ORGANIZATION, accounts: [A] } });
    const put = (key: string, value: unknown) => bucket.set(key, new TextEncoder().encode(JSON.stringify(value)));
    const maps = [
      [{ collector: 's3', account: A, region: GLOBAL_REGION, status: 'collected', errors: 0 }],
      [{ collector: 'iam', account: A, region: GLOBAL_REGION, status: 'unreachable', errors: 1 }],
      [],
      [],
      // An entry as written without the COMPACT transformation: the output as JSON text.
      [
        {
          Input: JSON.stringify({ collector: 'cloudtrail', account: A, region: 'us-gov-west-1' }),
          Output: JSON.stringify({
            collector: 'cloudtrail',
            account: A,
            region: 'us-gov-west-1',
            status: 'collected',
            errors: 0,
          }),
          Status: 'SUCCEEDED',
        },
      ],
      [{ collector: 'bedrock', account: A, region: 'us-gov-west-1', status: 'collected', errors: 0 }],
      [{ collector: 'ecr', account: A, region: 'us-gov-west-1', status: 'collected', errors: 0 }],
      ...(['guardduty', 'securityhub', 'inspector', 'backup', 'macie'] as const).map((collector) => [
        { collector, account: A, region: 'us-gov-west-1', status: 'collected', errors: 0 },
      ]),
    ];
    const results = maps.map((outputs, index) => {
      const manifest = `results/map-${index}/manifest.json`;
      put(`results/map-${index}/SUCCEEDED_0.json`, outputs);
      const failed = index === 2 ? [{ Key: `results/map-${index}/FAILED_0.json`, Size: 1 }] : [];
      if (index === 2)
        put(`results/map-${index}/FAILED_0.json`, [
          {
            ExecutionArn: 'arn:aws-us-gov:states:us-gov-west-1:111122223333:execution:x:y',
            Input: JSON.stringify({ collector: 'kms', account: A, region: 'us-gov-west-1' }),
            Status: 'FAILED',
            Error: 'States.Timeout',
            Cause: 'child timed out',
          },
        ]);
      put(manifest, {
        DestinationBucket: 'soc2-run-data',
        MapRunArn: 'arn:aws-us-gov:states:us-gov-west-1:111122223333:mapRun:x/y:z',
        ResultFiles: { SUCCEEDED: [{ Key: `results/map-${index}/SUCCEEDED_0.json`, Size: 1 }], FAILED: failed, PENDING: [] },
      });
      return { Bucket: 'soc2-run-data', Key: manifest };
    });
    // Act
    const output = (await organizationRun({
      step: 'summary',
      runId: 'exec-3',
      startedAt: '2026-11-26T06:00:00.000Z',
      accounts: [A],
      notCollected: [{ account: C, reason: 'account state SUSPENDED, not ACTIVE' }],
      results,
    })) as SummaryOutput;
    // Assess
    const stored = bucket.get('runs/v1/date=2026-11-26/exec-3.json');
    expect(stored).toBeDefined();
    const summary = JSON.parse(new TextDecoder().decode(stored)) as RunSummary;
    expect(output).toEqual({
      key: 'runs/v1/date=2026-11-26/exec-3.json',
      byStatus: summary.byStatus,
      problems: 2,
      missing: 1,
      notCollected: 1,
    });
    expect(summary.byStatus).toEqual({ collected: 9, unreachable: 1, failed: 1 });
    expect(summary.problems).toContainEqual(
      expect.objectContaining({ collector: 'kms', status: 'failed', message: 'States.Timeout: child timed out' }),
    );
    expect(summary.missing).toEqual([{ collector: 'sagemaker', account: A, region: 'us-gov-west-1' }]);
    expect(summary.notCollected).toEqual([{ account: C, reason: 'account state SUSPENDED, not ACTIVE', status: 'ERROR' }]);
    // ... and in the report: one evidence record per collector and region, holding the reason as an error
    const recorded = [...bucket.keys()].filter((key) => key.startsWith('evidence/v1/') && key.includes(`account=${C}`));
    expect(recorded).toHaveLength(COLLECTOR_NAMES.length);
    for (const key of recorded)
      expect(decodeEvidence(bucket.get(key)!).errors).toEqual([
        {
          api: 'organizations:ListAccountsForParent',
          resource: C,
          code: 'AccountNotCollected',
          message: 'account state SUSPENDED, not ACTIVE',
        },
      ]);
    expect(s3).toHaveReceivedCommandWith(PutObjectCommand, { SSEKMSKeyId: KEY_ARN, IfNoneMatch: '*' });
  });

  it('keeps what returns to the state machine under 256 KiB for 1,000 accounts in 4 regions, every task failed', async () => {
    // Prepare: Step Functions limits a task result and a state to 256 KiB
    const regions = ['us-gov-west-1', 'us-gov-east-1', 'us-east-1', 'us-west-2'];
    const accounts = Array.from({ length: 1000 }, (_, i) => String(100_000_000_000 + i));
    getParameterMock.mockResolvedValue({ regions, organization: { ...ORGANIZATION, organizationalUnits: ['r-ab12'] } });
    const listed = accounts.map((Id) => ({ Id, Status: 'ACTIVE', State: 'ACTIVE' }));
    const LIMIT = 256 * 1024;

    // Act: plan, then a summary of maps whose every child failed
    const plan = (await organizationRun({ step: 'plan', runId: 'big', listed })) as PlanOutput;
    const results = Object.entries(plan.planKeys).map(([collector, key]) => {
      const tasks = JSON.parse(new TextDecoder().decode(bucket.get(key)!)) as { account: string; region: string }[];
      const failed = tasks.map((t) => ({ ...t, collector, status: 'failed', message: 'Lambda.Unknown: '.padEnd(300, 'x') }));
      bucket.set(`results/${collector}/SUCCEEDED_0.json`, new TextEncoder().encode(JSON.stringify(failed)));
      bucket.set(
        `results/${collector}/manifest.json`,
        new TextEncoder().encode(
          JSON.stringify({ ResultFiles: { SUCCEEDED: [{ Key: `results/${collector}/SUCCEEDED_0.json` }] } }),
        ),
      );
      return { Bucket: 'soc2-run-data', Key: `results/${collector}/manifest.json` };
    });
    const { runId, startedAt, notCollected } = plan;
    const summary = (await organizationRun({
      step: 'summary',
      runId,
      startedAt,
      accounts: plan.accounts,
      notCollected,
      results,
    })) as SummaryOutput;

    // Assess
    expect(JSON.stringify({ listed }).length).toBeLessThan(LIMIT);
    expect(JSON.stringify(plan).length).toBeLessThan(LIMIT);
    expect(JSON.stringify(results).length).toBeLessThan(LIMIT);
    // Two global collectors (s3, iam), the others once per region.
    expect(summary.byStatus.failed).toBe(1000 * (2 + (COLLECTOR_NAMES.length - 2) * regions.length));
    expect(JSON.stringify(summary).length).toBeLessThan(LIMIT);
  });

  it.each([
    ['an unknown step', { step: 'collect', runId: 'x' }],
    ['a plan without a run id', { step: 'plan' }],
    ['a plan with an unexpected key', { step: 'plan', runId: 'x', accounts: [A] }],
    ['a summary without its results', { step: 'summary', runId: 'x', startedAt: 's', accounts: [A] }],
    [
      'a summary with a result location without its key',
      {
        step: 'summary',
        runId: 'x',
        startedAt: 's',
        accounts: [A],
        results: [{ Bucket: 'soc2-run-data' }],
      },
    ],
  ])('refuses %s and stores nothing', async (_label, event) => {
    // Prepare
    getParameterMock.mockResolvedValue({ organization: { ...ORGANIZATION, accounts: [A] } });
    // Act
    const invocation = organizationRun(event);
    // Assess
    await expect(invocation).rejects.toBeInstanceOf(ZodError);
    expect(bucket.size).toBe(0);
  });
});
