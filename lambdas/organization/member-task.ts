import { z } from 'zod';
import type { AwsClientFactory } from '../aws/clients';
import { COLLECTORS } from '../collectors/registry';
import type { Soc2MlConfig } from '../config/schema';
import { COLLECTOR_NAMES } from '../evidence/record';
import type { EvidenceStore } from '../evidence/store';
import { collectInto, collectionRegion } from '../flows/collect';
import { openMemberAccount, sessionNameFor } from './member-account';
import { type AccountNotCollected, type MemberTask, type MemberTaskResult, planRun } from './plan';

export const memberTaskSchema = z.strictObject({
  collector: z.enum(COLLECTOR_NAMES),
  account: z.string().regex(/^\d{12}$/),
  region: z.string().min(1),
});

export const memberTaskResultSchema = memberTaskSchema.extend({
  status: z.enum(['collected', 'unreachable', 'failed']),
  key: z.string().optional(),
  resources: z.number().optional(),
  errors: z.number().optional(),
  message: z.string().optional(),
});

export interface MemberTaskDeps {
  config: Soc2MlConfig;
  /** Central credentials: they assume the member role. */
  clients: AwsClientFactory;
  store: EvidenceStore;
  partition: string;
  /** Where global collectors call their endpoints. */
  homeRegion: string;
  deadline?: number;
  clock: () => Date;
}

/**
 * One collector in one member account and region, through the member role; the collector
 * itself is the scheduled one. An unusable role is recorded as errors in that account's
 * evidence; only a failure to store evidence throws, so that Step Functions retries it.
 */
export async function collectMemberTask(task: MemberTask, deps: MemberTaskDeps): Promise<MemberTaskResult> {
  const collector = COLLECTORS[task.collector];
  const { organization } = deps.config;
  const member = await openMemberAccount(deps.clients, task.account, {
    roleName: organization.memberRoleName,
    ...(organization.externalId ? { externalId: organization.externalId } : {}),
    partition: deps.partition,
    sessionName: sessionNameFor(`fanout-${collector.name}`),
  });
  const { record, stored } = await collectInto(deps.store, {
    collector,
    account: task.account,
    region: collectionRegion(collector, task.region, deps.homeRegion),
    clients: (member.ok ? member.clients : deps.clients).forRun(),
    clock: deps.clock,
    settings: deps.config.collection,
    ...(deps.deadline !== undefined ? { deadline: deps.deadline } : {}),
    trigger: { type: 'schedule' },
    ...(member.ok ? {} : { unreachable: member.error }),
  });
  return {
    ...task,
    status: member.ok ? 'collected' : 'unreachable',
    key: stored.key,
    resources: record.resources.length,
    errors: record.errors.length,
    ...(member.ok ? {} : { message: `${member.error.code}: ${member.error.message}` }),
  };
}

/**
 * Accounts in scope that a run cannot collect (not ACTIVE) get, per collector and region, the
 * usual evidence record holding one error that says why, as an unreachable account does: the
 * report then shows ERROR for them instead of nothing.
 */
export async function recordAccountsNotCollected(
  accounts: readonly AccountNotCollected[],
  deps: Pick<MemberTaskDeps, 'config' | 'clients' | 'store' | 'homeRegion' | 'clock'>,
): Promise<string[]> {
  const keys: string[] = [];
  for (const { account, reason } of accounts) {
    for (const task of Object.values(planRun([account], deps.config.regions)).flat()) {
      const collector = COLLECTORS[task.collector];
      const { stored } = await collectInto(deps.store, {
        collector,
        account,
        region: collectionRegion(collector, task.region, deps.homeRegion),
        clients: deps.clients.forRun(),
        clock: deps.clock,
        settings: deps.config.collection,
        trigger: { type: 'schedule' },
        unreachable: {
          api: 'organizations:ListAccountsForParent',
          resource: account,
          code: 'AccountNotCollected',
          message: reason,
        },
      });
      keys.push(stored.key);
    }
  }
  return keys;
}
