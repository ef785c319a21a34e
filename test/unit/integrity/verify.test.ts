import { sha256Hex } from '../../../lambdas/evidence/hash';
import { decodeDigest, digestKey, encodeDigest, sealPeriods, signedMessage } from '../../../lambdas/integrity/digest';
import { publicKeyFingerprint } from '../../../lambdas/integrity/signer';
import { verifyStore } from '../../../lambdas/integrity/verify';
import { ACCOUNT_A, ACCOUNT_B, putEvidence, type TempStore, tempStore } from './fixtures';

const NOW = new Date('2026-11-27T12:00:00Z');

describe('digest chain: seal and verify offline', () => {
  let t: TempStore;
  let keys: Record<string, string>;

  beforeEach(async () => {
    t = await tempStore();
    keys = {
      a25: await putEvidence(t.store, ACCOUNT_A, '2026-11-25T06:00:00.000Z'),
      a25b: await putEvidence(t.store, ACCOUNT_A, '2026-11-25T18:30:00.123Z'),
      a26: await putEvidence(t.store, ACCOUNT_A, '2026-11-26T06:00:00.000Z'),
      b26: await putEvidence(t.store, ACCOUNT_B, '2026-11-26T07:00:00.000Z'),
      // Today's evidence: the period is not complete, so it is neither sealed nor flagged.
      a27: await putEvidence(t.store, ACCOUNT_A, '2026-11-27T06:00:00.000Z'),
    };
  });
  afterEach(() => t.cleanup());

  async function sealAll() {
    const signer = await t.signer();
    const sealed = await sealPeriods(t.store, signer, { now: NOW });
    return { signer, sealed, pem: await signer.publicKeyPem() };
  }

  it('seals every complete period per account in order, idempotently, and verifies clean', async () => {
    // Prepare
    const { signer, sealed, pem } = await sealAll();

    // Act
    const again = await sealPeriods(t.store, signer, { now: NOW });
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(sealed.map((d) => [d.chain, d.period.id, d.objects])).toEqual([
      [ACCOUNT_A, '2026-11-25', 2],
      [ACCOUNT_A, '2026-11-26', 1],
      [ACCOUNT_B, '2026-11-26', 1],
    ]);
    expect(again).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.summary).toMatchObject({ digests: 3, objectsChecked: 4, trustedKeys: [{ source: 'caller' }] });
    expect(result.summary.heads.map((h) => h.key)).toEqual([
      digestKey(ACCOUNT_A, '2026-11-26'),
      digestKey(ACCOUNT_B, '2026-11-26'),
    ]);
    const first = decodeDigest((await t.store.get(digestKey(ACCOUNT_A, '2026-11-25')))!).payload;
    expect(first.previous).toBeNull();
    expect(first.objects.map((o) => o.key)).toEqual([keys.a25, keys.a25b]);
    const second = decodeDigest((await t.store.get(digestKey(ACCOUNT_A, '2026-11-26')))!).payload;
    expect(second.previous).toEqual({ key: digestKey(ACCOUNT_A, '2026-11-25'), sha256: sealed[0]!.sha256 });
  });

  it('continues the chain with the next day, including empty periods', async () => {
    // Prepare
    const { signer, pem } = await sealAll();
    const later = new Date('2026-11-29T12:00:00Z');

    // Act
    const sealed = await sealPeriods(t.store, signer, { now: later });
    const result = await verifyStore(t.store, { now: later, publicKeys: [pem] });

    // Assess
    expect(sealed.map((d) => `${d.chain}/${d.period.id}:${d.objects}`)).toEqual([
      `${ACCOUNT_A}/2026-11-27:1`,
      `${ACCOUNT_A}/2026-11-28:0`,
      `${ACCOUNT_B}/2026-11-27:0`,
      `${ACCOUNT_B}/2026-11-28:0`,
    ]);
    expect(result.problems).toEqual([]);
  });

  it('reports one changed byte in an evidence object', async () => {
    // Prepare
    const { pem } = await sealAll();
    const original = (await t.store.get(keys.a26!))!;
    const tampered = Uint8Array.from(original);
    tampered[0] ^= 1;
    await t.overwrite(keys.a26!, tampered);

    // Act
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'object-changed',
        key: keys.a26,
        message: expect.stringMatching(
          new RegExp(
            `^${keys.a26}: sha256 [0-9a-f]{64} \\(${original.length} bytes\\) differs from .* in ${digestKey(ACCOUNT_A, '2026-11-26')}$`,
          ),
        ),
      },
    ]);
  });

  it('re-hashes only recent periods when given a window, but still sees older objects deleted', async () => {
    // Prepare
    const { pem } = await sealAll();
    const original = (await t.store.get(keys.a25!))!;
    const tampered = Uint8Array.from(original);
    tampered[0] ^= 1;
    await t.overwrite(keys.a25!, tampered);
    await t.remove(keys.a25b!);

    // Act: the 2026-11-25 period ends before the window; 2026-11-26 is inside it.
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem], rehashFrom: new Date('2026-11-26T12:00:00Z') });

    // Assess
    expect(result.summary).toMatchObject({ objectsChecked: 2, objectsPresenceOnly: 1 });
    expect(result.problems.map((p) => [p.kind, p.key])).toEqual([['object-missing', keys.a25b]]);
  });

  it('reports a deleted object', async () => {
    // Prepare
    const { pem } = await sealAll();
    await t.remove(keys.a25b!);

    // Act
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'object-missing',
        key: keys.a25b,
        message: `${keys.a25b}: listed in ${digestKey(ACCOUNT_A, '2026-11-25')} but not in the store`,
      },
    ]);
  });

  it('reports an object added to a sealed period', async () => {
    // Prepare
    const { pem } = await sealAll();
    const added = await putEvidence(t.store, ACCOUNT_A, '2026-11-25T09:00:00.000Z', 'forged');

    // Act
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'object-unlisted',
        key: added,
        message: `${added}: not in ${digestKey(ACCOUNT_A, '2026-11-25')}, the digest of its period 2026-11-25: added after sealing`,
      },
    ]);
  });

  it('reports evidence older than the grace period that was never sealed', async () => {
    // Prepare
    const { pem } = await sealAll();

    // Act: two days later, nobody sealed 2026-11-27
    const result = await verifyStore(t.store, { now: new Date('2026-11-29T00:00:00Z'), publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'object-unlisted',
        key: keys.a27,
        message: `${keys.a27}: period 2026-11-27 ended more than the grace period ago and has no digest`,
      },
    ]);
  });

  it('reports a removed digest as a broken chain and its objects as unsealed', async () => {
    // Prepare
    const { pem } = await sealAll();
    const removed = digestKey(ACCOUNT_A, '2026-11-25');
    await t.remove(removed);

    // Act
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    const next = digestKey(ACCOUNT_A, '2026-11-26');
    expect(result.problems).toEqual(
      [
        { kind: 'chain-broken', key: next, message: `${next}: previous digest ${removed} is missing (chain starts at ${next})` },
        ...[keys.a25!, keys.a25b!].map((key) => ({
          kind: 'object-unlisted',
          key,
          message: `${key}: period 2026-11-25 ended more than the grace period ago and has no digest`,
        })),
      ].sort((a, b) => (a.key < b.key ? -1 : 1)),
    );
  });

  it('reports a digest re-signed with another key as signed by an unknown key', async () => {
    // Prepare: drop an object from the digest and re-sign it with a key of the attacker's, whose public key is added to the store
    const { pem } = await sealAll();
    const key = digestKey(ACCOUNT_A, '2026-11-25');
    const attacker = await t.signer('attacker');
    const { payload } = decodeDigest((await t.store.get(key))!);
    const signing = {
      ...payload.signing,
      keyId: attacker.keyId,
      publicKeySha256: publicKeyFingerprint(await attacker.publicKeyPem()),
    };
    const forged = await resign({ ...payload, objects: payload.objects.slice(0, 1), signing }, attacker);
    await t.overwrite(key, forged);
    await sealPeriods(t.store, attacker, { now: NOW }); // stores the attacker's public key; nothing left to seal

    // Act
    const trustingCaller = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });
    const trustingStore = await verifyStore(t.store, { now: NOW });

    // Assess
    expect(trustingCaller.problems.filter((p) => p.kind === 'unknown-key')).toEqual([
      { kind: 'unknown-key', key, message: expect.stringContaining(`${key}: signed by unknown key ${attacker.keyId}`) },
    ]);
    // Even trusting the keys in the store, the next digest's link to the rewritten one breaks.
    const next = digestKey(ACCOUNT_A, '2026-11-26');
    expect(trustingStore.problems).toEqual([
      { kind: 'chain-broken', key: next, message: expect.stringMatching(new RegExp(`^${next}: previous digest ${key} changed`)) },
      { kind: 'object-unlisted', key: keys.a25b, message: expect.stringContaining('added after sealing') },
    ]);
    expect(trustingStore.summary.trustedKeys.map((k) => k.source)).toEqual(['store', 'store']);
  });

  it('reports a digest altered under the original key name as an invalid signature', async () => {
    // Prepare
    const { pem } = await sealAll();
    const key = digestKey(ACCOUNT_B, '2026-11-26');
    const attacker = await t.signer('attacker');
    const { payload } = decodeDigest((await t.store.get(key))!);
    await t.overwrite(key, await resign({ ...payload, createdAt: '2026-11-28T00:00:00.000Z' }, attacker));

    // Act
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'signature-invalid',
        key,
        message: `${key}: signature does not verify with key ${payload.signing.keyId}: the digest was altered`,
      },
    ]);
  });

  it('reports digests swapped out of order', async () => {
    // Prepare
    const { pem } = await sealAll();
    const day25 = digestKey(ACCOUNT_A, '2026-11-25');
    const day26 = digestKey(ACCOUNT_A, '2026-11-26');
    const bytes25 = (await t.store.get(day25))!;
    const bytes26 = (await t.store.get(day26))!;
    await t.overwrite(day25, bytes26);
    await t.overwrite(day26, bytes25);

    // Act
    const result = await verifyStore(t.store, { now: NOW, publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'chain-broken',
        key: day25,
        message: `${day25}: holds the digest of chain ${ACCOUNT_A} period 2026-11-26: digests moved or out of order`,
      },
      {
        kind: 'chain-broken',
        key: day26,
        message: `${day26}: holds the digest of chain ${ACCOUNT_A} period 2026-11-25: digests moved or out of order`,
      },
    ]);
  });

  it('reports a digest that names the wrong previous digest as out of order', async () => {
    // Prepare: three days; the third is re-linked to the first (re-signed by the legitimate key, e.g. a buggy sealer)
    const { signer, pem } = await sealAll();
    await sealPeriods(t.store, signer, { now: new Date('2026-11-28T12:00:00Z') });
    const day25 = digestKey(ACCOUNT_A, '2026-11-25');
    const day27 = digestKey(ACCOUNT_A, '2026-11-27');
    const { payload } = decodeDigest((await t.store.get(day27))!);
    const sha25 = sha256Hex((await t.store.get(day25))!);
    await t.overwrite(day27, await resign({ ...payload, previous: { key: day25, sha256: sha25 } }, signer));

    // Act
    const result = await verifyStore(t.store, { now: new Date('2026-11-28T12:00:00Z'), publicKeys: [pem] });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'chain-broken',
        key: day27,
        message: `${day27}: names previous digest ${day25}, expected ${digestKey(ACCOUNT_A, '2026-11-26')}: out of order`,
      },
    ]);
  });

  it('seals hourly periods when configured', async () => {
    // Prepare
    const signer = await t.signer();

    // Act
    const sealed = await sealPeriods(t.store, signer, {
      now: new Date('2026-11-25T20:30:00Z'),
      period: 'hourly',
      gracePeriodMinutes: 15,
      accounts: [ACCOUNT_A],
    });
    const result = await verifyStore(t.store, {
      now: new Date('2026-11-25T20:30:00Z'),
      period: 'hourly',
      gracePeriodMinutes: 15,
    });

    // Assess
    expect(sealed[0]).toMatchObject({ chain: ACCOUNT_A, period: { id: '2026-11-25T06' }, objects: 1 });
    expect(sealed.at(-1)).toMatchObject({ period: { id: '2026-11-25T19' } });
    expect(sealed.find((d) => d.period.id === '2026-11-25T18')?.objects).toBe(1);
    expect(result.problems).toEqual([]);
  });
});

async function resign(
  payload: ReturnType<typeof decodeDigest>['payload'],
  signer: Awaited<ReturnType<TempStore['signer']>>,
): Promise<Uint8Array> {
  return encodeDigest(payload, await signer.sign(signedMessage(payload)));
}
