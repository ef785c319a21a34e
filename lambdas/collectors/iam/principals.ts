import {
  GetAccessKeyLastUsedCommand,
  GetGroupPolicyCommand,
  GetLoginProfileCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserPolicyCommand,
  type Group,
  type IAMClient,
  type Policy,
  paginateListAccessKeys,
  paginateListAttachedGroupPolicies,
  paginateListAttachedRolePolicies,
  paginateListAttachedUserPolicies,
  paginateListGroupPolicies,
  paginateListGroupsForUser,
  paginateListMFADevices,
  paginateListRolePolicies,
  paginateListUserPolicies,
  type Role,
  type User,
} from '@aws-sdk/client-iam';
import { type EvidenceResource, GLOBAL_REGION } from '../../evidence/record';
import {
  type AccessKey,
  IAM_GROUP_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamGroupConfiguration,
  type IamManagedPolicyConfiguration,
  type IamRoleConfiguration,
  type IamUserConfiguration,
  type InlinePolicy,
  SAGEMAKER_SERVICE_PRINCIPAL,
  trustsService,
} from '../../evidence/resources/iam';
import { iamService } from '../../services/iam/descriptor';
import { collectPages, iso, parsePolicyDocument } from '../pages';
import type { CredentialReportRow } from './credential-report';
import { attached, type IamRun, NO_SUCH_ENTITY, undescribed } from './run';

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
export async function describeUser(
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

export async function describeGroup(run: IamRun, group: Group): Promise<EvidenceResource | undefined> {
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

export async function describeRole(run: IamRun, role: Role): Promise<EvidenceResource | undefined> {
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

export async function describePolicy(run: IamRun, policy: Policy): Promise<EvidenceResource | undefined> {
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
