import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DisableKeyRotationCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { evaluateStore, updateAlertState } from '../../lambdas/alerts/alerting';
import { unescapeMrkdwn, webhookSender } from '../../lambdas/alerts/slack';
import { FINDING_STATE_KEY } from '../../lambdas/alerts/state';
import type { FindingStatus } from '../../lambdas/checks/types';
import { parseConfig } from '../../lambdas/config/schema';
import { writeEvidence } from '../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../lambdas/evidence/local-store';
import { S3EvidenceStore } from '../../lambdas/evidence/s3-store';
import type { ConditionalWriteStore } from '../../lambdas/evidence/store';
import type { ReportFinding } from '../../lambdas/report/result';
import { evaluationOf } from '../helpers/alert-results';
import {
  keyRotationEventFile,
  FIXTURE_PRINCIPAL as PRINCIPAL,
  rotatingKeyEstate,
  useChangePathSandbox,
} from '../helpers/change-path-estate';
import { runCliCaptured } from '../helpers/cli';
import { RECORD_ACCOUNT as ACCOUNT, KEY_ARN, kmsRecord } from '../helpers/evidence-records';
import { emulatorClients, useMoto } from '../helpers/moto';

const moto = useMoto();
const sandbox = useChangePathSandbox();

/** The administrator inventory detail of issue 14: 25 administrators, 3,485 characters. */
function inventoryOf25(): string {
  const administrators = Array.from({ length: 25 }, (_, i) => {
    const name = `ml-platform-administrator-${String(i + 1).padStart(2, '0')}-`.padEnd(i < 15 ? 59 : 60, 'x');
    return `arn:aws:iam::${ACCOUNT}:user/${name} (arn:aws:iam::aws:policy/AdministratorAccess)`;
  });
  return `25 administrators (max 3): ${administrators.join('; ')}`;
}

function inventory(status: FindingStatus, detail: string): ReportFinding {
  return {
    check: 'iam.admin_inventory',
    resource: `arn:aws:iam::${ACCOUNT}:root`,
    account: ACCOUNT,
    region: 'global',
    status,
    detail,
    evidence: { key: 'evidence/v1/collector=iam/account=123456789012/region=global/iam.json.gz', sha256: 'ab'.repeat(32) },
  };
}

function rotation(status: FindingStatus): ReportFinding {
  return {
    check: 'kms.rotation_enabled',
    resource: KEY_ARN,
    account: ACCOUNT,
    region: 'us-east-1',
    status,
    detail: `KeyRotationEnabled ${status === 'PASS'}`,
    evidence: { key: 'evidence/v1/collector=kms/account=123456789012/region=us-east-1/kms.json.gz', sha256: 'cd'.repeat(32) },
  };
}

describe('fault injection: an over-long alert', () => {
  it('posts the 25-administrator change cut to Slack limits with a pointer to the full text, and the alert after it', async () => {
    // Prepare: Slack (the receiver) refuses any message over Block Kit's limits with 400 invalid_blocks
    const store = await LocalDirectoryStore.open(join(sandbox.dir, 'evidence'));
    const now = new Date('2026-11-26T10:16:00Z');
    const detail = inventoryOf25();
    await updateAlertState({
      store,
      result: evaluationOf([inventory('PASS', '3 administrators (max 3): ...'), rotation('PASS')]),
      now,
    });

    // Act
    const run = await updateAlertState({
      store,
      result: evaluationOf([inventory('FAIL', detail), rotation('FAIL')]),
      now,
      sender: webhookSender(sandbox.receiver.url),
    });

    // Assess
    expect(detail).toHaveLength(3485);
    expect(sandbox.receiver.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(run).toMatchObject({ messagesDelivered: 2, pending: [], undeliverable: [] });
    const [admins, keys] = sandbox.receiver.posts.map((p) => JSON.stringify(p.body.blocks));
    const logKey = run.alerts.find((a) => a.check === 'iam.admin_inventory')!.logKey!;
    expect(admins).toContain(`[truncated; full text: \`${store.location}/${logKey}\`]`);
    expect(keys).toContain('kms.rotation_enabled');
    const logged = JSON.parse(gunzipSync((await store.get(logKey))!).toString('utf8')) as { detail: string };
    expect(logged.detail).toBe(detail);
  });

  it('records a message Slack refuses for good and delivers the ones queued behind it', async () => {
    // Prepare: both changes are pending while Slack is unreachable
    const store = await LocalDirectoryStore.open(join(sandbox.dir, 'evidence'));
    const now = new Date('2026-11-26T10:16:00Z');
    await updateAlertState({ store, result: evaluationOf([inventory('PASS', 'ok'), rotation('PASS')]), now });
    await updateAlertState({ store, result: evaluationOf([inventory('FAIL', inventoryOf25()), rotation('FAIL')]), now });
    sandbox.receiver.answerNext({ status: 400, body: 'invalid_payload' });

    // Act
    const run = await updateAlertState({
      store,
      result: evaluationOf([inventory('FAIL', inventoryOf25()), rotation('FAIL')]),
      now,
      sender: webhookSender(sandbox.receiver.url),
    });

    // Assess
    expect(run.undeliverable).toEqual([expect.objectContaining({ status: 400, reason: 'invalid_payload' })]);
    expect(run).toMatchObject({ messagesDelivered: 1, pending: [] });
    expect(sandbox.receiver.posts.map((p) => p.body.text)).toEqual([expect.stringContaining('kms.rotation_enabled')]);
  });
});

/**
 * Two wrappers over one store that force the race of issue 14: both evaluations read the alert
 * state before either writes it, and the second writes only after the first's write settled.
 */
function racingPair(first: ConditionalWriteStore, second: ConditionalWriteStore): [ConditionalWriteStore, ConditionalWriteStore] {
  let reads = 0;
  let bothRead: () => void = () => undefined;
  const readBarrier = new Promise<void>((resolve) => {
    bothRead = resolve;
  });
  let firstWrote: () => void = () => undefined;
  const firstWrite = new Promise<void>((resolve) => {
    firstWrote = resolve;
  });
  const wrap = (store: ConditionalWriteStore, index: 0 | 1): ConditionalWriteStore => {
    let read = false;
    let wrote = false;
    return new Proxy(store, {
      get(target, property) {
        if (property === 'getTagged')
          return async (key: string) => {
            const object = await target.getTagged(key);
            if (key === FINDING_STATE_KEY && !read) {
              read = true;
              reads += 1;
              if (reads === 2) bothRead();
              await readBarrier;
            }
            return object;
          };
        if (property === 'putIfUnchanged')
          return async (...args: Parameters<ConditionalWriteStore['putIfUnchanged']>) => {
            const first = args[0] === FINDING_STATE_KEY && !wrote;
            wrote ||= first;
            if (first && index === 1) await firstWrite;
            try {
              return await target.putIfUnchanged(...args);
            } finally {
              if (first && index === 0) firstWrote();
            }
          };
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return [wrap(first, 0), wrap(second, 1)];
}

describe('fault injection: two concurrent events', () => {
  async function raceEvaluations(open: () => Promise<ConditionalWriteStore>) {
    // Prepare: a baseline with rotation on, then the record a DisableKeyRotation re-collection writes
    const store = await open();
    const config = parseConfig({});
    const now = new Date('2026-11-26T10:16:00Z');
    await writeEvidence(store, kmsRecord('2026-11-26T10:00:00.000Z', true));
    await updateAlertState({ store, result: await evaluateStore(store, config, now), now });
    const trigger = {
      type: 'event' as const,
      eventId: 'e-1',
      eventName: 'DisableKeyRotation',
      eventSource: 'kms.amazonaws.com',
      eventTime: '2026-11-26T10:15:30Z',
      principal: PRINCIPAL,
    };
    await writeEvidence(store, kmsRecord('2026-11-26T10:15:36.000Z', false, { trigger }));
    const result = await evaluateStore(store, config, now);
    const [a, b] = racingPair(await open(), await open());
    const sender = webhookSender(sandbox.receiver.url);

    // Act
    const runs = await Promise.all([a, b].map((s) => updateAlertState({ store: s, result, now, sender })));

    // Assess
    expect(runs.map((r) => r.alerts.map((x) => x.check).sort())).toEqual([['kms.rotation_enabled', 'kms.rotation_period'], []]);
    expect(sandbox.receiver.posts).toHaveLength(1);
    expect(unescapeMrkdwn(sandbox.receiver.posts[0]!.body.text)).toBe(
      `FAIL: DisableKeyRotation by ${PRINCIPAL} changed 2 checks on ${KEY_ARN}: kms.rotation_enabled PASS -> FAIL, kms.rotation_period PASS -> FAIL`,
    );
  }

  it('lets only one of two evaluations racing on a local store claim and post the transition', async () => {
    await raceEvaluations(() => LocalDirectoryStore.open(join(sandbox.dir, 'evidence')));
  });

  it('lets only one of two evaluations racing on the S3 bucket (If-Match on the ETag) claim and post it', async () => {
    const s3 = emulatorClients(moto().url).s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'soc2-ml-evidence' }));
    await raceEvaluations(async () => new S3EvidenceStore({ client: s3, bucket: 'soc2-ml-evidence' }));
  });

  it('posts one message when two soc2-ml event runs handle the same DisableKeyRotation at once', async () => {
    // Prepare
    const { kms, keyId, store, common } = await rotatingKeyEstate(moto(), sandbox.dir);
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    const file = await keyRotationEventFile(sandbox.dir, 'DisableKeyRotation', keyId, 'concurrent-1');
    const run = () =>
      runCliCaptured([...common, '--json', 'event', file, '--store', store, '--slack-webhook-url', sandbox.receiver.url]);

    // Act
    const outcomes = await Promise.all([run(), run()]);

    // Assess
    expect(outcomes.map((o) => o.status)).toEqual([0, 0]);
    const reports = outcomes.map((o) => JSON.parse(o.stdout) as { alerts: unknown[]; messagesDelivered: number });
    expect(reports.reduce((n, r) => n + r.alerts.length, 0)).toBe(2);
    expect(reports.reduce((n, r) => n + r.messagesDelivered, 0)).toBe(1);
    expect(sandbox.receiver.posts).toHaveLength(1);
    expect(unescapeMrkdwn(sandbox.receiver.posts[0]!.body.text)).toMatch(
      /^FAIL: DisableKeyRotation by .* changed 2 checks on .*: kms\.rotation_enabled PASS -> FAIL, kms\.rotation_period PASS -> FAIL$/,
    );
  });
});
