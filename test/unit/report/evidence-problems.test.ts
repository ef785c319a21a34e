import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { evaluateStore } from '../../../lambdas/alerts/alerting';
import type { Check, Finding } from '../../../lambdas/checks/types';
import { parseConfig } from '../../../lambdas/config/schema';
import { writeEvidence } from '../../../lambdas/evidence/evidence-io';
import { LocalDirectoryStore } from '../../../lambdas/evidence/local-store';
import { sealPeriods } from '../../../lambdas/integrity/digest';
import { LocalDigestSigner } from '../../../lambdas/integrity/signer';
import { withEvidenceProblems } from '../../../lambdas/report/evidence-problems';
import { produceReport } from '../../../lambdas/report/produce';
import type { EvaluationResult } from '../../../lambdas/report/result';
import type { EvidenceProblem } from '../../../lambdas/report/snapshots';
import { RECORD_ACCOUNT as ACCOUNT, KEY_ARN, kmsRecord } from '../../helpers/evidence-records';

const config = parseConfig({ thresholds: { evidenceFreshnessHours: 96 } });

function findingsOf(result: EvaluationResult, check: string) {
  const seen = new Map<string, EvaluationResult['items'][number]['findings'][number]>();
  for (const item of result.items) for (const f of item.findings) if (f.check === check) seen.set(`${f.resource}|${f.region}`, f);
  return [...seen.values()];
}

describe('findings on evidence that failed verification or cannot be read', () => {
  let dir: string;
  let store: LocalDirectoryStore;
  let signer: LocalDigestSigner;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'soc2-problems-'));
    store = await LocalDirectoryStore.open(join(dir, 'store'));
    signer = await LocalDigestSigner.open(join(dir, 'keys', 'digest.pem'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** Rewrites a read-only file in place, as someone with shell access to the store would. */
  async function rewrite(key: string, bytes: Uint8Array): Promise<void> {
    const path = join(store.location, key);
    await chmod(path, 0o644);
    await writeFile(path, bytes);
  }

  it('a sealed record rewritten as valid gzip decides nothing: ERROR naming the integrity problem, in the report and for alerts', async () => {
    // Prepare: rotation off, sealed, then flipped to on in place.
    const record = kmsRecord('2026-11-25T06:00:00.000Z', false);
    const { key } = await writeEvidence(store, record);
    await sealPeriods(store, signer, { now: new Date('2026-11-26T12:00:00Z') });
    const flipped = kmsRecord(record.collectedAt, true);
    await rewrite(key, new Uint8Array(gzipSync(JSON.stringify({ ...flipped, id: record.id }))));
    const now = new Date('2026-11-26T13:00:00Z');

    // Act
    const { result } = await produceReport(store, { config, now, signer });
    const forAlerts = await evaluateStore(store, config, now);

    // Assess
    const integrity = findingsOf(result, 'evidence.integrity');
    expect(integrity.map((f) => f.status)).toEqual(['FAIL']);
    for (const evaluation of [result, forAlerts]) {
      const rotation = findingsOf(evaluation, 'kms.rotation_enabled');
      expect(rotation).toEqual([
        expect.objectContaining({
          resource: KEY_ARN,
          status: 'ERROR',
          detail: expect.stringMatching(
            new RegExp(`^evidence failed integrity verification: ${key}: sha256 [0-9a-f]{64} .*differs`),
          ),
          evidence: expect.objectContaining({ key }),
        }),
      ]);
    }
    expect(result.items.find((i) => i.checks.includes('kms.rotation_enabled'))?.status).toBe('ERROR');
  });

  it('a record added to a sealed period after sealing is not trusted either', async () => {
    // Prepare
    await writeEvidence(store, kmsRecord('2026-11-25T06:00:00.000Z', false));
    await sealPeriods(store, signer, { now: new Date('2026-11-26T12:00:00Z') });
    const { key } = await writeEvidence(store, kmsRecord('2026-11-25T09:00:00.000Z', true));

    // Act
    const { result } = await produceReport(store, { config, now: new Date('2026-11-26T13:00:00Z'), signer });

    // Assess
    expect(findingsOf(result, 'kms.rotation_enabled')).toEqual([
      expect.objectContaining({
        status: 'ERROR',
        detail: expect.stringContaining(`${key}: not in digests/v1/account=${ACCOUNT}/2026-11-25.json`),
      }),
    ]);
  });

  it.each([
    [
      'truncated',
      (bytes: Uint8Array) => bytes.subarray(0, Math.floor(bytes.byteLength / 2)),
      /not a complete gzip stream \(unexpected end of file\)/,
    ],
    [
      'schema-invalid',
      () => new Uint8Array(gzipSync(JSON.stringify({ schema: 'evidence/v1', id: 'x' }))),
      /does not match evidence\/v1: /,
    ],
  ])('a %s newest record is ERROR for its partition, naming the object; the rest is evaluated', async (_name, damage, reason) => {
    // Prepare: an older good KMS snapshot, a newer one that gets damaged, and an unrelated partition.
    await writeEvidence(store, kmsRecord('2026-11-26T06:00:00.000Z', true));
    const newest = await writeEvidence(store, kmsRecord('2026-11-26T08:00:00.000Z', true));
    const other = kmsRecord('2026-11-26T08:00:00.000Z', false);
    await writeEvidence(store, {
      ...other,
      region: 'eu-west-1',
      resources: other.resources.map((r) => ({ ...r, arn: r.arn.replace('us-east-1', 'eu-west-1'), region: 'eu-west-1' })),
    });
    await rewrite(newest.key, damage((await store.get(newest.key))!));
    const regional = parseConfig({ ...config, regions: ['us-east-1', 'eu-west-1'] });
    const now = new Date('2026-11-26T09:00:00Z');

    // Act
    const { result } = await produceReport(store, { config: regional, now, signer });
    const forAlerts = await evaluateStore(store, regional, now);

    // Assess
    for (const evaluation of [result, forAlerts]) {
      const rotation = findingsOf(evaluation, 'kms.rotation_enabled');
      const east = rotation.filter((f) => f.region === 'us-east-1');
      expect(east.length).toBeGreaterThan(0);
      for (const finding of east) {
        expect(finding.status).toBe('ERROR');
        expect(finding.detail).toMatch(new RegExp(`^evidence ${newest.key} is unreadable`));
        expect(finding.detail).toMatch(reason);
      }
      expect(rotation.filter((f) => f.region === 'eu-west-1').map((f) => f.status)).toEqual(['FAIL']);
      // Checks over other collectors are untouched by the KMS record.
      expect(findingsOf(evaluation, 'kms.rotation_period').some((f) => f.region === 'eu-west-1' && f.status === 'FAIL')).toBe(
        true,
      );
    }
  });
});

describe('withEvidenceProblems', () => {
  const KEY = (collector: string, n: number) =>
    `evidence/v1/collector=${collector}/account=${ACCOUNT}/region=us-east-1/date=2026-11-26/06000000${n}Z-r${n}.json.gz`;
  const check: Check = { id: 'kms.x', collectors: ['kms'], passCondition: '', remediation: '', run: () => [] };
  const finding = (resource: string, key: string): Finding => ({
    check: 'kms.x',
    resource,
    account: ACCOUNT,
    region: 'us-east-1',
    status: 'PASS',
    detail: 'fine',
    evidence: { key, sha256: 'a'.repeat(64) },
  });
  const problem = (kind: EvidenceProblem['kind'], key: string, wholePartition: boolean): EvidenceProblem => ({
    kind,
    wholePartition,
    evidence: { key, sha256: 'b'.repeat(64) },
    collector: 'kms',
    account: ACCOUNT,
    region: 'us-east-1',
    message: `problem with ${key}`,
  });

  it('an altered single-resource record turns only the findings citing it into ERROR', () => {
    const findings = [finding('arn:a', KEY('kms', 1)), finding('arn:b', KEY('kms', 2))];
    const decided = withEvidenceProblems(check, findings, [problem('integrity', KEY('kms', 2), false)]);
    expect(decided.map((f) => [f.resource, f.status, f.detail])).toEqual([
      ['arn:a', 'PASS', 'fine'],
      ['arn:b', 'ERROR', `problem with ${KEY('kms', 2)}`],
    ]);
  });

  it('an altered full snapshot no finding cites any more still gives the check one ERROR for its account and region', () => {
    const decided = withEvidenceProblems(check, [finding('arn:a', KEY('kms', 1))], [problem('integrity', KEY('kms', 3), true)]);
    expect(decided.map((f) => [f.resource, f.status])).toEqual([
      ['arn:a', 'PASS'],
      [`arn:aws:iam::${ACCOUNT}:root`, 'ERROR'],
    ]);
  });

  it('an unreadable record makes every finding of its partition ERROR, and leaves checks over other collectors alone', () => {
    const unreadable = problem('unreadable', KEY('kms', 9), true);
    const decided = withEvidenceProblems(check, [finding('arn:a', KEY('kms', 1)), finding('arn:b', KEY('kms', 2))], [unreadable]);
    const other = { ...check, collectors: ['s3' as const] };
    expect(decided.map((f) => f.status)).toEqual(['ERROR', 'ERROR']);
    expect(withEvidenceProblems(other, [finding('arn:c', KEY('s3', 1))], [unreadable]).map((f) => f.status)).toEqual(['PASS']);
  });
});
