import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSoc2MlApp } from '../../lib/soc2-ml-app';
import { tempOutdir } from './synth';

describe('Lambda bundling', () => {
  it('bundles the collector handler with esbuild, without Docker', () => {
    // Prepare
    const outdir = tempOutdir();
    const { app, stack } = buildSoc2MlApp({ outdir, nag: false });
    // Act
    const assembly = app.synth();
    // Assess
    const template = assembly.getStackByName(stack.stackName).template;
    const fn = Object.values(
      template.Resources as Record<string, { Type: string; Properties: { Code: { S3Key: string } } }>,
    ).find((resource) => resource.Type === 'AWS::Lambda::Function');
    const assetHash = fn!.Properties.Code.S3Key.replace(/\.zip$/, '');
    const bundle = join(outdir, `asset.${assetHash}`, 'index.js');
    expect(existsSync(bundle)).toBe(true);
    const code = readFileSync(bundle, 'utf8');
    expect(code).toContain('Scheduled Event');
    // Our pinned S3 client is inside the bundle; only the SSM client is left to the runtime.
    expect(code).toMatch(/require\("@aws-sdk\/client-ssm"\)/);
    expect(code).not.toMatch(/require\("@aws-sdk\/client-s3"\)/);
  }, 180_000);
});
