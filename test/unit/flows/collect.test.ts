import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Collector, CollectorContext } from '../../../lambdas/collectors/types';
import { readEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { type EvidenceResource, GLOBAL_REGION } from '../../../lambdas/evidence/record';
import { SM_MODEL_TYPE, SM_TRAINING_JOB_TYPE } from '../../../lambdas/evidence/resources/sagemaker';
import { collectInto, collectionRegion, collectionRegions } from '../../../lambdas/flows/collect';
import { mockedCollectorContext } from '../../helpers/collector-context';

/** A collector that describes nothing and remembers the context it was given. */
function recordingCollector(
  global: boolean,
  name: Collector['name'] = global ? 'iam' : 'kms',
  resources: EvidenceResource[] = [],
): Collector & { seen: CollectorContext[] } {
  const seen: CollectorContext[] = [];
  return {
    name,
    version: '1.0.0',
    global,
    seen,
    collect: async (context) => {
      seen.push(context);
      return { resources, errors: [], notes: [], deleted: [] };
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

  it('gives the ECR collector the images that the latest full SageMaker record of its account and region names', async () => {
    // Prepare
    const image = (tag: string) => `123456789012.dkr.ecr.eu-west-1.amazonaws.com/ml/trainer:${tag}`;
    const usingImages = (type: string, name: string, images: string[]): EvidenceResource => ({
      arn: `arn:aws:sagemaker:eu-west-1:123456789012:${name}`,
      type,
      region: 'eu-west-1',
      configuration: { name, references: { s3Uris: [], kmsKeys: [], resources: [], images } },
      tags: {},
    });
    const at = (iso: string) => () => new Date(iso);
    const { scope: _scope, ...context } = mockedCollectorContext({ region: 'eu-west-1' });
    const sagemaker = (resources: EvidenceResource[]) => recordingCollector(false, 'sagemaker', resources);
    const trigger = { type: 'schedule' } as const;
    await collectInto(store, {
      ...context,
      clock: at('2026-11-24T10:00:00Z'),
      collector: sagemaker([usingImages(SM_TRAINING_JOB_TYPE, 'training-job/old', [image('old')])]),
      trigger,
    });
    await collectInto(store, {
      ...context,
      clock: at('2026-11-25T10:00:00Z'),
      collector: sagemaker([
        usingImages(SM_TRAINING_JOB_TYPE, 'training-job/churn', [image('v2')]),
        usingImages(SM_MODEL_TYPE, 'model/churn', [image('v2'), image('serve')]),
      ]),
      trigger,
    });
    // A newer single-resource record is not a full snapshot; another region's evidence is not this region's.
    await collectInto(store, {
      ...context,
      clock: at('2026-11-25T11:00:00Z'),
      scope: { type: 'resource', resource: 'arn:aws:sagemaker:eu-west-1:123456789012:model/partial' },
      collector: sagemaker([usingImages(SM_MODEL_TYPE, 'model/partial', [image('partial')])]),
      trigger,
    });
    await collectInto(store, {
      ...context,
      region: 'us-west-2',
      collector: sagemaker([usingImages(SM_MODEL_TYPE, 'model/west', [image('west')])]),
      trigger,
    });
    const ecr = recordingCollector(false, 'ecr');
    // Act
    await collectInto(store, { ...context, collector: ecr, trigger });
    await collectInto(store, {
      ...context,
      collector: ecr,
      scope: { type: 'resource', resource: 'arn:aws:ecr:eu-west-1:123456789012:repository/ml/trainer' },
      trigger,
    });
    // Assess
    expect(ecr.seen.map((c) => c.images)).toEqual([[image('v2'), image('serve')], undefined]);
  });

  it('gives the ECR collector no images when the store holds no SageMaker evidence for its region', async () => {
    const ecr = recordingCollector(false, 'ecr');
    const { scope: _scope, ...context } = mockedCollectorContext({ region: 'eu-west-1' });
    await collectInto(store, { ...context, collector: ecr, trigger: { type: 'schedule' } });
    expect(ecr.seen.map((c) => c.images)).toEqual([[]]);
  });
});
