import { digestKey, sealPeriods } from '../../../lambdas/integrity/digest';
import { verifyStore } from '../../../lambdas/integrity/verify';
import { forgeSealedObject } from '../../helpers/digest-forgery';
import { MemoryVersionedStore } from '../../helpers/versioned-store';
import { ACCOUNT_A, putEvidence, type TempStore, tempStore } from './fixtures';

const NOW = new Date('2026-11-27T12:00:00Z');

describe('verify on a versioned store', () => {
  let t: TempStore;
  let store: MemoryVersionedStore;
  let keys: { a25: string; a26: string };

  beforeEach(async () => {
    // The temporary directory only holds the signing keys; evidence lives in the versioned store.
    t = await tempStore();
    store = new MemoryVersionedStore();
    keys = {
      a25: await putEvidence(store, ACCOUNT_A, '2026-11-25T06:00:00.000Z'),
      a26: await putEvidence(store, ACCOUNT_A, '2026-11-26T06:00:00.000Z'),
    };
  });
  afterEach(() => t.cleanup());

  const writeVersion = async (key: string, bytes: Uint8Array) => store.writeVersion(key, bytes).versionId;

  it('verifies a chain sealed once without problems', async () => {
    // Prepare
    const signer = await t.signer();
    await sealPeriods(store, signer, { now: NOW });

    // Act
    const result = await verifyStore(store, { now: NOW });

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.summary).toMatchObject({ digests: 2, objectsChecked: 2 });
  });

  it('reports evidence replaced together with every later digest re-signed by a key added to the store', async () => {
    // Prepare
    const signer = await t.signer();
    await sealPeriods(store, signer, { now: NOW });
    const forger = await t.signer('forger');
    const { rewrittenDigests } = await forgeSealedObject(store, writeVersion, forger, {
      chain: ACCOUNT_A,
      key: keys.a25,
      body: 'forged evidence',
    });

    // Act
    const trustingStore = await verifyStore(store, { now: NOW });
    const trustingSigner = await verifyStore(store, { now: NOW, publicKeys: [await signer.publicKeyPem()] });

    // Assess
    expect(rewrittenDigests).toEqual([digestKey(ACCOUNT_A, '2026-11-25'), digestKey(ACCOUNT_A, '2026-11-26')]);
    for (const result of [trustingStore, trustingSigner]) {
      expect(result.problems).toEqual([
        {
          kind: 'digest-rewritten',
          key: digestKey(ACCOUNT_A, '2026-11-25'),
          message: expect.stringContaining('written again after sealing: 2 versions; verified the first'),
        },
        {
          kind: 'digest-rewritten',
          key: digestKey(ACCOUNT_A, '2026-11-26'),
          message: expect.stringContaining('written again after sealing: 2 versions'),
        },
        { kind: 'object-changed', key: keys.a25, message: expect.stringContaining('written again after sealing: 2 versions') },
      ]);
    }
  });

  it('reports an object with more than one version even when the digest names its current version', async () => {
    // Prepare: written twice before sealing, so the digest seals the second version
    const second = store.writeVersion(keys.a26, 'second write');
    await sealPeriods(store, await t.signer(), { now: NOW });

    // Act
    const result = await verifyStore(store, { now: NOW });

    // Assess
    expect(result.problems).toEqual([
      {
        kind: 'object-changed',
        key: keys.a26,
        message: expect.stringContaining(
          `written again after sealing: 2 versions, sealed version ${second.versionId} still current`,
        ),
      },
    ]);
  });
});
