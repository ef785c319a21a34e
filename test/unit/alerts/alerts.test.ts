import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { updateAlertState } from '../../../lambdas/alerts/alerting';
import { detectDrift, isAlerting } from '../../../lambdas/alerts/drift';
import { alertText, buildAlertMessage, buildSummaryMessage, webhookSender } from '../../../lambdas/alerts/slack';
import { ALERT_LOG_PREFIX, type Alert, FINDING_STATE_KEY, loadState } from '../../../lambdas/alerts/state';
import type { FindingStatus } from '../../../lambdas/checks/types';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import type { EvidenceRecord } from '../../../lambdas/evidence/record';
import type { EvaluationResult, ReportFinding } from '../../../lambdas/report/result';
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

/** The slice of an evaluation result the alert state reads. */
function resultWith(findings: ReportFinding[]): EvaluationResult {
  return {
    items: [{ id: 'SEC-DP-3', criteria: ['CC6.1', 'C1.1'], checks: ['kms.rotation_enabled', 'evidence.integrity'], findings }],
    checks: [
      { id: 'kms.rotation_enabled', collectors: ['kms'], passCondition: '', remediation: '' },
      { id: 'evidence.integrity', collectors: [], passCondition: '', remediation: '' },
    ],
  } as unknown as EvaluationResult;
}

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
    attempts: 0,
  };

  it('names check, resource, old and new status, principal and event in the text fallback', () => {
    expect(alertText(alert)).toBe(
      `FAIL: kms.rotation_enabled on ${KEY_ARN} changed PASS -> FAIL after DisableKeyRotation by ${PRINCIPAL}`,
    );
  });

  it('shows items with criteria, resource, account/region, status, escaped detail and the change event in blocks', () => {
    // Act
    const message = buildAlertMessage(alert);
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
    ])
      expect(rendered).toContain(expected);
    expect(rendered).toContain('&lt;since today&gt;');
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
      `FAIL: kms.rotation_enabled on ${KEY_ARN} changed PASS -> FAIL after DisableKeyRotation by ${PRINCIPAL}`,
    );
    expect((await loadState(store))?.pending).toEqual([]);
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
    const put = store.put.bind(store);
    store.put = (key, body, options) => {
      writes.push(key);
      return put(key, body, options);
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
});
