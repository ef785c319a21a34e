import type { IAMClient, AttachedPolicy as SdkAttachedPolicy } from '@aws-sdk/client-iam';
import { type EvidenceResource, GLOBAL_REGION } from '../../evidence/record';
import type { AttachedPolicy } from '../../evidence/resources/iam';
import type { CollectionLog } from '../collection-log';
import type { CollectorContext } from '../types';

/** IAM's query-protocol code and the SDK's exception name for "no such thing". */
export const NO_SUCH_ENTITY = ['NoSuchEntity', 'NoSuchEntityException'];

/** One IAM collection run: its context, client, log and concurrency limit, shared by every describe. */
export interface IamRun {
  context: CollectorContext;
  iam: IAMClient;
  log: CollectionLog;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
}

export const attached = (policies: SdkAttachedPolicy[] | undefined): AttachedPolicy[] | undefined =>
  policies?.map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));

/**
 * A principal the deadline left undescribed keeps its name only, so checks report it as ERROR
 * (the deadline error is recorded on its ARN) rather than skip it.
 */
export const undescribed = (arn: string, type: string, identity: Record<string, string>): EvidenceResource => ({
  arn,
  type,
  region: GLOBAL_REGION,
  configuration: identity,
  tags: {},
});
