import { AnyPrincipal, Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';

/** What would make every object the key protects (or every digest it signs) unusable at once. */
export const KEY_DESTRUCTION_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey'] as const;

/**
 * Denies scheduling the key's deletion and disabling it to every principal, account admins
 * included, so locked evidence cannot be made unreadable (or the chain unsealable) by one call.
 * Lifting the denial takes a kms:PutKeyPolicy, which CloudTrail records as a management event
 * in every account trail: the change is never silent.
 */
export function denyKeyDestruction(key: Key): void {
  key.addToResourcePolicy(
    new PolicyStatement({
      sid: 'DenyKeyDeletionAndDisabling',
      effect: Effect.DENY,
      principals: [new AnyPrincipal()],
      actions: [...KEY_DESTRUCTION_ACTIONS],
      resources: ['*'],
    }),
  );
}
