import {
  AddUserToGroupCommand,
  AttachRolePolicyCommand,
  AttachUserPolicyCommand,
  CreateAccessKeyCommand,
  CreateGroupCommand,
  CreateLoginProfileCommand,
  CreatePolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  PutGroupPolicyCommand,
  PutRolePolicyCommand,
  UpdateAccountPasswordPolicyCommand,
} from '@aws-sdk/client-iam';
import { IAM_CHECKS } from '../../lambdas/checks/iam';
import { collectIam } from '../../lambdas/collectors/iam';
import {
  IAM_ACCOUNT_TYPE,
  IAM_ADMINISTRATORS_TYPE,
  IAM_MANAGED_POLICY_TYPE,
  IAM_ROLE_TYPE,
  IAM_USER_TYPE,
  type IamAdministratorsConfiguration,
  type IamUserConfiguration,
} from '../../lambdas/evidence/resources/iam';
import { emulatorCollectorContext } from '../helpers/collector-context';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';
import { makeCheckContext, makeSnapshot } from '../helpers/snapshots';

const moto = useMoto();
/** The emulator loads each service on first use, which takes seconds on a busy machine. */
const EMULATOR_TEST_TIMEOUT_MS = 30_000;

describe('IAM collector against the emulator', () => {
  it(
    'names every seeded user, role and policy with the credential-report facts, and records no errors',
    async () => {
      // Prepare
      const clients = emulatorClients(moto().url);
      const iam = clients.iam();
      await iam.send(new CreateUserCommand({ UserName: 'console-no-mfa' }));
      await iam.send(new CreateLoginProfileCommand({ UserName: 'console-no-mfa', Password: 'Correct-Horse-9!' }));
      await iam.send(new CreateUserCommand({ UserName: 'automation' }));
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: 'automation' }));
      await iam.send(
        new AttachUserPolicyCommand({ UserName: 'automation', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }),
      );
      const policy = await iam.send(
        new CreatePolicyCommand({
          PolicyName: 'training-data-read',
          PolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::training-data/*' }],
          }),
        }),
      );
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'sagemaker-execution',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      await iam.send(new AttachRolePolicyCommand({ RoleName: 'sagemaker-execution', PolicyArn: policy.Policy!.Arn! }));
      await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 14, PasswordReusePrevention: 24 }));

      // Act
      const output = await collectIam(emulatorCollectorContext(clients));

      // Assess
      expect(output.errors).toEqual([]);
      const byArn = new Map(output.resources.map((r) => [r.arn, r]));
      const consoleUser = byArn.get(`arn:aws:iam::${EMULATOR_ACCOUNT}:user/console-no-mfa`)
        ?.configuration as IamUserConfiguration;
      expect(consoleUser).toMatchObject({ credentialSource: 'credential-report', passwordEnabled: true, mfaActive: false });
      const automation = byArn.get(`arn:aws:iam::${EMULATOR_ACCOUNT}:user/automation`)?.configuration as IamUserConfiguration;
      expect(automation).toMatchObject({
        passwordEnabled: false,
        accessKeys: [{ accessKeyId: key.AccessKey!.AccessKeyId, status: 'Active' }],
        attachedPolicies: [{ name: 'AdministratorAccess', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }],
      });
      expect(JSON.stringify(output)).not.toContain(key.AccessKey!.SecretAccessKey!);
      expect(byArn.get(`arn:aws:iam::${EMULATOR_ACCOUNT}:role/sagemaker-execution`)).toMatchObject({
        type: IAM_ROLE_TYPE,
        configuration: { trustedBySageMaker: true, attachedPolicies: [{ name: 'training-data-read' }] },
      });
      expect(byArn.get(policy.Policy!.Arn!)).toMatchObject({
        type: IAM_MANAGED_POLICY_TYPE,
        configuration: { attachmentCount: 1, document: { Statement: [{ Action: 's3:GetObject' }] } },
      });
      const account = output.resources.find((r) => r.type === IAM_ACCOUNT_TYPE);
      expect(account?.configuration).toMatchObject({
        summary: { AccountMFAEnabled: 0 },
        passwordPolicy: { minimumPasswordLength: 14, passwordReusePrevention: 24 },
        credentialReport: { reused: false },
      });
      const inventory = output.resources.find((r) => r.type === IAM_ADMINISTRATORS_TYPE)
        ?.configuration as IamAdministratorsConfiguration;
      expect(inventory.administrators.map((a) => a.arn)).toContain(`arn:aws:iam::${EMULATOR_ACCOUNT}:user/automation`);
      expect(output.resources.filter((r) => r.type === IAM_USER_TYPE)).toHaveLength(2);

      // The checks read this evidence as collected.
      const snapshot = makeSnapshot({
        collector: 'iam',
        account: EMULATOR_ACCOUNT,
        region: 'global',
        resources: output.resources,
      });
      const context = makeCheckContext([snapshot], { now: new Date() });
      const status = (id: string, resource: string) =>
        IAM_CHECKS.find((c) => c.id === id)
          ?.run(context)
          .find((f) => f.resource === resource)?.status;
      const root = `arn:aws:iam::${EMULATOR_ACCOUNT}:root`;
      expect(status('iam.root_mfa', root)).toBe('FAIL');
      expect(status('iam.console_users_mfa', `arn:aws:iam::${EMULATOR_ACCOUNT}:user/console-no-mfa`)).toBe('FAIL');
      expect(status('iam.no_users_with_admin', `arn:aws:iam::${EMULATOR_ACCOUNT}:user/automation`)).toBe('FAIL');
      expect(status('iam.sagemaker_roles_scoped', `arn:aws:iam::${EMULATOR_ACCOUNT}:role/sagemaker-execution`)).toBe('PASS');
      expect(status('iam.access_key_rotation', `arn:aws:iam::${EMULATOR_ACCOUNT}:user/automation`)).toBe('PASS');
    },
    EMULATOR_TEST_TIMEOUT_MS,
  );

  it(
    'reads role and group inline policies and counts their * / * grants as administration',
    async () => {
      // Prepare
      const clients = emulatorClients(moto().url);
      const iam = clients.iam();
      const everything = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'sagemaker-inline-admin',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Principal: { Service: 'sagemaker.amazonaws.com' }, Action: 'sts:AssumeRole' }],
          }),
        }),
      );
      await iam.send(
        new PutRolePolicyCommand({ RoleName: 'sagemaker-inline-admin', PolicyName: 'everything', PolicyDocument: everything }),
      );
      await iam.send(new CreateGroupCommand({ GroupName: 'ops' }));
      await iam.send(new PutGroupPolicyCommand({ GroupName: 'ops', PolicyName: 'ops-everything', PolicyDocument: everything }));
      await iam.send(new CreateUserCommand({ UserName: 'operator' }));
      await iam.send(new AddUserToGroupCommand({ GroupName: 'ops', UserName: 'operator' }));

      // Act
      const output = await collectIam(emulatorCollectorContext(clients));

      // Assess
      expect(output.errors).toEqual([]);
      const roleArn = `arn:aws:iam::${EMULATOR_ACCOUNT}:role/sagemaker-inline-admin`;
      const inventory = output.resources.find((r) => r.type === IAM_ADMINISTRATORS_TYPE)
        ?.configuration as IamAdministratorsConfiguration;
      expect(inventory.administrators).toEqual(
        expect.arrayContaining([
          { arn: roleArn, principalType: 'role', grantedBy: ['inline/everything'] },
          {
            arn: `arn:aws:iam::${EMULATOR_ACCOUNT}:user/operator`,
            principalType: 'user',
            grantedBy: ['group/ops: inline/ops-everything'],
          },
        ]),
      );
      const snapshot = makeSnapshot({
        collector: 'iam',
        account: EMULATOR_ACCOUNT,
        region: 'global',
        resources: output.resources,
      });
      const finding = IAM_CHECKS.find((c) => c.id === 'iam.sagemaker_roles_scoped')
        ?.run(makeCheckContext([snapshot], { now: new Date() }))
        .find((f) => f.resource === roleArn);
      expect(finding).toMatchObject({
        status: 'FAIL',
        detail: 'administrator rights (Action * on Resource *) through inline/everything',
      });
    },
    EMULATOR_TEST_TIMEOUT_MS,
  );
});
