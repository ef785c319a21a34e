/**
 * The seal of single evidence objects, checked where they are used: the evaluation reads the
 * latest records of each partition and must not decide a finding from one that no longer
 * matches its digest. Per chain, one listing tells whether anything is sealed and with which
 * period kind; then only the digests of the periods those records fall in are read, so this
 * stays cheap enough for every evaluation. `verify` checks everything.
 */
import { sha256Hex } from '../evidence/hash';
import type { EvidenceStore } from '../evidence/store';
import { chainPrefix, type DigestEntry, decodeDigest, digestKey, parseDigestKey, signedMessage } from './digest';
import { type DigestPeriodKind, periodContaining, placeKey } from './periods';
import { verifyDigestSignature } from './signer';
import { changedObjectMessage, loadTrustedKeys, type PublicKey } from './verify';

/** What a digest seals, or why it cannot be trusted. */
type SealedPeriod = { key: string; entries: Map<string, DigestEntry> } | { key: string; untrusted: string };

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
  const chainKinds = new Map<string, Promise<DigestPeriodKind | undefined>>();

  /** The period kind a chain is sealed with (a chain keeps one), or undefined when nothing of it is sealed. */
  const kindOf = async (chain: string): Promise<DigestPeriodKind | undefined> => {
    for await (const object of store.list(chainPrefix(chain))) {
      const location = parseDigestKey(object.key);
      if (location?.chain === chain) return location.period.kind;
    }
    return undefined;
  };

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
    if (!chainKinds.has(placement.chain)) chainKinds.set(placement.chain, kindOf(placement.chain));
    const kind = await chainKinds.get(placement.chain);
    if (!kind) return undefined;
    const location = digestKey(placement.chain, periodContaining(kind, placement.at).id);
    if (!periods.has(location)) periods.set(location, readPeriod(location));
    return periods.get(location);
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
