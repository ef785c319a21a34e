import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_BUCKETS, type SeededAccount, seedDemoAccount } from '../../lambdas/cli/demo-seed';
import { collectBackup } from '../../lambdas/collectors/backup';
import { collectGuardDuty } from '../../lambdas/collectors/guardduty';
import { collectInspector } from '../../lambdas/collectors/inspector';
import { collectSecurityHub } from '../../lambdas/collectors/securityhub';
import { runCliCaptured } from '../helpers/cli';
import { emulatorCollectorContext } from '../helpers/collector-context';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, emulatorClients, useMoto } from '../helpers/moto';

/**
 * The security services' collectors against moto where it answers (STACK.md, emulator notes):
 * GuardDuty ListDetectors, Security Hub DescribeHub's "not subscribed", Inspector
 * BatchGetAccountStatus after Enable, Backup ListBackupPlans. Where moto does not answer (Backup
 * restore testing is HTTP 404) the collector records an error, never a fact.
 */
const moto = useMoto();
const ROOT = `arn:aws:iam::${EMULATOR_ACCOUNT}:root`;

describe('security service collectors against the emulator', () => {
  let seed: SeededAccount;
  beforeEach(async () => {
    seed = await seedDemoAccount(emulatorClients(moto().url), EMULATOR_ACCOUNT);
  }, 60_000);

  it('GuardDuty: no detector is a fact (no error)', async () => {
    // Act
    const output = await collectGuardDuty(emulatorCollectorContext(emulatorClients(moto().url)));
    // Assess
    expect(output).toMatchObject({ resources: [], errors: [] });
    expect(seed.planted).toContainEqual(expect.objectContaining({ check: 'guardduty.s3_protection', resource: ROOT }));
  });

  it('Security Hub: "not subscribed" is a fact (no hub, a note, no error)', async () => {
    // Act
    const output = await collectSecurityHub(emulatorCollectorContext(emulatorClients(moto().url)));
    // Assess
    expect(output).toMatchObject({
      resources: [],
      errors: [],
      notes: [{ message: `Security Hub is not enabled in ${EMULATOR_REGION}` }],
    });
  });

  it('Backup: plans list (none seeded is a fact); restore testing, which moto does not serve, is an error', async () => {
    // Act
    const output = await collectBackup(emulatorCollectorContext(emulatorClients(moto().url)));
    // Assess
    expect(output.resources).toEqual([]);
    expect(output.errors.map((e) => e.api)).toEqual(['backup:ListRestoreTestingPlans']);
    expect(seed.planted).toContainEqual(
      expect.objectContaining({ check: 'backup.ml_data_protected', resource: `arn:aws:s3:::${DEMO_BUCKETS.modelArtifacts}` }),
    );
  });

  it('Inspector: the seeded ECR scanning is ENABLED', async () => {
    // Act
    const output = await collectInspector(emulatorCollectorContext(emulatorClients(moto().url)));
    // Assess
    expect(output.errors).toEqual([]);
    expect(output.resources).toMatchObject([
      { arn: ROOT, configuration: { status: 'ENABLED', resourceTypes: { ecr: 'ENABLED' } } },
    ]);
  });
});
describe('the demo account reported through the CLI', () => {
  let dir: string;
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('shows GuardDuty off as FAIL, Inspector scanning ECR as PASS and an unprotected ML bucket as FAIL', async () => {
    // Prepare
    dir = await mkdtemp(join(tmpdir(), 'soc2-security-'));
    process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
    await seedDemoAccount(emulatorClients(moto().url), EMULATOR_ACCOUNT);
    const config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ regions: [EMULATOR_REGION], collection: { maxAttempts: 1 } }));
    const global = ['--endpoint-url', moto().url, '--region', EMULATOR_REGION];
    const store = ['--store', join(dir, 'store'), '--config', config];

    // Act
    const collect = await runCliCaptured([
      ...global,
      'collect',
      '--collectors',
      's3,sagemaker,guardduty,inspector,backup',
      '--allow-errors',
      ...store,
    ]);
    const report = await runCliCaptured([...global, 'report', '--out', join(dir, 'report'), ...store]);

    // Assess
    expect([collect.status, report.status]).toEqual([0, 0]);
    const json = JSON.parse(await readFile(join(dir, 'report', 'report.json'), 'utf8')) as {
      items: { id: string; findings: { check: string; resource: string; status: string }[] }[];
    };
    const findings = json.items.flatMap((item) => item.findings.map((f) => ({ item: item.id, ...f })));
    const status = (check: string, resource: string) => [
      ...new Set(findings.filter((f) => f.check === check && f.resource === resource).map((f) => f.status)),
    ];
    expect(status('guardduty.s3_protection', ROOT)).toEqual(['FAIL']);
    expect(status('inspector.ml_scanning', ROOT)).toEqual(['PASS']);
    expect(status('backup.ml_data_protected', `arn:aws:s3:::${DEMO_BUCKETS.modelArtifacts}`)).toEqual(['FAIL']);
  }, 120_000);
});
