import {
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_GROUP_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  iamAccountArn,
  iamAccountConfigurationSchema,
  iamAdministratorsArn,
  iamAdministratorsConfigurationSchema,
  iamGroupConfigurationSchema,
  iamManagedPolicyConfigurationSchema,
  iamRoleConfigurationSchema,
  iamUserConfigurationSchema,
} from '../../evidence/resources/iam';
import { at, type ResourceFormResolver, type ServiceDescriptor, serviceEvents } from '../types';

const IAM = 'iam.amazonaws.com';

/**
 * Calls that name no user act on the caller's own user when the caller is an IAM user, and on
 * the account (root keys and MFA) when the caller is root: for a Root identity userName is the
 * account alias, if present at all ("CloudTrail userIdentity element",
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 */
const userOrCaller = [
  [
    at('requestParameters.userName', 'iamUser'),
    { ...at('userIdentity.userName', 'iamUser'), when: { path: 'userIdentity.type', equals: 'IAMUser' } },
    at('recipientAccountId', 'iamAccount'),
  ],
];
const user = [[at('responseElements.user.arn', 'iamUser'), at('requestParameters.userName', 'iamUser')]];
/** A rename changes two names: the old one is gone, the new one must be described. */
const renamedUser = [...user, [at('requestParameters.newUserName', 'iamUser')]];
const group = [[at('responseElements.group.arn', 'iamGroup'), at('requestParameters.groupName', 'iamGroup')]];
const renamedGroup = [...group, [at('requestParameters.newGroupName', 'iamGroup')]];
const role = [[at('responseElements.role.arn', 'iamRole'), at('requestParameters.roleName', 'iamRole')]];
const policy = [[at('requestParameters.policyArn', 'iamPolicy'), at('responseElements.policy.arn', 'iamPolicy')]];
const account = [[at('recipientAccountId', 'iamAccount')]];

const principal =
  (type: 'user' | 'group' | 'role'): ResourceFormResolver =>
  (name, { partition, account }) =>
    name.startsWith('arn:') ? name : `arn:${partition}:iam::${account}:${type}/${name}`;

/** IAM: the account's settings, users, groups, roles, customer managed policies and who administers it. */
export const iamService = {
  name: 'iam',
  global: true,
  resourceKinds: [
    {
      type: IAM_ACCOUNT_TYPE,
      arnForm: iamAccountArn('{account}', '{partition}'),
      schema: iamAccountConfigurationSchema,
      describeApi: 'GetAccountSummary',
    },
    {
      type: IAM_ADMINISTRATORS_TYPE,
      arnForm: iamAdministratorsArn('{account}'),
      schema: iamAdministratorsConfigurationSchema,
      describeApi: 'none: derived from the users, groups and roles described',
    },
    {
      type: IAM_USER_TYPE,
      arnForm: 'arn:{partition}:iam::{account}:user/{id}',
      schema: iamUserConfigurationSchema,
      describeApi: 'GetUser',
    },
    {
      type: IAM_GROUP_TYPE,
      arnForm: 'arn:{partition}:iam::{account}:group/{id}',
      schema: iamGroupConfigurationSchema,
      describeApi: 'GetGroup',
    },
    {
      type: IAM_ROLE_TYPE,
      arnForm: 'arn:{partition}:iam::{account}:role/{id}',
      schema: iamRoleConfigurationSchema,
      describeApi: 'GetRole',
    },
    {
      type: IAM_MANAGED_POLICY_TYPE,
      arnForm: 'arn:{partition}:iam::{account}:policy/{id}',
      schema: iamManagedPolicyConfigurationSchema,
      describeApi: 'GetPolicy',
    },
  ],
  readGrants: [
    {
      actions: [
        'iam:GenerateCredentialReport',
        'iam:GetCredentialReport',
        'iam:GetAccountSummary',
        'iam:GetAccountPasswordPolicy',
        'iam:ListUsers',
        'iam:ListGroups',
        'iam:ListRoles',
        'iam:ListPolicies',
      ],
      resources: '*',
    },
    {
      actions: [
        'iam:ListGroupsForUser',
        'iam:ListAttachedUserPolicies',
        'iam:ListUserPolicies',
        'iam:GetUserPolicy',
        'iam:ListMFADevices',
        'iam:ListAccessKeys',
        'iam:GetAccessKeyLastUsed',
        'iam:GetLoginProfile',
        // GetUser/GetGroup/GetRole/GetPolicy: one resource named by a change event.
        'iam:GetUser',
      ],
      resources: ['arn:{partition}:iam::{account}:user/*'],
    },
    {
      actions: ['iam:ListAttachedGroupPolicies', 'iam:ListGroupPolicies', 'iam:GetGroupPolicy', 'iam:GetGroup'],
      resources: ['arn:{partition}:iam::{account}:group/*'],
    },
    {
      actions: ['iam:ListAttachedRolePolicies', 'iam:ListRolePolicies', 'iam:GetRolePolicy', 'iam:GetRole'],
      resources: ['arn:{partition}:iam::{account}:role/*'],
    },
    {
      actions: ['iam:GetPolicyVersion', 'iam:GetPolicy'],
      // Customer managed policies and the AWS managed ones attached to principals.
      resources: ['arn:{partition}:iam::{account}:policy/*', 'arn:{partition}:iam::aws:policy/*'],
    },
  ],
  pageSizes: { listings: 1000 },
  resourceForms: {
    iamUser: principal('user'),
    iamGroup: principal('group'),
    iamRole: principal('role'),
    iamPolicy: (arn) => (arn.startsWith('arn:') ? arn : undefined),
    iamAccount: (accountId, { partition }) => (/^\d{12}$/.test(accountId) ? iamAccountArn(accountId, partition) : undefined),
  },
  events: [
    ...serviceEvents(IAM, ['CreateUser', 'DeleteUser'], user),
    ...serviceEvents(IAM, ['UpdateUser'], renamedUser),
    ...serviceEvents(IAM, ['CreateLoginProfile', 'UpdateLoginProfile', 'DeleteLoginProfile'], userOrCaller),
    ...serviceEvents(IAM, ['EnableMFADevice', 'DeactivateMFADevice'], userOrCaller),
    ...serviceEvents(IAM, ['CreateAccessKey', 'UpdateAccessKey', 'DeleteAccessKey'], userOrCaller),
    ...serviceEvents(IAM, ['AttachUserPolicy', 'DetachUserPolicy', 'PutUserPolicy', 'DeleteUserPolicy'], user),
    ...serviceEvents(IAM, ['CreateGroup', 'DeleteGroup'], group),
    ...serviceEvents(IAM, ['UpdateGroup'], renamedGroup),
    ...serviceEvents(IAM, ['AttachGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy', 'DeleteGroupPolicy'], group),
    // Membership changes both sides: the user's groups and the group's members.
    ...serviceEvents(IAM, ['AddUserToGroup', 'RemoveUserFromGroup'], [...user, ...group]),
    ...serviceEvents(
      IAM,
      [
        'CreateRole',
        'DeleteRole',
        'UpdateRole',
        'UpdateAssumeRolePolicy',
        'AttachRolePolicy',
        'DetachRolePolicy',
        'PutRolePolicy',
        'DeleteRolePolicy',
      ],
      role,
    ),
    ...serviceEvents(
      IAM,
      ['CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'SetDefaultPolicyVersion'],
      policy,
    ),
    ...serviceEvents(IAM, ['UpdateAccountPasswordPolicy', 'DeleteAccountPasswordPolicy'], account),
  ],
} satisfies ServiceDescriptor;
