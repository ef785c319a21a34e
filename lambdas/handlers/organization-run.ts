import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import type { CollectorName } from '../evidence/record';
import { recordAccountsNotCollected } from '../organization/member-task';
import {
  type AccountNotCollected,
  accountsNotCollected,
  planRun,
  type RunSummary,
  runSummaryKey,
  selectAccounts,
  summarizeRun,
} from '../organization/plan';
import { readMapResults, resultWriterDetailsSchema, writePlan } from '../organization/run-data';
import { deployedEnvironment, requiredEnv } from './runtime';

const logger = new Logger();

const listedAccountSchema = z.looseObject({ Id: z.string(), Status: z.string().optional(), State: z.string().optional() });
const planEventSchema = z.strictObject({
  step: z.literal('plan'),
  runId: z.string().min(1),
  /** Organizations' listing (every account under the configured OUs), absent when the configuration names the accounts. */
  listed: z.array(listedAccountSchema).optional(),
});
const summaryEventSchema = z.strictObject({
  step: z.literal('summary'),
  runId: z.string().min(1),
  startedAt: z.string(),
  accounts: z.array(z.string()),
  notCollected: z.array(z.strictObject({ account: z.string(), reason: z.string() })).default([]),
  /** One ResultWriterDetails per collector's map. */
  results: z.array(resultWriterDetailsSchema),
});

export interface PlanOutput {
  runId: string;
  startedAt: string;
  accounts: string[];
  /** Accounts in scope that the run does not collect (not ACTIVE): the summary lists them as errors. */
  notCollected: AccountNotCollected[];
  /** collector -> key of its task list in the run-data bucket. */
  planKeys: Record<CollectorName, string>;
}

/** What the summary step returns to the state machine: counts only, the full summary is in S3. */
export interface SummaryOutput {
  key: string;
  byStatus: RunSummary['byStatus'];
  problems: number;
  missing: number;
  notCollected: number;
}

/**
 * The two ends of the organisation fan-out: `plan` turns the account listing into one task per
 * collector, account and region, written to the run-data bucket for the maps to read; `summary`
 * reads what the maps wrote there, records an error as evidence for every account in scope the
 * run could not collect, and stores what the run covered and what failed under runs/v1/ in the
 * evidence bucket.
 */
export async function handler(event: unknown): Promise<PlanOutput | SummaryOutput> {
  const { config, clients, store, homeRegion } = await deployedEnvironment();
  const runData = requiredEnv('RUN_DATA_BUCKET');
  const step = (event as { step?: unknown } | undefined)?.step;
  if (step === 'plan') {
    const input = planEventSchema.parse(event);
    const accounts = selectAccounts(config.organization, input.listed);
    const planKeys = await writePlan(clients.s3(), runData, input.runId, planRun(accounts, config.regions));
    const notCollected = accountsNotCollected(config.organization, input.listed);
    logger.info('organization run planned', { runId: input.runId, accounts: accounts.length, notCollected: notCollected.length });
    return { runId: input.runId, startedAt: new Date().toISOString(), accounts, notCollected, planKeys };
  }
  const input = summaryEventSchema.parse(event);
  const summary = summarizeRun({
    runId: input.runId,
    startedAt: input.startedAt,
    finishedAt: new Date().toISOString(),
    // The plan is a function of the accounts: recomputed rather than read back.
    plan: planRun(input.accounts, config.regions),
    results: await readMapResults(clients.s3(), input.results),
    notCollected: input.notCollected,
  });
  // Accounts in scope left out of the run are ERROR in the report too, through evidence records.
  await recordAccountsNotCollected(input.notCollected, { config, clients, store, homeRegion, clock: () => new Date() });
  const body = new TextEncoder().encode(JSON.stringify(summary, null, 2));
  const stored = await store.put(runSummaryKey(input.runId, input.startedAt), body, { contentType: 'application/json' });
  const troubled = summary.problems.length + summary.missing.length + summary.notCollected.length > 0;
  (troubled ? logger.error : logger.info).call(logger, 'organization run summary', {
    key: stored.key,
    byStatus: summary.byStatus,
    missing: summary.missing.length,
    notCollected: summary.notCollected.length,
  });
  // A task result is limited to 256 KiB: the run's problems can outgrow it, the counts cannot.
  return {
    key: stored.key,
    byStatus: summary.byStatus,
    problems: summary.problems.length,
    missing: summary.missing.length,
    notCollected: summary.notCollected.length,
  };
}
