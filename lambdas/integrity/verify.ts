/**
 * Offline verification of the digest chain: signatures with public keys only (no KMS call),
 * chain links, and every evidence and manual object re-hashed against its digest. Streams the
 * store: object bytes are hashed a few at a time; what stays in memory is the digest entries
 * (key, version, hash, size per object), never object bytes.
 */
import { performance } from 'node:perf_hooks';
import { sha256Hex } from '../evidence/hash';
import { type EvidenceStore, isVersionedStore, type ObjectVersion, type VersionedEvidenceStore } from '../evidence/store';
import {
  DEFAULT_GRACE_PERIOD_MINUTES,
  DIGESTS_ROOT,
  type DigestDocument,
  type DigestEntry,
  type DigestListing,
  type DigestLocation,
  decodeDigest,
  digestListing,
  HASH_CONCURRENCY,
  listDigests,
  PUBLIC_KEYS_PREFIX,
  signedMessage,
} from './digest';
import { type DigestPeriodKind, periodContaining, placeKey, SEALED_ROOTS } from './periods';
import { publicKeyFingerprint, verifyDigestSignature } from './signer';
import { forEachBounded, keyVersions, readObject, type StoredKey, storedKeys } from './store-objects';

export type IntegrityProblemKind =
  | 'digest-invalid'
  | 'digest-rewritten'
  | 'signature-invalid'
  | 'unknown-key'
  | 'chain-broken'
  | 'object-changed'
  | 'object-missing'
  | 'object-unlisted';

export interface IntegrityProblem {
  kind: IntegrityProblemKind;
  /** The object or digest the problem is about. */
  key: string;
  /** One line, naming the object. */
  message: string;
}

export interface TrustedKey {
  fingerprint: string;
  /** "caller": given by whoever runs verify; "store": read from digests/v1/public-keys/ (weaker). */
  source: 'caller' | 'store';
}

export interface ChainHeadSummary {
  chain: string;
  key: string;
  sha256: string;
  periodId: string;
}

export interface VerifySummary {
  digests: number;
  /** Objects re-hashed against their digest. */
  objectsChecked: number;
  /** Listed objects older than rehashFrom, checked for presence and version only. */
  objectsPresenceOnly: number;
  bytesChecked: number;
  durationMs: number;
  trustedKeys: TrustedKey[];
  /** Evidence and manual objects no digest covers yet, because their period is open or still within its grace time. */
  unsealed: UnsealedSummary;
  /**
   * Last digest of each chain. Removing the newest digests of a chain cannot be seen from
   * inside the store: an auditor compares these with heads recorded earlier.
   */
  heads: ChainHeadSummary[];
}

export interface UnsealedSummary {
  objects: number;
  /** Their keys, in key order. */
  keys: string[];
  /** When the earliest of their periods can be sealed (its end plus the grace period); absent when none wait. */
  nextSealDue?: string;
}

export interface VerifyResult {
  problems: IntegrityProblem[];
  summary: VerifySummary;
}

export interface VerifyOptions {
  now: Date;
  /**
   * Public keys (PEM) the caller trusts, e.g. from KMS GetPublicKey or handed over by the
   * team. Omitted: the keys stored beside the digests, which whoever can write the store could add to.
   */
  publicKeys?: readonly string[];
  /** Default DEFAULT_GRACE_PERIOD_MINUTES; use the same value as sealing. */
  gracePeriodMinutes?: number;
  /** Period kind of chains that have no digest yet (config.evidence.digestPeriod). Default daily. */
  period?: DigestPeriodKind;
  /**
   * Re-hash only objects of periods ending at or after this time; older listed objects are
   * checked for presence and version only. Every digest's signature and link is still checked.
   * The scheduled report uses a window so its work does not grow with the store's age;
   * `soc2-ml verify` re-hashes everything.
   */
  rehashFrom?: Date;
}

interface SealedChain {
  kind: DigestPeriodKind;
  /** Digest key per sealed period id. */
  digests: Map<string, string>;
}

interface ExpectedObject extends DigestEntry {
  digestKey: string;
  /** End of the digest's period (ISO). */
  periodEnd: string;
}

export async function verifyStore(store: EvidenceStore, options: VerifyOptions): Promise<VerifyResult> {
  const started = performance.now();
  const problems: IntegrityProblem[] = [];
  const report = (kind: IntegrityProblemKind, key: string, message: string) => problems.push({ kind, key, message });

  const trustedKeys = await loadTrustedKeys(store, options.publicKeys);
  const { listing, firstVersions } = await readDigestListing(store, report);
  for (const key of listing.unexpected)
    report('digest-invalid', key, `${key}: not a digest key (digests/v1/account=A/<period>.json)`);

  const expected = new Map<string, ExpectedObject>();
  const sealed = new Map<string, SealedChain>();
  const heads: ChainHeadSummary[] = [];
  let digestCount = 0;
  for (const [chain, digests] of [...listing.chains].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sealedPeriods = new Map<string, string>();
    sealed.set(chain, { kind: digests[0]!.period.kind, digests: sealedPeriods });
    const chainKeys = new Set(digests.map((d) => d.key));
    let previous: { location: DigestLocation; sha256: string } | undefined;
    for (const location of digests) {
      const firstVersion = firstVersions?.get(location.key);
      const bytes = firstVersion
        ? await (store as VersionedEvidenceStore).getVersion(location.key, firstVersion)
        : await store.get(location.key);
      if (!bytes) {
        report('chain-broken', location.key, `${location.key}: digest disappeared during verification`);
        continue;
      }
      digestCount += 1;
      const sha256 = sha256Hex(bytes);
      sealedPeriods.set(location.period.id, location.key);
      const document = decodeOrReport(location.key, bytes, report);
      if (document) {
        checkSignature(location.key, document, trustedKeys, report);
        checkLinks(location, document, previous, chainKeys, report);
        for (const entry of document.payload.objects) {
          expected.set(entry.key, { ...entry, digestKey: location.key, periodEnd: location.period.end });
        }
      }
      previous = { location, sha256 };
    }
    if (previous)
      heads.push({ chain, key: previous.location.key, sha256: previous.sha256, periodId: previous.location.period.id });
  }

  const graceMs = (options.gracePeriodMinutes ?? DEFAULT_GRACE_PERIOD_MINUTES) * 60_000;
  const cutoff = options.now.getTime() - graceMs;
  const unsealed: string[] = [];
  let firstUnsealedEnd = Number.POSITIVE_INFINITY;
  let objectsChecked = 0;
  let objectsPresenceOnly = 0;
  let bytesChecked = 0;
  const rehashFrom = options.rehashFrom?.getTime() ?? Number.NEGATIVE_INFINITY;
  const checkObject = async (stored: StoredKey) => {
    const entry = expected.get(stored.key);
    if (!entry) {
      const waitingUntil = checkUnlisted(stored, sealed, options.period ?? 'daily', cutoff, report);
      if (waitingUntil !== undefined) {
        unsealed.push(stored.key);
        firstUnsealedEnd = Math.min(firstUnsealedEnd, waitingUntil);
      }
      return;
    }
    expected.delete(stored.key);
    const rehash = Date.parse(entry.periodEnd) >= rehashFrom;
    if (!rehash) objectsPresenceOnly += 1;
    const checkedBytes = await checkListedObject(store, stored, entry, report, rehash);
    if (!rehash) return;
    objectsChecked += 1;
    bytesChecked += checkedBytes;
  };
  for (const root of SEALED_ROOTS) await forEachBounded(storedKeys(store, root), HASH_CONCURRENCY, checkObject);
  for (const entry of expected.values()) {
    report('object-missing', entry.key, `${entry.key}: listed in ${entry.digestKey} but not in the store`);
  }

  problems.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
  return {
    problems,
    summary: {
      digests: digestCount,
      objectsChecked,
      objectsPresenceOnly,
      bytesChecked,
      durationMs: Math.round(performance.now() - started),
      trustedKeys: [...trustedKeys.entries()].map(([fingerprint, key]) => ({ fingerprint, source: key.source })),
      unsealed: {
        objects: unsealed.length,
        keys: unsealed.sort(),
        ...(unsealed.length > 0 ? { nextSealDue: new Date(firstUnsealedEnd + graceMs).toISOString() } : {}),
      },
      heads,
    },
  };
}

type Report = (kind: IntegrityProblemKind, key: string, message: string) => void;

/**
 * The digest keys to verify and, in a versioned store, the version of each to read: the first
 * one written. Digests and public keys are written once, so any later version (or delete
 * marker) is tampering, whoever signed it: a forger with s3:PutObject could otherwise replace
 * an evidence object together with every digest from its period on.
 */
async function readDigestListing(
  store: EvidenceStore,
  report: Report,
): Promise<{ listing: DigestListing; firstVersions?: Map<string, string> }> {
  if (!isVersionedStore(store)) return { listing: await listDigests(store) };
  const firstVersions = new Map<string, string>();
  for await (const versions of keyVersions(store, DIGESTS_ROOT)) {
    const key = versions[0]!.key;
    const first = versions.find((v) => !v.isDeleteMarker);
    if (versions.length > 1)
      report('digest-rewritten', key, `${key}: written again after sealing: ${describeWrites(versions, first)}`);
    if (first) firstVersions.set(key, first.versionId);
  }
  return { listing: digestListing(firstVersions.keys()), firstVersions };
}

function describeWrites(versions: readonly ObjectVersion[], first: ObjectVersion | undefined): string {
  const markers = versions.filter((v) => v.isDeleteMarker).length;
  const counted = `${versions.length} versions${markers > 0 ? ` (${markers} delete markers)` : ''}`;
  return first ? `${counted}; verified the first, version ${first.versionId}` : counted;
}

export interface PublicKey {
  pem: string;
  source: TrustedKey['source'];
}

/** The caller's keys when given, else the well-named keys stored beside the digests. */
export async function loadTrustedKeys(
  store: EvidenceStore,
  callerKeys: readonly string[] | undefined,
): Promise<Map<string, PublicKey>> {
  const keys = new Map<string, PublicKey>();
  if (callerKeys) {
    for (const pem of callerKeys) keys.set(publicKeyFingerprint(pem), { pem, source: 'caller' });
    return keys;
  }
  for await (const object of store.list(PUBLIC_KEYS_PREFIX)) {
    const bytes = await store.get(object.key);
    if (!bytes) continue;
    const pem = Buffer.from(bytes).toString('utf8');
    try {
      // Named by fingerprint: a file whose name does not match its key is not trusted.
      const fingerprint = publicKeyFingerprint(pem);
      if (object.key === `${PUBLIC_KEYS_PREFIX}${fingerprint}.pem`) keys.set(fingerprint, { pem, source: 'store' });
    } catch {
      // An unparseable key file trusts nothing; digests signed with it report an unknown key.
    }
  }
  return keys;
}

function decodeOrReport(key: string, bytes: Uint8Array, report: Report): DigestDocument | undefined {
  try {
    return decodeDigest(bytes);
  } catch (err) {
    const reason = err instanceof SyntaxError ? 'not JSON' : 'does not match soc2-ml-digest/v1';
    report('digest-invalid', key, `${key}: unreadable digest (${reason})`);
    return undefined;
  }
}

function checkSignature(key: string, document: DigestDocument, trustedKeys: Map<string, PublicKey>, report: Report): void {
  const { keyId, publicKeySha256 } = document.payload.signing;
  const publicKey = trustedKeys.get(publicKeySha256);
  if (!publicKey) {
    report('unknown-key', key, `${key}: signed by unknown key ${keyId} (public key sha256 ${publicKeySha256})`);
  } else if (!verifyDigestSignature(publicKey.pem, signedMessage(document.payload), document.signature)) {
    report('signature-invalid', key, `${key}: signature does not verify with key ${keyId}: the digest was altered`);
  }
}

function checkLinks(
  location: DigestLocation,
  { payload }: DigestDocument,
  previous: { location: DigestLocation; sha256: string } | undefined,
  chainKeys: ReadonlySet<string>,
  report: Report,
): void {
  const key = location.key;
  if (payload.chain !== location.chain || payload.period.id !== location.period.id) {
    report(
      'chain-broken',
      key,
      `${key}: holds the digest of chain ${payload.chain} period ${payload.period.id}: digests moved or out of order`,
    );
    return;
  }
  if (!previous) {
    if (payload.previous) {
      report('chain-broken', key, `${key}: previous digest ${payload.previous.key} is missing (chain starts at ${key})`);
    }
    return;
  }
  const expectedKey = previous.location.key;
  if (!payload.previous) {
    report('chain-broken', key, `${key}: starts a new chain although ${expectedKey} precedes it`);
  } else if (payload.previous.key !== expectedKey) {
    const named = payload.previous.key;
    const reason = chainKeys.has(named) ? 'out of order' : `digest ${named} is missing`;
    report('chain-broken', key, `${key}: names previous digest ${named}, expected ${expectedKey}: ${reason}`);
  } else if (payload.previous.sha256 !== previous.sha256) {
    report(
      'chain-broken',
      key,
      `${key}: previous digest ${expectedKey} changed (sha256 ${previous.sha256}, recorded ${payload.previous.sha256})`,
    );
  } else if (payload.period.start !== previous.location.period.end) {
    report(
      'chain-broken',
      key,
      `${key}: gap after ${expectedKey}: periods ${previous.location.period.end} to ${payload.period.start} have no digest`,
    );
  }
}

async function checkListedObject(
  store: EvidenceStore,
  stored: StoredKey,
  entry: ExpectedObject,
  report: Report,
  rehash: boolean,
): Promise<number> {
  const key = entry.key;
  if (entry.versionId !== undefined && !stored.versionIds.has(entry.versionId)) {
    report('object-missing', key, `${key}: version ${entry.versionId} listed in ${entry.digestKey} is gone`);
    return 0;
  }
  if (entry.versionId !== undefined && stored.current?.versionId !== entry.versionId) {
    const now = stored.current ? `version ${stored.current.versionId}` : 'a delete marker';
    report(
      'object-changed',
      key,
      `${key}: written again after sealing: ${stored.writes} versions: ${now} replaced version ${entry.versionId} (${entry.digestKey})`,
    );
  } else if (stored.writes > 1) {
    report(
      'object-changed',
      key,
      `${key}: written again after sealing: ${stored.writes} versions, sealed version ${entry.versionId ?? 'null'} still current (${entry.digestKey})`,
    );
  }
  if (!rehash) return 0;
  const bytes = await readObject(store, key, entry.versionId);
  if (!bytes) {
    report('object-missing', key, `${key}: listed in ${entry.digestKey} but cannot be read`);
    return 0;
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== entry.sha256 || bytes.byteLength !== entry.size) {
    report('object-changed', key, changedObjectMessage(key, sha256, bytes.byteLength, entry, entry.digestKey));
  }
  return bytes.byteLength;
}

/** One line for an object whose bytes no longer match what its digest sealed. */
export function changedObjectMessage(key: string, sha256: string, size: number, sealed: DigestEntry, digest: string): string {
  return `${key}: sha256 ${sha256} (${size} bytes) differs from ${sealed.sha256} (${sealed.size} bytes) in ${digest}`;
}

/** Reports an object no digest lists; returns the end of its period (ms) when it is only waiting for its seal. */
function checkUnlisted(
  stored: StoredKey,
  sealed: Map<string, SealedChain>,
  defaultKind: DigestPeriodKind,
  cutoff: number,
  report: Report,
): number | undefined {
  if (!stored.current) return undefined;
  const key = stored.key;
  const placement = placeKey(key);
  if (!placement) {
    report('object-unlisted', key, `${key}: key does not follow the evidence layout, so no digest can cover it`);
    return undefined;
  }
  const chain = sealed.get(placement.chain);
  const period = periodContaining(chain?.kind ?? defaultKind, placement.at);
  const digestKey = chain?.digests.get(period.id);
  const end = Date.parse(period.end);
  if (digestKey) {
    report('object-unlisted', key, `${key}: not in ${digestKey}, the digest of its period ${period.id}: added after sealing`);
  } else if (end <= cutoff) {
    report('object-unlisted', key, `${key}: period ${period.id} ended more than the grace period ago and has no digest`);
  } else return end;
  return undefined;
}

/**
 * The closing line of `verify` and `report`: what was checked, and what no digest covers yet.
 * A store with no digest never reads as a clean OK, whatever else it holds.
 */
export function coverageLine({ problems, summary }: VerifyResult): string {
  const verdict = problems.length > 0 ? `${problems.length} problem(s)` : summary.digests === 0 ? 'NOTHING SEALED YET' : 'OK';
  const presence = summary.objectsPresenceOnly > 0 ? ` (${summary.objectsPresenceOnly} more checked for presence only)` : '';
  const checked =
    `${summary.digests} digests, ${summary.objectsChecked} objects, ${summary.bytesChecked} bytes checked` +
    `${presence} in ${(summary.durationMs / 1000).toFixed(1)} s`;
  const { unsealed } = summary;
  const waiting =
    unsealed.objects > 0
      ? `${unsealed.objects} evidence objects not yet covered by any digest (period still open), next seal due ${unsealed.nextSealDue}`
      : 'no evidence object is waiting for a seal';
  return `${verdict}: ${checked}; ${waiting}`;
}
