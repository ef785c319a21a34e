/**
 * The seal of single evidence objects, checked where they are used: the evaluation reads the
 * latest records of each partition and must not decide a finding from one that no longer
 * matches its digest. Only the digests of the periods those records fall in are read (a few
 * per chain), so this stays cheap enough for every evaluation; `verify` checks everything.
 */
import { sha256Hex } from '../evidence/hash';
import type { EvidenceStore } from '../evidence/store';
import { type DigestEntry, decodeDigest, digestKey, signedMessage } from './digest';
import { type DigestPeriodKind, periodContaining, placeKey } from './periods';
import { verifyDigestSignature } from './signer';
import { changedObjectMessage, loadTrustedKeys, type PublicKey } from './verify';

/** What a digest seals, or why it cannot be trusted. */
type SealedPeriod = { key: string; entries: Map<string, DigestEntry> } | { key: string; untrusted: string };

const PERIOD_KINDS: readonly DigestPeriodKind[] = ['daily', 'hourly'];

export interface SealCheckOptions {
  /** Public keys (PEM) trusted to sign digests; default the keys stored beside the digests. */
  publicKeys?: readonly string[];
}

/**
 * Returns a function that names what is wrong with an object's bytes against the digest of its
 * period (changed, added after sealing, or sealed by a digest that does not verify), or
 * undefined when the object is sealed intact or its period is not sealed yet.
 */
export function sealChecker(
  store: EvidenceStore,
  options: SealCheckOptions = {},
): (key: string, bytes: Uint8Array) => Promise<string | undefined> {
  let trustedKeys: Promise<Map<string, PublicKey>> | undefined;
  const periods = new Map<string, Promise<SealedPeriod | undefined>>();

  const readPeriod = async (key: string): Promise<SealedPeriod | undefined> => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.get(key);
    } catch (err) {
      return { key, untrusted: `its digest ${key} cannot be read (${(err as Error).message})` };
    }
    if (!bytes) return undefined;
    try {
      const { payload, signature } = decodeDigest(bytes);
      trustedKeys ??= loadTrustedKeys(store, options.publicKeys);
      const publicKey = (await trustedKeys).get(payload.signing.publicKeySha256);
      if (!publicKey) return { key, untrusted: `its digest ${key} is signed by unknown key ${payload.signing.keyId}` };
      if (!verifyDigestSignature(publicKey.pem, signedMessage(payload), signature))
        return { key, untrusted: `its digest ${key} does not verify: the digest was altered` };
      return { key, entries: new Map(payload.objects.map((entry) => [entry.key, entry])) };
    } catch {
      return { key, untrusted: `its digest ${key} is unreadable` };
    }
  };

  const sealOf = async (key: string): Promise<SealedPeriod | undefined> => {
    const placement = placeKey(key);
    if (!placement) return undefined;
    for (const kind of PERIOD_KINDS) {
      const location = digestKey(placement.chain, periodContaining(kind, placement.at).id);
      if (!periods.has(location)) periods.set(location, readPeriod(location));
      const sealed = await periods.get(location);
      if (sealed) return sealed;
    }
    return undefined;
  };

  return async (key, bytes) => {
    const sealed = await sealOf(key);
    if (!sealed) return undefined;
    if ('untrusted' in sealed) return `${key}: ${sealed.untrusted}`;
    const entry = sealed.entries.get(key);
    if (!entry) return `${key}: not in ${sealed.key}, the digest of its period: added after sealing`;
    const sha256 = sha256Hex(bytes);
    if (sha256 !== entry.sha256 || bytes.byteLength !== entry.size)
      return changedObjectMessage(key, sha256, bytes.byteLength, entry, sealed.key);
    return undefined;
  };
}
