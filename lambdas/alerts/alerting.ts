import { loadCatalog } from '../catalog/catalog';
import type { StoreFacts } from '../checks/facts';
import { ALL_CHECKS } from '../checks/registry';
import { COLLECTORS } from '../collectors/registry';
import type { Soc2MlConfig } from '../config/schema';
import type { PathLogger } from '../events/change-path';
import { readEvidence } from '../evidence/evidence-io';
import type { EvidenceStore } from '../evidence/store';
import { evaluate } from '../report/evaluate';
import { baseStoreFacts, loadCurrentEvidence } from '../report/pipeline';
import type { EvaluationResult } from '../report/result';
import { detectDrift, itemsByCheck, trackedFindings } from './drift';
import { type AlertSender, buildAlertMessage } from './slack';
import { type Alert, type AlertCause, type FindingState, loadState, logAlert, saveState } from './state';

/** Reads every collection record and evaluates it: the evaluator's and `soc2-ml event`'s view of the store. */
export async function evaluateStore(
  store: EvidenceStore,
  config: Soc2MlConfig,
  now: Date,
  facts?: StoreFacts,
): Promise<EvaluationResult> {
  const current = await loadCurrentEvidence(store);
  return evaluate({
    evidence: current.evidence,
    evidenceProblems: current.problems,
    manualEvidence: [],
    catalog: loadCatalog({ checkIds: ALL_CHECKS.map((c) => c.id) }),
    checks: ALL_CHECKS,
    config,
    now,
    facts: facts ?? baseStoreFacts(store, current, []),
    globalCollectors: Object.values(COLLECTORS)
      .filter((c) => c.global)
      .map((c) => c.name),
  });
}

export interface AlertRunInput {
  store: EvidenceStore;
  result: EvaluationResult;
  now: Date;
  /** Without a sender the alerts stay pending for the next run that has one. */
  sender?: AlertSender;
  logger?: PathLogger;
}

export interface AlertRunResult {
  /** Alerts this evaluation produced. */
  alerts: Alert[];
  /** Alerts delivered now (this run's and earlier pending ones), in order. */
  delivered: Alert[];
  /** Alerts still waiting for delivery. */
  pending: Alert[];
  baselined: number;
  deliveryFailure?: string;
}

/**
 * Updates the alert state from an evaluation: new transitions are logged (write-once evidence)
 * and saved as pending before anything is posted; then pending alerts are delivered in order,
 * each marked sent only after a 2xx. A failed post stops the round and leaves it and the rest
 * pending for the next run, so nothing is dropped and nothing accepted is sent again.
 */
export async function updateAlertState(input: AlertRunInput): Promise<AlertRunResult> {
  const { store, result, now, sender, logger } = input;
  const previous = await loadState(store);
  const drift = detectDrift(previous, trackedFindings(result), {
    now,
    itemsByCheck: itemsByCheck(result),
  });
  // One change usually flips several checks on the same resource: read each cited record once.
  const causes = new Map<string, Promise<AlertCause | undefined>>();
  for (const alert of drift.alerts) {
    const key = alert.evidence?.key;
    if (key && !causes.has(key)) causes.set(key, causeOf(store, key));
    const cause = key ? await causes.get(key) : undefined;
    if (cause) alert.cause = cause;
    alert.logKey = await logAlert(store, alert);
    logger?.info('finding status changed', {
      alertId: alert.id,
      check: alert.check,
      resource: alert.resource,
      from: alert.from,
      to: alert.to,
    });
  }
  // The evaluator runs on every new evidence object and the bucket keeps every version under
  // Object Lock: write the state only when a status, a finding or a pending alert changed.
  if (statusesChanged(previous, drift.state)) await saveState(store, drift.state);

  const base = { alerts: drift.alerts, baselined: drift.baselined };
  if (!sender || drift.state.pending.length === 0) return { ...base, delivered: [], pending: drift.state.pending };
  const delivery = await deliverPending(store, drift.state, sender, logger);
  return {
    ...base,
    delivered: delivery.delivered,
    pending: delivery.state.pending,
    ...(delivery.failure ? { deliveryFailure: delivery.failure } : {}),
  };
}

/** Delivers the alerts left pending by earlier runs, without evaluating (nothing new was collected). */
export async function retryPending(store: EvidenceStore, sender: AlertSender, logger?: PathLogger): Promise<AlertRunResult> {
  const state = await loadState(store);
  if (!state || state.pending.length === 0) return { alerts: [], delivered: [], pending: [], baselined: 0 };
  const delivery = await deliverPending(store, state, sender, logger);
  return {
    alerts: [],
    delivered: delivery.delivered,
    pending: delivery.state.pending,
    baselined: 0,
    ...(delivery.failure ? { deliveryFailure: delivery.failure } : {}),
  };
}

/** The change event whose re-collection wrote an evidence record, read from the record's trigger. */
async function causeOf(store: EvidenceStore, key: string): Promise<AlertCause | undefined> {
  const record = await readEvidence(store, key).catch(() => undefined);
  if (record?.trigger.type !== 'event') return undefined;
  const { type: _type, ...cause } = record.trigger;
  return cause;
}

async function deliverPending(
  store: EvidenceStore,
  state: FindingState,
  sender: AlertSender,
  logger?: PathLogger,
): Promise<{ state: FindingState; delivered: Alert[]; failure?: string }> {
  const delivered: Alert[] = [];
  const remaining = [...state.pending];
  while (remaining.length > 0) {
    const alert = remaining[0]!;
    try {
      await sender.send(buildAlertMessage(alert));
    } catch (err) {
      const failure = (err as Error).message;
      remaining[0] = { ...alert, attempts: alert.attempts + 1, lastError: failure };
      logger?.warn('alert delivery failed; kept pending', { alertId: alert.id, via: sender.description, failure });
      const kept = { ...state, pending: remaining };
      await saveState(store, kept);
      return { state: kept, delivered, failure };
    }
    remaining.shift();
    delivered.push(alert);
    // Saved after every accepted post: a crash later in the round cannot make it post again.
    await saveState(store, { ...state, pending: remaining });
    logger?.info('alert delivered', { alertId: alert.id, via: sender.description });
  }
  return { state: { ...state, pending: remaining }, delivered };
}

function statusesChanged(previous: FindingState | undefined, next: FindingState): boolean {
  if (!previous) return true;
  const before = Object.entries(previous.findings);
  if (before.length !== Object.keys(next.findings).length) return true;
  if (before.some(([key, tracked]) => next.findings[key]?.status !== tracked.status)) return true;
  return previous.pending.map((a) => a.id).join() !== next.pending.map((a) => a.id).join();
}
