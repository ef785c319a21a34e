/**
 * Fault injection on the evidence flow (issue 14): a truncated newest record, a rewritten
 * sealed record, a late and a future change event, a read-only store. Each runs the soc2-ml
 * commands as a user would, against the emulator and a local store (or the bucket).
 */
import { chmod, cp, lstat, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { decodeEvidence, EVIDENCE_PREFIX, newEvidenceId, writeEvidence } from '../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../lambdas/evidence/local-store';
import { runCliCaptured } from '../helpers/cli';
import { emulatorClients, useMoto } from '../helpers/moto';
import { denyWriteAccess, setReadOnly, tree, useScratchDirectory } from '../helpers/write-access';

const DAY_MS = 86_400_000;
const FIXTURES = join(__dirname, '..', 'fixtures', 'events');

jest.mock('node:fs/promises', () => jest.requireActual('../helpers/write-access').fsWithWriteAccessDenial());

const moto = useMoto();
const scratch = useScratchDirectory('soc2-faults-');

const common = () => ['--endpoint-url', moto().url, '--region', 'us-east-1'];

/** A bucket and a KMS key with rotation on, collected into a local store. */
async function collectedEstate(store = join(scratch(), 'evidence'), { rotation } = { rotation: true }) {
  const clients = emulatorClients(moto().url);
  await clients.s3().send(new CreateBucketCommand({ Bucket: 'ml-training-data' }));
  const kms = clients.kms('us-east-1');
  const key = (await kms.send(new CreateKeyCommand({ Description: 'training data key' }))).KeyMetadata!;
  if (rotation) await kms.send(new EnableKeyRotationCommand({ KeyId: key.KeyId! }));
  const collect = ['--quiet', 'collect', '--collectors', 's3,kms', '--regions', 'us-east-1', '--store', store];
  expect((await runCliCaptured([...common(), ...collect])).status).toBe(0);
  return { kms, keyId: key.KeyId!, keyArn: key.Arn!, store, collect };
}

async function keysUnder(store: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of (await LocalDirectoryStore.open(store)).list(prefix)) keys.push(object.key);
  return keys;
}

/** The records of one store written into another as of `daysAgo` days ago: real emulator output in a period that can be sealed. */
async function backdate(from: string, to: string, daysAgo: number): Promise<string[]> {
  const source = await LocalDirectoryStore.open(from);
  const target = await LocalDirectoryStore.open(to);
  const written: string[] = [];
  for (const key of await keysUnder(from, `${EVIDENCE_PREFIX}collector=`)) {
    const record = decodeEvidence((await source.get(key))!);
    const collectedAt = new Date(Date.parse(record.collectedAt) - daysAgo * DAY_MS).toISOString();
    written.push((await writeEvidence(target, { ...record, id: newEvidenceId(), collectedAt })).key);
  }
  return written;
}

async function eventFile(eventId: string, keyId: string, eventTime: string): Promise<string> {
  const event = JSON.parse(await readFile(join(FIXTURES, 'DisableKeyRotation.json'), 'utf8'));
  event.detail.requestParameters = { keyId };
  event.detail.eventID = eventId;
  event.detail.eventTime = eventTime;
  const path = join(scratch(), `${eventId}.json`);
  await writeFile(path, JSON.stringify(event));
  return path;
}

interface ReportFinding {
  check: string;
  resource: string;
  region: string;
  status: string;
  detail: string;
  evidence?: { key: string };
}

async function reportFindings(out: string, check: string): Promise<ReportFinding[]> {
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { items: { findings: ReportFinding[] }[] };
  const unique = new Map<string, ReportFinding>();
  for (const finding of report.items.flatMap((i) => i.findings))
    if (finding.check === check) unique.set(`${finding.resource}|${finding.region}`, finding);
  return [...unique.values()];
}

const report = (store: string, out: string) => runCliCaptured([...common(), '--quiet', 'report', '--store', store, '--out', out]);

describe('fault injection: evidence', () => {
  it('a truncated newest record: report and event go on; ERROR for its partition names the object', async () => {
    // Prepare: two KMS snapshots, the newest cut in half.
    const { store, collect, keyId, kms } = await collectedEstate();
    expect((await runCliCaptured([...common(), ...collect])).status).toBe(0);
    const newest = (await keysUnder(store, `${EVIDENCE_PREFIX}collector=kms/`)).at(-1)!;
    const path = join(store, newest);
    await chmod(path, 0o644);
    await truncate(path, Math.floor((await lstat(path)).size / 2));
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const out = join(scratch(), 'report');

    // Act
    const reported = await report(store, out);
    const event = await runCliCaptured([
      ...common(),
      '--json',
      'event',
      await eventFile('f1a7c0de-0000-4000-8000-000000000001', keyId, new Date().toISOString()),
      '--store',
      store,
    ]);

    // Assess
    expect(reported).toMatchObject({ status: 0, stderr: '' });
    const rotation = await reportFindings(out, 'kms.rotation_enabled');
    expect(rotation.length).toBeGreaterThan(0);
    for (const finding of rotation) {
      expect(finding.status).toBe('ERROR');
      expect(finding.detail).toContain(`evidence ${newest} is unreadable (not a complete gzip stream (unexpected end of file))`);
    }
    expect((await reportFindings(out, 's3.ml_bucket_kms')).every((f) => !f.detail.includes(newest))).toBe(true);
    expect(event.status).toBe(0);
    expect(event.stderr).not.toMatch(/unexpected end of file/);
    expect(JSON.parse(event.stdout)).toMatchObject({ outcome: { status: 'recollected', changeLog: 'stored' } });
  }, 60_000);

  it('a rewritten sealed record: verify names it, and the findings it decided are ERROR naming the integrity problem', async () => {
    // Prepare: evidence of two days ago (rotation off) sealed by report, then its KMS record
    // rewritten in place as valid gzip with rotation flipped on.
    const { store: collected, keyArn } = await collectedEstate(join(scratch(), 'collected'), { rotation: false });
    const store = join(scratch(), 'evidence');
    const [sealedKms] = (await backdate(collected, store, 2)).filter((key) => key.includes('collector=kms/'));
    const out = join(scratch(), 'report');
    expect((await report(store, out)).status).toBe(0);
    const path = join(store, sealedKms!);
    const record = JSON.parse(gunzipSync(await readFile(path)).toString('utf8'));
    for (const resource of record.resources) resource.configuration.rotationEnabled = true;
    await chmod(path, 0o644);
    await writeFile(path, gzipSync(JSON.stringify(record)));

    // Act
    const reported = await report(store, out);
    const verified = await runCliCaptured([...common(), 'verify', '--store', store]);

    // Assess
    expect(reported.status).toBe(0);
    expect(await reportFindings(out, 'evidence.integrity')).toEqual([
      expect.objectContaining({ status: 'FAIL', detail: expect.stringContaining(sealedKms!) }),
    ]);
    expect((await reportFindings(out, 'kms.rotation_enabled')).filter((f) => f.resource === keyArn)).toEqual([
      expect.objectContaining({
        status: 'ERROR',
        detail: expect.stringMatching(/^evidence failed integrity verification: .* differs from [0-9a-f]{64}/),
        evidence: expect.objectContaining({ key: sealedKms }),
      }),
    ]);
    expect(verified.status).toBe(1);
    expect(verified.stdout).toContain(`object-changed: ${sealedKms}: sha256`);
  }, 60_000);

  it('a late and a future event: both are filed when recorded, sealed with that period, and verify stays clean', async () => {
    // Prepare: yesterday sealed, then an event of yesterday (redriven late) and one dated 2099.
    const { store: collected, keyId, kms } = await collectedEstate(join(scratch(), 'collected'));
    const store = join(scratch(), 'evidence');
    await backdate(collected, store, 1);
    expect((await report(store, join(scratch(), 'report'))).status).toBe(0);
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const yesterday = new Date(Date.now() - DAY_MS).toISOString();
    const late = await eventFile('1a7e0000-0000-4000-8000-000000000001', keyId, yesterday);
    const future = await eventFile('f0700000-0000-4000-8000-000000000002', keyId, '2099-01-01T00:00:00Z');

    // Act
    const runs = [];
    for (const file of [late, future]) runs.push(await runCliCaptured([...common(), '--quiet', 'event', file, '--store', store]));
    const verified = await runCliCaptured([...common(), 'verify', '--store', store]);

    // Assess
    expect(runs.map((r) => r.status)).toEqual([0, 0]);
    const today = new Date().toISOString().slice(0, 10);
    const changes = await keysUnder(store, `${EVIDENCE_PREFIX}changes/`);
    expect(changes).toHaveLength(2);
    for (const key of changes) {
      expect(key).toContain(`/date=${today}/`);
      expect(verified.stdout).toContain(`waiting for a seal: ${key}`);
    }
    const times = await Promise.all(
      changes.map(
        async (key) => JSON.parse(gunzipSync(await readFile(join(store, key))).toString('utf8')).event.detail.eventTime,
      ),
    );
    expect(times.sort()).toEqual(['2099-01-01T00:00:00Z', yesterday].sort());
    expect(verified.status).toBe(0);
    expect(verified.stdout).not.toMatch(/object-unlisted/);
  }, 60_000);

  it('a read-only store: verify checks a read-only copy and a bucket without writing anything', async () => {
    // Prepare: collected and reported, then copied and made read-only; the same into a bucket.
    const { store, collect } = await collectedEstate();
    expect((await report(store, join(scratch(), 'report'))).status).toBe(0);
    const copy = join(scratch(), 'auditor-copy');
    await cp(store, copy, { recursive: true });
    await setReadOnly(copy, true);
    const before = await tree(copy);
    await emulatorClients(moto().url)
      .s3()
      .send(new CreateBucketCommand({ Bucket: 'evidence-copy', ObjectLockEnabledForBucket: true }));
    const bucketCollect = collect.map((arg, i) =>
      collect[i - 1] === '--store' ? 'evidence-copy' : arg === '--store' ? '--bucket' : arg,
    );
    expect((await runCliCaptured([...common(), ...bucketCollect])).status).toBe(0);
    denyWriteAccess(true);
    const sent: string[] = [];
    const send = S3Client.prototype.send;
    const spy = jest.spyOn(S3Client.prototype, 'send').mockImplementation(function (
      this: S3Client,
      command: { constructor: { name: string } },
    ) {
      sent.push(command.constructor.name);
      return (send as (c: unknown) => Promise<unknown>).call(this, command);
    } as never);

    // Act
    const local = await runCliCaptured([...common(), '--quiet', 'verify', '--store', copy]);
    const bucket = await runCliCaptured([...common(), '--quiet', 'verify', '--bucket', 'evidence-copy']);
    spy.mockRestore();

    // Assess
    expect(local).toMatchObject({ status: 0, stderr: '' });
    expect(local.stdout).toMatch(/^waiting for a seal: evidence\/v1\/collector=kms\//m);
    expect(local.stdout).toMatch(
      /^NOTHING SEALED YET: 0 digests, 0 objects, 0 bytes checked .*; \d+ evidence objects not yet covered/m,
    );
    expect(await tree(copy)).toEqual(before);
    expect(bucket).toMatchObject({ status: 0, stderr: '' });
    expect(bucket.stdout).toMatch(/^NOTHING SEALED YET: .*evidence objects not yet covered by any digest/m);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((name) => !/^(Get|Head|List)/.test(name))).toEqual([]);
  }, 60_000);
});
