import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { loadCatalog } from '../../lambdas/catalog/catalog';
import { parseConfig } from '../../lambdas/config/schema';
import type { PathLogger } from '../../lambdas/events/change-path';
import { S3EvidenceStore } from '../../lambdas/evidence/s3-store';
import { runInboxBatch } from '../../lambdas/handlers/inbox';
import { listManualEvidence } from '../../lambdas/integrity/attest';
import { decodeDigest, sealPeriods } from '../../lambdas/integrity/digest';
import { INTAKE_TAG, type IntakeRecord, S3InboxObjects } from '../../lambdas/integrity/inbox';
import { MANUAL_CHAIN } from '../../lambdas/integrity/periods';
import { LocalDigestSigner } from '../../lambdas/integrity/signer';
import { produceReport } from '../../lambdas/report/produce';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';

const moto = useMoto();
const BUCKET = 'evidence-bucket';
const NOW = new Date('2026-11-30T09:00:00.000Z');
const UPLOADER = 'AWS:AIDAJDPLRKLG7UEXAMPLE';
const logged: string[] = [];
const logger: PathLogger = {
  info: () => undefined,
  warn: (message) => void logged.push(message),
  error: (message) => void logged.push(message),
};

/**
 * The SQS message S3 sends for a PutObject, in the shape of "Event message structure",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * (moto stores the object but does not deliver notifications to our queue).
 */
function notification(key: string, size: number, put: { ETag?: string; VersionId?: string }, messageId = 'm-1') {
  return {
    messageId,
    body: JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: '2026-11-30T08:59:58.120Z',
          eventName: 'ObjectCreated:Put',
          userIdentity: { principalId: UPLOADER },
          requestParameters: { sourceIPAddress: '203.0.113.7' },
          responseElements: {
            'x-amz-request-id': 'C3D13FE58DE4C810',
            'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
          },
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'inbox',
            bucket: { name: BUCKET, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${BUCKET}` },
            object: {
              key: encodeURIComponent(key).replaceAll('%2F', '/').replaceAll('%20', '+'),
              size,
              eTag: (put.ETag ?? '').replaceAll('"', ''),
              ...(put.VersionId ? { versionId: put.VersionId } : {}),
              sequencer: '0055AED6DCD90281E5',
            },
          },
        },
      ],
    }),
  };
}

describe('evidence inbox against the emulator', () => {
  let s3: S3Client;
  let store: S3EvidenceStore;
  let keysDir: string;
  beforeEach(async () => {
    logged.length = 0;
    s3 = emulatorClients(moto().url).s3();
    // No TLS-only bucket policy here: moto applies Deny statements without their conditions (STACK.md).
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true }));
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: BUCKET,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 1 } } },
      }),
    );
    store = new S3EvidenceStore({
      client: s3,
      bucket: BUCKET,
      objectLock: { mode: 'COMPLIANCE', retentionDays: 400 },
      clock: () => NOW,
    });
    keysDir = await mkdtemp(join(tmpdir(), 'soc2-inbox-keys-'));
  });
  afterEach(() => rm(keysDir, { recursive: true, force: true }));

  const drop = async (key: string, body: string, tagging?: string) => {
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: body,
        // Stated, so the SDK need not guess the length of an empty body.
        ContentLength: Buffer.byteLength(body),
        ...(tagging ? { Tagging: tagging } : {}),
      }),
    );
    return notification(key, Buffer.byteLength(body), put);
  };
  const run = (records: { messageId: string; body: string }[], now = NOW) =>
    runInboxBatch(
      { Records: records },
      {
        store,
        objects: new S3InboxObjects(s3, BUCKET),
        catalog: loadCatalog(),
        account: EMULATOR_ACCOUNT,
        clock: () => now,
        logger,
      },
    );
  const intake = async (recordKey: string): Promise<IntakeRecord> =>
    JSON.parse(gunzipSync((await store.get(recordKey))!).toString('utf8'));

  it('takes a dropped file in as ATTESTED manual evidence, with uploader and tagged expiry, sealed in the next digest', async () => {
    // Prepare
    const message = await drop(
      'inbox/PRIV-CM-5/2026 training records.pdf',
      'all 14 engineers trained',
      'expires-in-days=200&attested-by=Dana',
    );

    // Act
    const [outcome] = await run([message]);
    const report = await produceReport(store, { config: parseConfig({}), now: NOW });
    const sealed = await sealPeriods(store, await LocalDigestSigner.open(join(keysDir, 'k.pem')), {
      now: new Date('2026-12-02T00:00:00Z'),
    });

    // Assess
    expect(outcome).toMatchObject({
      status: 'done',
      intakes: [{ key: 'inbox/PRIV-CM-5/2026 training records.pdf', outcome: 'accepted' }],
    });
    const [manual] = await listManualEvidence(store);
    expect(manual).toMatchObject({
      itemId: 'PRIV-CM-5',
      fileName: '2026 training records.pdf',
      uploadedBy: UPLOADER,
      attestedBy: 'Dana',
      uploadedAt: NOW.toISOString(),
      expiresAt: '2027-06-18T09:00:00.000Z',
    });
    expect(manual!.key).toBe('manual/PRIV-CM-5/2026-11-30/090000000Z-2026_training_records.pdf');
    const item = report.result.items.find((i) => i.id === 'PRIV-CM-5')!;
    expect(item.status).toBe('ATTESTED');
    expect(item.manualEvidence[0]).toMatchObject({ key: manual!.key, fresh: true });
    const retention = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: manual!.key }));
    expect(retention.ObjectLockMode).toBe('COMPLIANCE');
    const manualDigest = sealed.find((d) => d.chain === MANUAL_CHAIN && d.period.id === '2026-11-30')!;
    const listed = decodeDigest((await store.get(manualDigest.key))!).payload.objects.map((o) => o.key);
    expect(listed).toEqual([manual!.key, `${manual!.key}.meta.json`]);
    // The intake record is sealed evidence too, and the upload stays in the inbox, marked with it.
    const recordKey = outcome!.intakes[0]!.recordKey!;
    expect(recordKey).toMatch(/^evidence\/v1\/inbox\/account=123456789012\/date=2026-11-30\/090000000Z-[0-9a-f]{24}\.json\.gz$/);
    expect(await intake(recordKey)).toMatchObject({
      outcome: 'accepted',
      upload: { uploader: UPLOADER, sourceIp: '203.0.113.7' },
    });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'inbox/PRIV-CM-5/2026 training records.pdf' }));
    expect(tags.TagSet).toEqual(expect.arrayContaining([{ Key: INTAKE_TAG, Value: recordKey }]));
    expect(logged).toEqual([]);
  });

  it("records the item's own freshness as the expiry when no tag gives one", async () => {
    // Act
    await run([await drop('inbox/sec-am-5/review.pdf', 'reviewed')]);
    // Assess: SEC-AM-5 is renewed every 90 days.
    expect((await listManualEvidence(store))[0]).toMatchObject({ itemId: 'SEC-AM-5', expiresAt: '2027-02-28T09:00:00.000Z' });
  });

  it('rejects a file for an unknown item, an empty file, a bad expiry tag, a loose file and a vanished one, keeping the reason and the upload', async () => {
    // Prepare
    const messages = [
      await drop('inbox/SEC-AM-55/review.pdf', 'reviewed'),
      await drop('inbox/DOC-4/empty.txt', ''),
      await drop('inbox/DOC-4/log.csv', 'no incidents', 'expires-in-days=soon'),
      await drop('inbox/loose-file.pdf', 'where does this go'),
      notification('inbox/DOC-4/never-stored.pdf', 10, { ETag: '"x"', VersionId: 'no-such-version' }),
    ].map((m, i) => ({ ...m, messageId: `m-${i}` }));

    // Act
    const outcomes = await run(messages);

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    const reasons = await Promise.all(outcomes.map(async (o) => (await intake(o.intakes[0]!.recordKey!)).reason));
    expect(reasons).toEqual([
      { code: 'unknown-item', detail: 'unknown checklist item "SEC-AM-55"; closest: SEC-AM-5, SEC-AM-1, SEC-AM-2' },
      { code: 'empty', detail: 'the file is empty' },
      { code: 'bad-tag', detail: 'tag expires-in-days=soon: not a whole number of days above 0' },
      { code: 'not-in-item-folder', detail: 'inbox/loose-file.pdf is not under inbox/<ITEM-ID>/' },
      { code: 'missing', detail: 'the uploaded object version no longer exists' },
    ]);
    expect(await listManualEvidence(store)).toEqual([]);
    expect(await new S3InboxObjects(s3, BUCKET).read('inbox/SEC-AM-55/review.pdf')).toEqual(new TextEncoder().encode('reviewed'));
  });

  it('takes a redelivered notification in only once', async () => {
    // Prepare
    const message = await drop('inbox/DOC-4/log.csv', 'no incidents');
    // Act
    const [first] = await run([message]);
    const [again] = await run([message], new Date(NOW.getTime() + 60_000));
    // Assess
    expect(first!.intakes[0]!.outcome).toBe('accepted');
    expect(again!.intakes).toEqual([
      { key: 'inbox/DOC-4/log.csv', outcome: 'duplicate', recordKey: first!.intakes[0]!.recordKey },
    ]);
    expect(await listManualEvidence(store)).toHaveLength(1);
  });

  it('reports a message it cannot parse as failed, so SQS retries and then dead-letters it', async () => {
    // Act
    const [outcome] = await run([{ messageId: 'bad', body: '{not json' }]);
    // Assess
    expect(outcome).toMatchObject({ messageId: 'bad', status: 'failed' });
    expect(logged).toEqual(['inbox message not taken in']);
  });

  it('takes in what `soc2-ml attest --inbox --bucket` hands in, with its tagged expiry, attester and note', async () => {
    // Prepare
    const file = join(keysDir, 'q4 review.pdf');
    await writeFile(file, 'signed Q4 review');
    // Act
    const handed = await runCliCaptured([
      ...['--endpoint-url', moto().url, '--json', 'attest', 'sec-am-5', file, '--inbox', '--bucket', BUCKET],
      ...['--expires-in', '60', '--attested-by', 'Dana - CISO', '--note', 'Q4 review: 3 removals'],
    ]);
    const [dropped] = JSON.parse(handed.stdout) as { key: string; versionId?: string }[];
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: dropped!.key }));
    const [outcome] = await run([
      notification(dropped!.key, Number(head.ContentLength), { ETag: head.ETag, VersionId: dropped!.versionId }),
    ]);
    // Assess
    expect(handed).toMatchObject({ status: 0, stderr: '' });
    expect(dropped!.key).toBe('inbox/SEC-AM-5/q4 review.pdf');
    expect(outcome!.intakes[0]!.outcome).toBe('accepted');
    expect((await listManualEvidence(store))[0]).toMatchObject({
      itemId: 'SEC-AM-5',
      attestedBy: 'Dana - CISO',
      note: 'Q4 review: 3 removals',
      expiresAt: '2027-01-29T09:00:00.000Z',
    });
  });

  it('refuses --inbox without --bucket and a note S3 cannot carry as a tag', async () => {
    // Prepare
    const file = join(keysDir, 'r.pdf');
    await writeFile(file, 'x');
    // Act
    const local = await runCliCaptured(['attest', 'SEC-AM-5', file, '--inbox', '--store', join(keysDir, 's')]);
    const comma = await runCliCaptured([
      ...['--endpoint-url', moto().url, 'attest', 'SEC-AM-5', file, '--inbox', '--bucket', BUCKET, '--note', 'a, b'],
    ]);
    // Assess
    expect(local).toMatchObject({
      status: 2,
      stderr: 'soc2-ml: --inbox needs --bucket: the inbox is a folder of the deployed evidence bucket\n',
    });
    expect(comma.status).toBe(2);
    expect(comma.stderr).toMatch(/^soc2-ml: --note cannot travel as an S3 tag/);
  });
});
