import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../lambdas/config/schema';
import { writeChangeLog } from '../../../lambdas/events/change-log';
import type { CloudTrailEvent } from '../../../lambdas/events/cloudtrail-event';
import type { EvidenceStore, ListedObject } from '../../../lambdas/evidence/store';
import { attest } from '../../../lambdas/integrity/attest';
import { PeriodInputError, parseWindow } from '../../../lambdas/period/reconstruct';
import { type TempStore, tempStore } from '../integrity/fixtures';
import { KEY_ARN, keyIntervals, periodOf, recollectionAt, snapshotAt } from './fixtures';

let temp: TempStore;
beforeEach(async () => {
  temp = await tempStore();
});
afterEach(() => temp.cleanup());

describe('period reconstruction', () => {
  it('reports a collection gap longer than the freshness window as NOT_OBSERVED, never bridged as PASS', async () => {
    // Prepare: snapshots at 06:00 on the 1st and 12:00 on the 3rd; 26 h freshness.
    await snapshotAt(temp.store, '2026-10-01T06:00:00.000Z', true);
    await snapshotAt(temp.store, '2026-10-03T12:00:00.000Z', true);

    // Act
    const { result } = await periodOf(temp.store, '2026-10-01', '2026-10-03');

    // Assess
    expect(keyIntervals(result, 'kms.rotation_enabled')).toEqual([
      { status: 'NOT_OBSERVED', from: '2026-10-01T00:00:00.000Z', to: '2026-10-01T06:00:00.000Z' },
      { status: 'PASS', from: '2026-10-01T06:00:00.000Z', to: '2026-10-02T08:00:00.000Z' },
      { status: 'NOT_OBSERVED', from: '2026-10-02T08:00:00.000Z', to: '2026-10-03T12:00:00.000Z' },
      { status: 'PASS', from: '2026-10-03T12:00:00.000Z', to: '2026-10-04T00:00:00.000Z' },
    ]);
    const check = result.checks.find((c) => c.check === 'kms.rotation_enabled' && c.resource === KEY_ARN)!;
    expect(check.notObservedSeconds).toBe((6 + 28) * 3600);
    expect(check.compliantSeconds).toBe((26 + 12) * 3600);
  });

  it('starts the window from the last snapshot before it and places a change at its CloudTrail event time', async () => {
    // Prepare
    await snapshotAt(temp.store, '2026-10-04T18:00:00.000Z', true);
    await recollectionAt(temp.store, '2026-10-05T09:30:20.000Z', false, {
      eventName: 'DisableKeyRotation',
      eventId: 'e1',
      eventTime: '2026-10-05T09:30:00Z',
    });
    await snapshotAt(temp.store, '2026-10-05T18:00:00.000Z', false);

    // Act
    const { result } = await periodOf(temp.store, '2026-10-05', '2026-10-05');

    // Assess
    expect(keyIntervals(result, 'kms.rotation_enabled')).toEqual([
      { status: 'PASS', from: '2026-10-05T00:00:00.000Z', to: '2026-10-05T09:30:00.000Z' },
      { status: 'FAIL', from: '2026-10-05T09:30:00.000Z', to: '2026-10-06T00:00:00.000Z', cause: 'DisableKeyRotation' },
    ]);
  });

  it('lists only the window days and the days back to the baseline snapshot, never the whole store', async () => {
    // Prepare: a snapshot every day of October; the window is the 20th and 21st.
    for (let day = 1; day <= 31; day += 1)
      await snapshotAt(temp.store, `2026-10-${String(day).padStart(2, '0')}T06:00:00.000Z`, true);
    const listed: string[] = [];
    const read: string[] = [];
    const watched: EvidenceStore = {
      location: temp.store.location,
      put: (key, body) => temp.store.put(key, body),
      get: (key) => {
        read.push(key);
        return temp.store.get(key);
      },
      list: (prefix): AsyncIterable<ListedObject> => {
        listed.push(prefix);
        return temp.store.list(prefix);
      },
      listFolders: (prefix) => temp.store.listFolders(prefix),
    };

    // Act
    const { result } = await periodOf(watched, '2026-10-20', '2026-10-21');

    // Assess
    const recordDays = (keys: string[]) =>
      [...new Set(keys.filter((k) => k.includes('collector=')).map((k) => /date=([\d-]+)/.exec(k)![1]))].sort();
    expect(recordDays(listed)).toEqual(['2026-10-19', '2026-10-20', '2026-10-21']);
    expect(recordDays(read)).toEqual(['2026-10-19', '2026-10-20', '2026-10-21']);
    expect(read.filter((k) => k.includes('collector='))).toHaveLength(3);
    expect(keyIntervals(result, 'kms.rotation_enabled')).toEqual([
      { status: 'PASS', from: '2026-10-20T00:00:00.000Z', to: '2026-10-22T00:00:00.000Z' },
    ]);
  });

  it('applies an exception until the end of its expiry date, then FAIL at once', async () => {
    // Prepare: rotation off throughout; an exception that ran out at the end of the 2nd.
    for (const at of ['2026-10-01T06:00:00.000Z', '2026-10-02T06:00:00.000Z', '2026-10-03T06:00:00.000Z'])
      await snapshotAt(temp.store, at, false);
    const config = parseConfig({
      exceptions: [
        {
          check: 'kms.rotation_enabled',
          resource: KEY_ARN,
          justification: 'vendor key rotated by the vendor',
          approver: 'ciso@example.com',
          expires: '2026-10-02',
        },
      ],
    });

    // Act
    const { result } = await periodOf(temp.store, '2026-10-01', '2026-10-03', config);

    // Assess
    expect(keyIntervals(result, 'kms.rotation_enabled')).toEqual([
      { status: 'NOT_OBSERVED', from: '2026-10-01T00:00:00.000Z', to: '2026-10-01T06:00:00.000Z' },
      { status: 'EXCEPTED', from: '2026-10-01T06:00:00.000Z', to: '2026-10-03T00:00:00.000Z' },
      { status: 'FAIL', from: '2026-10-03T00:00:00.000Z', to: '2026-10-04T00:00:00.000Z' },
    ]);
  });

  it('counts manual evidence only over the days it was valid', async () => {
    // Prepare: a pipeline run record (SEC-IS-4, manual) uploaded on the 2nd at noon, valid one day.
    await snapshotAt(temp.store, '2026-10-01T06:00:00.000Z', true);
    await attest(temp.store, {
      itemId: 'SEC-IS-4',
      fileName: 'pipeline-run.pdf',
      bytes: new TextEncoder().encode('pipeline run'),
      uploadedBy: 'local:auditor',
      expiresInDays: 1,
      now: new Date('2026-10-02T12:00:00.000Z'),
      knownItemIds: ['SEC-IS-4'],
    });

    // Act
    const { result } = await periodOf(temp.store, '2026-10-01', '2026-10-03');

    // Assess
    const item = result.items.find((i) => i.id === 'SEC-IS-4')!;
    expect(item.manualEvidence).toEqual([
      expect.objectContaining({
        validFrom: '2026-10-02T12:00:00.000Z',
        validTo: '2026-10-03T12:00:00.000Z',
        validSeconds: 86_400,
      }),
    ]);
    expect(item.intervals).toEqual([
      { status: 'NEEDS_EVIDENCE', from: '2026-10-01T00:00:00.000Z', to: '2026-10-02T12:00:00.000Z' },
      { status: 'ATTESTED', from: '2026-10-02T12:00:00.000Z', to: '2026-10-03T12:00:00.000Z' },
      { status: 'NEEDS_EVIDENCE', from: '2026-10-03T12:00:00.000Z', to: '2026-10-04T00:00:00.000Z' },
    ]);
    expect(item.compliantShare).toBeCloseTo(1 / 3, 4);
    expect(item.status).toBe('NEEDS_EVIDENCE');
  });

  it('refuses bad dates and a window without evidence', async () => {
    // Prepare
    await snapshotAt(temp.store, '2026-10-01T06:00:00.000Z', true);

    // Act / Assess
    expect(() => parseWindow('2026-02-30', '2026-03-01')).toThrow('--from 2026-02-30: not a date (YYYY-MM-DD)');
    expect(() => parseWindow('2026-03-02', '2026-03-01')).toThrow('--to 2026-03-01 is before --from 2026-03-02');
    expect(() => parseWindow(undefined, '2026-03-01')).toThrow(PeriodInputError);
    await expect(periodOf(temp.store, '2026-11-01', '2026-11-30')).rejects.toThrow(
      /^no evidence collected between 2026-11-01 and 2026-11-30 in /,
    );
  });
});

describe('causes a scheduled collection observed', () => {
  let store: TempStore;
  beforeEach(async () => {
    store = await tempStore();
  });
  afterEach(() => store.cleanup());

  it('names the recorded change event between the two observations as the inferred cause', async () => {
    // Prepare: rotation disabled at 10:00 by an event recorded without re-collection; the 12:00 snapshot sees it.
    await snapshotAt(store.store, '2026-10-01T06:00:00.000Z', true);
    const event = JSON.parse(
      readFileSync(join(__dirname, '..', '..', 'fixtures', 'events', 'DisableKeyRotation.json'), 'utf8'),
    ) as CloudTrailEvent;
    Object.assign(event.detail, { eventID: 'recorded-only-1', eventTime: '2026-10-01T10:00:00Z' });
    await writeChangeLog(store.store, event, { recordedAt: '2026-10-01T10:00:04.000Z', handling: 'recorded-only', evidence: [] });
    await snapshotAt(store.store, '2026-10-01T12:00:00.000Z', false);

    // Act
    const { result } = await periodOf(store.store, '2026-10-01', '2026-10-01');

    // Assess
    const intervals = result.checks.find((c) => c.check === 'kms.rotation_enabled' && c.resource === KEY_ARN)!.intervals;
    expect(intervals.map((i) => [i.status, i.from, i.cause])).toEqual([
      ['NOT_OBSERVED', '2026-10-01T00:00:00.000Z', undefined],
      ['PASS', '2026-10-01T06:00:00.000Z', undefined],
      [
        'FAIL',
        '2026-10-01T12:00:00.000Z',
        {
          eventName: 'DisableKeyRotation',
          eventId: 'recorded-only-1',
          principal: 'arn:aws:sts::123456789012:assumed-role/PlatformAdmin/jane.doe',
          time: '2026-10-01T10:00:00.000Z',
          inferred: true,
        },
      ],
    ]);
  });
});
