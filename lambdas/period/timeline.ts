import type { EvidenceRef } from '../checks/types';
import type { IntervalCause, IntervalStatus, PeriodInterval } from './types';

/** One observation of a check on a resource (or of the check itself) at a replay point. */
export interface Observation {
  at: number;
  status: IntervalStatus;
  /** When the evidence behind it was collected: it is fresh until then plus the freshness window. */
  observedAt: number;
  evidence?: EvidenceRef;
  cause?: IntervalCause;
  /** When the change behind a new status happened (its CloudTrail event time), if known and earlier than `at`. */
  changedAt?: number;
  observedBy?: PeriodInterval['observedBy'];
  detail?: string;
}

interface OpenInterval {
  status: IntervalStatus;
  from: number;
  first?: EvidenceRef;
  last?: EvidenceRef;
  cause?: IntervalCause;
  observedBy?: PeriodInterval['observedBy'];
  detail?: string;
}

/** Closed interval in epoch ms, converted to the JSON shape at the end. */
export interface TimedInterval extends Omit<PeriodInterval, 'from' | 'to'> {
  from: number;
  to: number;
}

/**
 * The intervals of one check on one resource, built from observations in time order. An
 * observation holds until the next one, but never longer than its evidence stays fresh: past
 * that the time is NOT_OBSERVED, so a collection gap inside the window is reported, not bridged.
 */
export class Timeline {
  private readonly closed: TimedInterval[] = [];
  private open: OpenInterval | undefined;
  private freshUntil = Number.POSITIVE_INFINITY;
  /** When the evidence of the latest observation was collected: a change is never placed before what was last seen. */
  private lastObservedAt = Number.NEGATIVE_INFINITY;
  /** The latest observation, for confirming it when a re-collection finds its resource unchanged. */
  private last: Observation | undefined;

  constructor(
    private readonly freshMs: number,
    start?: { at: number; intervals?: TimedInterval[] },
  ) {
    if (start?.intervals) this.closed.push(...start.intervals);
    else if (start) this.open = { status: 'NOT_OBSERVED', from: start.at };
  }

  add(observation: Observation): void {
    const stale = observation.observedAt + this.freshMs < observation.at;
    const status: IntervalStatus = stale ? 'NOT_OBSERVED' : observation.status;
    this.expire(observation.at);
    if (!this.open || this.open.status !== status) {
      const changedAt =
        status === 'NOT_OBSERVED' || !this.open
          ? observation.at
          : Math.min(observation.at, Math.max(observation.changedAt ?? observation.at, this.lastObservedAt, this.open.from));
      if (this.open) this.close(changedAt);
      this.open = {
        status,
        from: changedAt,
        ...(status === 'NOT_OBSERVED' ? {} : refsOf(observation)),
      };
    } else if (observation.evidence && status !== 'NOT_OBSERVED') {
      this.open.first ??= observation.evidence;
      this.open.last = observation.evidence;
    }
    this.freshUntil = status === 'NOT_OBSERVED' ? Number.POSITIVE_INFINITY : observation.observedAt + this.freshMs;
    this.lastObservedAt = Math.max(this.lastObservedAt, observation.observedAt);
    this.last = observation;
  }

  /** The evidence object the latest observation cited. */
  get lastEvidenceKey(): string | undefined {
    return this.last?.evidence?.key;
  }

  /** The same status as last observed, seen again by newer evidence of the same content. */
  confirm(at: number, observedAt: number, evidence: EvidenceRef, observedBy: PeriodInterval['observedBy']): void {
    if (!this.last) return;
    const { cause: _cause, changedAt: _changedAt, ...same } = this.last;
    this.add({ ...same, at, observedAt, evidence, ...(observedBy ? { observedBy } : {}) });
  }

  /** The intervals up to `end`, the open one closed there (the timeline itself is left as it is). */
  until(end: number): TimedInterval[] {
    const copy = new Timeline(this.freshMs, { at: 0, intervals: [...this.closed] });
    copy.open = this.open ? { ...this.open } : undefined;
    copy.freshUntil = this.freshUntil;
    copy.lastObservedAt = this.lastObservedAt;
    copy.last = this.last;
    return copy.finish(end);
  }

  finish(end: number): TimedInterval[] {
    this.expire(end);
    if (this.open) this.close(end);
    this.open = undefined;
    return this.closed
      .filter((interval) => interval.from < end)
      .map((interval) => ({ ...interval, to: Math.min(interval.to, end) }));
  }

  /** Opens NOT_OBSERVED where the current evidence stopped being fresh before `at`. */
  private expire(at: number): void {
    if (!this.open || this.open.status === 'NOT_OBSERVED' || this.freshUntil >= at) return;
    const gapFrom = Math.max(this.freshUntil, this.open.from);
    this.close(gapFrom);
    this.open = { status: 'NOT_OBSERVED', from: gapFrom };
    this.freshUntil = Number.POSITIVE_INFINITY;
  }

  private close(end: number): void {
    const open = this.open;
    if (!open || end <= open.from) return;
    const evidence = [open.first, open.last].filter(
      (ref, i, all): ref is EvidenceRef => !!ref && (i === 0 || ref.key !== all[0]?.key),
    );
    const previous = this.closed[this.closed.length - 1];
    if (previous && previous.status === open.status && previous.to === open.from && open.status === 'NOT_OBSERVED') {
      previous.to = end;
      return;
    }
    this.closed.push({
      status: open.status,
      from: open.from,
      to: end,
      evidence,
      ...(open.cause ? { cause: open.cause } : {}),
      ...(open.observedBy ? { observedBy: open.observedBy } : {}),
      ...(open.detail ? { detail: open.detail } : {}),
    });
  }
}

function refsOf(observation: Observation): Omit<OpenInterval, 'status' | 'from'> {
  return {
    ...(observation.evidence ? { first: observation.evidence, last: observation.evidence } : {}),
    ...(observation.cause ? { cause: observation.cause } : {}),
    ...(observation.observedBy ? { observedBy: observation.observedBy } : {}),
    ...(observation.detail ? { detail: observation.detail } : {}),
  };
}
