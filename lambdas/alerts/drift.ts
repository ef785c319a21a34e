import type { FindingStatus } from '../checks/types';
import type { EvaluationResult, ReportFinding } from '../report/result';
import { type Alert, alertId, emptyState, type FindingState, findingKey, type TrackedStatus } from './state';

/**
 * Findings whose status the alert state follows: those of checks that read collected evidence.
 * The evidence.* self-checks without collectors decide from store facts (integrity, queue
 * health) that each caller measures differently, so their status is reported, never alerted.
 */
export function trackedFindings(result: EvaluationResult): ReportFinding[] {
  const tracked = new Set(result.checks.filter((c) => c.collectors.length > 0).map((c) => c.id));
  const unique = new Map<string, ReportFinding>();
  for (const item of result.items)
    for (const finding of item.findings) if (tracked.has(finding.check)) unique.set(findingKey(finding), finding);
  return [...unique.values()];
}

const BAD: ReadonlySet<FindingStatus> = new Set(['FAIL', 'ERROR']);

/** PASS->FAIL, FAIL->PASS, anything->ERROR and ERROR->anything alert; PASS<->NOT_APPLICABLE does not. */
export function isAlerting(from: FindingStatus, to: FindingStatus): boolean {
  return from !== to && (BAD.has(from) || BAD.has(to));
}

export interface DriftContext {
  now: Date;
  /** Items (id, criteria) listing each check. */
  itemsByCheck: Map<string, { id: string; criteria: string[] }[]>;
}

export interface Drift {
  state: FindingState;
  /** New alerts, in finding order; already appended to state.pending. */
  alerts: Alert[];
  baselined: number;
  /** Findings that no longer exist (resource deleted or out of scope): dropped without an alert. */
  dropped: number;
}

/**
 * Diffs the current findings against the stored state. A finding seen for the first time is
 * its baseline (no alert); a status change updates the state and, when alerting, produces
 * exactly one alert. Pending alerts are carried over untouched. The caller attributes each
 * alert to the change event whose re-collection wrote the finding's evidence.
 */
export function detectDrift(previous: FindingState | undefined, findings: ReportFinding[], context: DriftContext): Drift {
  const now = context.now.toISOString();
  const before = previous ?? emptyState(context.now);
  const next: Record<string, TrackedStatus> = {};
  const alerts: Alert[] = [];
  let baselined = 0;
  for (const finding of findings) {
    const key = findingKey(finding);
    const known = before.findings[key];
    if (!known) {
      baselined += 1;
      next[key] = { status: finding.status, detail: finding.detail, since: now };
      continue;
    }
    if (known.status === finding.status) {
      next[key] = { ...known, detail: finding.detail };
      continue;
    }
    next[key] = { status: finding.status, detail: finding.detail, since: now };
    if (isAlerting(known.status, finding.status)) alerts.push(alertFor(finding, known.status, context));
  }
  const dropped = Object.keys(before.findings).filter((key) => !(key in next)).length;
  const pendingIds = new Set(before.pending.map((a) => a.id));
  const fresh = alerts.filter((a) => !pendingIds.has(a.id));
  return {
    state: { ...before, updatedAt: now, findings: next, pending: [...before.pending, ...fresh] },
    alerts: fresh,
    baselined,
    dropped,
  };
}

function alertFor(finding: ReportFinding, from: FindingStatus, context: DriftContext): Alert {
  const base = {
    check: finding.check,
    resource: finding.resource,
    account: finding.account,
    region: finding.region,
    from,
    to: finding.status,
    ...(finding.evidence ? { evidence: finding.evidence } : {}),
  };
  return {
    id: alertId(base),
    kind: BAD.has(from) && !BAD.has(finding.status) ? 'resolution' : 'transition',
    ...base,
    detail: finding.detail,
    detectedAt: context.now.toISOString(),
    items: context.itemsByCheck.get(finding.check) ?? [],
    attempts: 0,
  };
}

/** Items listing each check, from the evaluation (a check finding applies in every item that lists it). */
export function itemsByCheck(result: EvaluationResult): Map<string, { id: string; criteria: string[] }[]> {
  const byCheck = new Map<string, { id: string; criteria: string[] }[]>();
  for (const item of result.items)
    for (const check of item.checks)
      byCheck.set(check, [...(byCheck.get(check) ?? []), { id: item.id, criteria: item.criteria }]);
  return byCheck;
}
