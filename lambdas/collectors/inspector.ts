import { BatchGetAccountStatusCommand } from '@aws-sdk/client-inspector2';
import type { EvidenceResource } from '../evidence/record';
import { INSPECTOR_ACCOUNT_TYPE, type InspectorAccountConfiguration } from '../evidence/resources/inspector';
import { inspectorService } from '../services/inspector/descriptor';
import { CollectionLog } from './collection-log';
import type { Collector, CollectorContext, CollectorOutput } from './types';

export const inspectorCollector: Collector = {
  name: 'inspector',
  version: '1.0.0',
  global: inspectorService.global,
  collect: collectInspector,
};

/**
 * The account's Inspector status per resource type in the region. BatchGetAccountStatus answers
 * an AccountState (state and resourceState, both required,
 * https://docs.aws.amazon.com/inspector/v2/APIReference/API_AccountState.html) for each account
 * asked about, DISABLED where Inspector is off: that is the fact. An answer that does not list the
 * account (moto's, before Enable) or lists it among failedAccounts proves nothing and is an error.
 */
export async function collectInspector(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const inspector = context.clients.inspector(context.region);
  const arn = `arn:aws:iam::${context.account}:root`;
  const answer = await log.call('inspector2:BatchGetAccountStatus', undefined, () =>
    inspector.send(new BatchGetAccountStatusCommand({ accountIds: [context.account] })),
  );
  const resources: EvidenceResource[] = [];
  if (answer.status === 'ok') {
    const account = answer.value.accounts?.find((a) => a.accountId === context.account);
    const failed = answer.value.failedAccounts?.find((a) => a.accountId === context.account);
    if (account?.state?.status) {
      const resourceTypes: Record<string, string> = {};
      for (const [type, state] of Object.entries(account.resourceState ?? {}))
        if (state?.status) resourceTypes[type] = state.status;
      const configuration: InspectorAccountConfiguration = { status: account.state.status, resourceTypes };
      resources.push({ arn, type: INSPECTOR_ACCOUNT_TYPE, region: context.region, configuration, tags: {} });
    } else {
      log.error('inspector2:BatchGetAccountStatus', undefined, {
        name: failed?.errorCode ?? 'IncompleteAnswer',
        message: failed?.errorMessage ?? `the answer does not list account ${context.account}`,
      });
    }
  }
  context.progress?.(`inspector ${context.region}: ${resources.length ? 'status read' : 'no status'}`);
  return { resources, ...log.output() };
}
