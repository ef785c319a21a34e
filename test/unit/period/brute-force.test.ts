import { COLLECTORS } from '../../../lambdas/collectors/registry';
import { parseConfig } from '../../../lambdas/config/schema';
import { decodeEvidence } from '../../../lambdas/evidence/evidence-io';
import { sha256Hex } from '../../../lambdas/evidence/hash';
import { REPLAYED_CHECKS } from '../../../lambdas/period/produce';
import { parseWindow, reconstructPeriod } from '../../../lambdas/period/reconstruct';
import { PeriodReplay, type ReplayResult } from '../../../lambdas/period/replay';
import type { StoredEvidence } from '../../../lambdas/report/snapshots';
import { writeSyntheticYear } from '../../../scripts/bench-period-store';
import { type TempStore, tempStore } from '../integrity/fixtures';

const GLOBAL = Object.values(COLLECTORS)
  .filter((c) => c.global)
  .map((c) => c.name);
const config = parseConfig({});

let temp: TempStore;
beforeEach(async () => {
  temp = await tempStore();
});
afterEach(() => temp.cleanup());

const comparable = (result: ReplayResult) => ({
  resources: result.resources
    .map((r) => ({ ...r, intervals: r.intervals.map(({ detail: _detail, ...rest }) => rest) }))
    .sort((a, b) => `${a.check} ${a.resource} ${a.region}`.localeCompare(`${b.check} ${b.resource} ${b.region}`)),
  checks: [...result.checks].sort(([a], [b]) => a.localeCompare(b)),
});

/**
 * The naive replay: every record of the store read, and after each one every check evaluated on
 * the report's own snapshot selection (buildSnapshots) over all records so far. The year's
 * statuses change through its evidence (planted drifts), not through time passing, so deciding
 * at every record and the replay's deciding at changes and daily must agree exactly.
 */
async function bruteForce(store: TempStore['store'], window: ReturnType<typeof parseWindow>): Promise<ReplayResult> {
  const all: StoredEvidence[] = [];
  for await (const object of store.list('evidence/v1/collector=')) {
    const bytes = (await store.get(object.key))!;
    all.push({ record: decodeEvidence(bytes), evidence: { key: object.key, sha256: sha256Hex(bytes) } });
  }
  all.sort((a, b) => a.record.collectedAt.localeCompare(b.record.collectedAt) || a.evidence.key.localeCompare(b.evidence.key));
  const replay = new PeriodReplay({ from: window.start, to: window.end, config, globalCollectors: GLOBAL });
  const soFar = all.filter((item) => Date.parse(item.record.collectedAt) < window.start);
  replay.observe(window.start, soFar, REPLAYED_CHECKS);
  for (const item of all) {
    const at = Date.parse(item.record.collectedAt);
    if (at < window.start || at >= window.end) continue;
    soFar.push(item);
    replay.observe(at, soFar, REPLAYED_CHECKS);
  }
  return replay.finish();
}

describe('period replay against a brute-force replay of every record', () => {
  it('gives identical intervals, causes and evidence on a synthetic stretch with a planted drift', async () => {
    // Prepare: four days, the first one only before the window; rotation disabled on day 1, re-enabled on day 3.
    const { drifts } = await writeSyntheticYear(temp.store, {
      start: '2026-01-01',
      days: 4,
      eventsPerDay: 24,
      resources: 200,
      driftDays: [1],
      kmsGapDays: [],
    });
    const window = parseWindow('2026-01-02', '2026-01-04');

    // Act
    const replayed = await reconstructPeriod(temp.store, { window, config, checks: REPLAYED_CHECKS, globalCollectors: GLOBAL });
    const naive = await bruteForce(temp.store, window);

    // Assess
    expect(comparable(replayed)).toEqual(comparable(naive));
    const drift = drifts[0]!;
    const onKey = replayed.resources.find((r) => r.check === 'kms.rotation_enabled' && r.resource === drift.keyArn)!;
    expect(
      onKey.intervals.map((i) => [i.status, new Date(i.from).toISOString(), new Date(i.to).toISOString(), i.cause?.eventId]),
    ).toEqual([
      ['PASS', '2026-01-02T00:00:00.000Z', drift.from, undefined],
      ['FAIL', drift.from, drift.to, drift.disableEventId],
      ['PASS', drift.to, '2026-01-05T00:00:00.000Z', expect.any(String)],
    ]);
    expect(replayed.resources.length).toBeGreaterThan(500);
    // Intervals tile the window per check and resource: no gap, no overlap, start to end.
    const untiled = replayed.resources.filter(
      ({ intervals }) =>
        intervals[0]?.from !== window.start ||
        intervals[intervals.length - 1]?.to !== window.end ||
        intervals.some((interval, i) => interval.to <= interval.from || (i > 0 && interval.from !== intervals[i - 1]!.to)),
    );
    expect(untiled).toEqual([]);
  }, 120_000);
});
