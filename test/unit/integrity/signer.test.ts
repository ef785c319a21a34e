import { generateKeyPairSync } from 'node:crypto';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalJson } from '../../../lambdas/integrity/canonical-json';
import {
  DigestSignerError,
  defaultLocalKeyPath,
  LocalDigestSigner,
  publicKeyFingerprint,
  verifyDigestSignature,
} from '../../../lambdas/integrity/signer';
import { type TempStore, tempStore } from './fixtures';

describe('LocalDigestSigner', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await tempStore();
  });
  afterEach(() => t.cleanup());

  it('generates a private P-256 key on first use and reuses it afterwards', async () => {
    // Prepare
    const first = await LocalDigestSigner.open(join(t.keysDir, 'k.pem'));
    const message = new TextEncoder().encode('soc2-ml-digest/v1 sha256:00');

    // Act
    const again = await LocalDigestSigner.open(join(t.keysDir, 'k.pem'));
    const signature = await again.sign(message);

    // Assess
    expect(again.keyId).toBe(first.keyId);
    expect(first.keyId).toBe(`local:${publicKeyFingerprint(await first.publicKeyPem()).slice(0, 16)}`);
    expect((await stat(join(t.keysDir, 'k.pem'))).mode & 0o777).toBe(0o600);
    expect(verifyDigestSignature(await first.publicKeyPem(), message, signature)).toBe(true);
    expect(verifyDigestSignature(await first.publicKeyPem(), new TextEncoder().encode('other'), signature)).toBe(false);
  });

  it('refuses a key file that is not EC P-256', async () => {
    // Prepare
    const path = join(t.keysDir, 'rsa.pem');
    await LocalDigestSigner.open(join(t.keysDir, 'placeholder.pem'));
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await writeFile(path, privateKey.export({ type: 'pkcs8', format: 'pem' }));

    // Act / Assess
    await expect(LocalDigestSigner.open(path)).rejects.toThrow(
      new DigestSignerError(`digest signing key ${path} is not an EC P-256 key`),
    );
  });

  it('keeps the CLI key outside the store, named by the store location', () => {
    expect(defaultLocalKeyPath('/data/soc2-evidence', { XDG_CONFIG_HOME: '/home/me/.config' })).toMatch(
      /^\/home\/me\/\.config\/soc2-ml\/keys\/[0-9a-f]{16}\.pem$/,
    );
  });
});

describe('canonicalJson', () => {
  it('sorts keys, drops undefined members and refuses non-integers', () => {
    expect(canonicalJson({ b: [1, 'x', null], a: { d: true, c: undefined } })).toBe('{"a":{"d":true},"b":[1,"x",null]}');
    expect(() => canonicalJson({ a: 1.5 })).toThrow(TypeError);
  });
});
