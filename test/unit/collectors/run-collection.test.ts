import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCollection } from '../../../lambdas/collectors/run-collection';
import type { Collector, CollectorOutput } from '../../../lambdas/collectors/types';
import { readEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { REDACTED } from '../../../lambdas/evidence/redact';
import { mockedCollectorContext } from '../../helpers/collector-context';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'soc2-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const EMPTY: CollectorOutput = { resources: [], errors: [], notes: [], deleted: [] };

function collectorReturning(collect: Collector['collect']): Collector {
  return { name: 'kms', version: 'test', global: false, collect };
}

describe('runCollection', () => {
  it('redacts the value of every secret-looking tag, whichever collector returned it', async () => {
    // Prepare: a tag someone filed a key in, beside tags the checks read.
    const collector = collectorReturning(async () => ({
      ...EMPTY,
      resources: [
        {
          arn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
          type: 'AWS::KMS::Key',
          region: 'us-east-1',
          configuration: {},
          tags: { api_key: 'sk-live-0123456789', 'soc2-ml:scope': 'ml', DataClassification: 'confidential' },
        },
      ],
    }));
    const store = await LocalDirectoryStore.open(dir);

    // Act
    const run = await runCollection(collector, mockedCollectorContext(), store, { type: 'cli', user: 'tester' });

    // Assess: the stored bytes, not only the returned record.
    const stored = await readEvidence(store, run.stored.key);
    expect(stored?.resources[0]?.tags).toEqual({ api_key: REDACTED, 'soc2-ml:scope': 'ml', DataClassification: 'confidential' });
  });

  it('stores an ERROR record when a collector outlives its deadline, instead of never writing one', async () => {
    // Prepare: a collector stuck on something that is not an AWS call.
    const collector = collectorReturning(() => new Promise<CollectorOutput>(() => undefined));
    const store = await LocalDirectoryStore.open(dir);
    const deadline = Date.now() + 100;

    // Act
    const run = await runCollection(collector, mockedCollectorContext({ deadline }), store, { type: 'schedule' });

    // Assess
    expect(run.record.resources).toEqual([]);
    expect(run.record.errors).toEqual([
      expect.objectContaining({ api: 'kms:collect', code: 'DeadlineExceeded', message: expect.stringContaining('deadline') }),
    ]);
    expect(await readEvidence(store, run.stored.key)).toEqual(run.record);
  });
});
