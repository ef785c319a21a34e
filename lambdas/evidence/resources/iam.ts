import { z } from 'zod';

/**
 * Normalised IAM configuration. As for S3: a field is absent when the call that answers it
 * failed (the failure is in the record's errors) and null when AWS says "none", so checks tell
 * FAIL from ERROR. IAM is global: every resource carries the pseudo-region GLOBAL_REGION.
 */
export const IAM_ACCOUNT_TYPE = 'AWS::IAM::Account';
export const IAM_ADMINISTRATORS_TYPE = 'AWS::IAM::AdministratorInventory';
export const IAM_USER_TYPE = 'AWS::IAM::User';
export const IAM_GROUP_TYPE = 'AWS::IAM::Group';
export const IAM_ROLE_TYPE = 'AWS::IAM::Role';
export const IAM_MANAGED_POLICY_TYPE = 'AWS::IAM::ManagedPolicy';

export const ADMINISTRATOR_ACCESS_POLICY_NAME = 'AdministratorAccess';
export const SAGEMAKER_SERVICE_PRINCIPAL = 'sagemaker.amazonaws.com';
export const BEDROCK_SERVICE_PRINCIPAL = 'bedrock.amazonaws.com';

const attachedPolicySchema = z.object({ name: z.string(), arn: z.string() });
export type AttachedPolicy = z.infer<typeof attachedPolicySchema>;

/** An inline policy, its document URL-decoded and parsed; document absent when it was not valid JSON (an error says so). */
const inlinePolicySchema = z.object({ name: z.string(), document: z.unknown() });
export type InlinePolicy = z.infer<typeof inlinePolicySchema>;

export const passwordPolicySchema = z.object({
  minimumPasswordLength: z.number().nullable(),
  requireSymbols: z.boolean(),
  requireNumbers: z.boolean(),
  requireUppercaseCharacters: z.boolean(),
  requireLowercaseCharacters: z.boolean(),
  allowUsersToChangePassword: z.boolean(),
  expirePasswords: z.boolean(),
  maxPasswordAge: z.number().nullable(),
  passwordReusePrevention: z.number().nullable(),
  hardExpiry: z.boolean(),
});
export type PasswordPolicy = z.infer<typeof passwordPolicySchema>;

/** The credential report's `<root_account>` row, when the report has one. */
export const rootCredentialsSchema = z.object({
  passwordLastUsed: z.string().nullable(),
  mfaActive: z.boolean(),
  accessKey1Active: z.boolean(),
  accessKey2Active: z.boolean(),
});

export const iamAccountConfigurationSchema = z.object({
  /** GetAccountSummary's SummaryMap, verbatim (AccountMFAEnabled, AccountAccessKeysPresent, quotas...). */
  summary: z.record(z.string(), z.number()).optional(),
  /** null: the account has no password policy (NoSuchEntity). */
  passwordPolicy: passwordPolicySchema.nullable().optional(),
  credentialReport: z
    .object({
      generatedAt: z.string(),
      /** True when an existing report was reused instead of generating a new one. */
      reused: z.boolean(),
    })
    .optional(),
  rootCredentials: rootCredentialsSchema.optional(),
});
export type IamAccountConfiguration = z.infer<typeof iamAccountConfigurationSchema>;

export const administratorSchema = z.object({
  arn: z.string(),
  principalType: z.enum(['user', 'role']),
  /** The policies that grant it, as "arn" or "group/<name>: arn". */
  grantedBy: z.array(z.string()),
});
export type Administrator = z.infer<typeof administratorSchema>;

/** Emitted only when every listing it is computed from succeeded: a partial inventory is no inventory. */
export const iamAdministratorsConfigurationSchema = z.object({ administrators: z.array(administratorSchema) });
export type IamAdministratorsConfiguration = z.infer<typeof iamAdministratorsConfigurationSchema>;

export const accessKeySchema = z.object({
  accessKeyId: z.string(),
  status: z.string(),
  createDate: z.string().optional(),
  /** null: never used; absent: GetAccessKeyLastUsed failed. */
  lastUsedDate: z.string().nullable().optional(),
  lastUsedService: z.string().optional(),
});
export type AccessKey = z.infer<typeof accessKeySchema>;

export const iamUserConfigurationSchema = z.object({
  userName: z.string(),
  userId: z.string(),
  path: z.string(),
  createDate: z.string().optional(),
  /** Console password present (credential report password_enabled, or GetLoginProfile). */
  passwordEnabled: z.boolean().optional(),
  /** null: the password was never used. */
  passwordLastUsed: z.string().nullable().optional(),
  passwordLastChanged: z.string().nullable().optional(),
  mfaActive: z.boolean().optional(),
  /** Where passwordEnabled and mfaActive came from. */
  credentialSource: z.enum(['credential-report', 'api']).optional(),
  mfaDevices: z.array(z.string()).optional(),
  accessKeys: z.array(accessKeySchema).optional(),
  groups: z.array(z.string()).optional(),
  attachedPolicies: z.array(attachedPolicySchema).optional(),
  inlinePolicies: z.array(inlinePolicySchema).optional(),
});
export type IamUserConfiguration = z.infer<typeof iamUserConfigurationSchema>;

export const iamGroupConfigurationSchema = z.object({
  groupName: z.string(),
  attachedPolicies: z.array(attachedPolicySchema).optional(),
  /** Absent when ListGroupPolicies or a GetGroupPolicy failed. */
  inlinePolicies: z.array(inlinePolicySchema).optional(),
});
export type IamGroupConfiguration = z.infer<typeof iamGroupConfigurationSchema>;

export const iamRoleConfigurationSchema = z.object({
  roleName: z.string(),
  roleId: z.string(),
  path: z.string(),
  createDate: z.string().optional(),
  /** The trust policy, URL-decoded and parsed. */
  trustPolicy: z.unknown(),
  trustedBySageMaker: z.boolean(),
  attachedPolicies: z.array(attachedPolicySchema).optional(),
  /** Absent when ListRolePolicies or a GetRolePolicy failed. */
  inlinePolicies: z.array(inlinePolicySchema).optional(),
});
export type IamRoleConfiguration = z.infer<typeof iamRoleConfigurationSchema>;

export const iamManagedPolicyConfigurationSchema = z.object({
  policyName: z.string(),
  policyId: z.string(),
  path: z.string(),
  defaultVersionId: z.string().optional(),
  attachmentCount: z.number(),
  /** The default version's document, URL-decoded and parsed; absent when GetPolicyVersion failed. */
  document: z.unknown().optional(),
});
export type IamManagedPolicyConfiguration = z.infer<typeof iamManagedPolicyConfigurationSchema>;

/** The resource ARN of the account itself (summary, password policy, root credentials). */
export function iamAccountArn(account: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${account}:root`;
}

/** IAM has no ARN for "who is an administrator"; this one is ours and stable. */
export function iamAdministratorsArn(account: string): string {
  return `arn:aws:iam::${account}:administrators`;
}

export function isAdministratorAccess(policyArn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/.test(policyArn);
}

const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Policy statements, whether the document holds one statement or a list. */
export function policyStatements(document: unknown): Record<string, unknown>[] {
  if (!document || typeof document !== 'object') return [];
  return asArray((document as { Statement?: unknown }).Statement).filter(
    (s): s is Record<string, unknown> => !!s && typeof s === 'object',
  );
}

/** True when the document has an Allow of Action "*" (or "*:*") on Resource "*". */
export function allowsFullAdministration(document: unknown): boolean {
  return policyStatements(document).some(
    (statement) =>
      statement.Effect === 'Allow' &&
      asArray(statement.Action).some((action) => action === '*' || action === '*:*') &&
      asArray(statement.Resource).includes('*'),
  );
}

/** What a principal's own policies say about administrator rights: the grants found, and what could not be read. */
export interface AdministratorGrants {
  /** The policies that grant full administration: a policy ARN, or "inline/<name>". */
  grants: string[];
  /** What could not be read (a listing failed, a document is unreadable) and on which resource; undefined when complete. */
  unknown?: { what: string; resource: string };
}

/**
 * The one definition of an administrator, used by the IAM collector's inventory and by
 * iam.no_users_with_admin: AdministratorAccess attached, or any attached customer managed or
 * inline policy that allows Action * on Resource *. AWS managed policies other than
 * AdministratorAccess never do. `customerPolicy` answers from the collected customer managed
 * policies: undefined when the policy was not collected, `document` undefined when unreadable.
 */
export function administratorGrants(
  principal: { attachedPolicies?: AttachedPolicy[] | undefined; inlinePolicies?: InlinePolicy[] | undefined } | undefined,
  owner: string,
  customerPolicy: (arn: string) => { document?: unknown } | undefined,
): AdministratorGrants {
  let unknown: AdministratorGrants['unknown'];
  if (principal?.attachedPolicies === undefined) unknown ??= { what: `attached policies of ${owner}`, resource: owner };
  if (principal?.inlinePolicies === undefined) unknown ??= { what: `inline policies of ${owner}`, resource: owner };
  const grants: string[] = [];
  for (const policy of principal?.attachedPolicies ?? []) {
    if (isAdministratorAccess(policy.arn)) grants.push(policy.arn);
    else if (isAwsManagedPolicy(policy.arn)) continue;
    else {
      const customer = customerPolicy(policy.arn);
      if (customer?.document === undefined) unknown ??= { what: `document of ${policy.arn}`, resource: policy.arn };
      else if (allowsFullAdministration(customer.document)) grants.push(policy.arn);
    }
  }
  for (const policy of principal?.inlinePolicies ?? []) {
    if (policy.document === undefined) unknown ??= { what: `inline policy ${policy.name} of ${owner}`, resource: owner };
    else if (allowsFullAdministration(policy.document)) grants.push(`inline/${policy.name}`);
  }
  return { grants, ...(unknown ? { unknown } : {}) };
}

export function isAwsManagedPolicy(policyArn: string): boolean {
  return /^arn:aws[a-z-]*:iam::aws:policy\//.test(policyArn);
}

/** True when the trust policy lets the SageMaker service principal assume the role. */
export function trustsService(trustPolicy: unknown, servicePrincipal: string): boolean {
  return policyStatements(trustPolicy).some((statement) => {
    if (statement.Effect !== 'Allow') return false;
    const principal = statement.Principal;
    if (!principal || typeof principal !== 'object') return false;
    return asArray((principal as { Service?: unknown }).Service).includes(servicePrincipal);
  });
}
