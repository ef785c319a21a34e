import { randomUUID } from 'node:crypto';
import type { StoreFacts } from '../checks/facts';
import type { Soc2MlConfig } from '../config/schema';
import type { PathLogger } from '../events/change-path';
import { readEvidence } from '../evidence/evidence-io';
import { ConditionalWriteConflictError, type ConditionalWriteStore, type EvidenceStore } from '../evidence/store';
import { evaluateEvidence } from '../flows/evaluate';
import { baseStoreFacts, loadCurrentEvidence } from '../report/pipeline';
import type { EvaluationResult } from '../report/result';
import { detectDrift, itemsByCheck, trackedFindings } from './drift';
import { type AlertSender, buildChangeMessage, groupIntoMessages, SlackRejectedError } from './slack';
import {
  type Alert,
  alertLogKey,
  conditionalStore,
  emptyState,
  type FindingState,
  logAlert,
  readState,
  UNDELIVERABLE_KEPT,
  type Undeliverable,
  writeState,
} from './state';

/** Reads every collection record and evaluates it: the evaluator's and `soc2-ml event`'s view of the store. */
export async function evaluateStore(
  store: EvidenceStore,
  config: Soc2MlConfig,
  now: Date,
  facts?: StoreFacts,
): Promise<EvaluationResult> {
  const current = await loadCurrentEvidence(store);
  return evaluateEvidence(current, { config, now, facts: facts ?? baseStoreFacts(store, current, []) });
}

export interface AlertRunInput {
  store: EvidenceStore;
  result: EvaluationResult;
  now: Date;
  /** Without a sender the alerts stay pending for the next run that has one. */
  sender?: AlertSender;
  logger?: PathLogger;
  /** Wall clock for delivery claims (the evaluation's `now` may be fixed). */
  clock?: () => Date;
}

export interface AlertRunResult {
  /** Alerts this evaluation produced (and claimed: a concurrent evaluation never returns the same ones). */
  alerts: Alert[];
  /** Alerts delivered now (this run's and earlier pending ones), in order. */
  delivered: Alert[];
  /** Slack messages accepted now: one per event or collection run. */
  messagesDelivered: number;
  /** Alerts still waiting for delivery. */
  pending: Alert[];
  /** Messages Slack refused for good in this run: recorded in the state, not retried. */
  undeliverable: Undeliverable[];
  baselined: number;
  /** A transient delivery failure: the message and the rest stay pending. */
  deliveryFailure?: string;
  /** The stored alert state was unreadable: how it was recovered. */
  stateProblem?: string;
}

/** Concurrent evaluations retry a lost conditional write this often before giving up. */
const MAX_STATE_WRITE_ATTEMPTS = 10;
/** A delivery claim outlives one post (10 s timeout plus Retry-After waits) and expires if its holder died. */
const CLAIM_LEASE_MS = 120_000;

/**
 * Updates the alert state from an evaluation. New transitions are claimed by a conditional
 * write of the state (a concurrent evaluation that wrote first makes this one re-read and
 * re-diff, finding nothing new), then logged (write-once evidence), then delivered: pending
 * alerts grouped one message per event or collection run, each claimed before it is posted
 * and removed only after a 2xx. A permanent refusal is recorded and skipped; a transient
 * failure stops the round and leaves that message and the rest pending.
 */
export async function updateAlertState(input: AlertRunInput): Promise<AlertRunResult> {
  const { result, now, sender, logger } = input;
  const store = conditionalStore(input.store);
  const findings = trackedFindings(result);
  const context = { now, itemsByCheck: itemsByCheck(result) };
  // One change usually flips several checks on the same resource: read each cited record once.
  const origins = new Map<string, Promise<AlertOrigin>>();
  for (let attempt = 1; ; attempt += 1) {
    const read = await readState(store, now);
    if (read.problem) logger?.error('alert state unreadable; recovered', { reason: read.problem });
    const drift = detectDrift(read.state, findings, context);
    for (const alert of drift.alerts) {
      const key = alert.evidence?.key;
      if (key && !origins.has(key)) origins.set(key, originOf(store, key));
      Object.assign(alert, key ? await origins.get(key) : {}, { logKey: alertLogKey(alert) });
    }
    // The evaluator runs on every new evidence object and the bucket keeps every version under
    // Object Lock: write the state only when a status or a pending alert changed.
    if (read.problem || statusesChanged(read.state, drift.state)) {
      try {
        await writeState(store, drift.state, read.tag);
      } catch (err) {
        if (!(err instanceof ConditionalWriteConflictError) || attempt >= MAX_STATE_WRITE_ATTEMPTS) throw err;
        logger?.info('alert state changed by a concurrent evaluation; re-reading', { attempt });
        continue;
      }
    }
    for (const alert of drift.alerts) {
      await logAlert(store, alert);
      logger?.info('finding status changed', {
        alertId: alert.id,
        check: alert.check,
        resource: alert.resource,
        from: alert.from,
        to: alert.to,
      });
    }
    const base = {
      alerts: drift.alerts,
      baselined: drift.baselined,
      ...(read.problem ? { stateProblem: read.problem } : {}),
    };
    if (!sender) return { ...base, delivered: [], messagesDelivered: 0, pending: drift.state.pending, undeliverable: [] };
    return { ...base, ...(await deliverPending(store, sender, input.clock ?? (() => new Date()), logger)) };
  }
}

/** Delivers the alerts left pending by earlier runs, without evaluating (nothing new was collected). */
export async function retryPending(
  store: EvidenceStore,
  sender: AlertSender,
  logger?: PathLogger,
  clock: () => Date = () => new Date(),
): Promise<AlertRunResult> {
  return { alerts: [], baselined: 0, ...(await deliverPending(conditionalStore(store), sender, clock, logger)) };
}

type AlertOrigin = Pick<Alert, 'cause' | 'run'>;

/** The change event or collection run that wrote an evidence record, read from the record's trigger. */
async function originOf(store: EvidenceStore, key: string): Promise<AlertOrigin> {
  const record = await readEvidence(store, key).catch(() => undefined);
  if (!record) return {};
  const { trigger } = record;
  if (trigger.type === 'event') {
    const { type: _type, ...cause } = trigger;
    return { cause };
  }
  return { run: { collector: record.collector.name, collectedAt: record.collectedAt, trigger: trigger.type } };
}

type Delivery = Pick<AlertRunResult, 'delivered' | 'messagesDelivered' | 'pending' | 'undeliverable' | 'deliveryFailure'>;

/**
 * Posts pending alerts one message per group, oldest group first. Each group is claimed in
 * the state (conditional write) before its post, so a concurrent evaluation skips it; a claim
 * whose holder died expires after CLAIM_LEASE_MS.
 */
async function deliverPending(
  store: ConditionalWriteStore,
  sender: AlertSender,
  clock: () => Date,
  logger?: PathLogger,
): Promise<Delivery> {
  const runId = randomUUID();
  const delivered: Alert[] = [];
  const undeliverable: Undeliverable[] = [];
  let messagesDelivered = 0;
  for (let conflicts = 0; ; ) {
    const read = await readState(store, clock());
    const state = read.state;
    const group = state ? nextGroup(state.pending, clock()) : undefined;
    if (!state || !group) return { delivered, messagesDelivered, pending: state?.pending ?? [], undeliverable };
    const ids = new Set(group.map((a) => a.id));
    const claim = { by: runId, until: new Date(clock().getTime() + CLAIM_LEASE_MS).toISOString() };
    const claimed = state.pending.map((a) => (ids.has(a.id) ? { ...a, claim } : a));
    try {
      await writeState(store, { ...state, pending: claimed }, read.tag);
    } catch (err) {
      conflicts += 1;
      if (!(err instanceof ConditionalWriteConflictError) || conflicts >= MAX_STATE_WRITE_ATTEMPTS) throw err;
      continue;
    }
    conflicts = 0;
    const message = buildChangeMessage(group, { storeLocation: store.location });
    let outcome: DeliveryOutcome;
    try {
      await sender.send(message);
      outcome = { status: 'delivered' };
    } catch (err) {
      outcome =
        err instanceof SlackRejectedError
          ? {
              status: 'rejected',
              record: {
                alertIds: [...ids],
                text: message.text.slice(0, 500),
                status: err.status,
                reason: err.reason,
                at: clock().toISOString(),
              },
            }
          : { status: 'failed', failure: (err as Error).message };
    }
    const settled = await settle(store, ids, runId, outcome, clock);
    if (outcome.status === 'failed') {
      logger?.warn('alert delivery failed; kept pending', {
        alertIds: [...ids],
        via: sender.description,
        failure: outcome.failure,
      });
      return { delivered, messagesDelivered, pending: settled.pending, undeliverable, deliveryFailure: outcome.failure };
    }
    if (outcome.status === 'rejected') {
      undeliverable.push(outcome.record);
      logger?.error('Slack refused the message for good; recorded and skipped', { ...outcome.record, via: sender.description });
    } else {
      delivered.push(...group);
      messagesDelivered += 1;
      logger?.info('alert delivered', { alertIds: [...ids], via: sender.description });
    }
  }
}

type DeliveryOutcome =
  | { status: 'delivered' }
  | { status: 'rejected'; record: Undeliverable }
  | { status: 'failed'; failure: string };

/** The oldest message group with no live claim by another evaluation. */
function nextGroup(pending: Alert[], now: Date): Alert[] | undefined {
  const free = pending.filter((a) => !a.claim || Date.parse(a.claim.until) <= now.getTime());
  return groupIntoMessages(free)[0];
}

/**
 * Records a post's outcome with a conditional write (re-read on conflict): delivered and
 * rejected alerts leave the queue, a rejection is remembered, a transient failure releases
 * the claim and counts the attempt. Saved after every post: a crash later cannot post it again.
 */
async function settle(
  store: ConditionalWriteStore,
  ids: Set<string>,
  runId: string,
  outcome: DeliveryOutcome,
  clock: () => Date,
): Promise<FindingState> {
  for (let attempt = 1; ; attempt += 1) {
    const read = await readState(store, clock());
    const state = read.state ?? emptyState(clock());
    const ours = (a: Alert) => ids.has(a.id) && a.claim?.by === runId;
    const release = (a: Alert): Alert => {
      if (outcome.status !== 'failed' || !ours(a)) return a;
      const { claim: _released, ...unclaimed } = a;
      return { ...unclaimed, attempts: a.attempts + 1, lastError: outcome.failure };
    };
    const pending = outcome.status === 'failed' ? state.pending.map(release) : state.pending.filter((a) => !ours(a));
    const undeliverable =
      outcome.status === 'rejected'
        ? [...(state.undeliverable ?? []), outcome.record].slice(-UNDELIVERABLE_KEPT)
        : state.undeliverable;
    const next: FindingState = { ...state, pending, ...(undeliverable ? { undeliverable } : {}) };
    try {
      await writeState(store, next, read.tag);
      return next;
    } catch (err) {
      if (!(err instanceof ConditionalWriteConflictError) || attempt >= MAX_STATE_WRITE_ATTEMPTS) throw err;
    }
  }
}

function statusesChanged(previous: FindingState | undefined, next: FindingState): boolean {
  if (!previous) return true;
  const before = Object.entries(previous.findings);
  if (before.length !== Object.keys(next.findings).length) return true;
  if (before.some(([key, tracked]) => next.findings[key]?.status !== tracked.status)) return true;
  return previous.pending.map((a) => a.id).join() !== next.pending.map((a) => a.id).join();
}
