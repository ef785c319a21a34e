import { webhookSender } from '../../../lambdas/alerts/slack';
import { parseConfig } from '../../../lambdas/config/schema';
import type { PathLogger } from '../../../lambdas/events/change-path';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { runScheduledReport } from '../../../lambdas/handlers/report';
import { attest } from '../../../lambdas/integrity/attest';
import { startSlackReceiver } from '../../helpers/slack-receiver';
import { ACCOUNT_A, type TempStore, tempStore } from '../integrity/fixtures';
import { stored } from '../report/fixtures';

const NOW = new Date('2026-11-26T06:00:00.000Z');
const DAY_MS = 86_400_000;

describe('runScheduledReport expiry reminders', () => {
  let temp: TempStore;
  let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;
  const warnings: string[] = [];
  const logger: PathLogger = { info: () => undefined, warn: (message) => void warnings.push(message), error: () => undefined };
  beforeEach(async () => {
    temp = await tempStore();
    receiver = await startSlackReceiver();
    warnings.length = 0;
    await writeEvidence(temp.store, stored({ account: ACCOUNT_A, collectedAt: '2026-11-25T10:00:00.000Z' }).record);
    await attest(temp.store, {
      itemId: 'DOC-4',
      fileName: 'incident-log.xlsx',
      bytes: new TextEncoder().encode('no incidents'),
      uploadedBy: 'arn:aws:sts::111111111111:assumed-role/Ops/erin',
      expiresInDays: 5,
      now: new Date(NOW.getTime() - DAY_MS),
      knownItemIds: ['DOC-4'],
    });
  });
  afterEach(async () => {
    await receiver.close();
    await temp.cleanup();
  });

  const run = async (now: Date) =>
    runScheduledReport({
      store: temp.store,
      signer: await temp.signer(),
      config: parseConfig({ reminders: { days: 7 } }),
      now,
      summary: { sender: webhookSender(receiver.url), logger },
    });

  it('posts the reminder beside the summary once, and only the summary on the next day', async () => {
    // Act
    const first = await run(NOW);
    const second = await run(new Date(NOW.getTime() + DAY_MS));
    // Assess
    expect(first.reminders).toEqual({ reminded: ['DOC-4'] });
    expect(second.reminders).toEqual({ reminded: [] });
    expect(receiver.posts.map((post) => post.body.text.split(':')[0])).toEqual([
      'SOC 2 report 2026-11-26T06',
      'Manual evidence reminder',
      'SOC 2 report 2026-11-27T06',
    ]);
    expect(receiver.posts[1]!.body.text).toBe('Manual evidence reminder: expiring within 7 days: DOC-4');
    expect(JSON.stringify(receiver.posts[1]!.body.blocks)).toContain('assumed-role/Ops/erin');
    expect(warnings).toEqual([]);
  });

  it('keeps the report and logs when the reminder cannot be posted; the next run sends it', async () => {
    // Prepare: the summary goes through, the reminder is refused.
    receiver.answerNext(200, 500);
    // Act
    const failed = await run(NOW);
    const retried = await run(new Date(NOW.getTime() + 3_600_000));
    // Assess
    expect(failed.reminders).toBe('failed');
    expect(failed.reportKeys.length).toBeGreaterThan(0);
    expect(warnings).toEqual(['expiry reminders not posted']);
    expect(retried.reminders).toEqual({ reminded: ['DOC-4'] });
  });

  it('sends no reminder without a webhook', async () => {
    // Act
    const result = await runScheduledReport({
      store: temp.store,
      signer: await temp.signer(),
      config: parseConfig({}),
      now: NOW,
    });
    // Assess
    expect(result.reminders).toBe('not configured');
    expect(receiver.posts).toEqual([]);
  });
});
