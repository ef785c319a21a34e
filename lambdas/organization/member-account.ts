import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { AwsClientFactory } from '../aws/clients';
import { errorCode, errorMessage } from '../aws/errors';
import { type CollectionRun, runCollection } from '../collectors/run-collection';
import type { Collector, CollectorContext } from '../collectors/types';
import type { CollectionError, Trigger } from '../evidence/record';
import type { EvidenceStore } from '../evidence/store';

/** How central credentials reach a member account: the role every member account has, by name. */
export interface MemberRoleAccess {
  roleName: string;
  externalId?: string;
  /** The partition of the central account (aws, aws-cn, aws-us-gov). */
  partition: string;
  /** Shown in the member account's CloudTrail as the session name. */
  sessionName: string;
}

/** The API named in the evidence when the member role cannot be used. */
export const ASSUME_ROLE_API = 'sts:AssumeRole';

export function memberRoleArn(account: string, access: Pick<MemberRoleAccess, 'roleName' | 'partition'>): string {
  return `arn:${access.partition}:iam::${account}:role/${access.roleName}`;
}

/** `arn:<partition>:...` of any ARN; the commercial partition when it cannot be read. */
export function partitionOf(arn: string): string {
  return /^arn:([a-z-]+):/.exec(arn)?.[1] ?? 'aws';
}

/** STS session names allow [\w+=,.@-], 2 to 64 characters. */
export function sessionNameFor(purpose: string): string {
  return `soc2-ml-${purpose}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

export type MemberAccount = { ok: true; clients: AwsClientFactory } | { ok: false; error: CollectionError };

/**
 * Clients acting in a member account, proven before any collector runs: the role is assumed
 * and the identity it yields must belong to that account, so that evidence labelled with an
 * account always describes it. A failure is returned as the error to record, not thrown.
 */
export async function openMemberAccount(
  base: AwsClientFactory,
  account: string,
  access: MemberRoleAccess,
): Promise<MemberAccount> {
  const roleArn = memberRoleArn(account, access);
  const clients = base.assumingRole({
    roleArn,
    sessionName: access.sessionName,
    ...(access.externalId ? { externalId: access.externalId } : {}),
  });
  try {
    const identity = await clients.forRun().sts().send(new GetCallerIdentityCommand({}));
    if (identity.Account !== account) {
      return {
        ok: false,
        error: {
          api: ASSUME_ROLE_API,
          resource: roleArn,
          code: 'WrongAccount',
          message: `the credentials of ${roleArn} belong to account ${identity.Account ?? '(none)'}`,
        },
      };
    }
    return { ok: true, clients };
  } catch (err) {
    return {
      ok: false,
      error: { api: ASSUME_ROLE_API, resource: roleArn, code: errorCode(err), message: errorMessage(err) },
    };
  }
}

/**
 * The evidence of a collection that could not start because the member account was
 * unreachable: the usual record, empty, whose error names the AssumeRole failure, so the
 * report shows ERROR for that account rather than a gap.
 */
export async function recordUnreachableAccount(
  collector: Collector,
  context: CollectorContext,
  store: EvidenceStore,
  trigger: Trigger,
  error: CollectionError,
): Promise<CollectionRun> {
  const unreachable: Collector = {
    ...collector,
    collect: async () => ({ resources: [], errors: [error], notes: [], deleted: [] }),
  };
  return runCollection(unreachable, context, store, trigger);
}
