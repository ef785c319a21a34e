import { errorMessage } from '../aws/errors';
import type { StoreFacts } from '../checks/facts';
import { decodeEvidence, EvidenceDecodeError, parseEvidenceKey } from '../evidence/evidence-io';
import { sha256Hex } from '../evidence/hash';
import { LATEST_REPORTS_PREFIX, REPORTS_ROOT } from '../evidence/layout';
import { type DatedPartition, listPartitionDates, listPartitionDay, listRecordPartitions } from '../evidence/partitions';
import type { EvidenceStore, StoredObject } from '../evidence/store';
import { sealChecker } from '../integrity/seal-check';
import { renderCsv } from './csv';
import { renderHtml } from './html';
import { renderJson } from './json';
import { renderMarkdown } from './markdown';
import { renderOscal } from './oscal';
import type { EvaluationResult, ReportHistoryPoint } from './result';
import type { EvidenceProblem, StoredEvidence } from './snapshots';

export const REPORT_FORMATS = ['json', 'html', 'md', 'csv', 'oscal'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
export const DEFAULT_REPORT_FORMATS: ReportFormat[] = ['json', 'html', 'md', 'csv'];

const FILE_NAMES: Record<ReportFormat, string> = {
  json: 'report.json',
  html: 'report.html',
  md: 'report.md',
  csv: 'report.csv',
  oscal: 'report.oscal.json',
};

export interface CurrentEvidence {
  /** Per collector, account and region: the latest full snapshot and every newer single-resource record. */
  evidence: StoredEvidence[];
  /** Records read that must not decide findings: altered after sealing, or unreadable. */
  problems: EvidenceProblem[];
  /** When the earliest record in the store was collected: the start of the reporting window. */
  firstCollectedAt?: string;
  /** Collection records in the days listed (the newest of each partition, down to its latest full snapshot). */
  recordsListed: number;
}

/** Reads at most this many records at once: S3 GETs are latency-bound. */
const READ_CONCURRENCY = 8;

export interface LoadEvidenceOptions {
  /** Records read so far, after each batch. */
  onProgress?: (n: number) => void;
  /** Public keys (PEM) trusted to sign digests; default the keys stored beside the digests. */
  publicKeys?: readonly string[];
}

/**
 * What evaluation needs and no more. The store keeps every record ever written, so listing or
 * reading them all would grow without bound. Keys are partitioned by collector, account, region
 * and day (evidence/partitions.ts): each partition's days are read newest first, listing one day
 * at a time, down to its latest readable full snapshot; older days are never listed.
 * Every record read is checked against the digest of its period when that period is sealed;
 * one that was altered, or cannot be read at all, becomes a problem instead of stopping the run.
 */
export async function loadCurrentEvidence(store: EvidenceStore, options: LoadEvidenceOptions = {}): Promise<CurrentEvidence> {
  const checkSeal = sealChecker(store, options.publicKeys ? { publicKeys: options.publicKeys } : {});
  const evidence: StoredEvidence[] = [];
  const problems: EvidenceProblem[] = [];
  const firstDays = new Map<DatedPartition, string>();
  let recordsListed = 0;
  for (const partition of await listRecordPartitions(store)) {
    const dates = await listPartitionDates(store, partition);
    if (dates[0]) firstDays.set(partition, dates[0]);
    let found = false;
    for (const date of dates.reverse()) {
      const keys = (await listPartitionDay(store, partition, date))
        .map((object) => object.key)
        .filter((key) => parseEvidenceKey(key))
        .reverse();
      recordsListed += keys.length;
      for (let start = 0; start < keys.length && !found; start += READ_CONCURRENCY) {
        const batch = await Promise.all(
          keys.slice(start, start + READ_CONCURRENCY).map((key) => readRecord(store, key, checkSeal)),
        );
        const fullAt = batch.findIndex((item) => item && 'record' in item && item.record.scope.type === 'all');
        for (const item of fullAt >= 0 ? batch.slice(0, fullAt + 1) : batch) {
          if (!item) continue;
          if ('record' in item) evidence.push(item);
          if ('problem' in item && item.problem) problems.push(item.problem);
        }
        options.onProgress?.(evidence.length);
        found = fullAt >= 0;
      }
      if (found) break;
    }
  }
  const first = await firstRecordTime(store, firstDays);
  return { evidence, problems, recordsListed, ...(first ? { firstCollectedAt: keyTimeToIso(first) } : {}) };
}

/** The earliest record key's date and time: only the partitions holding the earliest day are listed for it. */
async function firstRecordTime(store: EvidenceStore, firstDays: Map<DatedPartition, string>): Promise<string | undefined> {
  const day = [...firstDays.values()].sort()[0];
  let first: string | undefined;
  for (const [partition, date] of firstDays) {
    if (date !== day) continue;
    for (const object of await listPartitionDay(store, partition, date)) {
      const place = parseEvidenceKey(object.key);
      if (!place) continue;
      const at = `${place.date}T${place.time}`;
      if (first === undefined || at < first) first = at;
      break;
    }
  }
  return first;
}

function keyTimeToIso(at: string): string {
  const [date, time] = at.split('T') as [string, string];
  return `${date}T${time.slice(0, 2)}:${time.slice(2, 4)}:${time.slice(4, 6)}.${time.slice(6, 9)}Z`;
}

type ReadOutcome = (StoredEvidence & { problem?: EvidenceProblem }) | { problem: EvidenceProblem };

async function readRecord(
  store: EvidenceStore,
  key: string,
  checkSeal: (key: string, bytes: Uint8Array) => Promise<string | undefined>,
): Promise<ReadOutcome | undefined> {
  const place = parseEvidenceKey(key)!;
  const problem = (
    kind: EvidenceProblem['kind'],
    wholePartition: boolean,
    evidence: EvidenceProblem['evidence'],
    message: string,
  ): EvidenceProblem => ({
    kind,
    wholePartition,
    evidence,
    collector: place.collector,
    account: place.account,
    region: place.region,
    message,
  });
  const undecided = `the ${place.collector} evidence of account ${place.account}, region ${place.region} cannot be decided`;
  let bytes: Uint8Array | undefined;
  try {
    bytes = await store.get(key);
  } catch (err) {
    // A read that still fails after the SDK's retries: one ERROR, not a stopped evaluation.
    return {
      problem: problem('unreadable', true, { key }, `evidence ${key} cannot be read (${errorMessage(err)}): ${undecided}`),
    };
  }
  if (!bytes) return undefined;
  const ref = { key, sha256: sha256Hex(bytes) };
  const sealProblem = await checkSeal(key, bytes);
  try {
    const record = decodeEvidence(bytes);
    return {
      record,
      evidence: ref,
      ...(sealProblem
        ? {
            problem: problem(
              'integrity',
              record.scope.type === 'all',
              ref,
              `evidence failed integrity verification: ${sealProblem}`,
            ),
          }
        : {}),
    };
  } catch (err) {
    if (!(err instanceof EvidenceDecodeError)) throw err;
    const altered = sealProblem ? `; ${sealProblem}` : '';
    return {
      problem: problem('unreadable', true, ref, `evidence ${key} is unreadable (${err.message})${altered}: ${undecided}`),
    };
  }
}

/** Earlier reports recorded in the store: the pass-rate trend and the reports_on_schedule fact. */
export async function loadReportHistory(store: EvidenceStore): Promise<ReportHistoryPoint[]> {
  const history: ReportHistoryPoint[] = [];
  for await (const object of store.list(REPORTS_ROOT)) {
    if (object.key.startsWith(LATEST_REPORTS_PREFIX) || !object.key.endsWith('/report.json')) continue;
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
export function baseStoreFacts(store: EvidenceStore, current: CurrentEvidence, history: ReportHistoryPoint[]): StoreFacts {
  return {
    location: store.location,
    reports: {
      generatedAt: history.map((h) => h.generatedAt),
      ...(current.firstCollectedAt ? { collectingSince: current.firstCollectedAt } : {}),
    },
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
  const dated = `${REPORTS_ROOT}${date.replaceAll('-', '/')}/${time.replace(/[:.]/g, '').replace(/Z$/, '')}Z`;
  const stored: StoredObject[] = [];
  for (const [name, content] of files) {
    const bytes = new TextEncoder().encode(content);
    stored.push(await store.put(`${dated}/${name}`, bytes, { contentType: contentTypeOf(name) }));
    await store.put(`${LATEST_REPORTS_PREFIX}${name}`, bytes, { contentType: contentTypeOf(name), overwrite: true });
  }
  return stored;
}

/** The Content-Type a report file is stored with, by its extension. */
export function contentTypeOf(name: string): string {
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
