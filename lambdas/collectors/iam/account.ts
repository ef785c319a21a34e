import { GetAccountPasswordPolicyCommand, GetAccountSummaryCommand } from '@aws-sdk/client-iam';
import { type EvidenceResource, GLOBAL_REGION } from '../../evidence/record';
import { IAM_ACCOUNT_TYPE, type IamAccountConfiguration, iamAccountArn } from '../../evidence/resources/iam';
import { type CredentialReport, ROOT_ACCOUNT_ROW } from './credential-report';
import { type IamRun, NO_SUCH_ENTITY } from './run';

export async function describeAccountLevel(run: IamRun, report?: CredentialReport): Promise<EvidenceResource> {
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
