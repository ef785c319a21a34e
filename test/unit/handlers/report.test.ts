import { webhookSender } from '../../../lambdas/alerts/slack';
import { parseConfig } from '../../../lambdas/config/schema';
import type { PathLogger } from '../../../lambdas/events/change-path';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { handler, LATEST_HTML_REPORT_KEY, runScheduledReport } from '../../../lambdas/handlers/report';
import { UnsupportedEventError } from '../../../lambdas/handlers/runtime';
import { parseDigestKey, sealPeriods } from '../../../lambdas/integrity/digest';
import { publicKeyFingerprint } from '../../../lambdas/integrity/signer';
import { verifyStore } from '../../../lambdas/integrity/verify';
import { startSlackReceiver } from '../../helpers/slack-receiver';
import { ACCOUNT_A, type TempStore, tempStore } from '../integrity/fixtures';
import { bucket, stored } from '../report/fixtures';

const NOW = new Date('2026-11-26T06:00:00.000Z');
const REPORT_FILES = ['report.csv', 'report.html', 'report.json', 'report.md', 'report.oscal.json'];

async function keysUnder(temp: TempStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of temp.store.list(prefix)) keys.push(object.key);
  return keys.sort();
}

describe('runScheduledReport', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await tempStore();
  });
  afterEach(() => temp.cleanup());

  it("seals yesterday's evidence, then stores all five formats dated and as latest", async () => {
    // Prepare: one S3 snapshot collected yesterday
    const { record } = stored({ account: ACCOUNT_A, collectedAt: '2026-11-25T10:00:00.000Z', resources: [bucket('ml-data')] });
    await writeEvidence(temp.store, record);
    const signer = await temp.signer();
    // Act
    const result = await runScheduledReport({ store: temp.store, signer, config: parseConfig({}), now: NOW });
    // Assess
    expect(result.reportKeys.map((key) => key.replace(/^reports\/2026\/11\/26\/060000000Z\//, '')).sort()).toEqual(REPORT_FILES);
    expect(await keysUnder(temp, 'reports/latest/')).toEqual(REPORT_FILES.map((name) => `reports/latest/${name}`));
    expect(result.sealedDigests.map((key) => parseDigestKey(key)?.period.id)).toEqual(['2026-11-25']);
    expect(result.integrityProblems).toBe(0);
    expect(result.coverage).toMatch(
      /^OK: 1 digests, \d+ objects, \d+ bytes checked in .*; no evidence object is waiting for a seal$/,
    );
    expect(Object.values(result.summary).reduce((sum, n) => sum + n, 0)).toBe(66);
    const report = JSON.parse(new TextDecoder().decode(await temp.store.get('reports/latest/report.json')));
    expect(report.generatedAt).toBe(NOW.toISOString());
  });

  it('stores the public key beside the digests, where offline verification finds it', async () => {
    // Prepare
    const { record } = stored({ account: ACCOUNT_A, collectedAt: '2026-11-24T10:00:00.000Z' });
    await writeEvidence(temp.store, record);
    const signer = await temp.signer();
    // Act
    const result = await runScheduledReport({ store: temp.store, signer, config: parseConfig({}), now: NOW });
    const verified = await verifyStore(temp.store, { now: NOW, publicKeys: [await signer.publicKeyPem()] });
    // Assess
    const pem = new TextDecoder().decode(await temp.store.get(result.publicKey.key));
    expect(publicKeyFingerprint(pem)).toBe(result.publicKey.fingerprint);
    expect(result.publicKey.key).toBe(`digests/v1/public-keys/${result.publicKey.fingerprint}.pem`);
    expect(verified.problems).toEqual([]);
    expect(verified.summary.digests).toBe(2);
  });

  it('shows the verified chain and its public key in report.json and report.html', async () => {
    // Prepare
    const { record } = stored({ account: ACCOUNT_A, collectedAt: '2026-11-25T10:00:00.000Z' });
    await writeEvidence(temp.store, record);
    const signer = await temp.signer();
    // Act
    const result = await runScheduledReport({ store: temp.store, signer, config: parseConfig({}), now: NOW });
    const json = JSON.parse(new TextDecoder().decode(await temp.store.get('reports/latest/report.json')));
    const html = new TextDecoder().decode(await temp.store.get('reports/latest/report.html'));
    // Assess
    expect(json.integrity).toEqual({
      verified: true,
      problems: 0,
      digests: 1,
      heads: [expect.objectContaining({ chain: ACCOUNT_A, periodId: '2026-11-25', key: result.sealedDigests[0] })],
      publicKeys: [{ fingerprint: result.publicKey.fingerprint, key: result.publicKey.key, pem: await signer.publicKeyPem() }],
    });
    expect(html).toContain('<h2>Evidence integrity</h2>');
    expect(html).toContain(result.publicKey.fingerprint);
    expect(html).toContain('-----BEGIN PUBLIC KEY-----');
  });

  it("trusts only the signer's public key, not another key stored beside the digests", async () => {
    // Prepare: a digest sealed by someone else's key, whose public key sits in the store
    const { record } = stored({ account: ACCOUNT_A, collectedAt: '2026-11-24T10:00:00.000Z' });
    await writeEvidence(temp.store, record);
    const forger = await temp.signer('forger');
    const [forged] = await sealPeriods(temp.store, forger, { now: new Date('2026-11-25T06:00:00.000Z') });
    const signer = await temp.signer();
    // Act
    const result = await runScheduledReport({ store: temp.store, signer, config: parseConfig({}), now: NOW });
    const json = JSON.parse(new TextDecoder().decode(await temp.store.get('reports/latest/report.json')));
    // Assess
    expect(result.integrityProblems).toBe(1);
    expect(json.integrity).toMatchObject({
      verified: false,
      problems: 1,
      publicKeys: [{ fingerprint: result.publicKey.fingerprint, pem: await signer.publicKeyPem() }],
    });
    expect(JSON.stringify(json)).toContain(`unknown-key: ${forged!.key}: signed by unknown key ${forger.keyId}`);
  });

  it('seals nothing twice and keeps the earlier report as history', async () => {
    // Prepare
    const { record } = stored({ account: ACCOUNT_A, collectedAt: '2026-11-25T10:00:00.000Z' });
    await writeEvidence(temp.store, record);
    const signer = await temp.signer();
    const config = parseConfig({});
    await runScheduledReport({ store: temp.store, signer, config, now: NOW });
    // Act
    const second = await runScheduledReport({ store: temp.store, signer, config, now: new Date('2026-11-26T07:00:00.000Z') });
    // Assess
    expect(second.sealedDigests).toEqual([]);
    expect((await keysUnder(temp, 'reports/2026/11/26/')).filter((key) => key.endsWith('/report.json'))).toHaveLength(2);
  });
});

describe('runScheduledReport Slack summary', () => {
  let temp: TempStore;
  let receiver: Awaited<ReturnType<typeof startSlackReceiver>>;
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  const logger: PathLogger = {
    info: () => undefined,
    warn: (message, fields) => warnings.push({ message, fields }),
    error: () => undefined,
  };
  beforeEach(async () => {
    temp = await tempStore();
    receiver = await startSlackReceiver();
    warnings.length = 0;
    const { record } = stored({ account: ACCOUNT_A, collectedAt: '2026-11-25T10:00:00.000Z', resources: [bucket('ml-data')] });
    await writeEvidence(temp.store, record);
  });
  afterEach(async () => {
    await receiver.close();
    await temp.cleanup();
  });

  it('posts one summary with the item counts and where the latest HTML report is, after storing it', async () => {
    // Prepare
    const sender = webhookSender(receiver.url);
    // Act
    const result = await runScheduledReport({
      store: temp.store,
      signer: await temp.signer(),
      config: parseConfig({}),
      now: NOW,
      summary: { sender, logger },
    });
    // Assess
    expect(result.slackSummary).toBe('posted');
    expect(receiver.posts).toHaveLength(1);
    const location = `${temp.store.location}/${LATEST_HTML_REPORT_KEY}`;
    const counts = Object.entries(result.summary)
      .filter(([, n]) => n > 0)
      .map(([status, n]) => `${n} ${status}`)
      .join(', ');
    expect(receiver.posts[0]?.body.text).toBe(
      `SOC 2 report ${NOW.toISOString()} for ${ACCOUNT_A}: ${counts}. Report: ${location}`,
    );
    expect(await temp.store.get(LATEST_HTML_REPORT_KEY)).toBeDefined();
    expect(warnings).toEqual([]);
  });

  it('keeps the report when Slack refuses the summary, and logs the failure without the webhook URL', async () => {
    // Prepare
    receiver.answerNext(500);
    // Act
    const result = await runScheduledReport({
      store: temp.store,
      signer: await temp.signer(),
      config: parseConfig({}),
      now: NOW,
      summary: { sender: webhookSender(receiver.url), logger },
    });
    // Assess
    expect(result.slackSummary).toBe('failed');
    expect(result.reportKeys).toHaveLength(REPORT_FILES.length);
    expect(await keysUnder(temp, 'reports/latest/')).toEqual(REPORT_FILES.map((name) => `reports/latest/${name}`));
    expect(receiver.posts).toEqual([]);
    expect(warnings).toEqual([
      { message: 'report summary not posted', fields: { via: 'Slack incoming webhook', failure: expect.any(String) } },
    ]);
    expect(JSON.stringify(warnings)).not.toContain('/services/T000');
  });

  it('posts nothing and says so when no sender is configured', async () => {
    // Act
    const result = await runScheduledReport({
      store: temp.store,
      signer: await temp.signer(),
      config: parseConfig({}),
      now: NOW,
    });
    // Assess
    expect(result.slackSummary).toBe('not configured');
    expect(receiver.posts).toEqual([]);
  });
});

describe('report handler', () => {
  it('refuses anything but a scheduled event before touching AWS', async () => {
    // Act
    const run = handler(
      { Records: [] },
      { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:r', getRemainingTimeInMillis: () => 1 },
    );
    // Assess
    await expect(run).rejects.toThrow(UnsupportedEventError);
    await expect(run).rejects.toThrow(/the report handler only accepts EventBridge "Scheduled Event"s/);
  });
});
