import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DisableKeyRotationCommand, EnableKeyRotationCommand } from '@aws-sdk/client-kms';
import type { PeriodResult } from '../../lambdas/period/types';
import { runCliCaptured } from '../helpers/cli';
import { EMULATOR_ACCOUNT, emulatorClients, useMoto } from '../helpers/moto';

const moto = useMoto();
const FIXTURES = join(__dirname, '..', 'fixtures', 'events');
const PRINCIPAL = `arn:aws:sts::${EMULATOR_ACCOUNT}:assumed-role/PlatformAdmin/jane.doe`;
const DISABLE_ID = 'b1d2c3e4-0000-4000-8000-000000000017';
const ENABLE_ID = 'b1d2c3e4-0000-4000-8000-000000000018';
const DISABLED_AT = '2026-11-24T20:15:30.000Z';
const ENABLED_AT = '2026-11-25T20:15:30.000Z';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-period-'));
  process.env.XDG_CONFIG_HOME = join(dir, 'config-home');
});
afterEach(async () => {
  jest.useRealTimers();
  await rm(dir, { recursive: true, force: true });
});

/**
 * Only Date is faked: every record and change-log entry takes its time from the clock, so the
 * store holds a known history; timers, sockets and the emulator run for real.
 */
function setClock(iso: string): void {
  jest.useFakeTimers({
    now: new Date(iso),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}

/** The real DisableKeyRotation / EnableKeyRotation event shapes (test/fixtures/events), pointed at the key, at a known time. */
async function eventFile(name: 'DisableKeyRotation' | 'EnableKeyRotation', keyId: string, eventId: string, at: string) {
  const event = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));
  event.detail.requestParameters = { keyId };
  event.detail.eventID = eventId;
  event.detail.eventTime = at.replace(/\.\d{3}Z$/, 'Z');
  event.time = event.detail.eventTime;
  const path = join(dir, `${eventId}.json`);
  await writeFile(path, JSON.stringify(event));
  return path;
}

describe('soc2-ml period over a key whose rotation was disabled for a day', () => {
  it('shows that FAIL interval on both rotation checks with principal and event, NOT_OBSERVED before the first collection, the change events, and a reproducible sample', async () => {
    // Prepare: a key with rotation on, collected four times a day; disabled by jane.doe at a known time, re-enabled a day later.
    const clients = emulatorClients(moto().url);
    const kms = clients.kms('us-east-1');
    const key = await kms.send(new CreateKeyCommand({ Description: 'training data key' }));
    const keyId = key.KeyMetadata!.KeyId!;
    const keyArn = key.KeyMetadata!.Arn!;
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    const store = join(dir, 'evidence');
    const common = ['--endpoint-url', moto().url, '--region', 'us-east-1', '--quiet'];
    const collectAt = async (at: string) => {
      setClock(at);
      const run = await runCliCaptured([...common, 'collect', '--collectors', 'kms', '--regions', 'us-east-1', '--store', store]);
      expect(run.status).toBe(0);
    };
    const changeAt = async (at: string, file: string) => {
      setClock(at);
      const run = await runCliCaptured([...common, 'event', file, '--store', store]);
      expect(run.status).toBe(0);
    };
    for (const at of ['2026-11-24T06:00:00.000Z', '2026-11-24T12:00:00.000Z', '2026-11-24T18:00:00.000Z']) await collectAt(at);
    await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
    await changeAt('2026-11-24T20:16:10.000Z', await eventFile('DisableKeyRotation', keyId, DISABLE_ID, DISABLED_AT));
    for (const at of [
      '2026-11-25T00:00:00.000Z',
      '2026-11-25T06:00:00.000Z',
      '2026-11-25T12:00:00.000Z',
      '2026-11-25T18:00:00.000Z',
    ])
      await collectAt(at);
    await kms.send(new EnableKeyRotationCommand({ KeyId: keyId }));
    await changeAt('2026-11-25T20:16:10.000Z', await eventFile('EnableKeyRotation', keyId, ENABLE_ID, ENABLED_AT));
    for (const at of ['2026-11-26T00:00:00.000Z', '2026-11-26T06:00:00.000Z']) await collectAt(at);
    setClock('2026-11-27T01:00:00.000Z');
    const period = (out: string) =>
      runCliCaptured([
        ...common,
        'period',
        '--from',
        '2026-11-24',
        '--to',
        '2026-11-26',
        '--store',
        store,
        '--out',
        out,
        '--sample',
        '1',
        '--seed',
        '424242',
      ]);

    // Act
    const first = await period(join(dir, 'period-1'));
    const second = await period(join(dir, 'period-2'));

    // Assess
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(second.status).toBe(0);
    const result = JSON.parse(await readFile(join(dir, 'period-1', 'period.json'), 'utf8')) as PeriodResult;
    expect(result.schema).toBe('soc2-ml-period/v1');
    for (const check of ['kms.rotation_enabled', 'kms.rotation_period']) {
      const onKey = result.checks.find((c) => c.check === check && c.resource === keyArn);
      expect(onKey?.items).toEqual(['SEC-DP-3']);
      expect(onKey?.intervals.map(({ status, from, to, cause }) => ({ status, from, to, cause }))).toEqual([
        { status: 'NOT_OBSERVED', from: '2026-11-24T00:00:00.000Z', to: '2026-11-24T06:00:00.000Z', cause: undefined },
        { status: 'PASS', from: '2026-11-24T06:00:00.000Z', to: DISABLED_AT, cause: undefined },
        {
          status: 'FAIL',
          from: DISABLED_AT,
          to: ENABLED_AT,
          cause: { eventName: 'DisableKeyRotation', eventId: DISABLE_ID, principal: PRINCIPAL, time: '2026-11-24T20:15:30Z' },
        },
        {
          status: 'PASS',
          from: ENABLED_AT,
          to: '2026-11-27T00:00:00.000Z',
          cause: { eventName: 'EnableKeyRotation', eventId: ENABLE_ID, principal: PRINCIPAL, time: '2026-11-25T20:15:30Z' },
        },
      ]);
      expect(onKey?.notObservedSeconds).toBe(6 * 3600);
      expect(onKey?.observedSeconds).toBe(66 * 3600);
      expect(onKey?.compliantSeconds).toBe(42 * 3600);
    }
    const item = result.items.find((i) => i.id === 'SEC-DP-3')!;
    expect(
      item.drift.filter((d) => d.resource === keyArn).map((d) => [d.check, d.seconds, d.remediated, d.cause?.principal]),
    ).toEqual([
      ['kms.rotation_enabled', 86_400, true, PRINCIPAL],
      ['kms.rotation_period', 86_400, true, PRINCIPAL],
    ]);

    const changeEvents = await readFile(join(dir, 'period-1', 'populations', 'change-events.csv'), 'utf8');
    const rows = changeEvents.trim().split('\n');
    expect(rows[0]).toBe(
      'event_id,event_time,event_name,event_source,principal,account,region,handling,error_code,evidence_key,evidence_sha256',
    );
    expect(rows.slice(1).map((row) => row.split(',').slice(0, 5))).toEqual([
      [DISABLE_ID, DISABLED_AT, 'DisableKeyRotation', 'kms.amazonaws.com', PRINCIPAL],
      [ENABLE_ID, ENABLED_AT, 'EnableKeyRotation', 'kms.amazonaws.com', PRINCIPAL],
    ]);
    const population = result.populations.find((p) => p.name === 'change-events')!;
    expect(population.size).toBe(2);
    const again = JSON.parse(await readFile(join(dir, 'period-2', 'period.json'), 'utf8')) as PeriodResult;
    expect(again.populations.map((p) => p.sample)).toEqual(result.populations.map((p) => p.sample));
    expect(population.sample).toEqual({ size: 1, seed: 424242, rows: [expect.stringMatching(/^b1d2c3e4-/)] });
    expect(result.populations.map((p) => p.name)).toEqual([
      'change-events',
      'drift-intervals',
      'new-credentials',
      'model-deployments',
    ]);
  }, 120_000);
});
