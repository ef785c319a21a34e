import {
  buildReminderMessage,
  loadReminderState,
  planReminders,
  REMINDER_STATE_KEY,
  type ReminderState,
  ReminderStateError,
  sendReminders,
} from '../../../lambdas/alerts/reminders';
import { type AlertSender, type SlackMessage, SlackRejectedError } from '../../../lambdas/alerts/slack';
import type { EvaluatedItem, ManualEvidenceView } from '../../../lambdas/report/result';
import { type TempStore, tempStore } from '../integrity/fixtures';

const NOW = new Date('2026-12-01T06:00:00.000Z');
const DAY_MS = 86_400_000;
const at = (days: number) => new Date(NOW.getTime() + days * DAY_MS).toISOString();

function attestation(itemId: string, dueInDays: number, who = 'arn:aws:iam::123456789012:user/dana'): ManualEvidenceView {
  return {
    itemId,
    key: `manual/${itemId}/k`,
    sha256: 'a'.repeat(64),
    uploadedAt: at(dueInDays - 90),
    uploadedBy: who,
    fileName: 'review.pdf',
    dueAt: at(dueInDays),
    fresh: dueInDays > 0,
  };
}

function item(id: string, status: EvaluatedItem['status'], manualEvidence: ManualEvidenceView[]): EvaluatedItem {
  return {
    id,
    title: `title of ${id}`,
    section: 's',
    criteria: ['CC6.1'],
    kind: 'manual',
    status,
    reasons: [],
    checks: [],
    findings: [],
    manualEvidenceRequired: { description: 'Signed review', freshnessDays: 90 },
    manualEvidence,
  };
}

describe('planReminders', () => {
  const days = 14;

  it('reminds once of evidence expiring within the window, naming who attested last', () => {
    // Prepare
    const items = [
      item('SEC-AM-5', 'ATTESTED', [attestation('SEC-AM-5', 9)]),
      item('DOC-4', 'ATTESTED', [attestation('DOC-4', 40)]),
    ];
    // Act
    const first = planReminders({ items }, undefined, { now: NOW, days });
    const second = planReminders({ items }, first.next, { now: new Date(NOW.getTime() + DAY_MS), days });
    // Assess
    expect(first.reminders).toEqual([
      {
        itemId: 'SEC-AM-5',
        title: 'title of SEC-AM-5',
        evidence: 'Signed review',
        kind: 'expiring',
        dueAt: at(9),
        lastAttestedBy: 'arn:aws:iam::123456789012:user/dana',
        lastAttestedAt: at(-81),
      },
    ]);
    expect(first.next.sent).toEqual({ [`SEC-AM-5|${at(9)}`]: NOW.toISOString() });
    expect(second.reminders).toEqual([]);
  });

  it('reminds again when a renewed attestation nears its own expiry', () => {
    // Prepare
    const before = planReminders({ items: [item('SEC-AM-5', 'ATTESTED', [attestation('SEC-AM-5', 9)])] }, undefined, {
      now: NOW,
      days,
    });
    const renewed = [attestation('SEC-AM-5', 9), { ...attestation('SEC-AM-5', 12), uploadedAt: at(-1), attestedBy: 'Eve' }];
    // Act
    const plan = planReminders({ items: [item('SEC-AM-5', 'ATTESTED', renewed)] }, before.next, { now: NOW, days });
    // Assess
    expect(plan.reminders.map((r) => [r.itemId, r.dueAt, r.lastAttestedBy])).toEqual([['SEC-AM-5', at(12), 'Eve']]);
  });

  it('announces items that turned NEEDS_EVIDENCE since the last run, after a silent first run', () => {
    // Prepare
    const missingFromStart = item('PRIV-CM-5', 'NEEDS_EVIDENCE', []);
    const firstRun = planReminders(
      { items: [missingFromStart, item('DOC-4', 'ATTESTED', [attestation('DOC-4', 20)])] },
      undefined,
      {
        now: NOW,
        days,
      },
    );
    const expired = item('DOC-4', 'NEEDS_EVIDENCE', [attestation('DOC-4', -1)]);
    // Act
    const secondRun = planReminders({ items: [missingFromStart, expired] }, firstRun.next, { now: NOW, days });
    const thirdRun = planReminders({ items: [missingFromStart, expired] }, secondRun.next, { now: NOW, days });
    // Assess
    expect(firstRun.reminders).toEqual([]);
    expect(secondRun.reminders).toEqual([expect.objectContaining({ itemId: 'DOC-4', kind: 'needs-evidence', dueAt: at(-1) })]);
    expect(thirdRun.reminders).toEqual([]);
  });

  it('forgets announced expiries once they have passed', () => {
    // Prepare
    const previous: ReminderState = {
      schema: 'soc2-ml-reminders/v1',
      updatedAt: NOW.toISOString(),
      sent: { [`DOC-4|${at(-2)}`]: at(-20), [`SEC-AM-5|${at(3)}`]: at(-5) },
      needsEvidence: [],
    };
    // Act
    const plan = planReminders({ items: [] }, previous, { now: NOW, days });
    // Assess
    expect(plan.next.sent).toEqual({ [`SEC-AM-5|${at(3)}`]: at(-5) });
  });
});

describe('buildReminderMessage', () => {
  it('lists the items in text and one section per item, escaping Slack control characters', () => {
    // Prepare
    const reminders = planReminders(
      {
        items: [
          item('SEC-AM-5', 'ATTESTED', [attestation('SEC-AM-5', 1, '<!channel> & co')]),
          item('DOC-4', 'ATTESTED', [attestation('DOC-4', 5)]),
        ],
      },
      undefined,
      { now: NOW, days: 14 },
    ).reminders;
    // Act
    const message = buildReminderMessage(reminders, { now: NOW, days: 14 });
    // Assess
    expect(message.text).toBe('Manual evidence reminder: expiring within 14 days: SEC-AM-5, DOC-4');
    const sections = message.blocks.filter((b) => b.type === 'section') as { text: { text: string } }[];
    expect(sections.map((s) => s.text.text)).toEqual([
      `*SEC-AM-5* title of SEC-AM-5\nSigned review expires 2026-12-02 (in 1 day); last attested by &lt;!channel&gt; &amp; co on 2026-09-03`,
      `*DOC-4* title of DOC-4\nSigned review expires 2026-12-06 (in 5 days); last attested by arn:aws:iam::123456789012:user/dana on 2026-09-07`,
    ]);
  });

  it('stays within Slack block limits, counting the rest', () => {
    // Prepare
    const many = Array.from({ length: 60 }, (_, i) => item(`DOC-${i}`, 'ATTESTED', [attestation(`DOC-${i}`, 3)]));
    const reminders = planReminders({ items: many }, undefined, { now: NOW, days: 14 }).reminders;
    // Act
    const message = buildReminderMessage(reminders, { now: NOW, days: 14 });
    // Assess
    expect(message.blocks.length).toBeLessThanOrEqual(50);
    expect(JSON.stringify(message.blocks.at(-1))).toContain('15 more item(s) in the report.');
    expect(message.text).toContain('DOC-59');
  });
});

describe('sendReminders', () => {
  let temp: TempStore;
  const posted: SlackMessage[] = [];
  const sender: AlertSender = { description: 'test', send: async (message) => void posted.push(message) };
  const failing: AlertSender = {
    description: 'down',
    send: async () => {
      throw new Error('503');
    },
  };
  const result = { items: [item('SEC-AM-5', 'ATTESTED', [attestation('SEC-AM-5', 9)])] };
  beforeEach(async () => {
    temp = await tempStore();
    posted.length = 0;
  });
  afterEach(() => temp.cleanup());

  it('posts one digest, records it, and posts nothing on the next run', async () => {
    // Act
    const first = await sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 });
    const second = await sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 });
    // Assess
    expect(first).toEqual({ reminded: ['SEC-AM-5'], outcome: 'posted' });
    expect(second).toEqual({ reminded: [], outcome: 'nothing due' });
    expect(posted).toHaveLength(1);
    expect((await loadReminderState(temp.store))?.sent).toEqual({ [`SEC-AM-5|${at(9)}`]: NOW.toISOString() });
  });

  it('records nothing when the post fails, so the next run tries again', async () => {
    // Act
    await expect(sendReminders({ store: temp.store, result, sender: failing, now: NOW, days: 14 })).rejects.toThrow('503');
    const retry = await sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 });
    // Assess
    expect(retry.reminded).toEqual(['SEC-AM-5']);
    expect(posted).toHaveLength(1);
  });

  it("puts an earlier state back when the post fails, so only this run's announcements are undone", async () => {
    // Prepare: a first run already announced SEC-AM-5; SEC-AM-2 comes due later.
    await sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 });
    const before = await loadReminderState(temp.store);
    const later = { items: [...result.items, item('SEC-AM-2', 'ATTESTED', [attestation('SEC-AM-2', 5)])] };
    // Act
    await expect(sendReminders({ store: temp.store, result: later, sender: failing, now: NOW, days: 14 })).rejects.toThrow('503');
    // Assess
    expect(await loadReminderState(temp.store)).toEqual(before);
  });

  it('records a digest Slack refused for good and does not resend it', async () => {
    // Prepare
    let attempts = 0;
    const refusing: AlertSender = {
      description: 'refusing',
      send: async () => {
        attempts++;
        throw new SlackRejectedError(400, 'invalid_blocks');
      },
    };
    // Act
    const first = await sendReminders({ store: temp.store, result, sender: refusing, now: NOW, days: 14 });
    const second = await sendReminders({ store: temp.store, result, sender: refusing, now: NOW, days: 14 });
    // Assess
    expect(first).toEqual({
      reminded: ['SEC-AM-5'],
      outcome: 'refused',
      refusal: 'Slack refused the message: HTTP 400 invalid_blocks',
    });
    expect(second.outcome).toBe('nothing due');
    expect(attempts).toBe(1);
  });

  it('announces an expiry once when two report runs send at the same time', async () => {
    // Act
    const runs = await Promise.all([
      sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 }),
      sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 }),
    ]);
    // Assess
    expect(runs.map((run) => run.outcome).sort()).toEqual(['nothing due', 'posted']);
    expect(posted).toHaveLength(1);
  });

  it('refuses to overwrite an unreadable state', async () => {
    // Prepare
    await temp.store.put(REMINDER_STATE_KEY, new TextEncoder().encode('{not json'), { overwrite: true });
    // Act / Assess
    await expect(sendReminders({ store: temp.store, result, sender, now: NOW, days: 14 })).rejects.toThrow(ReminderStateError);
    expect(posted).toEqual([]);
    expect(new TextDecoder().decode(await temp.store.get(REMINDER_STATE_KEY))).toBe('{not json');
  });
});
