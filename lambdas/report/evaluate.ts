import type { Catalog, CatalogItem } from '../catalog/catalog';
import type { StoreFacts } from '../checks/facts';
import { globToRegExp } from '../checks/glob';
import { accountRootArn } from '../checks/helpers';
import { buildMlInventory } from '../checks/ml-inventory';
import { buildMlScope } from '../checks/ml-scope';
import {
  type Check,
  type CheckContext,
  FINDING_STATUSES,
  type Finding,
  type FindingStatus,
  type Snapshot,
} from '../checks/types';
import type { ExceptionEntry, Soc2MlConfig } from '../config/schema';
import { type CollectorName, GLOBAL_REGION } from '../evidence/record';
import { globalServiceNames, SERVICES } from '../services';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { withEvidenceProblems } from './evidence-problems';
import {
  type CollectionView,
  type EvaluatedItem,
  type EvaluationResult,
  type ExceptionView,
  ITEM_STATUSES,
  type ItemStatus,
  type ManualEvidenceDue,
  type ManualEvidenceEntry,
  type ManualEvidenceView,
  type ReportFinding,
} from './result';
import { type BuiltSnapshot, buildSnapshots, type EvidenceProblem, type StoredEvidence } from './snapshots';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Account-wide collectors, whose records carry the global pseudo-region: the services' own flag. */
export const DEFAULT_GLOBAL_COLLECTORS: CollectorName[] = globalServiceNames(SERVICES);

export interface EvaluationInput {
  /** Every decoded evidence record with the key and SHA-256 of its object. */
  evidence: StoredEvidence[];
  /** Objects that must not decide findings (altered after sealing, unreadable): findings resting on them are ERROR. */
  evidenceProblems?: EvidenceProblem[];
  manualEvidence: ManualEvidenceEntry[];
  catalog: Catalog;
  checks: Check[];
  config: Soc2MlConfig;
  now: Date;
  /** Evidence-store facts for the evidence.* self-checks; absent makes them ERROR. */
  facts?: StoreFacts;
  /** Collectors that run once per account (region "global"); the CLI passes those of the collector registry. */
  globalCollectors?: CollectorName[];
}

/** What the checks decided over one state of the evidence, before items are judged. */
export interface CheckEvaluation {
  built: BuiltSnapshot[];
  context: CheckContext;
  accounts: string[];
  /** Findings per check id, exceptions applied. */
  findingsByCheck: Map<string, ReportFinding[]>;
  /** Per check id, one line per stale snapshot it read. */
  staleByCheck: Map<string, string[]>;
  isStale: (snapshot: Snapshot) => boolean;
  exceptions: CompiledException[];
}

/**
 * Runs every check of the input over its evidence at `now`: the one check evaluation that both
 * the report (evaluate) and the period reconstruction (lambdas/period) replay. Pure.
 */
export function evaluateChecks(
  input: Omit<EvaluationInput, 'catalog' | 'manualEvidence'> & {
    /** buildSnapshots(input.evidence), when the caller keeps it up to date itself (the period replay). */
    built?: BuiltSnapshot[];
  },
): CheckEvaluation {
  const { config, now } = input;
  const built = input.built ?? buildSnapshots(input.evidence);
  const snapshots = built.map((b) => b.snapshot);
  const maxAgeMs = config.thresholds.evidenceFreshnessHours * HOUR_MS;
  const isStale = (snapshot: Snapshot) => now.getTime() - Date.parse(snapshot.collectedAt) > maxAgeMs;

  const byCollector = new Map<CollectorName, Snapshot[]>();
  for (const snapshot of snapshots)
    byCollector.set(snapshot.collector, [...(byCollector.get(snapshot.collector) ?? []), snapshot]);
  const context: CheckContext = {
    config,
    now,
    snapshots: (collector) => byCollector.get(collector) ?? [],
    mlScope: buildMlScope(snapshots, config),
    ...(input.facts ? { facts: input.facts } : {}),
  };

  const accounts = [...new Set(input.evidence.map((e) => e.record.account))].sort();
  const missing = missingCollections(input, accounts, snapshots);
  const exceptions = compileExceptions(config.exceptions, now);

  const findingsByCheck = new Map<string, ReportFinding[]>();
  const staleByCheck = new Map<string, string[]>();
  for (const check of input.checks) {
    const findings = withEvidenceProblems(
      check,
      [...runCheck(check, context), ...missingFindings(check, missing)],
      input.evidenceProblems ?? [],
    ).map((f) => applyExceptions(f, exceptions));
    findingsByCheck.set(check.id, findings);
    const stale = check.collectors.flatMap((collector) => context.snapshots(collector).filter(isStale));
    staleByCheck.set(
      check.id,
      stale.map(
        (s) =>
          `${s.collector} evidence for ${s.account}/${s.region} collected ${s.collectedAt} is older than ${config.thresholds.evidenceFreshnessHours} h`,
      ),
    );
  }
  return { built, context, accounts, findingsByCheck, staleByCheck, isStale, exceptions };
}

/** Evidence, checks and catalog in; findings, item statuses and everything the renderers show out. Pure. */
export function evaluate(input: EvaluationInput): EvaluationResult {
  const { now } = input;
  const { built, context, accounts, findingsByCheck, staleByCheck, isStale, exceptions } = evaluateChecks(input);
  const snapshots = built.map((b) => b.snapshot);

  const items = input.catalog.items.map((item) => evaluateItem(item, findingsByCheck, staleByCheck, input.manualEvidence, now));
  const summary = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as Record<ItemStatus, number>;
  for (const item of items) summary[item.status] += 1;
  const findingSummary = Object.fromEntries(FINDING_STATUSES.map((s) => [s, 0])) as Record<FindingStatus, number>;
  for (const findings of findingsByCheck.values()) for (const finding of findings) findingSummary[finding.status] += 1;

  const regions = new Set<string>();
  for (const snapshot of snapshots) {
    if (snapshot.region !== GLOBAL_REGION) regions.add(snapshot.region);
    for (const resource of snapshot.resources) if (resource.region !== GLOBAL_REGION) regions.add(resource.region);
  }

  return {
    generatedAt: now.toISOString(),
    generatedBy: { tool: TOOL_NAME, version: TOOL_VERSION },
    catalogVersion: input.catalog.version,
    accounts,
    regions: [...regions].sort(),
    summary,
    findingSummary,
    items,
    checks: input.checks.map(({ id, collectors, passCondition, remediation }) => ({
      id,
      collectors,
      passCondition,
      remediation,
    })),
    collections: built.map(
      ({ snapshot, overlays }): CollectionView => ({
        collector: snapshot.collector,
        account: snapshot.account,
        region: snapshot.region,
        collectedAt: snapshot.collectedAt,
        evidence: snapshot.evidence,
        resources: snapshot.resources.length,
        errors: snapshot.errors.length,
        overlays,
        stale: isStale(snapshot),
      }),
    ),
    manualEvidenceDue: manualEvidenceDue(items),
    exceptions: {
      applied: exceptions.filter((e) => !e.expired).map(exceptionView),
      expired: exceptions.filter((e) => e.expired).map(exceptionView),
    },
    inventory: buildMlInventory([...context.snapshots('s3'), ...context.snapshots('sagemaker'), ...context.snapshots('bedrock')]),
  };
}

/** A check that throws is a bug, but it must still show as ERROR rather than vanish. */
function runCheck(check: Check, context: CheckContext): Finding[] {
  try {
    return check.run(context);
  } catch (err) {
    return [
      {
        check: check.id,
        resource: 'evaluator',
        account: 'unknown',
        region: GLOBAL_REGION,
        status: 'ERROR',
        detail: `check failed to run: ${err instanceof Error ? err.message : String(err)}`,
      },
    ];
  }
}

interface MissingCollection {
  collector: CollectorName;
  account: string;
  region: string;
}

/** (collector, account, region) triples with no full snapshot, for every account seen in any record. */
function missingCollections(
  input: Pick<EvaluationInput, 'globalCollectors' | 'checks' | 'config'>,
  accounts: string[],
  snapshots: Snapshot[],
): MissingCollection[] {
  const global = new Set(input.globalCollectors ?? DEFAULT_GLOBAL_COLLECTORS);
  const present = new Set(snapshots.map((s) => `${s.collector}|${s.account}|${s.region}`));
  const collectors = new Set(input.checks.flatMap((c) => c.collectors));
  const missing: MissingCollection[] = [];
  for (const collector of collectors) {
    const regions = global.has(collector) ? [GLOBAL_REGION] : input.config.regions;
    const expectedAccounts = accounts.length > 0 ? accounts : ['unknown'];
    for (const account of expectedAccounts) {
      for (const region of regions) {
        if (!present.has(`${collector}|${account}|${region}`)) missing.push({ collector, account, region });
      }
    }
  }
  return missing;
}

function missingFindings(check: Check, missing: MissingCollection[]): Finding[] {
  return missing
    .filter((m) => check.collectors.includes(m.collector))
    .map((m) => ({
      check: check.id,
      resource: m.account === 'unknown' ? 'evidence-store' : accountRootArn(m.account),
      account: m.account,
      region: m.region,
      status: 'ERROR' as const,
      detail: `no evidence collected: no full ${m.collector} snapshot for account ${m.account}, region ${m.region}`,
    }));
}

export interface CompiledException {
  entry: ExceptionEntry;
  pattern: RegExp;
  expiresAt: number;
  expired: boolean;
  matched: number;
}

/** A date-only expiry ("2027-03-31") still applies throughout that day (UTC). */
export function exceptionExpiry(expires: string): number {
  const parsed = Date.parse(expires);
  return /^\d{4}-\d{2}-\d{2}$/.test(expires) ? parsed + DAY_MS : parsed;
}

function compileExceptions(entries: ExceptionEntry[], now: Date): CompiledException[] {
  return entries.map((entry) => {
    const expiresAt = exceptionExpiry(entry.expires);
    return { entry, pattern: globToRegExp(entry.resource), expiresAt, expired: expiresAt <= now.getTime(), matched: 0 };
  });
}

function applyExceptions(finding: Finding, exceptions: CompiledException[]): ReportFinding {
  if (finding.status !== 'FAIL') return finding;
  const match = exceptions.find((e) => !e.expired && e.entry.check === finding.check && e.pattern.test(finding.resource));
  if (!match) return finding;
  match.matched += 1;
  const { approver, expires, justification } = match.entry;
  return {
    ...finding,
    status: 'EXCEPTED',
    detail: `${finding.detail} [excepted: approved by ${approver} until ${expires}]`,
    exception: { approver, expires, justification },
  };
}

function exceptionView(compiled: CompiledException): ExceptionView {
  const { check, resource, approver, expires, justification } = compiled.entry;
  return { check, resource, approver, expires, justification, matched: compiled.matched };
}

/** When manual evidence stops counting: the earlier of its item's freshness window and its own expiry. */
export function manualDueAt(entry: Pick<ManualEvidenceEntry, 'uploadedAt' | 'expiresAt'>, freshnessDays: number): string {
  const freshUntil = Date.parse(entry.uploadedAt) + freshnessDays * DAY_MS;
  return new Date(Math.min(freshUntil, entry.expiresAt ? Date.parse(entry.expiresAt) : Number.POSITIVE_INFINITY)).toISOString();
}

function manualViews(item: CatalogItem, entries: ManualEvidenceEntry[], now: Date): ManualEvidenceView[] {
  const freshness = item.manualEvidence;
  if (!freshness) return [];
  return entries
    .filter((entry) => entry.itemId === item.id)
    .map((entry) => {
      const dueAt = manualDueAt(entry, freshness.freshnessDays);
      return { ...entry, dueAt, fresh: now.getTime() < Date.parse(dueAt) };
    })
    .sort((a, b) => b.uploadedAt.localeCompare(a.uploadedAt));
}

/** Item status exactly as the checklist's "Statuses" section orders it. */
function evaluateItem(
  item: CatalogItem,
  findingsByCheck: Map<string, ReportFinding[]>,
  staleByCheck: Map<string, string[]>,
  manualEvidence: ManualEvidenceEntry[],
  now: Date,
): EvaluatedItem {
  const findings = item.checks.flatMap((check) => findingsByCheck.get(check) ?? []);
  const manual = manualViews(item, manualEvidence, now);
  const reasons: string[] = [];
  const unregistered = item.checks.filter((check) => !findingsByCheck.has(check));
  const count = (status: FindingStatus) => findings.filter((f) => f.status === status).length;

  let status: ItemStatus;
  const stale = [...new Set(item.checks.flatMap((check) => staleByCheck.get(check) ?? []))];
  const needsManual = item.kind !== 'auto' && !manual.some((m) => m.fresh);
  if (count('FAIL') > 0) {
    status = 'FAIL';
    reasons.push(`${count('FAIL')} failing findings`);
  } else if (count('ERROR') > 0 || unregistered.length > 0 || (item.kind !== 'manual' && findings.length === 0)) {
    status = 'ERROR';
    if (count('ERROR') > 0) reasons.push(`${count('ERROR')} findings could not be decided (evidence missing or errored)`);
    if (unregistered.length > 0) reasons.push(`checks not implemented: ${unregistered.join(', ')}`);
    if (item.kind !== 'manual' && findings.length === 0 && unregistered.length === 0) reasons.push('no findings: no evidence');
  } else if (stale.length > 0) {
    status = 'STALE';
    reasons.push(...stale);
  } else if (needsManual) {
    status = 'NEEDS_EVIDENCE';
    reasons.push(
      manual.length === 0
        ? `no manual evidence uploaded (${item.manualEvidence?.description})`
        : `manual evidence expired on ${manual[0]!.dueAt}`,
    );
  } else if (item.kind === 'manual') status = 'ATTESTED';
  else if (item.kind === 'auto' && findings.every((f) => f.status === 'NOT_APPLICABLE')) status = 'NOT_APPLICABLE';
  else status = 'PASS';

  return {
    id: item.id,
    title: item.title,
    section: item.section,
    criteria: item.criteria,
    kind: item.kind,
    status,
    reasons,
    checks: item.checks,
    findings,
    manualEvidenceRequired: item.manualEvidence,
    manualEvidence: manual,
  };
}

function manualEvidenceDue(items: EvaluatedItem[]): ManualEvidenceDue[] {
  const due: ManualEvidenceDue[] = [];
  for (const item of items) {
    if (!item.manualEvidenceRequired) continue;
    const latestDue = item.manualEvidence.reduce<ManualEvidenceView | undefined>(
      (best, m) => (!best || m.dueAt > best.dueAt ? m : best),
      undefined,
    );
    due.push({
      itemId: item.id,
      title: item.title,
      description: item.manualEvidenceRequired.description,
      dueAt: latestDue?.dueAt ?? null,
      state: !latestDue ? 'missing' : latestDue.fresh ? 'fresh' : 'expired',
    });
  }
  const rank = { missing: 0, expired: 1, fresh: 2 };
  return due.sort(
    (a, b) => rank[a.state] - rank[b.state] || (a.dueAt ?? '').localeCompare(b.dueAt ?? '') || a.itemId.localeCompare(b.itemId),
  );
}
