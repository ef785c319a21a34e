import { PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import type { HandlerGrant } from '../lambdas/handlers/permissions';
import { acknowledgeWildcardResource } from './function-parts';

/** What the grants of a handler's table name, filled in by the construct that holds the role. */
export interface HandlerGrantTargets {
  evidenceBucket: IBucket;
  evidenceKey: IKey;
  logGroup: ILogGroup;
  /** config.slack.webhookSecretArn; the Slack grant is left out without it. */
  slackWebhookSecretArn?: string;
}

function objectArn(bucket: IBucket, keyOrPrefix: string): string {
  return bucket.arnForObjects(keyOrPrefix.endsWith('/') ? `${keyOrPrefix}*` : keyOrPrefix);
}

function resourcesOf(grant: HandlerGrant, targets: HandlerGrantTargets): string[] {
  switch (grant.resource) {
    case 'evidence-bucket':
      return [targets.evidenceBucket.bucketArn];
    case 'evidence-objects':
      return (grant.objects ?? []).map((key) => objectArn(targets.evidenceBucket, key));
    case 'evidence-kms-key':
      return [targets.evidenceKey.keyArn];
    case 'log-group':
      return [targets.logGroup.logGroupArn];
    case 'slack-webhook-secret':
      return targets.slackWebhookSecretArn ? [targets.slackWebhookSecretArn] : [];
    default:
      // The configuration parameter and the queues are granted by CDK (grantRead, SqsEventSource).
      return [];
  }
}

/**
 * The inline policies of a handler role, derived from its grant table (handlers/permissions.ts):
 * one statement per grant, in the document the grant names. Object prefixes are wildcards: each
 * is acknowledged on the role with the grant's reason.
 */
export function handlerInlinePolicies(
  grants: readonly HandlerGrant[],
  targets: HandlerGrantTargets,
  extraStatements: Partial<Record<NonNullable<HandlerGrant['policy']>, PolicyStatement[]>> = {},
): Record<string, PolicyDocument> {
  const statements = new Map<string, PolicyStatement[]>();
  for (const grant of grants) {
    if (!grant.policy) continue;
    const resources = resourcesOf(grant, targets);
    if (resources.length === 0) continue;
    const document = statements.get(grant.policy) ?? [];
    document.push(new PolicyStatement({ actions: [...grant.actions], resources }));
    statements.set(grant.policy, document);
  }
  for (const [policy, extra] of Object.entries(extraStatements)) {
    statements.set(policy, [...extra, ...(statements.get(policy) ?? [])]);
  }
  return Object.fromEntries([...statements].map(([policy, list]) => [policy, new PolicyDocument({ statements: list })]));
}

/** Acknowledges each object-prefix wildcard of a grant table on the role holding it. */
export function acknowledgeHandlerGrants(role: Construct, grants: readonly HandlerGrant[], targets: HandlerGrantTargets): void {
  for (const grant of grants) {
    if (grant.resource !== 'evidence-objects') continue;
    for (const key of grant.objects ?? []) {
      if (key.endsWith('/')) acknowledgeWildcardResource(role, objectArn(targets.evidenceBucket, key), grant.why);
    }
  }
}
