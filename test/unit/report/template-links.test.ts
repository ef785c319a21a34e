import { loadCatalog } from '../../../lambdas/catalog/catalog';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { parseConfig } from '../../../lambdas/config/schema';
import { evaluate } from '../../../lambdas/report/evaluate';
import { renderHtml } from '../../../lambdas/report/html';
import type { ManualEvidenceEntry } from '../../../lambdas/report/result';
import { NOW, stored } from './fixtures';

const DAY_MS = 86_400_000;

function manual(itemId: string, uploadedDaysAgo: number, attestedBy?: string): ManualEvidenceEntry {
  return {
    itemId,
    key: `manual/${itemId}/x/000000000Z-file.pdf`,
    sha256: 'a'.repeat(64),
    uploadedAt: new Date(NOW.getTime() - uploadedDaysAgo * DAY_MS).toISOString(),
    uploadedBy: 'arn:aws:iam::123456789012:user/uploader',
    ...(attestedBy ? { attestedBy } : {}),
    fileName: 'file.pdf',
  };
}

function html(manualEvidence: ManualEvidenceEntry[], evidenceAt = '2026-11-26T06:00:00.000Z') {
  const result = evaluate({
    evidence: [stored({ collectedAt: evidenceAt })],
    manualEvidence,
    catalog: loadCatalog(),
    checks: ALL_CHECKS,
    config: parseConfig({}),
    now: NOW,
    facts: { location: '/tmp/store', reports: { generatedAt: [] } },
  });
  return { result, page: renderHtml(result) };
}

describe('report.html evidence template links', () => {
  it('links a never-attested NEEDS_EVIDENCE item to its template and says what is missing', () => {
    // Act
    const { result, page } = html([]);
    // Assess
    expect(result.items.find((i) => i.id === 'PRIV-CM-5')!.status).toBe('NEEDS_EVIDENCE');
    expect(page).toContain('Missing: Training records (renewed every 365 days); never attested. <a href="#template-PRIV-CM-5">');
    expect(page).toContain('<section id="template-PRIV-CM-5">');
    expect(page).toContain('# PRIV-CM-5: Privacy training for ML teams');
  });

  it('says when the evidence expired and who attested it last', () => {
    // Act: a 90-day item attested 100 days ago.
    const { page } = html([manual('DOC-4', 100, 'Dana Ops')]);
    // Assess
    expect(page).toContain(
      'Expired on 2026-11-16: Incident log (renewed every 90 days), last attested by Dana Ops on 2026-08-18. <a href="#template-DOC-4">',
    );
  });

  it('does not link an item whose evidence is fresh', () => {
    // Act
    const { result, page } = html([manual('DOC-4', 10)]);
    // Assess
    expect(result.items.find((i) => i.id === 'DOC-4')!.status).toBe('ATTESTED');
    expect(page).not.toContain('href="#template-DOC-4"');
    expect(page).not.toContain('id="template-DOC-4"');
  });

  it('links a STALE partial item and names the stale evidence', () => {
    // Prepare: the item's automated evidence went stale (the evaluator's own reason text).
    const { result } = html([]);
    const stale = 's3 evidence for 123456789012/global collected 2026-11-24T06:00:00.000Z is older than 26 h';
    const items = result.items.map((i) => (i.id === 'PI-DP-4' ? { ...i, status: 'STALE' as const, reasons: [stale] } : i));
    // Act
    const page = renderHtml({ ...result, items });
    // Assess
    expect(page).toContain(
      `Missing: Retention policy (renewed every 365 days); never attested. Stale automated evidence: ${stale}. <a href="#template-PI-DP-4">`,
    );
    expect(page).toContain('<section id="template-PI-DP-4">');
  });
});
