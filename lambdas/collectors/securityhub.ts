import { DescribeHubCommand, paginateGetEnabledStandards } from '@aws-sdk/client-securityhub';
import type { EvidenceResource } from '../evidence/record';
import { SECURITYHUB_HUB_TYPE, type SecurityHubHubConfiguration } from '../evidence/resources/securityhub';
import { securityHubService } from '../services/securityhub/descriptor';
import { CollectionLog } from './collection-log';
import { callUnlessNotEnabled } from './not-enabled';
import { collectPages } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

/**
 * DescribeHub in a region where the account has not enabled Security Hub answers
 * InvalidAccessException "Account <id> is not subscribed to AWS Security Hub" ("InvalidAccessException:
 * there is an issue with the account used to make the request. Either Security Hub is not enabled
 * for the account, or the account does not have permission", Security Hub API reference, Common
 * errors, https://docs.aws.amazon.com/securityhub/1.0/APIReference/CommonErrors.html): the message
 * tells the two apart.
 */
const NOT_SUBSCRIBED = { code: 'InvalidAccessException', message: /not subscribed to AWS Security Hub/i };

export const securityHubCollector: Collector = {
  name: 'securityhub',
  version: '1.0.0',
  global: securityHubService.global,
  collect: collectSecurityHub,
};

/** The region's hub and its enabled standards; no resource when the account is not subscribed there. */
export async function collectSecurityHub(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const securityHub = context.clients.securityHub(context.region);
  const hub = await callUnlessNotEnabled(
    log,
    'securityhub:DescribeHub',
    () => securityHub.send(new DescribeHubCommand({})),
    NOT_SUBSCRIBED,
  );
  const resources: EvidenceResource[] = [];
  if (hub.status === 'absent') log.note(undefined, `Security Hub is not enabled in ${context.region}`);
  if (hub.status === 'ok') {
    const arn = hub.value.HubArn ?? `arn:aws:securityhub:${context.region}:${context.account}:hub/default`;
    const standards = await collectPages(
      log,
      'securityhub:GetEnabledStandards',
      arn,
      () => paginateGetEnabledStandards({ client: securityHub, pageSize: securityHubService.pageSizes.standards }, {}),
      (page) => page.StandardsSubscriptions,
    );
    // SubscribedAt is an ISO 8601 string in the API (not a timestamp shape): kept as written.
    const configuration: SecurityHubHubConfiguration = {
      ...(hub.value.SubscribedAt ? { subscribedAt: hub.value.SubscribedAt } : {}),
      ...(standards
        ? {
            standards: standards.map((s) => ({
              standardsArn: s.StandardsArn ?? s.StandardsSubscriptionArn ?? '',
              status: s.StandardsStatus ?? 'UNKNOWN',
            })),
          }
        : {}),
    };
    resources.push({ arn, type: SECURITYHUB_HUB_TYPE, region: context.region, configuration, tags: {} });
  }
  context.progress?.(
    `securityhub ${context.region}: ${hub.status === 'ok' ? 'enabled' : hub.status === 'absent' ? 'not enabled' : 'unknown'}`,
  );
  return { resources, ...log.output() };
}
