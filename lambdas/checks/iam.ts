import { maskAccessKeyId } from '../evidence/mask';
import {
  type AttachedPolicy,
  administratorGrants,
  allowsFullAdministration,
  BEDROCK_SERVICE_PRINCIPAL,
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAccountConfiguration,
  type IamManagedPolicyConfiguration,
  type IamRoleConfiguration,
  type IamUserConfiguration,
  type InlinePolicy,
  iamAccountConfigurationSchema,
  iamAdministratorsArn,
  iamAdministratorsConfigurationSchema,
  iamManagedPolicyConfigurationSchema,
  iamRoleConfigurationSchema,
  iamUserConfigurationSchema,
  type PasswordPolicy,
  policyStatements,
  SAGEMAKER_SERVICE_PRINCIPAL,
} from '../evidence/resources/iam';
import { defineResourceCheck, type ResourceCheckSpec } from './framework';
import { daysSince, fail, missing, pass, type Verdict } from './helpers';
import type { Check, CheckContext, Snapshot } from './types';

type Thresholds = CheckContext['config']['thresholds'];

const accountCheck = (
  id: string,
  passCondition: string,
  remediation: string,
  judge: ResourceCheckSpec<IamAccountConfiguration>['judge'],
): Check =>
  defineResourceCheck({
    id,
    collector: 'iam',
    passCondition,
    remediation,
    type: IAM_ACCOUNT_TYPE,
    schema: iamAccountConfigurationSchema,
    judge,
    population: { what: 'IAM account summary', listApis: [] },
  });

function summaryValue(key: string, expected: number): ResourceCheckSpec<IamAccountConfiguration>['judge'] {
  return (configuration, resource, snapshot) => {
    if (configuration.summary === undefined) return missing(snapshot, resource.arn, 'account summary', 'iam:GetAccountSummary');
    const value = configuration.summary[key];
    if (value === undefined) return missing(snapshot, resource.arn, `${key} in the account summary`);
    return value === expected ? pass(`${key} is ${value}`) : fail(`${key} is ${value}, expected ${expected}`);
  };
}

const rootMfa = accountCheck(
  'iam.root_mfa',
  'AccountMFAEnabled is 1 in the account summary',
  'Sign in as root and enable an MFA device (hardware key preferred) for the root user.',
  summaryValue('AccountMFAEnabled', 1),
);

const rootNoAccessKeys = accountCheck(
  'iam.root_no_access_keys',
  'AccountAccessKeysPresent is 0 in the account summary',
  'Sign in as root and delete the root access keys; use IAM roles instead.',
  summaryValue('AccountAccessKeysPresent', 0),
);

const passwordPolicy = accountCheck(
  'iam.password_policy',
  'an account password policy exists with the configured minimum length, reuse prevention and complexity',
  'Set an account password policy (IAM > Account settings) meeting the configured length, reuse and complexity.',
  (configuration, resource, snapshot, context) => {
    const policy = configuration.passwordPolicy;
    if (policy === undefined) return missing(snapshot, resource.arn, 'password policy', 'iam:GetAccountPasswordPolicy');
    if (policy === null) return fail('passwordPolicy: none (GetAccountPasswordPolicy answered NoSuchEntity)');
    return passwordPolicyVerdict(policy, context.config.thresholds);
  },
);

function passwordPolicyVerdict(policy: PasswordPolicy, thresholds: Thresholds): Verdict {
  const problems: string[] = [];
  if ((policy.minimumPasswordLength ?? 0) < thresholds.passwordMinLength)
    problems.push(`minimumPasswordLength ${policy.minimumPasswordLength ?? 'unset'} < ${thresholds.passwordMinLength}`);
  if ((policy.passwordReusePrevention ?? 0) < thresholds.passwordReusePrevention)
    problems.push(`passwordReusePrevention ${policy.passwordReusePrevention ?? 'unset'} < ${thresholds.passwordReusePrevention}`);
  const complexity = [
    ['requireSymbols', thresholds.passwordRequireSymbols, policy.requireSymbols],
    ['requireNumbers', thresholds.passwordRequireNumbers, policy.requireNumbers],
    ['requireUppercaseCharacters', thresholds.passwordRequireUppercase, policy.requireUppercaseCharacters],
    ['requireLowercaseCharacters', thresholds.passwordRequireLowercase, policy.requireLowercaseCharacters],
  ] as const;
  for (const [field, required, actual] of complexity) if (required && !actual) problems.push(`${field} false`);
  return problems.length > 0
    ? fail(`password policy: ${problems.join('; ')}`)
    : pass(
        `password policy: minimumPasswordLength ${policy.minimumPasswordLength}, passwordReusePrevention ${policy.passwordReusePrevention}, complexity as configured`,
      );
}

const userCheck = (
  id: string,
  passCondition: string,
  remediation: string,
  inScope: ResourceCheckSpec<IamUserConfiguration>['inScope'],
  judge: ResourceCheckSpec<IamUserConfiguration>['judge'],
  scopeName: string,
): Check =>
  defineResourceCheck({
    id,
    collector: 'iam',
    passCondition,
    remediation,
    type: IAM_USER_TYPE,
    schema: iamUserConfigurationSchema,
    ...(inScope ? { inScope } : {}),
    judge,
    population: { what: scopeName, listApis: ['iam:ListUsers'] },
    undescribed: (c) => c.userId === undefined,
  });

const consoleUsersMfa = userCheck(
  'iam.console_users_mfa',
  'every user with a console password has MFA active (credential report mfa_active)',
  'Enable an MFA device for the user, or remove the console password if it is not needed.',
  // Unknown password state stays in scope so that it becomes ERROR, not a silent omission.
  (c) => c.passwordEnabled !== false,
  (c, resource, snapshot) => {
    if (c.passwordEnabled === undefined) return missing(snapshot, resource.arn, 'console password state (passwordEnabled)');
    if (c.mfaActive === undefined) return missing(snapshot, resource.arn, 'MFA state (mfaActive)', 'iam:ListMFADevices');
    return c.mfaActive
      ? pass(`passwordEnabled true and mfaActive true (${c.credentialSource ?? 'unknown source'})`)
      : fail(`passwordEnabled true but mfaActive false (${c.credentialSource ?? 'unknown source'})`);
  },
  'IAM users with a console password',
);

const unusedCredentials = userCheck(
  'iam.unused_credentials',
  'no enabled password or active access key unused for more than the configured days (default 90)',
  'Remove the console password or deactivate the access key the user no longer uses.',
  undefined,
  (c, resource, snapshot, context) => {
    const limit = context.config.thresholds.unusedCredentialDays;
    if (c.passwordEnabled === undefined) return missing(snapshot, resource.arn, 'console password state (passwordEnabled)');
    if (c.accessKeys === undefined) return missing(snapshot, resource.arn, 'access keys', 'iam:ListAccessKeys');
    const problems: string[] = [];
    if (c.passwordEnabled) {
      const lastActivity = c.passwordLastUsed ?? c.passwordLastChanged ?? c.createDate;
      const label = c.passwordLastUsed ? 'passwordLastUsed' : 'password never used; set';
      if (lastActivity === undefined || lastActivity === null)
        return missing(snapshot, resource.arn, 'password last use (passwordLastUsed)');
      const days = daysSince(context.now, lastActivity);
      if (days > limit) problems.push(`${label} ${lastActivity} (${days} days)`);
    }
    for (const key of c.accessKeys.filter((k) => k.status === 'Active')) {
      if (key.lastUsedDate === undefined)
        return missing(
          snapshot,
          resource.arn,
          `last use of access key ${maskAccessKeyId(key.accessKeyId)}`,
          'iam:GetAccessKeyLastUsed',
        );
      const lastActivity = key.lastUsedDate ?? key.createDate;
      if (lastActivity === undefined)
        return missing(snapshot, resource.arn, `creation date of access key ${maskAccessKeyId(key.accessKeyId)}`);
      const days = daysSince(context.now, lastActivity);
      const label = key.lastUsedDate ? 'last used' : 'never used; created';
      if (days > limit) problems.push(`access key ${maskAccessKeyId(key.accessKeyId)} ${label} ${lastActivity} (${days} days)`);
    }
    return problems.length > 0
      ? fail(`unused for more than ${limit} days: ${problems.join('; ')}`)
      : pass(`no enabled password or active access key unused for more than ${limit} days`);
  },
  'IAM users',
);

const accessKeyRotation = userCheck(
  'iam.access_key_rotation',
  'every active access key was created (rotated) within the configured days (default 90)',
  'Create a new access key, move its users to it, then deactivate and delete the old key.',
  (c) => c.accessKeys === undefined || c.accessKeys.some((k) => k.status === 'Active'),
  (c, resource, snapshot, context) => {
    const limit = context.config.thresholds.accessKeyMaxAgeDays;
    if (c.accessKeys === undefined) return missing(snapshot, resource.arn, 'access keys', 'iam:ListAccessKeys');
    const stale: string[] = [];
    const active = c.accessKeys.filter((k) => k.status === 'Active');
    for (const key of active) {
      if (key.createDate === undefined)
        return missing(snapshot, resource.arn, `creation date of access key ${maskAccessKeyId(key.accessKeyId)}`);
      const days = daysSince(context.now, key.createDate);
      if (days > limit) stale.push(`${maskAccessKeyId(key.accessKeyId)} created ${key.createDate} (${days} days)`);
    }
    return stale.length > 0
      ? fail(`access key older than ${limit} days: ${stale.join('; ')}`)
      : pass(`${active.map((k) => maskAccessKeyId(k.accessKeyId)).join(', ')} created within ${limit} days`);
  },
  'active access keys',
);

const usersNoDirectPolicies = userCheck(
  'iam.users_no_direct_policies',
  'no policy attached or inline on the user (permissions come through groups or roles)',
  'Move the permissions into a group or a role and detach / delete the user policies.',
  undefined,
  (c, resource, snapshot) => {
    if (c.attachedPolicies === undefined)
      return missing(snapshot, resource.arn, 'attached policies', 'iam:ListAttachedUserPolicies');
    if (c.inlinePolicies === undefined) return missing(snapshot, resource.arn, 'inline policies');
    const direct = [...c.attachedPolicies.map((p) => `attached ${p.name}`), ...c.inlinePolicies.map((p) => `inline ${p.name}`)];
    return direct.length > 0
      ? fail(`policies on the user: ${direct.join(', ')}`)
      : pass('attachedPolicies and inlinePolicies are empty');
  },
  'IAM users',
);

const noUsersWithAdmin = userCheck(
  'iam.no_users_with_admin',
  'the user holds no administrator rights directly: neither AdministratorAccess nor any attached or inline policy allowing Action * on Resource * (the rule of iam.admin_inventory)',
  'Remove the administrator policy from the user; grant administration through a role assumed with MFA.',
  undefined,
  (c, resource, snapshot) => {
    if (c.attachedPolicies === undefined)
      return missing(snapshot, resource.arn, 'attached policies', 'iam:ListAttachedUserPolicies');
    if (c.inlinePolicies === undefined) return missing(snapshot, resource.arn, 'inline policies', 'iam:ListUserPolicies');
    return administratorVerdict(
      { attachedPolicies: c.attachedPolicies, inlinePolicies: c.inlinePolicies },
      resource.arn,
      snapshot,
    );
  },
  'IAM users',
);

/** FAIL naming every policy that makes the principal an administrator; ERROR when a policy could not be read. */
function administratorVerdict(
  principal: { attachedPolicies: AttachedPolicy[]; inlinePolicies: InlinePolicy[] },
  arn: string,
  snapshot: Snapshot,
): Verdict {
  const documents = policyDocuments(snapshot);
  const { grants, unknown } = administratorGrants(principal, arn, (policyArn) =>
    documents.has(policyArn) ? { document: documents.get(policyArn) } : undefined,
  );
  if (grants.length > 0) return fail(`administrator rights (Action * on Resource *) through ${grants.join(', ')}`);
  if (unknown) return missing(snapshot, unknown.resource, unknown.what);
  const names = [...principal.attachedPolicies.map((p) => p.name), ...principal.inlinePolicies.map((p) => `inline/${p.name}`)];
  return pass(`no attached or inline policy grants Action * on Resource * (${names.join(', ') || 'no policies'})`);
}

const noStarAdminPolicies = defineResourceCheck({
  id: 'iam.no_star_admin_policies',
  collector: 'iam',
  passCondition: 'no attached customer managed policy allows Action * on Resource *',
  remediation: 'Replace the * / * statement with the actions and resources the principals need.',
  type: IAM_MANAGED_POLICY_TYPE,
  schema: iamManagedPolicyConfigurationSchema,
  inScope: (c) => c.attachmentCount !== 0,
  undescribed: (c) => c.policyId === undefined,
  judge: (c, resource, snapshot) => {
    if (c.document === undefined) return missing(snapshot, resource.arn, 'default policy version', 'iam:GetPolicyVersion');
    return allowsFullAdministration(c.document)
      ? fail(`default version ${c.defaultVersionId ?? ''} allows Action * on Resource * (attachmentCount ${c.attachmentCount})`)
      : pass(`default version ${c.defaultVersionId ?? ''} has no Allow of * on * (attachmentCount ${c.attachmentCount})`);
  },
  population: { what: 'attached customer managed policies', listApis: ['iam:ListPolicies'] },
});

const roleUndescribed = (c: Partial<IamRoleConfiguration>) => c.roleId === undefined;

const sagemakerRolesScoped = defineResourceCheck({
  id: 'iam.sagemaker_roles_scoped',
  collector: 'iam',
  passCondition:
    'a role trusted by sagemaker.amazonaws.com has neither AdministratorAccess nor a * / * policy, attached or inline',
  remediation: 'Attach a policy scoped to the buckets, keys and actions the SageMaker workload uses.',
  type: IAM_ROLE_TYPE,
  schema: iamRoleConfigurationSchema,
  // A role kept by name only (not described) may be trusted by SageMaker: it stays in scope as ERROR.
  inScope: (c) => c.trustedBySageMaker === true || roleUndescribed(c),
  undescribed: roleUndescribed,
  judge: (c, resource, snapshot) => {
    if (c.attachedPolicies === undefined)
      return missing(snapshot, resource.arn, 'attached policies', 'iam:ListAttachedRolePolicies');
    if (c.inlinePolicies === undefined) return missing(snapshot, resource.arn, 'inline policies', 'iam:ListRolePolicies');
    return administratorVerdict(
      { attachedPolicies: c.attachedPolicies, inlinePolicies: c.inlinePolicies },
      resource.arn,
      snapshot,
    );
  },
  population: { what: 'roles trusted by sagemaker.amazonaws.com', listApis: ['iam:ListRoles'] },
});

const SCOPED_SERVICES = [SAGEMAKER_SERVICE_PRINCIPAL, BEDROCK_SERVICE_PRINCIPAL];
/** Condition keys that tie a service's AssumeRole to our account or resource (confused-deputy protection). */
const SOURCE_KEYS = ['aws:sourceaccount', 'aws:sourcearn'];

const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : value === undefined ? [] : [value]);

/** Statements that let SageMaker or Bedrock assume the role, with the service principals each names. */
function serviceAssumeStatements(trustPolicy: unknown): { services: string[]; statement: Record<string, unknown> }[] {
  return policyStatements(trustPolicy).flatMap((statement) => {
    if (statement.Effect !== 'Allow') return [];
    const principal = statement.Principal as { Service?: unknown } | undefined;
    const services = asList(principal?.Service).filter((s): s is string => SCOPED_SERVICES.includes(s as string));
    const assumes = asList(statement.Action).some((a) => a === 'sts:AssumeRole' || a === 'sts:*' || a === '*');
    return services.length > 0 && assumes ? [{ services, statement }] : [];
  });
}

/** True when some condition operator of the statement tests aws:SourceAccount or aws:SourceArn. */
function hasSourceCondition(statement: Record<string, unknown>): boolean {
  const condition = statement.Condition;
  if (!condition || typeof condition !== 'object') return false;
  return Object.values(condition).some(
    (block) => !!block && typeof block === 'object' && Object.keys(block).some((key) => SOURCE_KEYS.includes(key.toLowerCase())),
  );
}

const serviceRoleTrustScoped = defineResourceCheck({
  id: 'iam.service_role_trust_scoped',
  collector: 'iam',
  passCondition:
    'every Allow sts:AssumeRole statement for sagemaker.amazonaws.com or bedrock.amazonaws.com has an aws:SourceAccount or aws:SourceArn condition',
  remediation:
    'Add a Condition to the trust policy statement: StringEquals aws:SourceAccount <account id> or ArnLike aws:SourceArn <the SageMaker or Bedrock resource ARNs> (confused-deputy protection).',
  type: IAM_ROLE_TYPE,
  schema: iamRoleConfigurationSchema,
  // A role kept by name only, or whose trust policy could not be parsed, may trust these services: ERROR, not silence.
  inScope: (c) => roleUndescribed(c) || c.trustPolicy === null || serviceAssumeStatements(c.trustPolicy).length > 0,
  undescribed: roleUndescribed,
  judge: (c, resource) => {
    if (c.trustPolicy === null)
      return { status: 'ERROR', detail: `trust policy of ${resource.arn} could not be parsed as a policy document` };
    const statements = serviceAssumeStatements(c.trustPolicy);
    const services = [...new Set(statements.flatMap((s) => s.services))].join(', ');
    const unscoped = statements.filter((s) => !hasSourceCondition(s.statement));
    if (unscoped.length === 0) return pass(`trust of ${services} is conditioned on aws:SourceAccount or aws:SourceArn`);
    const names = unscoped.map((s) =>
      typeof s.statement.Sid === 'string' ? `statement ${s.statement.Sid}` : s.services.join(', '),
    );
    return fail(`trust policy lets ${names.join('; ')} assume the role without an aws:SourceAccount or aws:SourceArn condition`);
  },
  population: { what: 'roles trusted by sagemaker.amazonaws.com or bedrock.amazonaws.com', listApis: ['iam:ListRoles'] },
});

const policyDocumentsBySnapshot = new WeakMap<Snapshot, Map<string, unknown>>();

/** Customer managed policy documents by ARN, once per snapshot rather than once per role judged. */
function policyDocuments(snapshot: Snapshot): Map<string, unknown> {
  let documents = policyDocumentsBySnapshot.get(snapshot);
  if (!documents) {
    documents = new Map(
      snapshot.resources
        .filter((r) => r.type === IAM_MANAGED_POLICY_TYPE)
        .map((r) => [r.arn, (r.configuration as Partial<IamManagedPolicyConfiguration>).document]),
    );
    policyDocumentsBySnapshot.set(snapshot, documents);
  }
  return documents;
}

const adminInventory = accountCheck(
  'iam.admin_inventory',
  'the principals holding administrator rights are listed; at most the configured number (default 3)',
  'Remove administrator rights from principals that do not need them, or raise thresholds.maxAdministrators with a reason.',
  (_configuration, resource, snapshot, context) => {
    const arn = iamAdministratorsArn(resource.account);
    const inventory = snapshot.resources.find((r) => r.type === IAM_ADMINISTRATORS_TYPE && r.arn === arn);
    if (!inventory) return missing(snapshot, arn, 'administrator inventory');
    const parsed = iamAdministratorsConfigurationSchema.safeParse(inventory.configuration);
    if (!parsed.success) return { status: 'ERROR', detail: 'administrator inventory does not match its schema' };
    const { administrators } = parsed.data;
    const limit = context.config.thresholds.maxAdministrators;
    const listed = administrators.map((a) => `${a.arn} (${a.grantedBy.join(', ')})`).join('; ') || 'none';
    const detail = `${administrators.length} administrators (max ${limit}): ${listed}`;
    return administrators.length <= limit ? pass(detail) : fail(detail);
  },
);

export const IAM_CHECKS: Check[] = [
  rootMfa,
  rootNoAccessKeys,
  consoleUsersMfa,
  passwordPolicy,
  unusedCredentials,
  accessKeyRotation,
  noStarAdminPolicies,
  usersNoDirectPolicies,
  sagemakerRolesScoped,
  serviceRoleTrustScoped,
  noUsersWithAdmin,
  adminInventory,
];
