import { COLLECTORS } from '../collectors/registry';
import type { Soc2MlConfig } from '../config/schema';
import { RUN_SUMMARY_PREFIX } from '../evidence/layout';
import { COLLECTOR_NAMES, type CollectorName, GLOBAL_REGION } from '../evidence/record';

/** An account as Organizations ListAccounts / ListAccountsForParent returns it (State replaces the older Status). */
export interface ListedAccount {
  Id: string;
  Status?: string;
  State?: string;
}

type OrganizationSettings = Soc2MlConfig['organization'];

/** Whether an account is one the organisation settings collect (explicit list, exclusions). */
export function accountSelected(organization: OrganizationSettings, account: string): boolean {
  if (organization.excludeAccounts.includes(account)) return false;
  return organization.accounts === undefined || organization.accounts.includes(account);
}

/**
 * The member accounts of a run: the explicit list, or the listed accounts that are ACTIVE;
 * exclusions removed either way. Sorted and unique, so that runs are comparable.
 */
export function selectAccounts(organization: OrganizationSettings, listed: readonly ListedAccount[] | undefined): string[] {
  const candidates = organization.accounts ?? (listed ?? []).filter((a) => (a.State ?? a.Status) === 'ACTIVE').map((a) => a.Id);
  return [...new Set(candidates)].filter((account) => accountSelected(organization, account)).sort();
}

/** An account in scope that a run does not collect, and why: an ERROR line of the run summary. */
export interface AccountNotCollected {
  account: string;
  reason: string;
}

/**
 * Listed accounts (every account under the configured OUs, nested ones included) that are not
 * collected although not excluded: suspended or closing accounts cannot be assumed into.
 */
export function accountsNotCollected(
  organization: OrganizationSettings,
  listed: readonly ListedAccount[] | undefined,
): AccountNotCollected[] {
  if (organization.accounts !== undefined) return [];
  return (listed ?? [])
    .filter((a) => (a.State ?? a.Status) !== 'ACTIVE' && accountSelected(organization, a.Id))
    .map((a) => ({ account: a.Id, reason: `account state ${a.State ?? a.Status ?? 'unknown'}, not ACTIVE` }))
    .sort((a, b) => a.account.localeCompare(b.account));
}

/** One collector in one member account and region: one evidence record. */
export interface MemberTask {
  collector: CollectorName;
  account: string;
  /** GLOBAL_REGION for global collectors, which call through the home region. */
  region: string;
}

export type MemberRunPlan = Record<CollectorName, MemberTask[]>;

/** Every collector x account x region of a run, per collector so that each gets its own concurrency. */
export function planRun(accounts: readonly string[], regions: readonly string[]): MemberRunPlan {
  return Object.fromEntries(
    COLLECTOR_NAMES.map((collector) => [
      collector,
      accounts.flatMap((account) =>
        (COLLECTORS[collector].global ? [GLOBAL_REGION] : regions).map((region) => ({ collector, account, region })),
      ),
    ]),
  ) as MemberRunPlan;
}

/**
 * What one task ended as. `collected`: evidence stored (it may still hold recorded errors);
 * `unreachable`: the member role could not be used, recorded as errors in the evidence;
 * `failed`: retries exhausted and no evidence stored (the summary is the only trace).
 */
export interface MemberTaskResult extends MemberTask {
  status: 'collected' | 'unreachable' | 'failed';
  key?: string;
  resources?: number;
  errors?: number;
  message?: string;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  finishedAt: string;
  accounts: string[];
  regions: string[];
  tasks: number;
  byStatus: Record<MemberTaskResult['status'], number>;
  byCollector: Record<string, Record<MemberTaskResult['status'], number>>;
  /** Everything that did not end as `collected`, for follow-up. */
  problems: MemberTaskResult[];
  /** Tasks planned but absent from the results: never silent. */
  missing: MemberTask[];
  /** Accounts in scope the run could not collect at all (status ERROR): never silent. */
  notCollected: (AccountNotCollected & { status: 'ERROR' })[];
}

const taskKey = (t: MemberTask) => `${t.collector}|${t.account}|${t.region}`;
const zeroCounts = (): Record<MemberTaskResult['status'], number> => ({ collected: 0, unreachable: 0, failed: 0 });

/** The per-run account of what was covered and what failed. */
export function summarizeRun(input: {
  runId: string;
  startedAt: string;
  finishedAt: string;
  plan: MemberRunPlan;
  results: readonly MemberTaskResult[];
  notCollected?: readonly AccountNotCollected[];
}): RunSummary {
  const planned = Object.values(input.plan).flat();
  const seen = new Set(input.results.map(taskKey));
  const byCollector: RunSummary['byCollector'] = {};
  const byStatus = zeroCounts();
  for (const result of input.results) {
    byStatus[result.status] += 1;
    byCollector[result.collector] ??= zeroCounts();
    byCollector[result.collector]![result.status] += 1;
  }
  return {
    runId: input.runId,
    startedAt: input.startedAt,
    finishedAt: input.finishedAt,
    accounts: [...new Set(planned.map((t) => t.account))].sort(),
    regions: [...new Set(planned.map((t) => t.region))].sort(),
    tasks: planned.length,
    byStatus,
    byCollector,
    problems: input.results.filter((r) => r.status !== 'collected'),
    missing: planned.filter((t) => !seen.has(taskKey(t))),
    notCollected: (input.notCollected ?? []).map((a) => ({ ...a, status: 'ERROR' as const })),
  };
}

/** Run summaries (RUN_SUMMARY_PREFIX) live beside, not among, the evidence: the fan-out's summary writer may write only here. */
export { RUN_SUMMARY_PREFIX };

/** Where a run's summary is stored in the evidence bucket. */
export function runSummaryKey(runId: string, startedAt: string): string {
  return `${RUN_SUMMARY_PREFIX}date=${startedAt.slice(0, 10)}/${runId.replace(/[^\w.-]/g, '-')}.json`;
}
