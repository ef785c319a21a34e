import { Aws, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { COLLECTOR_READ_GRANTS, expandArnPattern } from '../lambdas/collectors/permissions';
import type { CollectorName } from '../lambdas/evidence/record';
import { acknowledgeWildcardResource } from './function-parts';

/** Which collectors' read permissions a role carries, and in which regions. */
export interface CollectorReadScope {
  collectors: readonly CollectorName[];
  /** Regions the collectors describe: regional permissions name exactly these. */
  regions: readonly string[];
}

function arns(scope: Construct, pattern: string, regions: readonly string[]): string[] {
  return expandArnPattern(pattern, { partition: Aws.PARTITION, account: Stack.of(scope).account, regions });
}

/** The read-only statements of the permissions table, one per grant. */
export function collectorReadStatements(scope: Construct, read: CollectorReadScope): PolicyStatement[] {
  return read.collectors.flatMap((collector) =>
    COLLECTOR_READ_GRANTS[collector].map(
      (grant) =>
        new PolicyStatement({
          actions: [...grant.actions],
          resources: grant.resources === '*' ? ['*'] : grant.resources.flatMap((pattern) => arns(scope, pattern, read.regions)),
        }),
    ),
  );
}

/**
 * Collectors describe every resource of a type in the account (or, for `*`, the action has no
 * resource-level permissions): each wildcard is acknowledged on the role that holds it.
 */
export function acknowledgeCollectorReads(role: Construct, read: CollectorReadScope): void {
  for (const collector of read.collectors) {
    for (const grant of COLLECTOR_READ_GRANTS[collector]) {
      if (grant.resources === '*') {
        acknowledgeWildcardResource(
          role,
          '*',
          `${grant.actions.join(', ')}: no resource-level permissions; IAM accepts only "*".`,
        );
        continue;
      }
      for (const arn of grant.resources.flatMap((pattern) => arns(role, pattern, read.regions))) {
        acknowledgeWildcardResource(
          role,
          arn,
          `The ${collector} collector describes every resource of this type in the account (read-only).`,
        );
      }
    }
  }
}
