import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { webhookSender } from '../../../lambdas/alerts/slack';
import { ALERT_LOG_PREFIX, FINDING_STATE_KEY } from '../../../lambdas/alerts/state';
import { parseConfig } from '../../../lambdas/config/schema';
import type { PathLogger } from '../../../lambdas/events/change-path';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import type { S3EvidenceStore } from '../../../lambdas/evidence/s3-store';
import type { EvidenceStore } from '../../../lambdas/evidence/store';
import { type handler as evaluateHandler, runEvaluation } from '../../../lambdas/handlers/evaluate';
import { RECORD_ACCOUNT as ACCOUNT, KEY_ARN, kmsRecord } from '../../helpers/evidence-records';
import { serveBucketFromMemory } from '../../helpers/memory-bucket';
import { startSlackReceiver } from '../../helpers/slack-receiver';

// Parameters and Secrets are replaced whole (their clients are not dependencies). The factories
// call through `mock*` functions so that a handler loaded in an isolated registry sees them too.
const mockGetParameter = jest.fn<Promise<unknown>, unknown[]>();
const mockGetSecret = jest.fn<Promise<unknown>, unknown[]>();
jest.mock('@aws-lambda-powertools/parameters/ssm', () => ({ getParameter: (...args: unknown[]) => mockGetParameter(...args) }));
jest.mock('@aws-lambda-powertools/parameters/secrets', () => ({ getSecret: (...args: unknown[]) => mockGetSecret(...args) }));

const BUCKET = 'soc2-ml-evidence';
const SECRET_ARN = `arn:aws:secretsmanager:us-east-1:${ACCOUNT}:secret:soc2-ml/slack-AbCdEf`;
const NOW = new Date('2026-11-26T12:00:00.000Z');

/** The SQS message the evidence bucket's ObjectCreated notification becomes (keys arrive URL-encoded). */
function objectCreated(...keys: string[]) {
  return {
    Records: keys.map((key, index) => ({
      messageId: `n${index}`,
      body: JSON.stringify({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: NOW.toISOString(),
            eventName: 'ObjectCreated:Put',
            s3: { s3SchemaVersion: '1.0', bucket: { name: BUCKET }, object: { key: encodeURIComponent(key), size: 1 } },
          },
        ],
      }),
    })),
  };
}

async function writeKms(store: EvidenceStore, collectedAt: string, rotationPeriodInDays: number): Promise<string> {
  return (await writeEvidence(store, kmsRecord(collectedAt, true, { rotationPeriodInDays }))).key;
}

const silentLogger: PathLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('runEvaluation', () => {
  let dir: string;
  let store: LocalDirectoryStore;
  let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'evaluate-handler-'));
    store = await LocalDirectoryStore.open(dir);
    receiver = await startSlackReceiver();
  });
  afterEach(async () => {
    await receiver.close();
    await rm(dir, { recursive: true, force: true });
  });

  const evaluateBatch = (event: ReturnType<typeof objectCreated>) =>
    runEvaluation({ event, store, config: parseConfig({}), sender: webhookSender(receiver.url), now: NOW, logger: silentLogger });

  it('posts exactly one Slack message for one status change, and nothing when the notification comes again', async () => {
    // Prepare: a first evaluation baselines the key's findings
    const baseline = await evaluateBatch(objectCreated(await writeKms(store, '2026-11-26T10:00:00.000Z', 365)));
    const changed = objectCreated(await writeKms(store, '2026-11-26T11:00:00.000Z', 730));

    // Act
    const first = await evaluateBatch(changed);
    const again = await evaluateBatch(changed);

    // Assess
    expect(baseline.baselined).toBeGreaterThan(0);
    expect(first.alerts.map((a) => `${a.check} ${a.from}->${a.to}`)).toEqual(['kms.rotation_period PASS->FAIL']);
    expect(again.alerts).toEqual([]);
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]?.body.text).toBe(`FAIL: kms.rotation_period on ${KEY_ARN} changed PASS -&gt; FAIL`);
  });

  it('skips malformed bodies and the alert log, and then only retries pending alerts', async () => {
    // Prepare
    const event = {
      Records: [
        { messageId: 'bad-json', body: '{"Records": [' },
        { messageId: 'not-s3', body: JSON.stringify({ Records: [{ eventName: 'ObjectCreated:Put' }] }) },
        ...objectCreated(`${ALERT_LOG_PREFIX}2026/11/26/alert.json.gz`).Records,
      ],
    };

    // Act
    const result = await evaluateBatch(event);

    // Assess
    expect(result).toEqual({ alerts: [], delivered: [], messagesDelivered: 0, pending: [], undeliverable: [], baselined: 0 });
    expect(await store.get(FINDING_STATE_KEY)).toBeUndefined();
    expect(receiver.posts).toEqual([]);
  });

  it('keeps an alert Slack refused pending and delivers it with the next batch, once', async () => {
    // Prepare
    await evaluateBatch(objectCreated(await writeKms(store, '2026-11-26T10:00:00.000Z', 365)));
    receiver.answerNext(500);
    const refused = await evaluateBatch(objectCreated(await writeKms(store, '2026-11-26T11:00:00.000Z', 730)));

    // Act
    const retried = await evaluateBatch({ Records: [] });
    const nothingLeft = await evaluateBatch({ Records: [] });

    // Assess
    expect(refused.pending).toHaveLength(1);
    expect(refused.deliveryFailure).toBeDefined();
    expect(retried.delivered.map((a) => a.check)).toEqual(['kms.rotation_period']);
    expect(nothingLeft.delivered).toEqual([]);
    expect(receiver.posts).toHaveLength(1);
  });
});

describe('evaluate handler', () => {
  const WEBHOOK_TOKEN = 'xoxb-s3cr3t-T0KEN';
  const ENV = {
    CONFIG_PARAMETER: '/soc2-ml/config',
    EVIDENCE_BUCKET: BUCKET,
    EVIDENCE_KMS_KEY_ARN: `arn:aws:kms:us-east-1:${ACCOUNT}:key/evidence`,
    SLACK_WEBHOOK_SECRET_ARN: SECRET_ARN,
    POWERTOOLS_LOG_LEVEL: 'INFO',
    POWERTOOLS_DEV: '',
  };
  const saved: Record<string, string | undefined> = {};
  let output: string[];
  let handler: typeof evaluateHandler;
  let s3: ReturnType<typeof mockClient<ServiceInputTypes, ServiceOutputTypes, S3ClientResolvedConfig>>;
  let bucketStore: S3EvidenceStore;

  beforeEach(() => {
    for (const [name, value] of Object.entries(ENV)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    // The handler's Logger reads its level when the module loads: load it afresh with logging on,
    // and mock the S3 client class of that fresh module registry.
    jest.isolateModules(() => {
      ({ handler } = require('../../../lambdas/handlers/evaluate'));
      const isolatedS3: typeof import('@aws-sdk/client-s3') = require('@aws-sdk/client-s3');
      s3 = mockClient(isolatedS3.S3Client);
      serveBucketFromMemory(s3, isolatedS3);
      const isolatedStore: typeof import('../../../lambdas/evidence/s3-store') = require('../../../lambdas/evidence/s3-store');
      bucketStore = new isolatedStore.S3EvidenceStore({
        client: new isolatedS3.S3Client({ region: 'us-east-1' }),
        bucket: BUCKET,
      });
    });
    output = [];
    const capture = (chunk: string | Uint8Array) => {
      output.push(chunk.toString());
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    mockGetParameter.mockReset().mockResolvedValue({});
    mockGetSecret.mockReset();
  });
  afterEach(() => {
    s3.restore();
    jest.restoreAllMocks();
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it('never logs the webhook URL, even when posting to it fails', async () => {
    // Prepare: nothing listens on port 1, so the post fails at once
    const webhookUrl = `https://127.0.0.1:1/services/T000/B000/${WEBHOOK_TOKEN}`;
    mockGetSecret.mockResolvedValue(webhookUrl);
    await handler(objectCreated(await writeKms(bucketStore, '2026-11-26T10:00:00.000Z', 365)));
    const changed = objectCreated(await writeKms(bucketStore, '2026-11-26T11:00:00.000Z', 730));

    // Act
    const result = await handler(changed);

    // Assess
    expect(mockGetSecret).toHaveBeenCalledWith(SECRET_ARN, expect.objectContaining({ maxAge: 300 }));
    expect(result.pending.map((a) => a.check)).toEqual(['kms.rotation_period']);
    const logged = output.join('');
    expect(logged).toContain('alert delivery failed; kept pending');
    expect(logged).toContain('evaluation done');
    expect(logged).not.toContain(WEBHOOK_TOKEN);
    expect(logged).not.toContain('/services/T000');
  });

  it('refuses a secret that is not an https URL without quoting it', async () => {
    // Prepare
    mockGetSecret.mockResolvedValue(`http://hooks.slack.com/services/T000/B000/${WEBHOOK_TOKEN}`);

    // Act
    const run = handler(objectCreated('evidence/v1/collector=kms/x.json.gz'));

    // Assess
    await expect(run).rejects.toThrow(`secret ${SECRET_ARN} does not hold an https webhook URL`);
    await expect(run).rejects.not.toThrow(WEBHOOK_TOKEN);
    expect(output.join('')).not.toContain(WEBHOOK_TOKEN);
  });
});
