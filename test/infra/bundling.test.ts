import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSoc2MlApp } from '../../lib/soc2-ml-app';
import { tempOutdir } from './synth';

interface FunctionJson {
  Type: string;
  Properties: { Code: { S3Key: string }; Environment?: { Variables: Record<string, unknown> } };
}

describe('Lambda bundling', () => {
  it('bundles the handlers with esbuild, without Docker, leaving only the SSM client to the runtime', () => {
    // Prepare
    const outdir = tempOutdir();
    const { app, stack } = buildSoc2MlApp({ outdir, nag: false });
    // Act
    const assembly = app.synth();
    // Assess
    const template = assembly.getStackByName(stack.stackName).template;
    const functions = Object.values(template.Resources as Record<string, FunctionJson>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Environment,
    );
    const bundleOf = (variable: string) => {
      const fn = functions.find((f) => f.Properties.Environment!.Variables[variable] !== undefined)!;
      const bundle = join(outdir, `asset.${fn.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
      expect(existsSync(bundle)).toBe(true);
      return readFileSync(bundle, 'utf8');
    };
    const collector = bundleOf('COLLECTOR');
    const report = bundleOf('DIGEST_SIGNING_KEY_ARN');
    expect(collector).toContain('Scheduled Event');
    expect(report).toContain('soc2-ml-digest/v1');
    for (const code of [collector, report]) {
      // Our pinned SDK clients are inside the bundle; only the SSM client is left to the runtime.
      expect(code).toMatch(/require\("@aws-sdk\/client-ssm"\)/);
      expect(code).not.toMatch(/require\("@aws-sdk\/client-(s3|kms)"\)/);
    }
  }, 180_000);
});
