/**
 * Signed digest chain over the evidence store.
 *
 * Each complete period (daily by default) of each chain (one per account, plus `manual` for
 * manual evidence) gets one digest, written once at `digests/v1/account=<A>/<period>.json`
 * (`digests/v1/manual/<period>.json` for manual evidence). A digest lists every object of its
 * period with its version, SHA-256 (of bytes re-read from the store) and size, and the key and
 * SHA-256 of the previous digest file of the chain, so removing, reordering or editing any
 * digest breaks the chain. Periods without objects still get a digest: the chain has no gaps.
 *
 * The signature lives inside the digest file (one atomic write, no half-sealed period):
 * `signature` is the base64 DER ECDSA P-256 signature of the UTF-8 bytes
 * `soc2-ml-digest/v1 sha256:<hex SHA-256 of the RFC 8785 canonical JSON of every other field>`.
 * The signing block (key id, algorithm, public key fingerprint) is inside the signed fields.
 * Public keys are stored write-once at `digests/v1/public-keys/<sha256 of SPKI DER>.pem`.
 */
import { z } from 'zod';
import { sha256Hex } from '../evidence/hash';
import { DIGESTS_ROOT, PUBLIC_KEYS_PREFIX } from '../evidence/layout';
import { type EvidenceStore, ObjectExistsError } from '../evidence/store';
import { canonicalJson } from './canonical-json';
import {
  type DigestPeriodKind,
  MANUAL_CHAIN,
  type Period,
  periodAfter,
  periodContaining,
  periodFromId,
  placeKey,
  SEALED_ROOTS,
} from './periods';
import { DIGEST_SIGNING_ALGORITHM, type DigestSigner, publicKeyFingerprint } from './signer';
import { forEachBounded, readObject, storedKeys } from './store-objects';

export const DIGEST_SCHEMA = 'soc2-ml-digest/v1';
export { DIGESTS_ROOT, PUBLIC_KEYS_PREFIX };
/** Objects of a period may still be arriving this long after it ends; only then is it sealed. */
export const DEFAULT_GRACE_PERIOD_MINUTES = 60;
/** Objects hashed at once: enough to hide store latency, small enough to bound memory. */
export const HASH_CONCURRENCY = 8;

const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a hex SHA-256');

export const digestEntrySchema = z.strictObject({
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  sha256: sha256HexSchema,
  size: z.number().int().nonnegative(),
});
export type DigestEntry = z.infer<typeof digestEntrySchema>;

const periodSchema = z.strictObject({
  kind: z.enum(['daily', 'hourly']),
  id: z.string(),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
});

export const digestPayloadSchema = z.strictObject({
  schema: z.literal(DIGEST_SCHEMA),
  /** Account id, or "manual". */
  chain: z.string().min(1),
  period: periodSchema,
  previous: z.strictObject({ key: z.string().min(1), sha256: sha256HexSchema }).nullable(),
  objects: z.array(digestEntrySchema),
  totals: z.strictObject({ objects: z.number().int().nonnegative(), bytes: z.number().int().nonnegative() }),
  signing: z.strictObject({
    keyId: z.string().min(1),
    algorithm: z.literal(DIGEST_SIGNING_ALGORITHM),
    publicKeySha256: sha256HexSchema,
  }),
  createdAt: z.iso.datetime(),
});
export type DigestPayload = z.infer<typeof digestPayloadSchema>;

const digestDocumentSchema = digestPayloadSchema.extend({ signature: z.base64().min(1) });

export interface DigestDocument {
  payload: DigestPayload;
  signature: Uint8Array;
}

/** Raised when a chain cannot be extended safely (its head is unreadable, or the period kind changed). */
export class DigestChainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigestChainError';
  }
}

/** Where the digests of one chain live. */
export function chainPrefix(chain: string): string {
  return chain === MANUAL_CHAIN ? `${DIGESTS_ROOT}manual/` : `${DIGESTS_ROOT}account=${chain}/`;
}

export function digestKey(chain: string, periodId: string): string {
  return `${chainPrefix(chain)}${periodId}.json`;
}

export function publicKeyKey(fingerprint: string): string {
  return `${PUBLIC_KEYS_PREFIX}${fingerprint}.pem`;
}

export interface DigestLocation {
  key: string;
  chain: string;
  period: Period;
}

export function parseDigestKey(key: string): DigestLocation | undefined {
  const match = /^digests\/v1\/(?:account=([^/]+)|(manual))\/([^/]+)\.json$/.exec(key);
  const period = match ? periodFromId(match[3]!) : undefined;
  return match && period ? { key, chain: match[1] ?? MANUAL_CHAIN, period } : undefined;
}

/** The bytes the signature covers: short enough for KMS RAW signing whatever the digest's size. */
export function signedMessage(payload: DigestPayload): Uint8Array {
  return new TextEncoder().encode(`${DIGEST_SCHEMA} sha256:${sha256Hex(canonicalJson(payload))}`);
}

export function encodeDigest(payload: DigestPayload, signature: Uint8Array): Uint8Array {
  const document = { ...payload, signature: Buffer.from(signature).toString('base64') };
  return new TextEncoder().encode(`${JSON.stringify(document, null, 2)}\n`);
}

/** Throws when the bytes are not a digest/v1 document. */
export function decodeDigest(bytes: Uint8Array): DigestDocument {
  const { signature, ...payload } = digestDocumentSchema.parse(JSON.parse(Buffer.from(bytes).toString('utf8')));
  return { payload, signature: new Uint8Array(Buffer.from(signature, 'base64')) };
}

export interface DigestListing {
  /** Digests per chain, in period order. */
  chains: Map<string, DigestLocation[]>;
  /** Keys under digests/v1/ that are neither a digest nor a public key. */
  unexpected: string[];
}

/** Lists digest keys only (no bytes): a few per chain and day. */
export async function listDigests(store: EvidenceStore): Promise<DigestListing> {
  const keys: string[] = [];
  for await (const object of store.list(DIGESTS_ROOT)) keys.push(object.key);
  return digestListing(keys);
}

/** Groups keys under digests/v1/ into chains; public keys are skipped. */
export function digestListing(keys: Iterable<string>): DigestListing {
  const chains = new Map<string, DigestLocation[]>();
  const unexpected: string[] = [];
  for (const key of keys) {
    if (key.startsWith(PUBLIC_KEYS_PREFIX)) continue;
    const location = parseDigestKey(key);
    if (!location) {
      unexpected.push(key);
      continue;
    }
    const list = chains.get(location.chain) ?? [];
    list.push(location);
    chains.set(location.chain, list);
  }
  for (const list of chains.values()) list.sort((a, b) => (a.period.id < b.period.id ? -1 : a.period.id > b.period.id ? 1 : 0));
  return { chains, unexpected };
}

export interface SealOptions {
  now: Date;
  /** config.evidence.digestPeriod; a chain keeps the kind it started with. Default daily. */
  period?: DigestPeriodKind;
  /** Default DEFAULT_GRACE_PERIOD_MINUTES. */
  gracePeriodMinutes?: number;
  /** Seal only these accounts' chains; default every account found in the store. */
  accounts?: readonly string[];
  /** Seal the manual-evidence chain too. Default true. */
  includeManual?: boolean;
}

export interface SealedDigest {
  chain: string;
  period: Period;
  key: string;
  sha256: string;
  objects: number;
  bytes: number;
}

interface ChainHead {
  key: string;
  sha256: string;
  period: Period;
}

interface PendingObject {
  key: string;
  versionId?: string;
}

/**
 * Seals, in order, every complete period (ended before now - grace) not sealed yet, for every
 * chain, continuing each chain from its last digest. Idempotent: a second run writes nothing.
 * Meant for one writer (the evaluator); a concurrent sealer makes the write-once put fail.
 */
export async function sealPeriods(store: EvidenceStore, signer: DigestSigner, options: SealOptions): Promise<SealedDigest[]> {
  const kind = options.period ?? 'daily';
  const cutoff = options.now.getTime() - (options.gracePeriodMinutes ?? DEFAULT_GRACE_PERIOD_MINUTES) * 60_000;
  const wanted = (chain: string) =>
    chain === MANUAL_CHAIN ? (options.includeManual ?? true) : (options.accounts?.includes(chain) ?? true);

  const heads = new Map<string, ChainHead>();
  for (const [chain, digests] of (await listDigests(store)).chains) {
    if (wanted(chain)) heads.set(chain, await readHead(store, digests.at(-1)!, kind));
  }
  const pending = await pendingObjects(store, heads, kind, cutoff, wanted);

  const fingerprint = await ensurePublicKey(store, signer);
  const sealed: SealedDigest[] = [];
  for (const chain of [...new Set([...heads.keys(), ...pending.keys()])].sort()) {
    const byPeriod = pending.get(chain) ?? new Map<string, PendingObject[]>();
    const head = heads.get(chain);
    const firstId = [...byPeriod.keys()].sort()[0];
    let period = head ? periodAfter(head.period) : firstId ? periodFromId(firstId) : undefined;
    let previous = head ? { key: head.key, sha256: head.sha256 } : null;
    while (period && Date.parse(period.end) <= cutoff) {
      const digest = await sealOne(store, signer, fingerprint, {
        chain,
        period,
        previous,
        objects: byPeriod.get(period.id) ?? [],
        now: options.now,
      });
      sealed.push(digest);
      previous = { key: digest.key, sha256: digest.sha256 };
      period = periodAfter(period);
    }
  }
  return sealed;
}

async function readHead(store: EvidenceStore, location: DigestLocation, kind: DigestPeriodKind): Promise<ChainHead> {
  const bytes = await store.get(location.key);
  if (!bytes) throw new DigestChainError(`digest ${location.key} vanished while sealing`);
  let payload: DigestPayload;
  try {
    payload = decodeDigest(bytes).payload;
  } catch (err) {
    throw new DigestChainError(`cannot extend the chain: last digest ${location.key} is unreadable (${(err as Error).message})`);
  }
  if (payload.period.kind !== kind) {
    throw new DigestChainError(
      `chain ${location.chain} is sealed ${payload.period.kind}; sealing it ${kind} would break the chain (keep evidence.digestPeriod)`,
    );
  }
  return { key: location.key, sha256: sha256Hex(bytes), period: location.period };
}

/** Objects of complete, unsealed periods per chain and period id. Holds keys only, never bytes. */
async function pendingObjects(
  store: EvidenceStore,
  heads: Map<string, ChainHead>,
  kind: DigestPeriodKind,
  cutoff: number,
  wanted: (chain: string) => boolean,
): Promise<Map<string, Map<string, PendingObject[]>>> {
  const pending = new Map<string, Map<string, PendingObject[]>>();
  for (const root of SEALED_ROOTS) {
    for await (const stored of storedKeys(store, root)) {
      const placement = placeKey(stored.key);
      if (!stored.current || !placement || !wanted(placement.chain)) continue;
      const period = periodContaining(kind, placement.at);
      const head = heads.get(placement.chain);
      if (Date.parse(period.end) > cutoff || (head && period.start < head.period.end)) continue;
      const byPeriod = pending.get(placement.chain) ?? new Map<string, PendingObject[]>();
      pending.set(placement.chain, byPeriod);
      const objects = byPeriod.get(period.id) ?? [];
      byPeriod.set(period.id, objects);
      objects.push({ key: stored.key, versionId: stored.current.versionId });
    }
  }
  return pending;
}

async function ensurePublicKey(store: EvidenceStore, signer: DigestSigner): Promise<string> {
  const pem = await signer.publicKeyPem();
  const fingerprint = publicKeyFingerprint(pem);
  await store
    .put(publicKeyKey(fingerprint), new TextEncoder().encode(pem), { contentType: 'application/x-pem-file' })
    .catch((err) => {
      if (!(err instanceof ObjectExistsError)) throw err;
    });
  return fingerprint;
}

interface PeriodToSeal {
  chain: string;
  period: Period;
  previous: DigestPayload['previous'];
  objects: PendingObject[];
  now: Date;
}

async function sealOne(
  store: EvidenceStore,
  signer: DigestSigner,
  fingerprint: string,
  { chain, period, previous, objects, now }: PeriodToSeal,
): Promise<SealedDigest> {
  const entries: DigestEntry[] = [];
  await forEachBounded(objects, HASH_CONCURRENCY, async (object) => {
    const bytes = await readObject(store, object.key, object.versionId);
    // Gone between listing and reading: it is not in the store, so it is not sealed.
    if (!bytes) return;
    entries.push({ key: object.key, versionId: object.versionId, sha256: sha256Hex(bytes), size: bytes.byteLength });
  });
  entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const payload: DigestPayload = {
    schema: DIGEST_SCHEMA,
    chain,
    period,
    previous,
    objects: entries,
    totals: { objects: entries.length, bytes: entries.reduce((sum, e) => sum + e.size, 0) },
    signing: { keyId: signer.keyId, algorithm: signer.algorithm, publicKeySha256: fingerprint },
    createdAt: now.toISOString(),
  };
  const bytes = encodeDigest(payload, await signer.sign(signedMessage(payload)));
  const stored = await store.put(digestKey(chain, period.id), bytes, { contentType: 'application/json' });
  return { chain, period, key: stored.key, sha256: stored.sha256, objects: entries.length, bytes: payload.totals.bytes };
}
