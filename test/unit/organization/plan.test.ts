import { parseConfig, type Soc2MlConfigInput } from '../../../lambdas/config/schema';
import { COLLECTOR_NAMES, GLOBAL_REGION } from '../../../lambdas/evidence/record';
import {
  accountSelected,
  type ListedAccount,
  type MemberTaskResult,
  planRun,
  RUN_SUMMARY_PREFIX,
  runSummaryKey,
  selectAccounts,
  summarizeRun,
} from '../../../lambdas/organization/plan';

const ORGANIZATION_ID = 'o-a1b2c3d4e5';
const [A, B, C, D] = ['111111111111', '222222222222', '333333333333', '444444444444'];

/** The organisation settings as the validated configuration holds them. */
const organization = (settings: Omit<NonNullable<Soc2MlConfigInput['organization']>, 'enabled'> = {}) =>
  parseConfig({
    organization: {
      enabled: true,
      organizationId: ORGANIZATION_ID,
      externalId: 'acme-soc2',
      ...(settings.accounts === undefined ? { organizationalUnits: ['ou-ab12-cdef3456'] } : {}),
      ...settings,
    },
  }).organization;

describe('selectAccounts', () => {
  it('takes the ACTIVE accounts of every listed OU, unique and sorted', () => {
    // Prepare: two OUs' listings concatenated, as the state machine hands them over
    const firstUnit: ListedAccount[] = [
      { Id: C, State: 'ACTIVE' },
      { Id: A, Status: 'ACTIVE' },
    ];
    const secondUnit: ListedAccount[] = [
      { Id: B, State: 'ACTIVE' },
      { Id: A, State: 'ACTIVE' },
    ];
    // Act
    const accounts = selectAccounts(organization({ organizationalUnits: ['ou-ab12-cdef3456', 'ou-ab12-7890abcd'] }), [
      ...firstUnit,
      ...secondUnit,
    ]);
    // Assess
    expect(accounts).toEqual([A, B, C]);
  });

  it.each([
    ['SUSPENDED', { Id: B, Status: 'SUSPENDED' }],
    ['PENDING_CLOSURE', { Id: B, State: 'PENDING_CLOSURE' }],
    ['CLOSED', { Id: B, State: 'CLOSED' }],
    ['without any status', { Id: B }],
  ])('leaves out an account %s', (_label, listed: ListedAccount) => {
    expect(selectAccounts(organization(), [{ Id: A, State: 'ACTIVE' }, listed])).toEqual([A]);
  });

  it('reads the newer State before the older Status', () => {
    // Prepare: Organizations reports State; Status is deprecated and may lag
    const listed: ListedAccount[] = [
      { Id: A, State: 'SUSPENDED', Status: 'ACTIVE' },
      { Id: B, State: 'ACTIVE', Status: 'SUSPENDED' },
    ];
    // Act / Assess
    expect(selectAccounts(organization(), listed)).toEqual([B]);
  });

  it('removes excluded accounts from the listing', () => {
    const listed: ListedAccount[] = [A, B, C].map((Id) => ({ Id, State: 'ACTIVE' }));
    expect(selectAccounts(organization({ excludeAccounts: [B] }), listed)).toEqual([A, C]);
  });

  it('takes the explicit account list over any listing, unique and sorted, exclusions still applied', () => {
    // Prepare
    const settings = organization({ accounts: [D, A, C, A], excludeAccounts: [C] });
    // Act
    const accounts = selectAccounts(settings, [{ Id: B, State: 'ACTIVE' }]);
    // Assess
    expect(accounts).toEqual([A, D]);
  });

  it('selects nothing when no listing arrived and no account is named', () => {
    expect(selectAccounts(organization(), undefined)).toEqual([]);
  });

  it('answers accountSelected from the same rules (used by the change path)', () => {
    const explicit = organization({ accounts: [A, B], excludeAccounts: [B] });
    expect([A, B, C].map((account) => accountSelected(explicit, account))).toEqual([true, false, false]);
    expect(accountSelected(organization({ excludeAccounts: [C] }), D)).toBe(true);
  });
});

describe('planRun', () => {
  it('plans one task per collector and account, in every region for regional collectors and once for global ones', () => {
    // Act
    const plan = planRun([A, B], ['us-east-1', 'eu-west-1']);
    // Assess
    expect(Object.keys(plan).sort()).toEqual([...COLLECTOR_NAMES].sort());
    expect(plan.iam).toEqual([
      { collector: 'iam', account: A, region: GLOBAL_REGION },
      { collector: 'iam', account: B, region: GLOBAL_REGION },
    ]);
    expect(plan.s3.map((t) => t.region)).toEqual([GLOBAL_REGION, GLOBAL_REGION]);
    expect(plan.sagemaker).toEqual([
      { collector: 'sagemaker', account: A, region: 'us-east-1' },
      { collector: 'sagemaker', account: A, region: 'eu-west-1' },
      { collector: 'sagemaker', account: B, region: 'us-east-1' },
      { collector: 'sagemaker', account: B, region: 'eu-west-1' },
    ]);
    for (const collector of ['kms', 'cloudtrail'] as const) expect(plan[collector]).toHaveLength(4);
  });

  it('plans nothing for no accounts', () => {
    expect(Object.values(planRun([], ['us-east-1'])).flat()).toEqual([]);
  });
});

describe('summarizeRun', () => {
  const plan = planRun([A, B], ['us-east-1']);
  const collected = (task: { collector: MemberTaskResult['collector']; account: string; region: string }): MemberTaskResult => ({
    ...task,
    status: 'collected',
    key: `evidence/v1/${task.collector}/${task.account}`,
    resources: 3,
    errors: 0,
  });

  it('counts every result by status and collector, and lists what did not end as collected', () => {
    // Prepare: A reached everywhere; B without the member role; one sagemaker task out of retries
    const unreachable: MemberTaskResult[] = COLLECTOR_NAMES.filter((c) => c !== 'sagemaker').map((collector) => ({
      ...plan[collector].find((t) => t.account === B)!,
      status: 'unreachable',
      errors: 1,
      message: 'AccessDenied: not authorized to perform sts:AssumeRole',
    }));
    const failed: MemberTaskResult = {
      collector: 'sagemaker',
      account: B,
      region: 'us-east-1',
      status: 'failed',
      message: 'States.Timeout: task timed out',
    };
    const results = [
      ...Object.values(plan).flatMap((tasks) => tasks.filter((t) => t.account === A).map(collected)),
      ...unreachable,
      failed,
    ];
    // Act
    const summary = summarizeRun({
      runId: 'run-1',
      startedAt: '2026-11-26T06:00:00.000Z',
      finishedAt: '2026-11-26T06:20:00.000Z',
      plan,
      results,
    });
    // Assess
    expect(summary).toMatchObject({
      runId: 'run-1',
      accounts: [A, B],
      regions: [GLOBAL_REGION, 'us-east-1'],
      tasks: 2 * COLLECTOR_NAMES.length,
      byStatus: { collected: COLLECTOR_NAMES.length, unreachable: COLLECTOR_NAMES.length - 1, failed: 1 },
      missing: [],
    });
    expect(summary.byCollector.sagemaker).toEqual({ collected: 1, unreachable: 0, failed: 1 });
    expect(summary.byCollector.iam).toEqual({ collected: 1, unreachable: 1, failed: 0 });
    expect(summary.problems).toEqual([...unreachable, failed]);
  });

  it('names the planned tasks that returned no result at all', () => {
    // Prepare: every task but B's kms
    const results = Object.values(plan)
      .flat()
      .filter((t) => !(t.collector === 'kms' && t.account === B))
      .map(collected);
    // Act
    const summary = summarizeRun({ runId: 'run-2', startedAt: 's', finishedAt: 'f', plan, results });
    // Assess
    expect(summary.byStatus).toEqual({ collected: 2 * COLLECTOR_NAMES.length - 1, unreachable: 0, failed: 0 });
    expect(summary.missing).toEqual([{ collector: 'kms', account: B, region: 'us-east-1' }]);
    expect(summary.problems).toEqual([]);
  });
});

describe('runSummaryKey', () => {
  it('files the summary by the date the run started, under the run-summary prefix', () => {
    expect(runSummaryKey('a1b2c3', '2026-11-26T06:00:00.000Z')).toBe(`${RUN_SUMMARY_PREFIX}date=2026-11-26/a1b2c3.json`);
  });

  it('keeps an execution name from escaping its folder', () => {
    // Act
    const key = runSummaryKey('../../evidence/v1/x y:z', '2026-11-26T06:00:00.000Z');
    // Assess
    expect(key).toBe('runs/v1/date=2026-11-26/..-..-evidence-v1-x-y-z.json');
    expect(key.split('/')).toHaveLength(4);
  });
});
