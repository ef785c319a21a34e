import { Logger } from '@aws-lambda-powertools/logger';
import { z } from 'zod';
import { type AlertRunResult, evaluateStore, retryPending, updateAlertState } from '../alerts/alerting';
import { type AlertSender, alertText } from '../alerts/slack';
import { ALERT_LOG_PREFIX } from '../alerts/state';
import type { Soc2MlConfig } from '../config/schema';
import type { PathLogger } from '../events/change-path';
import { EVIDENCE_PREFIX } from '../evidence/evidence-io';
import type { EvidenceStore } from '../evidence/store';
import type { SqsEventLike } from './change-events';
import { deployedEnvironment } from './runtime';
import { webhookSenderFromSecret } from './slack-secret';

const s3NotificationSchema = z.looseObject({
  Records: z.array(z.looseObject({ s3: z.looseObject({ object: z.looseObject({ key: z.string() }) }) })).optional(),
});

/**
 * Keys of new evidence named by a batch of S3 notifications (keys arrive URL-encoded, spaces
 * as "+"). The alert log's own objects are left out: evaluating them would find nothing new.
 */
export function newEvidenceKeys(event: SqsEventLike): string[] {
  const keys: string[] = [];
  for (const record of event.Records ?? []) {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      continue;
    }
    const parsed = s3NotificationSchema.safeParse(body);
    for (const entry of parsed.success ? (parsed.data.Records ?? []) : []) {
      const key = decodeURIComponent(entry.s3.object.key.replaceAll('+', ' '));
      if (key.startsWith(EVIDENCE_PREFIX) && !key.startsWith(ALERT_LOG_PREFIX)) keys.push(key);
    }
  }
  return keys;
}

/** Without a webhook the deployed evaluator logs each alert (text only) and counts it delivered. */
export function loggingSender(logger: PathLogger): AlertSender {
  return {
    description: 'log (no Slack webhook configured)',
    send: async (message) => logger.warn('alert', { text: message.text }),
  };
}

const logger = new Logger();

async function senderFor(secretArn: string | undefined): Promise<AlertSender> {
  return secretArn ? webhookSenderFromSecret(secretArn) : loggingSender(logger);
}

export interface EvaluationRunInput {
  event: SqsEventLike;
  store: EvidenceStore;
  config: Soc2MlConfig;
  sender: AlertSender;
  now: Date;
  logger: PathLogger;
}

/**
 * The evaluator without the Lambda around it: new evidence in a batch triggers one full
 * evaluation, diffed against the stored status; a batch with nothing new only retries pending
 * alerts. Failures throw, so SQS delivers the batch again.
 */
export async function runEvaluation(input: EvaluationRunInput): Promise<AlertRunResult> {
  const { store, sender, now, logger } = input;
  const keys = newEvidenceKeys(input.event);
  const result =
    keys.length === 0
      ? await retryPending(store, sender, logger)
      : await updateAlertState({ store, result: await evaluateStore(store, input.config, now), now, sender, logger });
  logger.info('evaluation done', {
    newEvidence: keys.length,
    alerts: result.alerts.map(alertText),
    delivered: result.delivered.length,
    messages: result.messagesDelivered,
    pending: result.pending.length,
    undeliverable: result.undeliverable.length,
    baselined: result.baselined,
    ...(result.deliveryFailure ? { deliveryFailure: result.deliveryFailure } : {}),
    ...(result.stateProblem ? { stateProblem: result.stateProblem } : {}),
  });
  return result;
}

/** The single writer of alert state (one FIFO message group: one invocation at a time). */
export async function handler(event: SqsEventLike): Promise<AlertRunResult> {
  const { config, store } = await deployedEnvironment();
  const sender = await senderFor(process.env.SLACK_WEBHOOK_SECRET_ARN || undefined);
  return runEvaluation({ event, store, config, sender, now: new Date(), logger });
}
