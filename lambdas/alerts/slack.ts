import { IncomingWebhook, IncomingWebhookHTTPError, type IncomingWebhookSendArguments } from '@slack/webhook';
import type { ItemStatus } from '../report/result';
import type { Alert } from './state';

type Blocks = NonNullable<IncomingWebhookSendArguments['blocks']>;

/** What @slack/webhook posts: `text` is the notification fallback, `blocks` the Block Kit body. */
export interface SlackMessage {
  text: string;
  blocks: Blocks;
  /** Where the full text is (an alert log object, a report): named when a limit cuts something. Never posted as a field. */
  fullTextAt?: string;
}

/** Where alert messages go. `send` resolves only when the message was accepted (HTTP 2xx). */
export interface AlertSender {
  /** For logs: never the webhook URL. */
  readonly description: string;
  /**
   * Rejects with SlackRejectedError when Slack refused the message for good (resending the
   * same message cannot succeed); any other rejection is transient and worth a later retry.
   */
  send(message: SlackMessage): Promise<void>;
}

/** Slack mrkdwn treats these three as control characters (`<!channel>`, `<@U123>`, links). */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** The text Slack shows for escaped mrkdwn: for printing a received message on a terminal. */
export function unescapeMrkdwn(text: string): string {
  return text.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

const code = (text: string) => `\`${escapeMrkdwn(text)}\``;
const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${value}` });

/** The one-line fallback of CONTRACT.md for one change: check, resource ARN, old and new status, and the principal and event when known. */
export function alertText(alert: Alert): string {
  const head = alert.kind === 'resolution' ? 'Resolved' : alert.to;
  const cause = alert.cause ? ` after ${alert.cause.eventName} by ${alert.cause.principal}` : '';
  return `${head}: ${alert.check} on ${alert.resource} changed ${alert.from} -> ${alert.to}${cause}`;
}

/** Changes one message lists one by one; a digest names how many more there are. */
export const MAX_CHANGES_LISTED = 10;

/**
 * Alerts that belong in one message: those one CloudTrail event caused, or else those one
 * collection run (one evidence record) found.
 */
export function messageGroupKey(alert: Alert): string {
  if (alert.cause) return `event:${alert.cause.eventId}`;
  if (alert.evidence) return `run:${alert.evidence.key}`;
  return `detected:${alert.detectedAt}`;
}

/** Alerts grouped into messages, in the order of each group's oldest alert. */
export function groupIntoMessages(alerts: Alert[]): Alert[][] {
  const groups = new Map<string, Alert[]>();
  for (const alert of alerts) {
    const key = messageGroupKey(alert);
    groups.set(key, [...(groups.get(key) ?? []), alert]);
  }
  return [...groups.values()];
}

const STATUS_WEIGHT: Record<string, number> = { FAIL: 2, ERROR: 1 };

/** "Resolved" when every change is a resolution, else the worst new status. */
function headline(alerts: Alert[]): string {
  const open = alerts.filter((a) => a.kind !== 'resolution');
  if (open.length === 0) return 'Resolved';
  return open.reduce((worst, a) => ((STATUS_WEIGHT[a.to] ?? 0) > (STATUS_WEIGHT[worst.to] ?? 0) ? a : worst)).to;
}

function origin(alert: Alert): string {
  if (alert.cause) return `${alert.cause.eventName} by ${alert.cause.principal}`;
  if (alert.run)
    return `${alert.run.trigger === 'schedule' ? 'scheduled ' : ''}${alert.run.collector} collection in ${alert.account} ${alert.region}`;
  return 'evaluation';
}

function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * The fallback text of one message (CONTRACT.md, "Grouping"): one change keeps the single-change
 * form; several name the event or collection run, the principal, the resource(s) and every
 * check with its old and new status (a digest lists MAX_CHANGES_LISTED and counts the rest).
 * Unescaped: the posted text goes through escapeMrkdwn.
 */
export function changeText(alerts: Alert[]): string {
  const [first] = alerts;
  if (!first) throw new Error('a message needs at least one change');
  if (alerts.length === 1) return alertText(first);
  const resources = distinct(alerts.map((a) => a.resource));
  const on = resources.length === 1 ? resources[0] : `${resources.length} resources`;
  const entry = (a: Alert) => `${a.check}${resources.length > 1 ? ` on ${a.resource}` : ''} ${a.from} -> ${a.to}`;
  const listed = alerts.slice(0, MAX_CHANGES_LISTED).map(entry);
  const rest = alerts.length - listed.length;
  return `${headline(alerts)}: ${origin(first)} changed ${alerts.length} checks on ${on}: ${listed.join(', ')}${rest > 0 ? `, and ${rest} more` : ''}`;
}

function icon(alerts: Alert[]): string {
  const head = headline(alerts);
  return head === 'Resolved' ? ':white_check_mark:' : head === 'ERROR' ? ':warning:' : ':rotating_light:';
}

function title(alerts: Alert[]): string {
  const [first] = alerts as [Alert];
  if (alerts.length === 1) return `${headline(alerts)}: ${first.check}`;
  const what = first.cause ? first.cause.eventName : first.run ? `${first.run.collector} collection` : 'evaluation';
  return `${headline(alerts)}: ${what} changed ${alerts.length} checks`;
}

/** Who and what caused the changes, or which collection run found them, with account and region. */
function originFields(alerts: Alert[]) {
  const [first] = alerts as [Alert];
  const where = distinct(alerts.map((a) => `${escapeMrkdwn(a.account)} / ${escapeMrkdwn(a.region)}`)).join(', ');
  if (first.cause) {
    const { principal, eventName, eventSource, eventTime, sourceIp } = first.cause;
    return [
      field('Changed by', code(principal)),
      field('Event', `${escapeMrkdwn(eventName)} (${escapeMrkdwn(eventSource)})`),
      field('Event time', escapeMrkdwn(eventTime)),
      field('Source IP', escapeMrkdwn(sourceIp ?? 'not recorded')),
      field('Account / region', where),
    ];
  }
  if (first.run)
    return [
      field(
        'Collection',
        `${escapeMrkdwn(first.run.collector)} (${first.run.trigger === 'schedule' ? 'scheduled' : 'soc2-ml collect'})`,
      ),
      field('Collected at', escapeMrkdwn(first.run.collectedAt)),
      field('Account / region', where),
    ];
  return [field('Account / region', where)];
}

/** One change: check, old and new status, resource, checklist items with criteria, detail (cut to fit, naming its log object). */
function changeSection(alert: Alert, storeLocation: string) {
  const items =
    alert.items.length > 0
      ? alert.items.map((item) => `${item.id} (${item.criteria.join(', ')})`).join(', ')
      : 'no checklist item lists this check';
  const text = `${code(alert.check)}  ${alert.from} → *${alert.to}*\n${code(alert.resource)}\n*Items* ${escapeMrkdwn(items)}\n${escapeMrkdwn(alert.detail)}`;
  const at = alert.logKey ? `${storeLocation}/${alert.logKey}` : undefined;
  return {
    type: 'section' as const,
    text: { type: 'mrkdwn' as const, text: cut(text, SLACK_LIMITS.sectionText, truncationNote(at)) },
  };
}

export interface ChangeMessageContext {
  /** Where the store is (s3://bucket or a path), to point at the alert log. */
  storeLocation: string;
}

/**
 * One Slack message for the changes one event caused or one collection run found. Blocks stack
 * on a phone: a header, who/what/where, one section per change (checklist items with
 * criteria), a count of what a digest leaves out, and where the full record is.
 */
export function buildChangeMessage(alerts: Alert[], context: ChangeMessageContext): SlackMessage {
  const [first] = alerts;
  if (!first) throw new Error('a message needs at least one change');
  const listed = alerts.slice(0, MAX_CHANGES_LISTED);
  const rest = alerts.length - listed.length;
  const log = first.logKey
    ? `${context.storeLocation}/${alerts.length === 1 ? first.logKey : first.logKey.slice(0, first.logKey.lastIndexOf('/') + 1)}`
    : undefined;
  const blocks: Blocks = [
    { type: 'header', text: { type: 'plain_text', text: `${icon(alerts)} ${title(alerts)}`.slice(0, 150), emoji: true } },
    { type: 'section', fields: originFields(alerts) },
    ...listed.map((alert) => changeSection(alert, context.storeLocation)),
  ];
  if (rest > 0)
    blocks.push({
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `…and ${rest} more change(s); every one is in the alert log${log ? ` ${code(log)}` : ''}` },
      ],
    });
  const evidence =
    alerts.length === 1 && first.evidence
      ? ` · evidence ${code(first.evidence.key)} sha256 ${first.evidence.sha256.slice(0, 12)}…`
      : '';
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `detected ${escapeMrkdwn(first.detectedAt)}${evidence}${log ? ` · alert log ${code(log)}` : ''}` },
    ],
  });
  return { text: escapeMrkdwn(changeText(alerts)), blocks, ...(log ? { fullTextAt: log } : {}) };
}

export interface ReportSummary {
  generatedAt: string;
  summary: Record<ItemStatus, number>;
  accounts: string[];
  /** Where the report is: an s3:// URI, a console link or a path. */
  location: string;
}

/** The short message a scheduled report posts: item counts and where the report is. */
export function buildSummaryMessage(report: ReportSummary): SlackMessage {
  const counts = (Object.entries(report.summary) as [ItemStatus, number][])
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${status}`)
    .join(', ');
  const accounts = report.accounts.length > 0 ? report.accounts.join(', ') : 'no accounts';
  const text = `SOC 2 report ${report.generatedAt} for ${accounts}: ${counts || 'no items'}. Report: ${report.location}`;
  return {
    text: escapeMrkdwn(text),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: ':clipboard: SOC 2 evidence report', emoji: true } },
      {
        type: 'section',
        fields: [
          field('Generated', escapeMrkdwn(report.generatedAt)),
          field('Accounts', escapeMrkdwn(accounts)),
          field('Items', escapeMrkdwn(counts || 'none')),
          field('Report', code(report.location)),
        ],
      },
    ],
    fullTextAt: report.location,
  };
}

/**
 * Slack's limits (https://api.slack.com/reference/block-kit/blocks): 50 blocks per message,
 * header text 150 characters, section text 3,000, at most 10 section fields of 2,000 each, 10
 * context elements; a text object holds at most 3,000. A message over any of them is refused
 * with HTTP 400 (invalid_blocks), so it would never be delivered. The top-level `text` is held
 * to the same 3,000: it is a notification line, and Slack truncates very long ones anyway
 * (https://api.slack.com/methods/chat.postMessage#truncating).
 */
export const SLACK_LIMITS = {
  blocks: 50,
  headerText: 150,
  sectionText: 3000,
  fields: 10,
  fieldText: 2000,
  contextElements: 10,
  text: 3000,
} as const;

function truncationNote(fullTextAt: string | undefined): string {
  return ` … [truncated; full text: ${fullTextAt ? code(fullTextAt) : 'in the report'}]`;
}

/** Cuts text to `limit` characters, never inside an escape or a surrogate pair, ending with `note`. */
function cut(text: string, limit: number, note: string): string {
  if (text.length <= limit) return text;
  let kept = text.slice(0, Math.max(0, limit - note.length)).replace(/&[a-z]*$/, '');
  if (/[\uD800-\uDBFF]$/.test(kept)) kept = kept.slice(0, -1);
  return `${kept}${note}`.slice(0, limit);
}

/** The shape of the blocks we build, for trimming them (Block Kit's union has no common text field). */
interface TextObjectLike {
  type: string;
  text: string;
}
interface BlockLike {
  type: string;
  text?: TextObjectLike;
  fields?: TextObjectLike[];
  elements?: Partial<TextObjectLike>[];
}

/**
 * The message cut down to Slack's limits, each cut text naming where the full text is. What
 * fits is untouched; `fullTextAt` is dropped (it is not a Slack field).
 */
export function fitToSlackLimits(message: SlackMessage): { text: string; blocks: Blocks } {
  const note = truncationNote(message.fullTextAt);
  const fitBlock = (block: BlockLike): BlockLike => {
    const out: BlockLike = { ...block };
    if (block.type === 'header' && block.text)
      out.text = { ...block.text, text: cut(block.text.text, SLACK_LIMITS.headerText, '…') };
    else if (block.text) out.text = { ...block.text, text: cut(block.text.text, SLACK_LIMITS.sectionText, note) };
    if (block.fields) {
      out.fields = block.fields
        .slice(0, SLACK_LIMITS.fields)
        .map((f) => ({ ...f, text: cut(f.text, SLACK_LIMITS.fieldText, note) }));
    }
    if (block.elements) {
      out.elements = block.elements
        .slice(0, SLACK_LIMITS.contextElements)
        .map((e) => (typeof e.text === 'string' ? { ...e, text: cut(e.text, SLACK_LIMITS.sectionText, note) } : e));
    }
    return out;
  };
  // Every block we build is one of header, section or context; the cast only reads their common fields.
  let blocks = (message.blocks as unknown as BlockLike[]).map(fitBlock);
  if (blocks.length > SLACK_LIMITS.blocks) {
    const omitted = blocks.length - (SLACK_LIMITS.blocks - 1);
    blocks = [
      ...blocks.slice(0, SLACK_LIMITS.blocks - 1),
      fitBlock({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${omitted} more block(s) left out; full text: ${message.fullTextAt ? code(message.fullTextAt) : 'in the report'}`,
          },
        ],
      }),
    ];
  }
  return { text: cut(message.text, SLACK_LIMITS.text, note), blocks: blocks as unknown as Blocks };
}

/** Errors from the webhook client can quote the request; the URL is a secret and never leaves here. */
export function redactWebhookUrl(message: string, url: string): string {
  return message.replaceAll(url, '[webhook URL]').replace(/https:\/\/hooks\.slack\.com\/\S+/g, '[webhook URL]');
}

/**
 * Slack refused the message for good: a 4xx other than 408 and 429 (invalid_payload,
 * invalid_blocks, channel_not_found, channel_is_archived, action_prohibited...). Sending the
 * same message again cannot succeed, so it is recorded and the queue moves on.
 */
export class SlackRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(`Slack refused the message: HTTP ${status} ${reason}`);
    this.name = 'SlackRejectedError';
  }
}

export interface WebhookSenderOptions {
  timeoutMs?: number;
  /** A 429 whose Retry-After asks for longer than this is left for a later run. */
  maxRetryAfterSeconds?: number;
  /** 429 answers waited out per message before giving up for this run. */
  maxRateLimitWaits?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Retry-After is seconds or an HTTP date (RFC 9110, 10.2.3); Slack sends seconds. */
export function retryAfterSeconds(header: string | null, now: Date = new Date()): number | undefined {
  if (header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}

/**
 * Posts one message with @slack/webhook, cut to Slack's limits. Resolves on 2xx. A 429 is
 * waited out as its Retry-After asks (https://api.slack.com/apis/rate-limits), within bounds;
 * a permanent 4xx rejects with SlackRejectedError; timeouts, network errors, 5xx and rate
 * limits beyond the bounds reject with a plain Error, to be retried later. The webhook client
 * exposes the status but not the headers of a failed post, so a wrapped fetch reads Retry-After.
 */
export async function postSlackMessage(url: string, message: SlackMessage, options: WebhookSenderOptions = {}): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolveSleep) => setTimeout(resolveSleep, ms)));
  const maxWait = options.maxRetryAfterSeconds ?? 30;
  const maxWaits = options.maxRateLimitWaits ?? 2;
  let retryAfter: string | null = null;
  const webhook = new IncomingWebhook(url, {
    timeout: options.timeoutMs ?? 10_000,
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      retryAfter = response.headers.get('retry-after');
      return response;
    },
  });
  const { text, blocks } = fitToSlackLimits(message);
  for (let waits = 0; ; waits += 1) {
    try {
      await webhook.send({ text, blocks });
      return;
    } catch (err) {
      if (!(err instanceof IncomingWebhookHTTPError)) throw new Error(redactWebhookUrl((err as Error).message, url));
      const reason = `${err.body || err.statusMessage}`.slice(0, 200);
      if (err.statusCode === 429) {
        const wait = retryAfterSeconds(retryAfter) ?? 1;
        if (wait > maxWait || waits >= maxWaits)
          throw new Error(`Slack rate limit (HTTP 429): retry after ${wait} s; kept for a later run`);
        await sleep(wait * 1000);
        continue;
      }
      if (err.statusCode >= 400 && err.statusCode < 500 && err.statusCode !== 408)
        throw new SlackRejectedError(err.statusCode, redactWebhookUrl(reason, url));
      throw new Error(redactWebhookUrl(`${err.message} ${reason}`, url));
    }
  }
}

export function webhookSender(url: string, options: WebhookSenderOptions = {}): AlertSender {
  return {
    description: 'Slack incoming webhook',
    send: (message) => postSlackMessage(url, message, options),
  };
}

/** For the CLI without a webhook: the message that would be posted, as JSON on one line each. */
export function printingSender(write: (line: string) => void): AlertSender {
  return {
    description: 'stdout',
    send: async (message) => {
      const { text, blocks } = fitToSlackLimits(message);
      write(JSON.stringify({ text, blocks }));
    },
  };
}
