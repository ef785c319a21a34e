import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DisableKeyRotationCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { unescapeMrkdwn } from '../../lambdas/alerts/slack';
import {
  keyRotationEventFile,
  FIXTURE_PRINCIPAL as PRINCIPAL,
  rotatingKeyEstate,
  useChangePathSandbox,
} from '../helpers/change-path-estate';
import { runCliCaptured } from '../helpers/cli';
import { useMoto } from '../helpers/moto';

const moto = useMoto();
const sandbox = useChangePathSandbox();
const prepareEstate = () => rotatingKeyEstate(moto(), sandbox.dir);
const eventFile = (name: 'DisableKeyRotation' | 'EnableKeyRotation', keyId: string, eventId: string) =>
  keyRotationEventFile(sandbox.dir, name, keyId, eventId);

describe('soc2-ml event against the emulator', () => {
  it('posts one message naming both rotation checks, the key, PASS -> FAIL and the principal; the same event again posts nothing', async () => {
    // Prepare
    const { kms, keyId, keyArn, store, common } = await prepareEstate();
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const file = await eventFile('DisableKeyRotation', keyId, 'a7c1f0e2-0000-4000-8000-000000000001');
    const event = [...common, '--json', 'event', file, '--store', store, '--slack-webhook-url', sandbox.receiver.url];

    // Act
    const first = await runCliCaptured(event);
    const postsAfterFirst = sandbox.receiver.posts.length;
    const again = await runCliCaptured(event);

    // Assess
    expect(first.status).toBe(0);
    expect(again.status).toBe(0);
    // Disabling rotation changes two findings (rotation_enabled, rotation_period): one message names both.
    expect(sandbox.receiver.posts).toHaveLength(1);
    expect(sandbox.receiver.posts).toHaveLength(postsAfterFirst);
    const { text, blocks } = sandbox.receiver.posts[0]!.body;
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
    const broken = join(sandbox.dir, 'broken.json');
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
    expect(sandbox.receiver.posts).toEqual([]);
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
        sandbox.receiver.url,
      ]);
      expect(run.status).toBe(0);
      calls.push((JSON.parse(run.stdout) as { calls: number }).calls);
      latencies.push(sandbox.receiver.posts[i]!.at - started);
    }

    // Assess: one message per event, alternating failure and resolution of both rotation checks
    expect(sandbox.receiver.posts.map((p) => unescapeMrkdwn(p.body.text).split(': ')[0])).toEqual(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 'FAIL' : 'Resolved')),
    );
    expect(sandbox.receiver.posts.every((p) => /kms\.rotation_enabled .*kms\.rotation_period /.test(p.body.text))).toBe(true);
    // Only the calls that describe that one key: DescribeKey, ListAliases, rotation, policy, tags.
    expect(new Set(calls)).toEqual(new Set([5]));
    const sorted = [...latencies].sort((a, b) => a - b);
    const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
    console.log(
      `change path, event -> Slack post (CLI in-process, moto): p50 ${percentile(50).toFixed(0)} ms, p95 ${percentile(95).toFixed(0)} ms, AWS calls per event ${calls[0]}`,
    );
  }, 120_000);
});
