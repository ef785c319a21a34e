import type { CollectorName } from '../evidence/record';
import { readGrantsOf, SERVICES } from '../services';
import type { ArnPattern, ReadGrant } from '../services/types';

export type { ArnPattern, ReadGrant };

/**
 * The read-only permissions each collector needs, action by action, from its service
 * descriptor (services/<service>/descriptor.ts): the collector Lambda's role and the
 * member-account role are both built from this one table. Adding an SDK call to a collector
 * means adding its action to the descriptor, or the call fails with AccessDenied and is
 * recorded as a collection error.
 */
export const COLLECTOR_READ_GRANTS: Record<CollectorName, readonly ReadGrant[]> = readGrantsOf(SERVICES);

/** Every read action per collector, flattened: the table reviewers and the member-account role read. */
export const COLLECTOR_READ_ACTIONS: Record<CollectorName, string[]> = Object.fromEntries(
  Object.entries(COLLECTOR_READ_GRANTS).map(([name, grants]) => [name, grants.flatMap((grant) => [...grant.actions])]),
) as Record<CollectorName, string[]>;

export interface ArnPlaceholders {
  partition: string;
  account: string;
  regions: readonly string[];
}

/** Fills an ARN pattern in: one ARN, or one per region when the pattern names `{region}`. */
export function expandArnPattern(pattern: ArnPattern, values: ArnPlaceholders): string[] {
  const filled = pattern.replaceAll('{partition}', values.partition).replaceAll('{account}', values.account);
  if (!filled.includes('{region}')) return [filled];
  return values.regions.map((region) => filled.replaceAll('{region}', region));
}
