import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { unescapeMrkdwn } from '../../lambdas/alerts/slack';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';
import { startSlackReceiver } from '../helpers/slack-receiver';

const moto = useMoto();
const FIXTURES = join(__dirname, '..', 'fixtures', 'events');
const PRINCIPAL = `arn:aws:sts::${EMULATOR_ACCOUNT}:assumed-role/PlatformAdmin/jane.doe`;
let dir: string;
let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-change-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
  receiver = await startSlackReceiver();
});
afterEach(async () => {
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
});

/** The fixture of an event name, pointed at a real key, with its own event id and the current time. */
async function eventFile(name: 'DisableKeyRotation' | 'EnableKeyRotation', keyId: string, eventId: string): Promise<string> {
  const event = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  event.detail.requestParameters = { keyId };
  event.detail.eventID = eventId;
  event.detail.eventTime = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const path = join(dir, `${eventId}.json`);
  await writeFile(path, JSON.stringify(event));
  return path;
}

async function prepareEstate() {
  const clients = emulatorClients(moto().url);
  await clients.s3().send(new CreateBucketCommand({ Bucket: 'ml-training-data' }));
  const kms = clients.kms('us-east-1');
  const key = await kms.send(new CreateKeyCommand({ Description: 'training data key' }));
  const keyId = key.KeyMetadata!.KeyId!;
  await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
  const store = join(dir, 'evidence');
  const common = ['--endpoint-url', moto().url, '--region', 'us-east-1'];
  const collected = await runCliCaptured([
    ...common,
    '--quiet',
    'collect',
    '--collectors',
    's3,kms',
    '--regions',
    'us-east-1',
    '--store',
    store,
  ]);
  expect(collected.status).toBe(0);
  const reported = await runCliCaptured([...common, '--quiet', 'report', '--store', store, '--out', join(dir, 'report')]);
  expect(reported.status).toBe(0);
  return { kms, keyId, keyArn: key.KeyMetadata!.Arn!, store, common };
}

describe('soc2-ml event against the emulator', () => {
  it('posts one message naming both rotation checks, the key, PASS -> FAIL and the principal; the same event again posts nothing', async () => {
    // Prepare
    const { kms, keyId, keyArn, store, common } = await prepareEstate();
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const file = await eventFile('DisableKeyRotation', keyId, 'a7c1f0e2-0000-4000-8000-000000000001');
    const event = [...common, '--json', 'event', file, '--store', store, '--slack-webhook-url', receiver.url];

    // Act
    const first = await runCliCaptured(event);
    const postsAfterFirst = receiver.posts.length;
    const again = await runCliCaptured(event);

    // Assess
    expect(first.status).toBe(0);
    expect(again.status).toBe(0);
    // Disabling rotation changes two findings (rotation_enabled, rotation_period): one message names both.
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts).toHaveLength(postsAfterFirst);
    const { text, blocks } = receiver.posts[0]!.body;
    expect(unescapeMrkdwn(text)).toBe(
      `FAIL: DisableKeyRotation by ${PRINCIPAL} changed 2 checks on ${keyArn}: kms.rotation_enabled PASS -> FAIL, kms.rotation_period PASS -> FAIL`,
    );
    expect(JSON.parse(first.stdout)).toMatchObject({ delivered: 2, messagesDelivered: 1, pending: 0 });
    expect(JSON.stringify(blocks)).toContain('203.0.113.24');
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: { status: 'recollected', changeLog: 'duplicate' }, alerts: [] });
  });

  it('prints the message instead of posting when no webhook is configured, and exits 2 on a malformed file', async () => {
    // Prepare
    const { kms, keyId, store, common } = await prepareEstate();
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const file = await eventFile('DisableKeyRotation', keyId, 'a7c1f0e2-0000-4000-8000-000000000002');
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"version":"0","detail-type":"AWS API Call via CloudTrail"');

    // Act
    const printed = await runCliCaptured([...common, 'event', file, '--store', store]);
    const malformed = await runCliCaptured([...common, 'event', broken, '--store', store]);

    // Assess
    expect(printed.status).toBe(0);
    const texts = printed.stdout
      .trim()
      .split('\n')
      .map((line) => unescapeMrkdwn((JSON.parse(line) as { text: string }).text));
    expect(texts).toEqual([
      expect.stringMatching(/^FAIL: DisableKeyRotation by .* changed 2 checks on .*kms\.rotation_enabled PASS -> FAIL/),
    ]);
    expect(malformed.status).toBe(2);
    expect(malformed.stderr).toMatch(/broken\.json: malformed CloudTrail event: not valid JSON/);
    expect(receiver.posts).toEqual([]);
  });

  it('measures event-to-Slack latency and calls per event over 20 events', async () => {
    // Prepare
    const { kms, keyId, store, common } = await prepareEstate();
    const latencies: number[] = [];
    const calls: number[] = [];

    // Act
    for (let i = 0; i < 20; i += 1) {
      const disable = i % 2 === 0;
      await kms.send(disable ? new DisableKeyRotationCommand({ KeyId: keyId }) : new EnableKeyRotationCommand({ KeyId: keyId }));
      const file = await eventFile(disable ? 'DisableKeyRotation' : 'EnableKeyRotation', keyId, `bench-${i}`);
      const started = performance.now();
      const run = await runCliCaptured([
        ...common,
        '--json',
        'event',
        file,
        '--store',
        store,
        '--slack-webhook-url',
        receiver.url,
      ]);
      expect(run.status).toBe(0);
      calls.push((JSON.parse(run.stdout) as { calls: number }).calls);
      latencies.push(receiver.posts[i]!.at - started);
    }

    // Assess: one message per event, alternating failure and resolution of both rotation checks
    expect(receiver.posts.map((p) => unescapeMrkdwn(p.body.text).split(': ')[0])).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'FAIL' : 'Resolved')),
    );
    expect(receiver.posts.every((p) => /kms\.rotation_enabled .*kms\.rotation_period /.test(p.body.text))).toBe(true);
    // Only the calls that describe that one key: DescribeKey, ListAliases, rotation, policy, tags.
    expect(new Set(calls)).toEqual(new Set([5]));
    const sorted = [...latencies].sort((a, b) => a - b);
    const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    console.log(
      `change path, event -> Slack post (CLI in-process, moto): p50 ${percentile(50).toFixed(0)} ms, p95 ${percentile(95).toFixed(0)} ms, AWS calls per event ${calls[0]}`,
    );
  }, 120_000);
});
