import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collector, CollectorContext } from '../../../lambdas/collectors/types';
import { readEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { GLOBAL_REGION } from '../../../lambdas/evidence/record';
import { collectInto, collectionRegion, collectionRegions } from '../../../lambdas/flows/collect';
import { mockedCollectorContext } from '../../helpers/collector-context';

/** A collector that describes nothing and remembers the context it was given. */
function recordingCollector(global: boolean): Collector & { seen: CollectorContext[] } {
  const seen: CollectorContext[] = [];
  return {
    name: global ? 'iam' : 'kms',
    version: '1.0.0',
    global,
    seen,
    collect: async (context) => {
      seen.push(context);
      return { resources: [], errors: [], notes: [], deleted: [] };
    },
  };
}

describe('collection regions', () => {
  it('runs a global collector once through the home region and a regional one in every region', () => {
    expect(collectionRegions(recordingCollector(true), ['eu-west-1', 'us-west-2'], 'us-east-1')).toEqual(['us-east-1']);
    expect(collectionRegions(recordingCollector(false), ['eu-west-1', 'us-west-2'], 'us-east-1')).toEqual([
      'eu-west-1',
      'us-west-2',
    ]);
    expect(collectionRegion(recordingCollector(true), GLOBAL_REGION, 'us-east-1')).toBe('us-east-1');
    expect(collectionRegion(recordingCollector(false), 'eu-west-1', 'us-east-1')).toBe('eu-west-1');
  });
});

describe('collectInto', () => {
  let dir: string;
  let store: LocalDirectoryStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soc2-flows-collect-'));
    store = await LocalDirectoryStore.open(dir);
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the collector the whole account and region when no scope is named, and stores the record with its trigger', async () => {
    // Prepare
    const collector = recordingCollector(false);
    const { scope: _scope, ...context } = mockedCollectorContext({ region: 'eu-west-1' });
    // Act
    const run = await collectInto(store, { ...context, collector, trigger: { type: 'schedule' } });
    // Assess
    expect(collector.seen.map((c) => [c.region, c.scope])).toEqual([['eu-west-1', { type: 'all' }]]);
    const stored = await readEvidence(store, run.stored.key);
    expect(stored).toMatchObject({ region: 'eu-west-1', scope: { type: 'all' }, trigger: { type: 'schedule' }, errors: [] });
  });

  it('describes only the named resource when a scope is given', async () => {
    // Prepare
    const collector = recordingCollector(false);
    const scope = { type: 'resource' as const, resource: 'arn:aws:kms:eu-west-1:123456789012:key/k' };
    // Act
    const run = await collectInto(store, { ...mockedCollectorContext(), scope, collector, trigger: { type: 'schedule' } });
    // Assess
    expect(collector.seen[0]?.scope).toEqual(scope);
    expect(run.record.scope).toEqual(scope);
  });

  it('records why an unreachable account was not described, without calling the collector', async () => {
    // Prepare
    const collector = recordingCollector(true);
    const unreachable = { api: 'sts:AssumeRole', resource: '444455556666', code: 'AccessDenied', message: 'not authorized' };
    // Act
    const run = await collectInto(store, { ...mockedCollectorContext(), collector, trigger: { type: 'schedule' }, unreachable });
    // Assess
    expect(collector.seen).toEqual([]);
    const stored = await readEvidence(store, run.stored.key);
    expect(stored).toMatchObject({ region: GLOBAL_REGION, resources: [], errors: [unreachable] });
  });
});
