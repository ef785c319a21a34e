import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { logAlert } from '../../../lambdas/alerts/state';
import { writeChangeLog } from '../../../lambdas/events/change-log';
import { parseCloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { sealPeriods } from '../../../lambdas/integrity/digest';
import { LocalDigestSigner } from '../../../lambdas/integrity/signer';
import { verifyStore } from '../../../lambdas/integrity/verify';
import { loadCurrentEvidence } from '../../../lambdas/report/pipeline';

describe('change-log and alert-log objects', () => {
  it('are sealed and verified by the digest chain, and are not read as collection records', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sealed-'));
    const store = await LocalDirectoryStore.open(join(dir, 'store'));
    const parsed = parseCloudTrailEvent(readFileSync(join(__dirname, '../../fixtures/events/DisableKeyRotation.json'), 'utf8'));
    if (!parsed.ok) throw new Error(parsed.problem);
    const change = await writeChangeLog(store, parsed.event, {
      recordedAt: '2026-11-26T10:16:00Z',
      handling: 'recollected',
      evidence: [],
    });
    const alertKey = await logAlert(store, {
      id: 'a1b2c3',
      kind: 'transition',
      check: 'kms.rotation_enabled',
      resource: 'arn:aws:kms:us-east-1:123456789012:key/k',
      account: '123456789012',
      region: 'us-east-1',
      from: 'PASS',
      to: 'FAIL',
      detail: 'KeyRotationEnabled false',
      detectedAt: '2026-11-26T10:16:00.000Z',
      items: [],
      attempts: 0,
    });
    const signer = await LocalDigestSigner.open(join(dir, 'digest.pem'));
    const later = new Date('2026-11-28T00:00:00Z');

    // Act
    const sealed = await sealPeriods(store, signer, { now: later });
    const verified = await verifyStore(store, { now: later, publicKeys: [await signer.publicKeyPem()] });
    const records = (await loadCurrentEvidence(store)).evidence;

    // Assess
    expect(change.status).toBe('stored');
    expect(alertKey).toMatch(/^evidence\/v1\/alerts\/account=123456789012\/date=2026-11-26\/101600000Z-a1b2c3\.json\.gz$/);
    expect(sealed).toEqual([expect.objectContaining({ chain: '123456789012', objects: 2 })]);
    expect(verified.problems).toEqual([]);
    expect(records).toEqual([]);
  });
});

describe('change-log keys', () => {
  const parsed = parseCloudTrailEvent(readFileSync(join(__dirname, '../../fixtures/events/DisableKeyRotation.json'), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problem);
  const event = parsed.event;

  it('file an event by when it was recorded; its own time stays inside', async () => {
    // Prepare
    const store = await LocalDirectoryStore.open(join(mkdtempSync(join(tmpdir(), 'keys-')), 'store'));
    const recordedAt = '2026-11-30T08:15:00.250Z';

    // Act
    const write = await writeChangeLog(store, event, { recordedAt, handling: 'recollected', evidence: [] });

    // Assess
    if (write.status !== 'stored') throw new Error('not stored');
    expect(write.stored.key).toBe(
      `evidence/v1/changes/account=${event.detail.recipientAccountId}/region=${event.detail.awsRegion}/date=2026-11-30/081500250Z-${event.detail.eventID}.json.gz`,
    );
    expect(event.detail.eventTime.startsWith('2026-11-30')).toBe(false);
    expect(JSON.parse(gunzipSync((await store.get(write.stored.key))!).toString('utf8')).event.detail.eventTime).toBe(
      event.detail.eventTime,
    );
  });

  it('find a redelivery days later as a duplicate of the first recording', async () => {
    // Prepare
    const store = await LocalDirectoryStore.open(join(mkdtempSync(join(tmpdir(), 'dupes-')), 'store'));
    const first = await writeChangeLog(store, event, {
      recordedAt: event.detail.eventTime,
      handling: 'recollected',
      evidence: [],
    });
    const later = new Date(Date.parse(event.detail.eventTime) + 3 * 86_400_000).toISOString();

    // Act
    const again = await writeChangeLog(store, event, { recordedAt: later, handling: 'recollected', evidence: [] });

    // Assess
    expect(first.status).toBe('stored');
    expect(again).toEqual({ status: 'duplicate', key: first.status === 'stored' ? first.stored.key : '' });
  });
});
