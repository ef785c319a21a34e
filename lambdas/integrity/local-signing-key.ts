import { copyFile, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { EvidenceStore } from '../evidence/store';
import { decodeDigest, listDigests } from './digest';
import { DigestSignerError, LocalDigestSigner, publicKeyFingerprint } from './signer';

export interface StoreSigner {
  signer: LocalDigestSigner;
  /** Set when the store's key was found under another store path (the store was moved): what was done, one line. */
  note?: string;
}

/** Fingerprints of the keys that signed the last digest of each chain. */
async function headSigners(store: EvidenceStore): Promise<Set<string>> {
  const fingerprints = new Set<string>();
  for (const digests of (await listDigests(store)).chains.values()) {
    const bytes = await store.get(digests.at(-1)!.key);
    try {
      if (bytes) fingerprints.add(decodeDigest(bytes).payload.signing.publicKeySha256);
    } catch {
      // An unreadable head is verify's to report; sealing refuses to extend it anyway.
    }
  }
  return fingerprints;
}

async function fingerprintOf(signer: LocalDigestSigner): Promise<string> {
  return publicKeyFingerprint(await signer.publicKeyPem());
}

/**
 * The local key that seals a store, kept at keyPath (outside the store, named by the store's
 * path). A store already sealed is only ever extended with the key that sealed it: a store
 * moved on this machine finds its key among the other stores' keys (and it is copied to the
 * new path); otherwise sealing is refused rather than silently starting a second key.
 */
export async function openStoreSigner(store: EvidenceStore, keyPath: string): Promise<StoreSigner> {
  const sealedBy = await headSigners(store);
  const atPath = await LocalDigestSigner.open(keyPath, { create: sealedBy.size === 0 });
  if (atPath && (sealedBy.size === 0 || sealedBy.has(await fingerprintOf(atPath)))) return { signer: atPath };

  const keysDir = dirname(keyPath);
  const candidates = (await readdir(keysDir).catch(() => [] as string[])).filter((name) => name.endsWith('.pem')).sort();
  for (const name of candidates) {
    const path = join(keysDir, name);
    const candidate = await LocalDigestSigner.open(path, { create: false }).catch(() => undefined);
    if (!candidate || !sealedBy.has(await fingerprintOf(candidate))) continue;
    const found = `${store.location} was sealed with key ${candidate.keyId} from ${path} (the store was moved)`;
    if (atPath) return { signer: candidate, note: `${found}; ${keyPath} holds another key and is left as it is` };
    await copyFile(path, keyPath);
    return { signer: candidate, note: `${found}; copied it to ${keyPath}` };
  }
  const sealers = [...sealedBy].map((f) => `local:${f.slice(0, 16)}`).join(', ');
  throw new DigestSignerError(
    `${store.location} is sealed with key ${sealers}, but ${keyPath} ${atPath ? `holds another key (${atPath.keyId})` : 'does not exist'}` +
      ` and no key in ${keysDir} matches: refusing to continue its chain with a new key. Copy the store's key (PEM) to ${keyPath}.`,
  );
}
