import { IAM_CHECKS } from '../../../lambdas/checks/iam';
import type { Check, Finding } from '../../../lambdas/checks/types';
import type { CollectionError } from '../../../lambdas/evidence/record';
import {
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAccountConfiguration,
  type IamUserConfiguration,
} from '../../../lambdas/evidence/resources/iam';
import { makeCheckContext, makeSnapshot, type ResourceFixture, TEST_ACCOUNT } from '../../helpers/snapshots';

const ROOT = `arn:aws:iam::${TEST_ACCOUNT}:root`;
const ADMINS = `arn:aws:iam::${TEST_ACCOUNT}:administrators`;
const USER = `arn:aws:iam::${TEST_ACCOUNT}:user/alice`;
const ROLE = `arn:aws:iam::${TEST_ACCOUNT}:role/ml-exec`;
const POLICY = `arn:aws:iam::${TEST_ACCOUNT}:policy/scoped`;
const ADMIN_ACCESS = { name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' };
const STAR = { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
const SCOPED = { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::training-data/*' }] };

const check = (id: string): Check => {
  const found = IAM_CHECKS.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
};

const STRONG_POLICY = {
  minimumPasswordLength: 14,
  requireSymbols: true,
  requireNumbers: true,
  requireUppercaseCharacters: true,
  requireLowercaseCharacters: true,
  allowUsersToChangePassword: true,
  expirePasswords: false,
  maxPasswordAge: null,
  passwordReusePrevention: 24,
  hardExpiry: false,
};

const account = (configuration: IamAccountConfiguration): ResourceFixture => ({
  arn: ROOT,
  type: IAM_ACCOUNT_TYPE,
  region: 'global',
  configuration,
});

const user = (configuration: Partial<IamUserConfiguration>): ResourceFixture => ({
  arn: USER,
  type: IAM_USER_TYPE,
  region: 'global',
  configuration: {
    userName: 'alice',
    userId: 'AIDA1',
    path: '/',
    createDate: '2026-01-01T00:00:00.000Z',
    passwordEnabled: false,
    mfaActive: false,
    credentialSource: 'credential-report',
    accessKeys: [],
    groups: [],
    attachedPolicies: [],
    inlinePolicies: [],
    ...configuration,
  },
});

const role = (
  attachedPolicies: { name: string; arn: string }[] | undefined,
  inlinePolicies: { name: string; document: unknown }[] = [],
): ResourceFixture => ({
  arn: ROLE,
  type: IAM_ROLE_TYPE,
  region: 'global',
  configuration: {
    roleName: 'ml-exec',
    roleId: 'AROA1',
    path: '/',
    trustPolicy: {},
    trustedBySageMaker: true,
    ...(attachedPolicies ? { attachedPolicies } : {}),
    inlinePolicies,
  },
});

const policy = (document: unknown, attachmentCount = 1): ResourceFixture => ({
  arn: POLICY,
  type: IAM_MANAGED_POLICY_TYPE,
  region: 'global',
  configuration: {
    policyName: 'scoped',
    policyId: 'ANPA1',
    path: '/',
    defaultVersionId: 'v1',
    attachmentCount,
    ...(document === undefined ? {} : { document }),
  },
});

const run = (id: string, resources: ResourceFixture[], errors: CollectionError[] = []): Finding[] =>
  check(id).run(makeCheckContext([makeSnapshot({ collector: 'iam', region: 'global', resources, errors })]));

const only = (findings: Finding[], resource?: string): Finding => {
  const relevant = resource ? findings.filter((f) => f.resource === resource) : findings;
  expect(relevant).toHaveLength(1);
  return relevant[0]!;
};

const denied = (api: string, resource: string): CollectionError => ({ api, resource, code: 'AccessDenied', message: 'denied' });

describe('IAM checks', () => {
  it('exports the twelve IAM checks of the checklist', () => {
    expect(IAM_CHECKS.map((c) => c.id).sort()).toEqual(
      [
        'iam.access_key_rotation',
        'iam.admin_inventory',
        'iam.console_users_mfa',
        'iam.no_star_admin_policies',
        'iam.no_users_with_admin',
        'iam.password_policy',
        'iam.root_mfa',
        'iam.root_no_access_keys',
        'iam.sagemaker_roles_scoped',
        'iam.service_role_trust_scoped',
        'iam.unused_credentials',
        'iam.users_no_direct_policies',
      ].sort(),
    );
  });

  describe.each([
    ['iam.root_mfa', { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 }, { AccountMFAEnabled: 0 }, 'AccountMFAEnabled is 0'],
    [
      'iam.root_no_access_keys',
      { AccountAccessKeysPresent: 0 },
      { AccountAccessKeysPresent: 1 },
      'AccountAccessKeysPresent is 1',
    ],
  ])('%s', (id, passing, failing, failDetail) => {
    it('passes on the account root', () => {
      const finding = only(run(id, [account({ summary: passing })]));
      expect(finding).toMatchObject({ resource: ROOT, status: 'PASS' });
    });
    it('fails naming the summary value', () => {
      expect(only(run(id, [account({ summary: failing })]))).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining(failDetail),
      });
    });
    it('is ERROR citing GetAccountSummary when the summary could not be read', () => {
      const finding = only(run(id, [account({})], [denied('iam:GetAccountSummary', ROOT)]));
      expect(finding).toMatchObject({
        status: 'ERROR',
        detail: expect.stringContaining('iam:GetAccountSummary failed with AccessDenied'),
      });
    });
  });

  describe('iam.password_policy', () => {
    it('passes a policy meeting the configured length, reuse and complexity', () => {
      expect(only(run('iam.password_policy', [account({ passwordPolicy: STRONG_POLICY })])).status).toBe('PASS');
    });
    it('fails naming every weak field', () => {
      const weak = { ...STRONG_POLICY, minimumPasswordLength: 8, passwordReusePrevention: null, requireSymbols: false };
      const finding = only(run('iam.password_policy', [account({ passwordPolicy: weak })]));
      expect(finding.status).toBe('FAIL');
      expect(finding.detail).toContain('minimumPasswordLength 8 < 14');
      expect(finding.detail).toContain('passwordReusePrevention unset < 24');
      expect(finding.detail).toContain('requireSymbols false');
    });
    it('fails when the account has no password policy', () => {
      expect(only(run('iam.password_policy', [account({ passwordPolicy: null })]))).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('none'),
      });
    });
    it('is ERROR when the password policy could not be read', () => {
      const finding = only(run('iam.password_policy', [account({})], [denied('iam:GetAccountPasswordPolicy', ROOT)]));
      expect(finding.status).toBe('ERROR');
    });
  });

  describe('iam.console_users_mfa', () => {
    it('passes a console user with MFA active', () => {
      expect(only(run('iam.console_users_mfa', [user({ passwordEnabled: true, mfaActive: true })])).status).toBe('PASS');
    });
    it('fails a console user without MFA', () => {
      expect(only(run('iam.console_users_mfa', [user({ passwordEnabled: true, mfaActive: false })]))).toMatchObject({
        resource: USER,
        status: 'FAIL',
        detail: expect.stringContaining('mfaActive false'),
      });
    });
    it('is ERROR when the console password state is unknown', () => {
      const finding = only(
        run('iam.console_users_mfa', [user({ passwordEnabled: undefined })], [denied('iam:GetLoginProfile', USER)]),
      );
      expect(finding).toMatchObject({ resource: USER, status: 'ERROR' });
    });
    it('is NOT_APPLICABLE when no user has a console password', () => {
      expect(only(run('iam.console_users_mfa', [user({ passwordEnabled: false })])).status).toBe('NOT_APPLICABLE');
    });
  });

  describe('iam.unused_credentials', () => {
    it('passes a user whose password and key were used recently', () => {
      const fresh = user({
        passwordEnabled: true,
        passwordLastUsed: '2026-11-20T00:00:00.000Z',
        accessKeys: [
          {
            accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
            status: 'Active',
            createDate: '2026-01-01T00:00:00.000Z',
            lastUsedDate: '2026-11-25T00:00:00.000Z',
          },
        ],
      });
      expect(only(run('iam.unused_credentials', [fresh])).status).toBe('PASS');
    });
    it('fails an active key never used since its creation long ago', () => {
      const stale = user({
        accessKeys: [
          { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', createDate: '2026-01-01T00:00:00.000Z', lastUsedDate: null },
        ],
      });
      const finding = only(run('iam.unused_credentials', [stale]));
      expect(finding.status).toBe('FAIL');
      expect(finding.detail).toContain('access key ****MPLE never used; created 2026-01-01T00:00:00.000Z');
      expect(finding.detail).not.toContain('AKIAIOSFODNN7EXAMPLE');
    });
    it('fails a password unused for more than 90 days', () => {
      const stale = user({ passwordEnabled: true, passwordLastUsed: '2026-06-01T00:00:00.000Z' });
      expect(only(run('iam.unused_credentials', [stale])).detail).toContain('passwordLastUsed 2026-06-01');
    });
    it('is ERROR when the last use of an active key could not be read', () => {
      const unknown = user({
        accessKeys: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status: 'Active', createDate: '2026-11-01T00:00:00.000Z' }],
      });
      const finding = only(run('iam.unused_credentials', [unknown], [denied('iam:GetAccessKeyLastUsed', USER)]));
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('iam:GetAccessKeyLastUsed') });
    });
  });

  describe('iam.access_key_rotation', () => {
    const withKey = (createDate: string, status = 'Active') =>
      user({ accessKeys: [{ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', status, createDate, lastUsedDate: null }] });
    it('passes an active key created within 90 days', () => {
      expect(only(run('iam.access_key_rotation', [withKey('2026-10-01T00:00:00.000Z')])).status).toBe('PASS');
    });
    it('fails an active key older than 90 days', () => {
      const finding = only(run('iam.access_key_rotation', [withKey('2026-01-01T00:00:00.000Z')]));
      expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('****MPLE created 2026-01-01') });
      expect(finding.detail).not.toContain('AKIAIOSFODNN7EXAMPLE');
    });
    it('ignores inactive keys', () => {
      expect(only(run('iam.access_key_rotation', [withKey('2020-01-01T00:00:00.000Z', 'Inactive')])).status).toBe(
        'NOT_APPLICABLE',
      );
    });
    it('is ERROR when the keys could not be listed', () => {
      const finding = only(
        run('iam.access_key_rotation', [user({ accessKeys: undefined })], [denied('iam:ListAccessKeys', USER)]),
      );
      expect(finding).toMatchObject({ resource: USER, status: 'ERROR' });
    });
  });

  describe('iam.no_star_admin_policies', () => {
    it('passes an attached policy without * on *', () => {
      expect(only(run('iam.no_star_admin_policies', [policy(SCOPED)])).status).toBe('PASS');
    });
    it('fails an attached policy allowing * on *', () => {
      expect(only(run('iam.no_star_admin_policies', [policy(STAR)]))).toMatchObject({ resource: POLICY, status: 'FAIL' });
    });
    it('leaves unattached policies out of scope', () => {
      expect(only(run('iam.no_star_admin_policies', [policy(STAR, 0)])).status).toBe('NOT_APPLICABLE');
    });
    it('is ERROR when the default version could not be read', () => {
      const finding = only(run('iam.no_star_admin_policies', [policy(undefined)], [denied('iam:GetPolicyVersion', POLICY)]));
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('iam:GetPolicyVersion') });
    });
  });

  describe('iam.users_no_direct_policies', () => {
    it('passes a user without own policies', () => {
      expect(only(run('iam.users_no_direct_policies', [user({})])).status).toBe('PASS');
    });
    it('fails a user with attached and inline policies, naming them', () => {
      const finding = only(
        run('iam.users_no_direct_policies', [
          user({ attachedPolicies: [ADMIN_ACCESS], inlinePolicies: [{ name: 'mine', document: {} }] }),
        ]),
      );
      expect(finding).toMatchObject({
        status: 'FAIL',
        detail: 'policies on the user: attached AdministratorAccess, inline mine',
      });
    });
    it('is ERROR when the attached policies could not be listed', () => {
      const finding = only(
        run(
          'iam.users_no_direct_policies',
          [user({ attachedPolicies: undefined })],
          [denied('iam:ListAttachedUserPolicies', USER)],
        ),
      );
      expect(finding.status).toBe('ERROR');
    });
  });

  describe('iam.no_users_with_admin', () => {
    it('passes a user without AdministratorAccess', () => {
      expect(only(run('iam.no_users_with_admin', [user({})])).status).toBe('PASS');
    });
    it('fails a user with AdministratorAccess attached directly', () => {
      expect(only(run('iam.no_users_with_admin', [user({ attachedPolicies: [ADMIN_ACCESS] })]))).toMatchObject({
        status: 'FAIL',
        detail: `administrator rights (Action * on Resource *) through ${ADMIN_ACCESS.arn}`,
      });
    });
    it('fails a user with a customer managed *:* policy attached directly', () => {
      const starColon = { Statement: [{ Effect: 'Allow', Action: '*:*', Resource: '*' }] };
      const findings = run('iam.no_users_with_admin', [
        user({ attachedPolicies: [{ name: 'scoped', arn: POLICY }] }),
        policy(starColon),
      ]);
      expect(only(findings, USER)).toMatchObject({ status: 'FAIL', detail: expect.stringContaining(POLICY) });
    });
    it('fails a user with an inline * / * policy', () => {
      const finding = only(run('iam.no_users_with_admin', [user({ inlinePolicies: [{ name: 'god', document: STAR }] })]));
      expect(finding).toMatchObject({ status: 'FAIL', detail: expect.stringContaining('inline/god') });
    });
    it('passes a user whose customer managed policy is scoped', () => {
      const findings = run('iam.no_users_with_admin', [
        user({ attachedPolicies: [{ name: 'scoped', arn: POLICY }] }),
        policy(SCOPED),
      ]);
      expect(only(findings, USER).status).toBe('PASS');
    });
    it('is ERROR when an attached customer policy document could not be read', () => {
      const findings = run(
        'iam.no_users_with_admin',
        [user({ attachedPolicies: [{ name: 'scoped', arn: POLICY }] }), policy(undefined)],
        [denied('iam:GetPolicyVersion', POLICY)],
      );
      expect(only(findings, USER)).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('iam:GetPolicyVersion') });
    });
    it('is ERROR when the attached policies could not be listed', () => {
      const finding = only(
        run('iam.no_users_with_admin', [user({ attachedPolicies: undefined })], [denied('iam:ListAttachedUserPolicies', USER)]),
      );
      expect(finding.status).toBe('ERROR');
    });
  });

  describe('iam.sagemaker_roles_scoped', () => {
    it('passes a SageMaker role with a scoped customer policy', () => {
      expect(only(run('iam.sagemaker_roles_scoped', [role([{ name: 'scoped', arn: POLICY }]), policy(SCOPED)])).status).toBe(
        'PASS',
      );
    });
    it('fails a SageMaker role with AdministratorAccess', () => {
      expect(only(run('iam.sagemaker_roles_scoped', [role([ADMIN_ACCESS])])).status).toBe('FAIL');
    });
    it('fails a SageMaker role with a customer * / * policy', () => {
      const finding = only(run('iam.sagemaker_roles_scoped', [role([{ name: 'scoped', arn: POLICY }]), policy(STAR)]), ROLE);
      expect(finding).toMatchObject({
        status: 'FAIL',
        detail: `administrator rights (Action * on Resource *) through ${POLICY}`,
      });
    });
    it('is ERROR when the role policies could not be listed', () => {
      const finding = only(run('iam.sagemaker_roles_scoped', [role(undefined)], [denied('iam:ListAttachedRolePolicies', ROLE)]));
      expect(finding).toMatchObject({ resource: ROLE, status: 'ERROR' });
    });
    it('fails a SageMaker role with an inline * / * policy', () => {
      const finding = only(run('iam.sagemaker_roles_scoped', [role([], [{ name: 'everything', document: STAR }])]));
      expect(finding).toMatchObject({
        status: 'FAIL',
        detail: 'administrator rights (Action * on Resource *) through inline/everything',
      });
    });
    it('is ERROR when the role inline policies could not be listed', () => {
      const withoutInline = role([]);
      delete (withoutInline.configuration as { inlinePolicies?: unknown }).inlinePolicies;
      const finding = only(run('iam.sagemaker_roles_scoped', [withoutInline], [denied('iam:ListRolePolicies', ROLE)]));
      expect(finding).toMatchObject({ status: 'ERROR', detail: expect.stringContaining('iam:ListRolePolicies failed') });
    });
    it('keeps a role the deadline left undescribed in scope, as ERROR', () => {
      const stub: ResourceFixture = { arn: ROLE, type: IAM_ROLE_TYPE, region: 'global', configuration: { roleName: 'ml-exec' } };
      const finding = only(run('iam.sagemaker_roles_scoped', [stub], [denied('deadline', ROLE)]));
      expect(finding).toMatchObject({ resource: ROLE, status: 'ERROR', detail: expect.stringContaining('deadline failed') });
    });
  });

  describe('iam.service_role_trust_scoped', () => {
    const trusting = (service: string, condition?: Record<string, unknown>): ResourceFixture => {
      const base = role([]);
      // Trust policy shape: https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-roles.html (confused deputy prevention)
      base.configuration.trustPolicy = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Service',
            Effect: 'Allow',
            Principal: { Service: service },
            Action: 'sts:AssumeRole',
            ...(condition ? { Condition: condition } : {}),
          },
        ],
      };
      return base;
    };
    it('passes a SageMaker role whose trust is conditioned on aws:SourceAccount', () => {
      const finding = only(
        run('iam.service_role_trust_scoped', [
          trusting('sagemaker.amazonaws.com', { StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT } }),
        ]),
      );
      expect(finding).toMatchObject({ resource: ROLE, status: 'PASS' });
    });
    it('passes a Bedrock role conditioned on aws:SourceArn', () => {
      const condition = { ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:us-east-1:${TEST_ACCOUNT}:model-customization-job/*` } };
      expect(only(run('iam.service_role_trust_scoped', [trusting('bedrock.amazonaws.com', condition)])).status).toBe('PASS');
    });
    it('fails a SageMaker role trusted without a source condition, naming the statement', () => {
      const finding = only(run('iam.service_role_trust_scoped', [trusting('sagemaker.amazonaws.com')]));
      expect(finding).toMatchObject({
        resource: ROLE,
        status: 'FAIL',
        detail: 'trust policy lets statement Service assume the role without an aws:SourceAccount or aws:SourceArn condition',
      });
    });
    it('leaves roles trusted by other services out of scope', () => {
      expect(only(run('iam.service_role_trust_scoped', [trusting('ec2.amazonaws.com')]))).toMatchObject({
        status: 'NOT_APPLICABLE',
        detail: 'no roles trusted by sagemaker.amazonaws.com or bedrock.amazonaws.com',
      });
    });
    it('is ERROR for a role the deadline left undescribed', () => {
      const stub: ResourceFixture = { arn: ROLE, type: IAM_ROLE_TYPE, region: 'global', configuration: { roleName: 'ml-exec' } };
      const finding = only(run('iam.service_role_trust_scoped', [stub], [denied('deadline', ROLE)]));
      expect(finding).toMatchObject({ resource: ROLE, status: 'ERROR', detail: expect.stringContaining('deadline failed') });
    });
  });

  describe('principals kept by name only because the deadline came', () => {
    it.each([
      'iam.console_users_mfa',
      'iam.unused_credentials',
      'iam.access_key_rotation',
      'iam.users_no_direct_policies',
      'iam.no_users_with_admin',
    ])('%s is ERROR for a user stub', (id) => {
      const stub: ResourceFixture = { arn: USER, type: IAM_USER_TYPE, region: 'global', configuration: { userName: 'u' } };
      const finding = only(run(id, [stub], [denied('deadline', USER)]));
      expect(finding).toMatchObject({ resource: USER, status: 'ERROR', detail: expect.stringContaining('deadline failed') });
    });
    it('iam.no_star_admin_policies is ERROR for a policy stub', () => {
      const stub: ResourceFixture = {
        arn: POLICY,
        type: IAM_MANAGED_POLICY_TYPE,
        region: 'global',
        configuration: { policyName: 'p' },
      };
      const finding = only(run('iam.no_star_admin_policies', [stub], [denied('deadline', POLICY)]));
      expect(finding).toMatchObject({ resource: POLICY, status: 'ERROR', detail: expect.stringContaining('deadline failed') });
    });
  });

  describe('iam.admin_inventory', () => {
    const inventory = (count: number): ResourceFixture => ({
      arn: ADMINS,
      type: IAM_ADMINISTRATORS_TYPE,
      region: 'global',
      configuration: {
        administrators: Array.from({ length: count }, (_, i) => ({
          arn: `arn:aws:iam::${TEST_ACCOUNT}:user/admin${i}`,
          principalType: 'user',
          grantedBy: [ADMIN_ACCESS.arn],
        })),
      },
    });
    it('passes and lists the administrators when at most the configured number', () => {
      const finding = only(run('iam.admin_inventory', [account({}), inventory(2)]));
      expect(finding).toMatchObject({ resource: ROOT, status: 'PASS' });
      expect(finding.detail).toContain('user/admin1');
    });
    it('fails above the configured number', () => {
      expect(only(run('iam.admin_inventory', [account({}), inventory(4)]))).toMatchObject({
        status: 'FAIL',
        detail: expect.stringContaining('4 administrators (max 3)'),
      });
    });
    it('is ERROR when the inventory could not be computed', () => {
      const errors = [
        { api: 'iam:AdministratorInventory', resource: ADMINS, code: 'IncompleteEvidence', message: 'not computed' },
      ];
      const finding = only(run('iam.admin_inventory', [account({})], errors));
      expect(finding).toMatchObject({ resource: ROOT, status: 'ERROR', detail: expect.stringContaining('IncompleteEvidence') });
    });
  });

  it('is ERROR, not NOT_APPLICABLE, when ListUsers failed and no user is in scope', () => {
    const finding = only(
      run('iam.no_users_with_admin', [account({})], [{ api: 'iam:ListUsers', code: 'AccessDenied', message: 'no' }]),
    );
    expect(finding).toMatchObject({ resource: ROOT, status: 'ERROR' });
  });
});
