import {
  GetAccessKeyLastUsedCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetGroupCommand,
  GetGroupPolicyCommand,
  GetLoginProfileCommand,
  GetPolicyCommand,
  GetPolicyVersionCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  type Group,
  type IAMClient,
  type Policy,
  paginateListAccessKeys,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroups,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListPolicies,
  paginateListRolePolicies,
  paginateListRoles,
  paginateListUserPolicies,
  paginateListUsers,
  type Role,
  type AttachedPolicy as SdkAttachedPolicy,
  type User,
} from '@aws-sdk/client-iam';
import pLimit from 'p-limit';
import { type EvidenceResource, GLOBAL_REGION } from '../evidence/record';
import {
  type AccessKey,
  type Administrator,
  type AttachedPolicy,
  administratorGrants,
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_GROUP_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAccountConfiguration,
  type IamAdministratorsConfiguration,
  type IamGroupConfiguration,
  type IamManagedPolicyConfiguration,
  type IamRoleConfiguration,
  type IamUserConfiguration,
  type InlinePolicy,
  iamAccountArn,
  iamAdministratorsArn,
  SAGEMAKER_SERVICE_PRINCIPAL,
  trustsService,
} from '../evidence/resources/iam';
import { iamService } from '../services/iam/descriptor';
import { CollectionLog } from './collection-log';
import {
  type CredentialReport,
  type CredentialReportRow,
  obtainCredentialReport,
  ROOT_ACCOUNT_ROW,
} from './iam-credential-report';
import { collectListing, collectPages, iso, parsePolicyDocument } from './pages';
import type { Collector, CollectorContext, CollectorOutput } from './types';

// IAM resources carry no tags: the list calls return none, a Get per principal would double the
// calls for data no check reads, and recording none in every run keeps full and single-resource
// evidence comparable.

/** IAM's query-protocol code and the SDK's exception name for "no such thing". */
const NO_SUCH_ENTITY = ['NoSuchEntity', 'NoSuchEntityException'];

export const iamCollector: Collector = {
  name: 'iam',
  version: '1.0.0',
  global: iamService.global,
  collect: collectIam,
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface IamRun {
  context: CollectorContext;
  iam: IAMClient;
  log: CollectionLog;
  limit: <T>(fn: () => Promise<T>) => Promise<T>;
}

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

async function describeAccountLevel(run: IamRun, report?: CredentialReport): Promise<EvidenceResource> {
  const { context, iam, log } = run;
  const arn = iamAccountArn(context.account);
  const [summary, passwordPolicy] = await Promise.all([
    log.call('iam:GetAccountSummary', arn, () => iam.send(new GetAccountSummaryCommand({}))),
    log.call('iam:GetAccountPasswordPolicy', arn, () => iam.send(new GetAccountPasswordPolicyCommand({})), NO_SUCH_ENTITY),
  ]);
  const configuration: IamAccountConfiguration = {};
  if (summary.status === 'ok') configuration.summary = { ...(summary.value.SummaryMap ?? {}) } as Record<string, number>;
  if (passwordPolicy.status === 'absent') configuration.passwordPolicy = null;
  if (passwordPolicy.status === 'ok') {
    const policy = passwordPolicy.value.PasswordPolicy ?? {};
    configuration.passwordPolicy = {
      minimumPasswordLength: policy.MinimumPasswordLength ?? null,
      requireSymbols: policy.RequireSymbols === true,
      requireNumbers: policy.RequireNumbers === true,
      requireUppercaseCharacters: policy.RequireUppercaseCharacters === true,
      requireLowercaseCharacters: policy.RequireLowercaseCharacters === true,
      allowUsersToChangePassword: policy.AllowUsersToChangePassword === true,
      expirePasswords: policy.ExpirePasswords === true,
      maxPasswordAge: policy.MaxPasswordAge ?? null,
      passwordReusePrevention: policy.PasswordReusePrevention ?? null,
      hardExpiry: policy.HardExpiry === true,
    };
  }
  if (report) {
    configuration.credentialReport = { generatedAt: report.generatedAt.toISOString(), reused: report.reused };
    const root = report.rows.find((row) => row.user === ROOT_ACCOUNT_ROW);
    if (root) {
      configuration.rootCredentials = {
        passwordLastUsed: root.passwordLastUsed,
        mfaActive: root.mfaActive,
        accessKey1Active: root.accessKey1Active,
        accessKey2Active: root.accessKey2Active,
      };
    }
  }
  return { arn, type: IAM_ACCOUNT_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
}

const attached = (policies: SdkAttachedPolicy[] | undefined): AttachedPolicy[] | undefined =>
  policies?.map((p) => ({ name: p.PolicyName ?? '', arn: p.PolicyArn ?? '' }));

/**
 * A principal the deadline left undescribed keeps its name only, so checks report it as ERROR
 * (the deadline error is recorded on its ARN) rather than skip it.
 */
const undescribed = (arn: string, type: string, identity: Record<string, string>): EvidenceResource => ({
  arn,
  type,
  region: GLOBAL_REGION,
  configuration: identity,
  tags: {},
});

/** How each principal kind lists and reads its inline policies. */
const INLINE_POLICY_APIS = {
  user: {
    list: 'iam:ListUserPolicies',
    get: 'iam:GetUserPolicy',
    pages: (iam: IAMClient, UserName: string) =>
      paginateListUserPolicies({ client: iam, pageSize: iamService.pageSizes.listings }, { UserName }),
    document: async (iam: IAMClient, UserName: string, PolicyName: string) =>
      (await iam.send(new GetUserPolicyCommand({ UserName, PolicyName }))).PolicyDocument,
  },
  group: {
    list: 'iam:ListGroupPolicies',
    get: 'iam:GetGroupPolicy',
    pages: (iam: IAMClient, GroupName: string) =>
      paginateListGroupPolicies({ client: iam, pageSize: iamService.pageSizes.listings }, { GroupName }),
    document: async (iam: IAMClient, GroupName: string, PolicyName: string) =>
      (await iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName }))).PolicyDocument,
  },
  role: {
    list: 'iam:ListRolePolicies',
    get: 'iam:GetRolePolicy',
    pages: (iam: IAMClient, RoleName: string) =>
      paginateListRolePolicies({ client: iam, pageSize: iamService.pageSizes.listings }, { RoleName }),
    document: async (iam: IAMClient, RoleName: string, PolicyName: string) =>
      (await iam.send(new GetRolePolicyCommand({ RoleName, PolicyName }))).PolicyDocument,
  },
} as const;

/** A principal's inline policies with their documents; undefined when any list or get failed. */
async function inlinePoliciesOf(
  run: IamRun,
  arn: string,
  kind: keyof typeof INLINE_POLICY_APIS,
  name: string,
): Promise<InlinePolicy[] | undefined> {
  const apis = INLINE_POLICY_APIS[kind];
  const names = await collectPages(
    run.log,
    apis.list,
    arn,
    () => apis.pages(run.iam, name) as AsyncIterable<{ PolicyNames?: string[] }>,
    (p) => p.PolicyNames,
  );
  if (names === undefined) return undefined;
  const policies = await Promise.all(
    names.map(async (policyName) => {
      const outcome = await run.log.call(apis.get, arn, () => apis.document(run.iam, name, policyName));
      if (outcome.status !== 'ok') return undefined;
      const document = parsePolicyDocument(outcome.value);
      if (document === undefined)
        run.log.error(apis.get, arn, { name: 'MalformedPolicy', message: `inline policy ${policyName} is not valid JSON` });
      return { name: policyName, document };
    }),
  );
  return policies.every((p) => p !== undefined) ? policies : undefined;
}

/**
 * A user from ListUsers or GetUser. With a credential report (full runs) the console password
 * and MFA come from its row; without one (single-resource runs, or a user created after the
 * report) from GetLoginProfile and the MFA devices.
 */
async function describeUser(
  run: IamRun,
  user: User,
  reportRows?: Map<string, CredentialReportRow>,
): Promise<EvidenceResource | undefined> {
  const { iam, log } = run;
  const arn = user.Arn ?? '';
  const UserName = user.UserName ?? '';
  if (!log.mayDescribe(arn)) return undescribed(arn, IAM_USER_TYPE, { userName: UserName });

  const [groups, attachedPolicies, inlinePolicies, mfaDevices, accessKeys] = await Promise.all([
    collectPages(
      log,
      'iam:ListGroupsForUser',
      arn,
      () => paginateListGroupsForUser({ client: iam, pageSize: iamService.pageSizes.listings }, { UserName }),
      (p) => p.Groups?.map((g) => g.GroupName ?? ''),
    ),
    collectPages(
      log,
      'iam:ListAttachedUserPolicies',
      arn,
      () => paginateListAttachedUserPolicies({ client: iam, pageSize: iamService.pageSizes.listings }, { UserName }),
      (p) => attached(p.AttachedPolicies),
    ),
    inlinePoliciesOf(run, arn, 'user', UserName),
    collectPages(
      log,
      'iam:ListMFADevices',
      arn,
      () => paginateListMFADevices({ client: iam, pageSize: iamService.pageSizes.listings }, { UserName }),
      (p) => p.MFADevices?.map((d) => d.SerialNumber ?? ''),
    ),
    collectPages(
      log,
      'iam:ListAccessKeys',
      arn,
      () => paginateListAccessKeys({ client: iam, pageSize: iamService.pageSizes.listings }, { UserName }),
      (p) => p.AccessKeyMetadata,
    ),
  ]);

  const configuration: IamUserConfiguration = {
    userName: UserName,
    userId: user.UserId ?? '',
    path: user.Path ?? '/',
    ...(user.CreateDate ? { createDate: user.CreateDate.toISOString() } : {}),
  };
  if (groups) configuration.groups = groups;
  if (attachedPolicies) configuration.attachedPolicies = attachedPolicies;
  if (mfaDevices) configuration.mfaDevices = mfaDevices;
  if (inlinePolicies) configuration.inlinePolicies = inlinePolicies;
  if (accessKeys) configuration.accessKeys = await Promise.all(accessKeys.map((key) => describeAccessKey(run, arn, key)));

  const row = reportRows?.get(arn);
  if (row && row.passwordEnabled !== null) {
    configuration.credentialSource = 'credential-report';
    configuration.passwordEnabled = row.passwordEnabled;
    configuration.passwordLastUsed = row.passwordLastUsed;
    configuration.passwordLastChanged = row.passwordLastChanged;
    configuration.mfaActive = row.mfaActive;
  } else {
    const profile = await log.call(
      'iam:GetLoginProfile',
      arn,
      () => iam.send(new GetLoginProfileCommand({ UserName })),
      NO_SUCH_ENTITY,
    );
    if (profile.status !== 'failed') {
      configuration.credentialSource = 'api';
      configuration.passwordEnabled = profile.status === 'ok';
      configuration.passwordLastUsed = user.PasswordLastUsed?.toISOString() ?? null;
      configuration.passwordLastChanged = profile.status === 'ok' ? (iso(profile.value.LoginProfile?.CreateDate) ?? null) : null;
    }
    if (mfaDevices) configuration.mfaActive = mfaDevices.length > 0;
  }
  return { arn, type: IAM_USER_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
}

async function describeAccessKey(
  run: IamRun,
  userArn: string,
  key: { AccessKeyId?: string; Status?: string; CreateDate?: Date },
): Promise<AccessKey> {
  const accessKeyId = key.AccessKeyId ?? '';
  const described: AccessKey = {
    accessKeyId,
    status: key.Status ?? 'Unknown',
    ...(key.CreateDate ? { createDate: key.CreateDate.toISOString() } : {}),
  };
  const lastUsed = await run.log.call('iam:GetAccessKeyLastUsed', userArn, () =>
    run.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId })),
  );
  if (lastUsed.status === 'ok') {
    const used = lastUsed.value.AccessKeyLastUsed;
    described.lastUsedDate = used?.LastUsedDate?.toISOString() ?? null;
    if (used?.ServiceName && used.ServiceName !== 'N/A') described.lastUsedService = used.ServiceName;
  }
  return described;
}

async function describeGroup(run: IamRun, group: Group): Promise<EvidenceResource | undefined> {
  const arn = group.Arn ?? '';
  const GroupName = group.GroupName ?? '';
  if (!run.log.mayDescribe(arn)) return undescribed(arn, IAM_GROUP_TYPE, { groupName: GroupName });
  const configuration: IamGroupConfiguration = { groupName: GroupName };
  const [policies, inlinePolicies] = await Promise.all([
    collectPages(
      run.log,
      'iam:ListAttachedGroupPolicies',
      arn,
      () => paginateListAttachedGroupPolicies({ client: run.iam, pageSize: iamService.pageSizes.listings }, { GroupName }),
      (p) => attached(p.AttachedPolicies),
    ),
    inlinePoliciesOf(run, arn, 'group', GroupName),
  ]);
  if (policies) configuration.attachedPolicies = policies;
  if (inlinePolicies) configuration.inlinePolicies = inlinePolicies;
  return { arn, type: IAM_GROUP_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
}

async function describeRole(run: IamRun, role: Role): Promise<EvidenceResource | undefined> {
  const arn = role.Arn ?? '';
  if (!run.log.mayDescribe(arn)) return undescribed(arn, IAM_ROLE_TYPE, { roleName: role.RoleName ?? '' });
  const trustPolicy = parsePolicyDocument(role.AssumeRolePolicyDocument);
  const configuration: IamRoleConfiguration = {
    roleName: role.RoleName ?? '',
    roleId: role.RoleId ?? '',
    path: role.Path ?? '/',
    ...(role.CreateDate ? { createDate: role.CreateDate.toISOString() } : {}),
    trustPolicy: trustPolicy ?? null,
    trustedBySageMaker: trustsService(trustPolicy, SAGEMAKER_SERVICE_PRINCIPAL),
  };
  const [policies, inlinePolicies] = await Promise.all([
    collectPages(
      run.log,
      'iam:ListAttachedRolePolicies',
      arn,
      () =>
        paginateListAttachedRolePolicies(
          { client: run.iam, pageSize: iamService.pageSizes.listings },
          { RoleName: role.RoleName },
        ),
      (p) => attached(p.AttachedPolicies),
    ),
    inlinePoliciesOf(run, arn, 'role', configuration.roleName),
  ]);
  if (policies) configuration.attachedPolicies = policies;
  if (inlinePolicies) configuration.inlinePolicies = inlinePolicies;
  return { arn, type: IAM_ROLE_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
}

async function describePolicy(run: IamRun, policy: Policy): Promise<EvidenceResource | undefined> {
  const arn = policy.Arn ?? '';
  if (!run.log.mayDescribe(arn)) return undescribed(arn, IAM_MANAGED_POLICY_TYPE, { policyName: policy.PolicyName ?? '' });
  const configuration: IamManagedPolicyConfiguration = {
    policyName: policy.PolicyName ?? '',
    policyId: policy.PolicyId ?? '',
    path: policy.Path ?? '/',
    ...(policy.DefaultVersionId ? { defaultVersionId: policy.DefaultVersionId } : {}),
    attachmentCount: policy.AttachmentCount ?? 0,
  };
  const version = await run.log.call('iam:GetPolicyVersion', arn, () =>
    run.iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: policy.DefaultVersionId })),
  );
  if (version.status === 'ok') {
    const document = parsePolicyDocument(version.value.PolicyVersion?.Document);
    if (document === undefined)
      run.log.error('iam:GetPolicyVersion', arn, { name: 'MalformedPolicy', message: 'policy document is not valid JSON' });
    else configuration.document = document;
  }
  return { arn, type: IAM_MANAGED_POLICY_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
}

/**
 * Users and roles that are administrators (administratorGrants: the same rule as
 * iam.no_users_with_admin), directly or (users) through a group. Computed only from complete inputs.
 */
function administratorInventory(
  account: string,
  described: (EvidenceResource | undefined)[],
  unfinishedListings: string[],
): EvidenceResource | { missing: string } {
  if (unfinishedListings.length > 0) return { missing: `${unfinishedListings.join(', ')} did not complete` };
  if (described.includes(undefined)) return { missing: 'some principals were not described' };
  const resources = described as EvidenceResource[];
  const ofType = <T>(type: string) =>
    resources.filter((r) => r.type === type).map((r) => ({ arn: r.arn, configuration: r.configuration as T }));
  const policyDocuments = new Map(
    ofType<IamManagedPolicyConfiguration>(IAM_MANAGED_POLICY_TYPE).map((p) => [p.arn, p.configuration]),
  );
  const groups = new Map(ofType<IamGroupConfiguration>(IAM_GROUP_TYPE).map((g) => [g.configuration.groupName, g.configuration]));
  let missing: string | undefined;
  /** What grants a principal full administration, from its attached and inline policies. */
  const granting = (principal: Parameters<typeof administratorGrants>[0], owner: string): string[] => {
    const { grants, unknown } = administratorGrants(principal, owner, (arn) => policyDocuments.get(arn));
    if (unknown) missing ??= `${unknown.what} unknown`;
    return grants;
  };

  const administrators: Administrator[] = [];
  for (const user of ofType<IamUserConfiguration>(IAM_USER_TYPE)) {
    const grantedBy = granting(user.configuration, user.arn);
    if (user.configuration.groups === undefined) missing ??= `groups of ${user.arn} unknown`;
    for (const group of user.configuration.groups ?? []) {
      for (const grant of granting(groups.get(group), `group ${group}`)) grantedBy.push(`group/${group}: ${grant}`);
    }
    if (grantedBy.length > 0) administrators.push({ arn: user.arn, principalType: 'user', grantedBy });
  }
  for (const role of ofType<IamRoleConfiguration>(IAM_ROLE_TYPE)) {
    const grantedBy = granting(role.configuration, role.arn);
    if (grantedBy.length > 0) administrators.push({ arn: role.arn, principalType: 'role', grantedBy });
  }
  if (missing) return { missing };
  const configuration: IamAdministratorsConfiguration = { administrators };
  return { arn: iamAdministratorsArn(account), type: IAM_ADMINISTRATORS_TYPE, region: GLOBAL_REGION, configuration, tags: {} };
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
