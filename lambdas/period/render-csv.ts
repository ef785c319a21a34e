import { stringify } from 'csv-stringify/sync';
import type { PeriodResult } from './types';

export const PERIOD_CSV_COLUMNS = [
  'check',
  'resource',
  'account',
  'region',
  'items',
  'status',
  'from',
  'to',
  'seconds',
  'event_name',
  'event_id',
  'principal',
  'event_time',
  'detail',
  'evidence_key',
  'evidence_sha256',
] as const;

/** period.csv: one row per interval of each check on each resource; escape_formulas keeps cells inert in spreadsheets. */
export function renderPeriodCsv(result: PeriodResult): string {
  const rows = result.checks.flatMap((check) =>
    check.intervals.map((interval) => [
      check.check,
      check.resource,
      check.account,
      check.region,
      check.items.join(' '),
      interval.status,
      interval.from,
      interval.to,
      String(Math.round((Date.parse(interval.to) - Date.parse(interval.from)) / 1000)),
      interval.cause?.eventName ?? '',
      interval.cause?.eventId ?? '',
      interval.cause?.principal ?? '',
      interval.cause?.time ?? '',
      interval.detail ?? '',
      interval.evidence[0]?.key ?? '',
      interval.evidence[0]?.sha256 ?? '',
    ]),
  );
  return stringify(rows, { header: true, columns: [...PERIOD_CSV_COLUMNS], escape_formulas: true });
}
