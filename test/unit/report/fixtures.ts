import type { Catalog } from '../../../lambdas/catalog/catalog';
import type { Check } from '../../../lambdas/checks/types';
import { type EvidenceRecord, GLOBAL_REGION } from '../../../lambdas/evidence/record';
import { bucketArn, S3_BUCKET_TYPE, type S3BucketConfiguration } from '../../../lambdas/evidence/resources/s3';
import type { StoredEvidence } from '../../../lambdas/report/snapshots';

export const ACCOUNT = '123456789012';
export const NOW = new Date('2026-11-26T12:00:00.000Z');
let sequence = 0;

/** An evidence record as the store would return it, with a unique key and a fake SHA-256. */
export function stored(partial: Partial<EvidenceRecord> & { collectedAt: string }): StoredEvidence {
  sequence += 1;
  const record: EvidenceRecord = {
    schema: 'evidence/v1',
    id: `record-${sequence}`,
    collector: { name: 's3', version: '1.0.0' },
    account: ACCOUNT,
    region: GLOBAL_REGION,
    trigger: { type: 'schedule' },
    scope: { type: 'all' },
    resources: [],
    errors: [],
    notes: [],
    deleted: [],
    calls: 1,
    ...partial,
  };
  return {
    record,
    evidence: {
      key: `evidence/v1/collector=${record.collector.name}/${record.id}.json.gz`,
      sha256: sequence.toString(16).padStart(64, '0'),
    },
  };
}

export function bucket(name: string, configuration: Partial<S3BucketConfiguration> = {}, tags: Record<string, string> = {}) {
  return { arn: bucketArn(name), type: S3_BUCKET_TYPE, region: 'us-east-1', configuration: { name, ...configuration }, tags };
}

/** A check over s3 evidence: FAIL for buckets whose name starts with "bad", PASS otherwise. */
export const NAME_CHECK: Check = {
  id: 'test.bucket_name',
  collectors: ['s3'],
  passCondition: 'name does not start with bad',
  remediation: 'rename',
  run: (context) =>
    context.snapshots('s3').flatMap((snapshot) =>
      snapshot.resources.map((r) => ({
        check: 'test.bucket_name',
        resource: r.arn,
        account: r.account,
        region: r.region,
        status: r.arn.includes(':::bad') ? ('FAIL' as const) : ('PASS' as const),
        detail: r.arn,
        evidence: r.evidence,
      })),
    ),
};

/** A check over IAM evidence that always passes, to exercise missing collectors. */
export const IAM_CHECK: Check = {
  id: 'test.iam',
  collectors: ['iam'],
  passCondition: 'always',
  remediation: 'none',
  run: (context) =>
    context.snapshots('iam').map((s) => ({
      check: 'test.iam',
      resource: `arn:aws:iam::${s.account}:root`,
      account: s.account,
      region: s.region,
      status: 'PASS' as const,
      detail: 'ok',
    })),
};

export function testCatalog(): Catalog {
  return {
    version: 'test',
    source: 'test',
    items: [
      {
        id: 'T-AUTO-1',
        section: 'Test / Auto',
        title: 'auto item',
        criteria: ['CC6.1'],
        kind: 'auto',
        checks: ['test.bucket_name'],
        manualEvidence: null,
      },
      {
        id: 'T-PART-1',
        section: 'Test / Partial',
        title: 'partial item',
        criteria: ['A1.2'],
        kind: 'partial',
        checks: ['test.bucket_name'],
        manualEvidence: { description: 'a plan', freshnessDays: 30 },
      },
      {
        id: 'T-MAN-1',
        section: 'Test / Manual',
        title: 'manual item',
        criteria: ['P4.2'],
        kind: 'manual',
        checks: [],
        manualEvidence: { description: 'a policy', freshnessDays: 365 },
      },
      {
        id: 'T-IAM-1',
        section: 'Test / Auto',
        title: 'iam item',
        criteria: ['CC6.2'],
        kind: 'auto',
        checks: ['test.iam'],
        manualEvidence: null,
      },
    ],
  };
}
