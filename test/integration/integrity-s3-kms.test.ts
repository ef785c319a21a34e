import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { evidenceKey } from '../../lambdas/evidence/evidence-io';
import { S3EvidenceStore } from '../../lambdas/evidence/s3-store';
import { decodeDigest, digestKey, sealPeriods } from '../../lambdas/integrity/digest';
import { KmsDigestSigner, LocalDigestSigner } from '../../lambdas/integrity/signer';
import { verifyStore } from '../../lambdas/integrity/verify';
import { forgeSealedObject } from '../helpers/digest-forgery';
import { EMULATOR_ACCOUNT, EMULATOR_REGION, emulatorClients, useMoto } from '../helpers/moto';

// Emulator round trips: generous, so a loaded machine does not fail the test.
jest.setTimeout(30_000);

const moto = useMoto();
const BUCKET = 'soc2-evidence';
const WRITTEN_AT = new Date('2026-11-25T06:00:00Z');
const NOW = new Date('2026-11-26T12:00:00Z');

async function prepare() {
  const clients = emulatorClients(moto().url);
  const s3 = clients.s3();
  const kms = clients.kms(EMULATOR_REGION);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
  const store = new S3EvidenceStore({
    client: s3,
    bucket: BUCKET,
    objectLock: { mode: 'COMPLIANCE', retentionDays: 30 },
    clock: () => WRITTEN_AT,
  });
  const keys: string[] = [];
  for (const [i, collectedAt] of ['2026-11-25T06:00:00.000Z', '2026-11-25T12:00:00.000Z'].entries()) {
    const key = evidenceKey({
      collector: { name: 's3', version: '1' },
      account: EMULATOR_ACCOUNT,
      region: EMULATOR_REGION,
      collectedAt,
      id: `run-${i}`,
    });
    await store.put(key, new TextEncoder().encode(`{"run":${i}}`));
    keys.push(key);
  }
  const created = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
  const signer = new KmsDigestSigner(kms, created.KeyMetadata!.Arn!);
  return { s3, kms, store, signer, keys };
}

describe('digest chain on the Object Lock bucket, signed with KMS', () => {
  it('signs with KMS and verifies offline against the GetPublicKey PEM', async () => {
    // Prepare
    const { kms, store, signer, keys } = await prepare();
    const publicKey = await kms.send(new GetPublicKeyCommand({ KeyId: signer.keyId }));
    const pem = createPublicKey({ key: Buffer.from(publicKey.PublicKey!), format: 'der', type: 'spki' })
      .export({ type: 'spki', format: 'pem' })
      .toString();

    // Act
    const sealed = await sealPeriods(store, signer, { now: NOW });
    const result = await verifyStore(store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(sealed).toEqual([
      expect.objectContaining({ chain: EMULATOR_ACCOUNT, period: expect.objectContaining({ id: '2026-11-25' }), objects: 2 }),
    ]);
    const digest = decodeDigest((await store.get(digestKey(EMULATOR_ACCOUNT, '2026-11-25')))!).payload;
    expect(digest.objects.map((o) => o.key)).toEqual(keys);
    expect(digest.objects.every((o) => typeof o.versionId === 'string' && o.versionId.length > 0)).toBe(true);
    expect(digest.signing).toMatchObject({ keyId: signer.keyId, algorithm: 'ECDSA_SHA_256' });
    expect(result.problems).toEqual([]);
    expect(result.summary).toMatchObject({ digests: 1, objectsChecked: 2, trustedKeys: [{ source: 'caller' }] });
  });

  it('reports a new version written over sealed evidence, and still checks the sealed version', async () => {
    // Prepare
    const { s3, store, signer, keys } = await prepare();
    await sealPeriods(store, signer, { now: NOW });
    const sealedVersion = decodeDigest((await store.get(digestKey(EMULATOR_ACCOUNT, '2026-11-25')))!).payload.objects[0]!
      .versionId;
    const replaced = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: keys[0], Body: '{"run":"forged"}' }));

    // Act
    const result = await verifyStore(store, { now: NOW, publicKeys: [await signer.publicKeyPem()] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'object-changed',
        key: keys[0],
        message: `${keys[0]}: written again after sealing: 2 versions: version ${replaced.VersionId} replaced version ${sealedVersion} (${digestKey(EMULATOR_ACCOUNT, '2026-11-25')})`,
      },
    ]);
    expect(result.summary.objectsChecked).toBe(2);
  });

  it('reports evidence replaced together with its digest re-signed by a key added to the bucket', async () => {
    // Prepare
    const { s3, store, signer, keys } = await prepare();
    await sealPeriods(store, signer, { now: NOW });
    const dir = await mkdtemp(join(tmpdir(), 'forger-'));
    const forger = await LocalDigestSigner.open(join(dir, 'forger.pem'));
    const { rewrittenDigests } = await forgeSealedObject(
      store,
      async (key, bytes) => (await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: bytes }))).VersionId,
      forger,
      { chain: EMULATOR_ACCOUNT, key: keys[0]!, body: '{"run":"forged"}' },
    );

    // Act
    const trustingStore = await verifyStore(store, { now: NOW });

    // Assess
    const digest = digestKey(EMULATOR_ACCOUNT, '2026-11-25');
    expect(rewrittenDigests).toEqual([digest]);
    expect(trustingStore.problems).toEqual([
      { kind: 'digest-rewritten', key: digest, message: expect.stringContaining('written again after sealing: 2 versions') },
      { kind: 'object-changed', key: keys[0], message: expect.stringContaining('written again after sealing: 2 versions') },
    ]);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to delete a COMPLIANCE-locked evidence version', async () => {
    // Prepare
    const { s3, store, keys } = await prepare();
    const versionId = (await store.listVersions(keys[0]!)[Symbol.asyncIterator]().next()).value!.versionId;

    // Act
    const attempt = s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: keys[0], VersionId: versionId }));

    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(await store.getVersion(keys[0]!, versionId)).toEqual(new TextEncoder().encode('{"run":0}'));
  });
});
