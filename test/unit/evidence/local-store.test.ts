import { mkdir, mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEvidence, encodeEvidence, evidenceKey, writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { sha256Hex } from '../../../lambdas/evidence/hash';
import { LocalDirectoryStore, StoreSymlinkError } from '../../../lambdas/evidence/local-store';
import type { EvidenceRecord } from '../../../lambdas/evidence/record';
import { ObjectExistsError, ReadOnlyStoreError, StoreUnavailableError } from '../../../lambdas/evidence/store';

const record: EvidenceRecord = {
  schema: 'evidence/v1',
  id: '0b7e7a43-0000-4000-8000-000000000001',
  collector: { name: 's3', version: '1.0.0' },
  account: '111122223333',
  region: 'global',
  collectedAt: '2026-11-26T06:07:08.009Z',
  trigger: { type: 'schedule' },
  scope: { type: 'all' },
  resources: [{ arn: 'arn:aws:s3:::a', type: 'AWS::S3::Bucket', region: 'us-east-1', configuration: { name: 'a' }, tags: {} }],
  errors: [],
  notes: [],
  deleted: [],
  calls: 11,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('evidence keys and encoding', () => {
  it('uses the Hive-style layout of DESIGN.md', () => {
    expect(evidenceKey(record)).toBe(
      'evidence/v1/collector=s3/account=111122223333/region=global/date=2026-11-26/060708009Z-0b7e7a43-0000-4000-8000-000000000001.json.gz',
    );
  });

  it('round-trips a record through gzip and refuses records that break the schema', () => {
    expect(decodeEvidence(encodeEvidence(record))).toEqual(record);
    expect(() => encodeEvidence({ ...record, account: 'not-an-account' })).toThrow(/12-digit/);
  });
});

describe('LocalDirectoryStore', () => {
  it('writes evidence read-only and returns the SHA-256 of the stored bytes', async () => {
    // Prepare
    const store = await LocalDirectoryStore.open(join(dir, 'nested', 'evidence'));

    // Act
    const stored = await writeEvidence(store, record);

    // Assess
    const path = join(dir, 'nested', 'evidence', stored.key);
    const bytes = await readFile(path);
    expect(stored.sha256).toBe(sha256Hex(bytes));
    expect(stored.size).toBe(bytes.byteLength);
    expect((await stat(path)).mode & 0o777).toBe(0o444);
    expect(decodeEvidence(new Uint8Array(bytes))).toEqual(record);
  });

  it('never overwrites an existing key unless the object is declared mutable', async () => {
    // Prepare
    const store = await LocalDirectoryStore.open(dir);
    await store.put('evidence/v1/x.json.gz', new Uint8Array([1]));

    // Act
    const again = store.put('evidence/v1/x.json.gz', new Uint8Array([2]));
    await store.put('reports/latest/report.json', new Uint8Array([1]), { overwrite: true });
    await store.put('reports/latest/report.json', new Uint8Array([3]), { overwrite: true });

    // Assess
    await expect(again).rejects.toBeInstanceOf(ObjectExistsError);
    expect(await store.get('evidence/v1/x.json.gz')).toEqual(new Uint8Array([1]));
    expect(await store.get('reports/latest/report.json')).toEqual(new Uint8Array([3]));
  });

  it('lists by prefix in key order and reads back; a missing key is undefined', async () => {
    // Prepare
    const store = await LocalDirectoryStore.open(dir);
    for (const key of ['evidence/v1/b/2', 'evidence/v1/a/1', 'evidence/v2/c', 'manual/SEC-DP-4/x']) {
      await store.put(key, new TextEncoder().encode(key));
    }

    // Act
    const keys: string[] = [];
    for await (const object of store.list('evidence/v1/')) keys.push(object.key);

    // Assess
    expect(keys).toEqual(['evidence/v1/a/1', 'evidence/v1/b/2']);
    expect(new TextDecoder().decode(await store.get('manual/SEC-DP-4/x'))).toBe('manual/SEC-DP-4/x');
    expect(await store.get('evidence/v1/none')).toBeUndefined();
  });

  it('refuses a directory it cannot create, naming the path', async () => {
    await expect(LocalDirectoryStore.open('/proc/soc2-ml-cannot-exist/evidence')).rejects.toThrow(StoreUnavailableError);
    await expect(LocalDirectoryStore.open('/proc/soc2-ml-cannot-exist/evidence')).rejects.toThrow(
      '/proc/soc2-ml-cannot-exist/evidence',
    );
  });

  it('refuses keys that escape the store', async () => {
    const store = await LocalDirectoryStore.open(dir);
    await expect(store.put('../outside', new Uint8Array([1]))).rejects.toThrow(/escapes/);
  });

  it('refuses a symbolic link inside the store, so nothing is written or read outside it', async () => {
    // Prepare: reports/ inside the store points at a directory elsewhere.
    const store = await LocalDirectoryStore.open(join(dir, 'store'));
    const outside = join(dir, 'outside');
    await mkdir(outside);
    await symlink(outside, join(dir, 'store', 'reports'));
    await mkdir(join(dir, 'store', 'evidence', 'v1'), { recursive: true });
    await symlink('/etc/hostname', join(dir, 'store', 'evidence', 'v1', 'linked.json.gz'));

    // Act
    const write = store.put('reports/latest/report.json', new Uint8Array([1]), { overwrite: true });
    const read = store.get('evidence/v1/linked.json.gz');
    const listed: string[] = [];
    const list = (async () => {
      for await (const object of store.list('reports/latest/')) listed.push(object.key);
    })();

    // Assess
    await expect(write).rejects.toBeInstanceOf(StoreSymlinkError);
    await expect(write).rejects.toThrow(join(dir, 'store', 'reports'));
    await expect(read).rejects.toBeInstanceOf(StoreSymlinkError);
    await expect(list).rejects.toBeInstanceOf(StoreSymlinkError);
    expect(await readdir(outside)).toEqual([]);
    // Opening the store again refuses the top-level link at once.
    await expect(LocalDirectoryStore.open(join(dir, 'store'))).rejects.toThrow(
      `refusing the symbolic link ${join(dir, 'store', 'reports')} inside the store`,
    );
    await expect(LocalDirectoryStore.openReadOnly(join(dir, 'store'))).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('LocalDirectoryStore.openReadOnly', () => {
  it('opens an existing store for reading and refuses every write', async () => {
    // Prepare
    await (await LocalDirectoryStore.open(dir)).put('evidence/v1/a', new Uint8Array([7]));

    // Act
    const store = await LocalDirectoryStore.openReadOnly(dir);

    // Assess
    expect(await store.get('evidence/v1/a')).toEqual(new Uint8Array([7]));
    await expect(store.put('evidence/v1/b', new Uint8Array([1]))).rejects.toBeInstanceOf(ReadOnlyStoreError);
    await expect(stat(join(dir, 'evidence/v1/b'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('never creates a missing directory', async () => {
    const typo = join(dir, 'typo', 'store');
    await expect(LocalDirectoryStore.openReadOnly(typo)).rejects.toThrow(
      `evidence store ${typo} cannot be used: no such directory`,
    );
    await expect(stat(join(dir, 'typo'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
