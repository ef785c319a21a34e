import {
  GetGroupCommand,
  GetPolicyCommand,
  GetRoleCommand,
  GetUserCommand,
  paginateListGroups,
  paginateListPolicies,
  paginateListRoles,
  paginateListUsers,
} from '@aws-sdk/client-iam';
import pLimit from 'p-limit';
import type { EvidenceResource } from '../../evidence/record';
import { iamAccountArn, iamAdministratorsArn } from '../../evidence/resources/iam';
import { iamService } from '../../services/iam/descriptor';
import { CollectionLog } from '../collection-log';
import { collectListing } from '../pages';
import type { Collector, CollectorContext, CollectorOutput } from '../types';
import { describeAccountLevel } from './account';
import { administratorInventory } from './admin-inventory';
import { obtainCredentialReport } from './credential-report';
import { describeGroup, describePolicy, describeRole, describeUser } from './principals';
import { type IamRun, NO_SUCH_ENTITY } from './run';

// IAM resources carry no tags: the list calls return none, a Get per principal would double the
// calls for data no check reads, and recording none in every run keeps full and single-resource
// evidence comparable.

export const iamCollector: Collector = {
  name: 'iam',
  version: '1.0.0',
  global: iamService.global,
  collect: collectIam,
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Account, users, groups, roles, customer managed policies and who is an administrator; or one of them. */
export async function collectIam(context: CollectorContext): Promise<CollectorOutput> {
  const log = new CollectionLog(context.deadline);
  const run: IamRun = { context, iam: context.clients.iam(), log, limit: pLimit(Math.max(1, context.settings.concurrency)) };
  const resources = context.scope.type === 'all' ? await collectAccount(run) : await collectOne(run, context.scope.resource);
  return { resources, ...log.output() };
}

async function collectAccount(run: IamRun): Promise<EvidenceResource[]> {
  const { context, iam, log } = run;
  const accountArn = iamAccountArn(context.account);
  const report = await obtainCredentialReport({
    iam,
    log,
    resource: accountArn,
    now: context.clock(),
    maxAgeHours: context.settings.credentialReportMaxAgeHours,
    sleep: context.sleep ?? realSleep,
  });
  const reportRows = new Map((report?.rows ?? []).map((row) => [row.arn, row]));

  const [account, users, groups, roles, policies] = await Promise.all([
    describeAccountLevel(run, report),
    collectListing(
      log,
      'iam:ListUsers',
      () => paginateListUsers({ client: iam, pageSize: iamService.pageSizes.listings }, {}),
      (p) => p.Users,
    ),
    collectListing(
      log,
      'iam:ListGroups',
      () => paginateListGroups({ client: iam, pageSize: iamService.pageSizes.listings }, {}),
      (p) => p.Groups,
    ),
    collectListing(
      log,
      'iam:ListRoles',
      () => paginateListRoles({ client: iam, pageSize: iamService.pageSizes.listings }, {}),
      (p) => p.Roles,
    ),
    collectListing(
      log,
      'iam:ListPolicies',
      () =>
        paginateListPolicies({ client: iam, pageSize: iamService.pageSizes.listings }, { Scope: 'Local', OnlyAttached: false }),
      (p) => p.Policies,
    ),
  ]);
  context.progress?.(
    `iam: ${users.items.length} users, ${roles.items.length} roles, ${policies.items.length} customer managed policies`,
  );

  // What the listings returned is described even when one stopped part-way: checks judge it and
  // report the incomplete listing as ERROR besides.
  const described = await Promise.all([
    ...users.items.map((user) => run.limit(() => describeUser(run, user, report ? reportRows : undefined))),
    ...groups.items.map((group) => run.limit(() => describeGroup(run, group))),
    ...roles.items.map((role) => run.limit(() => describeRole(run, role))),
    ...policies.items.map((policy) => run.limit(() => describePolicy(run, policy))),
  ]);
  const resources = [account, ...described.filter((r): r is EvidenceResource => r !== undefined)];
  const listings = { 'iam:ListUsers': users, 'iam:ListGroups': groups, 'iam:ListRoles': roles, 'iam:ListPolicies': policies };
  const unfinished = Object.entries(listings)
    .filter(([, listing]) => !listing.complete)
    .map(([api]) => api);
  const inventory = administratorInventory(context.account, described, unfinished);
  if ('missing' in inventory) {
    log.error('iam:AdministratorInventory', iamAdministratorsArn(context.account), {
      name: 'IncompleteEvidence',
      message: `administrator inventory not computed: ${inventory.missing}`,
    });
  } else resources.push(inventory);
  return resources;
}

/** Re-describes one user, group, role, customer managed policy, or the account (its root ARN). */
async function collectOne(run: IamRun, resource: string): Promise<EvidenceResource[]> {
  const { context, iam, log } = run;
  if (resource === iamAccountArn(context.account, resource.split(':')[1])) return [await describeAccountLevel(run)];
  const match = /^arn:aws[a-z-]*:iam::\d{12}:(user|group|role|policy)\/(?:.*\/)?([^/]+)$/.exec(resource);
  if (!match) {
    log.error('iam:collect', resource, { name: 'UnsupportedScope', message: 'not an IAM user, group, role or policy ARN' });
    return [];
  }
  const [, kind, name] = match as unknown as [string, 'user' | 'group' | 'role' | 'policy', string];
  const fetch = {
    user: async () => {
      const got = await log.call('iam:GetUser', resource, () => iam.send(new GetUserCommand({ UserName: name })), NO_SUCH_ENTITY);
      return got.status === 'ok' && got.value.User ? describeUser(run, got.value.User) : got.status;
    },
    group: async () => {
      const got = await log.call(
        'iam:GetGroup',
        resource,
        () => iam.send(new GetGroupCommand({ GroupName: name })),
        NO_SUCH_ENTITY,
      );
      return got.status === 'ok' && got.value.Group ? describeGroup(run, got.value.Group) : got.status;
    },
    role: async () => {
      const got = await log.call('iam:GetRole', resource, () => iam.send(new GetRoleCommand({ RoleName: name })), NO_SUCH_ENTITY);
      return got.status === 'ok' && got.value.Role ? describeRole(run, got.value.Role) : got.status;
    },
    policy: async () => {
      const got = await log.call(
        'iam:GetPolicy',
        resource,
        () => iam.send(new GetPolicyCommand({ PolicyArn: resource })),
        NO_SUCH_ENTITY,
      );
      return got.status === 'ok' && got.value.Policy ? describePolicy(run, got.value.Policy) : got.status;
    },
  };
  const described = await fetch[kind]();
  if (described === 'absent') {
    log.note(resource, `${kind} no longer exists`);
    log.deleted.push(resource);
    return [];
  }
  return typeof described === 'object' ? [described] : [];
}
