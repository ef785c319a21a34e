import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSoc2MlApp, CONFIG_CONTEXT_KEY } from '../../lib/soc2-ml-app';
import { tempOutdir } from './synth';

interface FunctionJson {
  Type: string;
  Properties: { Code: { S3Key: string }; Environment?: { Variables: Record<string, unknown> } };
}

/** Organisation collection on, so that its two Lambda entries are bundled too. */
const ORGANIZATION = {
  regions: ['us-east-1', 'eu-west-1'],
  organization: {
    enabled: true,
    organizationId: 'o-a1b2c3d4e5',
    externalId: 'acme-soc2-evidence',
    organizationalUnits: ['ou-ab12-cdef3456'],
  },
};

describe('Lambda bundling', () => {
  it('bundles the handlers with esbuild, without Docker, with every pinned SDK client inside', () => {
    // Prepare
    const outdir = tempOutdir();
    const { app, stack } = buildSoc2MlApp({
      outdir,
      nag: false,
      env: { account: '111122223333', region: 'eu-west-1' },
      context: { [CONFIG_CONTEXT_KEY]: ORGANIZATION },
    });
    // Act
    const assembly = app.synth();
    // Assess
    const template = assembly.getStackByName(stack.stackName).template;
    const functions = Object.values(template.Resources as Record<string, FunctionJson>).filter(
      (resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.Environment,
    );
    const bundleOf = (matches: (variables: Record<string, unknown>) => boolean) => {
      const fn = functions.find((f) => matches(f.Properties.Environment!.Variables));
      expect(fn).toBeDefined();
      const bundle = join(outdir, `asset.${fn!.Properties.Code.S3Key.replace(/\.zip$/, '')}`, 'index.js');
      expect(existsSync(bundle)).toBe(true);
      return readFileSync(bundle, 'utf8');
    };
    const service = (name: string) => (variables: Record<string, unknown>) => variables.POWERTOOLS_SERVICE_NAME === name;
    const collector = bundleOf((variables) => variables.COLLECTOR !== undefined);
    const report = bundleOf((variables) => variables.DIGEST_SIGNING_KEY_ARN !== undefined);
    const memberCollector = bundleOf(service('soc2-ml-member-collector'));
    const organizationRun = bundleOf(service('soc2-ml-organization-run'));
    expect(collector).toContain('Scheduled Event');
    expect(report).toContain('soc2-ml-digest/v1');
    // Each entry carries its own code: the member role it assumes, the summary prefix it writes.
    expect(memberCollector).toContain('sts:AssumeRole');
    expect(organizationRun).toContain('runs/v1/');
    for (const code of [collector, report, memberCollector, organizationRun]) {
      // Every pinned SDK client is inside the bundle, none is left to the runtime's version.
      // (signature-v4-crt is the SDK's optional native signer, required only inside a try.)
      expect(code.match(/require\("@aws-sdk\/(?!signature-v4-crt")[^"]+"\)/g) ?? []).toEqual([]);
      expect(code).toContain('GetParameter');
    }
  }, 300_000);
});
