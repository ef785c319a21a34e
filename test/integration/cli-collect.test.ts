import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, PutBucketTaggingCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { readEvidence } from '../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../lambdas/evidence/local-store';
import { REDACTED } from '../../lambdas/evidence/redact';
import { runCliCaptured } from '../helpers/cli';
import { emulatorClients, useMoto } from '../helpers/moto';

const moto = useMoto();
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-cli-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const collectS3AsJson = (storeDir: string) =>
  runCliCaptured(['--endpoint-url', moto().url, '--json', 'collect', '--collectors', 's3', '--store', storeDir]);

describe('soc2-ml collect --collectors s3 against the emulator', () => {
  it('writes one record naming every bucket with its configuration', async () => {
    // Prepare
    const s3 = emulatorClients(moto().url).s3();
    for (const bucket of ['training-data', 'model-artifacts', 'inference-logs'])
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: 'model-artifacts', VersioningConfiguration: { Status: 'Enabled' } }));
    const storeDir = join(dir, 'evidence');

    // Act
    const run = await collectS3AsJson(storeDir);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const summary = JSON.parse(run.stdout) as { runs: { key: string; resources: number; errors: number }[] };
    expect(summary.runs).toHaveLength(1);
    expect(summary.runs[0]).toMatchObject({ resources: 4, errors: 0 });
    const record = await readEvidence(await LocalDirectoryStore.open(storeDir), summary.runs[0]!.key);
    expect(record?.resources.map((r) => r.arn).sort()).toEqual([
      'arn:aws:s3::123456789012:account-public-access-block',
      'arn:aws:s3:::inference-logs',
      'arn:aws:s3:::model-artifacts',
      'arn:aws:s3:::training-data',
    ]);
    expect(record?.resources.find((r) => r.arn === 'arn:aws:s3:::model-artifacts')?.configuration.versioning).toEqual({
      status: 'Enabled',
      mfaDelete: false,
    });
    expect(record?.trigger).toMatchObject({ type: 'cli' });
    expect(record?.calls).toBeGreaterThan(0);
  });

  it('stores the value of a secret-looking bucket tag redacted', async () => {
    // Prepare
    const s3 = emulatorClients(moto().url).s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'training-data' }));
    await s3.send(
      new PutBucketTaggingCommand({
        Bucket: 'training-data',
        Tagging: {
          TagSet: [
            { Key: 'api_key', Value: 'sk-live-0123456789abcdef' },
            { Key: 'DataClassification', Value: 'confidential' },
          ],
        },
      }),
    );
    const storeDir = join(dir, 'evidence');

    // Act
    const run = await collectS3AsJson(storeDir);

    // Assess
    expect(run.status).toBe(0);
    const { runs } = JSON.parse(run.stdout) as { runs: { key: string }[] };
    const record = await readEvidence(await LocalDirectoryStore.open(storeDir), runs[0]!.key);
    expect(record?.resources.find((r) => r.arn === 'arn:aws:s3:::training-data')?.tags).toEqual({
      api_key: REDACTED,
      DataClassification: 'confidential',
    });
  });

  it('prints progress on stderr and a summary table on stdout', async () => {
    const run = await runCliCaptured(['--endpoint-url', moto().url, 'collect', '--collectors', 's3', '--store', join(dir, 'e')]);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('s3 global: 1 resources, 0 errors');
    expect(run.stdout).toMatch(/collector\s+region\s+resources\s+errors\s+calls/);
  });
});

describe('bad input exits 2 with one line naming the problem', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['an unknown collector', () => ['collect', '--collectors', 's3,ec2'], /unknown collector "ec2"; valid: s3, iam, kms/],
    ['a store path that cannot be written', () => ['collect', '--store', '/proc/no/such/dir'], /\/proc\/no\/such\/dir/],
    ['a config with an unknown key', () => ['collect', '--config', join(dir, 'bad.json')], /unknown key "thresholds.maxAdmins"/],
    ['a config value of the wrong type', () => ['collect', '--config', join(dir, 'wrong.json')], /key "collection.concurrency"/],
    [
      'an unknown checklist item',
      () => ['attest', 'SEC-DP-9', join(dir, 'bad.json'), '--store', join(dir, 's')],
      /closest: SEC-DP-/,
    ],
    ['an unknown option', () => ['collect', '--bogus'], /unknown option '--bogus'/],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    // Prepare
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ thresholds: { maxAdmins: 2 } }));
    await writeFile(join(dir, 'wrong.json'), JSON.stringify({ collection: { concurrency: 'lots' } }));

    // Act
    const run = await runCliCaptured(['--endpoint-url', moto().url, ...args()]);

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});
