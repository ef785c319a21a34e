import { stringify } from 'csv-stringify/sync';
import type { EvaluationResult } from './result';

export const CSV_COLUMNS = [
  'check',
  'status',
  'resource',
  'account',
  'region',
  'detail',
  'items',
  'evidence_key',
  'evidence_sha256',
  'exception_approver',
  'exception_expires',
] as const;

/**
 * report.csv: one row per finding (a finding listed by several items is one row naming them all).
 * escape_formulas stops a resource name such as "=HYPERLINK(...)" running in a spreadsheet.
 */
export function renderCsv(result: EvaluationResult): string {
  const rows: string[][] = [];
  const seen = new Map<object, string[]>();
  for (const item of result.items) {
    for (const finding of item.findings) {
      const row = seen.get(finding);
      if (row) {
        row[6] = `${row[6]} ${item.id}`;
        continue;
      }
      const next = [
        finding.check,
        finding.status,
        finding.resource,
        finding.account,
        finding.region,
        finding.detail,
        item.id,
        finding.evidence?.key ?? '',
        finding.evidence?.sha256 ?? '',
        finding.exception?.approver ?? '',
        finding.exception?.expires ?? '',
      ];
      seen.set(finding, next);
      rows.push(next);
    }
  }
  return stringify(rows, { header: true, columns: [...CSV_COLUMNS], escape_formulas: true });
}
