import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { memberTaskResultSchema } from '../organization/member-task';
import { type MemberRunPlan, planRun, type RunSummary, runSummaryKey, selectAccounts, summarizeRun } from '../organization/plan';
import { deployedEnvironment, loadConfig, requiredEnv } from './runtime';

const logger = new Logger();

const planEventSchema = z.strictObject({
  step: z.literal('plan'),
  runId: z.string().min(1),
  /** Organizations' listing, absent when the configuration names the accounts. */
  listed: z.array(z.looseObject({ Id: z.string(), Status: z.string().optional(), State: z.string().optional() })).optional(),
});
const summaryEventSchema = z.strictObject({
  step: z.literal('summary'),
  runId: z.string().min(1),
  startedAt: z.string(),
  accounts: z.array(z.string()),
  /** One array per collector's map. */
  results: z.array(z.array(memberTaskResultSchema)),
});

export interface PlanOutput {
  runId: string;
  startedAt: string;
  accounts: string[];
  plan: MemberRunPlan;
}

/**
 * The two ends of the organisation fan-out: `plan` turns the account listing into one task per
 * collector, account and region; `summary` stores what the run covered and what failed
 * under runs/v1/ in the evidence bucket.
 */
export async function handler(event: unknown): Promise<PlanOutput | RunSummary> {
  const config = await loadConfig(requiredEnv('CONFIG_PARAMETER'));
  const step = (event as { step?: unknown } | undefined)?.step;
  if (step === 'plan') {
    const input = planEventSchema.parse(event);
    const accounts = selectAccounts(config.organization, input.listed);
    logger.info('organization run planned', { runId: input.runId, accounts: accounts.length });
    return { runId: input.runId, startedAt: new Date().toISOString(), accounts, plan: planRun(accounts, config.regions) };
  }
  const input = summaryEventSchema.parse(event);
  const summary = summarizeRun({
    runId: input.runId,
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    // The plan is a function of the accounts: recomputed rather than carried through the state machine.
    plan: planRun(input.accounts, config.regions),
    results: input.results.flat(),
  });
  const { store } = await deployedEnvironment();
  const body = new TextEncoder().encode(JSON.stringify(summary, null, 2));
  const stored = await store.put(runSummaryKey(input.runId, input.startedAt), body, { contentType: 'application/json' });
  (summary.problems.length + summary.missing.length > 0 ? logger.error : logger.info).call(logger, 'organization run summary', {
    key: stored.key,
    byStatus: summary.byStatus,
    missing: summary.missing.length,
  });
  return summary;
}
