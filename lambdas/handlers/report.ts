import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { sendReminders } from '../alerts/reminders';
import { type AlertSender, buildSummaryMessage, type ReportSummary } from '../alerts/slack';
import type { AwsClientFactory } from '../aws/clients';
import { errorMessage } from '../aws/errors';
import type { Soc2MlConfig } from '../config/schema';
import type { PathLogger } from '../events/change-path';
import { LATEST_HTML_REPORT_KEY } from '../evidence/layout';
import type { EvidenceStore } from '../evidence/store';
import { type EvidenceBucketFacts, readEvidenceBucketFacts } from '../integrity/bucket-lock';
import { publicKeyKey } from '../integrity/digest';
import { type DigestSigner, KmsDigestSigner, publicKeyFingerprint } from '../integrity/signer';
import { coverageLine } from '../integrity/verify';
import {
  isPeriodRequest,
  periodRequestSchema,
  requestedWindow,
  runPeriodReport,
  type StoredPeriodReport,
} from '../period/deployed';
import { REPORT_FORMATS, recordReport, renderReports } from '../report/pipeline';
import { produceReport } from '../report/produce';
import { ITEM_STATUSES, type ItemStatus } from '../report/result';
import { accountFromFunctionArn, deployedEnvironment, type LambdaContextLike, parseScheduledEvent, requiredEnv } from './runtime';
import { webhookSenderFromSecret } from './slack-secret';

export interface ScheduledReportInput {
  store: EvidenceStore;
  /** Seals the digest periods that closed since the last run; its public key is the only key verify trusts. */
  signer: DigestSigner;
  config: Soc2MlConfig;
  now: Date;
  bucketFacts?: EvidenceBucketFacts;
  /** Health of the change-event path (its dead-letter queues), for evidence.change_log. */
  changePath?: { healthy: boolean; detail?: string };
  onProgress?: (message: string) => void;
  /**
   * Posts the Slack summary once the report is stored, and the digest of manual evidence
   * expiring within config.reminders.days; a failed post is logged, never fatal.
   */
  summary?: { sender: AlertSender; logger: PathLogger };
}

export interface ScheduledReportResult {
  generatedAt: string;
  summary: Record<ItemStatus, number>;
  /** Keys of the dated, write-once report files (reports/latest/ holds copies). */
  reportKeys: string[];
  /** Digest keys written by this run. */
  sealedDigests: string[];
  integrityProblems: number;
  /** The closing line of `soc2-ml verify`: what was checked, and what no digest covers yet. */
  coverage: string;
  /** Where the signing key's public half (PEM) sits beside the digests, for auditors. */
  publicKey: { key: string; fingerprint: string };
  slackSummary: 'posted' | 'failed' | 'not configured';
  /** Items the expiry reminder named (empty when nothing was due), or why none was sent. */
  reminders: { reminded: string[] } | 'failed' | 'not configured';
}

export { LATEST_HTML_REPORT_KEY };

/**
 * The scheduled report without the Lambda around it: seal, verify, evaluate, store all five
 * formats under reports/YYYY/MM/DD/ and reports/latest/, then post the Slack summary.
 */
export async function runScheduledReport(input: ScheduledReportInput): Promise<ScheduledReportResult> {
  const { store, signer } = input;
  const { result, history, sealed, integrity } = await produceReport(store, {
    config: input.config,
    now: input.now,
    signer,
    ...(input.bucketFacts ? { bucketFacts: input.bucketFacts } : {}),
    ...(input.changePath ? { changePath: input.changePath } : {}),
    // The daily run stays bounded as the store grows; `soc2-ml verify` re-hashes everything.
    rehashDays: input.config.evidence.scheduledRehashDays,
    ...(input.onProgress ? { onProgress: input.onProgress } : {}),
  });
  const stored = await recordReport(store, result, renderReports(result, history, REPORT_FORMATS));
  const fingerprint = publicKeyFingerprint(await signer.publicKeyPem());
  const slackSummary = input.summary
    ? await postSummary(input.summary, {
        generatedAt: result.generatedAt,
        summary: result.summary,
        accounts: result.accounts,
        location: `${store.location}/${LATEST_HTML_REPORT_KEY}`,
      })
    : 'not configured';
  const reminders = input.summary
    ? await remind(input.summary, { store, result, now: input.now, days: input.config.reminders.days })
    : 'not configured';
  return {
    generatedAt: result.generatedAt,
    summary: result.summary,
    reportKeys: stored.map((object) => object.key),
    sealedDigests: sealed.map((digest) => digest.key),
    integrityProblems: integrity.problems.length,
    coverage: coverageLine(integrity),
    publicKey: { key: publicKeyKey(fingerprint), fingerprint },
    slackSummary,
    reminders,
  };
}

/** Like the summary: a reminder that cannot be posted is logged and tried again on the next run. */
async function remind(
  { sender, logger }: NonNullable<ScheduledReportInput['summary']>,
  input: Omit<Parameters<typeof sendReminders>[0], 'sender'>,
): Promise<{ reminded: string[] } | 'failed'> {
  try {
    const { reminded, outcome, refusal } = await sendReminders({ ...input, sender });
    if (outcome === 'refused') logger.error('expiry reminders refused by Slack for good; recorded, not resent', { refusal });
    return { reminded };
  } catch (err) {
    logger.warn('expiry reminders not posted', { via: sender.description, failure: errorMessage(err) });
    return 'failed';
  }
}

/** The report is already stored: Slack being down costs the message, not the run. */
async function postSummary(
  { sender, logger }: NonNullable<ScheduledReportInput['summary']>,
  report: ReportSummary,
): Promise<'posted' | 'failed'> {
  try {
    await sender.send(buildSummaryMessage(report));
    return 'posted';
  } catch (err) {
    logger.warn('report summary not posted', { via: sender.description, failure: errorMessage(err) });
    return 'failed';
  }
}

const logger = new Logger();

/** An unreadable webhook secret must not cost the report: it is logged and the summary skipped. */
async function summarySender(secretArn: string | undefined): Promise<AlertSender | undefined> {
  if (!secretArn) return undefined;
  try {
    return await webhookSenderFromSecret(secretArn);
  } catch (err) {
    logger.warn('report summary will not be posted', { secretArn, failure: errorMessage(err) });
    return undefined;
  }
}
const metrics = new Metrics();
let signer: KmsDigestSigner | undefined;

/**
 * Daily report, with a Slack summary when SLACK_WEBHOOK_SECRET_ARN names the webhook secret; or,
 * for `{ "period": ... }` (the monthly schedule's constant input, or an on-demand invoke), the
 * period report of that window under reports/period/<from>_<to>/.
 */
export async function handler(event: unknown, context: LambdaContextLike): Promise<ScheduledReportResult | StoredPeriodReport> {
  if (isPeriodRequest(event)) return periodHandler(event);
  const scheduled = parseScheduledEvent(event, 'report');
  logger.appendKeys({ scheduledEventId: scheduled.id });

  const { config, homeRegion: region, clients, store } = await deployedEnvironment();
  // One signer per container: it caches the public key fetched from KMS.
  signer ??= new KmsDigestSigner(clients.kms(region), requiredEnv('DIGEST_SIGNING_KEY_ARN'));
  const bucket = requiredEnv('EVIDENCE_BUCKET');
  const bucketFacts = await readEvidenceBucketFacts(clients.s3(), {
    name: bucket,
    account: accountFromFunctionArn(context.invokedFunctionArn),
    region,
  });

  const sender = await summarySender(process.env.SLACK_WEBHOOK_SECRET_ARN || undefined);
  const changePath = await measureChangePath(clients, process.env.CHANGE_PATH_DEAD_LETTER_QUEUES);

  const report = await runScheduledReport({
    store,
    signer,
    config,
    now: new Date(),
    bucketFacts,
    ...(changePath ? { changePath } : {}),
    onProgress: (message) => logger.info(message),
    ...(sender ? { summary: { sender, logger } } : {}),
  });

  for (const status of ITEM_STATUSES) metrics.addMetric(`items${status}`, MetricUnit.Count, report.summary[status]);
  metrics.addMetric('sealedDigests', MetricUnit.Count, report.sealedDigests.length);
  metrics.addMetric('integrityProblems', MetricUnit.Count, report.integrityProblems);
  metrics.publishStoredMetrics();
  logger.info('report stored', { ...report });
  return report;
}

async function periodHandler(event: unknown): Promise<StoredPeriodReport> {
  const request = periodRequestSchema.safeParse(event);
  if (!request.success)
    throw new Error(`the report handler refuses this period request: ${request.error.issues[0]?.message ?? 'unrecognised'}`);
  const { config, store } = await deployedEnvironment();
  const now = new Date();
  const window = requestedWindow(request.data, now);
  logger.appendKeys({ period: `${window.from}_${window.to}` });
  const stored = await runPeriodReport({ store, config, now, window, onProgress: (message) => logger.info(message) });
  logger.info('period report', { ...stored, keys: stored.keys.length });
  return stored;
}

/**
 * The change-event path is healthy when its dead-letter queues are empty: a message there is
 * a change that was never recorded. Undefined (not measured) when the queues are not configured
 * or cannot be read, which evidence.change_log reports as ERROR.
 */
export async function measureChangePath(
  clients: AwsClientFactory,
  queueUrls: string | undefined,
): Promise<{ healthy: boolean; detail?: string } | undefined> {
  const urls = (queueUrls ?? '').split(',').filter((url) => url.length > 0);
  if (urls.length === 0) return undefined;
  try {
    const waiting = await Promise.all(
      urls.map(async (url) => {
        const out = await clients
          .sqs()
          .send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }));
        return { url, messages: Number(out.Attributes?.ApproximateNumberOfMessages ?? 'NaN') };
      }),
    );
    const stuck = waiting.filter((q) => !(q.messages === 0));
    if (stuck.length === 0) return { healthy: true, detail: `${urls.length} dead-letter queues empty` };
    return {
      healthy: false,
      detail: stuck
        .map((q) => `${Number.isNaN(q.messages) ? 'unknown' : q.messages} message(s) in ${q.url.split('/').pop()}`)
        .join(', '),
    };
  } catch (err) {
    logger.warn('change-event path not measured', { failure: errorMessage(err) });
    return undefined;
  }
}
