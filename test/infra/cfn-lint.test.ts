import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildTestApp } from './synth';

const ROOT = join(__dirname, '..', '..');
const CFN_LINT = join(ROOT, '.venv', 'bin', 'cfn-lint');

describe('cfn-lint', () => {
  it('finds nothing in any synthesised template', async () => {
    // Prepare
    // Every optional part on: both kinds of forwarder stack, the trail, the Slack secret grant
    const { app } = buildTestApp(
      {
        regions: ['us-east-1', 'eu-west-1', 'eu-central-1'],
        createTrail: true,
        slack: { webhookSecretArn: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:slack-AbCdEf' },
      },
      { env: { account: '111122223333', region: 'eu-west-1' } },
    );
    const outdir = app.synth().directory;
    const templates = readdirSync(outdir)
      .filter((name) => name.endsWith('.template.json'))
      .map((name) => join(outdir, name));
    // Act: from the repository root, so that .cfnlintrc applies
    const run = promisify(execFile)(CFN_LINT, templates, { cwd: ROOT }).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    // Assess
    expect(templates).toHaveLength(3);
    expect(await run).toEqual({ code: 0, stdout: '' });
  }, 120_000);
});
