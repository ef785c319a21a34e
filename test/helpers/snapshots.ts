import type { StoreFacts } from '../../lambdas/checks/facts';
import type { CheckContext, MlScope, Snapshot, SnapshotResource } from '../../lambdas/checks/types';
import { parseConfig, type Soc2MlConfig } from '../../lambdas/config/schema';
import type { CollectionError, CollectorName } from '../../lambdas/evidence/record';

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'us-east-1';
export const TEST_EVIDENCE = { key: 'evidence/v1/test.json.gz', sha256: 'f'.repeat(64) };

/** A resource as a fixture gives it: account, region, tags and evidence default to the snapshot's. */
export interface ResourceFixture {
  arn: string;
  type: string;
  configuration: Record<string, unknown>;
  region?: string;
  tags?: Record<string, string>;
}

export interface SnapshotFixture {
  collector: CollectorName;
  account?: string;
  region?: string;
  resources?: ResourceFixture[];
  errors?: CollectionError[];
  collectedAt?: string;
}

/** A Snapshot as the evaluator would hand it to checks. */
export function makeSnapshot(fixture: SnapshotFixture): Snapshot {
  const account = fixture.account ?? TEST_ACCOUNT;
  const region = fixture.region ?? TEST_REGION;
  const resources: SnapshotResource[] = (fixture.resources ?? []).map((r) => ({
    arn: r.arn,
    type: r.type,
    region: r.region ?? region,
    configuration: r.configuration,
    tags: r.tags ?? {},
    account,
    evidence: TEST_EVIDENCE,
  }));
  return {
    collector: fixture.collector,
    account,
    region,
    collectedAt: fixture.collectedAt ?? '2026-11-26T06:00:00.000Z',
    evidence: TEST_EVIDENCE,
    resources,
    errors: fixture.errors ?? [],
  };
}

/** An MlScope that answers from fixed lists. */
export function stubMlScope(mlBuckets: string[] = [], keysInUse: string[] = []): MlScope {
  return {
    isMlBucket: (_account, bucket) => mlBuckets.includes(bucket),
    reasonFor: (_account, bucket) => (mlBuckets.includes(bucket) ? 'listed in test fixture' : undefined),
    isKeyInUse: (_account, _region, keyId) => keysInUse.includes(keyId),
    gaps: () => undefined,
  };
}

export interface CheckContextFixture {
  config?: Soc2MlConfig;
  now?: Date;
  mlScope?: MlScope;
  facts?: StoreFacts;
}

/** A CheckContext over the given snapshots, with the default configuration. */
export function makeCheckContext(snapshots: Snapshot[], fixture: CheckContextFixture = {}): CheckContext {
  return {
    config: fixture.config ?? parseConfig({}),
    now: fixture.now ?? new Date('2026-11-26T12:00:00.000Z'),
    snapshots: (collector) => snapshots.filter((s) => s.collector === collector),
    mlScope: fixture.mlScope ?? stubMlScope(),
    ...(fixture.facts ? { facts: fixture.facts } : {}),
  };
}
