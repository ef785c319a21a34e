import { parseConfig } from '../../../lambdas/config/schema';
import { type EvaluationInput, evaluate } from '../../../lambdas/report/evaluate';
import type { ManualEvidenceEntry } from '../../../lambdas/report/result';
import { buildSnapshots } from '../../../lambdas/report/snapshots';
import { ACCOUNT, bucket, IAM_CHECK, NAME_CHECK, NOW, stored, testCatalog } from './fixtures';

const FRESH = '2026-11-26T06:00:00.000Z';
const iamSnapshot = () => stored({ collector: { name: 'iam', version: '1' }, collectedAt: FRESH });
const manual = (itemId: string, uploadedAt: string, expiresAt?: string): ManualEvidenceEntry => ({
  itemId,
  key: `manual/${itemId}/plan.pdf`,
  sha256: 'a'.repeat(64),
  uploadedAt,
  uploadedBy: 'arn:aws:iam::123456789012:user/lead',
  fileName: 'plan.pdf',
  ...(expiresAt ? { expiresAt } : {}),
});

function input(overrides: Partial<EvaluationInput> = {}): EvaluationInput {
  return {
    evidence: [stored({ collectedAt: FRESH, resources: [bucket('good')] }), iamSnapshot()],
    manualEvidence: [manual('T-PART-1', '2026-11-20T00:00:00.000Z'), manual('T-MAN-1', '2026-06-01T00:00:00.000Z')],
    catalog: testCatalog(),
    checks: [NAME_CHECK, IAM_CHECK],
    config: parseConfig({}),
    now: NOW,
    ...overrides,
  };
}

const statusOf = (result: ReturnType<typeof evaluate>, id: string) => result.items.find((i) => i.id === id)!.status;

describe('buildSnapshots', () => {
  it('takes the latest full snapshot and overlays newer single-resource records, dropping deleted ARNs', () => {
    // Prepare
    const older = stored({ collectedAt: '2026-11-25T00:00:00.000Z', resources: [bucket('ancient')] });
    const full = stored({ collectedAt: '2026-11-26T00:00:00.000Z', resources: [bucket('a'), bucket('b'), bucket('c')] });
    const beforeFull = stored({
      collectedAt: '2026-11-25T12:00:00.000Z',
      scope: { type: 'resource', resource: 'x' },
      resources: [bucket('x')],
    });
    const changed = stored({
      collectedAt: '2026-11-26T01:00:00.000Z',
      scope: { type: 'resource', resource: 'a' },
      resources: [bucket('a', { versioning: { status: 'Enabled', mfaDelete: false } })],
    });
    const gone = stored({
      collectedAt: '2026-11-26T02:00:00.000Z',
      scope: { type: 'resource', resource: 'b' },
      deleted: ['arn:aws:s3:::b'],
    });
    // Act
    const [built] = buildSnapshots([changed, older, gone, full, beforeFull]);
    // Assess
    expect(built!.overlays).toBe(2);
    expect(built!.snapshot.collectedAt).toBe('2026-11-26T00:00:00.000Z');
    expect(built!.snapshot.evidence).toEqual(full.evidence);
    const byArn = new Map(built!.snapshot.resources.map((r) => [r.arn, r]));
    expect([...byArn.keys()].sort()).toEqual(['arn:aws:s3:::a', 'arn:aws:s3:::c']);
    expect(byArn.get('arn:aws:s3:::a')!.evidence).toEqual(changed.evidence);
    expect(byArn.get('arn:aws:s3:::a')!.configuration.versioning).toEqual({ status: 'Enabled', mfaDelete: false });
    expect(byArn.get('arn:aws:s3:::c')!.evidence).toEqual(full.evidence);
  });

  it('replaces the errors about a resource that a newer record re-collected', () => {
    // Prepare
    const full = stored({
      collectedAt: '2026-11-26T00:00:00.000Z',
      resources: [bucket('a')],
      errors: [{ api: 's3:GetBucketPolicy', resource: 'arn:aws:s3:::a', code: 'AccessDenied', message: 'no' }],
    });
    const fixed = stored({
      collectedAt: '2026-11-26T01:00:00.000Z',
      scope: { type: 'resource', resource: 'a' },
      resources: [bucket('a')],
    });
    // Act
    const [built] = buildSnapshots([full, fixed]);
    // Assess
    expect(built!.snapshot.errors).toEqual([]);
  });

  it('builds no snapshot from single-resource records alone', () => {
    // Act / Assess
    expect(
      buildSnapshots([stored({ collectedAt: FRESH, scope: { type: 'resource', resource: 'a' }, resources: [bucket('a')] })]),
    ).toEqual([]);
  });
});

describe('evaluate', () => {
  it('passes auto items, passes partial items with fresh manual evidence and attests manual items', () => {
    // Act
    const result = evaluate(input());
    // Assess
    expect(result.items.map((i) => [i.id, i.status])).toEqual([
      ['T-AUTO-1', 'PASS'],
      ['T-PART-1', 'PASS'],
      ['T-MAN-1', 'ATTESTED'],
      ['T-IAM-1', 'PASS'],
    ]);
    expect(result.summary).toMatchObject({ PASS: 3, ATTESTED: 1, FAIL: 0 });
    expect(result.accounts).toEqual([ACCOUNT]);
    expect(result.regions).toEqual(['us-east-1']);
  });

  it('fails an item on any failing finding, before anything else, and cites the evidence', () => {
    // Act
    const result = evaluate(
      input({
        evidence: [stored({ collectedAt: '2026-11-20T00:00:00.000Z', resources: [bucket('bad-one')] }), iamSnapshot()],
        manualEvidence: [],
      }),
    );
    // Assess
    expect(statusOf(result, 'T-AUTO-1')).toBe('FAIL');
    expect(statusOf(result, 'T-PART-1')).toBe('FAIL');
    const finding = result.items[0]!.findings[0]!;
    expect(finding).toMatchObject({ resource: 'arn:aws:s3:::bad-one', status: 'FAIL' });
    expect(finding.evidence?.key).toMatch(/collector=s3/);
  });

  it('gives a finding for the same resource in every item that lists the check', () => {
    // Act
    const result = evaluate(input({ evidence: [stored({ collectedAt: FRESH, resources: [bucket('bad-one')] }), iamSnapshot()] }));
    // Assess
    expect(result.items[0]!.findings).toEqual(result.items[1]!.findings);
  });

  it('is STALE when the full snapshot is older than the freshness window', () => {
    // Act
    const result = evaluate(
      input({ evidence: [stored({ collectedAt: '2026-11-24T00:00:00.000Z', resources: [bucket('good')] }), iamSnapshot()] }),
    );
    // Assess
    expect(statusOf(result, 'T-AUTO-1')).toBe('STALE');
    expect(result.items[0]!.reasons[0]).toMatch(/older than 26 h/);
    expect(statusOf(result, 'T-IAM-1')).toBe('PASS');
    expect(result.collections.find((c) => c.collector === 's3')?.stale).toBe(true);
  });

  it('is ERROR, never PASS, when a known account has no snapshot of a collector', () => {
    // Act
    const result = evaluate(input({ evidence: [stored({ collectedAt: FRESH, resources: [bucket('good')] })] }));
    // Assess
    const iam = result.items.find((i) => i.id === 'T-IAM-1')!;
    expect(iam.status).toBe('ERROR');
    expect(iam.findings).toEqual([
      expect.objectContaining({
        status: 'ERROR',
        resource: `arn:aws:iam::${ACCOUNT}:root`,
        detail: expect.stringMatching(/^no evidence collected/),
      }),
    ]);
  });

  it('is ERROR for every automated item of an empty store', () => {
    // Act
    const result = evaluate(input({ evidence: [] }));
    // Assess
    expect(result.items.filter((i) => i.kind !== 'manual').map((i) => i.status)).toEqual(['ERROR', 'ERROR', 'ERROR']);
  });

  it('is ERROR for an item whose check is not registered', () => {
    // Act
    const result = evaluate(input({ checks: [NAME_CHECK] }));
    // Assess
    expect(statusOf(result, 'T-IAM-1')).toBe('ERROR');
    expect(result.items[3]!.reasons).toContain('checks not implemented: test.iam');
  });

  it('turns a check that throws into an ERROR finding', () => {
    // Prepare
    const throwing = {
      ...NAME_CHECK,
      run: () => {
        throw new Error('boom');
      },
    };
    // Act
    const result = evaluate(input({ checks: [throwing, IAM_CHECK] }));
    // Assess
    expect(result.items[0]!.findings[0]).toMatchObject({ status: 'ERROR', detail: 'check failed to run: boom' });
  });

  it('applies an unexpired exception and lists an expired one without applying it', () => {
    // Prepare
    const config = parseConfig({
      exceptions: [
        {
          check: 'test.bucket_name',
          resource: 'arn:aws:s3:::bad-*',
          justification: 'legacy data, migration planned',
          approver: 'ciso@example.com',
          expires: '2026-11-26',
        },
        {
          check: 'test.bucket_name',
          resource: 'arn:aws:s3:::bad-two',
          justification: 'expired acceptance of risk',
          approver: 'cto@example.com',
          expires: '2026-11-01',
        },
      ],
    });
    // Act
    const result = evaluate(
      input({
        config,
        evidence: [stored({ collectedAt: FRESH, resources: [bucket('bad-one'), bucket('good')] }), iamSnapshot()],
      }),
    );
    // Assess
    expect(statusOf(result, 'T-AUTO-1')).toBe('PASS');
    expect(result.items[0]!.findings[0]).toMatchObject({
      status: 'EXCEPTED',
      exception: { approver: 'ciso@example.com', expires: '2026-11-26' },
    });
    expect(result.exceptions.applied).toEqual([expect.objectContaining({ approver: 'ciso@example.com', matched: 1 })]);
    expect(result.exceptions.expired).toEqual([expect.objectContaining({ approver: 'cto@example.com', matched: 0 })]);
  });

  it('does not apply an expired exception to the resource it names', () => {
    // Prepare
    const config = parseConfig({
      exceptions: [
        {
          check: 'test.bucket_name',
          resource: 'arn:aws:s3:::bad-one',
          justification: 'expired acceptance of risk',
          approver: 'cto@example.com',
          expires: '2026-11-25T23:59:59Z',
        },
      ],
    });
    // Act
    const result = evaluate(
      input({ config, evidence: [stored({ collectedAt: FRESH, resources: [bucket('bad-one')] }), iamSnapshot()] }),
    );
    // Assess
    expect(statusOf(result, 'T-AUTO-1')).toBe('FAIL');
  });

  it('needs evidence when manual evidence is missing, too old or past its expiry, and lists it as due', () => {
    // Act
    const missing = evaluate(input({ manualEvidence: [] }));
    const old = evaluate(
      input({ manualEvidence: [manual('T-PART-1', '2026-10-01T00:00:00.000Z'), manual('T-MAN-1', '2025-10-01T00:00:00.000Z')] }),
    );
    const expired = evaluate(
      input({ manualEvidence: [manual('T-PART-1', '2026-11-20T00:00:00.000Z', '2026-11-25T00:00:00.000Z')] }),
    );
    // Assess
    expect([statusOf(missing, 'T-PART-1'), statusOf(missing, 'T-MAN-1')]).toEqual(['NEEDS_EVIDENCE', 'NEEDS_EVIDENCE']);
    expect([statusOf(old, 'T-PART-1'), statusOf(old, 'T-MAN-1')]).toEqual(['NEEDS_EVIDENCE', 'NEEDS_EVIDENCE']);
    expect(statusOf(expired, 'T-PART-1')).toBe('NEEDS_EVIDENCE');
    expect(old.manualEvidenceDue).toEqual([
      expect.objectContaining({ itemId: 'T-MAN-1', state: 'expired', dueAt: '2026-10-01T00:00:00.000Z' }),
      expect.objectContaining({ itemId: 'T-PART-1', state: 'expired', dueAt: '2026-10-31T00:00:00.000Z' }),
    ]);
    expect(missing.manualEvidenceDue[0]).toMatchObject({ state: 'missing', dueAt: null });
  });

  it('orders ERROR before STALE before NEEDS_EVIDENCE', () => {
    // Prepare
    const staleWithError = stored({
      collectedAt: '2026-11-20T00:00:00.000Z',
      resources: [bucket('good')],
    });
    const erroring = {
      ...NAME_CHECK,
      run: () => [
        {
          check: 'test.bucket_name',
          resource: 'arn:aws:s3:::good',
          account: ACCOUNT,
          region: 'us-east-1',
          status: 'ERROR' as const,
          detail: 'x',
        },
      ],
    };
    // Act
    const errorAndStale = evaluate(
      input({ checks: [erroring, IAM_CHECK], evidence: [staleWithError, iamSnapshot()], manualEvidence: [] }),
    );
    const staleAndNoManual = evaluate(input({ evidence: [staleWithError, iamSnapshot()], manualEvidence: [] }));
    // Assess
    expect(statusOf(errorAndStale, 'T-PART-1')).toBe('ERROR');
    expect(statusOf(staleAndNoManual, 'T-PART-1')).toBe('STALE');
  });

  it('is NOT_APPLICABLE for an auto item whose findings are all NOT_APPLICABLE', () => {
    // Prepare
    const nothing = {
      ...NAME_CHECK,
      run: () => [
        {
          check: 'test.bucket_name',
          resource: `arn:aws:iam::${ACCOUNT}:root`,
          account: ACCOUNT,
          region: 'global',
          status: 'NOT_APPLICABLE' as const,
          detail: 'no ML buckets in scope',
        },
      ],
    };
    // Act
    const result = evaluate(input({ checks: [nothing, IAM_CHECK] }));
    // Assess
    expect(statusOf(result, 'T-AUTO-1')).toBe('NOT_APPLICABLE');
    expect(statusOf(result, 'T-PART-1')).toBe('PASS');
  });

  it('expects regional collectors in every configured region', () => {
    // Prepare
    const regional = { ...IAM_CHECK, id: 'test.iam', collectors: ['kms' as const] };
    const kms = stored({ collector: { name: 'kms', version: '1' }, region: 'us-east-1', collectedAt: FRESH });
    // Act
    const result = evaluate(
      input({
        checks: [NAME_CHECK, regional],
        config: parseConfig({ regions: ['us-east-1', 'eu-west-1'] }),
        evidence: [stored({ collectedAt: FRESH, resources: [bucket('good')] }), kms],
      }),
    );
    // Assess
    expect(result.items[3]!.findings).toEqual([expect.objectContaining({ status: 'ERROR', region: 'eu-west-1' })]);
  });
});
