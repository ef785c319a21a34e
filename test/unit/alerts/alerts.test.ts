import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { retryPending, updateAlertState } from '../../../lambdas/alerts/alerting';
import { detectDrift, isAlerting } from '../../../lambdas/alerts/drift';
import {
  alertText,
  buildChangeMessage,
  buildSummaryMessage,
  changeText,
  escapeMrkdwn,
  fitToSlackLimits,
  groupIntoMessages,
  retryAfterSeconds,
  type SlackMessage,
  SlackRejectedError,
  webhookSender,
} from '../../../lambdas/alerts/slack';
import { ALERT_LOG_PREFIX, type Alert, FINDING_STATE_KEY, readState } from '../../../lambdas/alerts/state';
import type { FindingStatus } from '../../../lambdas/checks/types';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import type { EvidenceRecord } from '../../../lambdas/evidence/record';
import type { ReportFinding } from '../../../lambdas/report/result';
import { evaluationOf } from '../../helpers/alert-results';
import { startSlackReceiver } from '../../helpers/slack-receiver';

const ACCOUNT = '123456789012';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PRINCIPAL = `arn:aws:sts::${ACCOUNT}:assumed-role/PlatformAdmin/jane.doe`;

function finding(status: FindingStatus, evidenceKey = 'evidence/v1/x.json.gz', resource = KEY_ARN): ReportFinding {
  return {
    check: 'kms.rotation_enabled',
    resource,
    account: ACCOUNT,
    region: 'us-east-1',
    status,
    detail: status === 'PASS' ? 'rotation enabled' : 'KeyRotationEnabled is false',
    evidence: { key: evidenceKey, sha256: 'ab'.repeat(32) },
  };
}

const resultWith = (findings: ReportFinding[]) => evaluationOf(findings);

const context = {
  now: new Date('2026-11-26T10:16:00Z'),
  itemsByCheck: new Map([['kms.rotation_enabled', [{ id: 'SEC-DP-3', criteria: ['CC6.1'] }]]]),
};

describe('detectDrift', () => {
  it('baselines findings seen for the first time without alerting', () => {
    const drift = detectDrift(undefined, [finding('FAIL')], context);
    expect(drift.alerts).toEqual([]);
    expect(drift.baselined).toBe(1);
    expect(Object.values(drift.state.findings)).toEqual([expect.objectContaining({ status: 'FAIL' })]);
  });

  it('produces exactly one alert per transition, and none while the status holds', () => {
    // Prepare
    const baseline = detectDrift(undefined, [finding('PASS')], context).state;

    // Act
    const failed = detectDrift(baseline, [finding('FAIL')], context);
    const stillFailing = detectDrift(failed.state, [finding('FAIL')], context);
    const resolved = detectDrift(stillFailing.state, [finding('PASS', 'evidence/v1/y.json.gz')], context);

    // Assess
    expect(failed.alerts).toEqual([
      expect.objectContaining({ kind: 'transition', from: 'PASS', to: 'FAIL', items: [{ id: 'SEC-DP-3', criteria: ['CC6.1'] }] }),
    ]);
    expect(stillFailing.alerts).toEqual([]);
    expect(resolved.alerts).toEqual([expect.objectContaining({ kind: 'resolution', from: 'FAIL', to: 'PASS' })]);
    expect(resolved.state.pending.map((a) => `${a.from}->${a.to}`)).toEqual(['PASS->FAIL', 'FAIL->PASS']);
  });

  it('alerts on anything -> ERROR and ERROR -> anything, not on PASS <-> NOT_APPLICABLE', () => {
    expect(isAlerting('PASS', 'ERROR')).toBe(true);
    expect(isAlerting('NOT_APPLICABLE', 'ERROR')).toBe(true);
    expect(isAlerting('ERROR', 'PASS')).toBe(true);
    expect(isAlerting('EXCEPTED', 'FAIL')).toBe(true);
    expect(isAlerting('PASS', 'NOT_APPLICABLE')).toBe(false);
    expect(isAlerting('FAIL', 'FAIL')).toBe(false);
  });

  it('drops findings that no longer exist without an alert', () => {
    const baseline = detectDrift(undefined, [finding('FAIL')], context).state;
    const drift = detectDrift(baseline, [], context);
    expect(drift.alerts).toEqual([]);
    expect(drift.dropped).toBe(1);
    expect(drift.state.findings).toEqual({});
  });
});

describe('Slack message', () => {
  const alert: Alert = {
    id: 'abc',
    kind: 'transition',
    check: 'kms.rotation_enabled',
    resource: KEY_ARN,
    account: ACCOUNT,
    region: 'us-east-1',
    from: 'PASS',
    to: 'FAIL',
    detail: 'KeyRotationEnabled is false <since today>',
    detectedAt: '2026-11-26T10:16:00.000Z',
    evidence: { key: 'evidence/v1/collector=kms/x.json.gz', sha256: 'ab'.repeat(32) },
    items: [{ id: 'SEC-DP-3', criteria: ['CC6.1', 'C1.1'] }],
    cause: {
      eventId: 'e-1',
      eventName: 'DisableKeyRotation',
      eventSource: 'kms.amazonaws.com',
      eventTime: '2026-11-26T10:15:30Z',
      principal: PRINCIPAL,
      sourceIp: '203.0.113.24',
    },
    logKey: `${ALERT_LOG_PREFIX}account=${ACCOUNT}/date=2026-11-26/101600000Z-abc.json.gz`,
    attempts: 0,
  };
  const period: Alert = {
    ...alert,
    id: 'def',
    check: 'kms.rotation_period',
    detail: 'rotation is off, so no rotation period applies',
    items: [{ id: 'SEC-DP-4', criteria: ['CC6.1'] }],
    logKey: `${ALERT_LOG_PREFIX}account=${ACCOUNT}/date=2026-11-26/101600000Z-def.json.gz`,
  };
  const context = { storeLocation: 's3://soc2-ml-evidence' };

  it('names check, resource, old and new status, principal and event in the text fallback of one change', () => {
    expect(alertText(alert)).toBe(
      `FAIL: kms.rotation_enabled on ${KEY_ARN} changed PASS -> FAIL after DisableKeyRotation by ${PRINCIPAL}`,
    );
    expect(buildChangeMessage([alert], context).text).toBe(escapeMrkdwn(alertText(alert)));
  });

  it('shows items with criteria, resource, account/region, status, escaped detail and the change event in blocks', () => {
    // Act
    const message = buildChangeMessage([alert], context);
    const rendered = JSON.stringify(message.blocks);

    // Assess
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    for (const expected of [
      'SEC-DP-3 (CC6.1, C1.1)',
      KEY_ARN,
      `${ACCOUNT} / us-east-1`,
      'PASS → *FAIL*',
      PRINCIPAL,
      'DisableKeyRotation',
      '2026-11-26T10:15:30Z',
      '203.0.113.24',
      alert.logKey!,
    ])
      expect(rendered).toContain(expected);
    expect(rendered).toContain('&lt;since today&gt;');
  });

  it('groups every check one event moved into one message naming event, principal, resource and each change', () => {
    // Act
    const groups = groupIntoMessages([alert, period]);
    const message = buildChangeMessage(groups[0]!, context);

    // Assess
    expect(groups).toHaveLength(1);
    expect(changeText(groups[0]!)).toBe(
      `FAIL: DisableKeyRotation by ${PRINCIPAL} changed 2 checks on ${KEY_ARN}: kms.rotation_enabled PASS -> FAIL, kms.rotation_period PASS -> FAIL`,
    );
    expect(message.text).toBe(escapeMrkdwn(changeText(groups[0]!)));
    const rendered = JSON.stringify(message.blocks);
    for (const expected of ['DisableKeyRotation changed 2 checks', 'SEC-DP-3 (CC6.1, C1.1)', 'SEC-DP-4 (CC6.1)', PRINCIPAL])
      expect(rendered).toContain(expected);
    expect(message.fullTextAt).toBe(`s3://soc2-ml-evidence/${ALERT_LOG_PREFIX}account=${ACCOUNT}/date=2026-11-26/`);
  });

  it('keeps separate events and collection runs in separate messages, and announces resolutions the same way', () => {
    const other = { ...period, id: 'ghi', cause: { ...alert.cause!, eventId: 'e-2' } };
    const resolved = [alert, period].map((a) => ({
      ...a,
      kind: 'resolution' as const,
      from: 'FAIL' as const,
      to: 'PASS' as const,
    }));
    expect(groupIntoMessages([alert, other, period]).map((g) => g.map((a) => a.id))).toEqual([['abc', 'def'], ['ghi']]);
    expect(changeText(resolved)).toMatch(
      /^Resolved: DisableKeyRotation by .* changed 2 checks on .*: kms.rotation_enabled FAIL -> PASS, kms.rotation_period FAIL -> PASS$/,
    );
    expect(JSON.stringify(buildChangeMessage(resolved, context).blocks[0])).toContain(':white_check_mark: Resolved');
  });

  it('sends one capped digest per collection run, counting what it leaves out', () => {
    // Prepare: a scheduled IAM collection found 13 users failing
    const run = { collector: 'iam', collectedAt: '2026-11-26T06:00:00.000Z', trigger: 'schedule' as const };
    const digest = Array.from({ length: 13 }, (_, i): Alert => {
      const { cause: _cause, ...scheduled } = alert;
      return {
        ...scheduled,
        id: `u${i}`,
        check: 'iam.user_mfa',
        resource: `arn:aws:iam::${ACCOUNT}:user/u${i}`,
        evidence: { key: 'evidence/v1/collector=iam/run.json.gz', sha256: 'cd'.repeat(32) },
        run,
      };
    });

    // Act
    const groups = groupIntoMessages(digest);
    const message = buildChangeMessage(groups[0]!, context);

    // Assess
    expect(groups).toHaveLength(1);
    const text = changeText(groups[0]!);
    expect(text).toMatch(
      new RegExp(`^FAIL: scheduled iam collection in ${ACCOUNT} us-east-1 changed 13 checks on 13 resources: `),
    );
    expect(text).toContain(`iam.user_mfa on arn:aws:iam::${ACCOUNT}:user/u9 PASS -> FAIL, and 3 more`);
    expect(text).not.toContain('user/u10 ');
    const sections = message.blocks.filter((b) => b.type === 'section');
    expect(sections).toHaveLength(11); // who/what/where + 10 changes
    expect(JSON.stringify(message.blocks)).toContain('…and 3 more change(s)');
  });

  it('escapes <!channel>, <!here> and user mentions in the text fallback as in the blocks', () => {
    // Prepare
    const hostile: Alert = {
      ...alert,
      resource: 'arn:aws:s3:::<!channel>',
      detail: 'tag owner=<@U024BE7LH> <!here>',
      cause: { ...alert.cause!, principal: `${PRINCIPAL}<!everyone>` },
    };

    // Act
    const single = buildChangeMessage([hostile], context);
    const grouped = buildChangeMessage([hostile, { ...period, resource: 'arn:aws:s3:::<!subteam^S123>' }], context);

    // Assess
    for (const message of [single, grouped]) {
      const posted = JSON.stringify(fitToSlackLimits(message));
      expect(posted).not.toMatch(/<[!@#]/);
      expect(message.text).toContain('&lt;!');
    }
  });

  it('cuts what is over Slack limits and names where the full text is', () => {
    // Prepare
    const long = 'x'.repeat(4000);
    const message: SlackMessage = {
      text: long,
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: long } },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: `${'a&amp;'.repeat(600)}` },
          fields: Array.from({ length: 12 }, () => ({ type: 'mrkdwn' as const, text: long })),
        },
        ...Array.from({ length: 60 }, () => ({ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: 'c' }] })),
      ],
      fullTextAt: 's3://bucket/evidence/v1/alerts/x.json.gz',
    };

    // Act
    const fitted = fitToSlackLimits(message);

    // Assess
    expect(fitted.text.length).toBeLessThanOrEqual(3000);
    expect(fitted.text).toMatch(/ … \[truncated; full text: `s3:\/\/bucket\/evidence\/v1\/alerts\/x\.json\.gz`\]$/);
    expect(fitted.blocks).toHaveLength(50);
    expect(JSON.stringify(fitted.blocks.at(-1))).toContain('13 more block(s) left out');
    const [header, section] = fitted.blocks as unknown as [
      { text: { text: string } },
      { text: { text: string }; fields: { text: string }[] },
    ];
    expect(header.text.text).toHaveLength(150);
    expect(section.text.text.length).toBeLessThanOrEqual(3000);
    expect(section.text.text).toMatch(/(&amp;|a) … \[truncated/);
    expect(section.fields).toHaveLength(10);
    expect(section.fields.every((f) => f.text.length <= 2000)).toBe(true);
    expect(fitToSlackLimits(buildChangeMessage([alert], context))).toEqual({
      text: buildChangeMessage([alert], context).text,
      blocks: buildChangeMessage([alert], context).blocks,
    });
    expect('fullTextAt' in fitted).toBe(false);
  });

  it('sends resolutions and scheduled-report summaries too', () => {
    expect(alertText({ ...alert, kind: 'resolution', from: 'FAIL', to: 'PASS', cause: undefined })).toBe(
      `Resolved: kms.rotation_enabled on ${KEY_ARN} changed FAIL -> PASS`,
    );
    const summary = buildSummaryMessage({
      generatedAt: '2026-11-26T06:00:00Z',
      summary: { PASS: 40, FAIL: 3, ERROR: 1, STALE: 0, NEEDS_EVIDENCE: 20, ATTESTED: 2, NOT_APPLICABLE: 0 },
      accounts: [ACCOUNT],
      location: 's3://evidence/reports/latest/report.html',
    });
    expect(summary.text).toBe(
      `SOC 2 report 2026-11-26T06:00:00Z for ${ACCOUNT}: 40 PASS, 3 FAIL, 1 ERROR, 20 NEEDS_EVIDENCE, 2 ATTESTED. Report: s3://evidence/reports/latest/report.html`,
    );
  });
});

describe('webhookSender', () => {
  let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;
  beforeEach(async () => {
    receiver = await startSlackReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });
  const message: SlackMessage = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hello' } }] };

  it('waits out a 429 for as long as Retry-After says, then posts', async () => {
    // Prepare
    const waited: number[] = [];
    receiver.answerNext({ status: 429, headers: { 'retry-after': '2' } });

    // Act
    await webhookSender(receiver.url, { sleep: async (ms) => void waited.push(ms) }).send(message);

    // Assess
    expect(waited).toEqual([2000]);
    expect(receiver.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('reads Retry-After as seconds or an HTTP date, and gives up after two waits', async () => {
    // Prepare
    const now = new Date('2026-11-26T10:16:00Z');
    const waited: number[] = [];
    receiver.answerNext(429, 429, 429);

    // Act
    const send = webhookSender(receiver.url, { sleep: async (ms) => void waited.push(ms) }).send(message);

    // Assess
    expect(retryAfterSeconds('7', now)).toBe(7);
    expect(retryAfterSeconds('Thu, 26 Nov 2026 10:16:30 GMT', now)).toBe(30);
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    await expect(send).rejects.toThrow('Slack rate limit (HTTP 429): retry after 1 s; kept for a later run');
    expect(waited).toEqual([1000, 1000]);
    expect(receiver.posts).toEqual([]);
  });

  it('leaves a rate limit longer than it may wait for a later run, without waiting', async () => {
    const waited: number[] = [];
    receiver.answerNext({ status: 429, headers: { 'retry-after': '600' } });
    const send = webhookSender(receiver.url, { sleep: async (ms) => void waited.push(ms) }).send(message);
    await expect(send).rejects.toThrow('Slack rate limit (HTTP 429): retry after 600 s; kept for a later run');
    await expect(send).rejects.not.toBeInstanceOf(SlackRejectedError);
    expect(waited).toEqual([]);
  });

  it('calls a 4xx other than 408 and 429 a permanent refusal, and a 5xx transient; never quoting the URL', async () => {
    receiver.answerNext({ status: 404, body: 'channel_not_found' }, 500);
    const sender = webhookSender(receiver.url);
    const refused = sender.send(message);
    await expect(refused).rejects.toBeInstanceOf(SlackRejectedError);
    await expect(refused).rejects.toThrow('Slack refused the message: HTTP 404 channel_not_found');
    const failed = sender.send(message).catch((err: Error) => err);
    expect(await failed).not.toBeInstanceOf(SlackRejectedError);
    expect(String(await failed)).toMatch(/500/);
    expect(String(await failed)).not.toContain(receiver.url);
  });
});

describe('updateAlertState over HTTP', () => {
  let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;
  beforeEach(async () => {
    receiver = await startSlackReceiver();
  });
  afterEach(async () => {
    await receiver.close();
  });

  async function storeWithEventRecord(): Promise<{ store: LocalDirectoryStore; key: string }> {
    const store = await LocalDirectoryStore.open(mkdtempSync(join(tmpdir(), 'alerts-')));
    const record: EvidenceRecord = {
      schema: 'evidence/v1',
      id: 'r1',
      collector: { name: 'kms', version: '1' },
      account: ACCOUNT,
      region: 'us-east-1',
      collectedAt: '2026-11-26T10:15:36.000Z',
      trigger: {
        type: 'event',
        eventId: 'e-1',
        eventName: 'DisableKeyRotation',
        eventSource: 'kms.amazonaws.com',
        eventTime: '2026-11-26T10:15:30Z',
        principal: PRINCIPAL,
        sourceIp: '203.0.113.24',
      },
      scope: { type: 'resource', resource: KEY_ARN },
      resources: [],
      errors: [],
      notes: [],
      deleted: [],
      calls: 4,
    };
    return { store, key: (await writeEvidence(store, record)).key };
  }

  it('keeps an alert pending after a 500, sends it exactly once on the next run, and logs it as evidence', async () => {
    // Prepare
    const { store, key } = await storeWithEventRecord();
    const sender = webhookSender(receiver.url);
    const now = new Date('2026-11-26T10:16:00Z');
    await updateAlertState({ store, result: resultWith([finding('PASS')]), now, sender });
    receiver.answerNext(500);

    // Act
    const failed = await updateAlertState({ store, result: resultWith([finding('FAIL', key)]), now, sender });
    const retried = await updateAlertState({ store, result: resultWith([finding('FAIL', key)]), now, sender });
    const quiet = await updateAlertState({ store, result: resultWith([finding('FAIL', key)]), now, sender });

    // Assess
    expect(failed.alerts).toHaveLength(1);
    expect(failed.deliveryFailure).toMatch(/500/);
    expect(failed.deliveryFailure).not.toContain(receiver.url);
    expect(failed.pending).toEqual([expect.objectContaining({ attempts: 1 })]);
    expect(retried.alerts).toEqual([]);
    expect(retried.delivered).toHaveLength(1);
    expect(quiet.delivered).toEqual([]);
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]!.body.text).toBe(
      escapeMrkdwn(`FAIL: kms.rotation_enabled on ${KEY_ARN} changed PASS -> FAIL after DisableKeyRotation by ${PRINCIPAL}`),
    );
    expect((await readState(store, now)).state?.pending).toEqual([]);
    const logged: string[] = [];
    for await (const o of store.list(ALERT_LOG_PREFIX)) logged.push(o.key);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(
      new RegExp(`^${ALERT_LOG_PREFIX}account=${ACCOUNT}/date=2026-11-26/101600000Z-[0-9a-f]{24}\\.json\\.gz$`),
    );
    const entry = JSON.parse(gunzipSync((await store.get(logged[0]!))!).toString('utf8'));
    expect(entry).toMatchObject({ schema: 'soc2-ml-alert/v1', from: 'PASS', to: 'FAIL', cause: { principal: PRINCIPAL } });
  });

  it('without a sender keeps alerts pending in the state; facts-only checks are never tracked', async () => {
    // Prepare
    const { store } = await storeWithEventRecord();
    const now = new Date('2026-11-26T10:16:00Z');
    const integrity = (status: FindingStatus): ReportFinding => ({
      ...finding(status),
      check: 'evidence.integrity',
      resource: 'store',
    });
    await updateAlertState({ store, result: resultWith([finding('PASS'), integrity('PASS')]), now });

    // Act
    const run = await updateAlertState({ store, result: resultWith([finding('ERROR'), integrity('ERROR')]), now });

    // Assess
    expect(run.alerts.map((a) => a.check)).toEqual(['kms.rotation_enabled']);
    expect(run.pending).toHaveLength(1);
    expect(await store.get(FINDING_STATE_KEY)).toBeDefined();
    expect(receiver.posts).toEqual([]);
  });

  it('writes the state only when a status, a finding or a pending alert changed', async () => {
    // Prepare
    const { store } = await storeWithEventRecord();
    const writes: string[] = [];
    const put = store.putIfUnchanged.bind(store);
    store.putIfUnchanged = (key, body, tag) => {
      writes.push(key);
      return put(key, body, tag);
    };
    const at = (minute: number) => new Date(`2026-11-26T10:${minute}:00Z`);

    // Act
    await updateAlertState({ store, result: resultWith([finding('PASS')]), now: at(20) });
    await updateAlertState({ store, result: resultWith([{ ...finding('PASS'), detail: 'reworded' }]), now: at(21) });
    const stateWritesWhileSteady = writes.filter((k) => k === FINDING_STATE_KEY).length;
    await updateAlertState({ store, result: resultWith([finding('FAIL')]), now: at(22) });

    // Assess
    expect(stateWritesWhileSteady).toBe(1);
    expect(writes.filter((k) => k === FINDING_STATE_KEY)).toHaveLength(2);
  });

  const period = (status: FindingStatus, evidenceKey?: string): ReportFinding => ({
    ...finding(status, evidenceKey),
    check: 'kms.rotation_period',
  });

  it('posts one message for every check one event moved, and none when the same evidence comes again', async () => {
    // Prepare
    const { store, key } = await storeWithEventRecord();
    const sender = webhookSender(receiver.url);
    const now = new Date('2026-11-26T10:16:00Z');
    await updateAlertState({ store, result: resultWith([finding('PASS'), period('PASS')]), now, sender });

    // Act
    const changed = await updateAlertState({
      store,
      result: resultWith([finding('FAIL', key), period('FAIL', key)]),
      now,
      sender,
    });
    const again = await updateAlertState({ store, result: resultWith([finding('FAIL', key), period('FAIL', key)]), now, sender });

    // Assess
    expect(changed).toMatchObject({ messagesDelivered: 1, pending: [], undeliverable: [] });
    expect(changed.delivered.map((a) => a.check)).toEqual(['kms.rotation_enabled', 'kms.rotation_period']);
    expect(again).toMatchObject({ alerts: [], messagesDelivered: 0 });
    expect(receiver.posts).toHaveLength(1);
    expect(receiver.posts[0]!.body.text).toBe(
      escapeMrkdwn(
        `FAIL: DisableKeyRotation by ${PRINCIPAL} changed 2 checks on ${KEY_ARN}: kms.rotation_enabled PASS -> FAIL, kms.rotation_period PASS -> FAIL`,
      ),
    );
  });

  it('records a message Slack refuses for good, and delivers the next one in the same run', async () => {
    // Prepare: two pending messages (one per event record) before Slack is reachable
    const { store, key } = await storeWithEventRecord();
    const now = new Date('2026-11-26T10:16:00Z');
    const otherKey = 'evidence/v1/collector=kms/other.json.gz';
    const otherKeyArn = KEY_ARN.replace('1234abcd', '9999abcd');
    const other = (status: FindingStatus) => finding(status, otherKey, otherKeyArn);
    await updateAlertState({ store, result: resultWith([finding('PASS'), other('PASS')]), now });
    await updateAlertState({ store, result: resultWith([finding('FAIL', key), other('FAIL')]), now });
    receiver.answerNext({ status: 403, body: 'action_prohibited' });

    // Act
    const run = await updateAlertState({
      store,
      result: resultWith([finding('FAIL', key), other('FAIL')]),
      now,
      sender: webhookSender(receiver.url),
    });
    const next = await updateAlertState({ store, result: resultWith([finding('FAIL', key), other('FAIL')]), now });

    // Assess
    expect(run.undeliverable).toEqual([
      expect.objectContaining({ status: 403, reason: 'action_prohibited', alertIds: [run.undeliverable[0]!.alertIds[0]] }),
    ]);
    expect(run.deliveryFailure).toBeUndefined();
    expect(run.messagesDelivered).toBe(1);
    expect(run.pending).toEqual([]);
    expect(next.pending).toEqual([]);
    expect(receiver.requests.map((r) => r.status)).toEqual([403, 200]);
    expect((await readState(store, now)).state?.undeliverable).toEqual(run.undeliverable);
  });

  it('skips a message another evaluation has claimed and not yet settled', async () => {
    // Prepare: run A claims the message (its post hangs until released)
    const { store, key } = await storeWithEventRecord();
    const now = new Date('2026-11-26T10:16:00Z');
    await updateAlertState({ store, result: resultWith([finding('PASS')]), now });
    await updateAlertState({ store, result: resultWith([finding('FAIL', key)]), now });
    let release: () => void = () => undefined;
    const posted: string[] = [];
    const slow = {
      description: 'slow',
      send: (m: SlackMessage) =>
        new Promise<void>((resolve) => {
          posted.push(m.text);
          release = resolve;
        }),
    };
    const first = retryPending(store, slow);
    while (posted.length === 0) await new Promise((r) => setImmediate(r));

    // Act
    const second = await retryPending(store, webhookSender(receiver.url));
    release();
    const settled = await first;

    // Assess
    expect(second).toMatchObject({ messagesDelivered: 0, pending: [expect.objectContaining({ claim: expect.anything() })] });
    expect(settled).toMatchObject({ messagesDelivered: 1, pending: [] });
    expect(receiver.posts).toEqual([]);
  });

  it('recovers from an unreadable state file: keeps it, records the problem, posts no storm, alerts again next time', async () => {
    // Prepare
    const { store, key } = await storeWithEventRecord();
    const now = new Date('2026-11-26T10:16:00Z');
    const sender = webhookSender(receiver.url);
    await updateAlertState({ store, result: resultWith([finding('PASS'), period('PASS')]), now, sender });
    const garbage = new TextEncoder().encode('{"schema":"soc2-ml-finding-status/v1","findings":{"kms');
    await store.put(FINDING_STATE_KEY, garbage, { overwrite: true });

    // Act
    const recovered = await updateAlertState({ store, result: resultWith([finding('FAIL', key), period('PASS')]), now, sender });
    const later = await updateAlertState({ store, result: resultWith([finding('PASS', key), period('PASS')]), now, sender });

    // Assess
    expect(recovered.stateProblem).toMatch(
      /^alert state state\/v1\/finding-status\.json is unreadable \(.*JSON.*\); kept as state\/v1\/unreadable\/[0-9a-f]{16}\.json; 0 finding status\(es\) and 0 pending alert\(s\) recovered; other findings start a new baseline$/,
    );
    expect(recovered).toMatchObject({ alerts: [], baselined: 2 });
    const kept = recovered.stateProblem!.match(/kept as (\S+);/)![1]!;
    expect(await store.get(kept)).toEqual(garbage);
    expect(later.stateProblem).toBeUndefined();
    expect(later.alerts.map((a) => `${a.from}->${a.to}`)).toEqual(['FAIL->PASS']);
    expect(receiver.posts).toHaveLength(1);
  });

  it('salvages every entry of a schema-invalid state that still parses, so those findings keep alerting', async () => {
    // Prepare
    const { store, key } = await storeWithEventRecord();
    const now = new Date('2026-11-26T10:16:00Z');
    await updateAlertState({ store, result: resultWith([finding('PASS'), period('PASS')]), now });
    const state = JSON.parse(new TextDecoder().decode(await store.get(FINDING_STATE_KEY)));
    const periodKey = Object.keys(state.findings).find((k) => k.startsWith('kms.rotation_period|'))!;
    state.findings[periodKey] = { status: 'MAYBE' };
    await store.put(FINDING_STATE_KEY, new TextEncoder().encode(JSON.stringify(state)), { overwrite: true });

    // Act
    const run = await updateAlertState({ store, result: resultWith([finding('FAIL', key), period('FAIL', key)]), now });

    // Assess
    expect(run.stateProblem).toContain(`(findings.${periodKey}.status: `);
    expect(run.stateProblem).toContain('1 finding status(es) and 0 pending alert(s) recovered');
    expect(run.alerts.map((a) => a.check)).toEqual(['kms.rotation_enabled']);
    expect(run.baselined).toBe(1);
  });
});
