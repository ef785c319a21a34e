import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectLockConfigurationCommand } from '@aws-sdk/client-s3';
import { runCliCaptured } from '../helpers/cli';
import { emulatorClients, useMoto } from '../helpers/moto';

/** CONTRACT.md exit statuses: 0 done, 1 problem found, 2 usage (one line), 3 internal (one line). */
const moto = useMoto();
let dir: string;
let fastConfig: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-exit-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  fastConfig = join(dir, 'fast.json');
  // moto answers 500 to what it lacks: one attempt is enough to record the failure.
  await writeFile(fastConfig, JSON.stringify({ collection: { maxAttempts: 1 } }));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCliCaptured(['--endpoint-url', moto().url, ...args]);

function expectOneLine(stderr: string): void {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
}

async function allFiles(root: string): Promise<string[]> {
  return (await readdir(root, { recursive: true })).map(String);
}

async function eventFile(change: (event: { region: string; detail: { awsRegion: string } }) => void): Promise<string> {
  const event = JSON.parse(await readFile(join(__dirname, '..', 'fixtures', 'events', 'DisableKeyRotation.json'), 'utf8'));
  change(event);
  const file = join(dir, 'event.json');
  await writeFile(file, JSON.stringify(event));
  return file;
}

describe('regions are validated before anything is written (exit 2)', () => {
  it('refuses --regions that would leave the evidence layout', async () => {
    const store = join(dir, 'deep', 'a', 'b', 'c', 'evidence');

    const run = await cli('collect', '--collectors', 'kms', '--regions', '../../../../../state/v1', '--store', store);

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('--regions "../../../../../state/v1": must be an AWS region such as "us-east-1"');
    expect(existsSync(join(dir, 'deep'))).toBe(false);
  });

  it('refuses a --region that is not a region name', async () => {
    const run = await cli('--region', 'us-east-1/../x', 'collect', '--store', join(dir, 'e'));

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--region "us-east-1/../x"');
  });

  it('refuses an event whose awsRegion is a path, writing nothing', async () => {
    const store = join(dir, 'evidence');
    const file = await eventFile((e) => {
      e.detail.awsRegion = '../../reports/latest';
    });

    const run = await cli('event', file, '--store', store);

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('detail.awsRegion: must be an AWS region');
    expect(existsSync(store)).toBe(false);
  });

  it('refuses an event from a region the configuration does not cover', async () => {
    const store = join(dir, 'evidence');
    const file = await eventFile((e) => {
      e.region = 'eu-west-1';
      e.detail.awsRegion = 'eu-west-1';
    });

    const run = await cli('event', file, '--store', store);

    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'soc2-ml: the event is for region eu-west-1, which is not among the configured regions (us-east-1)\n',
    );
  });
});

describe('the store is checked before collecting (exit 2)', () => {
  it('refuses --store naming a regular file at once', async () => {
    const file = join(dir, 'not-a-dir');
    await writeFile(file, 'x');

    const run = await cli('collect', '--store', file);

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('is not a directory');
    expect(run.stderr).not.toContain('collecting');
  });

  it('refuses a --bucket without Object Lock before collecting, and accepts one with it', async () => {
    const s3 = emulatorClients(moto().url).s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'plain-bucket' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'locked-bucket', ObjectLockEnabledForBucket: true }));

    const refused = await cli('collect', '--collectors', 's3', '--bucket', 'plain-bucket');
    const accepted = await cli('--quiet', 'collect', '--collectors', 's3', '--bucket', 'locked-bucket');

    expect(refused.status).toBe(2);
    expectOneLine(refused.stderr);
    expect(refused.stderr).toContain('--bucket plain-bucket: Object Lock is not enabled');
    expect(refused.stderr).not.toContain('collecting');
    expect({ status: accepted.status, stderr: accepted.stderr }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses a --bucket whose default retention is GOVERNANCE when evidence is written in COMPLIANCE', async () => {
    const s3 = emulatorClients(moto().url).s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'trial-bucket', ObjectLockEnabledForBucket: true }));
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: 'trial-bucket',
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
      }),
    );

    const run = await cli('collect', '--collectors', 's3', '--bucket', 'trial-bucket');

    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'soc2-ml: --bucket trial-bucket: its default Object Lock retention is GOVERNANCE, not COMPLIANCE (evidence.lockMode)\n',
    );
  });
});

describe('collect exits 1 when calls failed, unless --allow-errors', () => {
  it('summarises the failed calls in one line and still writes the evidence', async () => {
    // moto does not implement ListFeatureGroups and ListMonitoringSchedules (STACK.md).
    const collectSageMaker = (store: string, ...extra: string[]) =>
      cli('--quiet', 'collect', '--collectors', 'sagemaker', '--config', fastConfig, '--store', join(dir, store), ...extra);

    const failing = await collectSageMaker('a');
    const allowed = await collectSageMaker('b', '--allow-errors');

    expect(failing.status).toBe(1);
    expectOneLine(failing.stderr);
    expect(failing.stderr).toMatch(/^soc2-ml: \d+ calls failed: .*sagemaker:ListFeatureGroups \(HTTP500\).*--allow-errors/);
    expect((await allFiles(join(dir, 'a'))).some((f) => f.endsWith('.json.gz'))).toBe(true);
    expect(allowed.status).toBe(0);
    expect(allowed.stdout).toMatch(/\d+ errors \(recorded in the evidence/);
  });
});

describe('usage errors exit 2 with one line', () => {
  it('refuses a --public-key that is not a PEM public key', async () => {
    await writeFile(join(dir, 'garbage.pem'), 'this is not a key\n');
    await mkdir(join(dir, 'e'));

    const run = await cli('verify', '--store', join(dir, 'e'), '--public-key', join(dir, 'garbage.pem'));

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('garbage.pem: not a PEM public key');
  });

  it('refuses an --expires-in beyond any date', async () => {
    await writeFile(join(dir, 'policy.pdf'), 'policy\n');

    const run = await cli(
      'attest',
      'SEC-DP-4',
      join(dir, 'policy.pdf'),
      '--expires-in',
      '99999999999',
      '--store',
      join(dir, 'e'),
    );

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('--expires-in 99999999999: must be a whole number of days from 1 to 3650');
  });

  it('shows an event file that is not JSON in one line, its control characters escaped', async () => {
    const file = join(dir, 'hostile.json');
    await writeFile(file, '\u001b]0;pwned\u0007\u001b[31m{"not": json\r\nmore\u0000');

    const run = await cli('event', file, '--store', join(dir, 'e'));

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('malformed CloudTrail event: not valid JSON');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence
    expect(run.stderr.trimEnd()).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(run.stderr).toContain('\\u001b');
  });
});

describe('a schema-invalid record is reported in one line', () => {
  it('does not dump every validation issue', async () => {
    // Prepare: a record with the right name and gzip, but nothing a record needs inside.
    const store = join(dir, 'evidence');
    const key = 'evidence/v1/collector=kms/account=123456789012/region=us-east-1/date=2026-11-30/000000000Z-bad.json.gz';
    await mkdir(join(store, key, '..'), { recursive: true });
    await writeFile(join(store, key), gzipSync(JSON.stringify({ schema: 'evidence/v1', resources: [{}, {}, {}] })));

    const run = await cli('--quiet', 'report', '--store', store, '--out', join(dir, 'report'));

    expect(run.stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(1);
    expect(run.stderr).not.toMatch(/"code":/);
  });
});

describe('special paths are refused at once (exit 2), never hang', () => {
  it('refuses report --out under /proc', async () => {
    const run = await cli('report', '--store', join(dir, 'e'), '--out', '/proc/self/x');

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('--out /proc/self/x: cannot write there');
  });

  it('refuses an XDG_CONFIG_HOME under /proc for the signing key', async () => {
    process.env.XDG_CONFIG_HOME = '/proc/self/x';

    const run = await cli('report', '--store', join(dir, 'e'), '--out', join(dir, 'report'));

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('/proc/self/x/soc2-ml/keys');
  });

  it('refuses demo --dir under /proc', async () => {
    const run = await runCliCaptured(['demo', '--dir', '/proc/self/x']);

    expect(run.status).toBe(2);
    expectOneLine(run.stderr);
    expect(run.stderr).toContain('--dir /proc/self/x: cannot write there');
  });
});
