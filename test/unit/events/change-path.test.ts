import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DescribeKeyCommand, KMSClient, NotFoundException } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClientFactory } from '../../../lambdas/aws/clients';
import { parseConfig } from '../../../lambdas/config/schema';
import { CHANGE_LOG_PREFIX, countChangeEvents } from '../../../lambdas/events/change-log';
import { type ChangeMessage, handleChangeEvents, type PathLogger } from '../../../lambdas/events/change-path';
import { decodeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { batchResponse } from '../../../lambdas/handlers/change-events';
import { mockCustomerKeyWithoutRotation, mockKeyArn } from '../../helpers/kms-key-mock';

const kms = mockClient(KMSClient);
const ACCOUNT = '123456789012';
const KEY_ARN = mockKeyArn(ACCOUNT);
const FIXTURE = JSON.parse(readFileSync(join(__dirname, '../../fixtures/events/DisableKeyRotation.json'), 'utf8'));

function event(change: (e: typeof FIXTURE) => void = () => undefined) {
  const copy = structuredClone(FIXTURE);
  change(copy);
  return copy;
}

async function setup(config = {}) {
  const store = await LocalDirectoryStore.open(mkdtempSync(join(tmpdir(), 'change-path-')));
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const logger: PathLogger = {
    info: (message, fields) => lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => lines.push({ level: 'error', message, fields }),
  };
  const sleeps: number[] = [];
  const clients = new AwsClientFactory({
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }),
  });
  const run = (messages: ChangeMessage[]) =>
    handleChangeEvents(messages, {
      store,
      clients,
      config: parseConfig(config),
      account: ACCOUNT,
      homeRegion: 'us-east-1',
      delayMs: 5000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      clock: () => new Date('2026-11-26T10:16:00.000Z'),
      logger,
    });
  return { store, lines, sleeps, run };
}

async function keysUnder(store: LocalDirectoryStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of store.list(prefix)) keys.push(o.key);
  return keys;
}

beforeEach(() => {
  kms.reset();
  mockCustomerKeyWithoutRotation(kms, ACCOUNT);
});

describe('handleChangeEvents', () => {
  it('re-collects the key with the event as trigger, waits once, and stores the redacted event as change-log evidence', async () => {
    // Prepare
    const { store, sleeps, run } = await setup();

    // Act
    const withSecret = event((e) => {
      e.detail.responseElements = { credentials: { sessionToken: 'FQoGZXIvYXdzEXAMPLE' } };
    });
    const result = await run([{ id: 'm1', body: JSON.stringify(withSecret) }]);

    // Assess
    expect(result.outcomes).toEqual([
      expect.objectContaining({
        id: 'm1',
        status: 'recollected',
        eventName: 'DisableKeyRotation',
        resources: [KEY_ARN],
        changeLog: 'stored',
      }),
    ]);
    expect(sleeps).toEqual([5000]);
    const record = decodeEvidence((await store.get(result.recollections[0]!.key!))!);
    expect(record.scope).toEqual({ type: 'resource', resource: KEY_ARN });
    expect(record.trigger).toEqual({
      type: 'event',
      eventId: FIXTURE.detail.eventID,
      eventName: 'DisableKeyRotation',
      eventSource: 'kms.amazonaws.com',
      eventTime: FIXTURE.detail.eventTime,
      principal: FIXTURE.detail.userIdentity.arn,
      sourceIp: '203.0.113.24',
    });
    expect(record.resources[0]?.configuration).toMatchObject({ rotationEnabled: false });
    const [changeKey] = await keysUnder(store, CHANGE_LOG_PREFIX);
    // Filed by when it was recorded (the clock), not the event's 10:15:30.
    expect(changeKey).toBe(
      `${CHANGE_LOG_PREFIX}account=${ACCOUNT}/region=us-east-1/date=2026-11-26/101600000Z-${FIXTURE.detail.eventID}.json.gz`,
    );
    const logged = JSON.parse(gunzipSync((await store.get(changeKey!))!).toString('utf8'));
    expect(logged.event.detail.responseElements.credentials).toBe('[REDACTED]');
    expect(logged.event.detail.userIdentity.arn).toBe(FIXTURE.detail.userIdentity.arn);
    expect(logged.evidence).toEqual([result.recollections[0]!.key]);
    expect(await countChangeEvents(store)).toEqual({ [ACCOUNT]: 1 });
    expect(result.calls).toBe(result.recollections[0]!.calls);
  });

  it('de-duplicates by eventID and by resource within a batch', async () => {
    // Prepare
    const { run } = await setup();
    const second = event((e) => {
      e.detail.eventID = 'another-event-id';
      e.detail.eventName = 'EnableKeyRotation';
      e.detail.eventTime = '2026-11-26T10:15:40Z';
    });

    // Act
    const result = await run([
      { id: 'a', body: event() },
      { id: 'b', body: event() },
      { id: 'c', body: second },
    ]);

    // Assess
    expect(result.outcomes.map((o) => o.status)).toEqual(['recollected', 'duplicate', 'recollected']);
    expect(result.recollections).toHaveLength(1);
    expect(kms.commandCalls(DescribeKeyCommand)).toHaveLength(1);
  });

  it('treats a redelivered event as already handled: the change log refuses the second write', async () => {
    // Prepare
    const { run } = await setup();
    await run([{ id: 'first', body: event() }]);

    // Act
    const again = await run([{ id: 'again', body: event() }]);

    // Assess
    expect(again.outcomes[0]).toMatchObject({ status: 'recollected', changeLog: 'duplicate' });
    expect(batchResponse(again)).toEqual({ batchItemFailures: [] });
  });

  it('records a key deleted before re-collection as deleted', async () => {
    // Prepare
    const { run, store } = await setup();
    kms.on(DescribeKeyCommand).rejects(new NotFoundException({ message: 'gone', $metadata: {} }));

    // Act
    const result = await run([{ id: 'm', body: event() }]);

    // Assess
    expect(result.outcomes[0]).toMatchObject({ status: 'recollected' });
    const record = decodeEvidence((await store.get(result.recollections[0]!.key!))!);
    expect(record.deleted).toEqual([KEY_ARN]);
    expect(record.errors).toEqual([]);
  });

  it('ends malformed, truncated, unknown, failed-call and other-account events in clear outcomes without re-collecting', async () => {
    // Prepare
    const { run, lines, sleeps } = await setup();
    const text = JSON.stringify(event());

    // Act
    const result = await run([
      { id: 'not-json', body: '{"version":' },
      { id: 'truncated', body: text.slice(0, text.length / 2) },
      { id: 'no-detail', body: JSON.stringify({ ...event(), detail: undefined }) },
      {
        id: 'unknown',
        body: event((e) => {
          e.detail.eventName = 'Decrypt';
        }),
      },
      {
        id: 'failed-call',
        body: event((e) => {
          e.detail.errorCode = 'AccessDenied';
        }),
      },
      {
        id: 'other-account',
        body: event((e) => {
          e.detail.recipientAccountId = '999999999999';
        }),
      },
    ]);

    // Assess
    expect(result.outcomes.map((o) => [o.id, o.status])).toEqual([
      ['not-json', 'rejected'],
      ['truncated', 'rejected'],
      ['no-detail', 'rejected'],
      ['unknown', 'ignored'],
      ['failed-call', 'ignored'],
      ['other-account', 'ignored'],
    ]);
    expect(result.outcomes[2]).toMatchObject({ reason: expect.stringContaining('detail') });
    expect(result.outcomes[4]).toMatchObject({ reason: expect.stringContaining('AccessDenied') });
    expect(result.outcomes[5]).toMatchObject({ reason: expect.stringContaining('999999999999') });
    expect(batchResponse(result).batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['not-json', 'truncated', 'no-detail']);
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(3);
    expect(sleeps).toEqual([]);
    expect(kms.calls()).toHaveLength(0);
  });

  it('ignores a regional change in a region the collectors do not describe (a member stack forwards from bucket regions too)', async () => {
    // Prepare
    const { run, sleeps } = await setup({ regions: ['us-east-1'] });

    // Act
    const result = await run([
      {
        id: 'elsewhere',
        body: event((e) => {
          e.region = 'ap-south-1';
          e.detail.awsRegion = 'ap-south-1';
        }),
      },
    ]);

    // Assess
    expect(result.outcomes[0]).toMatchObject({
      status: 'ignored',
      reason: expect.stringContaining('is in ap-south-1, where kms does not collect'),
    });
    expect(kms.calls()).toHaveLength(0);
    expect(sleeps).toEqual([]);
  });

  it('records events of configured other accounts in the change log without re-collecting them', async () => {
    // Prepare
    const { run, store } = await setup({ changeEvents: { recordOtherAccounts: ['999999999999'] } });

    // Act
    const result = await run([
      {
        id: 'x',
        body: event((e) => {
          e.detail.recipientAccountId = '999999999999';
        }),
      },
    ]);

    // Assess
    expect(result.outcomes[0]).toMatchObject({ status: 'recorded-only', changeLog: 'stored' });
    expect(kms.calls()).toHaveLength(0);
    expect(await countChangeEvents(store)).toEqual({ '999999999999': 1 });
  });

  it('reports a batch item failure when the evidence cannot be stored, so SQS retries it', async () => {
    // Prepare
    const { run, store } = await setup();
    jest.spyOn(store, 'put').mockRejectedValue(new Error('disk full'));

    // Act
    const result = await run([{ id: 'm', body: event() }]);

    // Assess
    expect(result.outcomes[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('disk full') });
    expect(batchResponse(result)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm' }] });
  });
});
