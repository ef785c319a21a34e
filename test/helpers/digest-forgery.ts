import { sha256Hex } from '../../lambdas/evidence/hash';
import type { EvidenceStore } from '../../lambdas/evidence/store';
import {
  type DigestPayload,
  decodeDigest,
  encodeDigest,
  listDigests,
  publicKeyKey,
  signedMessage,
} from '../../lambdas/integrity/digest';
import { type DigestSigner, publicKeyFingerprint } from '../../lambdas/integrity/signer';

/** Adds a new version of a key, as plain s3:PutObject (without If-None-Match) can; returns its version id. */
export type WriteVersion = (key: string, bytes: Uint8Array) => Promise<string | undefined>;

/**
 * The attack verify must catch: replace a sealed evidence object with a new version, then
 * re-sign its period's digest and every later digest of the chain with the forger's key, whose
 * public key is added beside the real one. Every latest version is then consistent.
 */
export async function forgeSealedObject(
  store: EvidenceStore,
  write: WriteVersion,
  forger: DigestSigner,
  target: { chain: string; key: string; body: string },
): Promise<{ rewrittenDigests: string[] }> {
  const body = new TextEncoder().encode(target.body);
  const versionId = await write(target.key, body);
  const forgerPem = await forger.publicKeyPem();
  const fingerprint = publicKeyFingerprint(forgerPem);
  await write(publicKeyKey(fingerprint), new TextEncoder().encode(forgerPem));

  const rewrittenDigests: string[] = [];
  let previous: DigestPayload['previous'] | undefined;
  for (const location of (await listDigests(store)).chains.get(target.chain) ?? []) {
    const { payload } = decodeDigest((await store.get(location.key))!);
    const holdsTarget = payload.objects.some((o) => o.key === target.key);
    if (!holdsTarget && !previous) continue;
    const objects = payload.objects.map((o) =>
      o.key === target.key ? { key: o.key, versionId, sha256: sha256Hex(body), size: body.byteLength } : o,
    );
    const forged: DigestPayload = {
      ...payload,
      objects,
      totals: { objects: objects.length, bytes: objects.reduce((sum, o) => sum + o.size, 0) },
      previous: previous ?? payload.previous,
      signing: { ...payload.signing, keyId: forger.keyId, publicKeySha256: fingerprint },
    };
    const bytes = encodeDigest(forged, await forger.sign(signedMessage(forged)));
    await write(location.key, bytes);
    rewrittenDigests.push(location.key);
    previous = { key: location.key, sha256: sha256Hex(bytes) };
  }
  return { rewrittenDigests };
}
