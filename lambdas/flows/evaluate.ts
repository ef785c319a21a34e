import { type Catalog, loadCatalog } from '../catalog/catalog';
import type { StoreFacts } from '../checks/facts';
import { ALL_CHECKS } from '../checks/registry';
import type { Soc2MlConfig } from '../config/schema';
import type { CollectorName } from '../evidence/record';
import { evaluate } from '../report/evaluate';
import type { CurrentEvidence } from '../report/pipeline';
import type { EvaluationResult, ManualEvidenceEntry } from '../report/result';
import { globalServiceNames, SERVICES } from '../services';

/** Account-wide collectors (records in the global pseudo-region), as the service descriptors state them. */
export const GLOBAL_COLLECTORS: readonly CollectorName[] = globalServiceNames(SERVICES);

/** The packaged checklist, matched against every registered check (a check without a row, or a row naming no check, throws). */
export function checklist(): Catalog {
  return loadCatalog({ checkIds: ALL_CHECKS.map((check) => check.id) });
}

export interface EvaluateEvidenceOptions {
  config: Soc2MlConfig;
  now: Date;
  facts: StoreFacts;
  /** Default none: the evaluator's view, which alerts on collected evidence only. */
  manualEvidence?: ManualEvidenceEntry[];
  /** Default checklist(), for a caller that already loaded it. */
  catalog?: Catalog;
}

/**
 * The store's current evidence judged by every check against the checklist, with the objects
 * that must not decide findings (altered, unreadable) as evidence problems: the one evaluation
 * behind the report, the evaluator's alerts and `soc2-ml event`.
 */
export function evaluateEvidence(current: CurrentEvidence, options: EvaluateEvidenceOptions): EvaluationResult {
  return evaluate({
    evidence: current.evidence,
    evidenceProblems: current.problems,
    manualEvidence: options.manualEvidence ?? [],
    catalog: options.catalog ?? checklist(),
    checks: ALL_CHECKS,
    config: options.config,
    now: options.now,
    facts: options.facts,
    globalCollectors: [...GLOBAL_COLLECTORS],
  });
}
