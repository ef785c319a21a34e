import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PLANTED_SECRETS, type SeededAccount, seedDemoAccount } from '../../lambdas/cli/demo-seed';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, emulatorClients, useMoto } from '../helpers/moto';

/**
 * The "done when" of checklist revision 2 on an emulated account seeded as in the demo, which
 * plants a user with a *:* customer policy attached directly, a SageMaker role trusted without a
 * source condition, a trail whose log bucket has no public access block, versioning or TLS-only
 * policy, a training job with a token hyper-parameter and a model with a password in its
 * environment: every new or changed check fails on exactly the planted resources, and no
 * planted secret reaches any file written or any line printed.
 */
const REVISION_2_CHECKS = [
  'iam.no_users_with_admin',
  'iam.service_role_trust_scoped',
  'ct.log_bucket_protected',
  'ct.cloudwatch_logs',
  'sm.training.no_secrets',
  'sm.model.no_secrets',
  's3.ml_bucket_lifecycle',
];

interface ReportFinding {
  check: string;
  resource: string;
  status: string;
  detail: string;
}

const moto = useMoto();

describe('checklist revision 2 on the seeded demo account', () => {
  let dir: string;
  let seed: SeededAccount;
  let findings: ReportFinding[];
  let printed: string;

  beforeAll(async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'soc2-rev2-'));
    process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
    seed = await seedDemoAccount(emulatorClients(moto().url), EMULATOR_ACCOUNT);
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ regions: [EMULATOR_REGION], collection: { maxAttempts: 1 } }));
    const global = ['--endpoint-url', moto().url, '--region', EMULATOR_REGION];

    // Act
    const collect = await runCliCaptured([...global, 'collect', '--store', join(dir, 'store'), '--config', config]);
    const report = await runCliCaptured([
      ...global,
      'report',
      '--store',
      join(dir, 'store'),
      '--out',
      join(dir, 'report'),
      '--config',
      config,
    ]);

    // moto answers HTTP 500 for calls it lacks (ListMonitoringSchedules, ListFeatureGroups): collect
    // records them and may say so by its exit status; only a usage or internal failure stops the test.
    expect([collect.status, report.status].filter((s) => s >= 2)).toEqual([]);
    printed = [collect.stdout, collect.stderr, report.stdout, report.stderr].join('\n');
    const json = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as {
      items: { findings: ReportFinding[] }[];
    };
    findings = json.items.flatMap((item) => item.findings);
  }, 120_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each(REVISION_2_CHECKS)('%s fails on exactly the planted resources', (check) => {
    const failing = new Set(findings.filter((f) => f.check === check && f.status === 'FAIL').map((f) => f.resource));
    const planted = new Set(seed.planted.filter((p) => p.check === check).map((p) => p.resource));
    expect(planted.size).toBeGreaterThan(0);
    expect([...failing].sort()).toEqual([...planted].sort());
  });

  it('fails the user holding *:* through a customer policy, not only the one with AdministratorAccess', () => {
    const administrators = findings.filter((f) => f.check === 'iam.no_users_with_admin' && f.status === 'FAIL');
    expect(administrators.map((f) => f.resource.split('/').pop()).sort()).toEqual(['ci-deployer', 'ml-platform-bot']);
    expect(administrators.find((f) => f.resource.endsWith('/ml-platform-bot'))?.detail).toContain('platform-everything');
  });

  it('names the key and the rule of each planted secret, never the value', () => {
    const detail = (check: string) => findings.find((f) => f.check === check && f.status === 'FAIL')?.detail ?? '';
    expect(detail('sm.training.no_secrets')).toContain('hyperParameters key wandb_api_token (rule secret-named-key)');
    expect(detail('sm.model.no_secrets')).toContain(
      'containers[0].environment key FEATURE_STORE_DB_PASSWORD (rule secret-named-key)',
    );
  });

  it('passes the training-data bucket whose only lifecycle action moves noncurrent versions', () => {
    expect(
      findings.find((f) => f.check === 's3.ml_bucket_lifecycle' && f.resource === 'arn:aws:s3:::acme-ml-training-data'),
    ).toMatchObject({ status: 'PASS', detail: expect.stringContaining('NoncurrentVersionTransition') });
  });

  it('writes no planted secret to the evidence, the report or the output', async () => {
    const entries = await readdir(dir, { withFileTypes: true, recursive: true });
    const files = entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
    expect(files.some((f) => f.includes('collector=sagemaker'))).toBe(true);
    for (const file of files) {
      const raw = await readFile(file);
      const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
      for (const secret of PLANTED_SECRETS) expect({ file, leaked: text.includes(secret) }).toEqual({ file, leaked: false });
    }
    for (const secret of PLANTED_SECRETS) expect(printed).not.toContain(secret);
  });
});
