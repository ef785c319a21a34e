import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { updateAlertState } from '../alerts/alerting';
import { sendReminders } from '../alerts/reminders';
import { webhookSender } from '../alerts/slack';
import { errorMessage } from '../aws/errors';
import { ensureWritableDirectory } from '../evidence/directories';
import { LocalDirectoryStore } from '../evidence/local-store';
import { readEvidenceBucketFacts } from '../integrity/bucket-lock';
import { openStoreSigner } from '../integrity/local-signing-key';
import { DigestSignerError, defaultLocalKeyPath } from '../integrity/signer';
import { coverageLine } from '../integrity/verify';
import { parseFormats, recordReport, renderReports } from '../report/pipeline';
import { produceReport } from '../report/produce';
import { ITEM_STATUSES, type ItemStatus } from '../report/result';
import {
  type AwsOptions,
  clientFactory,
  homeRegion,
  loadConfig,
  openStore,
  parseList,
  resolveAccount,
  type StoreOptions,
} from './environment';
import { UsageError } from './errors';
import { type CliOutput, formatTable } from './output';

export interface ReportOptions extends StoreOptions, AwsOptions {
  out?: string;
  format?: string;
  config?: string;
  failOn?: string;
}

export const DEFAULT_REPORT_DIR = './soc2-report';

/** `soc2-ml report`: seal, verify, evaluate the latest evidence and write the report files. */
export async function reportCommand(options: ReportOptions, out: CliOutput): Promise<number> {
  const config = await loadConfig(options.config);
  const formats = parseFormats(parseList(options.format));
  if ('unknown' in formats)
    throw new UsageError(`--format: unknown ${formats.unknown.join(', ')}; valid: json, html, md, csv, oscal`);
  const failOn = parseList(options.failOn)?.map((s) => s.toUpperCase()) ?? [];
  const badStatus = failOn.find((s) => !(ITEM_STATUSES as readonly string[]).includes(s));
  if (badStatus) throw new UsageError(`--fail-on ${badStatus}: valid statuses are ${ITEM_STATUSES.join(', ')}`);
  const clients = clientFactory(options, config, homeRegion(options, config));
  const store = await openStore(options, clients, config);
  const outDir = resolve(options.out ?? DEFAULT_REPORT_DIR);
  try {
    await ensureWritableDirectory(outDir);
  } catch (err) {
    throw new UsageError(`--out ${outDir}: cannot write there: ${errorMessage(err)}`);
  }
  const now = new Date();
  // The report Lambda seals the bucket with KMS; locally we seal with a key kept outside the store.
  const isLocal = store instanceof LocalDirectoryStore;
  const signer = isLocal ? await localSigner(store, out) : undefined;
  const bucketFacts = options.bucket
    ? await readEvidenceBucketFacts(clients.s3(), {
        name: options.bucket,
        account: (await resolveAccount(clients)).account,
        region: clients.settings.region,
      })
    : undefined;
  const { result, history, integrity } = await produceReport(store, {
    config,
    now,
    ...(signer ? { signer } : {}),
    ...(bucketFacts ? { bucketFacts } : {}),
    // A local store's change events arrive only through `soc2-ml event`, which is the path;
    // a deployed bucket's path (queues, dead-letter queue) is measured by the report Lambda.
    ...(isLocal ? { changePath: { healthy: true, detail: 'local store: events handled by soc2-ml event' } } : {}),
    onProgress: (message) => out.progress(message),
  });

  // The same alert state as `soc2-ml event` and the evaluator: the first report sets baselines;
  // status changes are posted only when the config names a webhook, else they stay pending.
  const webhookUrl = config.slack?.webhookUrl;
  const sender = webhookUrl ? webhookSender(webhookUrl) : undefined;
  const alerting = await updateAlertState({ store, result, now, ...(sender ? { sender } : {}) });
  if (alerting.alerts.length > 0 || alerting.pending.length > 0)
    out.progress(
      `${alerting.alerts.length} status change(s); ${alerting.delivered.length} posted to Slack; ${alerting.pending.length} pending`,
    );
  if (alerting.deliveryFailure) out.error(`soc2-ml: Slack delivery failed, alerts kept pending: ${alerting.deliveryFailure}`);
  if (alerting.stateProblem) out.error(`soc2-ml: ${alerting.stateProblem}`);
  for (const refused of alerting.undeliverable)
    out.error(`soc2-ml: Slack refused a message for good (HTTP ${refused.status} ${refused.reason}); recorded, not retried`);
  if (sender) {
    try {
      const reminders = await sendReminders({
        store,
        result,
        now,
        days: config.reminders.days,
        sender,
      });
      if (reminders.outcome === 'refused')
        out.error(`soc2-ml: Slack refused the expiry reminder for good (${reminders.refusal}); recorded, not resent`);
      else if (reminders.reminded.length > 0)
        out.progress(`expiry reminder posted to Slack for ${reminders.reminded.join(', ')}`);
    } catch (err) {
      out.error(`soc2-ml: expiry reminder not posted, it will be tried on the next run: ${errorMessage(err)}`);
    }
  }

  const files = renderReports(result, history, formats.includes('json') ? formats : [...formats, 'json']);
  for (const [name, content] of files) {
    if (name === 'report.json' && !formats.includes('json')) continue;
    await writeFile(join(outDir, name), content);
  }
  await recordReport(store, result, new Map([...files].filter(([name]) => name === 'report.json')));

  out.json({ outDir, summary: result.summary, files: [...files.keys()].map((name) => join(outDir, name)) });
  out.result(
    formatTable(
      ['status', 'items'],
      ITEM_STATUSES.map((s) => [s, result.summary[s]]),
      { colour: out.colour },
    ),
  );
  const failing = result.items.filter((item) => failOn.includes(item.status as ItemStatus));
  out.result(`\nreport written to ${join(outDir, formats.includes('html') ? 'report.html' : 'report.json')}`);
  out.result(coverageLine(integrity));
  if (failing.length > 0) {
    out.result(`--fail-on ${failOn.join(',')}: ${failing.length} item(s): ${failing.map((i) => i.id).join(', ')}`);
    return 1;
  }
  return 0;
}

/** The store's own sealing key; a sealed store whose key is not found is a usage problem (exit 2), never a new key. */
async function localSigner(store: LocalDirectoryStore, out: CliOutput) {
  try {
    const { signer, note } = await openStoreSigner(store, defaultLocalKeyPath(store.location));
    if (note) out.error(`soc2-ml: ${note}`);
    return signer;
  } catch (err) {
    if (err instanceof DigestSignerError) throw new UsageError(err.message);
    throw err;
  }
}
