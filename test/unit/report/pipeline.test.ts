import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import type { EvidenceRecord, Scope } from '../../../lambdas/evidence/record';
import { loadCurrentEvidence } from '../../../lambdas/report/pipeline';

const ACCOUNT = '111122223333';
let dir: string;
let store: LocalDirectoryStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-pipeline-'));
  store = await LocalDirectoryStore.open(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

let sequence = 0;
async function put(collector: 'kms' | 's3', collectedAt: string, scope: Scope): Promise<string> {
  sequence += 1;
  const record: EvidenceRecord = {
    schema: 'evidence/v1',
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    collector: { name: collector, version: '1' },
    account: ACCOUNT,
    region: collector === 's3' ? 'global' : 'us-east-1',
    collectedAt,
    trigger: { type: 'schedule' },
    scope,
    resources: [],
    errors: [],
    notes: [],
    deleted: [],
    calls: 1,
  };
  return (await writeEvidence(store, record)).key;
}

describe('loadCurrentEvidence', () => {
  it('reads each partition newest first down to its latest full snapshot, not the whole history', async () => {
    // Prepare: 20 days of older history, then the latest full snapshot and a newer single-resource record.
    const history: string[] = [];
    for (let day = 1; day <= 20; day += 1) {
      const date = `2026-11-${String(day).padStart(2, '0')}`;
      history.push(await put('kms', `${date}T06:00:00.000Z`, { type: 'all' }));
      history.push(
        await put('kms', `${date}T07:00:00.000Z`, { type: 'resource', resource: 'arn:aws:kms:us-east-1:111122223333:key/a' }),
      );
    }
    const latestFull = await put('kms', '2026-11-25T06:00:00.000Z', { type: 'all' });
    const newerSingle = await put('kms', '2026-11-26T09:30:00.000Z', {
      type: 'resource',
      resource: 'arn:aws:kms:us-east-1:111122223333:key/b',
    });
    const s3Full = await put('s3', '2026-11-26T06:00:00.000Z', { type: 'all' });
    const reads: string[] = [];
    const get = store.get.bind(store);
    store.get = async (key: string) => {
      reads.push(key);
      return get(key);
    };

    // Act
    const current = await loadCurrentEvidence(store);

    // Assess
    expect(current.evidence.map((e) => e.evidence.key).sort()).toEqual([latestFull, newerSingle, s3Full].sort());
    // Reads go in parallel batches of 8, so at most one batch reaches past the full snapshot.
    expect(reads.filter((key) => history.includes(key)).length).toBeLessThanOrEqual(6);
    expect(current.recordsListed).toBe(3);
    expect(current.firstCollectedAt).toBe('2026-11-01T06:00:00.000Z');
  });

  it('lists only the newest days of each partition down to its full snapshot, and the first day for when collection began', async () => {
    // Prepare: a full snapshot every day of November.
    for (let day = 1; day <= 26; day += 1)
      await put('kms', `2026-11-${String(day).padStart(2, '0')}T06:00:00.000Z`, { type: 'all' });
    const listed: string[] = [];
    const list = store.list.bind(store);
    store.list = (prefix: string) => {
      listed.push(prefix);
      return list(prefix);
    };

    // Act
    const current = await loadCurrentEvidence(store);

    // Assess
    expect(listed.map((prefix) => /date=([\d-]+)/.exec(prefix)?.[1]).sort()).toEqual(['2026-11-01', '2026-11-26']);
    expect(current.evidence).toHaveLength(1);
    expect(current.firstCollectedAt).toBe('2026-11-01T06:00:00.000Z');
  });

  it('keeps every record of a partition that has no full snapshot (evaluation reports it missing)', async () => {
    const single = await put('kms', '2026-11-26T09:30:00.000Z', {
      type: 'resource',
      resource: 'arn:aws:kms:us-east-1:111122223333:key/b',
    });
    const current = await loadCurrentEvidence(store);
    expect(current.evidence.map((e) => e.evidence.key)).toEqual([single]);
  });

  it('turns a record whose read fails into a problem for its partition and reads the rest', async () => {
    // Prepare
    const failing = await put('kms', '2026-11-26T08:00:00.000Z', { type: 'all' });
    const older = await put('kms', '2026-11-26T06:00:00.000Z', { type: 'all' });
    const s3 = await put('s3', '2026-11-26T06:00:00.000Z', { type: 'all' });
    const get = store.get.bind(store);
    store.get = async (key: string) => {
      if (key === failing) throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
      return get(key);
    };

    // Act
    const current = await loadCurrentEvidence(store);

    // Assess
    expect(current.evidence.map((e) => e.evidence.key).sort()).toEqual([older, s3].sort());
    expect(current.problems).toEqual([
      expect.objectContaining({
        kind: 'unreadable',
        wholePartition: true,
        evidence: { key: failing },
        collector: 'kms',
        message: `evidence ${failing} cannot be read (Access Denied): the kms evidence of account ${ACCOUNT}, region us-east-1 cannot be decided`,
      }),
    ]);
  });

  it('reports an empty store as such', async () => {
    expect(await loadCurrentEvidence(store)).toEqual({ evidence: [], problems: [], recordsListed: 0 });
  });
});
