/**
 * Expiry reminders for manual evidence: one Slack digest per report run listing the evidence
 * that expires within the reminder window and the items that turned NEEDS_EVIDENCE since the
 * last run, grouped by item and naming who attested last. What was sent is remembered in a
 * small state object, so each expiry is announced once, not on every run.
 */
import { z } from 'zod';
import { REMINDER_STATE_KEY } from '../evidence/layout';
import { ConditionalWriteConflictError, type ConditionalWriteStore, type EvidenceStore } from '../evidence/store';
import { attester, manualStatus } from '../report/manual-status';
import type { EvaluatedItem, EvaluationResult } from '../report/result';
import { type AlertSender, escapeMrkdwn, type SlackMessage, SlackRejectedError } from './slack';
import { conditionalStore } from './state';

export { REMINDER_STATE_KEY };
export const REMINDER_STATE_SCHEMA = 'soc2-ml-reminders/v1';
const DAY_MS = 86_400_000;
/** Slack shows at most 50 blocks; the header and the closing context take two. */
const MAX_ITEM_BLOCKS = 45;

const reminderStateSchema = z.strictObject({
  schema: z.literal(REMINDER_STATE_SCHEMA),
  updatedAt: z.iso.datetime(),
  /** `<ITEM-ID>|<dueAt>` of every expiry already announced -> when it was. */
  sent: z.record(z.string(), z.iso.datetime()),
  /** Items that were NEEDS_EVIDENCE at the last run. */
  needsEvidence: z.array(z.string()),
});
export type ReminderState = z.infer<typeof reminderStateSchema>;

export interface Reminder {
  itemId: string;
  title: string;
  /** What the evidence is (the catalog's description). */
  evidence: string;
  kind: 'expiring' | 'needs-evidence';
  /** When the freshest attestation stops counting; absent when there never was one. */
  dueAt?: string;
  lastAttestedBy?: string;
  lastAttestedAt?: string;
}

export interface ReminderPlan {
  reminders: Reminder[];
  /** The state to store once the reminders are delivered (or at once when there are none). */
  next: ReminderState;
}

const expiryKey = (itemId: string, dueAt: string) => `${itemId}|${dueAt}`;

function reminderFor(item: EvaluatedItem, kind: Reminder['kind']): Reminder {
  const status = manualStatus(item);
  return {
    itemId: item.id,
    title: item.title,
    evidence: item.manualEvidenceRequired?.description ?? 'manual evidence',
    kind,
    ...(status.dueAt ? { dueAt: status.dueAt } : {}),
    ...(status.latest ? { lastAttestedBy: attester(status.latest), lastAttestedAt: status.latest.uploadedAt } : {}),
  };
}

/**
 * What to remind of now. The first run (no state) announces expiries ahead but takes the
 * current NEEDS_EVIDENCE items as its baseline: only later turns are news. Pure.
 */
export function planReminders(
  result: Pick<EvaluationResult, 'items'>,
  previous: ReminderState | undefined,
  options: { now: Date; days: number },
): ReminderPlan {
  const { now, days } = options;
  const horizon = now.getTime() + days * DAY_MS;
  const wasMissing = new Set(previous?.needsEvidence ?? []);
  // Announced expiries that have passed can never come round again: forget them.
  const sent = Object.fromEntries(
    Object.entries(previous?.sent ?? {}).filter(([key]) => Date.parse(key.split('|')[1] ?? '') > now.getTime()),
  );
  const reminders: Reminder[] = [];
  for (const item of result.items) {
    if (!item.manualEvidenceRequired) continue;
    const status = manualStatus(item);
    if (status.state === 'fresh' && Date.parse(status.dueAt!) <= horizon) {
      const key = expiryKey(item.id, status.dueAt!);
      if (sent[key] === undefined) {
        reminders.push(reminderFor(item, 'expiring'));
        sent[key] = now.toISOString();
      }
    } else if (item.status === 'NEEDS_EVIDENCE' && previous && !wasMissing.has(item.id)) {
      reminders.push(reminderFor(item, 'needs-evidence'));
    }
  }
  const needsEvidence = result.items.filter((item) => item.status === 'NEEDS_EVIDENCE').map((item) => item.id);
  return {
    reminders,
    next: { schema: REMINDER_STATE_SCHEMA, updatedAt: now.toISOString(), sent, needsEvidence },
  };
}

function daysUntil(dueAt: string, now: Date): number {
  return Math.max(0, Math.ceil((Date.parse(dueAt) - now.getTime()) / DAY_MS));
}

function reminderLine(reminder: Reminder, now: Date): string {
  const last = reminder.lastAttestedBy
    ? `last attested by ${reminder.lastAttestedBy} on ${reminder.lastAttestedAt!.slice(0, 10)}`
    : 'never attested';
  if (reminder.kind === 'expiring') {
    const days = daysUntil(reminder.dueAt!, now);
    return `${reminder.evidence} expires ${reminder.dueAt!.slice(0, 10)} (in ${days} day${days === 1 ? '' : 's'}); ${last}`;
  }
  const when = reminder.dueAt ? `expired ${reminder.dueAt.slice(0, 10)}` : 'missing';
  return `now NEEDS_EVIDENCE: ${reminder.evidence} ${when}; ${last}`;
}

/** The one digest message: `text` names every item, blocks give one section per item. */
export function buildReminderMessage(reminders: Reminder[], options: { now: Date; days: number }): SlackMessage {
  const expiring = reminders.filter((r) => r.kind === 'expiring').map((r) => r.itemId);
  const missing = reminders.filter((r) => r.kind === 'needs-evidence').map((r) => r.itemId);
  const parts = [
    ...(expiring.length ? [`expiring within ${options.days} days: ${expiring.join(', ')}`] : []),
    ...(missing.length ? [`now NEEDS_EVIDENCE: ${missing.join(', ')}`] : []),
  ];
  const shown = reminders.slice(0, MAX_ITEM_BLOCKS);
  const rest = reminders.length - shown.length;
  return {
    text: `Manual evidence reminder: ${parts.join('; ')}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':spiral_calendar_pad: Manual evidence reminder', emoji: true } },
      ...shown.map((reminder) => ({
        type: 'section' as const,
        text: {
          type: 'mrkdwn' as const,
          text: `*${escapeMrkdwn(reminder.itemId)}* ${escapeMrkdwn(reminder.title)}\n${escapeMrkdwn(reminderLine(reminder, options.now))}`,
        },
      })),
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${rest > 0 ? `${rest} more item(s) in the report. ` : ''}Renew with \`soc2-ml attest ITEM-ID FILE\`; \`soc2-ml templates --item ITEM-ID\` says what to write.`,
          },
        ],
      },
    ],
  };
}

/** Raised when the stored reminder state cannot be read: overwriting it could repeat every reminder. */
export class ReminderStateError extends Error {
  constructor(reason: string) {
    super(`reminder state ${REMINDER_STATE_KEY} is unreadable: ${reason}`);
    this.name = 'ReminderStateError';
  }
}

/** The stored reminder state and the tag a conditional replacement compares against. */
async function loadTaggedReminderState(store: ConditionalWriteStore): Promise<{ state?: ReminderState; tag?: string }> {
  const object = await store.getTagged(REMINDER_STATE_KEY);
  if (!object) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(object.body));
  } catch (err) {
    throw new ReminderStateError((err as Error).message);
  }
  const parsed = reminderStateSchema.safeParse(raw);
  if (!parsed.success) throw new ReminderStateError(parsed.error.issues[0]?.message ?? 'schema mismatch');
  return { state: parsed.data, tag: object.tag };
}

export async function loadReminderState(store: EvidenceStore): Promise<ReminderState | undefined> {
  return (await loadTaggedReminderState(conditionalStore(store))).state;
}

export interface ReminderRun {
  /** Items the digest named; empty when nothing was due. */
  reminded: string[];
  outcome: 'posted' | 'nothing due' | 'refused';
  /** Why Slack refused the digest for good (outcome `refused`). */
  refusal?: string;
}

/** Concurrent report runs rarely collide more than once; past this the run gives up loudly. */
const MAX_CLAIM_ATTEMPTS = 5;
const STATE_OPTIONS = { contentType: 'application/json' };
const encodeState = (state: ReminderState) => new TextEncoder().encode(JSON.stringify(state));

/**
 * Plans, claims and posts one digest when anything is due. The new state is written before the
 * post and only if nobody replaced it since it was read, so two concurrent report runs cannot
 * both announce the same expiry (the loser plans again from the winner's state). A post that
 * fails for now puts the previous state back, so the next run tries the same reminders again;
 * one Slack refuses for good (SlackRejectedError) stays recorded as sent, so it is not resent
 * on every run, and is reported as `refused`.
 */
export async function sendReminders(input: {
  store: EvidenceStore;
  result: Pick<EvaluationResult, 'items'>;
  sender: AlertSender;
  now: Date;
  days: number;
}): Promise<ReminderRun> {
  const { sender, now, days } = input;
  const store = conditionalStore(input.store);
  for (let attempt = 1; ; attempt++) {
    const previous = await loadTaggedReminderState(store);
    const plan = planReminders(input.result, previous.state, { now, days });
    let claimed: string;
    try {
      claimed = (await store.putIfUnchanged(REMINDER_STATE_KEY, encodeState(plan.next), previous.tag, STATE_OPTIONS)).tag;
    } catch (err) {
      if (err instanceof ConditionalWriteConflictError && attempt < MAX_CLAIM_ATTEMPTS) continue;
      throw err;
    }
    const reminded = plan.reminders.map((reminder) => reminder.itemId);
    if (plan.reminders.length === 0) return { reminded, outcome: 'nothing due' };
    try {
      await sender.send(buildReminderMessage(plan.reminders, { now, days }));
      return { reminded, outcome: 'posted' };
    } catch (err) {
      if (err instanceof SlackRejectedError) return { reminded, outcome: 'refused', refusal: err.message };
      // With no earlier state the first run's baseline stays, only its announcements are undone.
      const rollback = previous.state ?? { ...plan.next, sent: {} };
      await store.putIfUnchanged(REMINDER_STATE_KEY, encodeState(rollback), claimed, STATE_OPTIONS);
      throw err;
    }
  }
}
