import { chmod, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evidenceKey } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import type { EvidenceStore } from '../../../lambdas/evidence/store';
import { LocalDigestSigner } from '../../../lambdas/integrity/signer';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';

export interface TempStore {
  store: LocalDirectoryStore;
  /** A second directory, outside the store, for signing keys. */
  keysDir: string;
  signer(name?: string): Promise<LocalDigestSigner>;
  /** Rewrites a read-only file in place, as someone with shell access to the store would. */
  overwrite(key: string, bytes: Uint8Array | string): Promise<void>;
  remove(key: string): Promise<void>;
  cleanup(): Promise<void>;
}

export async function tempStore(): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'soc2-integrity-'));
  const store = await LocalDirectoryStore.open(join(dir, 'store'));
  const keysDir = join(dir, 'keys');
  return {
    store,
    keysDir,
    signer: (name = 'digest') => LocalDigestSigner.open(join(keysDir, `${name}.pem`)),
    async overwrite(key, bytes) {
      const path = join(store.location, key);
      await chmod(path, 0o644);
      await writeFile(path, bytes);
    },
    async remove(key) {
      await unlink(join(store.location, key));
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

let sequence = 0;

/** Writes evidence-shaped bytes at a real evidence key; sealing never decodes them. */
export async function putEvidence(
  store: EvidenceStore,
  account: string,
  collectedAt: string,
  body = 'evidence',
): Promise<string> {
  sequence += 1;
  const key = evidenceKey({
    collector: { name: 's3', version: '1' },
    account,
    region: 'us-east-1',
    collectedAt,
    id: `id-${sequence}`,
  });
  await store.put(key, new TextEncoder().encode(`${body} ${sequence}`));
  return key;
}
