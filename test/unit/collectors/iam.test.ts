import {
  CredentialReportExpiredException,
  CredentialReportNotPresentException,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand,
  GetCredentialReportCommand,
  GetGroupPolicyCommand,
  GetLoginProfileCommand,
  GetPolicyVersionCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  LimitExceededException,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListPoliciesCommand,
  ListRolePoliciesCommand,
  ListRolesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { CollectionLog } from '../../../lambdas/collectors/collection-log';
import { collectIam } from '../../../lambdas/collectors/iam';
import { obtainCredentialReport, parseCredentialReport } from '../../../lambdas/collectors/iam/credential-report';
import {
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_GROUP_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAdministratorsConfiguration,
  type IamGroupConfiguration,
  type IamRoleConfiguration,
  type IamUserConfiguration,
} from '../../../lambdas/evidence/resources/iam';
import { mockedCollectorContext } from '../../helpers/collector-context';
import { fakeHttpHandler } from '../../helpers/fake-http';
import { FAKE_CREDENTIALS } from '../../helpers/moto';
import { listingPageSizes } from '../../helpers/page-sizes';

const iam = mockClient(IAMClient);
const NOW = new Date('2026-11-26T12:00:00.000Z');
const ACCOUNT = '123456789012';
const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';
const ROOT_ROW = `<root_account>,arn:aws:iam::${ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,2026-11-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
const userRow = (name: string, password: boolean, mfa: boolean) =>
  `${name},arn:aws:iam::${ACCOUNT}:user/${name},2026-01-01T00:00:00+00:00,${password},${password ? '2026-11-20T00:00:00+00:00' : 'N/A'},${password ? '2026-01-01T00:00:00+00:00' : 'N/A'},N/A,${mfa},false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
const report = (rows: string[], generated: Date) => ({
  Content: new TextEncoder().encode([HEADER, ...rows].join('\n')),
  ReportFormat: 'text/csv' as const,
  GeneratedTime: generated,
});
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const accessDenied = () => Object.assign(new Error('not allowed'), { name: 'AccessDenied' });
const noSuchEntity = () => new NoSuchEntityException({ message: 'none', $metadata: {} });

function user(name: string) {
  return { UserName: name, UserId: `AID${name}`, Arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, Path: '/', CreateDate: NOW };
}

/** An account where every call answers with nothing: tests add what they need. */
function emptyAccount() {
  iam.on(GetCredentialReportCommand).resolves(report([ROOT_ROW], hoursAgo(1)));
  iam.on(GetAccountSummaryCommand).resolves({ SummaryMap: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 } });
  iam.on(GetAccountPasswordPolicyCommand).rejects(noSuchEntity());
  iam.on(ListUsersCommand).resolves({ Users: [] });
  iam.on(ListGroupsCommand).resolves({ Groups: [] });
  iam.on(ListRolesCommand).resolves({ Roles: [] });
  iam.on(ListPoliciesCommand).resolves({ Policies: [] });
  iam.on(ListGroupsForUserCommand).resolves({ Groups: [] });
  iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
  iam.on(ListUserPoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(ListMFADevicesCommand).resolves({ MFADevices: [] });
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [] });
  iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [] });
  iam.on(ListAttachedGroupPoliciesCommand).resolves({ AttachedPolicies: [] });
  iam.on(ListRolePoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(ListGroupPoliciesCommand).resolves({ PolicyNames: [] });
  iam.on(GetLoginProfileCommand).rejects(noSuchEntity());
}

beforeEach(() => iam.reset());

describe('parseCredentialReport', () => {
  it('reads columns by header name and turns N/A, not_supported and no_information into null', () => {
    // Prepare
    const csv = [HEADER, ROOT_ROW, userRow('alice', true, false).replace('2026-11-20T00:00:00+00:00', 'no_information')].join(
      '\n',
    );

    // Act
    const rows = parseCredentialReport(csv);

    // Assess
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ user: '<root_account>', passwordEnabled: null, mfaActive: true, passwordLastChanged: null });
    expect(rows[1]).toEqual({
      user: 'alice',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      userCreationTime: '2026-01-01T00:00:00+00:00',
      passwordEnabled: true,
      passwordLastUsed: null,
      passwordLastChanged: '2026-01-01T00:00:00+00:00',
      mfaActive: false,
      accessKey1Active: false,
      accessKey2Active: false,
    });
  });

  it('refuses a report whose header lacks a column it reads', () => {
    expect(() => parseCredentialReport('user,arn\nalice,arn')).toThrow('user_creation_time');
  });
});

describe('obtainCredentialReport', () => {
  const request = (log: CollectionLog, sleep = jest.fn(async (_ms: number) => undefined)) => ({
    iam: new IAMClient({ region: 'us-east-1' }),
    log,
    resource: `arn:aws:iam::${ACCOUNT}:root`,
    now: NOW,
    maxAgeHours: 4,
    sleep,
  });

  it('reuses a report younger than the maximum age without generating one', async () => {
    // Prepare
    iam.on(GetCredentialReportCommand).resolves(report([userRow('alice', true, true)], hoursAgo(3)));
    const log = new CollectionLog();

    // Act
    const result = await obtainCredentialReport(request(log));

    // Assess
    expect(result).toMatchObject({ reused: true, rows: [{ user: 'alice' }] });
    expect(iam).not.toHaveReceivedCommand(GenerateCredentialReportCommand);
    expect(log.errors).toEqual([]);
  });

  it.each([
    ['not present', new CredentialReportNotPresentException({ message: 'none', $metadata: {} })],
    ['expired', new CredentialReportExpiredException({ message: 'old', $metadata: {} })],
  ])('generates a report when the last one is %s, polling while it is in progress', async (_label, first) => {
    // Prepare
    iam
      .on(GetCredentialReportCommand)
      .rejectsOnce(first)
      .rejectsOnce(Object.assign(new Error('in progress'), { name: 'ReportInProgress' }))
      .resolves(report([userRow('bob', false, false)], NOW));
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'STARTED' });
    const sleep = jest.fn(async (_ms: number) => undefined);
    const log = new CollectionLog();

    // Act
    const result = await obtainCredentialReport(request(log, sleep));

    // Assess
    expect(result).toMatchObject({ reused: false, rows: [{ user: 'bob', passwordEnabled: false }] });
    expect(iam).toHaveReceivedCommandTimes(GenerateCredentialReportCommand, 1);
    expect(iam).toHaveReceivedCommandTimes(GetCredentialReportCommand, 3);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(log.errors).toEqual([]);
  });

  it('reuses the last report when generation answers LimitExceeded', async () => {
    // Prepare
    iam.on(GetCredentialReportCommand).resolves(report([userRow('carol', true, true)], hoursAgo(6)));
    iam.on(GenerateCredentialReportCommand).rejects(new LimitExceededException({ message: 'limit', $metadata: {} }));
    const log = new CollectionLog();

    // Act
    const result = await obtainCredentialReport(request(log));

    // Assess
    expect(result).toMatchObject({ reused: true, generatedAt: hoursAgo(6) });
    expect(log.errors).toEqual([]);
    expect(log.notes[0]?.message).toContain('limit');
  });

  it('records an error after the last poll when the report never becomes ready', async () => {
    // Prepare
    iam.on(GetCredentialReportCommand).rejects(Object.assign(new Error('in progress'), { name: 'ReportInProgress' }));
    iam.on(GenerateCredentialReportCommand).resolves({ State: 'INPROGRESS' });
    const sleep = jest.fn(async (_ms: number) => undefined);
    const log = new CollectionLog();

    // Act
    const result = await obtainCredentialReport(request(log, sleep));

    // Assess
    expect(result).toBeUndefined();
    expect(sleep).toHaveBeenCalledTimes(10);
    expect(sleep.mock.calls.map(([ms]) => ms)).toEqual([1000, 2000, 4000, 8000, 16000, 16000, 16000, 16000, 16000, 16000]);
    expect(log.errors).toEqual([expect.objectContaining({ api: 'iam:GetCredentialReport', code: 'ReportInProgress' })]);
  });
});

describe('IAM collector', () => {
  it('describes an empty account: the account itself, no password policy, no administrators', async () => {
    // Prepare
    emptyAccount();

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources.map((r) => r.type).sort()).toEqual([IAM_ACCOUNT_TYPE, IAM_ADMINISTRATORS_TYPE]);
    const account = output.resources.find((r) => r.type === IAM_ACCOUNT_TYPE);
    expect(account).toMatchObject({
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      region: 'global',
      configuration: {
        summary: { AccountMFAEnabled: 1, AccountAccessKeysPresent: 0 },
        passwordPolicy: null,
        credentialReport: { reused: true },
        rootCredentials: { mfaActive: true, accessKey1Active: false },
      },
    });
    expect(output.resources.find((r) => r.type === IAM_ADMINISTRATORS_TYPE)?.configuration).toEqual({ administrators: [] });
    expect(iam).not.toHaveReceivedCommand(GenerateCredentialReportCommand);
  });

  it('follows ListUsers pagination and takes console password and MFA from the credential report', async () => {
    // Prepare
    emptyAccount();
    iam
      .on(GetCredentialReportCommand)
      .resolves(report([userRow('alice', true, false), userRow('bob', false, false)], hoursAgo(1)));
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [user('alice')], IsTruncated: true, Marker: 'page-2' })
      .resolves({ Users: [user('bob')], IsTruncated: false });
    iam.on(ListAccessKeysCommand, { UserName: 'bob' }).resolves({
      AccessKeyMetadata: [{ AccessKeyId: 'AKIABOB', Status: 'Active', CreateDate: new Date('2026-01-01T00:00:00Z') }],
    });
    iam.on(GetAccessKeyLastUsedCommand).resolves({ AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } });

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    expect(iam).toHaveReceivedNthSpecificCommandWith(1, ListUsersCommand, { MaxItems: 1000 });
    expect(iam).toHaveReceivedNthSpecificCommandWith(2, ListUsersCommand, { Marker: 'page-2', MaxItems: 1000 });
    const users = output.resources.filter((r) => r.type === IAM_USER_TYPE);
    expect(users.map((u) => (u.configuration as IamUserConfiguration).userName).sort()).toEqual(['alice', 'bob']);
    expect(users.find((u) => u.arn.endsWith('alice'))?.configuration).toMatchObject({
      credentialSource: 'credential-report',
      passwordEnabled: true,
      mfaActive: false,
      passwordLastUsed: '2026-11-20T00:00:00+00:00',
    });
    expect(users.find((u) => u.arn.endsWith('bob'))?.configuration).toMatchObject({
      passwordEnabled: false,
      accessKeys: [{ accessKeyId: 'AKIABOB', status: 'Active', createDate: '2026-01-01T00:00:00.000Z', lastUsedDate: null }],
    });
    expect(iam).not.toHaveReceivedCommand(GetLoginProfileCommand);
  });

  it('describes the users of the pages read when ListUsers fails on a later page, withholding the administrator inventory', async () => {
    // Prepare
    emptyAccount();
    iam.on(GetCredentialReportCommand).resolves(report([userRow('alice', false, false)], hoursAgo(1)));
    iam
      .on(ListUsersCommand)
      .resolvesOnce({ Users: [user('alice')], IsTruncated: true, Marker: 'page-2' })
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    expect(output.resources.filter((r) => r.type === IAM_USER_TYPE).map((r) => r.arn)).toEqual([user('alice').Arn]);
    expect(output.errors).toContainEqual({ api: 'iam:ListUsers', code: 'Throttling', message: 'Rate exceeded' });
    expect(output.resources.some((r) => r.type === IAM_ADMINISTRATORS_TYPE)).toBe(false);
    expect(output.errors).toContainEqual(
      expect.objectContaining({
        api: 'iam:AdministratorInventory',
        message: 'administrator inventory not computed: iam:ListUsers did not complete',
      }),
    );
  });

  it('records AccessDenied on one user and still describes the others, withholding the administrator inventory', async () => {
    // Prepare
    emptyAccount();
    iam.on(ListUsersCommand).resolves({ Users: [user('alice'), user('bob')] });
    iam.on(ListAttachedUserPoliciesCommand, { UserName: 'alice' }).rejects(accessDenied());

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;
    expect(output.errors).toEqual(
      expect.arrayContaining([
        { api: 'iam:ListAttachedUserPolicies', resource: aliceArn, code: 'AccessDenied', message: 'not allowed' },
        expect.objectContaining({ api: 'iam:AdministratorInventory', code: 'IncompleteEvidence' }),
      ]),
    );
    const alice = output.resources.find((r) => r.arn === aliceArn)?.configuration as IamUserConfiguration;
    const bob = output.resources.find((r) => r.arn.endsWith('user/bob'))?.configuration as IamUserConfiguration;
    expect(alice.attachedPolicies).toBeUndefined();
    expect(alice.groups).toEqual([]);
    expect(bob.attachedPolicies).toEqual([]);
    expect(output.resources.some((r) => r.type === IAM_ADMINISTRATORS_TYPE)).toBe(false);
  });

  it('finds administrators directly, through a group and through a customer * / * policy, and SageMaker-trusted roles', async () => {
    // Prepare
    emptyAccount();
    const starPolicy = `arn:aws:iam::${ACCOUNT}:policy/everything`;
    iam.on(ListUsersCommand).resolves({ Users: [user('alice'), user('bob'), user('carol')] });
    iam
      .on(ListGroupsCommand)
      .resolves({ Groups: [{ GroupName: 'admins', Arn: `arn:aws:iam::${ACCOUNT}:group/admins` } as never] });
    iam.on(ListAttachedUserPoliciesCommand, { UserName: 'alice' }).resolves({
      AttachedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    });
    iam.on(ListGroupsForUserCommand, { UserName: 'bob' }).resolves({ Groups: [{ GroupName: 'admins' } as never] });
    iam.on(ListAttachedGroupPoliciesCommand, { GroupName: 'admins' }).resolves({
      AttachedPolicies: [{ PolicyName: 'AdministratorAccess', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
    });
    iam.on(ListUserPoliciesCommand, { UserName: 'carol' }).resolves({ PolicyNames: ['inline'] });
    iam.on(GetUserPolicyCommand).resolves({
      UserName: 'carol',
      PolicyName: 'inline',
      PolicyDocument: encodeURIComponent(
        JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] }),
      ),
    });
    const trust = {
      Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    };
    iam.on(ListRolesCommand).resolves({
      Roles: [
        {
          RoleName: 'ml-exec',
          RoleId: 'AROA1',
          Arn: `arn:aws:iam::${ACCOUNT}:role/ml-exec`,
          Path: '/',
          CreateDate: NOW,
          AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(trust)),
        },
      ],
    });
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyName: 'everything', PolicyArn: starPolicy }] });
    iam.on(ListPoliciesCommand).resolves({
      Policies: [{ PolicyName: 'everything', PolicyId: 'ANPA1', Arn: starPolicy, DefaultVersionId: 'v2', AttachmentCount: 1 }],
    });
    iam.on(GetPolicyVersionCommand).resolves({
      PolicyVersion: {
        Document: encodeURIComponent(JSON.stringify({ Statement: { Effect: 'Allow', Action: '*', Resource: '*' } })),
      },
    });

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    const inventory = output.resources.find((r) => r.type === IAM_ADMINISTRATORS_TYPE)
      ?.configuration as IamAdministratorsConfiguration;
    expect(inventory.administrators).toEqual(
      expect.arrayContaining([
        {
          arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
          principalType: 'user',
          grantedBy: ['arn:aws:iam::aws:policy/AdministratorAccess'],
        },
        {
          arn: `arn:aws:iam::${ACCOUNT}:user/bob`,
          principalType: 'user',
          grantedBy: ['group/admins: arn:aws:iam::aws:policy/AdministratorAccess'],
        },
        { arn: `arn:aws:iam::${ACCOUNT}:role/ml-exec`, principalType: 'role', grantedBy: [starPolicy] },
      ]),
    );
    expect(inventory.administrators).toHaveLength(3);
    expect(listingPageSizes(iam, 'MaxItems')).toEqual({
      ListUsersCommand: [1000],
      ListGroupsCommand: [1000],
      ListRolesCommand: [1000],
      ListPoliciesCommand: [1000],
      ListGroupsForUserCommand: [1000],
      ListAttachedUserPoliciesCommand: [1000],
      ListUserPoliciesCommand: [1000],
      ListMFADevicesCommand: [1000],
      ListAccessKeysCommand: [1000],
      ListAttachedGroupPoliciesCommand: [1000],
      ListAttachedRolePoliciesCommand: [1000],
      ListGroupPoliciesCommand: [1000],
      ListRolePoliciesCommand: [1000],
    });
    const role = output.resources.find((r) => r.type === IAM_ROLE_TYPE)?.configuration as IamRoleConfiguration;
    expect(role).toMatchObject({ trustedBySageMaker: true, trustPolicy: trust });
    const carol = output.resources.find((r) => r.arn.endsWith('user/carol'))?.configuration as IamUserConfiguration;
    expect(carol.inlinePolicies).toEqual([
      { name: 'inline', document: { Statement: [expect.objectContaining({ Action: 's3:GetObject' })] } },
    ]);
  });

  it('collects role and group inline policies and counts * / * inline grants as administration', async () => {
    // Prepare
    emptyAccount();
    const everything = encodeURIComponent(JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }));
    iam.on(ListUsersCommand).resolves({ Users: [user('dave')] });
    iam.on(ListGroupsForUserCommand, { UserName: 'dave' }).resolves({ Groups: [{ GroupName: 'ops' } as never] });
    iam.on(ListGroupsCommand).resolves({ Groups: [{ GroupName: 'ops', Arn: `arn:aws:iam::${ACCOUNT}:group/ops` } as never] });
    iam.on(ListGroupPoliciesCommand, { GroupName: 'ops' }).resolves({ PolicyNames: ['ops-all'] });
    iam.on(GetGroupPolicyCommand, { GroupName: 'ops', PolicyName: 'ops-all' }).resolves({ PolicyDocument: everything } as never);
    iam.on(ListRolesCommand).resolves({
      Roles: [{ RoleName: 'ml-exec', RoleId: 'AROA1', Arn: `arn:aws:iam::${ACCOUNT}:role/ml-exec`, Path: '/', CreateDate: NOW }],
    });
    iam.on(ListRolePoliciesCommand, { RoleName: 'ml-exec' }).resolves({ PolicyNames: ['inline-all'] });
    iam
      .on(GetRolePolicyCommand, { RoleName: 'ml-exec', PolicyName: 'inline-all' })
      .resolves({ PolicyDocument: everything } as never);

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([]);
    const role = output.resources.find((r) => r.type === IAM_ROLE_TYPE)?.configuration as IamRoleConfiguration;
    expect(role.inlinePolicies).toEqual([
      { name: 'inline-all', document: { Statement: [expect.objectContaining({ Action: '*' })] } },
    ]);
    const group = output.resources.find((r) => r.type === IAM_GROUP_TYPE)?.configuration as IamGroupConfiguration;
    expect(group.inlinePolicies).toEqual([{ name: 'ops-all', document: expect.any(Object) }]);
    const inventory = output.resources.find((r) => r.type === IAM_ADMINISTRATORS_TYPE)
      ?.configuration as IamAdministratorsConfiguration;
    expect(inventory.administrators).toEqual([
      { arn: `arn:aws:iam::${ACCOUNT}:user/dave`, principalType: 'user', grantedBy: ['group/ops: inline/ops-all'] },
      { arn: `arn:aws:iam::${ACCOUNT}:role/ml-exec`, principalType: 'role', grantedBy: ['inline/inline-all'] },
    ]);
  });

  it('withholds the administrator inventory when a role inline policy could not be read', async () => {
    // Prepare
    emptyAccount();
    iam.on(ListRolesCommand).resolves({
      Roles: [{ RoleName: 'ml-exec', RoleId: 'AROA1', Arn: `arn:aws:iam::${ACCOUNT}:role/ml-exec`, Path: '/', CreateDate: NOW }],
    });
    iam.on(ListRolePoliciesCommand).rejects(accessDenied());

    // Act
    const output = await collectIam(mockedCollectorContext());

    // Assess
    expect(output.errors).toEqual([
      expect.objectContaining({ api: 'iam:ListRolePolicies', resource: `arn:aws:iam::${ACCOUNT}:role/ml-exec` }),
      expect.objectContaining({ api: 'iam:AdministratorInventory' }),
    ]);
    const role = output.resources.find((r) => r.type === IAM_ROLE_TYPE)?.configuration as IamRoleConfiguration;
    expect(role.inlinePolicies).toBeUndefined();
    expect(output.resources.some((r) => r.type === IAM_ADMINISTRATORS_TYPE)).toBe(false);
  });

  it('records principals the deadline left undescribed as errors, keeps them by name and withholds the administrator inventory', async () => {
    // Prepare
    emptyAccount();
    iam.on(ListUsersCommand).resolves({ Users: [user('late')] });

    // Act
    const output = await collectIam(mockedCollectorContext({ deadline: Date.now() - 1 }));

    // Assess
    expect(output.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ api: 'deadline', resource: `arn:aws:iam::${ACCOUNT}:user/late`, code: 'DeadlineExceeded' }),
        expect.objectContaining({ api: 'iam:AdministratorInventory' }),
      ]),
    );
    expect(output.resources.map((r) => r.type)).toEqual([IAM_ACCOUNT_TYPE, IAM_USER_TYPE]);
    expect(output.resources[1]).toEqual({
      arn: `arn:aws:iam::${ACCOUNT}:user/late`,
      type: IAM_USER_TYPE,
      region: 'global',
      configuration: { userName: 'late' },
      tags: {},
    });
  });

  it('re-describes one user by ARN without a credential report, from its login profile and MFA devices', async () => {
    // Prepare
    emptyAccount();
    iam.on(GetUserCommand, { UserName: 'alice' }).resolves({ User: { ...user('alice'), Path: '/team/' } });
    iam
      .on(GetLoginProfileCommand)
      .resolves({ LoginProfile: { UserName: 'alice', CreateDate: new Date('2026-02-01T00:00:00Z') } });
    iam.on(ListMFADevicesCommand).resolves({ MFADevices: [{ UserName: 'alice', SerialNumber: 'arn:mfa', EnableDate: NOW }] });

    // Act
    const output = await collectIam(
      mockedCollectorContext({ scope: { type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:user/team/alice` } }),
    );

    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources).toHaveLength(1);
    expect(output.resources[0]?.configuration).toMatchObject({
      credentialSource: 'api',
      passwordEnabled: true,
      mfaActive: true,
      passwordLastChanged: '2026-02-01T00:00:00.000Z',
    });
    expect(iam).not.toHaveReceivedCommand(GetCredentialReportCommand);
    expect(iam).not.toHaveReceivedCommand(ListUsersCommand);
  });

  it('reports a user deleted before its re-description as deleted, not as an error', async () => {
    // Prepare
    emptyAccount();
    iam.on(GetUserCommand).rejects(noSuchEntity());
    const arn = `arn:aws:iam::${ACCOUNT}:user/gone`;

    // Act
    const output = await collectIam(mockedCollectorContext({ scope: { type: 'resource', resource: arn } }));

    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources).toEqual([]);
    expect(output.deleted).toEqual([arn]);
  });
});

describe('collectIam through the real SDK retry strategy', () => {
  beforeEach(() => iam.restore());
  afterAll(() => {
    mockClient(IAMClient);
  });

  it('backs off on Throttling and succeeds on a later attempt', async () => {
    // Prepare
    let summaryCalls = 0;
    const xml = { 'content-type': 'text/xml' };
    const fake = fakeHttpHandler((request) => {
      const action = /Action=(\w+)/.exec(String(request.body))?.[1];
      if (action === 'GetAccountPasswordPolicy') {
        return {
          status: 404,
          headers: xml,
          body: '<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>none</Message></Error><RequestId>1</RequestId></ErrorResponse>',
        };
      }
      if (++summaryCalls === 1) {
        return {
          status: 400,
          headers: xml,
          body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>1</RequestId></ErrorResponse>',
        };
      }
      return {
        status: 200,
        headers: xml,
        body: '<GetAccountSummaryResponse><GetAccountSummaryResult><SummaryMap><entry><key>AccountMFAEnabled</key><value>1</value></entry></SummaryMap></GetAccountSummaryResult></GetAccountSummaryResponse>',
      };
    });
    const clients = new AwsClientFactory({
      region: 'us-east-1',
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 3,
      requestHandler: fake.handler,
    });

    // Act
    const output = await collectIam(
      mockedCollectorContext({ clients, scope: { type: 'resource', resource: `arn:aws:iam::${ACCOUNT}:root` } }),
    );

    // Assess
    expect(summaryCalls).toBe(2);
    expect(output.errors).toEqual([]);
    expect(output.resources[0]?.configuration).toEqual({ summary: { AccountMFAEnabled: 1 }, passwordPolicy: null });
  }, 20_000);
});
