import pLimit from 'p-limit';
import { errorMessage } from '../aws/errors';
import type { Check } from '../checks/types';
import type { Soc2MlConfig } from '../config/schema';
import { decodeEvidence, EvidenceDecodeError } from '../evidence/evidence-io';
import { sha256Hex } from '../evidence/hash';
import { type DatedPartition, listPartitionDates, listPartitionDay, listRecordPartitions } from '../evidence/partitions';
import type { CollectorName, EvidenceResource } from '../evidence/record';
import type { EvidenceStore } from '../evidence/store';
import { sealChecker } from '../integrity/seal-check';
import { exceptionExpiry } from '../report/evaluate';
import { type BuiltSnapshot, buildSnapshots, type StoredEvidence } from '../report/snapshots';
import { PeriodReplay, type ReplayResult } from './replay';

const DAY_MS = 86_400_000;
/** Reads at most this many records at once: S3 GETs are latency-bound. */
export const READ_CONCURRENCY = 8;

export interface PeriodWindow {
  /** YYYY-MM-DD, both days included (UTC). */
  from: string;
  to: string;
  /** Epoch ms: start of `from`, end of `to` (exclusive). */
  start: number;
  end: number;
}

/** Raised for a window that cannot be reconstructed: bad dates, or no evidence in it. */
export class PeriodInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PeriodInputError';
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A window of whole UTC days; either end may be `today` (UTC, at `now`). */
export function parseWindow(fromArg: string | undefined, toArg: string | undefined, now = new Date()): PeriodWindow {
  const day = (value: string | undefined) => (value === 'today' ? now.toISOString().slice(0, 10) : value);
  const from = day(fromArg);
  const to = day(toArg);
  for (const [flag, value] of [
    ['--from', from],
    ['--to', to],
  ] as const) {
    if (!value) throw new PeriodInputError(`${flag} YYYY-MM-DD is required`);
    const parsed = Date.parse(`${value}T00:00:00Z`);
    // Date.parse rolls some impossible days over (2026-02-30) and refuses others (2026-13-01).
    if (!DATE.test(value) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== value)
      throw new PeriodInputError(`${flag} ${value}: not a date (YYYY-MM-DD)`);
  }
  const start = Date.parse(`${from}T00:00:00Z`);
  const end = Date.parse(`${to}T00:00:00Z`) + DAY_MS;
  if (end <= start) throw new PeriodInputError(`--to ${to} is before --from ${from}`);
  return { from: from!, to: to!, start, end };
}

/** The days of the window, ascending. */
export function windowDays(window: PeriodWindow): string[] {
  const days: string[] = [];
  for (let day = window.start; day < window.end; day += DAY_MS) days.push(new Date(day).toISOString().slice(0, 10));
  return days;
}

export interface ReconstructOptions {
  window: PeriodWindow;
  config: Soc2MlConfig;
  checks: readonly Check[];
  globalCollectors: readonly CollectorName[];
  /** Public keys (PEM) trusted to sign digests; default the keys stored beside the digests. */
  publicKeys?: readonly string[];
  onProgress?: (message: string) => void;
}

export interface Reconstruction extends ReplayResult {
  /** Collection records read inside the window. */
  recordsInWindow: number;
  /** Records read before the window to know the state at its start. */
  baselineRecords: number;
  problems: string[];
}

type Read = { stored: StoredEvidence } | { problem: string } | undefined;

/**
 * Per partition, the state as it stood when the window opened: its latest full snapshot before
 * the window and the single-resource records after it. Only the days before the window needed
 * to reach that snapshot are listed, newest first.
 */
async function baseline(
  store: EvidenceStore,
  partition: DatedPartition,
  dates: string[],
  window: PeriodWindow,
  read: (key: string) => Promise<Read>,
  problems: string[],
): Promise<StoredEvidence[]> {
  const found: StoredEvidence[] = [];
  const before = dates.filter((date) => date < window.from).reverse();
  for (const date of before) {
    const keys = (await listPartitionDay(store, partition, date)).map((o) => o.key).reverse();
    for (const key of keys) {
      const outcome = await read(key);
      if (!outcome) continue;
      if ('problem' in outcome) {
        problems.push(outcome.problem);
        continue;
      }
      found.push(outcome.stored);
      if (outcome.stored.record.scope.type === 'all') return found.reverse();
    }
  }
  // No full snapshot before the window: the overlays alone describe nothing.
  return [];
}

/**
 * What a record did to the state: a full snapshot that changed it or repeated it exactly, a
 * single-resource record that changed it or repeated it, or nothing (no snapshot to lay it over).
 */
export type Applied = 'snapshot' | 'repeated-snapshot' | 'changed' | 'unchanged' | 'ignored';

const content = (r: EvidenceResource) => JSON.stringify([r.type, r.region, r.configuration, r.tags]);

/**
 * Per collector/account/region: the latest full snapshot and the newer single-resource records,
 * as buildSnapshots selects them, with each partition's built snapshot kept up to date.
 */
export class EvidenceState {
  private readonly partitions = new Map<string, StoredEvidence[]>();
  private readonly built = new Map<string, BuiltSnapshot>();
  /** Per partition, its latest full snapshot's content while no single-resource record has changed it since. */
  private readonly unchangedFull = new Map<string, string>();

  apply(item: StoredEvidence): Applied {
    const { record } = item;
    const key = `${record.collector.name}|${record.account}|${record.region}`;
    const current = this.partitions.get(key);
    let applied: Applied;
    if (record.scope.type === 'all') {
      const whole = JSON.stringify([record.resources, record.errors]);
      const previous = this.unchangedFull.get(key);
      applied = (previous !== undefined ? previous === whole : this.sameAsState(key, item)) ? 'repeated-snapshot' : 'snapshot';
      this.unchangedFull.set(key, whole);
      this.partitions.set(key, [item]);
    } else if (current && record.collectedAt > current[0]!.record.collectedAt) {
      current.push(item);
      if (this.repeats(key, item)) {
        this.cite(key, item);
        return 'unchanged';
      }
      this.unchangedFull.delete(key);
      applied = 'changed';
    } else return 'ignored';
    this.built.set(key, buildSnapshots(this.partitions.get(key)!)[0]!);
    return applied;
  }

  /**
   * What buildSnapshots would give after a record that repeats the state: the same snapshot
   * with its resources citing the newer record (same position, same content, same errors).
   */
  private cite(key: string, item: StoredEvidence): void {
    const built = this.built.get(key)!;
    const position = this.positions(key, built);
    // In place: the snapshot is this state's own copy, and no evaluation holds it between records.
    for (const resource of item.record.resources) {
      const index = position.get(resource.arn)!;
      built.snapshot.resources[index] = {
        ...resource,
        account: built.snapshot.resources[index]!.account,
        evidence: item.evidence,
      };
    }
    built.overlays += 1;
  }

  private readonly indexes = new Map<string, { of: BuiltSnapshot; position: Map<string, number> }>();

  /** Where each resource sits in a partition's built snapshot (rebuilt with the snapshot). */
  private positions(key: string, built: BuiltSnapshot): Map<string, number> {
    const known = this.indexes.get(key);
    if (known?.of === built) return known.position;
    const position = new Map(built.snapshot.resources.map((r, i) => [r.arn, i]));
    this.indexes.set(key, { of: built, position });
    return position;
  }

  /** The record holds no error and deletes nothing, and each of its resources is already in the state as it is. */
  private repeats(key: string, item: StoredEvidence): boolean {
    const { record } = item;
    const snapshot = this.built.get(key)?.snapshot;
    if (!snapshot || record.errors.length > 0 || record.deleted.length > 0) return false;
    const arns = new Set(record.resources.map((r) => r.arn));
    if (snapshot.errors.some((e) => e.resource !== undefined && arns.has(e.resource))) return false;
    const position = this.positions(key, this.built.get(key)!);
    return record.resources.every((r) => {
      const index = position.get(r.arn);
      return index !== undefined && content(snapshot.resources[index]!) === content(r);
    });
  }

  /** A full snapshot describing exactly what the state holds: the same resources and content, the same errors. */
  private sameAsState(key: string, item: StoredEvidence): boolean {
    const snapshot = this.built.get(key)?.snapshot;
    const { record } = item;
    if (!snapshot || snapshot.resources.length !== record.resources.length) return false;
    if (JSON.stringify(snapshot.errors) !== JSON.stringify(record.errors)) return false;
    const held = new Map(snapshot.resources.map((r) => [r.arn, r]));
    return record.resources.every((r) => {
      const before = held.get(r.arn);
      return before !== undefined && content(before) === content(r);
    });
  }

  evidence(): StoredEvidence[] {
    return [...this.partitions.values()].flat();
  }

  snapshots(): BuiltSnapshot[] {
    return [...this.built.values()];
  }
}

/**
 * Reconstructs the window from the store: lists the date partitions it needs (the window's days,
 * and per partition the days back to its last full snapshot before the window), reads one day
 * at a time in time order, and replays the check evaluation after every record on the checks
 * that read its collector. Memory holds one day of records and the current state, not the year.
 */
export async function reconstructPeriod(store: EvidenceStore, options: ReconstructOptions): Promise<Reconstruction> {
  const { window } = options;
  const progress = options.onProgress ?? (() => undefined);
  const checkSeal = sealChecker(store, options.publicKeys ? { publicKeys: options.publicKeys } : {});
  const problems: string[] = [];
  const read = async (key: string): Promise<Read> => {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.get(key);
    } catch (err) {
      return { problem: `evidence ${key} cannot be read (${errorMessage(err)}): left out of the period` };
    }
    if (!bytes) return undefined;
    const sealProblem = await checkSeal(key, bytes);
    if (sealProblem) return { problem: `evidence ${key} failed integrity verification (${sealProblem}): left out of the period` };
    try {
      return { stored: { record: decodeEvidence(bytes), evidence: { key, sha256: sha256Hex(bytes) } } };
    } catch (err) {
      if (!(err instanceof EvidenceDecodeError)) throw err;
      return { problem: `evidence ${key} is unreadable (${err.message}): left out of the period` };
    }
  };

  const partitions = await listRecordPartitions(store);
  const datesByPartition = new Map<DatedPartition, string[]>();
  for (const partition of partitions) datesByPartition.set(partition, await listPartitionDates(store, partition));

  const state = new EvidenceState();
  let baselineRecords = 0;
  for (const partition of partitions) {
    const records = await baseline(store, partition, datesByPartition.get(partition)!, window, read, problems);
    baselineRecords += records.length;
    for (const item of records) state.apply(item);
  }
  progress(`state at ${window.from}: ${baselineRecords} record(s) before the window`);

  const replay = new PeriodReplay({
    from: window.start,
    to: window.end,
    config: options.config,
    globalCollectors: options.globalCollectors,
  });
  const readersOf = new Map<string, Check[]>();
  const checksReading = (collector: string) => {
    let checks = readersOf.get(collector);
    if (!checks) {
      checks = options.checks.filter((c) => (c.collectors as readonly string[]).includes(collector));
      readersOf.set(collector, checks);
    }
    return checks;
  };
  replay.observe(window.start, state.evidence(), options.checks, state.snapshots());

  // Statuses are decided on every change of the evidence and, for conditions that age (a key's
  // age, a snapshot's), on the first full snapshot of each partition each UTC day; a record that
  // repeats the state otherwise confirms the statuses of what it describes.
  const decidedOn = new Map<string, string>();
  // An exception stops applying at its expiry, not at the next collection: its check is decided
  // again at that instant, on the evidence as it stood.
  const expiries = options.config.exceptions
    .map((exception) => ({ at: exceptionExpiry(exception.expires), check: exception.check }))
    .filter(({ at }) => at > window.start && at < window.end)
    .sort((a, b) => a.at - b.at);
  const expireUntil = (until: number) => {
    while (expiries.length > 0 && expiries[0]!.at <= until) {
      const { at, check } = expiries.shift()!;
      replay.observe(
        at,
        state.evidence(),
        options.checks.filter((c) => c.id === check),
        state.snapshots(),
      );
    }
  };
  const limit = pLimit(READ_CONCURRENCY);
  let recordsInWindow = 0;
  const readDay = async (day: string): Promise<Read[]> => {
    const keys: string[] = [];
    for (const partition of partitions) {
      if (!datesByPartition.get(partition)!.includes(day)) continue;
      for (const object of await listPartitionDay(store, partition, day)) keys.push(object.key);
    }
    return Promise.all(keys.map((key) => limit(() => read(key))));
  };
  const days = windowDays(window);
  // One day ahead is read while the current day is replayed: reads wait on I/O, the replay on the CPU.
  let next = days.length > 0 ? readDay(days[0]!) : undefined;
  for (const [index, day] of days.entries()) {
    const outcomes = await next!;
    next = index + 1 < days.length ? readDay(days[index + 1]!) : undefined;
    const records: StoredEvidence[] = [];
    for (const outcome of outcomes) {
      if (!outcome) continue;
      if ('problem' in outcome) problems.push(outcome.problem);
      else records.push(outcome.stored);
    }
    records.sort(
      (a, b) => a.record.collectedAt.localeCompare(b.record.collectedAt) || a.evidence.key.localeCompare(b.evidence.key),
    );
    for (const item of records) {
      const at = Date.parse(item.record.collectedAt);
      if (at < window.start || at >= window.end) continue;
      expireUntil(at);
      const applied = state.apply(item);
      const checks = checksReading(item.record.collector.name);
      const partition = `${item.record.collector.name}|${item.record.account}|${item.record.region}`;
      const decidedToday = decidedOn.get(partition) === day;
      if (applied === 'unchanged' || (applied === 'repeated-snapshot' && decidedToday)) replay.confirm(at, item, checks);
      else if (applied !== 'ignored') {
        replay.observe(at, state.evidence(), checks, state.snapshots());
        if (applied === 'snapshot' || applied === 'repeated-snapshot') decidedOn.set(partition, day);
      }
    }
    recordsInWindow += records.length;
    if (records.length > 0) progress(`${day}: ${records.length} record(s) replayed`);
  }
  expireUntil(window.end);
  if (recordsInWindow === 0)
    throw new PeriodInputError(`no evidence collected between ${window.from} and ${window.to} in ${store.location}`);
  return { ...replay.finish(), recordsInWindow, baselineRecords, problems };
}
