import {
  CreateBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectLockConfigurationCommand,
} from '@aws-sdk/client-s3';
import { readEvidence, writeEvidence } from '../../lambdas/evidence/evidence-io';
import { sha256Hex } from '../../lambdas/evidence/hash';
import type { EvidenceRecord } from '../../lambdas/evidence/record';
import { S3EvidenceStore } from '../../lambdas/evidence/s3-store';
import { ObjectExistsError, StoreUnavailableError } from '../../lambdas/evidence/store';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';

const moto = useMoto();
const BUCKET = 'evidence-bucket';
const NOW = new Date('2026-11-26T06:00:00Z');

const record: EvidenceRecord = {
  schema: 'evidence/v1',
  id: 'c0ffee00-0000-4000-8000-000000000002',
  collector: { name: 's3', version: '1.0.0' },
  account: EMULATOR_ACCOUNT,
  region: 'global',
  collectedAt: NOW.toISOString(),
  trigger: { type: 'schedule' },
  scope: { type: 'all' },
  resources: [],
  errors: [],
  notes: [],
  deleted: [],
  calls: 2,
};

async function lockedStore() {
  // No TLS-only bucket policy here: moto applies Deny statements without their conditions (STACK.md).
  const clients = emulatorClients(moto().url);
  const s3 = clients.s3();
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  await s3.send(
    new PutObjectLockConfigurationCommand({
      Bucket: BUCKET,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
    }),
  );
  const store = new S3EvidenceStore({
    client: s3,
    bucket: BUCKET,
    objectLock: { mode: 'COMPLIANCE', retentionDays: 400 },
    clock: () => NOW,
  });
  return { s3, store };
}

describe('S3EvidenceStore against the emulator', () => {
  it('writes evidence with COMPLIANCE retention and a SHA-256 checksum, and reads it back', async () => {
    // Prepare
    const { s3, store } = await lockedStore();

    // Act
    const stored = await writeEvidence(store, record);

    // Assess
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: stored.key, ChecksumMode: 'ENABLED' }));
    expect(head.ObjectLockMode).toBe('COMPLIANCE');
    expect(head.ObjectLockRetainUntilDate?.toISOString()).toBe('2027-12-31T06:00:00.000Z');
    expect(head.ChecksumSHA256).toBe(Buffer.from(stored.sha256, 'hex').toString('base64'));
    expect(stored.versionId).toBeTruthy();
    expect(await readEvidence(store, stored.key)).toEqual(record);
    const bytes = await store.get(stored.key);
    expect(sha256Hex(bytes!)).toBe(stored.sha256);
  });

  it('refuses to overwrite an existing evidence key', async () => {
    const { store } = await lockedStore();
    const stored = await writeEvidence(store, record);
    await expect(store.put(stored.key, new Uint8Array([1, 2, 3]))).rejects.toBeInstanceOf(ObjectExistsError);
  });

  it('refuses to delete a locked evidence version', async () => {
    // Prepare
    const { s3, store } = await lockedStore();
    const stored = await writeEvidence(store, record);

    // Act
    const deletion = s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: stored.key, VersionId: stored.versionId }));

    // Assess
    await expect(deletion).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await readEvidence(store, stored.key)).toEqual(record);
  });

  it('lists objects by prefix', async () => {
    const { store } = await lockedStore();
    const a = await writeEvidence(store, record);
    const b = await writeEvidence(store, {
      ...record,
      id: 'c0ffee00-0000-4000-8000-000000000003',
      collector: { name: 'iam', version: '1' },
    });
    const keys: string[] = [];
    for await (const object of store.list('evidence/v1/')) keys.push(object.key);
    expect(keys.sort()).toEqual([a.key, b.key].sort());
  });

  it('lists the folders under a prefix from S3 common prefixes, without the keys below them', async () => {
    // Prepare
    const { store } = await lockedStore();
    await writeEvidence(store, record);
    await writeEvidence(store, {
      ...record,
      id: 'c0ffee00-0000-4000-8000-000000000004',
      collector: { name: 'iam', version: '1' },
    });

    // Act
    const folders: string[] = [];
    for await (const name of store.listFolders('evidence/v1/')) folders.push(name);
    const days: string[] = [];
    for await (const name of store.listFolders(`evidence/v1/collector=iam/account=${record.account}/region=${record.region}/`))
      days.push(name);

    // Assess
    expect(folders).toEqual(['collector=iam', 'collector=s3']);
    expect(days).toEqual([`date=${record.collectedAt.slice(0, 10)}`]);
  });

  it('names a missing bucket as unusable', async () => {
    const store = new S3EvidenceStore({ client: emulatorClients(moto().url).s3(), bucket: 'no-such-bucket' });
    await expect(store.ensureReachable()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
