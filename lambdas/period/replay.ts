import type { Check } from '../checks/types';
import type { Soc2MlConfig } from '../config/schema';
import type { CollectorName, EvidenceRecord } from '../evidence/record';
import { evaluateChecks } from '../report/evaluate';
import type { ReportFinding } from '../report/result';
import type { BuiltSnapshot, StoredEvidence } from '../report/snapshots';
import { type Observation, type TimedInterval, Timeline } from './timeline';
import { pushTo } from './types';

const HOUR_MS = 3_600_000;

export interface ReplayOptions {
  /** The window, epoch ms, end exclusive. */
  from: number;
  to: number;
  config: Soc2MlConfig;
  globalCollectors: readonly CollectorName[];
}

/** A check on one resource and its intervals across the window. */
export interface KeyedTimeline {
  check: string;
  resource: string;
  account: string;
  region: string;
  intervals: TimedInterval[];
}

export interface ReplayResult {
  resources: KeyedTimeline[];
  /** Per check: when its evidence was fresh (ABSENT) or not (NOT_OBSERVED), whatever resources it found. */
  checks: Map<string, TimedInterval[]>;
  accounts: string[];
  regions: string[];
}

interface Entry {
  check: string;
  resource: string;
  account: string;
  region: string;
  timeline: Timeline;
}

/**
 * Replays the report's check evaluation (evaluateChecks) over the evidence timeline: at each
 * point the caller names, the checks run on the state of the evidence as it stood, and every
 * finding becomes an observation of its check on its resource. Resources a check stops
 * reporting while its evidence is fresh become ABSENT; time without fresh evidence NOT_OBSERVED.
 */
export class PeriodReplay {
  private readonly freshMs: number;
  private readonly entries = new Map<string, Entry>();
  private readonly byCheck = new Map<string, Set<string>>();
  /** Keys per check and resource ARN, for confirming a resource re-collected unchanged. */
  private readonly byResource = new Map<string, string[]>();
  private readonly checkTimelines = new Map<string, Timeline>();
  private readonly globals: ReadonlySet<string>;
  private readonly accounts = new Set<string>();
  private readonly regions = new Set<string>();

  constructor(private readonly options: ReplayOptions) {
    this.freshMs = options.config.thresholds.evidenceFreshnessHours * HOUR_MS;
    this.globals = new Set(options.globalCollectors);
  }

  /** Runs `checks` over `evidence`, the state at `at` (latest full snapshot and newer single-resource records per partition). */
  observe(at: number, evidence: StoredEvidence[], checks: readonly Check[], built?: BuiltSnapshot[]): void {
    if (checks.length === 0 || evidence.length === 0) return;
    const evaluation = evaluateChecks({
      evidence,
      checks: [...checks],
      config: this.options.config,
      now: new Date(at),
      globalCollectors: [...this.options.globalCollectors] as CollectorName[],
      ...(built ? { built } : {}),
    });
    const records = new Map<string, EvidenceRecord>(evidence.map((e) => [e.evidence.key, e.record]));
    const present = new Set<string>();
    const latestByCollector = new Map<string, number>();
    for (const { snapshot } of evaluation.built) {
      present.add(`${snapshot.collector}|${snapshot.account}|${snapshot.region}`);
      const collected = Date.parse(snapshot.collectedAt);
      latestByCollector.set(snapshot.collector, Math.max(collected, latestByCollector.get(snapshot.collector) ?? 0));
      this.accounts.add(snapshot.account);
      if (snapshot.region !== 'global') this.regions.add(snapshot.region);
    }
    for (const check of checks) {
      const times = check.collectors.map((c) => latestByCollector.get(c));
      const collected = times.every((t) => t !== undefined);
      const checkObservedAt = collected ? Math.min(...(times as number[])) : at;
      this.checkTimeline(check.id).add({ at, status: collected ? 'ABSENT' : 'NOT_OBSERVED', observedAt: checkObservedAt });
      const known = this.knownKeys(check.id);
      const seen = new Set<string>();
      for (const finding of evaluation.findingsByCheck.get(check.id) ?? []) {
        const key = [check.id, finding.resource, finding.account, finding.region].join('\u0000');
        if (seen.has(key)) continue;
        seen.add(key);
        if (!known.has(key)) {
          known.add(key);
          const byResource = `${check.id}\u0000${finding.resource}`;
          pushTo(this.byResource, byResource, key);
        }
        const observation = this.observation(at, check, finding, records, present, checkObservedAt);
        this.entry(key, check.id, finding, at).timeline.add(observation);
      }
      for (const key of known) {
        if (!seen.has(key))
          this.entries.get(key)!.timeline.add({ at, status: collected ? 'ABSENT' : 'NOT_OBSERVED', observedAt: checkObservedAt });
      }
    }
  }

  /**
   * A record that found everything it describes exactly as the state already held it: nothing a
   * check reads changed, so the statuses it speaks for are confirmed as of its collection (fresh
   * again, citing it) without running the checks. A full snapshot speaks for every status that
   * rested on its partition; a single-resource record for the statuses on its resources.
   */
  confirm(at: number, item: StoredEvidence, checks: readonly Check[]): void {
    const { record } = item;
    const observedAt = Date.parse(record.collectedAt);
    const observedBy = { trigger: record.trigger.type, collectedAt: record.collectedAt };
    const confirm = (key: string) => this.entries.get(key)!.timeline.confirm(at, observedAt, item.evidence, observedBy);
    if (record.scope.type === 'all') {
      const partition = item.evidence.key.slice(0, item.evidence.key.indexOf('/date=') + 1);
      for (const check of checks)
        for (const key of this.knownKeys(check.id))
          if (this.entries.get(key)!.timeline.lastEvidenceKey?.startsWith(partition)) confirm(key);
      return;
    }
    for (const check of checks)
      for (const resource of record.resources)
        for (const key of this.byResource.get(`${check.id}\u0000${resource.arn}`) ?? []) confirm(key);
  }

  finish(): ReplayResult {
    const resources = [...this.entries.values()].map(({ timeline, ...where }) => ({
      ...where,
      intervals: timeline.finish(this.options.to),
    }));
    const checks = new Map([...this.checkTimelines].map(([id, timeline]) => [id, timeline.finish(this.options.to)]));
    return { resources, checks, accounts: [...this.accounts].sort(), regions: [...this.regions].sort() };
  }

  private observation(
    at: number,
    check: Check,
    finding: ReportFinding,
    records: Map<string, EvidenceRecord>,
    present: Set<string>,
    checkObservedAt: number,
  ): Observation {
    const record = finding.evidence ? records.get(finding.evidence.key) : undefined;
    if (!record) {
      // Only the evaluator's own "no evidence collected" finding lacks both a record and a snapshot.
      const uncollected = check.collectors.some(
        (c) => !present.has(`${c}|${finding.account}|${this.globals.has(c) ? 'global' : finding.region}`),
      );
      return {
        at,
        status: uncollected && finding.status === 'ERROR' ? 'NOT_OBSERVED' : finding.status,
        observedAt: checkObservedAt,
        ...(finding.evidence ? { evidence: finding.evidence } : {}),
        detail: finding.detail,
      };
    }
    const trigger = record.trigger;
    return {
      at,
      status: finding.status,
      observedAt: Date.parse(record.collectedAt),
      ...(finding.evidence ? { evidence: finding.evidence } : {}),
      observedBy: { trigger: trigger.type, collectedAt: record.collectedAt },
      detail: finding.detail,
      ...(trigger.type === 'event'
        ? {
            cause: {
              eventName: trigger.eventName,
              eventId: trigger.eventId,
              principal: trigger.principal,
              time: trigger.eventTime,
            },
            changedAt: Date.parse(trigger.eventTime),
          }
        : {}),
    };
  }

  private checkTimeline(check: string): Timeline {
    let timeline = this.checkTimelines.get(check);
    if (!timeline) {
      timeline = new Timeline(this.freshMs, { at: this.options.from });
      this.checkTimelines.set(check, timeline);
    }
    return timeline;
  }

  private knownKeys(check: string): Set<string> {
    let keys = this.byCheck.get(check);
    if (!keys) {
      keys = new Set();
      this.byCheck.set(check, keys);
    }
    return keys;
  }

  /** A resource seen for the first time inherits its check's history up to now: ABSENT where the check saw evidence, else NOT_OBSERVED. */
  private entry(key: string, check: string, finding: ReportFinding, at: number): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      const inherited = this.checkTimeline(check).until(at);
      entry = {
        check,
        resource: finding.resource,
        account: finding.account,
        region: finding.region,
        timeline: new Timeline(this.freshMs, { at, intervals: inherited }),
      };
      this.entries.set(key, entry);
    }
    return entry;
  }
}
