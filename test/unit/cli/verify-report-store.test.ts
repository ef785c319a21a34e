import { cp, lstat, mkdir, readdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { decodeDigest, listDigests } from '../../../lambdas/integrity/digest';
import { runCliCaptured } from '../../helpers/cli';
import { kmsRecord } from '../../helpers/evidence-records';
import { denyWriteAccess, setReadOnly, tree, useScratchDirectory } from '../../helpers/write-access';

const DAY_MS = 86_400_000;

jest.mock('node:fs/promises', () => jest.requireActual('../../helpers/write-access').fsWithWriteAccessDenial());
const scratch = useScratchDirectory('soc2-cli-store-');

/** A store with a record from two days ago (sealable) and one from now (waiting for its seal). */
async function storeWithEvidence(path: string): Promise<{ sealable: string; waiting: string }> {
  const store = await LocalDirectoryStore.open(path);
  const sealable = await writeEvidence(store, kmsRecord(new Date(Date.now() - 2 * DAY_MS).toISOString(), true));
  const waiting = await writeEvidence(store, kmsRecord(new Date().toISOString(), true));
  return { sealable: sealable.key, waiting: waiting.key };
}

const report = (store: string) => runCliCaptured(['--quiet', 'report', '--store', store, '--out', join(scratch(), 'report')]);

async function signingKeysOfDigests(store: string): Promise<Set<string>> {
  const opened = await LocalDirectoryStore.open(store);
  const keys = new Set<string>();
  for (const digests of (await listDigests(opened)).chains.values())
    for (const digest of digests) keys.add(decodeDigest((await opened.get(digest.key))!).payload.signing.publicKeySha256);
  return keys;
}

describe('soc2-ml verify opens the store read-only', () => {
  it('exits 2 on a missing store and does not create it', async () => {
    const typo = join(scratch(), 'typo');
    const run = await runCliCaptured(['verify', '--store', typo]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${typo} cannot be used: no such directory`);
    await expect(lstat(typo)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it("verifies an auditor's read-only copy without asking for write access or changing a byte, naming what waits for a seal", async () => {
    // Prepare: a sealed store, copied and made read-only.
    const original = join(scratch(), 'evidence');
    const { waiting } = await storeWithEvidence(original);
    expect((await report(original)).status).toBe(0);
    const copy = join(scratch(), 'auditor-copy');
    await cp(original, copy, { recursive: true });
    await setReadOnly(copy, true);
    denyWriteAccess(true);
    const before = await tree(copy);

    // Act
    const run = await runCliCaptured(['--quiet', 'verify', '--store', copy]);

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(`waiting for a seal: ${waiting}`);
    expect(run.stdout).toMatch(
      /OK: \d+ digests, 1 objects, \d+ bytes checked in \d+\.\d s; 1 evidence objects not yet covered by any digest \(period still open\), next seal due \d{4}-\d\d-\d\dT01:00:00\.000Z/,
    );
    expect(await tree(copy)).toEqual(before);
  });
});

describe('soc2-ml report and the store', () => {
  it('prints the same coverage line as verify', async () => {
    const store = join(scratch(), 'evidence');
    const { waiting } = await storeWithEvidence(store);
    const run = await report(store);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(
      /\nOK: \d+ digests, 1 objects, \d+ bytes checked in .*; 1 evidence objects not yet covered by any digest/,
    );
    expect(waiting).toContain('collector=kms');
  });

  it('keeps sealing a moved store with the key that sealed it, and refuses a new key when that key is gone', async () => {
    // Prepare
    const first = join(scratch(), 'evidence');
    await storeWithEvidence(first);
    expect((await report(first)).status).toBe(0);
    const sealedBy = await signingKeysOfDigests(first);
    const moved = join(scratch(), 'moved');
    await rename(first, moved);

    // Act
    const afterMove = await report(moved);

    // Assess
    expect(afterMove.status).toBe(0);
    expect(afterMove.stderr).toMatch(/was sealed with key local:[0-9a-f]{16} from .* \(the store was moved\); copied it to /);
    expect(await signingKeysOfDigests(moved)).toEqual(sealedBy);
    // One key, now kept for both paths: no second key was made for the new location.
    const keysDir = join(scratch(), 'config-home', 'soc2-ml', 'keys');
    const keyFiles = await readdir(keysDir);
    expect(keyFiles).toHaveLength(2);
    expect(new Set(await Promise.all(keyFiles.map((name) => readFile(join(keysDir, name), 'utf8')))).size).toBe(1);
    expect((await runCliCaptured(['verify', '--store', moved])).status).toBe(0);

    // Prepare: the store on a machine that never had its key.
    await rm(join(scratch(), 'config-home'), { recursive: true });
    const copied = join(scratch(), 'elsewhere');
    await rename(moved, copied);

    // Act
    const withoutKey = await report(copied);

    // Assess
    expect(withoutKey.status).toBe(2);
    expect(withoutKey.stderr).toMatch(/refusing to continue its chain with a new key/);
    expect(await readdir(join(scratch(), 'config-home', 'soc2-ml', 'keys')).catch(() => [])).toEqual([]);
  });

  it('refuses to write through a symbolic link inside the store', async () => {
    // Prepare
    const store = join(scratch(), 'evidence');
    await storeWithEvidence(store);
    const outside = join(scratch(), 'outside');
    await mkdir(outside);
    await symlink(outside, join(store, 'reports'));

    // Act
    const run = await report(store);

    // Assess
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`refusing the symbolic link ${join(store, 'reports')} inside the store`);
    expect(await readdir(outside)).toEqual([]);
  });
});
