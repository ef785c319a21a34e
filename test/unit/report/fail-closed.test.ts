import { loadCatalog } from '../../../lambdas/catalog/catalog';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { COLLECTORS } from '../../../lambdas/collectors/registry';
import { parseConfig } from '../../../lambdas/config/schema';
import { COLLECTOR_NAMES, type EvidenceRecord, GLOBAL_REGION } from '../../../lambdas/evidence/record';
import { evaluate } from '../../../lambdas/report/evaluate';

/**
 * The product's central promise, checked across every check at once: when collection failed,
 * nothing says PASS (and "nothing in scope" is not claimed either).
 */
const ACCOUNT = '111122223333';
const NOW = new Date('2026-11-26T06:00:00.000Z');

function failedSnapshot(collector: (typeof COLLECTOR_NAMES)[number], index: number, api: string): EvidenceRecord {
  return {
    schema: 'evidence/v1',
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    collector: { name: collector, version: '1' },
    account: ACCOUNT,
    region: COLLECTORS[collector].global ? GLOBAL_REGION : 'us-east-1',
    collectedAt: '2026-11-26T05:00:00.000Z',
    trigger: { type: 'schedule' },
    scope: { type: 'all' },
    resources: [],
    errors: [{ api: api.replace('{collector}', collector), code: 'AccessDenied', message: 'not authorized' }],
    notes: [],
    deleted: [],
    calls: 1,
  };
}

describe('fail closed', () => {
  it.each([
    ['the collector failed as a whole', '{collector}:collect'],
    ['the member account role could not be assumed', 'sts:AssumeRole'],
  ])('no check passes, or claims nothing in scope, when %s', (_case, api) => {
    // Prepare
    const evidence = COLLECTOR_NAMES.map((collector, i) => ({
      record: failedSnapshot(collector, i, api),
      evidence: { key: `evidence/v1/collector=${collector}/x.json.gz`, sha256: 'a'.repeat(64) },
    }));

    // Act
    const result = evaluate({
      evidence,
      manualEvidence: [],
      catalog: loadCatalog({ checkIds: ALL_CHECKS.map((c) => c.id) }),
      checks: ALL_CHECKS,
      config: parseConfig({ regions: ['us-east-1'] }),
      now: NOW,
      globalCollectors: COLLECTOR_NAMES.filter((c) => COLLECTORS[c].global),
    });

    // Assess: no finding of a collector-based check passes or claims that nothing is in scope.
    const collectorChecks = new Set(ALL_CHECKS.filter((c) => c.collectors.length > 0).map((c) => c.id));
    const findings = result.items.flatMap((item) => item.findings).filter((f) => collectorChecks.has(f.check));
    const claimed = findings.filter((f) => f.status === 'PASS' || f.status === 'NOT_APPLICABLE');
    expect([...new Set(claimed.map((f) => `${f.check}: ${f.status} (${f.detail})`))]).toEqual([]);
    expect(new Set(findings.map((f) => f.check))).toEqual(collectorChecks);
    const decided = result.items.filter((i) => i.kind === 'auto' && i.checks.some((c) => collectorChecks.has(c)));
    expect(decided.filter((i) => i.status !== 'ERROR' && i.status !== 'FAIL').map((i) => `${i.id}: ${i.status}`)).toEqual([]);
  });

  it('makes every ML-scoped check ERROR when the SageMaker evidence that defines ML scope is missing', () => {
    // Prepare: a full S3 snapshot with a listed ML bucket, and no SageMaker snapshot at all.
    const s3 = failedSnapshot('s3', 0, 's3:GetBucketTagging');
    s3.resources = [
      { arn: 'arn:aws:s3:::ml-data', type: 'AWS::S3::Bucket', region: 'us-east-1', configuration: { name: 'ml-data' }, tags: {} },
    ];
    const mlChecks = [
      's3.ml_bucket_kms',
      's3.tls_only',
      's3.ml_bucket_versioning',
      's3.ml_bucket_replication',
      's3.ml_bucket_lifecycle',
      's3.ml_bucket_access_logging',
      's3.ml_bucket_classification_tag',
      'kms.in_use_not_disabled',
      'ct.ml_data_events',
    ];

    // Act
    const result = evaluate({
      evidence: [{ record: s3, evidence: { key: 'evidence/v1/collector=s3/x.json.gz', sha256: 'a'.repeat(64) } }],
      manualEvidence: [],
      catalog: loadCatalog({ checkIds: ALL_CHECKS.map((c) => c.id) }),
      checks: ALL_CHECKS,
      config: parseConfig({ regions: ['us-east-1'], mlBuckets: ['ml-data'] }),
      now: NOW,
      globalCollectors: COLLECTOR_NAMES.filter((c) => COLLECTORS[c].global),
    });

    // Assess
    const findings = result.items.flatMap((item) => item.findings);
    const withoutSageMaker = new Set(
      findings.filter((f) => f.status === 'ERROR' && /no full sagemaker snapshot/.test(f.detail)).map((f) => f.check),
    );
    expect(mlChecks.filter((id) => !withoutSageMaker.has(id))).toEqual([]);
  });
});
