import { parseConfig } from '../../../lambdas/config/schema';
import { handler } from '../../../lambdas/handlers/report';
import { periodRequestSchema, requestedWindow, runPeriodReport } from '../../../lambdas/period/deployed';
import { parseWindow } from '../../../lambdas/period/reconstruct';
import { type TempStore, tempStore } from '../integrity/fixtures';
import { snapshotAt } from './fixtures';

const CONTEXT = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:r', getRemainingTimeInMillis: () => 1 };

describe('period request of the report Lambda', () => {
  it('reads "previous-month" as the whole calendar month before the run, across a year end', () => {
    const previous = periodRequestSchema.parse({ period: 'previous-month' });
    expect(requestedWindow(previous, new Date('2026-03-01T02:00:00Z'))).toMatchObject({ from: '2026-02-01', to: '2026-02-28' });
    expect(requestedWindow(previous, new Date('2027-01-01T00:05:00Z'))).toMatchObject({ from: '2026-12-01', to: '2026-12-31' });
    const explicit = periodRequestSchema.parse({ period: { from: '2026-01-01', to: '2026-06-30' } });
    expect(requestedWindow(explicit, new Date())).toMatchObject({ from: '2026-01-01', to: '2026-06-30' });
  });

  it('refuses a malformed period request before touching AWS', async () => {
    await expect(handler({ period: { from: '2026-01-01' } }, CONTEXT)).rejects.toThrow(
      /^the report handler refuses this period request: /,
    );
    await expect(handler({ period: 'last-week' }, CONTEXT)).rejects.toThrow(/refuses this period request/);
  });
});

describe('runPeriodReport', () => {
  let temp: TempStore;
  beforeEach(async () => {
    temp = await tempStore();
  });
  afterEach(() => temp.cleanup());

  it('writes every period file once under reports/period/<from>_<to>/, and nothing on a retry', async () => {
    // Prepare
    await snapshotAt(temp.store, '2026-10-10T06:00:00.000Z', true);
    const run = () =>
      runPeriodReport({
        store: temp.store,
        config: parseConfig({}),
        now: new Date(),
        window: parseWindow('2026-10-01', '2026-10-31'),
      });

    // Act
    const first = await run();
    const retry = await run();

    // Assess
    expect(first.status).toBe('written');
    expect(first.keys.map((k) => k.replace('reports/period/2026-10-01_2026-10-31/', '')).sort()).toEqual([
      'period.csv',
      'period.html',
      'period.json',
      'period.oscal.json',
      'populations/change-events.csv',
      'populations/drift-intervals.csv',
      'populations/model-deployments.csv',
      'populations/new-credentials.csv',
    ]);
    expect(first.keys[first.keys.length - 1]).toBe('reports/period/2026-10-01_2026-10-31/period.json');
    expect(retry).toMatchObject({ status: 'already-written', keys: [] });
    const stored = JSON.parse(
      new TextDecoder().decode(await temp.store.get('reports/period/2026-10-01_2026-10-31/period.json')),
    ) as { populations: { sample: { seed: number } }[] };
    expect(stored.populations[0]!.sample.seed).toBe(first.seed);
  });

  it('refuses to mix with the files of a run that stopped before period.json', async () => {
    // Prepare
    await snapshotAt(temp.store, '2026-10-10T06:00:00.000Z', true);
    await temp.store.put('reports/period/2026-10-01_2026-10-31/period.csv', new TextEncoder().encode('partial'));

    // Act
    const run = runPeriodReport({
      store: temp.store,
      config: parseConfig({}),
      now: new Date(),
      window: parseWindow('2026-10-01', '2026-10-31'),
    });

    // Assess
    await expect(run).rejects.toThrow('reports/period/2026-10-01_2026-10-31/ holds 1 file(s) of an incomplete earlier run');
  });
});
