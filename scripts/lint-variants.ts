/**
 * Every shape of the deployed templates cfn-lint must see: the default app, organisation mode
 * (with its member StackSet template, which CloudFormation receives as a string and cfn-lint
 * would otherwise never open), the CloudTrail trail, and a home region other than us-east-1
 * with its forwarder stacks (the IAM one in us-east-1, a regional one, an S3-only one).
 * `npx tsx scripts/lint-variants.ts <outdir>` writes them for scripts/cfn-lint.sh;
 * test/infra/cfn-lint.test.ts lints the same list.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Environment } from 'aws-cdk-lib';
import type { Soc2MlConfigInput } from '../lambdas/config/schema';
import { memberAccountTemplate } from '../lib/member-role-stack-set';
import { buildSoc2MlApp, CONFIG_CONTEXT_KEY } from '../lib/soc2-ml-app';

const ACCOUNT = '111122223333';

export interface LintVariant {
  name: string;
  config: Soc2MlConfigInput;
  env: Environment;
}

export const LINT_VARIANTS: readonly LintVariant[] = [
  { name: 'default', config: {}, env: { account: ACCOUNT, region: 'us-east-1' } },
  {
    name: 'organization',
    config: {
      regions: ['us-east-1', 'eu-west-1'],
      organization: {
        enabled: true,
        organizationId: 'o-a1b2c3d4e5',
        externalId: 'acme-soc2-evidence',
        organizationalUnits: ['ou-ab12-cdef3456', 'r-ab12'],
      },
    },
    env: { account: ACCOUNT, region: 'us-east-1' },
  },
  { name: 'trail', config: { createTrail: true }, env: { account: ACCOUNT, region: 'us-east-1' } },
  {
    name: 'home-eu-west-1',
    config: {
      regions: ['us-east-1', 'eu-west-1', 'eu-central-1'],
      changeEvents: { bucketRegions: ['ap-northeast-1'] },
      slack: { webhookSecretArn: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:slack-AbCdEf` },
    },
    env: { account: ACCOUNT, region: 'eu-west-1' },
  },
];

/** The member StackSet template, as the organisation variant embeds it. */
const MEMBER_TEMPLATE = { roleName: 'soc2-ml-member', externalId: 'acme-soc2-evidence', regions: ['us-east-1', 'eu-west-1'] };

/**
 * Synthesises every variant into <outdir>/<variant>/ and the member template beside them;
 * returns the template files. `context` is passed to every app (tests skip bundling with it).
 */
export function synthLintVariants(outdir: string, context: Record<string, unknown> = {}): string[] {
  const files: string[] = [];
  for (const variant of LINT_VARIANTS) {
    const { app } = buildSoc2MlApp({
      outdir: join(outdir, variant.name),
      nag: false,
      env: variant.env,
      context: { ...context, [CONFIG_CONTEXT_KEY]: variant.config },
    });
    const assembly = app.synth();
    files.push(...assembly.stacks.map((stack) => join(assembly.directory, stack.templateFile)));
  }
  mkdirSync(join(outdir, 'member'), { recursive: true });
  const member = join(outdir, 'member', 'Soc2MlEvidenceMember.template.json');
  writeFileSync(member, JSON.stringify(memberAccountTemplate(MEMBER_TEMPLATE), null, 1));
  files.push(member);
  return files;
}

if (require.main === module) {
  const outdir = process.argv[2];
  if (!outdir) {
    process.stderr.write('usage: tsx scripts/lint-variants.ts <outdir>\n');
    process.exit(2);
  }
  // cfn-lint reads templates only: the variants skip esbuild (the default synth bundles for real).
  for (const file of synthLintVariants(outdir, { 'aws:cdk:bundling-stacks': [] })) process.stdout.write(`${file}\n`);
}
