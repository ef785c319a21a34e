import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
