import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { GetPublicKeyCommand, type KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { makeDirectories } from '../evidence/directories';
import { sha256Hex } from '../evidence/hash';

/** The one signature scheme of digests: ECDSA over P-256 with SHA-256, DER-encoded signatures. */
export const DIGEST_SIGNING_ALGORITHM = 'ECDSA_SHA_256';
export type DigestSigningAlgorithm = typeof DIGEST_SIGNING_ALGORITHM;

export interface DigestSigner {
  /** KMS key id/ARN, or `local:<fingerprint prefix>`: recorded in every digest for people to read. */
  readonly keyId: string;
  readonly algorithm: DigestSigningAlgorithm;
  /** DER-encoded ECDSA signature over SHA-256 of the bytes. */
  sign(bytes: Uint8Array): Promise<Uint8Array>;
  /** SubjectPublicKeyInfo PEM: all an auditor needs to verify offline. */
  publicKeyPem(): Promise<string>;
}

/** Raised when a signing key cannot be used for digests (wrong key spec, unreadable key file). */
export class DigestSignerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DigestSignerError';
  }
}

/** Hex SHA-256 of the key's SPKI DER: how digests and verify name a public key unambiguously. */
export function publicKeyFingerprint(pem: string): string {
  return sha256Hex(createPublicKey(pem).export({ type: 'spki', format: 'der' }));
}

/** Offline verification with the public key alone; a malformed signature is simply invalid. */
export function verifyDigestSignature(publicKeyPem: string, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify('sha256', message, createPublicKey(publicKeyPem), signature);
  } catch {
    return false;
  }
}

/** KMS Sign accepts at most 4096 bytes in RAW mode; digests sign a short statement, far below that. */
const KMS_RAW_MESSAGE_LIMIT = 4096;

/**
 * Signs with an asymmetric KMS key (KeySpec ECC_NIST_P256, KeyUsage SIGN_VERIFY); the private
 * key never leaves KMS. MessageType RAW: KMS hashes the message itself (the emulator ignores
 * DIGEST mode, and RAW keeps one code path for both).
 */
export class KmsDigestSigner implements DigestSigner {
  readonly algorithm = DIGEST_SIGNING_ALGORITHM;
  private pem: Promise<string> | undefined;

  constructor(
    private readonly client: KMSClient,
    readonly keyId: string,
  ) {}

  async sign(bytes: Uint8Array): Promise<Uint8Array> {
    if (bytes.byteLength > KMS_RAW_MESSAGE_LIMIT) {
      throw new DigestSignerError(`KMS signs at most ${KMS_RAW_MESSAGE_LIMIT} bytes in RAW mode, got ${bytes.byteLength}`);
    }
    const out = await this.client.send(
      new SignCommand({ KeyId: this.keyId, Message: bytes, MessageType: 'RAW', SigningAlgorithm: this.algorithm }),
    );
    if (!out.Signature) throw new DigestSignerError(`KMS Sign with ${this.keyId} returned no signature`);
    return out.Signature;
  }

  publicKeyPem(): Promise<string> {
    this.pem ??= this.fetchPublicKey();
    // A failed fetch must not be cached: the next call asks KMS again.
    this.pem.catch(() => {
      this.pem = undefined;
    });
    return this.pem;
  }

  private async fetchPublicKey(): Promise<string> {
    const out = await this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId }));
    // Judge the key itself rather than KeySpec, which the emulator leaves out.
    const key = out.PublicKey ? createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' }) : undefined;
    const isP256 = key?.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
    if (!key || !isP256 || !out.SigningAlgorithms?.includes(this.algorithm)) {
      const spec = out.KeySpec ?? key?.asymmetricKeyType ?? 'no public key';
      const algorithms = (out.SigningAlgorithms ?? []).join(', ') || 'no signing algorithms';
      throw new DigestSignerError(
        `KMS key ${this.keyId} cannot sign digests: need an ECC_NIST_P256 key with ${this.algorithm}, got ${spec} (${algorithms})`,
      );
    }
    return key.export({ type: 'spki', format: 'pem' }).toString();
  }
}

/**
 * Signs with an EC P-256 key in a PKCS#8 PEM file, generated on first use (mode 0600). For
 * local stores: keep the file outside the evidence directory, or whoever can rewrite the
 * evidence can also re-sign it.
 */
export class LocalDigestSigner implements DigestSigner {
  readonly algorithm = DIGEST_SIGNING_ALGORITHM;

  private constructor(
    private readonly privateKey: KeyObject,
    private readonly pem: string,
    readonly keyId: string,
  ) {}

  /** Generates the key on first use; with `create: false` a missing key file gives undefined. */
  static async open(privateKeyPath: string): Promise<LocalDigestSigner>;
  static async open(privateKeyPath: string, options: { create: boolean }): Promise<LocalDigestSigner | undefined>;
  static async open(privateKeyPath: string, options = { create: true }): Promise<LocalDigestSigner | undefined> {
    const privateKey = options.create ? await loadOrCreatePrivateKey(privateKeyPath) : await readIfPresent(privateKeyPath);
    if (!privateKey) return undefined;
    const pem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
    return new LocalDigestSigner(privateKey, pem, `local:${publicKeyFingerprint(pem).slice(0, 16)}`);
  }

  async sign(bytes: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(sign('sha256', bytes, this.privateKey));
  }

  async publicKeyPem(): Promise<string> {
    return this.pem;
  }
}

async function readIfPresent(path: string): Promise<KeyObject | undefined> {
  try {
    return await readPrivateKey(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function loadOrCreatePrivateKey(path: string): Promise<KeyObject> {
  const existing = await readIfPresent(path);
  if (existing) return existing;
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  try {
    await makeDirectories(dirname(path), 0o700);
  } catch (err) {
    throw new DigestSignerError(
      `cannot create the folder of digest signing key ${path}: ${(err as Error).message} (set XDG_CONFIG_HOME to a writable folder)`,
    );
  }
  try {
    // 'wx' fails if another process created the key meanwhile: then use theirs.
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    return privateKey;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readPrivateKey(path);
  }
}

async function readPrivateKey(path: string): Promise<KeyObject> {
  const pem = await readFile(path, 'utf8');
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw new DigestSignerError(`digest signing key ${path} is not a PEM private key: ${(err as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new DigestSignerError(`digest signing key ${path} is not an EC P-256 key`);
  }
  return key;
}

/**
 * Where the CLI keeps the local signing key of a store: under the user's configuration
 * directory, named by a hash of the store's location, never inside the store.
 */
export function defaultLocalKeyPath(storeLocation: string, env: NodeJS.ProcessEnv = process.env): string {
  const configHome = env.XDG_CONFIG_HOME || join(homedir(), '.config');
  return join(configHome, 'soc2-ml', 'keys', `${sha256Hex(storeLocation).slice(0, 16)}.pem`);
}
