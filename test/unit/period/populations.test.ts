import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeChangeLog } from '../../../lambdas/events/change-log';
import type { CloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import { sha256Hex } from '../../../lambdas/evidence/hash';
import { drawSample, mulberry32, renderPopulationCsv } from '../../../lambdas/period/populations';
import { renderPeriodFiles } from '../../../lambdas/period/produce';
import { type TempStore, tempStore } from '../integrity/fixtures';
import { periodOf, snapshotAt } from './fixtures';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'events');

const IDS = Array.from({ length: 40 }, (_, i) => `row-${String(i).padStart(2, '0')}`);

describe('seeded samples', () => {
  it('draws the same rows for the same seed, whatever order the population is given in', () => {
    // Act
    const first = drawSample(IDS, 10, 20261201);
    const again = drawSample([...IDS].reverse(), 10, 20261201);

    // Assess
    expect(again).toEqual(first);
    expect(first.size).toBe(10);
    expect(new Set(first.rows).size).toBe(10);
    for (const row of first.rows) expect(IDS).toContain(row);
  });

  it('draws other rows for another seed, and never more rows than the population has', () => {
    expect(drawSample(IDS, 10, 1).rows).not.toEqual(drawSample(IDS, 10, 2).rows);
    expect(drawSample(IDS.slice(0, 3), 10, 1)).toEqual({ size: 3, seed: 1, rows: expect.arrayContaining(IDS.slice(0, 3)) });
    expect(drawSample([], 10, 1)).toEqual({ size: 0, seed: 1, rows: [] });
  });

  it('is mulberry32: uniform floats in [0, 1) from a 32-bit state', () => {
    // Assess: the generator is deterministic per seed and spreads over the interval.
    const random = mulberry32(42);
    const values = Array.from({ length: 10_000 }, () => random());
    expect(values.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    expect(mean).toBeGreaterThan(0.48);
    expect(mean).toBeLessThan(0.52);
    const replay = mulberry32(42);
    expect(Array.from({ length: 5 }, () => replay())).toEqual(values.slice(0, 5));
  });
});

describe('population CSV', () => {
  it('keeps a formula-looking cell inert', () => {
    // Act
    const csv = renderPopulationCsv({
      name: 'change-events',
      description: 'x',
      columns: ['event_id', 'user', 'evidence_key', 'evidence_sha256'],
      rows: [['e1', '=HYPERLINK("http://x")', 'k', 'a'.repeat(64)]],
    });

    // Assess
    expect(csv.split('\n')[1]).toBe(`e1,"'=HYPERLINK(""http://x"")",k,${'a'.repeat(64)}`);
  });
});

describe('populations from the change log', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await tempStore();
  });
  afterEach(() => temp.cleanup());

  /** A real event shape (test/fixtures/events) recorded in the change log at a known time. */
  async function recorded(
    name: string,
    eventId: string,
    eventTime: string,
    change: (detail: Record<string, unknown>) => void = () => {},
  ) {
    const event = JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as CloudTrailEvent;
    Object.assign(event.detail, { eventID: eventId, eventTime });
    change(event.detail as Record<string, unknown>);
    await writeChangeLog(temp.store, event, { recordedAt: eventTime, handling: 'recorded-only', evidence: [] });
  }

  it('lists credential creations and endpoint deployments of the window, each citing its change-log object', async () => {
    // Prepare
    await snapshotAt(temp.store, '2026-10-01T06:00:00.000Z', true);
    await recorded('CreateUser', 'u1', '2026-10-01T09:00:00Z', (d) => {
      d.responseElements = { user: { userName: 'alice', arn: 'arn:aws:iam::123456789012:user/alice' } };
    });
    await recorded('CreateAccessKey', 'k1', '2026-10-01T09:05:00Z');
    await recorded('CreateEndpoint', 'd1', '2026-10-01T11:00:00Z', (d) => {
      d.requestParameters = { endpointName: 'churn-endpoint', endpointConfigName: 'churn-config-v2' };
    });
    await recorded('PutBucketTagging', 'x1', '2026-10-01T12:00:00Z');
    await recorded('CreateAccessKey', 'denied', '2026-10-01T12:30:00Z', (d) => {
      d.errorCode = 'AccessDenied';
    });
    await recorded('CreateUser', 'late', '2026-10-05T09:00:00Z');

    // Act
    const produced = await periodOf(temp.store, '2026-10-01', '2026-10-02');
    const files = renderPeriodFiles(produced);

    // Assess
    const rows = (name: string) => files.get(`populations/${name}.csv`)!.trim().split('\n');
    expect(
      rows('change-events')
        .slice(1)
        .map((r) => r.split(',')[0]),
    ).toEqual(['u1', 'k1', 'd1', 'x1', 'denied']);
    expect(rows('change-events')[5]!.split(',')[8]).toBe('AccessDenied');
    expect(rows('new-credentials')[0]).toBe(
      'event_id,event_time,event_name,event_source,principal,account,region,user,evidence_key,evidence_sha256',
    );
    expect(
      rows('new-credentials')
        .slice(1)
        .map((r) => r.split(',').slice(0, 3).concat(r.split(',')[7]!)),
    ).toEqual([
      ['u1', '2026-10-01T09:00:00.000Z', 'CreateUser', 'alice'],
      ['k1', '2026-10-01T09:05:00.000Z', 'CreateAccessKey', 'alice'],
    ]);
    expect(
      rows('model-deployments')
        .slice(1)
        .map((r) => r.split(',').slice(7, 9)),
    ).toEqual([['churn-endpoint', 'churn-config-v2']]);
    const [key, sha256] = rows('model-deployments')[1]!.split(',').slice(9);
    expect(key).toMatch(/^evidence\/v1\/changes\/account=123456789012\/region=us-east-1\/date=2026-10-01\//);
    expect(sha256).toBe(sha256Hex((await temp.store.get(key!))!));
    expect(produced.result.populations.find((p) => p.name === 'model-deployments')).toMatchObject({
      size: 1,
      file: 'populations/model-deployments.csv',
      sample: { size: 1, seed: 7, rows: ['d1'] },
    });
  });
});
