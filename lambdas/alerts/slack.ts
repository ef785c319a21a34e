import { IncomingWebhook, type IncomingWebhookSendArguments } from '@slack/webhook';
import type { ItemStatus } from '../report/result';
import type { Alert } from './state';

/** What @slack/webhook posts: `text` is the notification fallback, `blocks` the Block Kit body. */
export interface SlackMessage {
  text: string;
  blocks: NonNullable<IncomingWebhookSendArguments['blocks']>;
}

/** Where alert messages go. `send` resolves only when the message was accepted (HTTP 2xx). */
export interface AlertSender {
  /** For logs: never the webhook URL. */
  readonly description: string;
  send(message: SlackMessage): Promise<void>;
}

/** Slack mrkdwn treats these three as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const code = (text: string) => `\`${escapeMrkdwn(text)}\``;
const field = (label: string, value: string) => ({ type: 'mrkdwn' as const, text: `*${label}*\n${value}` });

/** The one-line fallback of CONTRACT.md: check, resource ARN, old and new status, and the principal and event when known. */
export function alertText(alert: Alert): string {
  const head = alert.kind === 'resolution' ? 'Resolved' : alert.to;
  const cause = alert.cause ? ` after ${alert.cause.eventName} by ${alert.cause.principal}` : '';
  return `${head}: ${alert.check} on ${alert.resource} changed ${alert.from} -> ${alert.to}${cause}`;
}

export function buildAlertMessage(alert: Alert): SlackMessage {
  const icon = alert.kind === 'resolution' ? ':white_check_mark:' : alert.to === 'ERROR' ? ':warning:' : ':rotating_light:';
  const title = alert.kind === 'resolution' ? `Resolved: ${alert.check}` : `${alert.to}: ${alert.check}`;
  const items =
    alert.items.length > 0
      ? alert.items.map((item) => `${item.id} (${item.criteria.join(', ')})`).join('\n')
      : 'no checklist item lists this check';
  const blocks: SlackMessage['blocks'] = [
    { type: 'header', text: { type: 'plain_text', text: `${icon} ${title}`.slice(0, 150), emoji: true } },
    {
      type: 'section',
      fields: [
        field('Check', code(alert.check)),
        field('Status', `${alert.from} → *${alert.to}*`),
        field('Resource', code(alert.resource)),
        field('Account / region', `${escapeMrkdwn(alert.account)} / ${escapeMrkdwn(alert.region)}`),
        field('Checklist items', escapeMrkdwn(items)),
      ],
    },
    { type: 'section', text: { type: 'mrkdwn', text: `*Detail*\n${escapeMrkdwn(alert.detail)}` } },
  ];
  if (alert.cause) {
    const { principal, eventName, eventSource, eventTime, sourceIp } = alert.cause;
    blocks.push({
      type: 'section',
      fields: [
        field('Changed by', code(principal)),
        field('Event', `${escapeMrkdwn(eventName)} (${escapeMrkdwn(eventSource)})`),
        field('Event time', escapeMrkdwn(eventTime)),
        field('Source IP', escapeMrkdwn(sourceIp ?? 'not recorded')),
      ],
    });
  }
  const evidence = alert.evidence ? `evidence ${code(alert.evidence.key)} sha256 ${alert.evidence.sha256.slice(0, 12)}…` : '';
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `detected ${escapeMrkdwn(alert.detectedAt)}${evidence ? ` · ${evidence}` : ''}` }],
  });
  return { text: alertText(alert), blocks };
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
    text,
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
  };
}

/** Errors from the webhook client can quote the request; the URL is a secret and never leaves here. */
export function redactWebhookUrl(message: string, url: string): string {
  return message.replaceAll(url, '[webhook URL]').replace(/https:\/\/hooks\.slack\.com\/\S+/g, '[webhook URL]');
}

export function webhookSender(url: string, options: { timeoutMs?: number } = {}): AlertSender {
  const webhook = new IncomingWebhook(url, { timeout: options.timeoutMs ?? 10_000 });
  return {
    description: 'Slack incoming webhook',
    send: async (message) => {
      try {
        await webhook.send(message);
      } catch (err) {
        throw new Error(redactWebhookUrl((err as Error).message, url));
      }
    },
  };
}

/** For the CLI without a webhook: the message that would be posted, as JSON on one line each. */
export function printingSender(write: (line: string) => void): AlertSender {
  return {
    description: 'stdout',
    send: async (message) => write(JSON.stringify(message)),
  };
}
