import { userInfo } from 'node:os';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { sha256Hex } from '../../../lambdas/evidence/hash';
import { ObjectExistsError } from '../../../lambdas/evidence/store';
import {
  AttestInputError,
  attest,
  listManualEvidence,
  resolveUploader,
  sanitiseFileName,
  UnknownItemError,
} from '../../../lambdas/integrity/attest';
import { digestKey, sealPeriods } from '../../../lambdas/integrity/digest';
import { MANUAL_CHAIN } from '../../../lambdas/integrity/periods';
import { verifyStore } from '../../../lambdas/integrity/verify';
import { type TempStore, tempStore } from './fixtures';

const KNOWN = ['SEC-DP-1', 'SEC-DP-2', 'SEC-AC-1', 'AVL-BC-1', 'PRV-NT-3'];
const NOW = new Date('2026-11-25T10:15:30.250Z');

describe('manual evidence', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await tempStore();
  });
  afterEach(() => t.cleanup());

  it('stores the file and its metadata write-once and lists them for the evaluator', async () => {
    // Prepare
    const bytes = new TextEncoder().encode('Access review Q4 signed by CISO');

    // Act
    const stored = await attest(t.store, {
      itemId: 'sec-ac-1',
      fileName: '/home/me/Q4 access review (final).pdf',
      bytes,
      uploadedBy: 'arn:aws:iam::123456789012:user/alice',
      expiresInDays: 90,
      now: NOW,
      knownItemIds: KNOWN,
    });
    const listed = await listManualEvidence(t.store);

    // Assess
    expect(stored.key).toBe('manual/SEC-AC-1/2026-11-25/101530250Z-Q4_access_review_final_.pdf');
    expect(stored.metadataKey).toBe(`${stored.key}.meta.json`);
    expect(await t.store.get(stored.key)).toEqual(bytes);
    expect(listed).toEqual([
      {
        itemId: 'SEC-AC-1',
        key: stored.key,
        sha256: sha256Hex(bytes),
        size: bytes.byteLength,
        uploadedAt: '2026-11-25T10:15:30.250Z',
        uploadedBy: 'arn:aws:iam::123456789012:user/alice',
        expiresAt: '2027-02-23T10:15:30.250Z',
        fileName: '/home/me/Q4 access review (final).pdf',
      },
    ]);
    await expect(
      attest(t.store, {
        itemId: 'SEC-AC-1',
        fileName: 'Q4 access review (final).pdf',
        bytes,
        uploadedBy: 'x',
        now: NOW,
        knownItemIds: KNOWN,
      }),
    ).rejects.toBeInstanceOf(ObjectExistsError);
  });

  it('refuses an unknown item id, naming the closest known ids', async () => {
    // Act
    const attempt = attest(t.store, {
      itemId: 'SEC-DP-9',
      fileName: 'policy.pdf',
      bytes: new Uint8Array([1]),
      uploadedBy: 'local:me',
      now: NOW,
      knownItemIds: KNOWN,
    });

    // Assess
    await expect(attempt).rejects.toThrow(new UnknownItemError('SEC-DP-9', ['SEC-DP-1', 'SEC-DP-2', 'SEC-AC-1']));
    await expect(attempt).rejects.toThrow('unknown checklist item "SEC-DP-9"; closest: SEC-DP-1, SEC-DP-2, SEC-AC-1');
    expect(await listManualEvidence(t.store)).toEqual([]);
  });

  it('refuses an empty file and a non-positive expiry', async () => {
    // Prepare
    const base = { itemId: 'SEC-DP-1', fileName: 'a.pdf', uploadedBy: 'local:me', now: NOW, knownItemIds: KNOWN };

    // Act / Assess
    await expect(attest(t.store, { ...base, bytes: new Uint8Array() })).rejects.toThrow(
      new AttestInputError('a.pdf is empty: nothing to attest'),
    );
    await expect(attest(t.store, { ...base, bytes: new Uint8Array([1]), expiresInDays: 0 })).rejects.toBeInstanceOf(
      AttestInputError,
    );
  });

  it('is sealed in the manual chain and verified like evidence', async () => {
    // Prepare
    const stored = await attest(t.store, {
      itemId: 'PRV-NT-3',
      fileName: 'privacy-notice.md',
      bytes: new TextEncoder().encode('# Notice'),
      uploadedBy: 'local:me',
      now: NOW,
      knownItemIds: KNOWN,
    });
    const signer = await t.signer();
    const later = new Date('2026-11-26T06:00:00Z');
    const sealed = await sealPeriods(t.store, signer, { now: later });
    await t.overwrite(stored.key, '# Changed notice');

    // Act
    const result = await verifyStore(t.store, { now: later, publicKeys: [await signer.publicKeyPem()] });

    // Assess
    expect(sealed).toEqual([
      expect.objectContaining({ chain: MANUAL_CHAIN, key: digestKey(MANUAL_CHAIN, '2026-11-25'), objects: 2 }),
    ]);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'object-changed', key: stored.key })]);
  });

  it('ignores an uploaded file whose own name ends in .meta.json', async () => {
    // Prepare
    await attest(t.store, {
      itemId: 'SEC-DP-1',
      fileName: 'x.meta.json',
      bytes: new TextEncoder().encode('{"schema":"soc2-ml-manual/v1"}'),
      uploadedBy: 'local:me',
      now: NOW,
      knownItemIds: KNOWN,
    });

    // Act
    const listed = await listManualEvidence(t.store);

    // Assess
    expect(listed.map((e) => e.fileName)).toEqual(['x.meta.json']);
  });

  it('sanitises file names to one safe path segment', () => {
    expect(sanitiseFileName('..\\..\\evil/../../passwd')).toBe('passwd');
    expect(sanitiseFileName('.hidden')).toBe('hidden');
    expect(sanitiseFileName('résumé 2026.pdf')).toBe('resume_2026.pdf');
    expect(sanitiseFileName('///')).toBe('file');
  });

  it('keeps the note and who attested, and accepts an expiry date', async () => {
    // Act
    const stored = await attest(t.store, {
      itemId: 'SEC-DP-1',
      fileName: 'policy.pdf',
      bytes: new TextEncoder().encode('policy'),
      uploadedBy: 'arn:aws:iam::123456789012:role/ci',
      attestedBy: ' Dana (CISO) ',
      note: ' Approved at the November board ',
      expiresAt: new Date('2027-01-31T00:00:00.000Z'),
      now: NOW,
      knownItemIds: KNOWN,
    });
    const [listed] = await listManualEvidence(t.store);
    // Assess
    expect(listed).toMatchObject({
      uploadedBy: 'arn:aws:iam::123456789012:role/ci',
      attestedBy: 'Dana (CISO)',
      note: 'Approved at the November board',
      expiresAt: '2027-01-31T00:00:00.000Z',
    });
    expect(stored.attestedBy).toBe('Dana (CISO)');
  });

  it('refuses an expiry in the past, both kinds of expiry at once and an overlong note', async () => {
    // Prepare
    const base = {
      itemId: 'SEC-DP-1',
      fileName: 'f',
      bytes: new Uint8Array([1]),
      uploadedBy: 'u',
      now: NOW,
      knownItemIds: KNOWN,
    };
    // Act / Assess
    await expect(attest(t.store, { ...base, expiresAt: new Date('2026-01-01T00:00:00Z') })).rejects.toThrow(AttestInputError);
    await expect(attest(t.store, { ...base, expiresAt: new Date('2027-01-01T00:00:00Z'), expiresInDays: 3 })).rejects.toThrow(
      'not both',
    );
    await expect(attest(t.store, { ...base, note: 'x'.repeat(501) })).rejects.toThrow('at most 500');
  });

  it('succeeds again on a replay of the same attestation and refuses different bytes under the same key', async () => {
    // Prepare
    const input = {
      itemId: 'SEC-DP-1',
      fileName: 'review.pdf',
      bytes: new TextEncoder().encode('review'),
      uploadedBy: 'u',
      receivedFrom: { key: 'inbox/SEC-DP-1/review.pdf', versionId: 'v1' },
      now: NOW,
      knownItemIds: KNOWN,
    };
    const first = await attest(t.store, input);
    // Act
    const replay = await attest(t.store, input);
    // Assess
    expect(replay).toEqual(first);
    expect(await listManualEvidence(t.store)).toHaveLength(1);
    await expect(attest(t.store, { ...input, bytes: new TextEncoder().encode('other') })).rejects.toThrow(ObjectExistsError);
  });
});

describe('resolveUploader', () => {
  it('names the STS caller when a client is given', async () => {
    // Prepare
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/Auditor/alice' });

    // Act / Assess
    expect(await resolveUploader({ sts: new STSClient({}) })).toBe('arn:aws:sts::123456789012:assumed-role/Auditor/alice');
    sts.restore();
  });

  it('names the local user otherwise', async () => {
    expect(await resolveUploader()).toBe(`local:${userInfo().username}`);
  });
});
