import type { StoreFacts } from '../checks/facts';
import { decodeEvidence, EVIDENCE_PREFIX } from '../evidence/evidence-io';
import { sha256Hex } from '../evidence/hash';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderOscal } from './oscal';
import type { EvaluationResult, ReportHistoryPoint } from './result';
import type { StoredEvidence } from './snapshots';

export const REPORT_FORMATS = ['json', 'html', 'md', 'csv', 'oscal'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const DEFAULT_REPORT_FORMATS: ReportFormat[] = ['json', 'html', 'md', 'csv'];

const REPORTS_PREFIX = 'reports/';
const FILE_NAMES: Record<ReportFormat, string> = {
  json: 'report.json',
  html: 'report.html',
  md: 'report.md',
  csv: 'report.csv',
  oscal: 'report.oscal.json',
};

/**
 * Collection records live under evidence/v1/collector=...; the change log and the alert log
 * (evidence/v1/changes/, evidence/v1/alerts/) are sealed evidence too but are not records.
 */
const COLLECTION_RECORDS_PREFIX = `${EVIDENCE_PREFIX}collector=`;

/** Every collection record in the store, decoded, with the key and SHA-256 of the bytes read. */
export async function loadStoredEvidence(store: EvidenceStore, onProgress?: (n: number) => void): Promise<StoredEvidence[]> {
  const evidence: StoredEvidence[] = [];
  for await (const object of store.list(COLLECTION_RECORDS_PREFIX)) {
    if (!object.key.endsWith('.json.gz')) continue;
    const bytes = await store.get(object.key);
    if (!bytes) continue;
    evidence.push({ record: decodeEvidence(bytes), evidence: { key: object.key, sha256: sha256Hex(bytes) } });
    if (onProgress && evidence.length % 500 === 0) onProgress(evidence.length);
  }
  return evidence;
}

/** Earlier reports recorded in the store: the pass-rate trend and the reports_on_schedule fact. */
export async function loadReportHistory(store: EvidenceStore): Promise<ReportHistoryPoint[]> {
  const history: ReportHistoryPoint[] = [];
  for await (const object of store.list(REPORTS_PREFIX)) {
    if (object.key.startsWith(`${REPORTS_PREFIX}latest/`) || !object.key.endsWith('/report.json')) continue;
    const bytes = await store.get(object.key);
    if (!bytes) continue;
    try {
      const parsed = JSON.parse(new TextDecoder().decode(bytes)) as Partial<ReportHistoryPoint>;
      if (typeof parsed.generatedAt === 'string' && parsed.summary)
        history.push({ generatedAt: parsed.generatedAt, summary: parsed.summary });
    } catch {
      // An unreadable old report only costs a point on the trend line; verify reports tampering.
    }
  }
  return history.sort((a, b) => a.generatedAt.localeCompare(b.generatedAt));
}

/** The facts every store can answer: where it is, which reports it holds, since when it collects. */
export function baseStoreFacts(store: EvidenceStore, evidence: StoredEvidence[], history: ReportHistoryPoint[]): StoreFacts {
  const firstCollection = evidence.reduce<string | undefined>(
    (first, e) => (first === undefined || e.record.collectedAt < first ? e.record.collectedAt : first),
    undefined,
  );
  return {
    location: store.location,
    reports: { generatedAt: history.map((h) => h.generatedAt), ...(firstCollection ? { collectingSince: firstCollection } : {}) },
  };
}

/** Renders the chosen formats: file name -> content. */
export function renderReports(
  result: EvaluationResult,
  history: ReportHistoryPoint[],
  formats: readonly ReportFormat[],
): Map<string, string> {
  const renderers: Record<ReportFormat, () => string> = {
    json: () => renderJson(result),
    html: () => renderHtml(result, history),
    md: () => renderMarkdown(result),
    csv: () => renderCsv(result),
    oscal: () => renderOscal(result),
  };
  return new Map(formats.map((format) => [FILE_NAMES[format], renderers[format]()]));
}

/**
 * Keeps the report in the store: reports/YYYY/MM/DD/<time>/report.json (write-once, the
 * history that reports_on_schedule counts) and reports/latest/ (replaced each time).
 */
export async function recordReport(
  store: EvidenceStore,
  result: EvaluationResult,
  files: Map<string, string>,
): Promise<StoredObject[]> {
  const [date, time] = result.generatedAt.split('T') as [string, string];
  const dated = `${REPORTS_PREFIX}${date.replaceAll('-', '/')}/${time.replace(/[:.]/g, '').replace(/Z$/, '')}Z`;
  const stored: StoredObject[] = [];
  for (const [name, content] of files) {
    const bytes = new TextEncoder().encode(content);
    stored.push(await store.put(`${dated}/${name}`, bytes, { contentType: contentTypeOf(name) }));
    await store.put(`${REPORTS_PREFIX}latest/${name}`, bytes, { contentType: contentTypeOf(name), overwrite: true });
  }
  return stored;
}

function contentTypeOf(name: string): string {
  if (name.endsWith('.html')) return 'text/html; charset=utf-8';
  if (name.endsWith('.csv')) return 'text/csv; charset=utf-8';
  if (name.endsWith('.md')) return 'text/markdown; charset=utf-8';
  return 'application/json';
}

export function parseFormats(list: string[] | undefined): ReportFormat[] | { unknown: string[] } {
  if (!list) return DEFAULT_REPORT_FORMATS;
  const unknown = list.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  return unknown.length > 0 ? { unknown } : [...new Set(list as ReportFormat[])];
}
