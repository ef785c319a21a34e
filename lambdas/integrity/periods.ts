/**
 * Digest periods and which period (and chain) a stored object belongs to.
 *
 * Membership is decided by the time written in the key, never by the store's LastModified:
 * evidence keys carry `account=A/.../date=YYYY-MM-DD/<HHMMSSmmm>Z-...`, manual evidence keys
 * `manual/<ITEM-ID>/<YYYY-MM-DD>/<HHMMSSmmm>Z-...`. Evidence forms one chain per account;
 * manual evidence is not tied to an account and forms its own chain, named `manual`.
 */

import { EVIDENCE_ROOT, MANUAL_ROOT, SEALED_ROOTS } from '../evidence/layout';

export type DigestPeriodKind = 'daily' | 'hourly';

export interface Period {
  kind: DigestPeriodKind;
  /** `YYYY-MM-DD` (daily) or `YYYY-MM-DDTHH` (hourly): sorts chronologically as a string. */
  id: string;
  /** ISO timestamps, start inclusive, end exclusive. */
  start: string;
  end: string;
}

export const MANUAL_CHAIN = 'manual';
export { EVIDENCE_ROOT, MANUAL_ROOT, SEALED_ROOTS };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function lengthOf(kind: DigestPeriodKind): number {
  return kind === 'daily' ? DAY_MS : HOUR_MS;
}

export function periodContaining(kind: DigestPeriodKind, at: Date): Period {
  const length = lengthOf(kind);
  const startMs = Math.floor(at.getTime() / length) * length;
  const start = new Date(startMs).toISOString();
  return {
    kind,
    id: kind === 'daily' ? start.slice(0, 10) : start.slice(0, 13),
    start,
    end: new Date(startMs + length).toISOString(),
  };
}

export function periodAfter(period: Period): Period {
  return periodContaining(period.kind, new Date(period.end));
}

/** The period kind a period id was written with, or undefined when it is neither. */
export function periodFromId(id: string): Period | undefined {
  if (/^\d{4}-\d{2}-\d{2}$/.test(id)) return checked('daily', `${id}T00:00:00.000Z`, id);
  if (/^\d{4}-\d{2}-\d{2}T\d{2}$/.test(id)) return checked('hourly', `${id}:00:00.000Z`, id);
  return undefined;
}

function checked(kind: DigestPeriodKind, iso: string, id: string): Period | undefined {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return undefined;
  const period = periodContaining(kind, at);
  return period.id === id ? period : undefined;
}

export interface KeyPlacement {
  /** Account id, or MANUAL_CHAIN. */
  chain: string;
  at: Date;
}

const TIME_PREFIX = /^(\d{2})(\d{2})(\d{2})(\d{3})Z-/;

function timeFromKey(date: string, fileName: string): Date | undefined {
  const time = TIME_PREFIX.exec(fileName);
  if (!time || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  const at = new Date(`${date}T${time[1]}:${time[2]}:${time[3]}.${time[4]}Z`);
  return Number.isNaN(at.getTime()) ? undefined : at;
}

/** Where an object belongs in the chains; undefined when its key does not follow the layout. */
export function placeKey(key: string): KeyPlacement | undefined {
  const segments = key.split('/');
  if (key.startsWith(EVIDENCE_ROOT)) {
    const account = segments.find((s) => s.startsWith('account='))?.slice('account='.length);
    const date = segments.at(-2)?.startsWith('date=') ? segments.at(-2)!.slice('date='.length) : undefined;
    const at = date ? timeFromKey(date, segments.at(-1)!) : undefined;
    return account && at ? { chain: account, at } : undefined;
  }
  if (key.startsWith(MANUAL_ROOT)) {
    // manual/<ITEM-ID>/<YYYY-MM-DD>/<HHMMSSmmm>Z-<name>
    if (segments.length !== 4) return undefined;
    const at = timeFromKey(segments[2]!, segments[3]!);
    return at ? { chain: MANUAL_CHAIN, at } : undefined;
  }
  return undefined;
}

/** `HHMMSSmmmZ` of a time: the prefix evidence and manual keys start their file name with. */
export function compactTime(at: Date): string {
  return `${at.toISOString().slice(11, 23).replace(/[:.]/g, '')}Z`;
}
