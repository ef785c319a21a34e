import { loadCatalog } from '../../../lambdas/catalog/catalog';
import { ALL_CHECKS } from '../../../lambdas/checks/registry';
import { parseConfig } from '../../../lambdas/config/schema';
import { renderCsv } from '../../../lambdas/report/csv';
import { escapeHtml } from '../../../lambdas/report/escape';
import { evaluate } from '../../../lambdas/report/evaluate';
import { MAX_FINDINGS_PER_ITEM, renderHtml } from '../../../lambdas/report/html';
import { REPORT_SCHEMA, renderJson, reportJsonSchema } from '../../../lambdas/report/json';
import { markdownCell, renderMarkdown } from '../../../lambdas/report/markdown';
import { renderOscal } from '../../../lambdas/report/oscal';
import { passRateSentence, passRates } from '../../../lambdas/report/result';
import { oscalValidator } from '../../helpers/oscal';
import { bucket, NOW, stored } from './fixtures';

describe('pass rates', () => {
  const items = [
    { kind: 'auto' as const, status: 'PASS' as const },
    { kind: 'auto' as const, status: 'FAIL' as const },
    { kind: 'auto' as const, status: 'NOT_APPLICABLE' as const },
    { kind: 'partial' as const, status: 'PASS' as const },
    { kind: 'manual' as const, status: 'ATTESTED' as const },
    { kind: 'manual' as const, status: 'NEEDS_EVIDENCE' as const },
  ];

  it('counts automated items and all items separately, leaving NOT_APPLICABLE out', () => {
    expect(passRates(items)).toEqual({ automated: { holding: 1, counted: 2 }, all: { holding: 3, counted: 5 } });
  });

  it('says in words what each rate counts', () => {
    expect(passRateSentence(items)).toBe(
      'Pass rate: automated items 50% (1 of 2 items of kind auto PASS); all items 60% (3 of 5 items PASS or ATTESTED; manual and partial items need fresh manual evidence). NOT_APPLICABLE items are not counted.',
    );
  });

  it('is stated in the Markdown, HTML and JSON reports', () => {
    const result = sampleResult();
    const sentence = passRateSentence(result.items);
    expect(renderMarkdown(result)).toContain(sentence);
    expect(renderHtml(result)).toContain(escapeHtml(sentence));
    expect(JSON.parse(renderJson(result)).passRates).toEqual(passRates(result.items));
  });
});

const MALICIOUS = 'evil<script>alert(1)</script>"\'&';
const FORMULA = '=HYPERLINK("http://x.example","click")';

/** A full-catalog evaluation with ML buckets that fail, one with a hostile name. */
function sampleResult() {
  const catalog = loadCatalog();
  const evidence = [
    stored({
      collectedAt: '2026-11-26T06:00:00.000Z',
      resources: [
        bucket(MALICIOUS, { encryption: null, policy: null }, { 'soc2-ml:scope': 'ml' }),
        bucket(FORMULA, { encryption: { rules: [{ algorithm: 'AES256' }] }, policy: null }, { 'soc2-ml:scope': 'ml' }),
        ...Array.from({ length: MAX_FINDINGS_PER_ITEM + 5 }, (_, i) => bucket(`bulk-${i}`, { encryption: null })),
      ],
    }),
  ];
  return evaluate({
    evidence,
    manualEvidence: [],
    catalog,
    checks: ALL_CHECKS,
    config: parseConfig({}),
    now: NOW,
    facts: { location: '/tmp/store', reports: { generatedAt: [] } },
  });
}

/** RFC 4180 parsing (quoted fields, doubled quotes, embedded newlines) into header-keyed rows; csv-parse is not a dependency. */
function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  const endField = () => {
    record.push(field);
    field = '';
  };
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]!;
    if (quoted && char === '"' && text[i + 1] === '"') {
      field += '"';
      i += 1;
    } else if (char === '"') quoted = !quoted;
    else if (quoted) field += char;
    else if (char === ',') endField();
    else if (char === '\n') {
      endField();
      records.push(record);
      record = [];
    } else field += char;
  }
  const [header, ...rows] = records;
  return rows.map((row) => Object.fromEntries(header!.map((name, i) => [name, row[i] ?? ''])));
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    // Act / Assess
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('report.json', () => {
  it('matches the contract schema with every catalog item once, in catalog order', () => {
    // Act
    const report = JSON.parse(renderJson(sampleResult()));
    // Assess
    expect(reportJsonSchema.parse(report).schema).toBe(REPORT_SCHEMA);
    expect(report.items.map((i: { id: string }) => i.id)).toEqual(loadCatalog().items.map((i) => i.id));
    const kms = report.items[0].findings.find(
      (f: { check: string; resource: string }) => f.check === 's3.ml_bucket_kms' && f.resource.includes('HYPERLINK'),
    );
    expect(kms).toMatchObject({
      status: 'FAIL',
      detail: expect.stringMatching(/AES256, not SSE-KMS/),
      evidence: { key: expect.any(String), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });
});

describe('report.html', () => {
  const html = renderHtml(sampleResult(), [
    {
      generatedAt: '2026-11-25T06:00:00.000Z',
      summary: { PASS: 10, FAIL: 5, ERROR: 1, STALE: 0, NEEDS_EVIDENCE: 50, ATTESTED: 0, NOT_APPLICABLE: 0 },
    },
  ]);

  it('escapes a malicious resource name everywhere', () => {
    // Assess
    expect(html).not.toContain('<script>');
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;');
  });

  it('is self-contained: no external references, scripts or stylesheets', () => {
    // Assess
    expect(html).not.toMatch(/<script|<link|src="http|href="http|@import/i);
    expect(html).toContain('<svg');
    expect(html).toContain('@media print');
  });

  it('caps the findings listed per item and points to report.csv for the rest', () => {
    // Assess
    expect(html).toMatch(/\d+ more in report.csv/);
  });

  it('draws the pass-rate trend when history is given', () => {
    // Assess
    expect(html).toContain('Pass-rate trend');
    expect(html).toContain('<polyline');
  });
});

describe('report.csv', () => {
  it('has one row per finding and neutralises spreadsheet formulas', () => {
    // Prepare
    const result = sampleResult();
    const first = result.items[0]!.findings[0]!;
    result.items[0]!.findings[0] = { ...first, resource: FORMULA, detail: '+SUM(A1:A9)' };
    const distinct = new Set(result.items.flatMap((item) => item.findings));
    // Act
    const rows = parseCsv(renderCsv(result));
    // Assess
    expect(rows).toHaveLength(distinct.size);
    expect(rows[0]).toMatchObject({ resource: `'${FORMULA}`, detail: "'+SUM(A1:A9)" });
    expect(rows.find((row) => row.check === 's3.default_encryption')?.items).toBe('SEC-DP-1');
  });
});

describe('report.md', () => {
  it('lists items and keeps hostile names from breaking tables or injecting HTML', () => {
    // Act
    const markdown = renderMarkdown(sampleResult());
    // Assess
    expect(markdown).toContain('| SEC-DP-1 |');
    expect(markdown).not.toContain('<script>');
    expect(markdownCell('a|b\nc<d>')).toBe('a\\|b c&lt;d&gt;');
  });
});

/**
 * NIST's unmodified draft-07 schema, compiled in ajv's strict mode. Its token pattern uses \p{L}
 * and \p{N}: without the u flag (unicodeRegExp, stated because the schema depends on it) those
 * would silently match the letters "p{L}" instead.
 */
describe('report.oscal.json', () => {
  const validator = oscalValidator();

  it('is valid OSCAL 1.0.6 assessment-results', () => {
    // Act
    const document = JSON.parse(renderOscal(sampleResult()));
    const valid = validator(document);
    // Assess
    expect(validator.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(document['assessment-results'].results[0].findings).toHaveLength(66);
  });

  it('the validator rejects a document that breaks the schema', () => {
    // Prepare
    const document = JSON.parse(renderOscal(sampleResult()));
    document['assessment-results'].results[0].findings[0].target.status.state = 'maybe';
    document['assessment-results'].uuid = 'not-a-uuid';
    // Act
    const valid = validator(document);
    // Assess
    expect(valid).toBe(false);
    expect(validator.errors?.map((e) => e.instancePath)).toEqual(
      expect.arrayContaining(['/assessment-results/uuid', '/assessment-results/results/0/findings/0/target/status/state']),
    );
  });

  it('renders the same document for the same evaluation', () => {
    // Prepare
    const result = sampleResult();
    // Act / Assess
    expect(renderOscal(result)).toBe(renderOscal(result));
  });
});
