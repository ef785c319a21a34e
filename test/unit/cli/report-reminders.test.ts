import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCliCaptured } from '../../helpers/cli';
import { startSlackReceiver } from '../../helpers/slack-receiver';

describe('soc2-ml report with a webhook: expiry reminders', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soc2-reminders-'));
    receiver = await startSlackReceiver();
    await writeFile(join(dir, 'config.json'), JSON.stringify({ slack: { webhookUrl: receiver.url }, reminders: { days: 14 } }));
    await writeFile(join(dir, 'review.pdf'), 'signed access review');
  });
  afterEach(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const report = () =>
    runCliCaptured(['report', '--store', join(dir, 'store'), '--out', join(dir, 'out'), '--config', join(dir, 'config.json')]);

  it('posts exactly one reminder naming an attestation that expires within the window, and none on the next run', async () => {
    // Prepare
    const attested = await runCliCaptured([
      ...['attest', 'SEC-AM-5', join(dir, 'review.pdf'), '--expires-in', '10', '--attested-by', 'Dana (CISO)'],
      ...['--store', join(dir, 'store')],
    ]);
    expect(attested.status).toBe(0);
    // Act
    const first = await report();
    const second = await report();
    // Assess
    expect([first.status, second.status]).toEqual([0, 0]);
    const reminders = receiver.posts.filter((post) => post.body.text.startsWith('Manual evidence reminder'));
    expect(reminders).toHaveLength(1);
    expect(reminders[0]!.body.text).toBe('Manual evidence reminder: expiring within 14 days: SEC-AM-5');
    expect(JSON.stringify(reminders[0]!.body.blocks)).toContain('last attested by Dana (CISO)');
    expect(receiver.posts).toHaveLength(1);
    expect(first.stderr).toContain('expiry reminder posted to Slack for SEC-AM-5');
  });

  it('sends nothing for evidence that expires after the window', async () => {
    // Prepare
    await runCliCaptured(['attest', 'SEC-AM-5', join(dir, 'review.pdf'), '--expires-in', '30', '--store', join(dir, 'store')]);
    // Act
    const run = await report();
    // Assess
    expect(run.status).toBe(0);
    expect(receiver.posts).toEqual([]);
  });
});
