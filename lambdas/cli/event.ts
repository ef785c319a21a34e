import { readFile } from 'node:fs/promises';
import { evaluateStore, updateAlertState } from '../alerts/alerting';
import { type AlertSender, alertText, printingSender, webhookSender } from '../alerts/slack';
import { errorMessage } from '../aws/errors';
import { COLLECTORS } from '../collectors/registry';
import type { Soc2MlConfig } from '../config/schema';
import { handleChangeEvents, type PathLogger } from '../events/change-path';
import { type CloudTrailEvent, parseCloudTrailEvent } from '../events/cloudtrail-event';
import { resolveTargets } from '../events/targets';
import {
  type AwsOptions,
  clientFactory,
  homeRegion,
  loadConfig,
  openStore,
  requireLockedBucket,
  resolveAccount,
  type StoreOptions,
} from './environment';
import { UsageError } from './errors';
import type { CliOutput } from './output';

export interface EventOptions extends StoreOptions, AwsOptions {
  config?: string;
  slackWebhookUrl?: string;
}

/**
 * `soc2-ml event FILE`: the deployed change path and evaluator in one run. Parse the event,
 * re-collect what it names, store the change event, re-evaluate, and post (or, without a
 * webhook, print) one Slack message for all the status changes the event caused. There is no
 * eventual-consistency wait: the file is handed over after the fact.
 */
export async function eventCommand(options: EventOptions, out: CliOutput, args: string[]): Promise<number> {
  const file = args[0];
  if (!file) throw new UsageError('event: a FILE holding one EventBridge "AWS API Call via CloudTrail" event is required');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot read: ${errorMessage(err)}`);
  }
  const parsed = parseCloudTrailEvent(text);
  if (!parsed.ok) throw new UsageError(`${file}: malformed CloudTrail event: ${parsed.problem}`);

  const config = await loadConfig(options.config);
  const webhookUrl = options.slackWebhookUrl ?? config.slack?.webhookUrl;
  if (options.slackWebhookUrl !== undefined && !URL.canParse(options.slackWebhookUrl))
    throw new UsageError('--slack-webhook-url: not a URL');
  const region = homeRegion(options, config);
  requireConfiguredRegions(parsed.event, region, config);
  const clients = clientFactory(options, config, region);
  const store = await openStore(options, clients, config);
  const { account } = await resolveAccount(clients);
  await requireLockedBucket(options, clients, account, config);
  const logger = progressLogger(out);

  const changed = await handleChangeEvents([{ id: file, body: parsed.event }], {
    store,
    clients,
    config,
    account,
    homeRegion: region,
    delayMs: 0,
    sleep: async () => undefined,
    clock: () => new Date(),
    logger,
  });
  const outcome = changed.outcomes[0]!;
  if (outcome.status === 'failed' || outcome.status === 'rejected') {
    out.error(`soc2-ml: ${outcome.reason}`);
    out.json({ outcome });
    return 1;
  }
  if (outcome.status === 'ignored') {
    out.result(`ignored: ${outcome.reason}`);
    out.json({ outcome, alerts: [] });
    return 0;
  }
  for (const r of changed.recollections)
    out.progress(
      `re-collected ${r.collector} ${r.resource} (${r.region}): ${r.resources} resource(s), ${r.deleted.length} deleted, ${r.errors} error(s), ${r.calls} call(s)`,
    );

  const messages: string[] = [];
  const sender: AlertSender = webhookUrl
    ? webhookSender(webhookUrl)
    : printingSender((line) => {
        messages.push(line);
        out.result(line);
      });
  const now = new Date();
  const alerting = await updateAlertState({ store, result: await evaluateStore(store, config, now), now, sender, logger });
  out.json({
    outcome,
    calls: changed.calls,
    alerts: alerting.alerts.map((a) => ({ ...a, text: alertText(a) })),
    delivered: alerting.delivered.length,
    messagesDelivered: alerting.messagesDelivered,
    pending: alerting.pending.length,
    undeliverable: alerting.undeliverable,
    ...(webhookUrl ? {} : { messages: messages.map((m) => JSON.parse(m) as unknown) }),
  });
  out.progress(
    `${alerting.alerts.length} status change(s); ${alerting.messagesDelivered} message(s) ${webhookUrl ? 'posted to Slack' : 'printed'}; ${alerting.pending.length} alert(s) pending`,
  );
  let status = 0;
  if (alerting.stateProblem) {
    out.error(`soc2-ml: ${alerting.stateProblem}`);
    status = 1;
  }
  for (const refused of alerting.undeliverable) {
    out.error(
      `soc2-ml: Slack refused a message for good (HTTP ${refused.status} ${refused.reason}); recorded in the alert state, not retried`,
    );
    status = 1;
  }
  if (alerting.deliveryFailure) {
    out.error(`soc2-ml: Slack delivery failed, ${alerting.pending.length} alert(s) kept pending: ${alerting.deliveryFailure}`);
    status = 1;
  }
  return status;
}

/**
 * The deployed path hears only the configured regions (one forwarder each): an event from
 * another region would re-collect a region the evidence does not cover, so it is refused.
 */
function requireConfiguredRegions(event: CloudTrailEvent, homeRegion: string, config: Soc2MlConfig): void {
  const resolution = resolveTargets(event.detail, homeRegion);
  if (resolution.kind !== 'targets') return;
  const outside = resolution.targets.find((t) => !COLLECTORS[t.collector].global && !config.regions.includes(t.region));
  if (outside)
    throw new UsageError(
      `the event is for region ${outside.region}, which is not among the configured regions (${config.regions.join(', ')})`,
    );
}

/** The change path's structured log lines, as progress on stderr. */
function progressLogger(out: CliOutput): PathLogger {
  const line = (message: string, fields: Record<string, unknown>) => {
    const reason = typeof fields.reason === 'string' ? `: ${fields.reason}` : '';
    return `${message}${reason}`;
  };
  return {
    info: (message, fields) => out.progress(line(message, fields)),
    warn: (message, fields) => out.progress(line(message, fields)),
    error: (message, fields) => out.error(line(message, fields)),
  };
}
