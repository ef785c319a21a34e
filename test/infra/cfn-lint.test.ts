import { execFile } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { LINT_VARIANTS, synthLintVariants } from '../../scripts/lint-variants';
import { SKIP_BUNDLING, tempOutdir } from './synth';

const ROOT = join(__dirname, '..', '..');
const CFN_LINT = join(ROOT, '.venv', 'bin', 'cfn-lint');

describe('cfn-lint', () => {
  it('finds nothing in any template of any variant: default, organisation and its member template, trail, home eu-west-1 with forwarders', async () => {
    // Prepare: the variants scripts/cfn-lint.sh lints
    const templates = synthLintVariants(tempOutdir(), SKIP_BUNDLING);
    // Act: from the repository root, so that .cfnlintrc applies
    const run = promisify(execFile)(CFN_LINT, templates, { cwd: ROOT, maxBuffer: 16 << 20 }).then(
      () => ({ code: 0, stdout: '' }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );
    // Assess
    const byVariant = (name: string) =>
      templates.filter((t) => basename(dirname(t)) === name).map((t) => basename(t).replace(/\.template\.json$/, ''));
    expect(LINT_VARIANTS.map((v) => v.name)).toEqual(['default', 'organization', 'trail', 'home-eu-west-1']);
    expect(byVariant('default')).toEqual(['Soc2MlEvidence']);
    expect(byVariant('organization')).toEqual(['Soc2MlEvidence', 'Soc2MlEvidence-Events-eu-west-1']);
    expect(byVariant('home-eu-west-1').sort()).toEqual([
      'Soc2MlEvidence',
      'Soc2MlEvidence-Events-ap-northeast-1',
      'Soc2MlEvidence-Events-eu-central-1',
      'Soc2MlEvidence-Events-us-east-1',
    ]);
    expect(byVariant('member')).toEqual(['Soc2MlEvidenceMember']);
    expect(await run).toEqual({ code: 0, stdout: '' });
  }, 300_000);
});
